/* t_json: the strict reader. A table of inputs (accepted or refused with a given message),
 * exact unescaped values, exact integer conversion, depth and size limits, duplicate keys,
 * JSON paths in getter errors, optional/required members, json_load, and a corpus walk over
 * tests/data/json/{ok,bad} (one TAP line per file). Run from the repo root. */
#include "t.h"
#include "json.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Parses a private copy (json_parse writes into its input). */
static int parse(struct json_doc *d, const char *in, size_t len, struct err *e, char **copy)
{
	*copy = malloc(len + 1);
	memcpy(*copy, in, len);
	err_clear(e);
	return json_parse(d, "t.json", *copy, len, e);
}

struct pcase {
	const char *in;
	size_t len;         /* 0: strlen(in) */
	int ok;
	const char *err;    /* substring of the message when !ok */
};

static const struct pcase pcases[] = {
	/* roots and literals */
	{ "{}", 0, 1, NULL },
	{ "[]", 0, 1, NULL },
	{ "\"x\"", 0, 1, NULL },
	{ "0", 0, 1, NULL },
	{ "true", 0, 1, NULL },
	{ "false", 0, 1, NULL },
	{ "null", 0, 1, NULL },
	{ " \t\r\n[ 1 , { \"a\" : null } ] \n", 0, 1, NULL },
	{ "", 0, 0, "t.json: offset 0: empty input" },
	{ "   ", 0, 0, "t.json: offset 3: empty input" },
	{ "nul", 0, 0, "offset 0: invalid literal" },
	{ "nulll", 0, 0, "offset 0: invalid literal" },
	{ "True", 0, 0, "offset 0: invalid character 'T'" },
	{ "[tru]", 0, 0, "offset 1: invalid literal" },
	{ "NaN", 0, 0, "invalid character 'N'" },
	{ "[Infinity]", 0, 0, "invalid character 'I'" },
	{ "'a'", 0, 0, "invalid character" },
	/* trailing data */
	{ "{} x", 0, 0, "t.json: offset 3: invalid character 'x' after the top-level value" },
	{ "1 2", 0, 0, "offset 2: invalid character '2' after the top-level value" },
	{ "[1]]", 0, 0, "offset 3:" },
	{ "{}\x00", 3, 0, "offset 2: invalid byte 0x00" },
	{ "\xef\xbb\xbf{}", 0, 0, "offset 0: invalid byte 0xef" },
	/* structure */
	{ "[1,]", 0, 0, "offset 3: invalid character ']' looking for a value" },
	{ "{\"a\":1,}", 0, 0, "offset 7: invalid character '}', expected a string key" },
	{ "{\"a\" 1}", 0, 0, "offset 5: invalid character '1', expected ':'" },
	{ "{a:1}", 0, 0, "expected a string key" },
	{ "[1 2]", 0, 0, "expected ',' or ']'" },
	{ "{\"a\":1 \"b\":2}", 0, 0, "expected ',' or '}'" },
	{ "{\"a\":[1}", 0, 0, "offset 7: invalid character '}', expected ',' or ']'" },
	{ "[1,2", 0, 0, "offset 4: unexpected end of input" },
	{ "{\"a\":", 0, 0, "unexpected end of input" },
	{ "{\"a\"", 0, 0, "unexpected end of input" },
	{ "[", 0, 0, "unexpected end of input" },
	{ "]", 0, 0, "invalid character ']' looking for a value" },
	{ "{} // c", 0, 0, "invalid character '/'" },
	/* strings and escapes */
	{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 0, 1, NULL },
	{ "{\"process\": \"abcd\\q\"}", 0, 0, "t.json: offset 17: invalid escape" },
	{ "\"\\x41\"", 0, 0, "offset 1: invalid escape" },
	{ "\"\\'\"", 0, 0, "invalid escape" },
	{ "\"\\u00e9\"", 0, 1, NULL },
	{ "\"\\u12G4\"", 0, 0, "offset 1: invalid \\u escape" },
	{ "\"\\u12\"", 0, 0, "invalid \\u escape" },
	{ "\"\\u", 0, 0, "invalid \\u escape" },
	{ "\"\\", 0, 0, "unterminated string" },
	{ "\"abc", 0, 0, "offset 0: unterminated string" },
	{ "\"\\ud83d\\ude00\"", 0, 1, NULL },
	{ "\"\\uD83D\\uDE00\"", 0, 1, NULL },
	{ "\"\\ud83d\"", 0, 0, "offset 1: lone high surrogate" },
	{ "\"\\ud83dx\"", 0, 0, "lone high surrogate" },
	{ "\"\\ud83d\\u0041\"", 0, 0, "lone high surrogate" },
	{ "\"\\ud83d\\ud83d\"", 0, 0, "lone high surrogate" },
	{ "\"\\ude00\"", 0, 0, "lone low surrogate" },
	{ "\"\\ude00\\ud83d\"", 0, 0, "lone low surrogate" },
	{ "\"a\tb\"", 0, 0, "offset 2: control character in string" },
	{ "\"a\nb\"", 0, 0, "control character in string" },
	{ "\"a\x1f\"", 0, 0, "control character in string" },
	{ "\"a\x00\"", 4, 0, "offset 2: control character in string" },
	{ "\"\x7f\"", 0, 1, NULL },
	/* UTF-8 */
	{ "\"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80\"", 0, 1, NULL },
	{ "\"\xf4\x8f\xbf\xbf\"", 0, 1, NULL },
	{ "\"\xef\xbf\xbf\"", 0, 1, NULL },
	{ "\"\xc0\xaf\"", 0, 0, "offset 1: invalid UTF-8" },
	{ "\"\xc1\xbf\"", 0, 0, "invalid UTF-8" },
	{ "\"\xe0\x80\xaf\"", 0, 0, "invalid UTF-8" },
	{ "\"\xf0\x80\x80\xaf\"", 0, 0, "invalid UTF-8" },
	{ "\"\xed\xa0\x80\"", 0, 0, "invalid UTF-8" },
	{ "\"\xed\xbf\xbf\"", 0, 0, "invalid UTF-8" },
	{ "\"\xf4\x90\x80\x80\"", 0, 0, "invalid UTF-8" },
	{ "\"\xf5\x80\x80\x80\"", 0, 0, "invalid UTF-8" },
	{ "\"\xff\"", 0, 0, "invalid UTF-8" },
	{ "\"\x80\"", 0, 0, "invalid UTF-8" },
	{ "\"\xe6\x97\"", 0, 0, "invalid UTF-8" },
	{ "\"\xe6\x97", 0, 0, "invalid UTF-8" },
	{ "\"\xc3\"", 0, 0, "invalid UTF-8" },
	{ "[\xc3\xa9]", 0, 0, "offset 1: invalid byte 0xc3" },
	/* numbers */
	{ "-0", 0, 1, NULL },
	{ "0.5", 0, 1, NULL },
	{ "1e3", 0, 1, NULL },
	{ "1E+3", 0, 1, NULL },
	{ "1e-3", 0, 1, NULL },
	{ "-12.5e+3", 0, 1, NULL },
	{ "[0,1]", 0, 1, NULL },
	{ "01", 0, 0, "offset 0: invalid number" },
	{ "-01", 0, 0, "invalid number" },
	{ "00", 0, 0, "invalid number" },
	{ "1.", 0, 0, "invalid number" },
	{ "[1.]", 0, 0, "offset 1: invalid number" },
	{ "1.e3", 0, 0, "invalid number" },
	{ ".5", 0, 0, "invalid character '.'" },
	{ "-", 0, 0, "invalid number" },
	{ "-a", 0, 0, "invalid number" },
	{ "+1", 0, 0, "invalid character '+'" },
	{ "1e", 0, 0, "invalid number" },
	{ "1e+", 0, 0, "invalid number" },
	{ "1E-x", 0, 0, "invalid number" },
	{ "0x10", 0, 0, "invalid number" },
	{ "1.5.2", 0, 0, "invalid number" },
	{ "1e5e5", 0, 0, "invalid number" },
	{ "12a", 0, 0, "invalid number" },
	{ "- 1", 0, 0, "invalid number" },
	{ "--1", 0, 0, "invalid number" },
	/* shapes from the fuzz corpus (three 60 s libFuzzer runs found no crash to add) */
	{ "[\"\\u0000\",\"\\u0000\\u0000\"]", 0, 1, NULL },
	{ "{\"\":{\"\":{\"\":0}}}", 0, 1, NULL },
};

