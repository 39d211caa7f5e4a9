/* t_jsonw: the writer. Compact and indented output byte for byte against the shapes Go's
 * json.Marshal / MarshalIndent(v, "", "  ") produce, Go's string escaping (HTML-safe,
 * U+2028/9, bad UTF-8 -> U+FFFD), misuse dying, and round trips through json.c (fixed
 * documents and seeded random strings). */
#include "t.h"
#include "json.h"
#include "jsonw.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void sample(struct jw *w)
{
	jw_obj(w);
	jw_kstr(w, "a", "x");
	jw_key(w, "b");
	jw_arr(w);
	jw_i64(w, 1);
	jw_i64(w, -2);
	jw_u64(w, UINT64_MAX);
	jw_bool(w, 1);
	jw_null(w);
	jw_obj(w);
	jw_end(w);
	jw_arr(w);
	jw_end(w);
	jw_end(w);
	jw_kbool(w, "c", 0);
	jw_end(w);
}

static void test_shapes(void)
{
	struct buf b = BUF_INIT;
	struct jw w;

	jw_init(&w, &b, 0);
	sample(&w);
	T_STREQ(b.p, "{\"a\":\"x\",\"b\":[1,-2,18446744073709551615,true,null,{},[]],\"c\":false}",
		"compact: Marshal shape");
	buf_reset(&b);
	jw_init(&w, &b, 2);
	sample(&w);
	T_STREQ(b.p, "{\n  \"a\": \"x\",\n  \"b\": [\n    1,\n    -2,\n    18446744073709551615,\n"
		"    true,\n    null,\n    {},\n    []\n  ],\n  \"c\": false\n}",
		"indent 2: MarshalIndent shape, no trailing newline");
	buf_reset(&b);
	jw_init(&w, &b, 2);
	jw_obj(&w);
	jw_key(&w, "a");
	jw_obj(&w);
	jw_key(&w, "b");
	jw_obj(&w);
	jw_key(&w, "c");
	jw_arr(&w);
	jw_arr(&w);
	jw_i64(&w, 1);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	T_STREQ(b.p, "{\n  \"a\": {\n    \"b\": {\n      \"c\": [\n        [\n          1\n"
		"        ]\n      ]\n    }\n  }\n}", "indent 2: deep nesting");
	T_INTEQ(w.depth, 0, "indent 2: depth back to 0");
	buf_reset(&b);
	jw_init(&w, &b, 4);
	jw_arr(&w);
	jw_str(&w, "a");
	jw_obj(&w);
	jw_ku64(&w, "n", 7);
	jw_ki64(&w, "m", INT64_MIN);
	jw_end(&w);
	jw_end(&w);
	T_STREQ(b.p, "[\n    \"a\",\n    {\n        \"n\": 7,\n        \"m\": -9223372036854775808\n"
		"    }\n]", "indent 4");
	buf_reset(&b);
	jw_init(&w, &b, 2);
	jw_obj(&w);
	jw_end(&w);
	T_STREQ(b.p, "{}", "indent 2: empty root object");
	buf_reset(&b);
	jw_init(&w, &b, 2);
	jw_str(&w, "top");
	T_STREQ(b.p, "\"top\"", "scalar root");
	buf_reset(&b);
	jw_init(&w, &b, 0);
	jw_arr(&w);
	jw_str(&w, NULL);
	jw_raw(&w, "1.5e3", 5);
	jw_strn(&w, "ab\0c", 4);
	jw_i64(&w, 0);
	jw_u64(&w, 0);
	jw_end(&w);
	T_STREQ(b.p, "[null,1.5e3,\"ab\\u0000c\",0,0]", "jw_str(NULL), jw_raw, jw_strn with NUL");
	buf_free(&b);
}

struct ecase {
	const char *in;
	size_t len;
	const char *out;
	const char *name;
};

static const struct ecase ecases[] = {
	{ "", 0, "\"\"", "empty" },
	{ "plain / text", 0, "\"plain / text\"", "slash not escaped" },
	{ "\"q\" \\b\\", 0, "\"\\\"q\\\" \\\\b\\\\\"", "quote and backslash" },
	{ "\n\r\t", 0, "\"\\n\\r\\t\"", "short escapes" },
	{ "\b\f\x01\x1f", 0, "\"\\u0008\\u000c\\u0001\\u001f\"", "other controls as \\u00XX" },
	{ "\0", 1, "\"\\u0000\"", "NUL" },
	{ "\x7f", 0, "\"\x7f\"", "DEL kept" },
	{ "<a href=\"x\">&amp;</a>", 0,
	  "\"\\u003ca href=\\\"x\\\"\\u003e\\u0026amp;\\u003c/a\\u003e\"", "HTML-safe" },
	{ "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", 0, "\"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80\"",
	  "valid UTF-8 kept" },
	{ "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\xe2\x80\xaa", 0, "\"a\\u2028b\\u2029c\xe2\x80\xaa\"",
	  "U+2028 and U+2029 escaped, U+202A kept" },
	{ "\xef\xbf\xbd", 0, "\"\xef\xbf\xbd\"", "U+FFFD kept" },
	{ "a\xff" "b", 0, "\"a\\ufffdb\"", "invalid byte" },
	{ "\xc3", 0, "\"\\ufffd\"", "truncated at the end" },
	{ "\xe6\x97" "x", 0, "\"\\ufffd\\ufffdx\"", "truncated sequence: one U+FFFD per byte" },
	{ "\xc0\xaf", 0, "\"\\ufffd\\ufffd\"", "overlong" },
	{ "\xed\xa0\x80", 0, "\"\\ufffd\\ufffd\\ufffd\"", "UTF-8 surrogate" },
	{ "\xf4\x90\x80\x80", 0, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "above U+10FFFF" },
	{ "\xf4\x8f\xbf\xbf", 0, "\"\xf4\x8f\xbf\xbf\"", "U+10FFFF kept" },
};

