/* cgroup device rules: runc's emulator (apply, hole punching, 'a' resets, defaults appended
 * after the spec rules, the linux.devices path override), devices.list parsing and the v1
 * transition; the v2 BPF program (runc's instruction counts, an exact prologue/first block,
 * jump offsets checked by evaluating it on a grid against v1 whitelist semantics); and, as
 * root on a host with cgroup2, the program attached to a real cgroup and checked with live
 * mknod/open from a child inside it, then replaced with exactly one program left. */
#include "t.h"
#include "cgroup/devrules.h"
#include "cgroup/devbpf.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static void skip(const char *why)
{
	printf("ok %d - # SKIP %s\n", ++t_n, why);
}

static struct cg_devrule R(char t, int64_t ma, int64_t mi, const char *acc, int allow)
{
	struct cg_devrule r = { t, ma, mi, 0, allow };
	for (; *acc; acc++)
		r.perms |= *acc == 'r' ? CG_DEV_R : *acc == 'w' ? CG_DEV_W : CG_DEV_M;
	return r;
}

/* The emulator's rules as one string "A c 1:3 rwm|D b 8:0 rwm|..." (A allow, D deny). */
static char *rules_str(const struct cg_devemu *m)
{
	static char out[4096];
	struct cg_devrule *v;
	size_t n, i, o = 0;
	cg_devemu_rules(m, &v, &n);
	out[0] = 0;
	for (i = 0; i < n; i++) {
		char s[64];
		o += (size_t)snprintf(out + o, sizeof out - o, "%s%c %s", i ? "|" : "",
				      v[i].allow ? 'A' : 'D', cg_dev_rule_str(&v[i], s));
	}
	free(v);
	return out;
}

/* v1 whitelist semantics: one exception must match and cover every requested bit. */
static int v1_allows(const struct cg_devemu *m, char type, unsigned acc, int64_t ma, int64_t mi)
{
	size_t i;
	for (i = 0; i < m->n; i++) {
		const struct cg_devrule *x = &m->v[i];
		int match = x->type == type && (x->major == -1 || x->major == ma) &&
			    (x->minor == -1 || x->minor == mi);
		if (match && !(acc & ~x->perms))
			return !m->default_allow;
		if (match && m->default_allow && (acc & x->perms) == acc)
			return 0;
	}
	return m->default_allow;
}

static struct spec_resources res_of(struct spec_devrule *d, size_t n)
{
	struct spec_resources r;
	memset(&r, 0, sizeof r);
	r.devices = d;
	r.ndevices = n;
	return r;
}

