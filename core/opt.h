/* opt: table-driven option parser with urfave/cli (runc) semantics:
 *  - "-x" and "--x" are the same flag; names match exactly (no prefixes, no bundling);
 *  - values as "--x v" or "--x=v"; a bool takes a value only as "--x=true|false|1|0|t|f|...";
 *  - a repeated string/int flag keeps the last value; a slice flag (OPT_STRV) collects all;
 *  - flags may follow positionals; "--" ends flag parsing; a lone "-" is a positional;
 *  - "-h"/"--help" return OPT_HELP (unless the table defines them);
 *  - a flag not in tab is looked up in gtab (the global flags), so global flags work on an
 *    applet's own command line.
 * Errors (exit status 1 in runc): "flag provided but not defined: -x",
 * "flag needs an argument: -x", "invalid value \"v\" for flag -x: parse error"
 * (runc prints the flag with one dash, as Go's flag package does). */
#ifndef CRBOX_OPT_H
#define CRBOX_OPT_H
#include <stddef.h>
#include "err.h"
#include "buf.h"

enum opt_type { OPT_BOOL, OPT_STR, OPT_INT, OPT_STRV };

struct opt {
	const char *name;     /* long name without dashes: "image-path" */
	const char *alias;    /* other name, e.g. "d", or NULL */
	unsigned char type;   /* enum opt_type */
	unsigned short off;   /* offsetof() the target field in the destination struct */
	const char *arg;      /* placeholder shown in help ("value"), NULL for bools */
	const char *help;     /* one line; may end with a "(default: ...)" note */
};
#define OPT(n, a, t, st, f, arg, h) { n, a, t, (unsigned short)offsetof(st, f), arg, h }

/* Targets: OPT_BOOL -> int (0/1), OPT_STR -> const char * (points into argv),
 * OPT_INT -> int, OPT_STRV -> struct strv. Each also sets a "seen" bit if the destination
 * struct wants one: see opt_seen(). */
struct strv {
	const char **v;       /* heap array of pointers into argv */
	size_t n;
};

struct optset {
	const struct opt *tab;
	size_t n;
	void *dst;
	int no_reorder;       /* urfave's SkipArgReorder (exec): flags end at the first positional */
};

#define OPT_HELP (-2)

/* Parses argv[1..argc) against set (and then gset for unknown names). Positionals are stored
 * in order into pos[] (capacity argc) and their count is returned. Returns OPT_HELP when
 * -h/--help was given, -1 on error (err set). seen, if non-NULL, has one byte per entry of
 * set->tab and is set to 1 for each flag that appeared. */
int opt_parse(int argc, char **argv, const struct optset *set, const struct optset *gset,
	      char **pos, unsigned char *seen, struct err *err);

/* For the multiplexer's global flags: parses flags from argv[1..) up to the first
 * positional and returns that positional's index (argc if none), OPT_HELP, or -1. */
int opt_parse_prefix(int argc, char **argv, const struct optset *set, struct err *err);

/* Renders runc-style help:
 *   NAME:\n   <prog> <name> - <summary>\n\nUSAGE:\n   <prog> <name> <usage>\n\n
 *   DESCRIPTION:\n<desc>\n\nOPTIONS:\n   --image-path value  <help>\n ...
 * Options are aligned in one column; an alias is shown as "--detach, -d". */
void opt_help(struct buf *b, const char *prog, const char *name, const char *summary,
	      const char *usage, const char *desc, const struct opt *tab, size_t n);
/* Just the option lines of that help: "   <label>  <help>\n" for each entry, labels padded
 * to the widest plus two spaces (for the multiplexer's GLOBAL OPTIONS). */
void opt_help_options(struct buf *b, const struct opt *tab, size_t n);

/* Go's strconv.ParseBool spellings: 1 t T TRUE true True / 0 f F FALSE false False. */
int opt_parse_bool(const char *s, int *out);
void strv_free(struct strv *v);

#endif
