/* pspec: process and linux extras from config.json (see pspec.h). */
#include "process/pspec.h"
#include "buf.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>

const char *const pspec_capset_names[CAPSET_N] = { "bounding", "effective", "inheritable",
						   "permitted", "ambient" };

static const char *const capnames[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
	"SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",
	"NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE",
	"SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
	"SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
	"MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
	"PERFMON", "BPF", "CHECKPOINT_RESTORE",
};
#define NCAPS (int)(sizeof capnames / sizeof capnames[0])

int pspec_cap_number(const char *name)
{
	int i;
	if (strncmp(name, "CAP_", 4))
		return -1;
	for (i = 0; i < NCAPS; i++)
		if (!strcmp(name + 4, capnames[i]))
			return i;
	return -1;
}

const char *pspec_cap_name(int n)
{
	return n >= 0 && n < NCAPS ? capnames[n] : NULL;
}

static const struct { const char *name; int res; } rlims[] = {
	{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

int pspec_rlimit_number(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof rlims / sizeof rlims[0]; i++)
		if (!strcmp(name, rlims[i].name))
			return rlims[i].res;
	return -1;
}

/* An array of strings at member key of obj into *out (NULL-terminated heap array). */
static int strarr(const struct json_doc *d, int obj, const char *key, const char ***out,
		  size_t *n, struct err *e)
{
	int a = json_opt_arr(d, obj, key, e), i;
	size_t k = 0;
	if (a == -2)
		return -1;
	if (a < 0)
		return 0;
	*out = xcalloc((size_t)d->t[a].n + 1, sizeof **out);
	json_for_each(d, a, i) {
		if (json_str(d, i, &(*out)[k], e) < 0)
			return -1;
		k++;
	}
	*n = k;
	return 0;
}

static int load_caps(struct pspec *p, const struct json_doc *d, int proc, struct err *e)
{
	int c = json_opt_obj(d, proc, "capabilities", e), k, i;
	if (c == -2)
		return -1;
	if (c < 0)
		return 0;
	p->has_caps = 1;
	for (k = 0; k < CAPSET_N; k++) {
		int a = json_opt_arr(d, c, pspec_capset_names[k], e);
		if (a == -2)
			return -1;
		if (a < 0)
			continue;
		json_for_each(d, a, i) {
			const char *name;
			int n;
			if (json_str(d, i, &name, e) < 0)
				return -1;
			/* Unknown or unavailable capabilities are ignored, as runc 1.1 does. */
			n = pspec_cap_number(name);
			if (n >= 0)
				p->caps[k] |= 1ull << n;
		}
	}
	return 0;
}

static int load_rlimits(struct pspec *p, const struct json_doc *d, int proc, struct err *e)
{
	int a = json_opt_arr(d, proc, "rlimits", e), i;
	if (a == -2)
		return -1;
	if (a < 0)
		return 0;
	p->rlimits = xcalloc((size_t)d->t[a].n + 1, sizeof *p->rlimits);
	json_for_each(d, a, i) {
		struct pspec_rlimit *r = &p->rlimits[p->nrlimits];
		const char *type;
		if (json_expect(d, i, JSON_OBJ, e) < 0 || json_req_str(d, i, "type", &type, e) < 0 ||
		    json_opt_u64(d, i, "soft", &r->soft, e) < 0 ||
		    json_opt_u64(d, i, "hard", &r->hard, e) < 0)
			return -1;
		r->resource = pspec_rlimit_number(type);
		if (r->resource < 0)
			return json_err(d, json_get(d, i, "type"), e, "unknown rlimit type %s", type);
		p->nrlimits++;
	}
	return 0;
}

static int load_user(struct pspec *p, const struct json_doc *d, int proc, struct err *e)
{
	int u = json_opt_obj(d, proc, "user", e), a, i;
	uint64_t v;
	if (u == -2)
		return -1;
	if (u < 0)
		return 0;
	v = 0;
	if (json_get(d, u, "umask") >= 0 && d->t[json_get(d, u, "umask")].type != JSON_NULL) {
		if (json_opt_u64(d, u, "umask", &v, e) < 0)
			return -1;
		p->has_umask = 1;
		p->umask = (uint32_t)v & 0777;
	}
	a = json_opt_arr(d, u, "additionalGids", e);
	if (a == -2)
		return -1;
	if (a >= 0) {
		p->gids = xcalloc((size_t)d->t[a].n + 1, sizeof *p->gids);
		json_for_each(d, a, i) {
			if (json_u64(d, i, &v, e) < 0)
				return -1;
			if (v > 0xffffffffu)
				return json_err(d, i, e, "gid out of range");
			p->gids[p->ngids++] = (uint32_t)v;
		}
	}
	return 0;
}

static int load_linux(struct pspec *p, const struct json_doc *d, struct err *e)
{
	int l = json_opt_obj(d, 0, "linux", e), o, i;
	if (l == -2)
		return -1;
	if (l < 0)
		return 0;
	o = json_opt_obj(d, l, "sysctl", e);
	if (o == -2)
		return -1;
	if (o >= 0) {
		p->sysctl = xcalloc((size_t)d->t[o].n + 1, sizeof *p->sysctl);
		json_for_each(d, o, i) {
			p->sysctl[p->nsysctl].key = d->t[i].key;
			if (json_str(d, i, &p->sysctl[p->nsysctl].value, e) < 0)
				return -1;
			p->nsysctl++;
		}
	}
	o = json_opt_obj(d, l, "personality", e);
	if (o == -2)
		return -1;
	if (o >= 0) {
		const char *dom;
		if (json_req_str(d, o, "domain", &dom, e) < 0)
			return -1;
		if (!strcmp(dom, "LINUX"))
			p->personality = PER_LINUX;
		else if (!strcmp(dom, "LINUX32"))
			p->personality = PER_LINUX32;
		else
			return json_err(d, json_get(d, o, "domain"), e,
					"only the LINUX and LINUX32 personality domains are supported");
		p->has_personality = 1;
	}
	o = json_opt_obj(d, l, "timeOffsets", e);
	if (o == -2)
		return -1;
	if (o >= 0) {
		int m = json_opt_obj(d, o, "monotonic", e), b = json_opt_obj(d, o, "boottime", e);
		if (m == -2 || b == -2)
			return -1;
		p->has_timens = 1;
		if (m >= 0 && (json_opt_i64(d, m, "secs", &p->mono_s, e) < 0 ||
			       json_opt_i64(d, m, "nanosecs", &p->mono_ns, e) < 0))
			return -1;
		if (b >= 0 && (json_opt_i64(d, b, "secs", &p->boot_s, e) < 0 ||
			       json_opt_i64(d, b, "nanosecs", &p->boot_ns, e) < 0))
			return -1;
	}
	return 0;
}

int pspec_load(struct pspec *p, const struct spec *s, struct err *e)
{
	const struct json_doc *d = &s->doc;
	int proc, c;
	int64_t oom;

	memset(p, 0, sizeof *p);
	if (json_opt_str(d, 0, "domainname", &p->domainname, e) < 0)
		goto fail;
	proc = json_opt_obj(d, 0, "process", e);
	if (proc == -2)
		goto fail;
	if (proc >= 0) {
		if (strarr(d, proc, "env", &p->env, &p->nenv, e) < 0 ||
		    load_caps(p, d, proc, e) < 0 || load_rlimits(p, d, proc, e) < 0 ||
		    load_user(p, d, proc, e) < 0 ||
		    json_opt_bool(d, proc, "noNewPrivileges", &p->nnp, e) < 0 ||
		    json_opt_str(d, proc, "apparmorProfile", &p->apparmor, e) < 0 ||
		    json_opt_str(d, proc, "selinuxLabel", &p->selinux, e) < 0)
			goto fail;
		if (json_get(d, proc, "oomScoreAdj") >= 0 &&
		    d->t[json_get(d, proc, "oomScoreAdj")].type != JSON_NULL) {
			if (json_opt_i64(d, proc, "oomScoreAdj", &oom, e) < 0)
				goto fail;
			p->has_oom = 1;
			p->oom_score_adj = (int)oom;
		}
		c = json_opt_obj(d, proc, "consoleSize", e);
		if (c == -2)
			goto fail;
		if (c >= 0) {
			uint64_t h = 0, w = 0;
			if (json_opt_u64(d, c, "height", &h, e) < 0 ||
			    json_opt_u64(d, c, "width", &w, e) < 0)
				goto fail;
			p->console_h = (unsigned)h;
			p->console_w = (unsigned)w;
		}
		if (p->apparmor && !*p->apparmor)
			p->apparmor = NULL;
		if (p->selinux && !*p->selinux)
			p->selinux = NULL;
	}
	if (load_linux(p, d, e) < 0)
		goto fail;
	return 0;
fail:
	pspec_free(p);
	return -1;
}

void pspec_free(struct pspec *p)
{
	free(p->env);
	free(p->rlimits);
	free(p->gids);
	free(p->sysctl);
	memset(p, 0, sizeof *p);
}

static int is_ipc_sysctl(const char *k)
{
	static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
					   "kernel.sem", "kernel.shmall", "kernel.shmmax",
					   "kernel.shmmni", "kernel.shm_rmid_forced" };
	size_t i;
	for (i = 0; i < sizeof ipc / sizeof ipc[0]; i++)
		if (!strcmp(k, ipc[i]))
			return 1;
	return !strncmp(k, "fs.mqueue.", 10);
}

