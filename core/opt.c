/* opt: the option parser, with the rules of urfave/cli v1.22 as runc 1.1 uses it: first the
 * applet's known flags (and the values after them) are moved before the other words, then
 * Go's flag package rules apply: parsing stops at the first non-flag or after "--".
 * The error texts are Go's flag package ones, which runc prints unchanged. */
#include "opt.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Where a name was found: an entry of the applet table, the implicit help flag, or an
 * entry of the global table. */
struct hit {
	const struct opt *o;
	const struct optset *set;
	size_t idx;
	int help;
};

static int name_eq(const char *name, size_t len, const char *s)
{
	return s && strlen(s) == len && !memcmp(s, name, len);
}

static int find_in(const struct optset *set, const char *name, size_t len, struct hit *h)
{
	size_t i;
	if (!set)
		return 0;
	for (i = 0; i < set->n; i++) {
		if (name_eq(name, len, set->tab[i].name) || name_eq(name, len, set->tab[i].alias)) {
			h->o = &set->tab[i];
			h->set = set;
			h->idx = i;
			h->help = 0;
			return 1;
		}
	}
	return 0;
}

/* Looks a name up: applet table, then -h/--help, then the global table. */
static int lookup(const struct optset *set, const struct optset *gset, const char *name,
		  size_t len, struct hit *h)
{
	if (find_in(set, name, len, h))
		return 1;
	if (name_eq(name, len, "help") || name_eq(name, len, "h")) {
		h->o = NULL;
		h->set = NULL;
		h->help = 1;
		return 1;
	}
	return find_in(gset, name, len, h);
}

/* urfave's argIsFlag: up to three leading dashes are dropped, then the part before '='
 * must name a known flag. "-" and "--" are never flags. */
static int arg_is_flag(const struct optset *set, const struct optset *gset, const char *a)
{
	struct hit h;
	size_t len;

	if (a[0] != '-' || !strcmp(a, "-") || !strcmp(a, "--"))
		return 0;
	if (a[1] == '-')
		a += 2 + (a[2] == '-');
	else
		a++;
	len = strcspn(a, "=");
	return lookup(set, gset, a, len, &h);
}

