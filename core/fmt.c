/* fmt: printf-like formatting without stdio (see fmt.h for the directives it knows). */
#include "fmt.h"
#include "buf.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

size_t fmt_u64(char *dst, uint64_t v)
{
	char t[20];
	size_t n = 0, i;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		dst[i] = t[n - 1 - i];
	return n;
}

size_t fmt_i64(char *dst, int64_t v)
{
	if (v < 0) {
		dst[0] = '-';
		return 1 + fmt_u64(dst + 1, (uint64_t)0 - (uint64_t)v);
	}
	return fmt_u64(dst, (uint64_t)v);
}

static size_t fmt_hex(char *dst, uint64_t v)
{
	char t[16];
	size_t n = 0, i;
	do {
		t[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	for (i = 0; i < n; i++)
		dst[i] = t[n - 1 - i];
	return n;
}

struct out {
	char *dst;
	size_t cap, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->cap) {
		size_t room = o->cap - o->len;
		memcpy(o->dst + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void pad(struct out *o, char c, size_t n)
{
	while (n--)
		put(o, &c, 1);
}

/* The length modifier of a directive: each is read from the va_list at its own type, whose
 * width differs between ABIs (size_t and long are 32-bit on i386 and armhf, intmax_t and
 * long long are 64-bit everywhere). */
enum size { SZ_INT, SZ_LONG, SZ_LLONG, SZ_SIZE, SZ_MAX, SZ_PTRDIFF };

static const char *length(const char *f, enum size *sz)
{
	switch (*f) {
	case 'l':
		if (f[1] == 'l') {
			*sz = SZ_LLONG;
			return f + 2;
		}
		*sz = SZ_LONG;
		return f + 1;
	case 'z': *sz = SZ_SIZE; return f + 1;
	case 'j': *sz = SZ_MAX; return f + 1;
	case 't': *sz = SZ_PTRDIFF; return f + 1;
	default: *sz = SZ_INT; return f;
	}
}

/* The va_list goes by pointer to a local copy (fmt_vsn's own), so that every read advances
 * it on every ABI: on some a va_list is an array type, on others a plain pointer. */
static int64_t arg_signed(va_list *ap, enum size sz)
{
	switch (sz) {
	case SZ_LONG: return va_arg(*ap, long);
	case SZ_LLONG: return va_arg(*ap, long long);
	case SZ_SIZE: return va_arg(*ap, ssize_t);
	case SZ_MAX: return va_arg(*ap, intmax_t);
	case SZ_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(va_list *ap, enum size sz)
{
	switch (sz) {
	case SZ_LONG: return va_arg(*ap, unsigned long);
	case SZ_LLONG: return va_arg(*ap, unsigned long long);
	case SZ_SIZE: return va_arg(*ap, size_t);
	case SZ_MAX: return va_arg(*ap, uintmax_t);
	case SZ_PTRDIFF: return (uint64_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned);
	}
}

size_t fmt_vsn(char *dst, size_t cap, const char *f, va_list ap0)
{
	va_list ap;
	struct out o = { dst, cap ? cap - 1 : 0, 0 };
	char num[24];

	va_copy(ap, ap0);
	while (*f) {
		const char *s;
		size_t n, width = 0;
		int left = 0, zero = 0, prec = -1;
		enum size sz = SZ_INT;

		if (*f != '%') {
			for (s = f; *f && *f != '%'; f++)
				;
			put(&o, s, (size_t)(f - s));
			continue;
		}
		f++;
		if (*f == '-') { left = 1; f++; }
		if (*f == '0') { zero = 1; f++; }
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (size_t)(*f++ - '0');
		if (f[0] == '.' && f[1] == '*') {
			prec = va_arg(ap, int);
			f += 2;
		}
		f = length(f, &sz);
		switch (*f) {
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
			break;
		case 'c':
			num[0] = (char)va_arg(ap, int);
			s = num;
			n = 1;
			break;
		case 'd': case 'i':
			n = fmt_i64(num, arg_signed(&ap, sz));
			s = num;
			break;
		case 'u': case 'x': {
			uint64_t v = arg_unsigned(&ap, sz);
			n = *f == 'u' ? fmt_u64(num, v) : fmt_hex(num, v);
			s = num;
			break;
		}
		case 'p':
			num[0] = '0';
			num[1] = 'x';
			n = 2 + fmt_hex(num + 2, (uint64_t)(uintptr_t)va_arg(ap, void *));
			s = num;
			break;
		case '%':
			s = "%";
			n = 1;
			break;
		default:   /* unknown directive: print it as it is */
			s = f - 1;
			n = *f ? 2 : 1;
			break;
		}
		if (*f)
			f++;
		if (!left && width > n) {
			if (zero && s == num && num[0] == '-') {
				put(&o, "-", 1);
				pad(&o, '0', width - n);
				put(&o, s + 1, n - 1);
				continue;
			}
			pad(&o, zero ? '0' : ' ', width - n);
		}
		put(&o, s, n);
		if (left && width > n)
			pad(&o, ' ', width - n);
	}
	va_end(ap);
	if (cap)
		dst[o.len < o.cap ? o.len : o.cap] = 0;
	return o.len;
}

size_t fmt_sn(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	va_start(ap, fmt);
	n = fmt_vsn(dst, cap, fmt, ap);
	va_end(ap);
	return n;
}

char *fmt_alloc(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return buf_take(&b);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fmt_vfd(int fd, const char *fmt, va_list ap)
{
	char small[512];
	va_list ap2;
	size_t n;
	int r;

	va_copy(ap2, ap);
	n = fmt_vsn(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < sizeof small)
		return write_all(fd, small, n);
	struct buf b = BUF_INIT;
	buf_vaddf(&b, fmt, ap);
	r = write_all(fd, b.p, b.len);
	buf_free(&b);
	return r;
}

int fmt_fd(int fd, const char *fmt, ...)
{
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = fmt_vfd(fd, fmt, ap);
	va_end(ap);
	return r;
}

int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int parse_i64(const char *s, int64_t *out)
{
	uint64_t v;
	int neg = 0;
	if (s && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	if (parse_u64(s, &v) < 0)
		return -1;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int parse_int(const char *s, int *out)
{
	int64_t v;
	if (parse_i64(s, &v) < 0 || v < -2147483647 - 1 || v > 2147483647)
		return -1;
	*out = (int)v;
	return 0;
}
