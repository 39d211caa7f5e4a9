/* t_fmt: core/fmt.c (fmt_sn checked against the C library's snprintf for every directive it
 * documents, truncation, fmt_alloc, fmt_fd, parse_*), core/buf.c (growth, take, reset) and
 * core/err.c (err_set, err_sys, err_wrap, truncation of long messages). */
#include "t.h"
#include "fmt.h"
#include "buf.h"
#include "err.h"
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* fmt_sn and snprintf must agree on the text and the returned length. */
#define SAME(...) do {                                                                    \
		char a_[256], b_[256];                                                   \
		size_t na_ = fmt_sn(a_, sizeof a_, __VA_ARGS__);                          \
		int nb_ = snprintf(b_, sizeof b_, __VA_ARGS__);                          \
		char nm_[300];                                                           \
		snprintf(nm_, sizeof nm_, "fmt_sn %s", #__VA_ARGS__);                    \
		if (!T_OK(na_ == (size_t)nb_ && !strcmp(a_, b_), nm_))                   \
			printf("#   got: \"%s\" (%zu)\n#   libc: \"%s\" (%d)\n", a_, na_, b_, nb_); \
	} while (0)

static void test_directives(void)
{
	const char *volatile nul = NULL;   /* volatile: not known to the format checker */
	char s[64];

	SAME("plain text");
	T_INTEQ(fmt_sn(s, sizeof s, "%s", ""), 0, "fmt_sn empty output");
	T_STREQ(s, "", "fmt_sn empty output is terminated");
	SAME("%s|%s", "abc", "");
	SAME("%.*s|", 3, "abcdef");
	SAME("%.*s|", 0, "abcdef");
	SAME("%.*s|", 10, "abc");
	SAME("%d %d %d", 0, -1, 42);
	SAME("%d %d", INT_MAX, INT_MIN);
	SAME("%i", -7);
	SAME("%u %u", 0u, UINT_MAX);
	SAME("%x %x %x", 0u, 255u, 0xdeadbeefu);
	SAME("%ld %ld", LONG_MAX, LONG_MIN);
	SAME("%lu %lx", ULONG_MAX, ULONG_MAX);
	SAME("%lld %lld", LLONG_MAX, LLONG_MIN);
	SAME("%llu", ULLONG_MAX);
	SAME("%zu %zd", (size_t)SIZE_MAX, (ssize_t)-5);
	SAME("%jd %ju", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX);
	SAME("[%-8s]", "ab");
	SAME("[%-8s]", "abcdefghij");
	SAME("[%8s]", "ab");
	SAME("[%5d]", 42);
	SAME("[%5d]", -42);
	SAME("[%-5d]", -42);
	SAME("[%05d]", 42);
	SAME("[%05d]", -42);
	SAME("[%02d]", 123);
	SAME("[%08x]", 0xbeefu);
	SAME("[%2x]", 0xau);
	SAME("%c%c", 'o', 'k');
	SAME("100%%");
	SAME("%s=%d,%s=%u", "a", -1, "b", 2u);
	SAME("%p", (void *)0x1234);
	/* Each length modifier is read at its own width: on 32-bit targets size_t and long are
	 * 32-bit and intmax_t 64-bit, so a wrong width shifts every later argument. */
	SAME("%zu|%d|%zd|%s", (size_t)7, 8, (ssize_t)-9, "x");
	SAME("%zu|%zx|%u", SIZE_MAX, (size_t)0xabc, 5u);
	SAME("%jd|%d|%ju|%s", (intmax_t)-3, 4, (uintmax_t)5, "y");
	SAME("%td|%d|%lu|%d", (ptrdiff_t)-6, 7, 8ul, 9);
	SAME("%ld|%d|%lld|%d", -10l, 11, -12ll, 13);
	SAME("%5zu|%-4zd|%08zx", (size_t)42, (ssize_t)-1, (size_t)0xbeef);
	/* documented differences from libc (through a variable, since printf's rules that the
	 * compiler checks say otherwise) */
	const char *const odd[] = { "%s", "a%qb", "a%" };
	fmt_sn(s, sizeof s, odd[0], nul);
	T_STREQ(s, "(null)", "fmt_sn NULL %s prints (null)");
	T_INTEQ(fmt_sn(s, sizeof s, odd[1]), 4, "fmt_sn unknown directive printed as is");
	T_STREQ(s, "a%qb", "fmt_sn unknown directive text");
	T_INTEQ(fmt_sn(s, sizeof s, odd[2]), 2, "fmt_sn lone % at the end");
	T_STREQ(s, "a%", "fmt_sn lone % text");
}

