/* json: a strict RFC 8259 reader. The whole document is tokenized in place (strings are
 * unescaped into the input buffer and NUL-terminated), then read with typed getters whose
 * errors name the file and the JSON path: "config.json: .linux.namespaces[2].path: expected
 * string". Limits: JSON_MAX_DEPTH nesting, JSON_MAX_SIZE bytes. Duplicate keys: the last one
 * wins (json_get returns the last). A JSON null counts as absent for the json_opt_* getters. */
#ifndef CRBOX_JSON_H
#define CRBOX_JSON_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"

#define JSON_MAX_DEPTH 64
#define JSON_MAX_SIZE (4u << 20)

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json_tok {
	unsigned char type;   /* enum json_type */
	unsigned char b;      /* JSON_BOOL: the value */
	int parent;           /* index of the enclosing array/object, -1 for the root */
	int next;             /* next sibling in the parent, -1 at the end */
	int first;            /* JSON_ARR/JSON_OBJ: first child, -1 if empty */
	int n;                /* JSON_ARR/JSON_OBJ: number of children */
	const char *key;      /* members of an object: the unescaped key, else NULL */
	size_t keylen;
	const char *s;        /* JSON_STR: unescaped value; JSON_NUM: the literal text */
	size_t slen;          /* may count embedded NULs (from \u0000) */
};

struct json_doc {
	const char *name;     /* used in messages, e.g. "config.json" */
	char *buf;            /* owned when loaded from a file */
	struct json_tok *t;   /* t[0] is the root value */
	int nt;
};

/* Parses buf[0..len) in place (buf is modified; it must stay alive while d is used).
 * name is copied by pointer. Returns 0, or -1 with err "name: offset N: what". */
int json_parse(struct json_doc *d, const char *name, char *buf, size_t len, struct err *err);
/* Reads path (relative to dirfd unless absolute; AT_FDCWD ok) and parses it. The name in
 * messages is `name` if non-NULL, else path. Refuses files over JSON_MAX_SIZE. */
int json_load(struct json_doc *d, int dirfd, const char *path, const char *name, struct err *err);
void json_free(struct json_doc *d);

/* The value of key in object obj (last duplicate wins), or -1 if absent or obj isn't an object. */
int json_get(const struct json_doc *d, int obj, const char *key);
#define json_for_each(d, parent, i) for ((i) = (d)->t[parent].first; (i) >= 0; (i) = (d)->t[i].next)

/* Writes "name: <path of token i>: <what>" into err; returns -1. The root path is ".". */
int json_err(const struct json_doc *d, int i, struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Type checks; -1 with "expected <type>" otherwise. */
int json_expect(const struct json_doc *d, int i, enum json_type type, struct err *err);
/* Typed reads of token i. json_str refuses embedded NULs. Numbers must be integers in range
 * (no fraction/exponent unless the value is integral, e.g. 1e3 ok, 1.5 not). */
int json_str(const struct json_doc *d, int i, const char **out, struct err *err);
int json_bool(const struct json_doc *d, int i, int *out, struct err *err);
int json_i64(const struct json_doc *d, int i, int64_t *out, struct err *err);
int json_u64(const struct json_doc *d, int i, uint64_t *out, struct err *err);
/* Optional members of object obj: absent or null leaves *out unchanged and returns 0;
 * present with the wrong type returns -1 with the member's path in err. */
int json_opt_str(const struct json_doc *d, int obj, const char *key, const char **out, struct err *err);
int json_opt_bool(const struct json_doc *d, int obj, const char *key, int *out, struct err *err);
int json_opt_i64(const struct json_doc *d, int obj, const char *key, int64_t *out, struct err *err);
int json_opt_u64(const struct json_doc *d, int obj, const char *key, uint64_t *out, struct err *err);
/* Optional member that must be an array/object when present: returns its index, -1 when
 * absent or null (err untouched), -2 on wrong type (err set). */
int json_opt_arr(const struct json_doc *d, int obj, const char *key, struct err *err);
int json_opt_obj(const struct json_doc *d, int obj, const char *key, struct err *err);
/* Required member: -1 with "<path>.key: missing" when absent. */
int json_req_str(const struct json_doc *d, int obj, const char *key, const char **out, struct err *err);

/* Length (1-4) of the valid UTF-8 sequence at s[0..n), or 0 if it is invalid (overlong,
 * surrogate, above U+10FFFF, truncated). Shared with jsonw. */
size_t json_utf8_len(const char *s, size_t n);

#endif
