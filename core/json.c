/* json: strict RFC 8259 reader (see json.h). One pass tokenizes the whole document in place
 * into a flat token array linked by parent/first/next indices; the typed getters then read
 * tokens and report errors with a JSON path. Paths: ".key" for identifier-like keys
 * ([A-Za-z0-9_-]+), ["key"] with \" \\ and \u00XX escapes for any other key, "[i]" for
 * array elements, "." for the root. Numbers are kept as text and converted exactly on demand
 * (no strtod). Input must be valid UTF-8; a BOM is refused, as are NaN, hex and "1.". */
#include "json.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct parser {
	char *b;
	size_t len, pos;
	struct json_doc *d;
	int cap;
	int depth;
	int stack[JSON_MAX_DEPTH];   /* open containers */
	int last[JSON_MAX_DEPTH];    /* their last child so far, -1 if none */
	const char *key;             /* pending object key for the next token */
	size_t keylen;
	struct err *err;
};

static int perr(struct parser *p, size_t off, const char *what)
{
	return err_set(p->err, EINVAL, "%s: offset %zu: %s", p->d->name, off, what);
}

size_t json_utf8_len(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;          /* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f;          /* UTF-16 surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;          /* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f;          /* above U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->b[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int tok_new(struct parser *p, int type)
{
	struct json_doc *d = p->d;
	struct json_tok *t;
	int i = d->nt, parent = p->depth ? p->stack[p->depth - 1] : -1;

	if (d->nt == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		d->t = xrealloc(d->t, (size_t)p->cap * sizeof *d->t);
	}
	d->nt++;
	t = &d->t[i];
	memset(t, 0, sizeof *t);
	t->type = (unsigned char)type;
	t->parent = parent;
	t->next = t->first = -1;
	if (parent >= 0) {
		int *last = &p->last[p->depth - 1];
		if (*last < 0)
			d->t[parent].first = i;
		else
			d->t[*last].next = i;
		*last = i;
		d->t[parent].n++;
		if (d->t[parent].type == JSON_OBJ) {
			t->key = p->key;
			t->keylen = p->keylen;
		}
	}
	return i;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;
	for (i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Reads the \uXXXX escape at r (r points at the backslash); returns the bytes consumed. */
static int uescape(struct parser *p, size_t r, unsigned *cp)
{
	unsigned lo;
	if (p->len - r < 6 || hex4(p->b + r + 2, cp) < 0)
		return perr(p, r, "invalid \\u escape");
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return perr(p, r, "lone low surrogate in \\u escape");
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 6;
	if (p->len - r < 12 || p->b[r + 6] != '\\' || p->b[r + 7] != 'u' ||
	    hex4(p->b + r + 8, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
		return perr(p, r, "lone high surrogate in \\u escape");
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 12;
}

static size_t put_utf8(char *w, unsigned cp)
{
	if (cp < 0x80) {
		w[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		w[0] = (char)(0xc0 | cp >> 6);
		w[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		w[0] = (char)(0xe0 | cp >> 12);
		w[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		w[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	w[0] = (char)(0xf0 | cp >> 18);
	w[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	w[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	w[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Unescapes the string at pos (the opening quote) in place; output never outgrows input,
 * so the closing quote's byte always has room for the NUL. */
static int string(struct parser *p, const char **out, size_t *outlen)
{
	char *b = p->b;
	size_t start = p->pos + 1, r = start, w = start, n;
	unsigned cp;
	int k;

	for (;;) {
		if (r >= p->len)
			return perr(p, p->pos, "unterminated string");
		unsigned char c = (unsigned char)b[r];
		if (c == '"')
			break;
		if (c < 0x20)
			return perr(p, r, "control character in string");
		if (c == '\\') {
			if (r + 1 >= p->len)
				return perr(p, p->pos, "unterminated string");
			switch (b[r + 1]) {
			case '"': case '\\': case '/': b[w++] = b[r + 1]; break;
			case 'b': b[w++] = '\b'; break;
			case 'f': b[w++] = '\f'; break;
			case 'n': b[w++] = '\n'; break;
			case 'r': b[w++] = '\r'; break;
			case 't': b[w++] = '\t'; break;
			case 'u':
				if ((k = uescape(p, r, &cp)) < 0)
					return -1;
				w += put_utf8(b + w, cp);
				r += (size_t)k;
				continue;
			default:
				return perr(p, r, "invalid escape");
			}
			r += 2;
			continue;
		}
		if (c < 0x80) {
			b[w++] = b[r++];
			continue;
		}
		if (!(n = json_utf8_len(b + r, p->len - r)))
			return perr(p, r, "invalid UTF-8");
		while (n--)
			b[w++] = b[r++];
	}
	b[w] = 0;
	*out = b + start;
	*outlen = w - start;
	p->pos = r + 1;
	return 0;
}

static int digits(struct parser *p)
{
	size_t s = p->pos;
	while (p->pos < p->len && p->b[p->pos] >= '0' && p->b[p->pos] <= '9')
		p->pos++;
	return p->pos > s ? 0 : -1;
}

static int at(struct parser *p, char c)
{
	return p->pos < p->len && p->b[p->pos] == c;
}

static int is_word(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '.' || c == '+' || c == '-' || c == '_';
}

static int number(struct parser *p)
{
	size_t s = p->pos;
	int i;

	if (at(p, '-'))
		p->pos++;
	if (at(p, '0'))
		p->pos++;
	else if (digits(p) < 0)
		return perr(p, s, "invalid number");
	if (at(p, '.')) {
		p->pos++;
		if (digits(p) < 0)
			return perr(p, s, "invalid number");
	}
	if (at(p, 'e') || at(p, 'E')) {
		p->pos++;
		if (at(p, '+') || at(p, '-'))
			p->pos++;
		if (digits(p) < 0)
			return perr(p, s, "invalid number");
	}
	if (p->pos < p->len && is_word(p->b[p->pos]))
		return perr(p, s, "invalid number");
	i = tok_new(p, JSON_NUM);
	p->d->t[i].s = p->b + s;
	p->d->t[i].slen = p->pos - s;
	return 0;
}

static int literal(struct parser *p)
{
	static const char *const lit[] = { "null", "false", "true" };
	size_t s = p->pos, n;
	int k, i;

	for (k = 0; k < 3; k++) {
		n = strlen(lit[k]);
		if (p->len - s >= n && !memcmp(p->b + s, lit[k], n))
			break;
	}
	if (k == 3 || (s + n < p->len && is_word(p->b[s + n])))
		return perr(p, s, "invalid literal");
	p->pos += n;
	i = tok_new(p, k ? JSON_BOOL : JSON_NULL);
	p->d->t[i].b = k == 2;
	p->d->t[i].s = p->b + s;
	p->d->t[i].slen = n;
	return 0;
}

static int bad_char(struct parser *p, const char *what)
{
	char msg[64];
	unsigned char c;
	if (p->pos >= p->len)
		return perr(p, p->pos, "unexpected end of input");
	c = (unsigned char)p->b[p->pos];
	if (c > 0x20 && c < 0x7f)
		fmt_sn(msg, sizeof msg, "invalid character '%c'%s", c, what);
	else
		fmt_sn(msg, sizeof msg, "invalid byte 0x%02x%s", c, what);
	return perr(p, p->pos, msg);
}

/* Reads "key" : and leaves the key pending for the member's value. */
static int member_key(struct parser *p)
{
	skip_ws(p);
	if (!at(p, '"'))
		return bad_char(p, ", expected a string key");
	if (string(p, &p->key, &p->keylen) < 0)
		return -1;
	skip_ws(p);
	if (!at(p, ':'))
		return bad_char(p, ", expected ':'");
	p->pos++;
	return 0;
}

static int parse(struct parser *p)
{
	const char *s;
	size_t n;
	int i;

value:
	skip_ws(p);
	if (p->pos >= p->len)
		return perr(p, p->pos, p->d->nt ? "unexpected end of input" : "empty input");
	switch (p->b[p->pos]) {
	case '{': case '[':
		if (p->depth == JSON_MAX_DEPTH)
			return perr(p, p->pos, "nesting too deep");
		i = tok_new(p, p->b[p->pos] == '{' ? JSON_OBJ : JSON_ARR);
		p->stack[p->depth] = i;
		p->last[p->depth++] = -1;
		p->pos++;
		skip_ws(p);
		if (at(p, p->d->t[i].type == JSON_OBJ ? '}' : ']')) {
			p->pos++;
			p->depth--;
			goto next;
		}
		if (p->d->t[i].type == JSON_OBJ && member_key(p) < 0)
			return -1;
		goto value;
	case '"':
		if (string(p, &s, &n) < 0)
			return -1;
		i = tok_new(p, JSON_STR);
		p->d->t[i].s = s;
		p->d->t[i].slen = n;
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if (number(p) < 0)
			return -1;
		break;
	case 't': case 'f': case 'n':
		if (literal(p) < 0)
			return -1;
		break;
	default:
		return bad_char(p, " looking for a value");
	}
next:
	skip_ws(p);
	if (!p->depth) {
		if (p->pos < p->len)
			return bad_char(p, " after the top-level value");
		return 0;
	}
	i = p->stack[p->depth - 1];
	if (at(p, ',')) {
		p->pos++;
		if (p->d->t[i].type == JSON_OBJ && member_key(p) < 0)
			return -1;
		goto value;
	}
	if (at(p, p->d->t[i].type == JSON_OBJ ? '}' : ']')) {
		p->pos++;
		p->depth--;
		goto next;
	}
	return bad_char(p, p->d->t[i].type == JSON_OBJ ? ", expected ',' or '}'" :
							  ", expected ',' or ']'");
}

int json_parse(struct json_doc *d, const char *name, char *buf, size_t len, struct err *err)
{
	struct parser p;

	memset(d, 0, sizeof *d);
	d->name = name;
	if (len > JSON_MAX_SIZE)
		return err_set(err, EFBIG, "%s: too large: %zu bytes (limit %u)", name, len,
			       JSON_MAX_SIZE);
	memset(&p, 0, sizeof p);
	p.b = buf;
	p.len = len;
	p.d = d;
	p.err = err;
	if (parse(&p) < 0) {
		free(d->t);
		d->t = NULL;
		d->nt = 0;
		return -1;
	}
	return 0;
}

int json_load(struct json_doc *d, int dirfd, const char *path, const char *name, struct err *err)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t r;
	int fd;

	memset(d, 0, sizeof *d);
	if (!name)
		name = path;
	d->name = name;
	/* O_NONBLOCK: a FIFO must not block the open; regular files ignore it. */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return err_sys(err, "open %s", name);
	if (fstat(fd, &st) < 0) {
		err_sys(err, "stat %s", name);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(err, EINVAL, "%s: not a regular file", name);
	}
	if (st.st_size > (off_t)JSON_MAX_SIZE) {
		close(fd);
		return err_set(err, EFBIG, "%s: too large: %lld bytes (limit %u)", name,
			       (long long)st.st_size, JSON_MAX_SIZE);
	}
	/* Read until EOF, at most one byte past the limit (the file may grow meanwhile). */
	size_t cap = (size_t)st.st_size + 1;
	if (cap < 4096)
		cap = 4096;
	if (cap > JSON_MAX_SIZE + 1)
		cap = JSON_MAX_SIZE + 1;
	buf = xmalloc(cap);
	for (;;) {
		if (got == cap) {
			if (cap > JSON_MAX_SIZE)
				break;
			cap = cap * 2 > JSON_MAX_SIZE + 1 ? JSON_MAX_SIZE + 1 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_sys(err, "read %s", name);
			free(buf);
			close(fd);
			return -1;
		}
		if (!r)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got > JSON_MAX_SIZE) {
		free(buf);
		return err_set(err, EFBIG, "%s: too large: over %u bytes", name, JSON_MAX_SIZE);
	}
	if (json_parse(d, name, buf, got, err) < 0) {
		free(buf);
		return -1;
	}
	d->buf = buf;
	return 0;
}

void json_free(struct json_doc *d)
{
	free(d->buf);
	free(d->t);
	d->buf = NULL;
	d->t = NULL;
	d->nt = 0;
}

int json_get(const struct json_doc *d, int obj, const char *key)
{
	size_t n = strlen(key);
	int i, found = -1;

	if (obj < 0 || obj >= d->nt || d->t[obj].type != JSON_OBJ)
		return -1;
	json_for_each(d, obj, i)
		if (d->t[i].keylen == n && !memcmp(d->t[i].key, key, n))
			found = i;
	return found;
}

static int ident(const char *k, size_t n)
{
	size_t i;
	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = k[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void path_key(struct buf *b, const char *k, size_t n)
{
	size_t i;
	char u[8];

	if (ident(k, n)) {
		buf_addc(b, '.');
		buf_add(b, k, n);
		return;
	}
	buf_adds(b, "[\"");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)k[i];
		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			fmt_sn(u, sizeof u, "\\u%04x", c);
			buf_adds(b, u);
		} else {
			buf_addc(b, (char)c);
		}
	}
	buf_adds(b, "\"]");
}

static void path_of(const struct json_doc *d, int i, struct buf *b)
{
	const struct json_tok *t = &d->t[i];
	int k, idx = 0;

	if (t->parent < 0)
		return;
	path_of(d, t->parent, b);
	if (d->t[t->parent].type == JSON_OBJ) {
		path_key(b, t->key, t->keylen);
		return;
	}
	for (k = d->t[t->parent].first; k >= 0 && k != i; k = d->t[k].next)
		idx++;
	buf_addf(b, "[%d]", idx);
}

/* "name: <path of i, then .key if key>: <fmt>" */
static __attribute__((format(printf, 5, 0)))
int verr_at(const struct json_doc *d, int i, const char *key, struct err *err,
	    const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, d->name ? d->name : "(json)");
	buf_adds(&b, ": ");
	size_t mark = b.len;
	if (i >= 0 && i < d->nt)
		path_of(d, i, &b);
	if (key)
		path_key(&b, key, strlen(key));
	if (b.len == mark)
		buf_addc(&b, '.');
	buf_adds(&b, ": ");
	buf_vaddf(&b, fmt, ap);
	err_set(err, EINVAL, "%s", b.p);
	buf_free(&b);
	return -1;
}

static __attribute__((format(printf, 5, 6)))
int err_at(const struct json_doc *d, int i, const char *key, struct err *err,
	   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr_at(d, i, key, err, fmt, ap);
	va_end(ap);
	return -1;
}

int json_err(const struct json_doc *d, int i, struct err *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr_at(d, i, NULL, err, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *const type_names[] = {
	"null", "boolean", "number", "string", "array", "object"
};

static int valid(const struct json_doc *d, int i, struct err *err)
{
	if (i >= 0 && i < d->nt)
		return 0;
	return err_set(err, EINVAL, "%s: no such JSON value (%d)", d->name, i);
}

int json_expect(const struct json_doc *d, int i, enum json_type type, struct err *err)
{
	if (valid(d, i, err) < 0)
		return -1;
	if (d->t[i].type != type)
		return json_err(d, i, err, "expected %s", type_names[type]);
	return 0;
}

int json_str(const struct json_doc *d, int i, const char **out, struct err *err)
{
	if (json_expect(d, i, JSON_STR, err) < 0)
		return -1;
	if (memchr(d->t[i].s, 0, d->t[i].slen))
		return json_err(d, i, err, "string contains a NUL character");
	*out = d->t[i].s;
	return 0;
}

int json_bool(const struct json_doc *d, int i, int *out, struct err *err)
{
	if (json_expect(d, i, JSON_BOOL, err) < 0)
		return -1;
	*out = d->t[i].b;
	return 0;
}

/* Integer value of a number token, read as Go's encoding/json reads an integer field
 * (strconv.ParseInt/ParseUint base 10): only an optional '-' and digits; a fraction or an
 * exponent ("1e3", "100.0") is not an integer even when its value is. Magnitude in *mag,
 * sign in *neg. Returns 0, 1 if not an integer, 2 if the magnitude exceeds UINT64_MAX. */
static int num_int(const struct json_tok *t, uint64_t *mag, int *neg)
{
	const char *s = t->s, *e = t->s + t->slen;
	uint64_t v = 0;

	*neg = s < e && *s == '-';
	s += *neg;
	if (s == e)
		return 1;
	for (; s < e; s++) {
		unsigned dgt;
		if (*s < '0' || *s > '9')
			return 1;
		dgt = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - dgt) / 10)
			return 2;
		v = v * 10 + dgt;
	}
	*mag = v;
	return 0;
}

int json_i64(const struct json_doc *d, int i, int64_t *out, struct err *err)
{
	uint64_t m;
	int neg, r;

	if (valid(d, i, err) < 0)
		return -1;
	if (d->t[i].type != JSON_NUM || (r = num_int(&d->t[i], &m, &neg)) == 1)
		return json_err(d, i, err, "expected integer");
	if (r == 2 || m > (uint64_t)INT64_MAX + neg)
		return json_err(d, i, err, "integer out of range");
	*out = neg ? (int64_t)(0 - m) : (int64_t)m;
	return 0;
}

int json_u64(const struct json_doc *d, int i, uint64_t *out, struct err *err)
{
	uint64_t m;
	int neg, r;

	if (valid(d, i, err) < 0)
		return -1;
	if (d->t[i].type != JSON_NUM || (r = num_int(&d->t[i], &m, &neg)) == 1)
		return json_err(d, i, err, "expected unsigned integer");
	if (neg)   /* ParseUint refuses any sign, "-0" too */
		return json_err(d, i, err, "expected unsigned integer");
	if (r == 2)
		return json_err(d, i, err, "integer out of range");
	*out = m;
	return 0;
}

/* Member key of obj, or -1 when absent or null. */
static int member(const struct json_doc *d, int obj, const char *key)
{
	int i = json_get(d, obj, key);
	return i >= 0 && d->t[i].type == JSON_NULL ? -1 : i;
}

int json_opt_str(const struct json_doc *d, int obj, const char *key, const char **out,
		 struct err *err)
{
	int i = member(d, obj, key);
	return i < 0 ? 0 : json_str(d, i, out, err);
}

int json_opt_bool(const struct json_doc *d, int obj, const char *key, int *out, struct err *err)
{
	int i = member(d, obj, key);
	return i < 0 ? 0 : json_bool(d, i, out, err);
}

int json_opt_i64(const struct json_doc *d, int obj, const char *key, int64_t *out,
		 struct err *err)
{
	int i = member(d, obj, key);
	return i < 0 ? 0 : json_i64(d, i, out, err);
}

int json_opt_u64(const struct json_doc *d, int obj, const char *key, uint64_t *out,
		 struct err *err)
{
	int i = member(d, obj, key);
	return i < 0 ? 0 : json_u64(d, i, out, err);
}

int json_opt_arr(const struct json_doc *d, int obj, const char *key, struct err *err)
{
	int i = member(d, obj, key);
	if (i < 0)
		return -1;
	return json_expect(d, i, JSON_ARR, err) < 0 ? -2 : i;
}

int json_opt_obj(const struct json_doc *d, int obj, const char *key, struct err *err)
{
	int i = member(d, obj, key);
	if (i < 0)
		return -1;
	return json_expect(d, i, JSON_OBJ, err) < 0 ? -2 : i;
}

int json_req_str(const struct json_doc *d, int obj, const char *key, const char **out,
		 struct err *err)
{
	int i = json_get(d, obj, key);
	if (i < 0 && json_expect(d, obj, JSON_OBJ, err) < 0)
		return -1;
	if (i < 0)
		return err_at(d, obj, key, err, "missing");
	return json_str(d, i, out, err);
}
