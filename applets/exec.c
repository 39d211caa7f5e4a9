/* exec: `crbox exec [flags] <id> <command> [args...]` or `-p process.json <id>`, as `runc
 * exec` (1.1.5). Refuses stopped and (without --ignore-paused) paused containers in runc's
 * words; the work is rt_exec (core/runtime/exec.c). Failures: "exec failed: ...", 255. */
#include "common.h"
#include "lifecycle.h"
#include "runtime/exec.h"
#include "buf.h"
#include "fmt.h"
#include "process/pspec.h"
#include "sys/exe.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct xopts {
	const char *console_socket, *cwd, *user, *process, *pid_file, *process_label, *apparmor;
	struct strv env, gids, caps, cgroups;
	int tty, detach, no_new_privs, preserve_fds, ignore_paused;
};

static const struct opt tab[] = {
	OPT("console-socket", NULL, OPT_STR, struct xopts, console_socket, "value",
	    "path to an AF_UNIX socket which will receive a file descriptor referencing the "
	    "master end of the console's pseudoterminal"),
	OPT("cwd", NULL, OPT_STR, struct xopts, cwd, "value",
	    "current working directory in the container"),
	OPT("env", "e", OPT_STRV, struct xopts, env, "value", "set environment variables"),
	OPT("tty", "t", OPT_BOOL, struct xopts, tty, NULL, "allocate a pseudo-TTY"),
	OPT("user", "u", OPT_STR, struct xopts, user, "value",
	    "UID (format: <uid>[:<gid>])"),
	OPT("additional-gids", "g", OPT_STRV, struct xopts, gids, "value",
	    "additional gids"),
	OPT("process", "p", OPT_STR, struct xopts, process, "value",
	    "path to the process.json"),
	OPT("detach", "d", OPT_BOOL, struct xopts, detach, NULL,
	    "detach from the container's process"),
	OPT("pid-file", NULL, OPT_STR, struct xopts, pid_file, "value",
	    "specify the file to write the process id to"),
	OPT("process-label", NULL, OPT_STR, struct xopts, process_label, "value",
	    "set the asm process label for the process commonly used with selinux"),
	OPT("apparmor", NULL, OPT_STR, struct xopts, apparmor, "value",
	    "set the apparmor profile for the process"),
	OPT("no-new-privs", NULL, OPT_BOOL, struct xopts, no_new_privs, NULL,
	    "set the no new privileges value for the process"),
	OPT("cap", "c", OPT_STRV, struct xopts, caps, "value",
	    "add a capability to the bounding set for the process"),
	OPT("preserve-fds", NULL, OPT_INT, struct xopts, preserve_fds, "value",
	    "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in "
	    "total) (default: 0)"),
	OPT("cgroup", NULL, OPT_STRV, struct xopts, cgroups, "value",
	    "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>."),
	OPT("ignore-paused", NULL, OPT_BOOL, struct xopts, ignore_paused, NULL,
	    "allow exec in a paused container"),
};

static const struct applet_info info = {
	"exec", "execute new process inside the container",
	"[command options] <container-id> <command> [command options]  || -p process.json "
	"<container-id>\n\nWhere \"<container-id>\" is the name for the instance of the container "
	"and\n\"<command>\" is the command to be executed in the container.\n\"<command>\" can't "
	"be empty unless a \"-p\" flag provided.",
	"The exec command runs a new process in the container's namespaces, cgroups and\n"
	"security settings. In the foreground it forwards signals and exits with the\n"
	"process's status.",
	tab, sizeof tab / sizeof tab[0],
};

static int fail(struct err *e)
{
	err_wrap(e, "exec failed");
	report(e);
	return 255;
}