static void emulator(void)
{
	struct cg_devemu m;
	struct cg_devrule r;
	struct err e;
	struct spec_devrule deny_all = { 0, 'a', -1, -1, "rwm" };
	struct spec_resources res;
	struct spec_device null_dev = { "/dev/null", 'c', 1, 3, 0666, 1, 0, 0 };

	memset(&m, 0, sizeof m);
	T_STREQ(rules_str(&m), "", "empty emulator: deny-all, no rules");

	/* runc spec's default: deny everything, then the default allow-list. */
	res = res_of(&deny_all, 1);
	T_OK(cg_devemu_for(&m, &res, &e) == 0, "deny-all spec rule + defaults");
	T_STREQ(rules_str(&m),
		"A b *:* m|A c *:* m|A c 1:3 rwm|A c 1:5 rwm|A c 1:7 rwm|A c 1:8 rwm|"
		"A c 1:9 rwm|A c 5:0 rwm|A c 5:2 rwm|A c 10:200 rwm|A c 136:* rwm",
		"  rules sorted by (major, minor, type), no leading wildcard");
	cg_devemu_free(&m);

	/* A spec deny of a default device cannot take it away: the defaults come last. */
	{
		struct spec_devrule d[2] = { deny_all, { 0, 'c', 1, 3, "rwm" } };
		res = res_of(d, 2);
		cg_devemu_for(&m, &res, &e);
		T_OK(strstr(rules_str(&m), "A c 1:3 rwm") != NULL, "spec deny of c 1:3: still allowed");
		cg_devemu_free(&m);
	}
	/* ... unless linux.devices lists the default's path: then it is not added at all. */
	res = res_of(&deny_all, 1);
	res.linux_devices = &null_dev;
	res.nlinux_devices = 1;
	cg_devemu_for(&m, &res, &e);
	T_OK(strstr(rules_str(&m), "c 1:3") == NULL, "/dev/null in linux.devices: default c 1:3 dropped");
	T_OK(strstr(rules_str(&m), "A c 1:5 rwm") != NULL, "  the other defaults stay");
	cg_devemu_free(&m);

	/* Privileged: allow all -> blacklist; the defaults are no-ops in it. */
	{
		struct spec_devrule d = { 1, 'a', -1, -1, "rwm" };
		res = res_of(&d, 1);
		cg_devemu_for(&m, &res, &e);
		T_STREQ(rules_str(&m), "A a *:* rwm", "allow-all: one wildcard rule");
		T_OK(m.default_allow == 1 && m.n == 0, "  blacklist, no exceptions");
		cg_devemu_free(&m);
	}
	/* Allow all except one device. */
	memset(&m, 0, sizeof m);
	r = R('a', -1, -1, "rwm", 1);
	cg_devemu_apply(&m, &r, &e);
	r = R('b', 8, 0, "rwm", 0);
	cg_devemu_apply(&m, &r, &e);
	T_STREQ(rules_str(&m), "A a *:* rwm|D b 8:0 rwm", "allow-all except b 8:0");
	/* any 'a' rule resets, whatever its access */
	r = R('a', -1, -1, "r", 0);
	cg_devemu_apply(&m, &r, &e);
	T_OK(m.default_allow == 0 && m.n == 0, "'a' deny with access r: resets to deny-all");
	cg_devemu_free(&m);

	/* Permissions add up per (type, major, minor) and can be taken away in part. */
	r = R('c', 1, 3, "r", 1);
	cg_devemu_apply(&m, &r, &e);
	r = R('c', 1, 3, "wm", 1);
	cg_devemu_apply(&m, &r, &e);
	r = R('c', 1, 3, "w", 0);
	cg_devemu_apply(&m, &r, &e);
	T_STREQ(rules_str(&m), "A c 1:3 rm", "c 1:3 r + wm - w = rm");
	r = R('c', 1, 3, "rm", 0);
	cg_devemu_apply(&m, &r, &e);
	T_OK(m.n == 0, "  removing the rest drops the exception");
	cg_devemu_free(&m);

	/* Hole punching in a wildcard exception is refused. */
	r = R('c', -1, -1, "rwm", 1);
	cg_devemu_apply(&m, &r, &e);
	r = R('c', 1, 3, "r", 0);
	T_OK(cg_devemu_apply(&m, &r, &e) < 0 && strstr(e.msg, "cannot punch hole"),
	     "deny c 1:3 r inside allowed c *:* rwm: refused");
	r = R('c', 1, -1, "m", 1);
	cg_devemu_apply(&m, &r, &e);
	r = R('c', 1, 5, "w", 0);
	T_OK(cg_devemu_apply(&m, &r, &e) < 0, "deny c 1:5 w inside c 1:* / c *:*: refused");
	r = R('c', -1, -1, "w", 0);
	T_OK(cg_devemu_apply(&m, &r, &e) == 0, "deny c *:* w on the wildcard itself: fine");
	r = R('c', 5, 5, "w", 0);
	T_OK(cg_devemu_apply(&m, &r, &e) == 0, "  then deny c 5:5 w (no overlap left): fine");
	cg_devemu_free(&m);
	/* the same in blacklist mode: a deny wildcard, then an allow inside it */
	r = R('a', -1, -1, "rwm", 1);
	cg_devemu_apply(&m, &r, &e);
	r = R('b', 8, -1, "rwm", 0);
	cg_devemu_apply(&m, &r, &e);
	r = R('b', 8, 1, "r", 1);
	T_OK(cg_devemu_apply(&m, &r, &e) < 0, "blacklist: allow b 8:1 inside denied b 8:*: refused");
	cg_devemu_free(&m);
	r = R('p', 1, 1, "r", 1);
	T_OK(cg_devemu_apply(&m, &r, &e) < 0, "type p: refused");
}

