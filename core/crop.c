/* crop: shared CRIU option building for checkpoint and restore (see crop.h). */
#include "crop.h"
#include "buf.h"
#include "cgroup/cgroup.h"
#include "fmt.h"
#include "fsutil.h"
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int crop_cg_mode(CriuOpts *o, const char *mode, struct err *e)
{
	static const struct { const char *s; CriuCgMode m; } t[] = {
		{ "", CRIU_CG_MODE__DEFAULT }, { "soft", CRIU_CG_MODE__SOFT },
		{ "full", CRIU_CG_MODE__FULL }, { "strict", CRIU_CG_MODE__STRICT },
		{ "ignore", CRIU_CG_MODE__IGNORE },
	};
	size_t i;
	if (!mode)
		mode = "";
	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(mode, t[i].s)) {
			o->manage_cgroups = 1;
			o->has_manage_cgroups = 1;
			o->manage_cgroups_mode = t[i].m;
			o->has_manage_cgroups_mode = 1;
			return 0;
		}
	return err_set(e, 0, "invalid manage-cgroups-mode value \"%s\" "
			     "(use soft, full, strict or ignore)", mode);
}

int crop_empty_ns(CriuOpts *o, const struct strv *ns, struct err *e)
{
	size_t i;
	for (i = 0; ns && i < ns->n; i++)
		if (strcmp(ns->v[i], "network"))
			return err_set(e, 0, "namespace \"%s\" is not supported", ns->v[i]);
	o->empty_ns = CLONE_NEWNET;
	o->has_empty_ns = 1;
	return 0;
}

int crop_network_lock(CriuOpts *o, const char *how, int criu_version, struct err *e)
{
	CriuNetworkLockMethod m;
	if (!how)
		return 0;
	if (!strcmp(how, "iptables"))
		m = CRIU_NETWORK_LOCK_METHOD__IPTABLES;
	else if (!strcmp(how, "nftables"))
		m = CRIU_NETWORK_LOCK_METHOD__NFTABLES;
	else if (!strcmp(how, "skip"))
		m = CRIU_NETWORK_LOCK_METHOD__SKIP;
	else
		return err_set(e, 0, "invalid --network-lock value \"%s\" (use iptables, nftables or "
				     "skip)", how);
	if (criu_version < 31600)
		return err_set(e, 0, "--network-lock requires at least CRIU 3.16");
	o->network_lock = m;
	o->has_network_lock = 1;
	return 0;
}

int crop_base(CriuOpts *o, const struct crop_base *b, const char *log_file, int criu_version,
	      struct err *e)
{
	o->has_log_level = 1;
	o->log_level = 4;
	o->log_file = (char *)log_file;
	o->has_notify_scripts = o->notify_scripts = 1;
	o->has_orphan_pts_master = o->orphan_pts_master = 1;
	o->has_shell_job = 1;
	o->shell_job = b->shell_job;
	o->has_ext_unix_sk = 1;
	o->ext_unix_sk = b->ext_unix_sk;
	o->has_tcp_established = 1;
	o->tcp_established = b->tcp_established;
	o->has_file_locks = 1;
	o->file_locks = b->file_locks;
	o->has_auto_dedup = 1;
	o->auto_dedup = b->auto_dedup;
	o->has_lazy_pages = 1;
	o->lazy_pages = b->lazy_pages;
	if (crop_cg_mode(o, b->manage_cgroups_mode, e) < 0 || crop_empty_ns(o, b->empty_ns, e) < 0)
		return -1;
	return crop_network_lock(o, b->network_lock, criu_version, e);
}

const char *crop_config_file(const struct state *st)
{
	const char *a = state_kv_get(st->annotations, st->nannotations, "org.criu.config");
	if (a)
		return *a ? a : NULL;
	if (access("/etc/criu/crbox.conf", F_OK) == 0)
		return "/etc/criu/crbox.conf";
	return "/etc/criu/runc.conf";
}

static const char *const default_devices[] = {
	"/dev/null", "/dev/random", "/dev/full", "/dev/tty", "/dev/zero", "/dev/urandom",
};

static int has_cgroupns(const struct state *st)
{
	size_t i;
	for (i = 0; i < st->nnamespaces; i++)
		if (!strcmp(st->namespaces[i].type, "cgroup"))
			return 1;
	return 0;
}

