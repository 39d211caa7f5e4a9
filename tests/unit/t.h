/* t.h: the unit-test harness. TAP output ("ok N - name" / "not ok N - name"), one line per
 * check; the binary exits 1 if any check failed. Include once per test program. */
#ifndef CRBOX_T_H
#define CRBOX_T_H
#include <stdio.h>
#include <string.h>
#include <stdint.h>

static int t_n, t_fail;

static inline int t_check(int ok, const char *name, const char *file, int line)
{
	t_n++;
	if (ok) {
		printf("ok %d - %s\n", t_n, name);
	} else {
		t_fail++;
		printf("not ok %d - %s\n#   at %s:%d\n", t_n, name, file, line);
	}
	fflush(stdout);
	return ok;
}
#define T_OK(cond, name) t_check(!!(cond), (name), __FILE__, __LINE__)
#define T_STREQ(a, b, name) do { const char *t_a_ = (a), *t_b_ = (b);                         \
		if (!t_check(t_a_ && t_b_ && !strcmp(t_a_, t_b_), (name), __FILE__, __LINE__))  \
			printf("#   got:      \"%s\"\n#   expected: \"%s\"\n", t_a_ ? t_a_ : "(null)", \
			       t_b_ ? t_b_ : "(null)");                                         \
	} while (0)
#define T_INTEQ(a, b, name) do { long long t_a_ = (long long)(a), t_b_ = (long long)(b);      \
		if (!t_check(t_a_ == t_b_, (name), __FILE__, __LINE__))                         \
			printf("#   got: %lld, expected: %lld\n", t_a_, t_b_);                      \
	} while (0)
/* Under qemu-user (the cross layer of tests/run-all.sh), CRBOX_TEST_EMULATOR names the
 * emulator, and CRBOX_TEST_NOEXEC is set when a binary of the target cannot be executed
 * directly (no binfmt handler). Checks that the emulator cannot honour (its /proc/self/stat
 * has no state field, it lacks PR_GET_CHILD_SUBREAPER and statx's mount fields, and
 * execve of a target binary fails) are skipped there with the reason, never passed. */
#include <stdlib.h>
static inline void t_skip(const char *name, const char *why)
{
	printf("ok %d - %s # skip %s\n", ++t_n, name, why);
	fflush(stdout);
}
static inline const char *t_emulator(void)
{
	const char *v = getenv("CRBOX_TEST_EMULATOR");
	return v && *v ? v : NULL;
}
static inline int t_noexec(void)
{
	const char *v = getenv("CRBOX_TEST_NOEXEC");
	return v && *v;
}
/* T_OK, or a skip naming the emulator and why when running under one. */
#define T_NATIVE(cond, name, why) do {                                                        \
		if (t_emulator())                                                               \
			t_skip((name), (why));                                                  \
		else                                                                            \
			T_OK(cond, name);                                                       \
	} while (0)
/* A check that cannot run here: "ok N - # SKIP why" (TAP skip; never counted as passed). */
#define T_SKIP(why) do { printf("ok %d - # SKIP %s\n", ++t_n, (why)); fflush(stdout); } while (0)
/* Call at the end of main: prints the plan and returns the exit status. */
static inline int t_done(void)
{
	printf("1..%d\n", t_n);
	return t_fail ? 1 : 0;
}
#endif