static void lists_and_transitions(void)
{
	struct cg_devemu cur, tgt;
	struct cg_devrule *v, r;
	size_t n;
	struct err e;
	char s[64];

	T_OK(cg_devemu_from_list(&cur, "a *:* rwm\n", &e) == 0 && cur.default_allow == 1,
	     "devices.list 'a *:* rwm': blacklist");
	memset(&tgt, 0, sizeof tgt);
	r = R('c', 1, 3, "rwm", 1);
	cg_devemu_apply(&tgt, &r, &e);
	cg_devemu_transition(&cur, &tgt, &v, &n);
	T_OK(n == 2 && !v[0].allow && v[0].type == 'a' && v[1].allow &&
	     !strcmp(cg_dev_rule_str(&v[1], s), "c 1:3 rwm"),
	     "blacklist -> whitelist: 'a *:* rwm' to devices.deny, then the allow");
	free(v);
	cg_devemu_free(&cur);

	T_OK(cg_devemu_from_list(&cur, "c 1:3 r\nc 7:7 rwm\nb *:* m\n", &e) == 0 &&
	     cur.default_allow == 0 && cur.n == 3, "whitelist devices.list parsed");
	cg_devemu_transition(&cur, &tgt, &v, &n);
	T_OK(n == 3, "whitelist -> whitelist: minimal transition");
	if (n == 3) {
		T_STREQ(cg_dev_rule_str(&v[0], s), "b *:* m", "  drop b *:* m first (deny)");
		T_OK(!v[0].allow, "  ... to devices.deny");
		T_STREQ(cg_dev_rule_str(&v[1], s), "c 7:7 rwm", "  then c 7:7 (deny)");
		T_STREQ(cg_dev_rule_str(&v[2], s), "c 1:3 wm", "  then gain c 1:3 wm (allow)");
		T_OK(v[2].allow, "  ... to devices.allow");
	}
	free(v);
	cg_devemu_transition(&tgt, &tgt, &v, &n);
	T_OK(n == 0, "no change: no writes");
	free(v);
	cg_devemu_free(&cur);
	cg_devemu_free(&tgt);
	T_OK(cg_devemu_from_list(&cur, "c 1:3 rwx\n", &e) < 0, "bad access letter: error");
	T_OK(cg_devemu_from_list(&cur, "a 1:3 rwm\n", &e) < 0, "'a' with numbers: error");
	T_OK(cg_devemu_from_list(&cur, "c 1 rwm\n", &e) < 0, "no colon: error");
}