static void test_trunc(void)
{
	char s[8];
	char big[2000];

	memset(s, 'x', sizeof s);
	T_INTEQ(fmt_sn(s, 5, "%s-%d", "abcdef", 12345), 12, "truncation returns the full length");
	T_STREQ(s, "abcd", "truncation keeps cap-1 bytes and NUL-terminates");
	T_INTEQ(s[5], 'x', "truncation writes nothing past cap");
	T_INTEQ(fmt_sn(s, 1, "abc"), 3, "cap 1: length");
	T_STREQ(s, "", "cap 1: empty string");
	T_INTEQ(fmt_sn(NULL, 0, "abc%d", 7), 4, "cap 0: only measures");
	T_INTEQ(fmt_sn(s, 8, "%5d", -1), 5, "fits exactly below cap");
	T_STREQ(s, "   -1", "padded number");
	T_INTEQ(fmt_sn(s, 4, "%05d", -42), 5, "zero padding truncated: length");
	T_STREQ(s, "-00", "zero padding truncated: text");
	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = 0;
	T_INTEQ(fmt_sn(s, sizeof s, "%s!", big), sizeof big, "long %s: full length");
	T_STREQ(s, "yyyyyyy", "long %s: truncated");
}

static void test_numconv(void)
{
	char s[32];
	T_INTEQ(fmt_u64(s, 0), 1, "fmt_u64 0");
	s[1] = 0;
	T_STREQ(s, "0", "fmt_u64 0 text");
	s[fmt_u64(s, UINT64_MAX)] = 0;
	T_STREQ(s, "18446744073709551615", "fmt_u64 max");
	s[fmt_i64(s, INT64_MIN)] = 0;
	T_STREQ(s, "-9223372036854775808", "fmt_i64 min");
	s[fmt_i64(s, -1)] = 0;
	T_STREQ(s, "-1", "fmt_i64 -1");
}

