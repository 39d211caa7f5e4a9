/* fuzz_json: libFuzzer entry for core/json.c and core/jsonw.c. Parses the input; when it is
 * accepted, calls every typed getter and json_err on every token, looks every key up again,
 * writes the document back with jsonw (numbers verbatim through jw_raw) and parses the
 * output, which must be accepted and have the same shape. Build (from the repo root):
 *   clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Icore -I. core/{json,jsonw,
 *   buf,fmt,err}.c tests/fuzz/fuzz_json.c -o /tmp/fuzz_json
 * fuzz-src: core/json.c core/jsonw.c core/buf.c core/fmt.c core/err.c
 * fuzz-corpus: tests/data/json/ok */
#include "json.h"
#include "jsonw.h"
#include <stdlib.h>
#include <string.h>

static void write_tok(struct jw *w, const struct json_doc *d, int i)
{
	const struct json_tok *t = &d->t[i];
	int k;

	if (t->key)
		jw_key(w, t->key);   /* a key with \u0000 is cut at the NUL: still a valid key */
	switch (t->type) {
	case JSON_NULL: jw_null(w); break;
	case JSON_BOOL: jw_bool(w, t->b); break;
	case JSON_NUM: jw_raw(w, t->s, t->slen); break;
	case JSON_STR: jw_strn(w, t->s, t->slen); break;
	default:
		if (t->type == JSON_OBJ)
			jw_obj(w);
		else
			jw_arr(w);
		json_for_each(d, i, k)
			write_tok(w, d, k);
		jw_end(w);
	}
}

static int depth_of(const struct json_doc *d, int i)
{
	int n = 0;
	while ((i = d->t[i].parent) >= 0)
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct json_doc d, d2;
	struct err e;
	char *copy = malloc(size ? size : 1);
	const char *s;
	int64_t iv;
	uint64_t uv;
	int i, bv, maxdepth = 0;

	memcpy(copy, data, size);
	if (json_parse(&d, "fuzz.json", copy, size, &e) < 0) {
		if (strncmp(e.msg, "fuzz.json: ", 11))
			abort();
		free(copy);
		return 0;
	}
	for (i = 0; i < d.nt; i++) {
		const struct json_tok *t = &d.t[i];
		json_str(&d, i, &s, &e);
		json_bool(&d, i, &bv, &e);
		json_i64(&d, i, &iv, &e);
		json_u64(&d, i, &uv, &e);
		json_expect(&d, i, JSON_OBJ, &e);
		json_err(&d, i, &e, "token %d", i);
		if (t->type == JSON_STR && !memchr(t->s, 0, t->slen) && t->s[t->slen])
			abort();    /* strings are NUL-terminated */
		if (t->key) {
			int j = json_get(&d, t->parent, t->key);
			if (j < i && strlen(t->key) == t->keylen)
				abort();    /* the last duplicate must win */
			json_opt_str(&d, t->parent, t->key, &s, &e);
			json_opt_bool(&d, t->parent, t->key, &bv, &e);
			json_opt_i64(&d, t->parent, t->key, &iv, &e);
			json_opt_u64(&d, t->parent, t->key, &uv, &e);
			json_opt_arr(&d, t->parent, t->key, &e);
			json_opt_obj(&d, t->parent, t->key, &e);
			json_req_str(&d, t->parent, t->key, &s, &e);
		}
		if (t->type == JSON_OBJ)
			json_req_str(&d, i, "\"missing\"", &s, &e);
		if (depth_of(&d, i) > maxdepth)
			maxdepth = depth_of(&d, i);
	}
	if (maxdepth < JSONW_MAX_DEPTH) {
		struct buf b = BUF_INIT;
		struct jw w;
		jw_init(&w, &b, size & 1 ? 2 : 0);
		write_tok(&w, &d, 0);
		if (json_parse(&d2, "out", b.p, b.len, &e) < 0 || d2.nt != d.nt)
			abort();    /* the writer's output must read back, token for token */
		for (i = 0; i < d.nt; i++)
			if (d.t[i].type != d2.t[i].type || d.t[i].n != d2.t[i].n)
				abort();
		json_free(&d2);
		buf_free(&b);
	}
	json_free(&d);
	free(copy);
	return 0;
}