static void bpf_programs(void)
{
	struct cg_devemu m;
	struct cg_bpf_prog p;
	struct err e;
	struct spec_devrule deny_all = { 0, 'a', -1, -1, "rwm" };
	struct spec_resources res;
	static const char types[2] = { 'b', 'c' };
	static const int64_t majors[] = { 0, 1, 5, 7, 8, 10, 136, 254 };
	static const int64_t minors[] = { 0, 1, 2, 3, 5, 7, 8, 9, 200, 237 };
	size_t ti, a, b;
	unsigned acc;
	int bad = 0, cells = 0;

	memset(&m, 0, sizeof m);
	T_OK(cg_devbpf_build(&m, &p, &e) == 0 && p.n == 8, "deny-all: 8 instructions (runc's Nil)");
	T_OK(cg_devbpf_eval(&p, 'c', CG_DEV_R, 1, 3) == 0, "  denies c 1:3 r");
	cg_devbpf_free(&p);

	res = res_of(&deny_all, 1);
	cg_devemu_for(&m, &res, &e);
	T_OK(cg_devbpf_build(&m, &p, &e) == 0 && p.n == 64,
	     "default allow-list: 64 instructions (runc's BuiltInAllowList)");
	/* prologue and the first block (b *:* m), byte for byte */
	{
		static const uint8_t code[] = { 0x61, 0x54, 0x61, 0x74, 0x61, 0x61,
						0x55, 0xbc, 0x54, 0x5d, 0xb4, 0x95 };
		static const int32_t imm[] = { 0, 0xffff, 0, 16, 0, 0, 1, 0, 1, 0, 1, 0 };
		static const int16_t off[] = { 0, 0, 0, 0, 4, 8, 5, 0, 0, 2, 0, 0 };
		int ok = p.n >= 12;
		for (size_t i = 0; ok && i < 12; i++)
			ok = p.insn[i].code == code[i] && p.insn[i].imm == imm[i] &&
			     p.insn[i].off == off[i];
		T_OK(ok, "  prologue + first block: opcodes, offsets, immediates");
	}
	/* Grid: the program agrees with v1 whitelist semantics on every cell. */
	for (ti = 0; ti < 2; ti++)
		for (a = 0; a < sizeof majors / sizeof majors[0]; a++)
			for (b = 0; b < sizeof minors / sizeof minors[0]; b++)
				for (acc = 1; acc <= 7; acc++) {
					int want = v1_allows(&m, types[ti], acc, majors[a], minors[b]);
					int got = cg_devbpf_eval(&p, types[ti], acc, (uint32_t)majors[a],
								 (uint32_t)minors[b]);
					cells++;
					if (want != got) {
						if (!bad)
							printf("# cell %c %lld:%lld acc %u: want %d got %d\n",
							       types[ti], (long long)majors[a],
							       (long long)minors[b], acc, want, got);
						bad++;
					}
				}
	T_OK(!bad && cells == 2 * 8 * 10 * 7, "1120-cell grid: program == v1 whitelist semantics");
	T_INTEQ(cg_devbpf_eval(&p, 'c', CG_DEV_M, 10, 237), 1, "  mknod c 10:237: allowed (c *:* m)");
	T_INTEQ(cg_devbpf_eval(&p, 'c', CG_DEV_R | CG_DEV_W, 10, 237), 0, "  open c 10:237: denied");
	T_INTEQ(cg_devbpf_eval(&p, 'c', CG_DEV_R | CG_DEV_W, 136, 4), 1, "  open c 136:4: allowed");
	cg_devbpf_free(&p);
	cg_devemu_free(&m);

	/* Privileged and allow-all-but-one (blacklist programs). */
	{
		struct cg_devrule r;
		memset(&m, 0, sizeof m);
		r = R('a', -1, -1, "rwm", 1);
		cg_devemu_apply(&m, &r, &e);
		T_OK(cg_devbpf_build(&m, &p, &e) == 0 && p.n == 8 &&
		     cg_devbpf_eval(&p, 'b', 7, 8, 1) == 1, "allow-all: 8 instructions, allows");
		cg_devbpf_free(&p);
		r = R('b', 8, 2, "rwm", 0);
		cg_devemu_apply(&m, &r, &e);
		T_OK(cg_devbpf_build(&m, &p, &e) == 0 && cg_devbpf_eval(&p, 'b', CG_DEV_R, 8, 1) == 1 &&
		     cg_devbpf_eval(&p, 'b', CG_DEV_R, 8, 2) == 0,
		     "allow-all except b 8:2: 8/1 allowed, 8/2 not");
		cg_devbpf_free(&p);
		cg_devemu_free(&m);
	}
}

/* ---- live: a real cgroup2 dir, a child inside it trying mknod/open ---- */

/* In a child moved into dir: mknod path (c maj:min) and open it with flags. Returns
 * "mknod errno, open errno" packed as exit status: 0 ok, 1 mknod EPERM, 2 open EPERM, 3 other. */