static void test_table(void)
{
	char name[160];
	size_t k;

	for (k = 0; k < sizeof pcases / sizeof pcases[0]; k++) {
		const struct pcase *c = &pcases[k];
		struct json_doc d;
		struct err e;
		char *copy;
		size_t len = c->len ? c->len : strlen(c->in);
		int r = parse(&d, c->in, len, &e, &copy);

		snprintf(name, sizeof name, "parse case %zu %s (%.40s)", k, c->ok ? "ok" : "bad",
			 c->in);
		for (char *q = name; *q; q++)   /* keep the TAP line on one line */
			if ((unsigned char)*q < 0x20)
				*q = '.';
		if (c->ok) {
			if (!T_OK(r == 0, name))
				printf("#   err: %s\n", e.msg);
		} else if (!T_OK(r < 0 && strstr(e.msg, c->err) && !strncmp(e.msg, "t.json: ", 8),
				 name)) {
			printf("#   got: %s\n#   want substring: %s\n", r < 0 ? e.msg : "(accepted)",
			       c->err);
		}
		json_free(&d);
		free(copy);
	}
}

static void test_strings(void)
{
	struct json_doc d;
	struct err e;
	char *copy;
	const char *s;
	const char *in = "[\"a\\u00e9\\ud83d\\ude00\\n\\/\", \"x\\u0000y\", \"\", \"caf\xc3\xa9\","
			 "\"\\uffff\\u0800\\u07ff\\u0080\\u007f\"]";
	int i;

	T_OK(parse(&d, in, strlen(in), &e, &copy) == 0, "strings: parse");
	T_INTEQ(d.nt, 6, "strings: token count");
	T_INTEQ(d.t[0].type, JSON_ARR, "strings: root is an array");
	T_INTEQ(d.t[0].n, 5, "strings: 5 elements");
	i = d.t[0].first;
	T_OK(json_str(&d, i, &s, &e) == 0, "strings: json_str");
	T_STREQ(s, "a\xc3\xa9\xf0\x9f\x98\x80\n/", "strings: \\u00e9, surrogate pair, \\n, \\/");
	T_INTEQ(d.t[i].slen, 9, "strings: unescaped length");
	i = d.t[i].next;
	T_INTEQ(d.t[i].slen, 3, "strings: \\u0000 kept in slen");
	T_OK(!memcmp(d.t[i].s, "x\0y", 3), "strings: \\u0000 bytes");
	T_OK(json_str(&d, i, &s, &e) < 0, "strings: json_str refuses embedded NUL");
	T_STREQ(e.msg, "t.json: [1]: string contains a NUL character", "strings: NUL message");
	i = d.t[i].next;
	T_OK(json_str(&d, i, &s, &e) == 0 && !strcmp(s, ""), "strings: empty string");
	i = d.t[i].next;
	T_OK(json_str(&d, i, &s, &e) == 0 && !strcmp(s, "caf\xc3\xa9"), "strings: raw UTF-8 kept");
	i = d.t[i].next;
	T_OK(json_str(&d, i, &s, &e) == 0 &&
	     !strcmp(s, "\xef\xbf\xbf\xe0\xa0\x80\xdf\xbf\xc2\x80\x7f"),
	     "strings: UTF-8 encoding at the 1/2/3-byte boundaries");
	T_INTEQ(d.t[i].next, -1, "strings: last sibling");
	json_free(&d);
	free(copy);
}