static void test_parse(void)
{
	uint64_t u = 7;
	int64_t i = 7;
	int n = 7;

	T_OK(parse_u64("0", &u) == 0 && u == 0, "parse_u64 0");
	T_OK(parse_u64("007", &u) == 0 && u == 7, "parse_u64 leading zeros");
	T_OK(parse_u64("18446744073709551615", &u) == 0 && u == UINT64_MAX, "parse_u64 max");
	u = 7;
	T_OK(parse_u64("18446744073709551616", &u) < 0 && u == 7, "parse_u64 max+1");
	T_OK(parse_u64("99999999999999999999", &u) < 0, "parse_u64 overflow");
	T_OK(parse_u64("", &u) < 0, "parse_u64 empty");
	T_OK(parse_u64(NULL, &u) < 0, "parse_u64 NULL");
	T_OK(parse_u64("+1", &u) < 0, "parse_u64 plus");
	T_OK(parse_u64("-1", &u) < 0, "parse_u64 minus");
	T_OK(parse_u64(" 1", &u) < 0, "parse_u64 leading space");
	T_OK(parse_u64("1 ", &u) < 0, "parse_u64 trailing space");
	T_OK(parse_u64("12a", &u) < 0, "parse_u64 garbage");
	T_OK(parse_u64("0x10", &u) < 0, "parse_u64 hex");
	T_OK(u == 7, "parse_u64 failures leave *out alone");

	T_OK(parse_i64("-9223372036854775808", &i) == 0 && i == INT64_MIN, "parse_i64 min");
	T_OK(parse_i64("9223372036854775807", &i) == 0 && i == INT64_MAX, "parse_i64 max");
	T_OK(parse_i64("+5", &i) == 0 && i == 5, "parse_i64 plus sign");
	T_OK(parse_i64("-0", &i) == 0 && i == 0, "parse_i64 -0");
	i = 7;
	T_OK(parse_i64("9223372036854775808", &i) < 0, "parse_i64 max+1");
	T_OK(parse_i64("-9223372036854775809", &i) < 0, "parse_i64 min-1");
	T_OK(parse_i64("-", &i) < 0, "parse_i64 lone minus");
	T_OK(parse_i64("+", &i) < 0, "parse_i64 lone plus");
	T_OK(parse_i64("--1", &i) < 0, "parse_i64 double sign");
	T_OK(parse_i64("+-1", &i) < 0, "parse_i64 mixed signs");
	T_OK(parse_i64("", &i) < 0, "parse_i64 empty");
	T_OK(parse_i64(NULL, &i) < 0, "parse_i64 NULL");
	T_OK(parse_i64("1.0", &i) < 0, "parse_i64 fraction");
	T_OK(i == 7, "parse_i64 failures leave *out alone");

	T_OK(parse_int("2147483647", &n) == 0 && n == INT_MAX, "parse_int max");
	T_OK(parse_int("-2147483648", &n) == 0 && n == INT_MIN, "parse_int min");
	n = 7;
	T_OK(parse_int("2147483648", &n) < 0, "parse_int max+1");
	T_OK(parse_int("-2147483649", &n) < 0, "parse_int min-1");
	T_OK(parse_int("99999999999999999999", &n) < 0, "parse_int overflow");
	T_OK(parse_int("1x", &n) < 0, "parse_int garbage");
	T_OK(n == 7, "parse_int failures leave *out alone");
}

static void test_buf(void)
{
	struct buf b = BUF_INIT;
	char *p;
	int k, ok = 1;

	buf_reset(&b);
	T_OK(b.p == NULL && b.len == 0, "buf: reset of an empty buf");
	buf_add(&b, "", 0);
	T_OK(b.p && !strcmp(b.p, "") && b.len == 0, "buf: empty add allocates and terminates");
	for (k = 0; k < 10000; k++)
		buf_addc(&b, (char)('a' + k % 26));
	T_INTEQ(b.len, 10000, "buf: 10000 addc");
	for (k = 0; k < 10000; k++)
		if (b.p[k] != 'a' + k % 26)
			ok = 0;
	T_OK(ok && b.p[10000] == 0 && b.cap > 10000, "buf: contents, NUL and capacity after growth");
	buf_reset(&b);
	T_OK(b.len == 0 && b.p[0] == 0 && b.cap > 10000, "buf: reset keeps memory");
	buf_adds(&b, "x=");
	buf_addf(&b, "%d,%s", -3, "y");
	T_STREQ(b.p, "x=-3,y", "buf: addf appends");
	char big[5000];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = 0;
	buf_reset(&b);
	buf_free(&b);
	buf_addf(&b, "<%s>", big);
	T_INTEQ(b.len, 5001, "buf: addf longer than the first guess");
	T_OK(b.p[0] == '<' && b.p[5000] == '>' && b.p[5001] == 0, "buf: addf long contents");
	buf_addf(&b, "%s", "");
	T_INTEQ(b.len, 5001, "buf: addf of nothing");
	p = buf_take(&b);
	T_OK(p && strlen(p) == 5001 && b.p == NULL && b.len == 0 && b.cap == 0, "buf: take");
	free(p);
	p = buf_take(&b);
	T_STREQ(p, "", "buf: take of an empty buf gives \"\"");
	free(p);
	buf_add(&b, "a\0b", 3);
	T_OK(b.len == 3 && !memcmp(b.p, "a\0b", 4), "buf: binary add");
	buf_free(&b);
	T_OK(b.p == NULL && b.len == 0 && b.cap == 0, "buf: free");
	p = xstrndup("abcdef", 3);
	T_STREQ(p, "abc", "xstrndup");
	free(p);
	p = fmt_alloc("%s-%05d", "n", 42);
	T_STREQ(p, "n-00042", "fmt_alloc");
	free(p);
}

