/* buf: a growable byte buffer (always NUL-terminated), and the allocation wrappers that
 * die on out-of-memory, the one failure crbox does not try to recover from. */
#ifndef CRBOX_BUF_H
#define CRBOX_BUF_H
#include <stddef.h>
#include <stdarg.h>

struct buf {
	char *p;      /* NUL-terminated contents, NULL until the first add */
	size_t len;
	size_t cap;
};
#define BUF_INIT { 0, 0, 0 }

void buf_add(struct buf *b, const void *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void buf_reset(struct buf *b);      /* len = 0, keeps memory */
void buf_free(struct buf *b);
/* Returns the contents as a heap string and leaves b empty. */
char *buf_take(struct buf *b);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Out of memory and broken invariants: one line to stderr, then abort(). */
_Noreturn void die(const char *msg);

#endif