static void test_escape(void)
{
	struct buf b = BUF_INIT;
	char name[128];
	size_t k;

	for (k = 0; k < sizeof ecases / sizeof ecases[0]; k++) {
		const struct ecase *c = &ecases[k];
		buf_reset(&b);
		jw_escape(&b, c->in, c->len ? c->len : strlen(c->in));
		snprintf(name, sizeof name, "escape: %s", c->name);
		T_STREQ(b.p, c->out, name);
	}
	buf_reset(&b);
	struct jw w;
	jw_init(&w, &b, 0);
	jw_obj(&w);
	jw_kstr(&w, "<k>\n", "v");
	jw_end(&w);
	T_STREQ(b.p, "{\"\\u003ck\\u003e\\n\":\"v\"}", "escape: keys too");
	buf_free(&b);
}

static int dies(void (*fn)(void))
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", 1);   /* keep die()'s line and ASan quiet */
		dup2(fd, 2);
		fn();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static struct buf mb = BUF_INIT;
static struct jw mw;
static void key_outside(void) { jw_init(&mw, &mb, 0); jw_key(&mw, "a"); }
static void key_in_array(void) { jw_init(&mw, &mb, 0); jw_arr(&mw); jw_key(&mw, "a"); }
static void value_no_key(void) { jw_init(&mw, &mb, 0); jw_obj(&mw); jw_i64(&mw, 1); }
static void key_key(void) { jw_init(&mw, &mb, 0); jw_obj(&mw); jw_key(&mw, "a"); jw_key(&mw, "b"); }
static void end_after_key(void) { jw_init(&mw, &mb, 0); jw_obj(&mw); jw_key(&mw, "a"); jw_end(&mw); }
static void end_unbalanced(void) { jw_init(&mw, &mb, 0); jw_arr(&mw); jw_end(&mw); jw_end(&mw); }
static void too_deep(void)
{
	int k;
	jw_init(&mw, &mb, 0);
	for (k = 0; k <= JSONW_MAX_DEPTH; k++)
		jw_arr(&mw);
}
static void deep_ok(void)
{
	int k;
	jw_init(&mw, &mb, 0);
	for (k = 0; k < JSONW_MAX_DEPTH; k++)
		jw_arr(&mw);
	for (k = 0; k < JSONW_MAX_DEPTH; k++)
		jw_end(&mw);
}

static void test_misuse(void)
{
	T_OK(dies(key_outside), "misuse: key at top level dies");
	T_OK(dies(key_in_array), "misuse: key in an array dies");
	T_OK(dies(value_no_key), "misuse: value without key in an object dies");
	T_OK(dies(key_key), "misuse: two keys in a row die");
	T_OK(dies(end_after_key), "misuse: end after a key dies");
	T_OK(dies(end_unbalanced), "misuse: unbalanced end dies");
	T_OK(dies(too_deep), "misuse: nesting past JSONW_MAX_DEPTH dies");
	T_OK(!dies(deep_ok), "JSONW_MAX_DEPTH levels are fine");
}

