/* fmt: a small printf-alike with no stdio, so the static binary carries no vfprintf.
 * Directives: %s %.*s %c %d %i %u %x %ld %lu %lx %lld %llu %zu %zd %jd %ju %p %%.
 * Flags: '-' (left-justify) and a decimal width, e.g. %-12s, %5d; %0Nd and %0Nx zero-pad.
 * A NULL %s prints "(null)". Output is always NUL-terminated when cap > 0. */
#ifndef CRBOX_FMT_H
#define CRBOX_FMT_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Returns the length the full output would have (like snprintf). */
size_t fmt_vsn(char *dst, size_t cap, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
size_t fmt_sn(char *dst, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Formats into a heap string (dies on out-of-memory). */
char *fmt_alloc(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Formats and writes to fd in one write where possible; returns 0 or -1 (errno set). */
int fmt_fd(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int fmt_vfd(int fd, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Writes all of buf to fd, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);
/* Decimal conversions; return the number of characters written (no NUL added). */
size_t fmt_u64(char *dst, uint64_t v);
size_t fmt_i64(char *dst, int64_t v);
/* Strict decimal parses: whole string, no sign for u64, range-checked. 0 ok, -1 bad. */
int parse_u64(const char *s, uint64_t *out);
int parse_i64(const char *s, int64_t *out);
int parse_int(const char *s, int *out);

#endif
