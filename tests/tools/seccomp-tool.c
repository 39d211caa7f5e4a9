/* seccomp-tool.c: test tool around crbox's seccomp compiler (core/seccomp), linked with
 * core/ and built static with musl so it also runs inside a busybox container.
 *   seccomp-tool compile FILE [ARCH]      instructions, flags and compile time (µs, best of 20)
 *   seccomp-tool print FILE [ARCH]        the program, one instruction a line
 *   seccomp-tool run FILE -- PROG ARG...  load the filter (NNP set), then exec PROG; with
 *                                         SCMP_ACT_NOTIFY the listener fd goes to listenerPath
 *                                         from a parent process, as runc does
 *   seccomp-tool bpf FILE OUT             the program into OUT in the dump format (for cmp)
 *   seccomp-tool table ARCH               "name nr" for every syscall crbox knows on ARCH
 *   seccomp-tool dump PID OUT             the filters of PID (PTRACE_SECCOMP_GET_FILTER), the
 *                                         newest first, appended into OUT as raw instructions
 *   seccomp-tool cases FILE               a case list for seccomp-probe: every x86_64 and i386
 *                                         syscall number with zero arguments (but the ones
 *                                         that would fork or return twice), x32 and odd
 *                                         numbers, and the argument grid of every rule
 *   seccomp-tool cmp A B FILE             A and B (dump files) run through a BPF interpreter
 *                                         over a grid of inputs built from the profile FILE;
 *                                         prints differences, exit 1 if any
 * FILE is a config.json (its .linux.seccomp is used) or a bare linux.seccomp object. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "seccomp/seccomp.h"
#include "seccomp/internal.h"
#include "../unit/sc_interp.h"

static void fail(const char *what, const struct err *e)
{
	fprintf(stderr, "seccomp-tool: %s: %s\n", what, e ? e->msg : strerror(errno));
	exit(1);
}

static int arch_id(const char *s)
{
	for (int a = 0; a < SECCOMP_ARCH_N; a++)
		if (!strcmp(s, seccomp_arch_name(a)) || !strcmp(s, seccomp_arch_name(a) + 10))
			return a;
	fprintf(stderr, "seccomp-tool: unknown arch %s\n", s);
	exit(1);
}

/* Loads FILE; returns the token of the seccomp object (-1 when absent). */
static int load_profile(const char *file, struct json_doc *d)
{
	struct err e;
	if (json_load(d, AT_FDCWD, file, NULL, &e) < 0)
		fail(file, &e);
	int lx = json_get(d, 0, "linux");
	if (lx >= 0)
		return json_get(d, lx, "seccomp");
	if (json_get(d, 0, "ociVersion") >= 0 || json_get(d, 0, "process") >= 0)
		return -1;
	return 0;
}

static void compile(const char *file, int arch, struct seccomp_prog *p, struct json_doc *d)
{
	struct err e;
	int obj = load_profile(file, d);
	if (seccomp_compile_arch(d, obj, arch, p, &e) < 0)
		fail(file, &e);
}

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmd_compile(int argc, char **argv, int print)
{
	struct json_doc d;
	struct seccomp_prog p;
	int arch = argc > 3 ? arch_id(argv[3]) : seccomp_arch_native();
	double best = 1e18;
	for (int i = 0; i < (print ? 1 : 20); i++) {
		double t0 = now_us();
		compile(argv[2], arch, &p, &d);
		double t = now_us() - t0;
		if (t < best)
			best = t;
		if (i + 1 < 20 && !print) {
			seccomp_prog_free(&p);
			json_free(&d);
		}
	}
	if (print) {
		for (unsigned i = 0; i < p.len; i++)
			printf("%4u: code %04x jt %3u jf %3u k 0x%08x\n", i, p.insns[i].code,
			       p.insns[i].jt, p.insns[i].jf, p.insns[i].k);
	} else {
		printf("instructions %u flags %u notify %d skipped %u compile_us %.1f\n",
		       p.len, p.flags, p.notify, p.nskipped, best);
	}
	seccomp_prog_free(&p);
	json_free(&d);
	return 0;
}

