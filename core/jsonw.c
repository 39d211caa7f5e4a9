/* jsonw: JSON writer into a struct buf (see jsonw.h). Output matches Go's encoding/json
 * as runc (Go <= 1.21) writes it: Marshal's compact form, MarshalIndent(v, "", "  ")'s
 * indented form, and its string escaping (HTML-safe, U+2028/9 escaped, bad UTF-8 -> U+FFFD).
 * jw_str(w, NULL) writes null. No printf: numbers go through fmt_u64/fmt_i64. */
#include "jsonw.h"
#include "json.h"
#include "fmt.h"
#include <string.h>

void jw_init(struct jw *w, struct buf *b, int indent)
{
	memset(w, 0, sizeof *w);
	w->b = b;
	w->indent = indent;
}

static void newline(struct jw *w)
{
	int i;
	if (!w->indent)
		return;
	buf_addc(w->b, '\n');
	for (i = 0; i < w->depth * w->indent; i++)
		buf_addc(w->b, ' ');
}

/* Separator and indentation before a value (or a key) at the current level. */
static void item(struct jw *w, int iskey)
{
	if (!iskey && w->afterkey) {
		w->afterkey = 0;
		return;
	}
	if (!w->depth) {
		if (iskey)
			die("jsonw: key outside an object");
		return;
	}
	if (w->afterkey || iskey != w->isobj[w->depth - 1])
		die(iskey ? "jsonw: key outside an object" : "jsonw: value without a key");
	if (!w->first[w->depth - 1])
		buf_addc(w->b, ',');
	w->first[w->depth - 1] = 0;
	newline(w);
}

static void jopen(struct jw *w, int obj)
{
	item(w, 0);
	if (w->depth == JSONW_MAX_DEPTH)
		die("jsonw: nesting too deep");
	w->isobj[w->depth] = (unsigned char)obj;
	w->first[w->depth] = 1;
	w->depth++;
	buf_addc(w->b, obj ? '{' : '[');
}

void jw_obj(struct jw *w) { jopen(w, 1); }
void jw_arr(struct jw *w) { jopen(w, 0); }

void jw_end(struct jw *w)
{
	if (!w->depth || w->afterkey)
		die("jsonw: unbalanced end");
	w->depth--;
	if (!w->first[w->depth])
		newline(w);
	buf_addc(w->b, w->isobj[w->depth] ? '}' : ']');
}

void jw_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char u[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t i = 0, start = 0, k;

	buf_addc(b, '"');
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
			i++;
			continue;
		}
		k = 1;
		if (c >= 0x80) {
			k = json_utf8_len(s + i, n - i);
			if (k == 3 && c == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
			    ((unsigned char)s[i + 2] & 0xfe) == 0xa8)
				rep = s[i + 2] & 1 ? "\\u2029" : "\\u2028";
			else if (!k)
				rep = "\\ufffd", k = 1;
			else {
				i += k;
				continue;
			}
		} else if (c == '"') {
			rep = "\\\"";
		} else if (c == '\\') {
			rep = "\\\\";
		} else if (c == '\n') {
			rep = "\\n";
		} else if (c == '\r') {
			rep = "\\r";
		} else if (c == '\t') {
			rep = "\\t";
		}
		buf_add(b, s + start, i - start);
		if (rep) {
			buf_adds(b, rep);
		} else {
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			buf_add(b, u, 6);
		}
		i += k;
		start = i;
	}
	buf_add(b, s + start, n - start);
	buf_addc(b, '"');
}

void jw_key(struct jw *w, const char *k)
{
	item(w, 1);
	jw_escape(w->b, k, strlen(k));
	buf_add(w->b, ": ", w->indent ? 2 : 1);
	w->afterkey = 1;
}

void jw_raw(struct jw *w, const char *s, size_t n)
{
	item(w, 0);
	buf_add(w->b, s, n);
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	item(w, 0);
	jw_escape(w->b, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	if (!s)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

void jw_i64(struct jw *w, int64_t v)
{
	char t[24];
	jw_raw(w, t, fmt_i64(t, v));
}

void jw_u64(struct jw *w, uint64_t v)
{
	char t[24];
	jw_raw(w, t, fmt_u64(t, v));
}

void jw_bool(struct jw *w, int v)
{
	if (v)
		jw_raw(w, "true", 4);
	else
		jw_raw(w, "false", 5);
}

void jw_null(struct jw *w)
{
	jw_raw(w, "null", 4);
}

void jw_kstr(struct jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	jw_str(w, s);
}

void jw_ki64(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_i64(w, v);
}

void jw_ku64(struct jw *w, const char *k, uint64_t v)
{
	jw_key(w, k);
	jw_u64(w, v);
}

void jw_kbool(struct jw *w, const char *k, int v)
{
	jw_key(w, k);
	jw_bool(w, v);
}