static int cgroup_mounts(CriuOpts *o, const char *dest, int restore, struct err *e)
{
	struct cgroup_layout l = { 0 };
	struct cgroup_self own = { 0 };
	struct cgroup_kvs kv = { 0 };
	size_t i;
	int rc = -1;

	if (cgroup_layout(&l, e) < 0)
		return -1;
	if (l.mode == CGROUP_V2) {
		rc = 0;
		goto out;
	}
	if (restore && cgroup_self_paths(0, &own, e) < 0)
		goto out;
	if (cgroup_v1_ext_mounts(&l, restore ? &own : NULL, dest, &kv, e) < 0)
		goto out;
	for (i = 0; i < kv.n; i++)
		swrk_opts_add_ext_mnt(o, kv.v[i].key, kv.v[i].val);
	rc = 0;
out:
	cgroup_kvs_free(&kv);
	cgroup_self_free(&own);
	cgroup_layout_free(&l);
	return rc;
}

int crop_ext_mounts(CriuOpts *o, const struct state *st, const char *rootfs, int restore,
		    pid_t init, struct err *e)
{
	size_t i;
	int keys = restore;

	restore &= CROP_RESTORE;
	for (i = 0; i < st->nmounts; i++) {
		const struct state_mount *m = &st->mounts[i];
		if (m->bind) {
			char *inner = NULL;
			if (fs_securejoin(rootfs, m->destination, NULL, &inner, e) < 0)
				return err_wrap(e, "resolve mount destination %s", m->destination);
			swrk_opts_add_ext_mnt(o, inner, restore ? m->source : inner);
			free(inner);
		} else if (!strcmp(m->type, "cgroup") && !has_cgroupns(st)) {
			if (cgroup_mounts(o, m->destination, restore, e) < 0)
				return err_wrap(e, "cgroup mount %s", m->destination);
		}
	}
	if (restore) {
		if (st->nmasked_paths)
			swrk_opts_add_ext_mnt(o, "/dev/null", "/dev/null");
	} else {
		for (i = 0; i < st->nmasked_paths; i++) {
			struct stat sb;
			char *p = fmt_alloc("/proc/%d/root/%s", (int)init, st->masked_paths[i]);
			if (stat(p, &sb) == 0 && !S_ISDIR(sb.st_mode))
				swrk_opts_add_ext_mnt(o, st->masked_paths[i],
						      (keys & CROP_CRUN_KEYS) ? st->masked_paths[i]
									   : "/dev/null");
			free(p);
		}
	}
	for (i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
		swrk_opts_add_ext_mnt(o, default_devices[i], default_devices[i]);
	for (i = 0; i < st->ndevice_paths; i++)
		swrk_opts_add_ext_mnt(o, st->device_paths[i], st->device_paths[i]);
	return 0;
}

/* Go's net.SplitHostPort: 0 with host/port spans, or -1 for any of its errors. */
static int split_host_port(const char *hp, const char **h, size_t *hl, const char **p)
{
	const char *i = strrchr(hp, ':'), *end, *j = hp, *k = hp;

	if (!i)
		return -1;                          /* missing port */
	if (hp[0] == '[') {
		end = strchr(hp, ']');
		if (!end || end + 1 != i)
			return -1;                  /* missing ']', missing port, too many colons */
		*h = hp + 1;
		*hl = (size_t)(end - hp - 1);
		j = hp + 1;
		k = end + 1;
	} else {
		*h = hp;
		*hl = (size_t)(i - hp);
		if (memchr(hp, ':', *hl))
			return -1;                  /* too many colons */
	}
	if (strchr(j, '[') || strchr(k, ']'))
		return -1;                          /* unexpected '[' or ']' */
	*p = i + 1;
	return 0;
}

/* strconv.Atoi in base 10: optional sign, digits, within int64. */
static int go_atoi(const char *s, long long *out)
{
	unsigned long long v = 0, lim;
	int neg = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return -1;
	lim = neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)INT64_MAX;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (lim - (unsigned)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

int crop_page_server(CriuOpts *o, const char *arg, struct err *e)
{
	const char *h, *p;
	size_t hl;
	long long port;

	if (split_host_port(arg, &h, &hl, &p) < 0 || !hl || !*p)
		return err_set(e, 0, "Use --page-server ADDRESS:PORT to specify page server");
	if (go_atoi(p, &port) < 0)
		return err_set(e, 0, "Invalid port number");
	if ((int32_t)(uint32_t)(unsigned long long)port == 0)
		return 0;
	o->ps = xcalloc(1, sizeof *o->ps);
	criu_page_server_info__init(o->ps);
	o->ps->address = xstrndup(h, hl);
	o->ps->has_port = 1;
	o->ps->port = (int32_t)(uint32_t)(unsigned long long)port;
	return 0;
}

void crop_page_server_free(CriuOpts *o)
{
	if (!o->ps)
		return;
	free(o->ps->address);
	free(o->ps);
	o->ps = NULL;
}
