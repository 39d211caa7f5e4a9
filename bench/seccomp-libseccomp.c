/* seccomp-libseccomp.c: developer-only measurement of libseccomp on an OCI seccomp profile,
 * for the numbers in docs/seccomp.md (crbox never links libseccomp). It replays what runc
 * does with the profile (actions, rules equal to the default skipped, a repeated argument
 * index split into separate rules, optimize level 2 above 32 rules) and reports the best of
 * 20 compile times (seccomp_init to seccomp_export_bpf) and the program length. The profile
 * comes flattened by jq (bench/seccomp-flatten.jq):
 *   cc -O2 -o /tmp/sl bench/seccomp-libseccomp.c -lseccomp   (Debian: libseccomp-dev)
 *   jq -r -f bench/seccomp-flatten.jq PROFILE.json | /tmp/sl */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

struct rule { char name[64]; uint32_t act; int n; struct scmp_arg_cmp a[6]; };
static struct rule rules[4096];
static int nrules;
static uint32_t defact;
static uint32_t arches[16];
static int narches;

static uint32_t action(const char *s, long e)
{
	if (!strcmp(s, "SCMP_ACT_ALLOW")) return SCMP_ACT_ALLOW;
	if (!strcmp(s, "SCMP_ACT_ERRNO")) return SCMP_ACT_ERRNO(e < 0 ? EPERM : e);
	if (!strcmp(s, "SCMP_ACT_TRACE")) return SCMP_ACT_TRACE(e < 0 ? EPERM : e);
	if (!strcmp(s, "SCMP_ACT_KILL") || !strcmp(s, "SCMP_ACT_KILL_THREAD")) return SCMP_ACT_KILL_THREAD;
	if (!strcmp(s, "SCMP_ACT_KILL_PROCESS")) return SCMP_ACT_KILL_PROCESS;
	if (!strcmp(s, "SCMP_ACT_TRAP")) return SCMP_ACT_TRAP;
	if (!strcmp(s, "SCMP_ACT_LOG")) return SCMP_ACT_LOG;
	return SCMP_ACT_NOTIFY;
}

static enum scmp_compare op(const char *s)
{
	static const char *n[] = { "", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
		"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };
	for (int i = 1; i < 8; i++)
		if (!strcmp(s, n[i]))
			return (enum scmp_compare)i;
	return _SCMP_CMP_MIN;
}

static int export_fd = -1;

static int compile(int *len)
{
	scmp_filter_ctx c = seccomp_init(defact);
	if (!c)
		return -1;
	seccomp_attr_set(c, SCMP_FLTATR_CTL_NNP, 0);
	for (int i = 0; i < narches; i++)
		seccomp_arch_add(c, arches[i]);
	if (nrules > 32)
		seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (int i = 0; i < nrules; i++) {
		struct rule *r = &rules[i];
		int nr = seccomp_syscall_resolve_name(r->name);
		if (nr == __NR_SCMP_ERROR || r->act == defact)
			continue;
		int dup = 0;
		for (int x = 0; x < r->n; x++)
			for (int y = 0; y < x; y++)
				dup |= r->a[x].arg == r->a[y].arg;
		if (!dup)
			seccomp_rule_add_array(c, r->act, nr, (unsigned)r->n, r->a);
		else
			for (int x = 0; x < r->n; x++)
				seccomp_rule_add_array(c, r->act, nr, 1, &r->a[x]);
	}
	if (export_fd >= 0) {
		seccomp_export_bpf(c, export_fd);
	} else {
		int fd = memfd_create("bpf", 0);
		seccomp_export_bpf(c, fd);
		*len = (int)(lseek(fd, 0, SEEK_END) / 8);
		close(fd);
	}
	seccomp_release(c);
	return 0;
}

int main(void)
{
	char line[4096];
	while (fgets(line, sizeof line, stdin)) {
		char w[8][64];
		int n = sscanf(line, "%63s %63s %63s", w[0], w[1], w[2]);
		if (n >= 2 && !strcmp(w[0], "DEFAULT"))
			defact = action(w[1], n == 3 ? atol(w[2]) : -1);
		else if (n >= 2 && !strcmp(w[0], "ARCH")) {
			uint32_t a = seccomp_arch_resolve_name(w[1] + 10);
			if (!strcmp(w[1], "SCMP_ARCH_X86")) a = SCMP_ARCH_X86;
			if (a) arches[narches++] = a;
		} else if (n >= 2 && !strcmp(w[0], "RULE")) {
			struct rule *r = &rules[nrules++];
			char act[64];
			long e;
			int off = 0;
			sscanf(line, "RULE %63s %63s %ld %d%n", r->name, act, &e, &r->n, &off);
			r->act = action(act, e);
			char *p = line + off;
			for (int i = 0; i < r->n; i++) {
				char o[64];
				unsigned long long v, v2;
				int k;
				sscanf(p, " %u %63s %llu %llu%n", &r->a[i].arg, o, &v, &v2, &k);
				p += k;
				r->a[i].op = op(o);
				r->a[i].datum_a = v;
				r->a[i].datum_b = v2;
			}
		}
	}
	double best = 1e18;
	int len = 0;
	for (int i = 0; i < 20; i++) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (compile(&len) < 0)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		double us = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
		if (us < best)
			best = us;
	}
	printf("libseccomp %s instructions %d compile_us %.1f\n", "2.5.4", len, best);
	/* SL_EXPORT=FILE: also write the program, prefixed by its length (seccomp-tool's dump
	 * format), for `seccomp-tool cmp` */
	if (getenv("SL_EXPORT")) {
		FILE *f = fopen(getenv("SL_EXPORT"), "w");
		uint32_t l = (uint32_t)len;
		int fd = memfd_create("bpf", 0);
		scmp_filter_ctx c = NULL;
		(void)c;
		if (!f)
			return 1;
		fwrite(&l, 4, 1, f);
		fflush(f);
		export_fd = fileno(f);
		compile(&len);
		fclose(f);
		close(fd);
	}
	return 0;
}
