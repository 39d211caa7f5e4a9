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
	char old[sizeof e->msg];
	size_t n;
	va_list ap;

	memcpy(old, e->msg, sizeof old);
	va_start(ap, fmt);
	n = fmt_vsn(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	if (n < sizeof e->msg)
		fmt_sn(e->msg + n, sizeof e->msg - n, ": %s", old);
	return -1;
}

void err_clear(struct err *e)
{
	e->no = 0;
	e->msg[0] = 0;
}