static int probe(const char *cgdir, const char *node, int maj, int mi, int flags)
{
	pid_t pid = fork();
	int st;
	if (pid == 0) {
		char path[512], num[16];
		int fd;
		snprintf(path, sizeof path, "%s/cgroup.procs", cgdir);
		fd = open(path, O_WRONLY);
		snprintf(num, sizeof num, "%d", (int)getpid());
		if (fd < 0 || write(fd, num, strlen(num)) < 0)
			_exit(3);
		close(fd);
		unlink(node);
		if (mknod(node, S_IFCHR | 0600, makedev(maj, mi)) < 0)
			_exit(errno == EPERM ? 1 : 3);
		fd = open(node, flags);
		if (fd < 0)
			_exit(errno == EPERM ? 2 : 3);
		close(fd);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void live(void)
{
	char dir[256], tmp[] = "/tmp/crbox-tdev.XXXXXX", node[300];
	struct spec_devrule spec_rules[2] = { { 0, 'a', -1, -1, "rwm" }, { 1, 'c', 10, 237, "rw" } };
	struct spec_resources res;
	struct err e;
	struct stat st;

	if (geteuid() != 0) {
		skip("live device program test needs root");
		return;
	}
	if (t_emulator()) {
		skip("live device program test: qemu-user does not translate bpf(2)");
		return;
	}
	if (stat("/sys/fs/cgroup/unified/cgroup.procs", &st) == 0)
		snprintf(dir, sizeof dir, "/sys/fs/cgroup/unified/crbox-tdev-%d", (int)getpid());
	else if (stat("/sys/fs/cgroup/cgroup.subtree_control", &st) == 0)
		snprintf(dir, sizeof dir, "/sys/fs/cgroup/crbox-tdev-%d", (int)getpid());
	else {
		skip("no cgroup2 mount: live device program test not run");
		return;
	}
	if (!mkdtemp(tmp) || mkdir(dir, 0755) < 0) {
		skip("cannot create a test cgroup2 dir or tmpdir");
		return;
	}
	snprintf(node, sizeof node, "%s/node", tmp);

	res = res_of(spec_rules, 1);    /* deny all + defaults */
	if (!T_OK(cg_devices_v2(dir, &res, &e) == 0, "live: attach the default program"))
		printf("#   %s\n", e.msg);
	T_INTEQ(cg_devbpf_count(dir, &e), 1, "  one program attached");
	T_INTEQ(probe(dir, node, 1, 3, O_RDWR), 0, "  c 1:3 (null): mknod + open rw ok");
	T_INTEQ(probe(dir, node, 1, 5, O_RDONLY), 0, "  c 1:5 (zero): open r ok");
	T_INTEQ(probe(dir, node, 10, 237, O_RDWR), 2, "  c 10:237 (loop-control): mknod ok, open EPERM");
	T_INTEQ(probe(dir, node, 10, 237, O_RDONLY), 2, "  c 10:237 open r: EPERM");

	res = res_of(spec_rules, 2);    /* + allow c 10:237 rw */
	if (!T_OK(cg_devices_v2(dir, &res, &e) == 0, "live: replace with a program allowing 10:237 rw"))
		printf("#   %s\n", e.msg);
	T_INTEQ(cg_devbpf_count(dir, &e), 1, "  still exactly one program (replaced, not stacked)");
	T_INTEQ(probe(dir, node, 10, 237, O_RDWR), 0, "  c 10:237: open rw now ok");
	T_INTEQ(probe(dir, node, 1, 7, O_WRONLY), 0, "  c 1:7 (full): still ok");
	T_INTEQ(probe(dir, node, 1, 11, O_RDONLY), 2, "  c 1:11 (kmsg): EPERM");

	unlink(node);
	rmdir(tmp);
	T_OK(rmdir(dir) == 0, "live: test cgroup removed");
}

int main(void)
{
	emulator();
	lists_and_transitions();
	bpf_programs();
	live();
	return t_done();
}
