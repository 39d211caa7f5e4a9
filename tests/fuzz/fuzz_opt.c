/* fuzz_opt: libFuzzer entry for the option parser (core/opt.c) on the real tables: the
 * first byte picks restore's or checkpoint's applet table (exported by applets/restore.c and
 * applets/checkpoint.c), or the multiplexer's global flags (applets/common.c's gopts)
 * through opt_parse_prefix; the rest is split at NUL and newline bytes into argv words.
 * Checks: errors have a message, positionals and string values point into argv, seen marks
 * only given flags, and the help renders.
 * fuzz-src: all applets/common.c applets/restore.c applets/checkpoint.c
 * fuzz-corpus: tests/data/opt */
#include "opt.h"
#include "applets/common.h"
#include <stdlib.h>
#include <string.h>

extern const struct applet_info *const restore_applet_info;
extern const struct applet_info *const checkpoint_applet_info;

#define N(t) (sizeof t / sizeof t[0])

/* 1 if p points into one of argv[1..argc). */
static int in_argv(const char *p, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return 1;
	return 0;
}

/* Every string field of dst (a struct of tab's entries) is NULL, its value in defs (the
 * struct before parsing; NULL: none), or points into argv. */
static void check_dst(const struct opt *tab, size_t n, void *dst, const void *defs, int argc,
		      char **argv)
{
	for (size_t i = 0; i < n; i++) {
		void *p = (char *)dst + tab[i].off;
		if (tab[i].type == OPT_STR) {
			const char *s = *(const char **)p;
			const char *d = defs ? *(const char *const *)((const char *)defs + tab[i].off)
					     : NULL;
			if (s && s != d && !in_argv(s, argc, argv))
				abort();
		} else if (tab[i].type == OPT_STRV) {
			struct strv *v = p;
			for (size_t k = 0; k < v->n; k++)
				if (!in_argv(v->v[k], argc, argv))
					abort();
			strv_free(v);
		}
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static _Alignas(64) unsigned char dst[16384];
	static struct g g0;
	static int saved;
	const struct applet_info *ai;
	struct optset gset = gopts, set;
	const struct opt *tab;
	size_t ntab, i;
	unsigned char seen[32] = { 0 };
	struct err e = { 0 };
	char *words, **argv, **pos;
	int argc = 1, n, k;

	if (!size)
		return 0;
	if (!saved) {
		g0 = g;
		saved = 1;
	}
	g = g0;
	memset(dst, 0, sizeof dst);
	ai = data[0] % 3 == 0 ? restore_applet_info : checkpoint_applet_info;
	tab = ai->tab;
	ntab = ai->n;
	for (i = 0; i < ntab; i++)
		if (tab[i].off + sizeof(struct strv) > sizeof dst)
			abort();    /* dst too small for the real table */
	set = (struct optset){ tab, ntab, dst };
	words = malloc(size);
	memcpy(words, data + 1, size - 1);
	words[size - 1] = 0;
	for (i = 0; i + 1 < size; i++)
		if (words[i] == '\n')
			words[i] = 0;
	for (i = 0; i + 1 < size; i++)
		if (!words[i])
			argc++;
	argc++;
	argv = calloc((size_t)argc + 1, sizeof *argv);
	pos = calloc((size_t)argc + 1, sizeof *pos);
	argv[0] = "fuzz";
	for (k = 1, i = 0; k < argc; k++) {
		argv[k] = words + i;
		i += strlen(words + i) + 1;
	}

	if (data[0] % 3 == 2) {
		n = opt_parse_prefix(argc, argv, &gset, &e);
		if (n == -1 ? !e.msg[0] : n != OPT_HELP && (n < 1 || n > argc))
			abort();
		check_dst(gset.tab, gset.n, gset.dst, &g0, argc, argv);
	} else {
		n = opt_parse(argc, argv, &set, &gset, pos, seen, &e);
		if (n == -1 && !e.msg[0])
			abort();
		if (n >= 0) {
			if (n > argc - 1)
				abort();
			for (k = 0; k < n; k++)
				if (!pos[k] || !in_argv(pos[k], argc, argv))
					abort();
		}
		for (i = ntab; i < sizeof seen; i++)
			if (seen[i])
				abort();    /* only the applet's own entries are marked */
		check_dst(tab, ntab, set.dst, NULL, argc, argv);
		check_dst(gset.tab, gset.n, gset.dst, &g0, argc, argv);
		if (n >= 0 && n != OPT_HELP) {
			struct buf b = BUF_INIT;
			opt_help(&b, "crbox", ai->name, ai->summary, ai->usage, ai->desc, tab, ntab);
			opt_help_options(&b, gset.tab, gset.n);
			buf_free(&b);
		}
	}
	free(pos);
	free(argv);
	free(words);
	return 0;
}