static int cmd_table(const char *arch)
{
	int a = arch_id(arch);
	for (unsigned i = 0; i < seccomp_syscall_count(); i++) {
		long nr = seccomp_syscall_nr(seccomp_syscall_name(i), a);
		if (nr >= 0)
			printf("%s %ld\n", seccomp_syscall_name(i), nr);
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct json_doc d;
	struct seccomp_prog p;
	struct err e;
	if (argc < 5 || strcmp(argv[3], "--"))
		return fprintf(stderr, "usage: seccomp-tool run FILE -- PROG ARG...\n"), 2;
	compile(argv[2], seccomp_arch_native(), &p, &d);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail("prctl(NO_NEW_PRIVS)", NULL);
	if (!p.notify) {
		if (seccomp_load(&p, NULL, &e) < 0)
			fail("load", &e);
		execv(argv[4], argv + 4);
		fail(argv[4], NULL);
	}
	/* runc's protocol: the child loads and writes only the fd number; the parent takes the
	 * fd with pidfd_getfd and sends it to listenerPath, then lets the child exec. */
	int up[2], down[2];
	if (pipe(up) < 0 || pipe(down) < 0)
		fail("pipe", NULL);
	pid_t pid = fork();
	if (pid < 0)
		fail("fork", NULL);
	if (!pid) {
		int fd;
		char c;
		if (seccomp_load(&p, &fd, &e) < 0)
			fail("load", &e);
		if (write(up[1], &fd, sizeof fd) != sizeof fd || read(down[0], &c, 1) != 1)
			_exit(1);
		close(fd);
		execv(argv[4], argv + 4);
		_exit(127);
	}
	int fd = -1;
	if (read(up[0], &fd, sizeof fd) != sizeof fd)
		fail("child failed before sending the listener fd", NULL);
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int lfd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (lfd < 0)
		fail("pidfd_getfd", NULL);
	struct buf b = BUF_INIT;
	const char *ann[] = { "org.example.test", "seccomp" };
	struct seccomp_state st = { "1.0.2-dev", "seccomp-tool", "creating", "/", pid, ann, 1 };
	seccomp_listener_payload(&b, &st, p.listener_metadata);
	if (seccomp_send_listener(p.listener_path, lfd, b.p, b.len, &e) < 0)
		fail("listener", &e);
	close(lfd);
	if (write(down[1], "x", 1) != 1)
		fail("write", NULL);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		kill(getpid(), WTERMSIG(status));
	}
	return WEXITSTATUS(status);
}

static int cmd_dump(const char *pidstr, const char *out)
{
	pid_t pid = atoi(pidstr);
	int status;
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0 || ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0)
		fail("ptrace", NULL);
	if (waitpid(pid, &status, __WALL) < 0)
		fail("waitpid", NULL);
	FILE *f = fopen(out, "w");
	if (!f)
		fail(out, NULL);
	int n = 0;
	for (long idx = 0;; idx++) {
		long len = ptrace(0x420c /* PTRACE_SECCOMP_GET_FILTER */, pid, idx, NULL);
		if (len < 0)
			break;
		struct seccomp_insn *buf = calloc((size_t)len, sizeof *buf);
		if (ptrace(0x420c, pid, idx, buf) != len)
			fail("PTRACE_SECCOMP_GET_FILTER", NULL);
		uint32_t l32 = (uint32_t)len;
		printf("filter %ld: %ld instructions\n", idx, len);
		fwrite(&l32, 4, 1, f);
		fwrite(buf, sizeof *buf, (size_t)len, f);
		free(buf);
		n++;
	}
	fclose(f);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	fprintf(stderr, "seccomp-tool: %d filter(s) of pid %d\n", n, pid);
	return n ? 0 : 1;
}

/* A dump file: filters, newest first. */
struct filters {
	struct seccomp_insn *f[8];
	unsigned n[8];
	int k;
};

static void read_dump(const char *file, struct filters *fs)
{
	FILE *f = fopen(file, "r");
	uint32_t len;
	if (!f)
		fail(file, NULL);
	memset(fs, 0, sizeof *fs);
	while (fs->k < 8 && fread(&len, 4, 1, f) == 1) {
		fs->f[fs->k] = calloc(len, sizeof(struct seccomp_insn));
		if (fread(fs->f[fs->k], sizeof(struct seccomp_insn), len, f) != len)
			fail("short dump", NULL);
		fs->n[fs->k++] = len;
	}
	fclose(f);
}

/* The kernel's stacking: the action with the highest precedence wins. */
static uint32_t verdict(const struct filters *fs, const struct sc_data *d)
{
	uint32_t best = SC_RET_ALLOW;
	for (int i = 0; i < fs->k; i++) {
		uint32_t r = sc_interp(fs->f[i], fs->n[i], d);
		int32_t a = (int32_t)(r & 0xffff0000u), b = (int32_t)(best & 0xffff0000u);
		if (a < b)
			best = r;
	}
	return best;
}

static uint64_t *vals;
static size_t nvals;

static void addval(uint64_t v)
{
	for (size_t i = 0; i < nvals; i++)
		if (vals[i] == v)
			return;
	vals = realloc(vals, (nvals + 1) * sizeof *vals);
	vals[nvals++] = v;
}

static void datum(uint64_t v)
{
	addval(v);
	addval(v + 1);
	addval(v - 1);
	addval(v | 0xffffffff00000000ull);
	addval(v & 0xffffffffull);
	addval(v + 0x100000000ull);
	addval(v ^ 0x8000000000000000ull);
}

