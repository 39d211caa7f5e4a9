/* crop: the CRIU options checkpoint and restore share are set the way runc sets them. */
#include "t.h"
#include "crop.h"
#include <sched.h>

int main(void)
{
	CriuOpts o = CRIU_OPTS__INIT;
	struct err e;
	const char *net[] = { "network", "network" }, *ipc[] = { "ipc" };
	struct strv nets = { net, 2 }, ipcs = { ipc, 1 };
	struct crop_base b = { 0, 1, 0, 1, 0, 0, "ignore", "skip", &nets };

	T_INTEQ(crop_base(&o, &b, "dump.log", 40101, &e), 0, "valid flags are accepted");
	T_STREQ(o.log_file, "dump.log", "log file");
	T_OK(o.has_log_level && o.log_level == 4, "log level 4, as runc");
	T_OK(o.has_notify_scripts && o.notify_scripts, "notify scripts on");
	T_OK(o.has_orphan_pts_master && o.orphan_pts_master, "orphan pts master on");
	T_OK(o.has_shell_job && !o.shell_job, "false booleans are sent explicitly");
	T_OK(o.has_ext_unix_sk && o.ext_unix_sk && o.has_file_locks && o.file_locks,
	     "true booleans are sent");
	T_OK(o.has_manage_cgroups_mode && o.manage_cgroups_mode == CRIU_CG_MODE__IGNORE,
	     "ignore is sent with its presence bit (value 0)");
	T_OK(o.has_empty_ns && o.empty_ns == CLONE_NEWNET, "empty_ns is CLONE_NEWNET");
	T_OK(o.has_network_lock && o.network_lock == CRIU_NETWORK_LOCK_METHOD__SKIP,
	     "network lock skip");

	CriuOpts d = CRIU_OPTS__INIT;
	struct crop_base none = { 0 };
	T_INTEQ(crop_base(&d, &none, "restore.log", 40101, &e), 0, "no flags given");
	T_OK(d.has_manage_cgroups_mode && d.manage_cgroups_mode == CRIU_CG_MODE__DEFAULT,
	     "no mode: DEFAULT is sent");
	T_OK(d.has_empty_ns && d.empty_ns == CLONE_NEWNET, "empty_ns holds NEWNET without the flag");
	T_OK(!d.has_network_lock, "no --network-lock: field not sent");

	b.manage_cgroups_mode = "bogus";
	T_INTEQ(crop_base(&o, &b, "x", 40101, &e), -1, "bad cgroup mode refused");
	T_STREQ(e.msg, "invalid manage-cgroups-mode value \"bogus\" (use soft, full, strict or "
		       "ignore)", "cgroup mode message");
	b.manage_cgroups_mode = NULL;
	b.empty_ns = &ipcs;
	T_INTEQ(crop_base(&o, &b, "x", 40101, &e), -1, "empty-ns other than network refused");
	T_STREQ(e.msg, "namespace \"ipc\" is not supported", "empty-ns message");
	b.empty_ns = &nets;
	T_INTEQ(crop_base(&o, &b, "x", 31500, &e), -1, "--network-lock needs CRIU 3.16");
	T_STREQ(e.msg, "--network-lock requires at least CRIU 3.16", "network-lock message");
	b.network_lock = "bogus";
	T_INTEQ(crop_base(&o, &b, "x", 40101, &e), -1, "bad network lock refused");
	/* --page-server as runc reads it (net.SplitHostPort + strconv.Atoi) */
	{
		static const struct { const char *in, *addr; int port; const char *err; } ps[] = {
			{ "127.0.0.1:27", "127.0.0.1", 27, NULL },
			{ "[::1]:80", "::1", 80, NULL },
			{ "host:+5", "host", 5, NULL },
			{ "host:-1", "host", -1, NULL },
			{ "host:4294967297", "host", 1, NULL },          /* int32 truncation */
			{ "host:0", NULL, 0, NULL },                     /* no page server */
			{ "::1:80", NULL, 0, "Use --page-server ADDRESS:PORT to specify page server" },
			{ "nocolon", NULL, 0, "Use --page-server ADDRESS:PORT to specify page server" },
			{ ":80", NULL, 0, "Use --page-server ADDRESS:PORT to specify page server" },
			{ "host:", NULL, 0, "Use --page-server ADDRESS:PORT to specify page server" },
			{ "[::1]80", NULL, 0, "Use --page-server ADDRESS:PORT to specify page server" },
			{ "[::1]:80]", NULL, 0, "Use --page-server ADDRESS:PORT to specify page server" },
			{ "a[b:80", NULL, 0, "Use --page-server ADDRESS:PORT to specify page server" },
			{ "host:notaport", NULL, 0, "Invalid port number" },
			{ "host:99999999999999999999", NULL, 0, "Invalid port number" },
		};
		char name[128];
		for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
			CriuOpts po = CRIU_OPTS__INIT;
			int r = crop_page_server(&po, ps[k].in, &e);
			snprintf(name, sizeof name, "--page-server %s", ps[k].in);
			if (ps[k].err) {
				T_OK(r == -1 && !strcmp(e.msg, ps[k].err) && !po.ps, name);
			} else if (!ps[k].addr) {
				T_OK(r == 0 && !po.ps, name);
			} else {
				T_OK(r == 0 && po.ps && !strcmp(po.ps->address, ps[k].addr) &&
				     po.ps->has_port && po.ps->port == ps[k].port, name);
			}
			crop_page_server_free(&po);
		}
	}
	return t_done();
}
