/* err: the error value every core/ function fills instead of printing or exiting.
 * Contract: core functions return -1 (or NULL) on failure with *err filled; they never
 * print and never exit. Applets report an err once, through report() in applets/common.c. */
#ifndef CRBOX_ERR_H
#define CRBOX_ERR_H
#include <stdarg.h>

struct err {
	int no;            /* errno-style cause, 0 when there is none */
	char msg[1024];    /* "context: context: cause", NUL-terminated, truncated if long */
};

/* Sets the message from a format (see fmt.h for the directives); returns -1. */
int err_set(struct err *e, int no, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_vset(struct err *e, int no, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Like err_set, with ": <strerror(errno)>" appended and e->no = errno. Returns -1. */
int err_sys(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prepends "<context>: " to the message; keeps e->no. Returns -1. */
int err_wrap(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);

#endif