static int cmd_cmp(const char *fa, const char *fb, const char *prof)
{
	struct filters A, B;
	struct json_doc d;
	struct err e;
	struct sc_profile p;
	int en;
	read_dump(fa, &A);
	read_dump(fb, &B);
	int obj = load_profile(prof, &d);
	if (sc_profile_parse(&d, obj, &p, &en, &e) < 0)
		fail(prof, &e);
	uint64_t base[] = { 0, 1, 2, 0xffffffffull, 0x100000000ull, ~0ull, 0x7fffffffull, 0x80000000ull };
	for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
		addval(base[i]);
	for (size_t r = 0; r < p.nrules; r++)
		for (size_t k = 0; k < p.rules[r].nargs; k++) {
			datum(p.rules[r].args[k].value);
			datum(p.rules[r].args[k].value2);
			datum(p.rules[r].args[k].value2 & p.rules[r].args[k].value);
			datum(p.rules[r].args[k].value2 | ~p.rules[r].args[k].value);
		}
	static const uint32_t arches[] = { 0xc000003e, 0x40000003, 0xc00000b7, 0x40000028, 0xc00000f3, 0x12345678 };
	long ncase = 0, ndiff = 0;
	/* CMP_NR=N: only syscall number N (differential runs over one syscall) */
	long only = getenv("CMP_NR") ? atol(getenv("CMP_NR")) : -100;
	for (size_t ai = 0; ai < sizeof arches / sizeof arches[0]; ai++) {
		for (int64_t n = -2; n < 1100; n++) {
			if (only != -100 && n != only)
				continue;
			for (int x32 = 0; x32 < 3; x32++) {
				struct sc_data dd;
				memset(&dd, 0, sizeof dd);
				dd.arch = arches[ai];
				dd.nr = (int32_t)(x32 == 0 ? (uint32_t)n : x32 == 1 ? (uint32_t)n | SC_X32_BIT
				                                                     : (uint32_t)n | 0x80000000u);
				if (x32 && n < 0)
					continue;
				/* every value in every argument position, then pairs in (0,1),(0,2),(1,2),(2,3) */
				for (int pos = -1; pos < 6; pos++)
					for (size_t v = 0; v < (pos < 0 ? 1 : nvals); v++) {
						memset(dd.args, 0, sizeof dd.args);
						if (pos >= 0)
							dd.args[pos] = vals[v];
						uint32_t ra = verdict(&A, &dd), rb = verdict(&B, &dd);
						ncase++;
						if (ra != rb && ndiff++ < 40)
							printf("diff arch %08x nr %d args[%d]=%#llx: %08x vs %08x\n", dd.arch,
							       dd.nr, pos, pos < 0 ? 0ull : (unsigned long long)vals[v], ra, rb);
					}
				static const int pairs[][2] = { {0, 1}, {0, 2}, {1, 2}, {2, 3}, {0, 3}, {1, 3} };
				/* pairs over the first 48 values (the base ones and the profile's first data) */
				size_t pv = nvals < 48 ? nvals : 48;
				for (size_t pi = 0; pi < 6; pi++)
					for (size_t v = 0; v < pv; v++)
						for (size_t w = 0; w < pv; w++) {
							memset(dd.args, 0, sizeof dd.args);
							dd.args[pairs[pi][0]] = vals[v];
							dd.args[pairs[pi][1]] = vals[w];
							uint32_t ra = verdict(&A, &dd), rb = verdict(&B, &dd);
							ncase++;
							if (ra != rb && ndiff++ < 40)
								printf("diff arch %08x nr %d args[%d,%d]=%#llx,%#llx: %08x vs %08x\n",
								       dd.arch, dd.nr, pairs[pi][0], pairs[pi][1],
								       (unsigned long long)vals[v], (unsigned long long)vals[w], ra, rb);
						}
			}
		}
	}
	printf("cases %ld differences %ld values %zu\n", ncase, ndiff, nvals);
	return ndiff ? 1 : 0;
}

/* Calls the probe must not make for real: they fork or do not return to the probe. */
static const char *const unsafe[] = { "fork", "vfork", "clone", "clone3", "rt_sigreturn",
	"sigreturn", NULL };

static int is_unsafe(const char *name)
{
	for (int i = 0; unsafe[i]; i++)
		if (!strcmp(name, unsafe[i]))
			return 1;
	return 0;
}

