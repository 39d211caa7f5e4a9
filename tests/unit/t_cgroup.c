/* cgroup: layout parsing (v1, v2, hybrid tables and this host, checked against statfs as
 * runc decides), /proc/<pid>/cgroup parsing, runc's path derivation table, cg_root and v1
 * ext_mnt lists; as root, a real cgroup on this host: create, resources, enter, freeze,
 * thaw, pids (recursive), kill_all, remove with nothing left; and, when runc and busybox
 * are installed, the derived paths compared with a real `runc run -d` container's. */
#include "t.h"
#include "cgroup/cgroup.h"
#include "fsutil.h"
#include "proc.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define CGROUP2_MAGIC 0x63677270
#define TMPFS_MAGIC 0x01021994

static const char *hybrid_mi =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset,clone_children\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime shared:9 - cgroup cgroup rw,freezer\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
	"99 31 0:29 / /mnt/again\\040x rw,relatime - cgroup cgroup rw,cpuacct,cpu\n";

static const char *hybrid_self =
	"9:name=systemd:/user.slice/s\n"
	"5:devices:/user.slice\n"
	"4:memory:/process_api/abc\n"
	"3:cpuset:/\n"
	"2:cpu,cpuacct:/user.slice\n"
	"6:freezer:/\n"
	"0::/user.slice/s\n";

static const char *v2_mi =
	"25 1 0:22 / / rw - ext4 /dev/sda rw\n"
	"30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
static const char *v2_self = "0::/user.slice/user-0.slice/session-1.scope\n";

static const char *v1_mi =
	"40 31 0:37 /sub /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
	"41 31 0:38 /lxc/c1 /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	"42 31 0:39 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
static const char *v1_self =
	"3:pids:/p\n"
	"2:memory:/lxc/c1/inner\n"
	"1:name=systemd:/sub/x\n";

static void expect_path(const struct cgroup_paths *p, const char *key, const char *want,
			const char *what)
{
	char name[256];
	snprintf(name, sizeof name, "%s: [%s] = %s", what, key, want ? want : "(absent)");
	if (!want) {
		T_OK(cgroup_paths_get(p, key) == NULL, name);
		return;
	}
	T_STREQ(cgroup_paths_get(p, key), want, name);
}

static int derive(const char *mi, const char *self, const char *cgpath, const char *id,
		  struct cgroup_paths *out)
{
	struct cgroup_layout l;
	struct cgroup_self s;
	struct err e;
	int r;

	if (cgroup_layout_parse(&l, mi, &e) < 0 || cgroup_self_parse(&s, self, &e) < 0) {
		printf("#   %s\n", e.msg);
		return -1;
	}
	r = cgroup_derive(&l, &s, cgpath, id, out, &e);
	cgroup_self_free(&s);
	cgroup_layout_free(&l);
	return r;
}

static int exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static char *knob(const char *dir, const char *file)
{
	char path[1024], *s;
	struct err e;
	size_t n;
	snprintf(path, sizeof path, "%s/%s", dir, file);
	s = fs_read_str(path, 1 << 16, &e);
	if (!s)
		return strdup("(unreadable)");
	n = strlen(s);
	while (n && s[n - 1] == '\n')
		s[--n] = 0;
	return s;
}

static void knob_is(const char *dir, const char *file, const char *want, const char *name)
{
	char *v = knob(dir, file);
	T_STREQ(v, want, name);
	free(v);
}

static pid_t sleeper(void)
{
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	return c;
}

static void skip(const char *why)
{
	printf("ok %d - # SKIP %s\n", ++t_n, why);
}