struct ncase {
	const char *in;
	int i_ok;            /* json_i64: 1 ok, else the error substring below */
	int64_t i;
	const char *i_err;
	int u_ok;
	uint64_t u;
	const char *u_err;
};

/* Go's encoding/json: an integer field takes only -?[0-9]+ (ParseInt/ParseUint); "1e3"
 * and "100.0" are refused even though their values are integral, and ParseUint refuses
 * "-0". */
static const struct ncase ncases[] = {
	{ "0", 1, 0, NULL, 1, 0, NULL },
	{ "-0", 1, 0, NULL, 0, 0, "expected unsigned integer" },
	{ "7", 1, 7, NULL, 1, 7, NULL },
	{ "-7", 1, -7, NULL, 0, 0, "expected unsigned integer" },
	{ "1e3", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
	{ "1E+3", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
	{ "100.0", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
	{ "1.5e1", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
	{ "0e-5", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
	{ "1.5", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
	{ "1e-3", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
	{ "-0.5", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
	{ "1e400", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
	{ "9223372036854775807", 1, INT64_MAX, NULL, 1, 9223372036854775807ull, NULL },
	{ "-9223372036854775808", 1, INT64_MIN, NULL, 0, 0, "expected unsigned integer" },
	{ "9223372036854775808", 0, 0, "integer out of range", 1, 9223372036854775808ull, NULL },
	{ "-9223372036854775809", 0, 0, "integer out of range", 0, 0, "expected unsigned integer" },
	{ "18446744073709551615", 0, 0, "out of range", 1, UINT64_MAX, NULL },
	{ "18446744073709551616", 0, 0, "out of range", 0, 0, "integer out of range" },
	{ "99999999999999999999", 0, 0, "out of range", 0, 0, "integer out of range" },
	{ "\"5\"", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
	{ "true", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
	{ "null", 0, 0, "expected integer", 0, 0, "expected unsigned integer" },
};

static void test_numbers(void)
{
	char name[128];
	size_t k;

	for (k = 0; k < sizeof ncases / sizeof ncases[0]; k++) {
		const struct ncase *c = &ncases[k];
		struct json_doc d;
		struct err e;
		char *copy;
		int64_t i = 42;
		uint64_t u = 42;

		if (!c->i_ok && !c->i_err)
			continue;
		if (parse(&d, c->in, strlen(c->in), &e, &copy) < 0) {
			snprintf(name, sizeof name, "number %s parses", c->in);
			T_OK(0, name);
			printf("#   err: %s\n", e.msg);
			free(copy);
			continue;
		}
		snprintf(name, sizeof name, "json_i64 %s", c->in);
		if (c->i_ok) {
			if (T_OK(json_i64(&d, 0, &i, &e) == 0, name))
				T_INTEQ(i, c->i, name);
			else
				printf("#   err: %s\n", e.msg);
		} else {
			int r = json_i64(&d, 0, &i, &e);
			if (!T_OK(r < 0 && strstr(e.msg, c->i_err) && i == 42, name))
				printf("#   got: %s\n", r < 0 ? e.msg : "(accepted)");
		}
		snprintf(name, sizeof name, "json_u64 %s", c->in);
		if (c->u_ok) {
			if (T_OK(json_u64(&d, 0, &u, &e) == 0, name))
				T_OK(u == c->u, name);
			else
				printf("#   err: %s\n", e.msg);
		} else {
			int r = json_u64(&d, 0, &u, &e);
			if (!T_OK(r < 0 && strstr(e.msg, c->u_err) && u == 42, name))
				printf("#   got: %s\n", r < 0 ? e.msg : "(accepted)");
		}
		json_free(&d);
		free(copy);
	}
}

static void test_depth(void)
{
	char in[512];
	struct json_doc d;
	struct err e;
	char *copy;
	int k;

	for (k = 0; k < 64; k++) {
		in[k] = '[';
		in[64 + k] = ']';
	}
	T_OK(parse(&d, in, 128, &e, &copy) == 0, "depth: 64 nested arrays accepted");
	T_INTEQ(d.nt, 64, "depth: 64 tokens");
	T_INTEQ(d.t[63].parent, 62, "depth: parent link");
	json_free(&d);
	free(copy);
	for (k = 0; k < 65; k++) {
		in[k] = '[';
		in[65 + k] = ']';
	}
	T_OK(parse(&d, in, 130, &e, &copy) < 0, "depth: 65 nested arrays refused");
	T_STREQ(e.msg, "t.json: offset 64: nesting too deep", "depth: message");
	free(copy);
	memset(in, 0, sizeof in);
	for (k = 0; k < 63; k++)
		memcpy(in + 5 * k, "{\"a\":", 5);
	memcpy(in + 5 * 63, "[1]", 3);
	for (k = 0; k < 63; k++)
		in[5 * 63 + 3 + k] = '}';
	T_OK(parse(&d, in, strlen(in), &e, &copy) == 0, "depth: 63 objects + 1 array accepted");
	json_free(&d);
	free(copy);
	memcpy(in + 5 * 63, "[[1]]", 5);
	for (k = 0; k < 63; k++)
		in[5 * 63 + 5 + k] = '}';
	T_OK(parse(&d, in, strlen(in), &e, &copy) < 0 && strstr(e.msg, "nesting too deep"),
	     "depth: 63 objects + 2 arrays refused");
	free(copy);
}

static void test_size(void)
{
	struct json_doc d;
	struct err e;
	char *big = malloc(JSON_MAX_SIZE + 2);
	char *max = malloc(JSON_MAX_SIZE);

	memset(big, ' ', JSON_MAX_SIZE + 1);
	big[0] = '0';
	T_OK(json_parse(&d, "big.json", big, JSON_MAX_SIZE + 1, &e) < 0, "size: over the limit");
	T_STREQ(e.msg, "big.json: too large: 4194305 bytes (limit 4194304)", "size: message");
	memset(max, ' ', JSON_MAX_SIZE);
	max[0] = '[';
	max[JSON_MAX_SIZE - 1] = ']';
	T_OK(json_parse(&d, "max.json", max, JSON_MAX_SIZE, &e) == 0, "size: exactly the limit");
	json_free(&d);
	/* many tokens: the array grows through xrealloc */
	for (size_t k = 0; k + 1 < JSON_MAX_SIZE; k += 2)
		memcpy(max + k, "0,", 2);
	max[0] = '[';
	max[1] = ' ';
	max[JSON_MAX_SIZE - 1] = ']';
	T_OK(json_parse(&d, "max.json", max, JSON_MAX_SIZE, &e) == 0, "size: 2M tokens");
	T_INTEQ(d.nt ? d.t[0].n : -1, JSON_MAX_SIZE / 2 - 1, "size: element count");
	json_free(&d);
	free(big);
	free(max);
}

static void test_objects(void)
{
	struct json_doc d;
	struct err e;
	char *copy;
	const char *s;
	int64_t v;
	const char *in = "{\"a\": 1, \"b\": {\"c\": \"x\"}, \"a\": 2, \"e\\u0301\": 3, \"\": 4,"
			 " \"a\": 3}";
	int i, n = 0;

	T_OK(parse(&d, in, strlen(in), &e, &copy) == 0, "objects: parse");
	T_INTEQ(d.t[0].n, 6, "objects: member count includes duplicates");
	json_for_each(&d, 0, i)
		n++;
	T_INTEQ(n, 6, "objects: json_for_each visits every member");
	i = json_get(&d, 0, "a");
	T_OK(i >= 0 && json_i64(&d, i, &v, &e) == 0 && v == 3, "objects: last duplicate wins");
	T_INTEQ(d.t[i].next, -1, "objects: last duplicate is the last member");
	i = json_get(&d, 0, "e\xcc\x81");
	T_OK(i >= 0 && json_i64(&d, i, &v, &e) == 0 && v == 3, "objects: escaped key unescaped");
	i = json_get(&d, 0, "");
	T_OK(i >= 0 && json_i64(&d, i, &v, &e) == 0 && v == 4, "objects: empty key");
	T_INTEQ(json_get(&d, 0, "zz"), -1, "objects: absent key");
	i = json_get(&d, 0, "b");
	T_INTEQ(json_get(&d, i, "a"), -1, "objects: lookup is not recursive");
	T_INTEQ(json_get(&d, json_get(&d, i, "c"), "x"), -1, "objects: json_get on a string");
	T_OK(json_req_str(&d, i, "c", &s, &e) == 0 && !strcmp(s, "x"), "objects: json_req_str");
	T_STREQ(d.t[json_get(&d, i, "c")].key, "c", "objects: key is NUL-terminated");
	json_free(&d);
	free(copy);
}

static const char cfg[] =
	"{\"ociVersion\": \"1.0.2\", \"process\": {\"terminal\": true, \"args\": [\"sh\"],"
	" \"user\": {\"uid\": -1}, \"cwd\": 5, \"env\": null},"
	" \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
	" {\"type\": \"network\", \"path\": 7}], \"maskedPaths\": {},"
	" \"weird key\": {\"a\\\"b\": [0, {\"x.y\": true}]}}, \"nul\": null}";

static void test_paths(void)
{
	struct json_doc d;
	struct err e;
	char *copy;
	const char *s;
	int i, ns, b, w;

	T_OK(parse(&d, cfg, strlen(cfg), &e, &copy) == 0, "paths: parse");
	d.name = "config.json";
	ns = json_get(&d, json_get(&d, 0, "linux"), "namespaces");
	i = json_get(&d, d.t[d.t[d.t[ns].first].next].next, "path");
	T_OK(json_str(&d, i, &s, &e) < 0, "paths: json_str on a number");
	T_STREQ(e.msg, "config.json: .linux.namespaces[2].path: expected string",
		"paths: namespaces[2].path");
	i = json_get(&d, json_get(&d, 0, "process"), "terminal");
	T_OK(json_i64(&d, i, &(int64_t){ 0 }, &e) < 0, "paths: json_i64 on a bool");
	T_STREQ(e.msg, "config.json: .process.terminal: expected integer", "paths: terminal");
	T_OK(json_expect(&d, 0, JSON_ARR, &e) < 0, "paths: root json_expect");
	T_STREQ(e.msg, "config.json: .: expected array", "paths: root path is '.'");
	T_OK(json_err(&d, 0, &e, "bad %s %d", "thing", 42) < 0, "paths: json_err returns -1");
	T_STREQ(e.msg, "config.json: .: bad thing 42", "paths: json_err formats");
	w = json_get(&d, json_get(&d, 0, "linux"), "weird key");
	b = json_get(&d, w, "a\"b");
	i = json_get(&d, d.t[d.t[b].first].next, "x.y");
	T_OK(json_expect(&d, i, JSON_STR, &e) < 0, "paths: odd keys");
	T_STREQ(e.msg, "config.json: .linux[\"weird key\"][\"a\\\"b\"][1][\"x.y\"]: expected string",
		"paths: odd keys are written as [\"key\"] with quotes escaped");
	T_OK(json_expect(&d, d.t[b].first, JSON_BOOL, &e) < 0, "paths: array element");
	T_STREQ(e.msg, "config.json: .linux[\"weird key\"][\"a\\\"b\"][0]: expected boolean",
		"paths: [0]");
	T_OK(json_expect(&d, json_get(&d, 0, "nul"), JSON_OBJ, &e) < 0 &&
	     !strcmp(e.msg, "config.json: .nul: expected object"), "paths: expected object");
	T_OK(json_expect(&d, json_get(&d, 0, "ociVersion"), JSON_NULL, &e) < 0 &&
	     !strcmp(e.msg, "config.json: .ociVersion: expected null"), "paths: expected null");
	T_OK(json_expect(&d, -1, JSON_STR, &e) < 0, "paths: bad index refused");
	json_free(&d);
	free(copy);
}

static void test_opt(void)
{
	struct json_doc d;
	struct err e;
	char *copy;
	const char *s = "unchanged";
	int bv = 7, proc, lin;
	int64_t iv = 7;
	uint64_t uv = 7;

	T_OK(parse(&d, cfg, strlen(cfg), &e, &copy) == 0, "opt: parse");
	d.name = "config.json";
	proc = json_get(&d, 0, "process");
	lin = json_get(&d, 0, "linux");
	/* absent */
	err_clear(&e);
	T_OK(json_opt_str(&d, proc, "nope", &s, &e) == 0 && !strcmp(s, "unchanged"), "opt_str absent");
	T_OK(json_opt_bool(&d, proc, "nope", &bv, &e) == 0 && bv == 7, "opt_bool absent");
	T_OK(json_opt_i64(&d, proc, "nope", &iv, &e) == 0 && iv == 7, "opt_i64 absent");
	T_OK(json_opt_u64(&d, proc, "nope", &uv, &e) == 0 && uv == 7, "opt_u64 absent");
	T_INTEQ(json_opt_arr(&d, proc, "nope", &e), -1, "opt_arr absent");
	T_INTEQ(json_opt_obj(&d, proc, "nope", &e), -1, "opt_obj absent");
	T_STREQ(e.msg, "", "opt: absent leaves err untouched");
	/* null */
	T_OK(json_opt_str(&d, proc, "env", &s, &e) == 0 && !strcmp(s, "unchanged"), "opt_str null");
	T_OK(json_opt_bool(&d, proc, "env", &bv, &e) == 0 && bv == 7, "opt_bool null");
	T_OK(json_opt_i64(&d, proc, "env", &iv, &e) == 0 && iv == 7, "opt_i64 null");
	T_OK(json_opt_u64(&d, proc, "env", &uv, &e) == 0 && uv == 7, "opt_u64 null");
	T_INTEQ(json_opt_arr(&d, proc, "env", &e), -1, "opt_arr null");
	T_INTEQ(json_opt_obj(&d, proc, "env", &e), -1, "opt_obj null");
	T_STREQ(e.msg, "", "opt: null leaves err untouched");
	/* present, right type */
	T_OK(json_opt_bool(&d, proc, "terminal", &bv, &e) == 0 && bv == 1, "opt_bool present");
	T_OK(json_opt_str(&d, 0, "ociVersion", &s, &e) == 0 && !strcmp(s, "1.0.2"), "opt_str present");
	T_OK(json_opt_i64(&d, json_get(&d, proc, "user"), "uid", &iv, &e) == 0 && iv == -1,
	     "opt_i64 present");
	T_INTEQ(json_opt_arr(&d, proc, "args", &e), json_get(&d, proc, "args"), "opt_arr present");
	T_INTEQ(json_opt_obj(&d, proc, "user", &e), json_get(&d, proc, "user"), "opt_obj present");
	/* present, wrong type */
	T_OK(json_opt_str(&d, proc, "cwd", &s, &e) < 0 && !strcmp(s, "1.0.2"), "opt_str wrong type");
	T_STREQ(e.msg, "config.json: .process.cwd: expected string", "opt_str message");
	T_OK(json_opt_bool(&d, proc, "cwd", &bv, &e) < 0, "opt_bool wrong type");
	T_STREQ(e.msg, "config.json: .process.cwd: expected boolean", "opt_bool message");
	T_OK(json_opt_i64(&d, proc, "args", &iv, &e) < 0, "opt_i64 wrong type");
	T_STREQ(e.msg, "config.json: .process.args: expected integer", "opt_i64 message");
	T_OK(json_opt_u64(&d, json_get(&d, proc, "user"), "uid", &uv, &e) < 0 && uv == 7,
	     "opt_u64 negative");
	T_STREQ(e.msg, "config.json: .process.user.uid: expected unsigned integer",
		"opt_u64 message");
	T_INTEQ(json_opt_arr(&d, lin, "maskedPaths", &e), -2, "opt_arr wrong type");
	T_STREQ(e.msg, "config.json: .linux.maskedPaths: expected array", "opt_arr message");
	T_INTEQ(json_opt_obj(&d, proc, "args", &e), -2, "opt_obj wrong type");
	T_STREQ(e.msg, "config.json: .process.args: expected object", "opt_obj message");
	/* required */
	T_OK(json_req_str(&d, proc, "hostname", &s, &e) < 0, "req_str missing");
	T_STREQ(e.msg, "config.json: .process.hostname: missing", "req_str missing message");
	T_OK(json_req_str(&d, 0, "root", &s, &e) < 0, "req_str missing at the root");
	T_STREQ(e.msg, "config.json: .root: missing", "req_str root message");
	T_OK(json_req_str(&d, lin, "weird key", &s, &e) < 0, "req_str wrong type");
	T_STREQ(e.msg, "config.json: .linux[\"weird key\"]: expected string", "req_str type message");
	T_OK(json_req_str(&d, proc, "env", &s, &e) < 0, "req_str null");
	T_STREQ(e.msg, "config.json: .process.env: expected string", "req_str null message");
	T_OK(json_req_str(&d, json_get(&d, proc, "args"), "x", &s, &e) < 0, "req_str on an array");
	T_STREQ(e.msg, "config.json: .process.args: expected object", "req_str array message");
	json_free(&d);
	free(copy);
}

static void test_load(void)
{
	struct json_doc d;
	struct err e;
	const char *s;
	int64_t iv;
	uint64_t uv;
	int i, lin, fd;
	char dir[] = "/tmp/t_json.XXXXXX";

	T_OK(json_load(&d, AT_FDCWD, "tests/data/json/ok/no-such.json", "config.json", &e) < 0,
	     "load: missing file");
	T_STREQ(e.msg, "open config.json: No such file or directory", "load: missing message");
	T_INTEQ(e.no, ENOENT, "load: missing errno");
	T_OK(json_load(&d, AT_FDCWD, "tests/data/json/nope.json", NULL, &e) < 0 &&
	     !strcmp(e.msg, "open tests/data/json/nope.json: No such file or directory"),
	     "load: name defaults to the path");
	T_OK(json_load(&d, AT_FDCWD, "tests/data/json/ok", NULL, &e) < 0, "load: directory refused");
	T_STREQ(e.msg, "tests/data/json/ok: not a regular file", "load: directory message");
	T_OK(json_load(&d, AT_FDCWD, "/dev/null", NULL, &e) < 0 &&
	     !strcmp(e.msg, "/dev/null: not a regular file"), "load: device refused");

	T_OK(mkdtemp(dir) != NULL, "load: temp dir");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = openat(dfd, "big.json", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	T_OK(fd >= 0 && ftruncate(fd, JSON_MAX_SIZE + 1) == 0, "load: sparse big file");
	close(fd);
	T_OK(json_load(&d, dfd, "big.json", "config.json", &e) < 0, "load: big file refused");
	T_STREQ(e.msg, "config.json: too large: 4194305 bytes (limit 4194304)", "load: big message");
	fd = openat(dfd, "bad.json", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	T_OK(fd >= 0 && write(fd, "{\"a\": 01}", 9) == 9, "load: write bad file");
	close(fd);
	T_OK(json_load(&d, dfd, "bad.json", "config.json", &e) < 0, "load: relative to dirfd");
	T_STREQ(e.msg, "config.json: offset 6: invalid number", "load: parse error message");
	T_INTEQ(d.buf == NULL && d.t == NULL, 1, "load: nothing held after a failure");
	json_free(&d);
	fd = openat(dfd, "empty.json", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	close(fd);
	T_OK(json_load(&d, dfd, "empty.json", NULL, &e) < 0 &&
	     !strcmp(e.msg, "empty.json: offset 0: empty input"), "load: empty file");
	T_OK(mkfifoat(dfd, "fifo.json", 0600) == 0, "load: fifo made");
	T_OK(json_load(&d, dfd, "fifo.json", NULL, &e) < 0 &&
	     !strcmp(e.msg, "fifo.json: not a regular file"), "load: fifo refused without blocking");
	unlinkat(dfd, "fifo.json", 0);
	unlinkat(dfd, "big.json", 0);
	unlinkat(dfd, "bad.json", 0);
	unlinkat(dfd, "empty.json", 0);
	close(dfd);
	rmdir(dir);

	/* the realistic config, through the getters a spec reader would use */
	T_OK(json_load(&d, AT_FDCWD, "tests/data/json/ok/oci-config.json", "config.json", &e) == 0,
	     "load: oci-config.json");
	T_OK(json_req_str(&d, 0, "ociVersion", &s, &e) == 0 && !strcmp(s, "1.0.2-dev"),
	     "oci: ociVersion");
	i = json_get(&d, json_get(&d, 0, "process"), "args");
	T_OK(json_str(&d, d.t[d.t[d.t[i].first].next].next, &s, &e) == 0 &&
	     !strcmp(s, "i=0; while true; do echo $i; i=$((i+1)); sleep 1; done"), "oci: args[2]");
	lin = json_get(&d, 0, "linux");
	i = json_opt_arr(&d, lin, "namespaces", &e);
	T_INTEQ(d.t[i].n, 6, "oci: 6 namespaces");
	T_OK(json_req_str(&d, d.t[i].first + 0, "type", &s, &e) == 0 && !strcmp(s, "pid"),
	     "oci: namespaces[0].type");
	i = json_get(&d, json_get(&d, lin, "resources"), "memory");
	T_OK(json_opt_u64(&d, i, "reservation", &uv, &e) < 0 &&
	     !strcmp(e.msg, "config.json: .linux.resources.memory.reservation: expected unsigned "
			    "integer"),
	     "oci: 1.34217728e8 refused as Go refuses it for an integer field");
	T_OK(json_opt_i64(&d, i, "swap", &iv, &e) == 0 && iv == -1, "oci: swap -1");
	T_OK(json_opt_u64(&d, i, "swap", &uv, &e) < 0 &&
	     !strcmp(e.msg, "config.json: .linux.resources.memory.swap: expected unsigned integer"),
	     "oci: swap as u64 refused with its path");
	i = json_get(&d, 0, "annotations");
	T_OK(json_opt_str(&d, i, "io.crbox.note", &s, &e) == 0 &&
	     !strcmp(s, "caf\xc3\xa9 \xf0\x9f\x98\x80"), "oci: annotation with escapes");
	T_OK(json_opt_obj(&d, lin, "uidMappings", &e) == -1, "oci: null member is absent");
	json_free(&d);
	json_free(&d);
	T_OK(d.buf == NULL && d.t == NULL, "json_free twice is harmless");
}

static int want_json(const struct dirent *de)
{
	size_t n = strlen(de->d_name);
	return n > 5 && !strcmp(de->d_name + n - 5, ".json");
}

static void corpus(const char *dir, int ok)
{
	struct dirent **ents;
	char path[512], name[600];
	int n, k;

	n = scandir(dir, &ents, want_json, alphasort);
	snprintf(name, sizeof name, "corpus %s has 15+ files", dir);
	T_OK(n >= 15, name);
	for (k = 0; k < n; k++) {
		struct json_doc d;
		struct err e;
		int r;

		snprintf(path, sizeof path, "%s/%s", dir, ents[k]->d_name);
		err_clear(&e);
		r = json_load(&d, AT_FDCWD, path, ents[k]->d_name, &e);
		snprintf(name, sizeof name, "%s %s", ok ? "accepts" : "refuses", path);
		if (ok) {
			if (!T_OK(r == 0, name))
				printf("#   err: %s\n", e.msg);
		} else {
			/* a parse error, with the file's name and an offset */
			if (!T_OK(r < 0 && !strncmp(e.msg, ents[k]->d_name, strlen(ents[k]->d_name)) &&
				  strstr(e.msg, ": offset "), name))
				printf("#   got: %s\n", r < 0 ? e.msg : "(accepted)");
			else
				printf("#   %s\n", e.msg);
		}
		json_free(&d);
		free(ents[k]);
	}
	free(ents);
}

int main(void)
{
	test_table();
	test_strings();
	test_numbers();
	test_depth();
	test_size();
	test_objects();
	test_paths();
	test_opt();
	test_load();
	corpus("tests/data/json/ok", 1);
	corpus("tests/data/json/bad", 0);
	return t_done();
}