int pspec_sysctl_check(const struct pspec *p, const struct spec *s, struct err *e)
{
	size_t i;
	for (i = 0; i < p->nsysctl; i++) {
		const char *k = p->sysctl[i].key;
		if (is_ipc_sysctl(k)) {
			if (!spec_has_ns(s, "ipc"))
				return err_set(e, EINVAL, "sysctl \"%s\" is not allowed in the hosts ipc namespace", k);
			continue;
		}
		if (!strncmp(k, "net.", 4)) {
			if (!spec_has_ns(s, "network"))
				return err_set(e, EINVAL, "sysctl \"%s\" is not allowed in the hosts network namespace", k);
			continue;
		}
		if (!strcmp(k, "kernel.domainname")) {
			if (!spec_has_ns(s, "uts"))
				return err_set(e, EINVAL, "sysctl \"%s\" is not allowed in the hosts uts namespace", k);
			continue;
		}
		if (!strcmp(k, "kernel.hostname"))
			return err_set(e, EINVAL, "sysctl \"%s\" is not allowed as it conflicts with the OCI \"hostname\" field", k);
		if (!strncmp(k, "user.", 5)) {
			if (!spec_has_ns(s, "user"))
				return err_set(e, EINVAL, "sysctl \"%s\" is not allowed in the hosts user namespace", k);
			continue;
		}
		return err_set(e, EINVAL, "sysctl \"%s\" is not in a separate kernel namespace", k);
	}
	return 0;
}