/* Compares our derivation with a real runc container's state.json cgroup_paths. */
static void compare_with_runc(void)
{
	char dir[] = "/tmp/t_cgroup_runc.XXXXXX", cmd[2048], id[64], line[1024];
	struct cgroup_paths mine = { 0, 0 };
	struct err e;
	FILE *f;
	int n = 0, same = 1;

	if (system("command -v runc >/dev/null && command -v jq >/dev/null && "
		   "test -x /bin/busybox") != 0) {
		skip("runc, jq or /bin/busybox missing: no comparison with runc");
		return;
	}
	if (!mkdtemp(dir))
		return;
	snprintf(id, sizeof id, "crbox-tcg-%d", (int)getpid());
	snprintf(cmd, sizeof cmd,
		 "cd %s && mkdir -p rootfs/bin && cp /bin/busybox rootfs/bin/ && "
		 "ln -s busybox rootfs/bin/sleep && runc spec && "
		 "jq '.process.terminal=false | .process.args=[\"sleep\",\"1000\"]' config.json > c"
		 " && mv c config.json && runc run -d %s </dev/null >/dev/null 2>&1",
		 dir, id);
	if (!T_OK(system(cmd) == 0, "runc run -d a busybox container"))
		goto out;
	snprintf(cmd, sizeof cmd,
		 "jq -r '.cgroup_paths | to_entries[] | \"\\(.key)\\t\\(.value)\"' /run/runc/%s/state.json",
		 id);
	T_OK(cgroup_paths_for("", id, &mine, &e) == 0, "derive our paths for the same id");
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof line, f)) {
		char *eq = strchr(line, '\t'), *v;
		line[strcspn(line, "\n")] = 0;
		if (!eq)
			continue;
		*eq = 0;
		v = eq + 1;
		n++;
		if (!cgroup_paths_get(&mine, line) || strcmp(cgroup_paths_get(&mine, line), v)) {
			printf("#   runc [%s] = %s, ours %s\n", line, v,
			       cgroup_paths_get(&mine, line) ? cgroup_paths_get(&mine, line) : "(none)");
			same = 0;
		}
	}
	if (f)
		pclose(f);
	T_OK(n > 0 && same && (size_t)n == mine.n,
	     "our cgroup_paths equal runc's state.json cgroup_paths (keys and dirs)");
	cgroup_paths_free(&mine);
out:
	snprintf(cmd, sizeof cmd, "runc delete -f %s >/dev/null 2>&1; rm -rf %s", id, dir);
	(void)!system(cmd);
}

/* The v2 code paths on a real cgroup2 mount (the unified one on a hybrid host): a paths map
 * with only "" is treated as pure v2: create (controllers enabled in the parent, restored
 * afterwards), enter, cgroup.freeze / cgroup.events, pids, kill_all (cgroup.kill), remove. */
static void v2_real(void)
{
	struct cgroup_layout l;
	struct cgroup_paths p = { 0, 0 };
	struct err e;
	char dir[512], *before = NULL, *after, *tok, *sp;
	pid_t c, *pids = NULL;
	size_t n = 0;
	int status;

	if (cgroup_layout(&l, &e) < 0 || !l.unified) {
		skip("no cgroup2 mount: v2 code paths not exercised");
		cgroup_layout_free(&l);
		return;
	}
	snprintf(dir, sizeof dir, "%s/crbox-tcg2-%d", l.unified, (int)getpid());
	before = knob(l.unified, "cgroup.subtree_control");
	cgroup_paths_set(&p, "", dir);
	if (!T_OK(cgroup_create(&p, &e) == 0 && exists(dir) && p.v[0].created, "v2: create"))
		printf("#   %s\n", e.msg);
	c = sleeper();
	T_OK(cgroup_enter(&p, c, &e) == 0, "v2: enter a child");
	T_OK(cgroup_freeze(&p, &e) == 0, "v2: freeze");
	knob_is(dir, "cgroup.freeze", "1", "  cgroup.freeze is 1");
	{
		char *ev = knob(dir, "cgroup.events");
		T_OK(strstr(ev, "frozen 1") != NULL, "  cgroup.events says frozen 1");
		free(ev);
	}
	T_INTEQ(cgroup_frozen(&p, &e), 1, "  cgroup_frozen is 1");
	T_OK(cgroup_thaw(&p, &e) == 0, "v2: thaw");
	T_INTEQ(cgroup_frozen(&p, &e), 0, "  cgroup_frozen is 0");
	T_OK(cgroup_pids(&p, &pids, &n, &e) == 0 && n == 1 && pids[0] == c, "v2: pids");
	free(pids);
	T_OK(cgroup_kill_all(&p, 3000, &e) == 0, "v2: kill_all");
	T_OK(waitpid(c, &status, 0) == c && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	     "  the child was SIGKILLed");
	T_OK(cgroup_remove(&p, 1, &e) == 0 && !exists(dir), "v2: remove");
	/* Put the parent's subtree_control back as it was. */
	after = knob(l.unified, "cgroup.subtree_control");
	for (sp = after; (tok = strsep(&sp, " ")) != NULL;) {
		char w[64], path[600];
		int was = 0;
		char *b2 = strdup(before), *bp = b2, *bt;
		while ((bt = strsep(&bp, " ")) != NULL)
			if (!strcmp(bt, tok))
				was = 1;
		free(b2);
		if (!*tok || was)
			continue;
		snprintf(w, sizeof w, "-%s", tok);
		snprintf(path, sizeof path, "%s/cgroup.subtree_control", l.unified);
		fs_write_str(path, w, &e);
	}
	free(after);
	knob_is(l.unified, "cgroup.subtree_control", before, "  the parent's controllers are as before");
	free(before);
	cgroup_paths_free(&p);
	cgroup_layout_free(&l);
}

