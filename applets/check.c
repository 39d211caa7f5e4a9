/* check: a preflight report on whether checkpoint/restore can work on this host: criu found
 * and new enough (asked over RPC, floor 3.15 as runc's effective one), its FEATURE_CHECK
 * answers, privileges, kernel prerequisites (ns_last_pid, kernel config options), the cgroup
 * layout and the network-lock tools. crbox's own applet (runc has none); exit 0 unless a FAIL. */
#include "common.h"
#include "archive/preflight.h"
#include "buf.h"
#include "criu.h"
#include "fmt.h"
#include "jsonw.h"
#include "process/lsm.h"
#include "sys/arch.h"
#include "sys/spawn.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

enum { ST_OK, ST_WARN, ST_FAIL };
static const char *const stname[] = { "OK", "WARN", "FAIL" };

struct row {
	char *name, *detail, *hint;
	int st;
};

struct rows {
	struct row *v;
	size_t n;
	int fails;
};

static __attribute__((format(printf, 5, 6)))
void add(struct rows *r, int st, const char *name, const char *hint, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	struct row *w;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	w = &r->v[r->n++];
	w->st = st;
	w->name = xstrdup(name);
	w->detail = b.p ? buf_take(&b) : xstrdup("");
	w->hint = hint && *hint ? xstrdup(hint) : NULL;
	if (st == ST_FAIL)
		r->fails++;
}

/* ---- architecture ---- */

/* Whether CRIU has a port for the running kernel's architecture (uname -m, which is what
 * matters: CRIU runs natively there, whatever crbox was built for). */
static void check_arch(struct rows *r)
{
	struct utsname u;
	const struct arch *self = arch_self(), *host;

	if (uname(&u) < 0) {
		add(r, ST_WARN, "architecture", NULL, "uname: %s (crbox built for %s)",
		    strerror(errno), self->name);
		return;
	}
	host = arch_find(u.machine);
	if (!host)
		add(r, ST_WARN, "architecture", "CRIU 4.1.1 has ports for x86_64, aarch64, arm and "
		    "riscv64", "%s is not an architecture crbox knows (crbox built for %s)",
		    u.machine, self->name);
	else if (!host->criu)
		add(r, ST_FAIL, "architecture", "the runtime applets work here; checkpoint and "
		    "restore need an x86_64, aarch64, arm or riscv64 kernel",
		    "%s: CRIU has no port for it (crbox built for %s)", host->name, self->name);
	else
		add(r, ST_OK, "architecture", NULL, "%s: CRIU has a port (crbox built for %s)",
		    host->name, self->name);
}

/* ---- criu ---- */

static void check_criu(struct rows *r)
{
	struct swrk_version v;
	struct swrk_features f;
	struct err e;
	char *path = swrk_find(g.criu, &e);

	if (!path) {
		add(r, ST_FAIL, "criu", "install CRIU 3.15 or later, or pass --criu PATH", "%s", e.msg);
		return;
	}
	add(r, ST_OK, "criu", NULL, "%s", path);
	log_debug("check: asking %s for VERSION", path);
	if (swrk_version(path, &v, &e) < 0) {
		add(r, ST_FAIL, "criu version", !strncmp(e.msg, "criu too old", 12)
		    ? "upgrade CRIU to 3.15 or later" : "`criu swrk` did not answer a VERSION request",
		    "%s", e.msg);
		free(path);
		return;
	}
	if (swrk_version_require(&v, SWRK_MIN_VERSION, NULL, &e) < 0) {
		add(r, ST_FAIL, "criu version", "upgrade CRIU to 3.15 or later", "%s", e.msg);
		free(path);
		return;
	}
	add(r, ST_OK, "criu version", NULL, "%d.%d.%d%s%s (%d, minimum 3.15.0)", v.major, v.minor,
	    v.sublevel, v.gitid[0] ? " git " : "", v.gitid, v.num);
	if (v.num < 31600)
		add(r, ST_WARN, "criu lsm options", "upgrade CRIU to 3.16 for these options",
		    "--lsm-profile and --lsm-mount-context need CRIU 3.16");
	if (swrk_features(path, NULL, &f, &e) < 0) {
		add(r, ST_WARN, "criu features", "optional features are assumed missing",
		    "%s", e.msg);
		free(path);
		return;
	}
	add(r, f.mem_track ? ST_OK : ST_WARN, "feature mem_track",
	    f.mem_track ? NULL : "--pre-dump and --parent-path tracking unavailable (no soft-dirty)",
	    f.mem_track ? "supported" : "not supported");
	add(r, f.lazy_pages ? ST_OK : ST_WARN, "feature lazy_pages",
	    f.lazy_pages ? NULL : "--lazy-pages unavailable (no userfaultfd)",
	    f.lazy_pages ? "supported" : "not supported");
	add(r, f.pidfd_store ? ST_OK : ST_WARN, "feature pidfd_store",
	    f.pidfd_store ? NULL : "only CRIU's own iterative pre-dumps use it; crbox does not",
	    f.pidfd_store ? "supported" : "not supported");
	free(path);
}