int opt_parse_bool(const char *s, int *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t i;
	for (i = 0; i < 6; i++) {
		if (!strcmp(s, t[i])) {
			*out = 1;
			return 0;
		}
		if (!strcmp(s, f[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Go's strconv.ParseInt(s, 0, 64): sign, 0x/0o/0b/0 prefixes, '_' between digits.
 * Returns 0, -1 for a syntax error, -2 when out of range. */
static int go_parse_int(const char *s0, int64_t *out)
{
	const char *s = s0;
	int neg = 0, base = 10, unders = 0;
	uint64_t n = 0, lim;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return -1;
	if (s[0] == '0') {
		char c = (char)(s[1] | 0x20);
		if (s[1] && s[2] && (c == 'b' || c == 'o' || c == 'x')) {
			base = c == 'b' ? 2 : c == 'o' ? 8 : 16;
			s += 2;
		} else {
			base = 8;
			s++;
		}
	}
	for (; *s; s++) {
		unsigned d;
		char c = *s, lc = (char)(c | 0x20);
		if (c == '_') {
			unders = 1;
			continue;
		} else if (c >= '0' && c <= '9') {
			d = (unsigned)(c - '0');
		} else if (lc >= 'a' && lc <= 'z') {
			d = (unsigned)(lc - 'a') + 10;
		} else {
			return -1;
		}
		if (d >= (unsigned)base)
			return -1;
		if (n > UINT64_MAX / (unsigned)base)
			return -2;
		n *= (unsigned)base;
		if (n + d < n)
			return -2;
		n += d;
	}
	if (unders) {
		/* Go's underscoreOK: '_' only between digits or after a base prefix. */
		char saw = '^';
		int hex = 0;
		s = s0 + (*s0 == '+' || *s0 == '-');
		if (s[0] == '0' && s[1] && strchr("bBoOxX", s[1])) {
			hex = (s[1] | 0x20) == 'x';
			saw = '0';
			s += 2;
		}
		for (; *s; s++) {
			char lc = (char)(*s | 0x20);
			if ((*s >= '0' && *s <= '9') || (hex && lc >= 'a' && lc <= 'f')) {
				saw = '0';
			} else if (*s == '_') {
				if (saw != '0')
					return -1;
				saw = '_';
			} else {
				if (saw == '_')
					return -1;
				saw = '!';
			}
		}
		if (saw == '_')
			return -1;
	}
	lim = (uint64_t)1 << 63;
	if ((!neg && n >= lim) || (neg && n > lim))
		return -2;
	*out = neg ? (int64_t)(0 - n) : (int64_t)n;
	return 0;
}

void strv_free(struct strv *v)
{
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

/* Stores one value; name is the flag as typed (without dashes), for the messages. */
static int store(const struct hit *h, const char *name, size_t len, const char *val,
		 int has_val, int *help, struct err *err)
{
	void *p;
	int b = 0;

	if (h->help || h->o->type == OPT_BOOL) {
		if (!has_val)
			b = 1;
		else if (opt_parse_bool(val, &b) < 0)
			return err_set(err, 0, "invalid boolean value \"%s\" for -%.*s: parse error",
				       val, (int)len, name);
		if (h->help) {
			*help = b;
			return 0;
		}
	} else if (!has_val) {
		return err_set(err, 0, "flag needs an argument: -%.*s", (int)len, name);
	}
	p = (char *)h->set->dst + h->o->off;
	switch (h->o->type) {
	case OPT_BOOL:
		*(int *)p = b;
		break;
	case OPT_STR:
		*(const char **)p = val;
		break;
	case OPT_INT: {
		int64_t v;
		int r = go_parse_int(val, &v);
		if (r == 0 && (v < INT32_MIN || v > INT32_MAX))
			r = -2;
		if (r < 0)
			return err_set(err, 0, "invalid value \"%s\" for flag -%.*s: %s", val, (int)len,
				       name, r == -1 ? "parse error" : "value out of range");
		*(int *)p = (int)v;
		break;
	}
	case OPT_STRV: {
		struct strv *sv = p;
		sv->v = xrealloc(sv->v, (sv->n + 1) * sizeof *sv->v);
		sv->v[sv->n++] = val;
		break;
	}
	}
	return 0;
}

/* One parse: the two tables, where to mark seen entries, and which forms of each flag were
 * used (bit 1: the name, bit 2: the alias; entries of set, then of gset, then help). */
struct pctx {
	const struct optset *set, *gset;
	unsigned char *seen, *forms;
	int help;
};

/* Go's FlagSet.Parse over args[0..n): returns the index of the first positional (after a
 * "--" if that ended the flags), or -1 with err set. */
static int parse_flags(char **args, int n, struct pctx *c, struct err *err)
{
	int i = 0;

	while (i < n) {
		const char *s = args[i], *name, *val = NULL;
		size_t len, slot;
		struct hit h;

		if (s[0] != '-' || !s[1])
			break;
		if (s[1] == '-' && !s[2])
			return i + 1;
		name = s + 1 + (s[1] == '-');
		if (!*name || *name == '-' || *name == '=')
			return err_set(err, 0, "bad flag syntax: %s", s);
		i++;
		len = strcspn(name, "=");
		if (name[len] == '=')
			val = name + len + 1;
		if (!lookup(c->set, c->gset, name, len, &h))
			return err_set(err, 0, "flag provided but not defined: -%.*s", (int)len, name);
		if (!val && !h.help && h.o->type != OPT_BOOL && i < n)
			val = args[i++];
		if (store(&h, name, len, val, val != NULL, &c->help, err) < 0)
			return -1;
		if (h.help) {
			slot = c->set->n + (c->gset ? c->gset->n : 0);
			c->forms[slot] |= name_eq(name, len, "help") ? 1 : 2;
			continue;
		}
		slot = h.idx + (h.set == c->set ? 0 : c->set->n);
		c->forms[slot] |= name_eq(name, len, h.o->name) ? 1 : 2;
		if (c->seen && h.set == c->set)
			c->seen[h.idx] = 1;
	}
	return i;
}

/* urfave's normalizeFlags: a flag given both by its name and by its alias is an error. */
static int check_forms(const struct pctx *c, struct err *err)
{
	size_t i, n = c->set->n + (c->gset ? c->gset->n : 0);
	for (i = 0; i <= n; i++) {
		const struct opt *o = i < c->set->n ? &c->set->tab[i] : i < n ?
				      &c->gset->tab[i - c->set->n] : NULL;
		if (c->forms[i] == 3)
			return err_set(err, 0, "Cannot use two forms of the same flag: %s %s",
				       o ? o->alias : "h", o ? o->name : "help");
	}
	return 0;
}

int opt_parse(int argc, char **argv, const struct optset *set, const struct optset *gset,
	      char **pos, unsigned char *seen, struct err *err)
{
	int n = argc > 1 ? argc - 1 : 0, nf = 0, nr = 0, i, first, next_val = 0;
	char **ord = xcalloc((size_t)n + 1, sizeof *ord), **rest = xcalloc((size_t)n + 1, sizeof *rest);
	struct pctx c = { set, gset, seen, xcalloc(set->n + (gset ? gset->n : 0) + 1, 1), 0 };

	/* urfave's reorderArgs: known flags, each with the word after it when that word is not
	 * itself a known flag, go first; a "--" moves to the front of the rest and ends it. */
	for (i = 0; i < n; i++) {
		char *a = argv[i + 1];
		int isf = arg_is_flag(set, gset, a);
		if (set->no_reorder) {
			ord[nf++] = a;
			continue;
		}
		if (next_val && !isf) {
			next_val = 0;
			ord[nf++] = a;
		} else if (!strcmp(a, "--")) {
			memmove(rest + 1, rest, (size_t)nr * sizeof *rest);
			rest[0] = a;
			nr++;
			for (i++; i < n; i++)
				rest[nr++] = argv[i + 1];
		} else if (isf) {
			ord[nf++] = a;
			next_val = !strchr(a, '=');
		} else {
			rest[nr++] = a;
		}
	}
	memcpy(ord + nf, rest, (size_t)nr * sizeof *rest);
	free(rest);

	first = parse_flags(ord, n, &c, err);
	if (first >= 0 && check_forms(&c, err) < 0)
		first = -1;
	if (first >= 0) {
		for (i = first; i < n; i++)
			pos[i - first] = ord[i];
		first = c.help ? OPT_HELP : n - first;
	}
	free(c.forms);
	free(ord);
	return first;
}

int opt_parse_prefix(int argc, char **argv, const struct optset *set, struct err *err)
{
	struct pctx c = { set, NULL, NULL, xcalloc(set->n + 1, 1), 0 };
	int r = argc < 2 ? 0 : parse_flags(argv + 1, argc - 1, &c, err);

	/* At the top level urfave checks both forms first, even after a parse error. */
	if (check_forms(&c, err) < 0)
		r = -1;
	free(c.forms);
	if (r < 0)
		return -1;
	return c.help ? OPT_HELP : argc < 1 ? 0 : r + 1;
}

/* "--name value, -a value" or "--detach, -d": the left column of an option line. */
static void opt_label(struct buf *b, const struct opt *o)
{
	const char *names[2] = { o->name, o->alias };
	int i;
	for (i = 0; i < 2 && names[i]; i++) {
		buf_adds(b, i ? ", " : "");
		buf_adds(b, names[i][1] ? "--" : "-");
		buf_adds(b, names[i]);
		if (o->type != OPT_BOOL) {
			buf_addc(b, ' ');
			buf_adds(b, o->arg ? o->arg : "value");
		}
	}
}

void opt_help_options(struct buf *b, const struct opt *tab, size_t n)
{
	struct buf l = BUF_INIT;
	size_t i, w = 0;

	for (i = 0; i < n; i++) {
		buf_reset(&l);
		opt_label(&l, &tab[i]);
		if (l.len > w)
			w = l.len;
	}
	for (i = 0; i < n; i++) {
		buf_reset(&l);
		opt_label(&l, &tab[i]);
		buf_adds(b, "   ");
		buf_adds(b, l.p);
		while (l.len++ < w + 2)
			buf_addc(b, ' ');
		buf_adds(b, tab[i].help ? tab[i].help : "");
		buf_addc(b, '\n');
	}
	buf_free(&l);
}

void opt_help(struct buf *b, const char *prog, const char *name, const char *summary,
	      const char *usage, const char *desc, const struct opt *tab, size_t n)
{
	buf_addf(b, "NAME:\n   %s %s - %s\n\nUSAGE:\n   %s %s", prog, name, summary, prog, name);
	if (usage && *usage)
		buf_addf(b, " %s", usage);
	else if (!usage)
		buf_adds(b, n ? " [command options] [arguments...]" : " [arguments...]");
	if (desc && *desc)
		buf_addf(b, "\n\nDESCRIPTION:\n   %s", desc);
	if (n) {
		buf_adds(b, "\n\nOPTIONS:\n");
		opt_help_options(b, tab, n);
		buf_adds(b, "   ");
	}
	buf_addc(b, '\n');
}