static void test_fd(void)
{
	int pfd[2];
	char rd[4096], big[1500];
	ssize_t n;
	size_t got = 0;

	signal(SIGPIPE, SIG_IGN);
	T_OK(pipe(pfd) == 0, "fmt_fd: pipe");
	T_OK(fmt_fd(pfd[1], "%s %d\n", "hello", 7) == 0, "fmt_fd: short");
	n = read(pfd[0], rd, sizeof rd);
	T_OK(n == 8 && !memcmp(rd, "hello 7\n", 8), "fmt_fd: short text");
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = 0;
	T_OK(fmt_fd(pfd[1], "[%s]", big) == 0, "fmt_fd: longer than its stack buffer");
	while (got < 1501 && (n = read(pfd[0], rd + got, sizeof rd - got)) > 0)
		got += (size_t)n;
	T_OK(got == 1501 && rd[0] == '[' && rd[1499] == 'q' && rd[1500] == ']',
	     "fmt_fd: long text");
	close(pfd[0]);
	T_OK(write_all(pfd[1], "x", 1) < 0 && errno == EPIPE, "write_all: error reported");
	close(pfd[1]);
}

static void test_err(void)
{
	struct err e;
	char longs[3000];

	T_INTEQ(err_set(&e, EINVAL, "bad %s %d", "thing", 3), -1, "err_set returns -1");
	T_STREQ(e.msg, "bad thing 3", "err_set message");
	T_INTEQ(e.no, EINVAL, "err_set no");
	T_INTEQ(err_wrap(&e, "ctx %d", 1), -1, "err_wrap returns -1");
	T_STREQ(e.msg, "ctx 1: bad thing 3", "err_wrap prepends");
	T_INTEQ(e.no, EINVAL, "err_wrap keeps no");
	err_wrap(&e, "outer");
	T_STREQ(e.msg, "outer: ctx 1: bad thing 3", "err_wrap twice");
	errno = ENOENT;
	T_INTEQ(err_sys(&e, "open %s", "x.json"), -1, "err_sys returns -1");
	T_STREQ(e.msg, "open x.json: No such file or directory", "err_sys message");
	T_INTEQ(e.no, ENOENT, "err_sys no");
	T_INTEQ(errno, ENOENT, "err_sys keeps errno");
	errno = EACCES;
	err_sys(&e, "mkdir");
	T_STREQ(e.msg, "mkdir: Permission denied", "err_sys EACCES");
	err_clear(&e);
	T_OK(e.no == 0 && e.msg[0] == 0, "err_clear");
	memset(longs, 'L', sizeof longs - 1);
	longs[sizeof longs - 1] = 0;
	err_set(&e, 1, "%s", longs);
	T_INTEQ(strlen(e.msg), sizeof e.msg - 1, "err_set truncates long messages");
	err_set(&e, 1, "cause");
	err_wrap(&e, "%s", longs);
	T_INTEQ(strlen(e.msg), sizeof e.msg - 1, "err_wrap truncates");
	T_OK(e.msg[0] == 'L', "err_wrap truncation keeps the new context");
	memset(longs, 'c', 1020);
	longs[1020] = 0;
	err_set(&e, 1, "%s", longs);
	err_wrap(&e, "w");
	T_OK(strlen(e.msg) == sizeof e.msg - 1 && !strncmp(e.msg, "w: ccc", 6),
	     "err_wrap of a long message truncates its tail");
	errno = ENOENT;
	err_sys(&e, "%s", longs);
	T_OK(strlen(e.msg) == sizeof e.msg - 1 && e.no == ENOENT, "err_sys with a long prefix");
	err_set(&e, 0, "inner");
	err_wrap(&e, "self %s", e.msg);
	T_STREQ(e.msg, "self inner: inner", "err_wrap may use e->msg as an argument");
}

int main(void)
{
	test_directives();
	test_trunc();
	test_numconv();
	test_parse();
	test_buf();
	test_fd();
	test_err();
	return t_done();
}
