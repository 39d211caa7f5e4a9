/* jsonw: a small JSON writer into a struct buf, no printf. indent 0 writes compact JSON
 * (Go's json.Marshal shape); indent N writes N-space indentation like Go's MarshalIndent
 * ("key": value, empty containers as {} and []). Strings are escaped as Go's encoder does:
 * \" \\ \n \r \t, other controls as \u00XX, and <, >, & and U+2028/U+2029 as \uXXXX;
 * invalid UTF-8 bytes become U+FFFD. Misuse (key outside an object, unbalanced end) is a
 * programming error and dies. */
#ifndef CRBOX_JSONW_H
#define CRBOX_JSONW_H
#include <stdint.h>
#include <stddef.h>
#include "buf.h"

#define JSONW_MAX_DEPTH 32

struct jw {
	struct buf *b;
	int indent;
	int depth;
	unsigned char first[JSONW_MAX_DEPTH];  /* nothing written yet at this level */
	unsigned char isobj[JSONW_MAX_DEPTH];
	unsigned char afterkey;                /* a key was written, its value is next */
};

void jw_init(struct jw *w, struct buf *b, int indent);
void jw_obj(struct jw *w);
void jw_arr(struct jw *w);
void jw_end(struct jw *w);            /* closes the innermost object or array */
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_i64(struct jw *w, int64_t v);
void jw_u64(struct jw *w, uint64_t v);
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* Convenience: key + value. */
void jw_kstr(struct jw *w, const char *k, const char *s);
void jw_ki64(struct jw *w, const char *k, int64_t v);
void jw_ku64(struct jw *w, const char *k, uint64_t v);
void jw_kbool(struct jw *w, const char *k, int v);
/* Writes s[0..n) verbatim as one value (e.g. a number literal kept from json.c). */
void jw_raw(struct jw *w, const char *s, size_t n);
/* Appends the escaped form of s (with quotes) to b. */
void jw_escape(struct buf *b, const char *s, size_t n);

#endif