static void argvals(const struct sc_arg *a, uint64_t *v, int *n)
{
	uint64_t d = a->op == SC_MASKED_EQ ? a->value2 : a->value;
	uint64_t c[] = { d, d + 1, d - 1, d | 0xffffffff00000000ull, d + 0x100000000ull, 0, ~0ull,
	                 a->op == SC_MASKED_EQ ? (d | ~a->value) : d ^ 1 };
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		int dup = 0;
		for (int k = 0; k < *n; k++)
			dup |= v[k] == c[i];
		if (!dup && *n < 24)
			v[(*n)++] = c[i];
	}
}

static int cmd_cases(const char *file)
{
	struct json_doc d;
	struct err e;
	struct sc_profile p;
	int en;
	int obj = load_profile(file, &d);
	if (sc_profile_parse(&d, obj, &p, &en, &e) < 0)
		fail(file, &e);
	for (unsigned i = 0; i < seccomp_syscall_count(); i++) {
		const char *name = seccomp_syscall_name(i);
		long n64 = seccomp_syscall_nr(name, SECCOMP_ARCH_X86_64);
		long n32 = seccomp_syscall_nr(name, SECCOMP_ARCH_I386);
		if (is_unsafe(name))
			continue;
		if (n64 >= 0)
			printf("64 %ld 0 0 0 0 0 0\n", n64);
		if (n32 >= 0)
			printf("32 %ld 0 0 0 0 0 0\n", n32);
	}
	static const unsigned long odd[] = { 463, 464, 500, 1000, 0x3fffffff, 0x40000000, 0x40000001,
		0x40000027, 0x40000200, 0x4000020f, 0x40000300, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
		printf("64 %lu 0 0 0 0 0 0\n", odd[i]);
	printf("32 460 0 0 0 0 0 0\n32 470 0 0 0 0 0 0\n32 1000 0 0 0 0 0 0\n32 4294967295 0 0 0 0 0 0\n");
	/* argument grids: per rule name, the cross product over the indexes its rules test */
	for (size_t r = 0; r < p.nrules; r++) {
		for (size_t k = 0; k < p.rules[r].nnames; k++) {
			const char *name = p.rules[r].names[k];
			if (is_unsafe(name))
				continue;
			uint64_t v[6][24];
			int nv[6] = { 0 };
			for (size_t q = 0; q < p.nrules; q++)
				for (size_t m = 0; m < p.rules[q].nnames; m++)
					if (!strcmp(p.rules[q].names[m], name))
						for (size_t a = 0; a < p.rules[q].nargs; a++)
							argvals(&p.rules[q].args[a], v[p.rules[q].args[a].index],
							        &nv[p.rules[q].args[a].index]);
			int idx[6], ni = 0;
			for (int a = 0; a < 6; a++)
				if (nv[a])
					idx[ni++] = a;
			if (!ni)
				continue;
			long nrs[2] = { seccomp_syscall_nr(name, SECCOMP_ARCH_X86_64),
			                seccomp_syscall_nr(name, SECCOMP_ARCH_I386) };
			const char *mux = NULL;
			int sub = sc_mux_subcall(name, &mux);
			for (int abi = 0; abi < 3; abi++) {
				long nr = abi < 2 ? nrs[abi] : sub ? seccomp_syscall_nr(mux, SECCOMP_ARCH_I386) : -1;
				if (nr < 0)
					continue;
				int c[6] = { 0 };
				for (;;) {
					uint64_t a[6] = { 0 };
					for (int t = 0; t < ni; t++)
						a[idx[t]] = v[idx[t]][c[t]];
					if (abi == 2)
						a[0] = (uint64_t)sub;
					printf("%d %ld", abi ? 32 : 64, nr);
					for (int t = 0; t < 6; t++)
						printf(" %#llx", (unsigned long long)(abi ? (uint32_t)a[t] : a[t]));
					printf("\n");
					int t = 0;
					while (t < ni && ++c[t] == nv[idx[t]])
						c[t++] = 0;
					if (t == ni)
						break;
				}
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "cases"))
		return cmd_cases(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "compile"))
		return cmd_compile(argc, argv, 0);
	if (argc >= 3 && !strcmp(argv[1], "print"))
		return cmd_compile(argc, argv, 1);
	if (argc >= 3 && !strcmp(argv[1], "run"))
		return cmd_run(argc, argv);
	if (argc == 4 && !strcmp(argv[1], "bpf")) {
		struct json_doc d;
		struct seccomp_prog p;
		compile(argv[2], seccomp_arch_native(), &p, &d);
		FILE *f = fopen(argv[3], "w");
		uint32_t l = p.len;
		if (!f || fwrite(&l, 4, 1, f) != 1 || fwrite(p.insns, sizeof *p.insns, p.len, f) != p.len)
			fail(argv[3], NULL);
		fclose(f);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "table"))
		return cmd_table(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "dump"))
		return cmd_dump(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "cmp"))
		return cmd_cmp(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: seccomp-tool compile|print|run|table|dump|cmp ... (see the source)\n");
	return 2;
}
