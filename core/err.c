/* err: fill and wrap error messages (see err.h). */
#include "err.h"
#include "fmt.h"
#include <errno.h>
#include <string.h>

int err_vset(struct err *e, int no, const char *fmt, va_list ap)
{
	e->no = no;
	fmt_vsn(e->msg, sizeof e->msg, fmt, ap);
	return -1;
}

int err_set(struct err *e, int no, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, no, fmt, ap);
	va_end(ap);
	return -1;
}

int err_sys(struct err *e, const char *fmt, ...)
{
	int no = errno;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vsn(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	if (n < sizeof e->msg)
		fmt_sn(e->msg + n, sizeof e->msg - n, ": %s", strerror(no));
	e->no = no;
	errno = no;
	return -1;
}

int err_wrap(struct err *e, const char *fmt, ...)
{
	char ctx[sizeof e->msg];
	size_t n;
	va_list ap;

	/* The context is formatted apart first: its arguments may point into e->msg. */
	va_start(ap, fmt);
	n = fmt_vsn(ctx, sizeof ctx, fmt, ap);
	va_end(ap);
	if (n < sizeof ctx - 2) {
		memmove(e->msg + n + 2, e->msg, sizeof e->msg - n - 2);
		e->msg[sizeof e->msg - 1] = 0;
		memcpy(e->msg, ctx, n);
		e->msg[n] = ':';
		e->msg[n + 1] = ' ';
	} else {
		memcpy(e->msg, ctx, sizeof e->msg);
	}
	return -1;
}

void err_clear(struct err *e)
{
	e->no = 0;
	e->msg[0] = 0;
}
