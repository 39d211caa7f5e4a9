/* buf: growable buffer and allocation wrappers. */
#include "buf.h"
#include "fmt.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Noreturn void die(const char *msg)
{
	static const char pfx[] = "crbox: fatal: ";
	(void)!write(2, pfx, sizeof pfx - 1);
	(void)!write(2, msg, strlen(msg));
	(void)!write(2, "\n", 1);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		die("out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

static void grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need < extra)
		die("buffer size overflow");
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void buf_add(struct buf *b, const void *s, size_t n)
{
	grow(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	size_t n;

	grow(b, 64);
	va_copy(ap2, ap);
	n = fmt_vsn(b->p + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (b->len + n >= b->cap) {
		grow(b, n);
		fmt_vsn(b->p + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

char *buf_take(struct buf *b)
{
	char *p = b->p ? b->p : xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}