/* ---- privileges ---- */

static int read_small(const char *path, char *b, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, t = 0;
	if (fd < 0)
		return -1;
	while (t < (ssize_t)cap - 1 && (n = read(fd, b + t, cap - 1 - (size_t)t)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		t += n;
	}
	close(fd);
	b[t] = 0;
	return (int)t;
}

static void check_privileges(struct rows *r)
{
	char b[4096], *p;
	unsigned long long cap = 0;
	int last = 40, have_admin, have_cr;
	uid_t uid = geteuid();

	if (read_small("/proc/sys/kernel/cap_last_cap", b, sizeof b) > 0)
		parse_int(strtok(b, "\n"), &last);
	if (read_small("/proc/self/status", b, sizeof b) < 0 || !(p = strstr(b, "\nCapEff:"))) {
		add(r, uid == 0 ? ST_WARN : ST_FAIL, "privileges", "run as root",
		    "uid %u; cannot read CapEff from /proc/self/status", (unsigned)uid);
		return;
	}
	for (p += 8; *p == '\t' || *p == ' '; p++)
		;
	for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
		cap = cap * 16 + (unsigned)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
	have_admin = !!(cap & (1ULL << 21));
	/* CAP_CHECKPOINT_RESTORE (40) exists since Linux 5.9; before, CAP_SYS_ADMIN covers it. */
	have_cr = last < 40 || (cap & (1ULL << 40));
	if (have_admin && have_cr)
		add(r, ST_OK, "privileges", NULL, "%s%u, CAP_SYS_ADMIN%s effective",
		    uid == 0 ? "root, uid " : "uid ", (unsigned)uid,
		    last < 40 ? "" : " and CAP_CHECKPOINT_RESTORE");
	else
		add(r, ST_FAIL, "privileges", "run crbox as root",
		    "uid %u without %s%s%s (CapEff %lx)", (unsigned)uid,
		    have_admin ? "" : "CAP_SYS_ADMIN", !have_admin && !have_cr ? " and " : "",
		    have_cr ? "" : "CAP_CHECKPOINT_RESTORE", (unsigned long)cap);
}

/* ---- kernel ---- */

/* Runs `zcat file` and collects its output (up to 8 MiB). 0 or -1. */
static int zcat(const char *zc, const char *file, struct buf *out)
{
	char *argv[] = { "zcat", (char *)file, NULL };
	struct spawn sp = { 0 };
	struct err e;
	int p[2], st;
	char chunk[8192];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	{
		int fds[3] = { -1, p[1], -1 };
		sp.path = zc;
		sp.argv = argv;
		sp.fds = fds;
		sp.nfds = 3;
		if (spawn_exec(&sp, &e) < 0) {
			close(p[0]);
			close(p[1]);
			return -1;
		}
	}
	close(p[1]);
	while ((n = read(p[0], chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (out->len < (8u << 20))
			buf_add(out, chunk, (size_t)n);
	}
	close(p[0]);
	while (waitpid(sp.pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && out->len ? 0 : -1;
}

/* 'y', 'm', another first letter of the value, or 'n' when absent/not set. */
static char kconfig(const char *cfg, const char *opt)
{
	size_t l = strlen(opt);
	const char *p = cfg;
	while ((p = strstr(p, opt))) {
		if ((p == cfg || p[-1] == '\n') && p[l] == '=')
			return p[l + 1];
		p += l;
	}
	return 'n';
}

static const struct {
	const char *opt;
	int need;          /* 1: FAIL when missing, 0: WARN */
	const char *hint;
} kopts[] = {
	{ "CONFIG_CHECKPOINT_RESTORE", 1, "CRIU cannot work without it" },
	{ "CONFIG_NAMESPACES", 1, "containers need namespaces" },
	{ "CONFIG_PID_NS", 1, "containers need pid namespaces" },
	{ "CONFIG_NET_NS", 1, "containers need network namespaces" },
	{ "CONFIG_UNIX_DIAG", 1, "CRIU cannot dump unix sockets" },
	{ "CONFIG_INET_DIAG", 1, "CRIU cannot dump TCP/UDP sockets" },
	{ "CONFIG_PACKET_DIAG", 1, "CRIU cannot dump packet sockets" },
	{ "CONFIG_NETLINK_DIAG", 1, "CRIU cannot dump netlink sockets" },
	{ "CONFIG_MEM_SOFT_DIRTY", 0, "no memory tracking: --pre-dump unavailable" },
	{ "CONFIG_USERFAULTFD", 0, "--lazy-pages unavailable" },
};

static void check_kernel(struct rows *r)
{
	struct buf cfg = BUF_INIT;
	struct utsname u;
	char boot[sizeof u.release + 16];
	const char *src = NULL;
	size_t i;

	if (access("/proc/sys/kernel/ns_last_pid", F_OK) == 0)
		add(r, ST_OK, "ns_last_pid", NULL, "/proc/sys/kernel/ns_last_pid present");
	else
		add(r, ST_FAIL, "ns_last_pid", "the kernel lacks CONFIG_CHECKPOINT_RESTORE",
		    "/proc/sys/kernel/ns_last_pid missing");

	boot[0] = 0;
	if (uname(&u) == 0)
		fmt_sn(boot, sizeof boot, "/boot/config-%s", u.release);
	if (access("/proc/config.gz", R_OK) == 0) {
		char *zc = swrk_which("zcat");
		if (!zc) {
			add(r, ST_WARN, "kernel config", "kernel options not checked",
			    "cannot read /proc/config.gz: no zcat in PATH");
		} else if (zcat(zc, "/proc/config.gz", &cfg) < 0) {
			add(r, ST_WARN, "kernel config", "kernel options not checked",
			    "cannot read /proc/config.gz: %s failed", zc);
		} else {
			src = "/proc/config.gz";
		}
		free(zc);
	}
	if (!src && boot[0] && access(boot, R_OK) == 0) {
		int fd = open(boot, O_RDONLY | O_CLOEXEC);
		char chunk[8192];
		ssize_t n;
		buf_reset(&cfg);
		while (fd >= 0 && (n = read(fd, chunk, sizeof chunk)) > 0)
			buf_add(&cfg, chunk, (size_t)n);
		if (fd >= 0)
			close(fd);
		if (cfg.len)
			src = boot;
	}
	if (!src) {
		if (!r->n || strcmp(r->v[r->n - 1].name, "kernel config"))
			add(r, ST_WARN, "kernel config", "kernel options not checked",
			    "neither /proc/config.gz nor %s is readable", boot[0] ? boot : "/boot/config-*");
		buf_free(&cfg);
		return;
	}
	add(r, ST_OK, "kernel config", NULL, "read from %s", src);
	for (i = 0; i < sizeof kopts / sizeof kopts[0]; i++) {
		char v = kconfig(cfg.p, kopts[i].opt);
		if (v == 'y' || v == 'm')
			add(r, ST_OK, kopts[i].opt, NULL, "%s", v == 'y' ? "y" : "m (module)");
		else
			add(r, kopts[i].need ? ST_FAIL : ST_WARN, kopts[i].opt, kopts[i].hint,
			    "not set");
	}
	buf_free(&cfg);
}

/* ---- cgroups ---- */

static const char *const v1ctrl[] = {
	"blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "hugetlb", "memory", "misc",
	"net_cls", "net_prio", "perf_event", "pids", "rdma",
};

/* Splits a mountinfo line into fields; returns the field count (up to max). */
static int fields(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	while (*p && n < max) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		f[n++] = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = 0;
	}
	return n;
}

static void check_cgroups(struct rows *r)
{
	struct buf mi = BUF_INIT, ctrls = BUF_INIT, v2 = BUF_INIT;
	char chunk[8192], *line, *next, *f[32];
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC), nf, i, j, v1 = 0,
	    freezer = 0;
	ssize_t n;

	if (fd < 0) {
		add(r, ST_FAIL, "cgroups", NULL, "cannot read /proc/self/mountinfo");
		return;
	}
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&mi, chunk, (size_t)n);
	close(fd);
	for (line = mi.p; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		nf = fields(line, f, 32);
		for (i = 6; i < nf && strcmp(f[i], "-"); i++)
			;
		if (i + 3 >= nf)
			continue;
		if (!strcmp(f[i + 1], "cgroup2")) {
			if (!v2.len)
				buf_adds(&v2, f[4]);
			continue;
		}
		if (strcmp(f[i + 1], "cgroup"))
			continue;
		/* v1: the controllers are among the super options ("rw,cpu,cpuacct"). */
		for (char *o = strtok(f[i + 3], ","); o; o = strtok(NULL, ",")) {
			for (j = 0; j < (int)(sizeof v1ctrl / sizeof v1ctrl[0]); j++) {
				if (strcmp(o, v1ctrl[j]))
					continue;
				char pat[32];
				fmt_sn(pat, sizeof pat, ",%s,", o);
				if (ctrls.p && strstr(ctrls.p, pat))
					break;
				if (!ctrls.len)
					buf_addc(&ctrls, ',');
				buf_adds(&ctrls, o);
				buf_addc(&ctrls, ',');
				v1 = 1;
				if (!strcmp(o, "freezer"))
					freezer = 1;
			}
		}
	}
	if (ctrls.len) {
		/* ",a,b," -> "a,b" */
		ctrls.p[ctrls.len - 1] = 0;
		memmove(ctrls.p, ctrls.p + 1, ctrls.len - 1);
	}
	if (v1 && v2.len)
		add(r, ST_OK, "cgroups", NULL, "hybrid: v1 controllers %s; cgroup2 at %s",
		    ctrls.p, v2.p);
	else if (v1)
		add(r, ST_OK, "cgroups", NULL, "v1: controllers %s", ctrls.p);
	else if (v2.len)
		add(r, ST_OK, "cgroups", NULL, "v2: unified at %s", v2.p);
	else
		add(r, ST_FAIL, "cgroups", "mount cgroupfs (v1 or v2)", "no cgroup filesystem mounted");
	if (v1 && !freezer)
		add(r, ST_WARN, "cgroup freezer", "checkpoint cannot freeze the container first",
		    "no v1 freezer controller mounted");
	buf_free(&mi);
	buf_free(&ctrls);
	buf_free(&v2);
}

/* ---- network lock ---- */

/* ---- LSMs (for apparmorProfile / selinuxLabel) ---- */

static void check_lsm(struct rows *r)
{
	struct lsm_info li;
	lsm_probe("", &li);
	add(r, ST_OK, "lsm", NULL, "AppArmor %s, SELinux %s%s%s%s", li.apparmor ? "enabled" : "no",
	    li.selinux ? "enabled" : "no", li.active[0] ? " (active: " : "", li.active,
	    li.active[0] ? ")" : "");
}

static void check_netlock(struct rows *r)
{
	char *ipt = swrk_which("iptables-restore"), *nft = swrk_which("nft");

	if (ipt)
		add(r, ST_OK, "network lock", NULL, "%s (CRIU's default method)%s%s", ipt,
		    nft ? "; nft at " : "", nft ? nft : "");
	else if (nft)
		add(r, ST_WARN, "network lock",
		    "CRIU defaults to iptables; set network-lock nftables in CRIU's configuration",
		    "no iptables-restore in PATH; nft at %s", nft);
	else
		add(r, ST_FAIL, "network lock",
		    "CRIU locks the container network with them during checkpoint and restore",
		    "neither iptables-restore nor nft in PATH");
	free(ipt);
	free(nft);
}

/* ---- output ---- */

struct check_opts {
	const char *format, *image_path, *import, *bundle;
};

static const struct opt check_tab[] = {
	OPT("format", "f", OPT_STR, struct check_opts, format, "value",
	    "select one of: text (default), json"),
	OPT("image-path", NULL, OPT_STR, struct check_opts, image_path, "DIR",
	    "check whether this host can restore the checkpoint in DIR"),
	OPT("import", NULL, OPT_STR, struct check_opts, import, "FILE",
	    "check whether this host can restore the checkpoint archive FILE"),
	OPT("bundle", "b", OPT_STR, struct check_opts, bundle, "DIR",
	    "with --image-path/--import: the bundle whose config.json restore would use"),
};

static const struct applet_info check_info = {
	.name = "check",
	.summary = "report whether checkpoint/restore can work on this host",
	.usage = "[command options]",
	.desc = "Checks that CRIU has a port for this machine's architecture, the criu\n"
		"   binary (found in PATH, or --criu) and its version over RPC\n"
		"   (3.15 or later), CRIU's optional features, privileges, kernel options, the\n"
		"   cgroup layout and the network-lock tools. One line per check:\n"
		"      OK   name: detail\n      WARN name: detail (hint)\n"
		"      FAIL name: detail (hint)\n"
		"   --format json prints an array of {name, status, detail, hint}.\n"
		"   With --image-path DIR or --import FILE, a dry run of that restore instead:\n"
		"   the images (an archive verified first), CRIU's version against the one that\n"
		"   wrote them, CRIU's CPUINFO_CHECK, kernel and cgroup layout against the source\n"
		"   host's, the config's bind sources and namespace paths, and free memory.\n"
		"   The exit status is 0 when nothing FAILs, 1 otherwise.",
	.tab = check_tab,
	.n = sizeof check_tab / sizeof check_tab[0],
};

int check_main(int argc, char **argv)
{
	struct check_opts o = { "text", NULL, NULL, NULL };
	struct rows r = { NULL, 0, 0 };
	struct buf out = BUF_INIT;
	char **pos;
	int npos, rc, json;
	size_t i;

	if (applet_args(argc, argv, &check_info, &o, NULL, &pos, &npos, 0, &rc))
		return rc;
	free(pos);
	if (strcmp(o.format, "text") && strcmp(o.format, "json")) {
		struct err e;
		err_set(&e, 0, "invalid format option: %s (use text or json)", o.format);
		report(&e);
		return 1;
	}
	json = !strcmp(o.format, "json");

	if (o.image_path || o.import) {
		struct pf_in in = { g.criu, o.image_path, o.import, o.bundle };
		struct pf pf = { 0 };
		struct err e;
		if (o.image_path && o.import) {
			err_set(&e, 0, "--image-path and --import cannot be used together");
			report(&e);
			return 1;
		}
		check_privileges(&r);
		preflight_image(&pf, &in, &e);
		for (i = 0; i < pf.n; i++)
			add(&r, pf.v[i].st, pf.v[i].name, pf.v[i].hint, "%s", pf.v[i].detail);
		pf_free(&pf);
	} else {
		check_arch(&r);
		check_criu(&r);
		check_privileges(&r);
		check_kernel(&r);
		check_cgroups(&r);
		check_netlock(&r);
		check_lsm(&r);
	}

	if (json) {
		struct jw w;
		jw_init(&w, &out, 2);
		jw_arr(&w);
		for (i = 0; i < r.n; i++) {
			jw_obj(&w);
			jw_kstr(&w, "name", r.v[i].name);
			jw_kstr(&w, "status", stname[r.v[i].st]);
			jw_kstr(&w, "detail", r.v[i].detail);
			jw_key(&w, "hint");
			if (r.v[i].hint)
				jw_str(&w, r.v[i].hint);
			else
				jw_null(&w);
			jw_end(&w);
		}
		jw_end(&w);
		buf_addc(&out, '\n');
	} else {
		for (i = 0; i < r.n; i++) {
			buf_addf(&out, "%-4s %s: %s", stname[r.v[i].st], r.v[i].name, r.v[i].detail);
			if (r.v[i].hint)
				buf_addf(&out, " (%s)", r.v[i].hint);
			buf_addc(&out, '\n');
		}
	}
	write_all(1, out.p, out.len);
	buf_free(&out);
	rc = r.fails ? 1 : 0;
	for (i = 0; i < r.n; i++) {
		free(r.v[i].name);
		free(r.v[i].detail);
		free(r.v[i].hint);
	}
	free(r.v);
	return rc;
}