/* cgroup_warm_start: as root a helper that changes nothing and is reaped; else none. */
static void warm(void)
{
	char before[4096] = "", after[4096] = "";
	int fd, st;
	ssize_t n;
	pid_t pid;

	fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, before, sizeof before - 1) : -1;
	if (fd >= 0)
		close(fd);
	pid = cgroup_warm_start();
	if (geteuid() != 0) {
		T_INTEQ(pid, 0, "warm-up: no helper when not root");
		return;
	}
	T_OK(pid > 0, "warm-up: a helper as root");
	cgroup_warm_end(pid);
	T_OK(waitpid(pid, &st, WNOHANG) < 0 && errno == ECHILD, "  reaped by cgroup_warm_end");
	cgroup_warm_end(0);
	fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && n > 0 && read(fd, after, sizeof after - 1) > 0)
		T_STREQ(after, before, "  this process's cgroups are unchanged");
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	struct cgroup_layout l;
	struct cgroup_self s;
	struct cgroup_paths p = { 0, 0 };
	struct cgroup_kvs kv;
	struct err e;
	const struct cgroup_hier *h;

	/* layout tables */
	T_OK(cgroup_layout_parse(&l, hybrid_mi, &e) == 0, "parse a hybrid mountinfo");
	T_INTEQ(l.mode, CGROUP_HYBRID, "  mode is hybrid");
	T_INTEQ(l.nv1, 6, "  6 v1 hierarchies (a second mount of cpu,cpuacct is ignored)");
	T_STREQ(l.unified, "/sys/fs/cgroup/unified", "  unified mountpoint");
	h = cgroup_layout_find(&l, "cpuacct");
	T_OK(h && !strcmp(h->mountpoint, "/sys/fs/cgroup/cpu,cpuacct") &&
	     !strcmp(h->controllers, "cpu,cpuacct"), "  cpuacct is in cpu,cpuacct");
	h = cgroup_layout_find(&l, "name=systemd");
	T_OK(h && !strcmp(h->controllers, "name=systemd") &&
	     !strcmp(h->mountpoint, "/sys/fs/cgroup/systemd"),
	     "  name=systemd without xattr/release_agent options");
	h = cgroup_layout_find(&l, "cpuset");
	T_STREQ(h ? h->controllers : NULL, "cpuset", "  clone_children is not a controller");
	T_OK(cgroup_layout_find(&l, "pids") == NULL, "  pids is not mounted");
	cgroup_layout_free(&l);

	T_OK(cgroup_layout_parse(&l, v2_mi, &e) == 0, "parse a pure v2 mountinfo");
	T_OK(l.mode == CGROUP_V2 && l.nv1 == 0 && !strcmp(l.unified, "/sys/fs/cgroup"),
	     "  mode v2 at /sys/fs/cgroup");
	cgroup_layout_free(&l);
	T_OK(cgroup_layout_parse(&l, v1_mi, &e) == 0, "parse a v1 mountinfo");
	T_OK(l.mode == CGROUP_V1 && l.nv1 == 3 && !l.unified, "  mode v1, 3 hierarchies");
	h = cgroup_layout_find(&l, "memory");
	T_STREQ(h ? h->root : NULL, "/lxc/c1", "  the mount root is kept");
	cgroup_layout_free(&l);
	T_OK(cgroup_layout_parse(&l, "1 0 8:1 / / rw - ext4 /dev/sda rw\n", &e) == -1 &&
	     e.no == ENOENT, "no cgroup mount is an error");
	cgroup_layout_parse(&l,
		"41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
		"40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n", &e);
	T_INTEQ(l.mode, CGROUP_V2, "cgroup2 plus only a named v1 hierarchy counts as v2");
	cgroup_layout_free(&l);
	cgroup_layout_parse(&l,
		"50 31 0:40 / /tmp/.criu.cgyard.x rw - cgroup2 none rw\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n", &e);
	T_OK(l.mode == CGROUP_V1 && !l.unified,
	     "a cgroup2 mount outside /sys/fs/cgroup(/unified) is not the unified hierarchy");
	cgroup_layout_free(&l);
	cgroup_layout_parse(&l,
		"50 31 0:40 / /tmp/yard rw - cgroup2 none rw\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n", &e);
	T_OK(l.mode == CGROUP_HYBRID && l.unified && !strcmp(l.unified, "/sys/fs/cgroup/unified"),
	     "  /sys/fs/cgroup/unified is taken even after a stray cgroup2 mount");
	cgroup_layout_free(&l);

	/* this host, checked the way runc decides (statfs) */
	if (T_OK(cgroup_layout(&l, &e) == 0, "read this host's layout")) {
		struct statfs a, b;
		int is_v2 = statfs("/sys/fs/cgroup", &a) == 0 && a.f_type == CGROUP2_MAGIC;
		int is_hy = !is_v2 && statfs("/sys/fs/cgroup/unified", &b) == 0 &&
			    b.f_type == CGROUP2_MAGIC;
		int want = is_v2 ? CGROUP_V2 : is_hy ? CGROUP_HYBRID : CGROUP_V1;
		T_INTEQ(l.mode, want, "  the mode matches statfs of /sys/fs/cgroup(/unified)");
		if (l.mode == CGROUP_HYBRID) {
			size_t i;
			int ok = 1;
			T_STREQ(l.unified, "/sys/fs/cgroup/unified", "  unified is /sys/fs/cgroup/unified");
			h = cgroup_layout_find(&l, "name=systemd");
			T_STREQ(h ? h->mountpoint : NULL, "/sys/fs/cgroup/systemd",
				"  name=systemd at /sys/fs/cgroup/systemd");
			for (i = 0; i < l.nv1; i++) {
				struct statfs c;
				if (statfs(l.v1[i].mountpoint, &c) < 0 || c.f_type != 0x27e0eb)
					ok = 0;
			}
			T_OK(l.nv1 >= 2 && ok, "  every v1 entry is a cgroup (v1) mount");
			h = cgroup_layout_find(&l, "memory");
			T_STREQ(h ? h->mountpoint : NULL, "/sys/fs/cgroup/memory", "  memory hierarchy");
		}
		cgroup_layout_free(&l);
	}

	/* /proc/<pid>/cgroup */
	T_OK(cgroup_self_parse(&s, hybrid_self, &e) == 0 && s.n == 7, "parse a cgroup file");
	T_STREQ(cgroup_self_find(&s, "cpuacct"), "/user.slice", "  cpuacct from cpu,cpuacct");
	T_STREQ(cgroup_self_find(&s, ""), "/user.slice/s", "  the v2 line");
	T_STREQ(cgroup_self_find(&s, "name=systemd"), "/user.slice/s", "  name=systemd");
	T_OK(cgroup_self_find(&s, "pids") == NULL, "  pids absent");
	cgroup_cg_roots(&s, &kv);
	T_INTEQ(kv.n, 8, "cg_roots: one entry per controller name");
	T_OK(kv.n == 8 && !strcmp(kv.v[4].key, "cpu") && !strcmp(kv.v[5].key, "cpuacct") &&
	     !strcmp(kv.v[5].val, "/user.slice") && !strcmp(kv.v[7].key, "") &&
	     !strcmp(kv.v[0].key, "name=systemd"), "  split, in file order, v2 line as \"\"");
	cgroup_kvs_free(&kv);
	cgroup_self_free(&s);
	T_OK(cgroup_self_parse(&s, "garbage\n", &e) == -1, "a malformed cgroup line is an error");
	T_OK(cgroup_self_paths(0, &s, &e) == 0 && s.n >= 1, "read /proc/self/cgroup");
	cgroup_self_free(&s);

	/* derivation table */
	T_OK(derive(hybrid_mi, hybrid_self, NULL, "ct1", &p) == 0, "hybrid, no cgroupsPath");
	expect_path(&p, "cpu", "/sys/fs/cgroup/cpu,cpuacct/user.slice/ct1", "  nested in own");
	expect_path(&p, "cpuacct", "/sys/fs/cgroup/cpu,cpuacct/user.slice/ct1", "  co-mounted");
	expect_path(&p, "memory", "/sys/fs/cgroup/memory/process_api/abc/ct1", "  memory");
	expect_path(&p, "cpuset", "/sys/fs/cgroup/cpuset/ct1", "  cpuset at /");
	expect_path(&p, "name=systemd", "/sys/fs/cgroup/systemd/user.slice/s/ct1", "  systemd");
	expect_path(&p, "", "/sys/fs/cgroup/unified/user.slice/s/ct1", "  unified: own, not parent");
	expect_path(&p, "pids", NULL, "  unmounted pids");
	T_INTEQ(p.n, 8, "  8 keys");
	T_OK(p.n == 8 && !strcmp(p.v[0].key, "") && !strcmp(p.v[7].key, "name=systemd"),
	     "  sorted by key");
	cgroup_paths_free(&p);
	T_OK(derive(hybrid_mi, hybrid_self, "", "ct1", &p) == 0, "hybrid, empty cgroupsPath");
	expect_path(&p, "memory", "/sys/fs/cgroup/memory/process_api/abc/ct1", "  same as absent");
	cgroup_paths_free(&p);
	T_OK(derive(hybrid_mi, hybrid_self, "/abs/x", "ct1", &p) == 0, "hybrid, absolute");
	expect_path(&p, "memory", "/sys/fs/cgroup/memory/abs/x", "  used as given");
	expect_path(&p, "cpu", "/sys/fs/cgroup/cpu,cpuacct/abs/x", "  under the co-mount");
	expect_path(&p, "", "/sys/fs/cgroup/unified/abs/x", "  unified");
	cgroup_paths_free(&p);
	T_OK(derive(hybrid_mi, hybrid_self, "/a/../../b/./c/", "ct1", &p) == 0, "absolute, unclean");
	expect_path(&p, "freezer", "/sys/fs/cgroup/freezer/b/c", "  cleaned, cannot climb");
	cgroup_paths_free(&p);
	T_OK(derive(hybrid_mi, hybrid_self, "rel/../../../x/y", "ct1", &p) == 0, "relative, climbing");
	expect_path(&p, "memory", "/sys/fs/cgroup/memory/process_api/abc/x/y",
		    "  cannot climb above the own cgroup");
	cgroup_paths_free(&p);
	T_OK(derive(v2_mi, v2_self, NULL, "ct2", &p) == 0, "v2, no cgroupsPath");
	expect_path(&p, "", "/sys/fs/cgroup/user.slice/user-0.slice/ct2", "  parent of own + id");
	T_INTEQ(p.n, 1, "  only the \"\" key");
	cgroup_paths_free(&p);
	T_OK(derive(v2_mi, v2_self, "machine/ct", "ct2", &p) == 0, "v2, relative");
	expect_path(&p, "", "/sys/fs/cgroup/user.slice/user-0.slice/machine/ct", "  parent of own");
	cgroup_paths_free(&p);
	T_OK(derive(v2_mi, v2_self, "/machine.slice/ct", "ct2", &p) == 0, "v2, absolute");
	expect_path(&p, "", "/sys/fs/cgroup/machine.slice/ct", "  used as given");
	cgroup_paths_free(&p);
	T_OK(derive(v2_mi, "0::/\n", NULL, "ct3", &p) == 0, "v2, own cgroup is the root");
	expect_path(&p, "", "/sys/fs/cgroup/ct3", "  parent of / is /");
	cgroup_paths_free(&p);
	T_OK(derive(v1_mi, v1_self, NULL, "ct4", &p) == 0, "v1 with mount roots, no path");
	expect_path(&p, "memory", "/sys/fs/cgroup/memory/inner/ct4", "  mount root stripped");
	expect_path(&p, "name=systemd", "/sys/fs/cgroup/systemd/x/ct4", "  systemd root stripped");
	expect_path(&p, "pids", "/sys/fs/cgroup/pids/p/ct4", "  pids");
	expect_path(&p, "", NULL, "  no unified key on v1");
	cgroup_paths_free(&p);
	T_OK(derive(v1_mi, "3:pids:/p\n", NULL, "ct4", &p) == -1,
	     "a missing own cgroup line is an error");
	cgroup_paths_free(&p);

	/* ctrl dir selection */
	cgroup_paths_set(&p, "", "/u");
	T_STREQ(cgroup_ctrl_dir(&p, "memory"), "", "pure v2: knobs in the unified dir");
	cgroup_paths_set(&p, "memory", "/m");
	T_STREQ(cgroup_ctrl_dir(&p, "memory"), "memory", "hybrid: v1 memory");
	T_OK(cgroup_ctrl_dir(&p, "pids") == NULL, "hybrid without v1 pids: not available");
	T_STREQ(cgroup_freezer_dir(&p), "/u", "no v1 freezer: the unified dir");
	cgroup_paths_set(&p, "freezer", "/f");
	T_STREQ(cgroup_freezer_dir(&p), "/f", "v1 freezer wins on hybrid");
	cgroup_paths_set(&p, "memory", "/m2");
	T_STREQ(cgroup_paths_get(&p, "memory"), "/m2", "set replaces a key");
	T_INTEQ(p.n, 3, "  without adding one");
	cgroup_paths_free(&p);

	/* v1 ext_mnt lists */
	cgroup_layout_parse(&l, hybrid_mi, &e);
	cgroup_self_parse(&s, hybrid_self, &e);
	T_OK(cgroup_v1_ext_mounts(&l, NULL, "/sys/fs/cgroup", &kv, &e) == 0 && kv.n == 6,
	     "ext_mnt (checkpoint form): one per v1 hierarchy, no unified");
	T_OK(kv.n == 6 && !strcmp(kv.v[0].key, "/sys/fs/cgroup/cpu,cpuacct") &&
	     !strcmp(kv.v[0].val, kv.v[0].key) && !strcmp(kv.v[5].key, "/sys/fs/cgroup/systemd"),
	     "  key = val = <dest>/<mountpoint basename>");
	cgroup_kvs_free(&kv);
	T_OK(cgroup_v1_ext_mounts(&l, &s, "/cg", &kv, &e) == 0 && kv.n == 6, "ext_mnt (restore)");
	T_OK(kv.n == 6 && !strcmp(kv.v[2].key, "/cg/memory") &&
	     !strcmp(kv.v[2].val, "/sys/fs/cgroup/memory/process_api/abc") &&
	     !strcmp(kv.v[0].val, "/sys/fs/cgroup/cpu,cpuacct/user.slice"),
	     "  val = the restorer's own cgroup dir in each hierarchy");
	cgroup_kvs_free(&kv);
	cgroup_self_free(&s);
	cgroup_layout_free(&l);

	/* real cgroups on this host */
	if (geteuid() != 0) {
		skip("real cgroup tests need root");
		skip("comparison with runc needs root");
		return t_done();
	}
	{
		char id[64], sub[1024];
		struct spec_resources res;
		pid_t c1, c2, *pids = NULL;
		size_t n = 0, i;
		int status, ok;
		const char *fz;

		snprintf(id, sizeof id, "crbox-tcg-%d", (int)getpid());
		T_OK(cgroup_paths_for(NULL, id, &p, &e) == 0, "derive paths for a test container");
		T_OK(p.n >= 1, "  at least one hierarchy");
		if (!T_OK(cgroup_create(&p, &e) == 0, "cgroup_create"))
			printf("#   %s\n", e.msg);
		ok = 1;
		for (i = 0; i < p.n; i++)
			if (!exists(p.v[i].dir) || !p.v[i].created)
				ok = 0;
		T_OK(ok, "  every dir exists and is marked created");
		if (cgroup_paths_get(&p, "cpuset")) {
			char *v = knob(cgroup_paths_get(&p, "cpuset"), "cpuset.cpus");
			T_OK(*v && strcmp(v, "(unreadable)"), "  v1 cpuset.cpus was seeded from the parent");
			free(v);
			v = knob(cgroup_paths_get(&p, "cpuset"), "cpuset.mems");
			T_OK(*v && strcmp(v, "(unreadable)"), "  v1 cpuset.mems was seeded from the parent");
			free(v);
		}
		memset(&res, 0, sizeof res);
		res.has_pids_limit = 1;
		res.pids_limit = 50;
		res.has_mem_limit = 1;
		res.mem_limit = 64 << 20;
		res.has_mem_reservation = 1;
		res.mem_reservation = 32 << 20;
		res.has_cpu_shares = 1;
		res.cpu_shares = 512;
		res.has_cpu_quota = 1;
		res.cpu_quota = 50000;
		res.has_cpu_period = 1;
		res.cpu_period = 100000;
		res.cpu_cpus = "0";
		res.cpu_mems = "0";
		if (!T_OK(cgroup_apply_resources(&p, &res, &e) == 0, "cgroup_apply_resources"))
			printf("#   %s\n", e.msg);
		if (cgroup_paths_get(&p, "pids"))
			knob_is(cgroup_paths_get(&p, "pids"), "pids.max", "50", "  pids.max");
		if (cgroup_paths_get(&p, "memory")) {
			knob_is(cgroup_paths_get(&p, "memory"), "memory.limit_in_bytes", "67108864",
				"  memory.limit_in_bytes");
			knob_is(cgroup_paths_get(&p, "memory"), "memory.soft_limit_in_bytes",
				"33554432", "  memory.soft_limit_in_bytes");
		}
		if (cgroup_paths_get(&p, "cpu")) {
			knob_is(cgroup_paths_get(&p, "cpu"), "cpu.shares", "512", "  cpu.shares");
			knob_is(cgroup_paths_get(&p, "cpu"), "cpu.cfs_quota_us", "50000", "  cfs quota");
			knob_is(cgroup_paths_get(&p, "cpu"), "cpu.cfs_period_us", "100000", "  cfs period");
		}
		if (cgroup_paths_get(&p, "cpuset"))
			knob_is(cgroup_paths_get(&p, "cpuset"), "cpuset.cpus", "0", "  cpuset.cpus");
		if (!cgroup_paths_get(&p, "memory") && cgroup_paths_get(&p, "")) {
			knob_is(cgroup_paths_get(&p, ""), "memory.max", "67108864", "  v2 memory.max");
			knob_is(cgroup_paths_get(&p, ""), "cpu.weight", "20", "  v2 cpu.weight of 512");
			knob_is(cgroup_paths_get(&p, ""), "cpu.max", "50000 100000", "  v2 cpu.max");
		}
		res.has_pids_limit = 1;
		res.pids_limit = 0;
		res.cpu_cpus = "999999";
		T_OK(cgroup_apply_resources(&p, &res, &e) == -1 &&
		     strstr(e.msg, "failed to write \"999999\"") && strstr(e.msg, "cpuset.cpus"),
		     "a bad cpuset fails naming the value and the file");

		c1 = sleeper();
		T_OK(cgroup_enter(&p, c1, &e) == 0, "cgroup_enter a forked child");
		{
			struct cgroup_self cs;
			ok = cgroup_self_paths(c1, &cs, &e) == 0;
			for (i = 0; ok && i < p.n; i++) {
				const char *mine = cgroup_self_find(&cs, p.v[i].key);
				size_t ml = mine ? strlen(mine) : 0, dl = strlen(p.v[i].dir);
				if (!mine || ml > dl || strcmp(p.v[i].dir + dl - ml, mine))
					ok = 0;
			}
			T_OK(ok, "  /proc/<child>/cgroup shows the container dir in every hierarchy");
			cgroup_self_free(&cs);
		}
		T_OK(cgroup_pids(&p, &pids, &n, &e) == 0 && n == 1 && pids[0] == c1,
		     "cgroup_pids lists the child");
		free(pids);
		T_INTEQ(cgroup_frozen(&p, &e), 0, "not frozen yet");
		T_OK(cgroup_freeze(&p, &e) == 0, "cgroup_freeze");
		T_INTEQ(cgroup_frozen(&p, &e), 1, "  cgroup_frozen says frozen");
		fz = cgroup_freezer_dir(&p);
		if (cgroup_paths_get(&p, "freezer"))
			knob_is(fz, "freezer.state", "FROZEN", "  v1 freezer.state is FROZEN");
		{
			uint64_t st;
			char c = 0;
			proc_start_time(c1, &st, &c, &e);
			T_OK(c == 'D' || c == 'S' || c == 'T', "  the child is not running");
		}
		T_OK(cgroup_thaw(&p, &e) == 0, "cgroup_thaw");
		T_INTEQ(cgroup_frozen(&p, &e), 0, "  not frozen any more");
		if (cgroup_paths_get(&p, "freezer"))
			knob_is(fz, "freezer.state", "THAWED", "  v1 freezer.state is THAWED");

		/* A sub-cgroup with a second child, in the hierarchy cgroup_pids reads. */
		c2 = sleeper();
		{
			const char *pd = cgroup_paths_get(&p, "devices") ? cgroup_paths_get(&p, "devices")
									 : p.v[p.n - 1].dir;
			char num[32], procs[1100];
			snprintf(sub, sizeof sub, "%s/nested", pd);
			mkdir(sub, 0755);
			snprintf(num, sizeof num, "%d", (int)c2);
			snprintf(procs, sizeof procs, "%s/cgroup.procs", sub);
			T_OK(fs_write_str(procs, num, &e) == 0, "move a second child into a sub-cgroup");
		}
		T_OK(cgroup_pids(&p, &pids, &n, &e) == 0 && n == 2 &&
		     ((pids[0] == c1 && pids[1] == c2) || (pids[0] == c2 && pids[1] == c1)),
		     "cgroup_pids includes sub-cgroups");
		free(pids);
		if (!T_OK(cgroup_kill_all(&p, 3000, &e) == 0, "cgroup_kill_all"))
			printf("#   %s\n", e.msg);
		T_OK(waitpid(c1, &status, 0) == c1 && WIFSIGNALED(status) &&
		     WTERMSIG(status) == SIGKILL, "  the first child was SIGKILLed");
		T_OK(waitpid(c2, &status, 0) == c2 && WIFSIGNALED(status) &&
		     WTERMSIG(status) == SIGKILL, "  the second child was SIGKILLed");
		T_OK(cgroup_pids(&p, &pids, &n, &e) == 0 && n == 0, "  the cgroup is empty");
		free(pids);

		/* Removing a paths map that points at hierarchy roots leaves them alone. */
		{
			struct cgroup_paths roots = { 0, 0 };
			char *parent = strdup(p.v[0].dir);
			*strrchr(parent, '/') = 0;
			cgroup_paths_set(&roots, "x", "/sys/fs/cgroup/freezer");
			cgroup_paths_set(&roots, "y", "/sys/fs/cgroup/unified");
			T_OK(cgroup_remove(&roots, 0, &e) == 0 && exists("/sys/fs/cgroup/freezer") &&
			     exists("/sys/fs/cgroup/unified"), "remove never removes a hierarchy root");
			cgroup_paths_free(&roots);
			free(parent);
		}
		T_OK(cgroup_remove(&p, 0, &e) == 0, "cgroup_remove");
		ok = 1;
		for (i = 0; i < p.n; i++)
			if (exists(p.v[i].dir))
				ok = 0;
		T_OK(ok && !exists(sub), "  nothing is left (sub-cgroup included)");
		T_OK(cgroup_remove(&p, 0, &e) == 0, "removing again is fine (ENOENT ignored)");
		cgroup_paths_free(&p);

		/* only_created: a dir that existed before is kept. */
		T_OK(cgroup_paths_for(NULL, id, &p, &e) == 0, "derive again");
		fz = cgroup_paths_get(&p, "freezer") ? "freezer" : p.v[0].key;
		mkdir(cgroup_paths_get(&p, fz), 0755);
		T_OK(cgroup_create(&p, &e) == 0, "create with one leaf already there");
		ok = 1;
		for (i = 0; i < p.n; i++)
			if (p.v[i].created == !strcmp(p.v[i].dir, cgroup_paths_get(&p, fz)))
				ok = 0;
		T_OK(ok, "  only the new leaves are marked created");
		T_OK(cgroup_remove(&p, 1, &e) == 0, "remove(only_created)");
		ok = 1;
		for (i = 0; i < p.n; i++)
			if (exists(p.v[i].dir) != !strcmp(p.v[i].dir, cgroup_paths_get(&p, fz)))
				ok = 0;
		T_OK(ok, "  the pre-existing leaf is kept, the others are gone");
		rmdir(cgroup_paths_get(&p, fz));
		T_OK(!exists(cgroup_paths_get(&p, fz)), "  (test cleanup)");
		cgroup_paths_free(&p);
	}
	v2_real();
	compare_with_runc();
	warm();
	return t_done();
}