/* Parses b and checks the document written by test_roundtrip. */
static void check_doc(struct buf *b, const char *what)
{
	struct json_doc d;
	struct err e;
	const char *s;
	int64_t iv;
	uint64_t uv;
	int bv, i, a;
	char name[128];
	char *copy = malloc(b->len + 1);

	memcpy(copy, b->p, b->len);
	snprintf(name, sizeof name, "round trip %s: parses", what);
	if (!T_OK(json_parse(&d, "rt", copy, b->len, &e) == 0, name)) {
		printf("#   %s\n#   doc: %s\n", e.msg, b->p);
		free(copy);
		return;
	}
	snprintf(name, sizeof name, "round trip %s: values", what);
	a = json_get(&d, 0, "arr");
	i = a >= 0 ? d.t[a].first : -1;
	T_OK(json_req_str(&d, 0, "s", &s, &e) == 0 && !strcmp(s, "<\"\\/\n\x01\x7f&>\xe2\x80\xa8 "
	     "caf\xc3\xa9 \xf0\x9f\x98\x80") &&
	     json_opt_i64(&d, 0, "min", &iv, &e) == 0 && iv == INT64_MIN &&
	     json_opt_i64(&d, 0, "max", &iv, &e) == 0 && iv == INT64_MAX &&
	     json_opt_u64(&d, 0, "umax", &uv, &e) == 0 && uv == UINT64_MAX &&
	     json_opt_bool(&d, 0, "t", &bv, &e) == 0 && bv == 1 &&
	     json_get(&d, 0, "nul") >= 0 && d.t[json_get(&d, 0, "nul")].type == JSON_NULL &&
	     json_req_str(&d, 0, "bad", &s, &e) == 0 && !strcmp(s, "a\xef\xbf\xbd" "b") &&
	     json_req_str(&d, 0, "", &s, &e) == 0 && !strcmp(s, "empty key") &&
	     a >= 0 && d.t[a].n == 3 && json_i64(&d, i, &iv, &e) == 0 && iv == -1 &&
	     d.t[d.t[i].next].type == JSON_OBJ && d.t[d.t[i].next].n == 0 &&
	     d.t[d.t[d.t[i].next].next].type == JSON_ARR && d.t[d.t[d.t[i].next].next].n == 1 &&
	     d.t[d.t[i].next].next == d.t[a].first + 2, name);
	i = json_get(&d, 0, "nulstr");
	T_OK(i >= 0 && d.t[i].slen == 3 && !memcmp(d.t[i].s, "a\0b", 3), "round trip: \\u0000");
	json_free(&d);
	free(copy);
}

static void test_roundtrip(void)
{
	struct buf b = BUF_INIT;
	struct jw w;
	int indent;

	for (indent = 0; indent <= 2; indent += 2) {
		buf_reset(&b);
		jw_init(&w, &b, indent);
		jw_obj(&w);
		jw_kstr(&w, "s", "<\"\\/\n\x01\x7f&>\xe2\x80\xa8 caf\xc3\xa9 \xf0\x9f\x98\x80");
		jw_ki64(&w, "min", INT64_MIN);
		jw_ki64(&w, "max", INT64_MAX);
		jw_ku64(&w, "umax", UINT64_MAX);
		jw_kbool(&w, "t", 1);
		jw_key(&w, "nul");
		jw_null(&w);
		jw_kstr(&w, "bad", "a\xff" "b");
		jw_kstr(&w, "", "empty key");
		jw_key(&w, "nulstr");
		jw_strn(&w, "a\0b", 3);
		jw_key(&w, "arr");
		jw_arr(&w);
		jw_i64(&w, -1);
		jw_obj(&w);
		jw_end(&w);
		jw_arr(&w);
		jw_str(&w, "");
		jw_end(&w);
		jw_end(&w);
		jw_end(&w);
		check_doc(&b, indent ? "indented" : "compact");
	}
	buf_free(&b);
}

/* Random code points (no surrogates) through writer and reader: same bytes back. */
static void test_random(void)
{
	unsigned seed = 12345, k, n, bad = 0;
	struct buf in = BUF_INIT, out = BUF_INIT;

	for (k = 0; k < 2000; k++) {
		struct json_doc d;
		struct err e;
		buf_reset(&in);
		buf_reset(&out);
		for (n = (seed = seed * 1103515245 + 12345) >> 16 & 31; n; n--) {
			unsigned r = (seed = seed * 1103515245 + 12345) >> 8, cp;
			char u[4];
			size_t l;
			switch (r & 3) {
			case 0: cp = r >> 4 & 0x7f; break;
			case 1: cp = r >> 4 & 0x7ff; break;
			case 2: cp = r >> 4 & 0xffff; break;
			default: cp = 0x10000 + (r >> 4) % 0x100000; break;
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			if (cp < 0x80) { u[0] = (char)cp; l = 1; }
			else if (cp < 0x800) { u[0] = (char)(0xc0 | cp >> 6); u[1] = (char)(0x80 | (cp & 63)); l = 2; }
			else if (cp < 0x10000) { u[0] = (char)(0xe0 | cp >> 12); u[1] = (char)(0x80 | (cp >> 6 & 63)); u[2] = (char)(0x80 | (cp & 63)); l = 3; }
			else { u[0] = (char)(0xf0 | cp >> 18); u[1] = (char)(0x80 | (cp >> 12 & 63)); u[2] = (char)(0x80 | (cp >> 6 & 63)); u[3] = (char)(0x80 | (cp & 63)); l = 4; }
			buf_add(&in, u, l);
		}
		jw_escape(&out, in.p ? in.p : "", in.len);
		if (json_parse(&d, "r", out.p, out.len, &e) < 0 || d.t[0].type != JSON_STR ||
		    d.t[0].slen != in.len || memcmp(d.t[0].s, in.p ? in.p : "", in.len))
			bad++;
		json_free(&d);
	}
	T_INTEQ(bad, 0, "round trip: 2000 random strings");
	buf_free(&in);
	buf_free(&out);
}

int main(void)
{
	test_shapes();
	test_escape();
	test_misuse();
	test_roundtrip();
	test_random();
	buf_free(&mb);
	return t_done();
}