int exec_main(int argc, char **argv)
{
	struct xopts o = { 0 };
	struct rt_exec_opts xo = { 0 };
	struct state st;
	struct err e;
	const char *status;
	char **pos, cwd[4096];
	int npos, rc, rootfd = -1, dirfd = -1, sfd = -1;
	struct buf bad = BUF_INIT;
	size_t i, k;

	if (applet_args_verbatim(argc, argv, &info, &o, &pos, &npos, &rc))
		return rc;
	if (lc_nargs(&info, npos, 1, -1, &rc))
		return rc;
	/* CVE-2019-5736: the child runs this binary inside the container until its execve. */
	if (exe_reexec_sealed(&e) < 0)
		return fail(&e);
	/* urfave's Int64Slice parse error is a usage error (exit 1), before anything else. */
	for (i = 0; i < o.gids.n; i++) {
		char *end, *m;
		int a, short_form = 0;
		strtoll(o.gids.v[i], &end, 10);
		if (*o.gids.v[i] && !*end)
			continue;
		for (a = 1; a < argc; a++)
			if (!strcmp(argv[a], "-g") || !strncmp(argv[a], "-g=", 3))
				short_form = 1;
		m = fmt_alloc("invalid value \"%s\" for flag -%s: strconv.ParseInt: parsing \"%s\": "
			      "invalid syntax", o.gids.v[i], short_form ? "g" : "additional-gids",
			      o.gids.v[i]);
		rc = usage_error(&info, m);
		log_error("%s", m);
		free(m);
		return rc;
	}
	/* runc warns about unknown capabilities and goes on without them. */
	for (i = k = 0; i < o.caps.n; i++) {
		if (pspec_cap_number(o.caps.v[i]) >= 0) {
			o.caps.v[k++] = o.caps.v[i];
			continue;
		}
		buf_adds(&bad, bad.len ? " " : "");
		buf_adds(&bad, o.caps.v[i]);
	}
	o.caps.n = k;
	if (bad.len)
		log_warn("ignoring unknown or unavailable capabilities: [%s]", bad.p);
	buf_free(&bad);
	if (lc_load(pos[0], STATE_LOCK_SH, &rootfd, &dirfd, &st, &e) < 0) {
		rc = fail(&e);
		goto out;
	}
	status = lc_status(&st, dirfd, &e);
	if (!status) {
		rc = fail(&e);
		goto out;
	}
	if (!strcmp(status, "stopped")) {
		err_set(&e, 0, "cannot exec in a stopped container");
		rc = fail(&e);
		goto out;
	}
	if (!strcmp(status, "paused") && !o.ignore_paused) {
		err_set(&e, 0, "cannot exec in a paused container (use --ignore-paused to override)");
		rc = fail(&e);
		goto out;
	}
	if (!getcwd(cwd, sizeof cwd))
		cwd[0] = 0;
	xo.prog = g.prog;
	xo.process = o.process && *o.process ? o.process : NULL;
	xo.console_socket = o.console_socket;
	xo.pid_file = o.pid_file && *o.pid_file && o.pid_file[0] != '/'
			      ? fmt_alloc("%s/%s", cwd, o.pid_file) : o.pid_file;
	xo.cwd = o.cwd;
	xo.user = o.user;
	xo.process_label = o.process_label;
	xo.apparmor = o.apparmor;
	xo.env = o.env.v;
	xo.nenv = o.env.n;
	xo.caps = o.caps.v;
	xo.ncaps = o.caps.n;
	xo.gids = o.gids.v;
	xo.ngids = o.gids.n;
	xo.cgroups = o.cgroups.v;
	xo.ncgroups = o.cgroups.n;
	xo.args = (const char *const *)pos + 1;
	xo.nargs = (size_t)npos - 1;
	xo.tty = o.tty;
	xo.detach = o.detach;
	xo.no_new_privs = o.no_new_privs;
	xo.preserve_fds = o.preserve_fds;
	if (!o.detach) {
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		sfd = signalfd(-1, &all, SFD_CLOEXEC);
		if (sfd < 0) {
			err_sys(&e, "signalfd");
			rc = fail(&e);
			goto out;
		}
	}
	/* The state lock is not held while the process runs: kill, pause, delete go on. */
	rc = rt_exec(&xo, dirfd, &st, sfd, &e);
	if (rc < 0)
		rc = fail(&e);
out:
	if (sfd >= 0)
		close(sfd);
	lc_close(rootfd, dirfd, &st);
	strv_free(&o.env);
	strv_free(&o.gids);
	strv_free(&o.caps);
	strv_free(&o.cgroups);
	return rc;
}
