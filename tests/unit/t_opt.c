/* t_opt: the option parser against a table of command lines. Each case gives argv, the
 * expected return, the values stored (rendered as "name=value" words), the flags marked
 * seen, the positionals, and the exact error text, all as runc 1.1.5 (urfave/cli) acts. */
#include "t.h"
#include "opt.h"
#include <stdlib.h>

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct ro {
	const char *bundle, *image_path, *lsm_mount_context, *pid_file;
	int detach, no_subreaper, leave_running, status_fd;
	struct strv empty_ns;
};

static const struct opt tab[] = {
	OPT("image-path", NULL, OPT_STR, struct ro, image_path, "value", "path to criu image files"),
	OPT("bundle", "b", OPT_STR, struct ro, bundle, "value", "path to the bundle"),
	OPT("detach", "d", OPT_BOOL, struct ro, detach, NULL, "detach from the container's process"),
	OPT("pid-file", NULL, OPT_STR, struct ro, pid_file, "value", "write the pid here"),
	OPT("no-subreaper", NULL, OPT_BOOL, struct ro, no_subreaper, NULL, "no subreaper"),
	OPT("leave-running", NULL, OPT_BOOL, struct ro, leave_running, NULL, "leave it running"),
	OPT("status-fd", NULL, OPT_INT, struct ro, status_fd, "value", "status fd (default: -1)"),
	OPT("empty-ns", NULL, OPT_STRV, struct ro, empty_ns, "value", "empty namespace"),
	OPT("lsm-mount-context", NULL, OPT_STR, struct ro, lsm_mount_context, "value", "context"),
};
#define NTAB (sizeof tab / sizeof tab[0])

struct gl {
	const char *root, *log_format;
	int debug;
};
static const struct opt gtab[] = {
	OPT("debug", NULL, OPT_BOOL, struct gl, debug, NULL, "enable debug logging"),
	OPT("log-format", NULL, OPT_STR, struct gl, log_format, "value", "log format"),
	OPT("root", NULL, OPT_STR, struct gl, root, "value", "state root"),
};

/* Renders every field that differs from its zero value ("status-fd" starts at -1). */
static void render(char *out, size_t cap, const struct ro *r, const struct gl *gl)
{
	size_t i;
	out[0] = 0;
#define ADDS(k, v) if (v) snprintf(out + strlen(out), cap - strlen(out), "%s=%s ", k, v)
#define ADDI(k, v, z) if ((v) != (z)) snprintf(out + strlen(out), cap - strlen(out), "%s=%d ", k, v)
	ADDS("bundle", r->bundle);
	ADDS("image-path", r->image_path);
	ADDS("lsm-mount-context", r->lsm_mount_context);
	ADDS("pid-file", r->pid_file);
	ADDI("detach", r->detach, 0);
	ADDI("no-subreaper", r->no_subreaper, 0);
	ADDI("leave-running", r->leave_running, 0);
	ADDI("status-fd", r->status_fd, -1);
	for (i = 0; i < r->empty_ns.n; i++)
		ADDS("empty-ns", r->empty_ns.v[i]);
	ADDS("root", gl->root);
	ADDS("log-format", gl->log_format);
	ADDI("debug", gl->debug, 0);
	if (*out)
		out[strlen(out) - 1] = 0;
}

struct tcase {
	const char *argv[16];
	int ret;             /* positional count, OPT_HELP or -1 */
	const char *vals;    /* render() output */
	const char *seen;    /* names of seen entries, space-separated */
	const char *pos;     /* positionals joined by '|' */
	const char *err;     /* exact message when ret == -1 */
};

static const struct tcase cases[] = {
	/* one dash and two dashes are the same; containerd passes -no-subreaper */
	{ { "restore", "-no-subreaper", "id" }, 1, "no-subreaper=1", "no-subreaper", "id" },
	{ { "restore", "--no-subreaper", "id" }, 1, "no-subreaper=1", "no-subreaper", "id" },
	/* values: separate word or '=' */
	{ { "restore", "--bundle", "/b", "id" }, 1, "bundle=/b", "bundle", "id" },
	{ { "restore", "--bundle=/b", "id" }, 1, "bundle=/b", "bundle", "id" },
	{ { "restore", "-b=/b", "id" }, 1, "bundle=/b", "bundle", "id" },
	{ { "restore", "-b", "/b", "id" }, 1, "bundle=/b", "bundle", "id" },
	{ { "restore", "--bundle=", "id" }, 1, "bundle=", "bundle", "id" },
	{ { "restore", "--bundle=a=b", "id" }, 1, "bundle=a=b", "bundle", "id" },
	/* a value that looks like a flag is still the value */
	{ { "restore", "--bundle", "-d", "id" }, 1, "bundle=-d", "bundle", "id" },
	{ { "restore", "--bundle", "--", "id" }, 1, "bundle=--", "bundle", "id" },
	/* exact names only: no prefixes */
	{ { "restore", "--bund", "/b", "id" }, -1, "", "", "", "flag provided but not defined: -bund" },
	{ { "restore", "--foo" }, -1, "", "", "", "flag provided but not defined: -foo" },
	{ { "restore", "--foo=1", "id" }, -1, "", "", "", "flag provided but not defined: -foo" },
	{ { "restore", "-Detach", "id" }, -1, "", "", "", "flag provided but not defined: -Detach" },
	/* bools never take the next word; only =value, Go ParseBool spellings */
	{ { "restore", "-d", "id" }, 1, "detach=1", "detach", "id" },
	{ { "restore", "-d=false", "id" }, 1, "", "detach", "id" },
	{ { "restore", "-d", "-d=0", "id" }, 1, "", "detach", "id" },
	{ { "restore", "--detach=True", "id" }, 1, "detach=1", "detach", "id" },
	{ { "restore", "--detach=T", "id" }, 1, "detach=1", "detach", "id" },
	{ { "restore", "--detach=F", "--no-subreaper=1", "id" }, 1, "no-subreaper=1",
	  "detach no-subreaper", "id" },
	{ { "restore", "--detach", "false", "id" }, 2, "detach=1", "detach", "false|id" },
	{ { "restore", "--detach=maybe", "id" }, -1, "", "", "",
	  "invalid boolean value \"maybe\" for -detach: parse error" },
	{ { "checkpoint", "-leave-running=maybe" }, -1, "", "", "",
	  "invalid boolean value \"maybe\" for -leave-running: parse error" },
	{ { "restore", "-d=yes", "id" }, -1, "", "", "",
	  "invalid boolean value \"yes\" for -d: parse error" },
	{ { "restore", "-d=", "id" }, -1, "", "", "", "invalid boolean value \"\" for -d: parse error" },
	{ { "restore", "--detach=tRUE", "id" }, -1, "", "", "",
	  "invalid boolean value \"tRUE\" for -detach: parse error" },
	/* Podman gives --leave-running twice */
	{ { "checkpoint", "--leave-running", "--leave-running", "id" }, 1, "leave-running=1",
	  "leave-running", "id" },
	/* repeated string: last wins; slice: all, no comma splitting */
	{ { "restore", "-b", "/1", "-b=/2", "id" }, 1, "bundle=/2", "bundle", "id" },
	{ { "restore", "--bundle", "/1", "id", "--bundle=/2" }, 1, "bundle=/2", "bundle", "id" },
	/* ... but a name and its alias together is urfave's normalizeFlags error */
	{ { "restore", "-b", "/1", "--bundle=/2", "id" }, -1, "", "", "",
	  "Cannot use two forms of the same flag: b bundle" },
	{ { "restore", "--bundle=/2", "-b", "/1", "id" }, -1, "", "", "",
	  "Cannot use two forms of the same flag: b bundle" },
	{ { "restore", "-d", "--detach=0", "id" }, -1, "", "", "",
	  "Cannot use two forms of the same flag: d detach" },
	{ { "restore", "-h", "--help" }, -1, "", "", "", "Cannot use two forms of the same flag: h help" },
	{ { "restore", "-b", "/1", "--bundle", "/2", "--help", "id" }, -1, "", "", "",
	  "Cannot use two forms of the same flag: b bundle" },
	{ { "restore", "-b", "/1", "--bundle", "/2", "--foo", "id" }, -1, "", "", "",
	  "flag provided but not defined: -foo" },
	{ { "restore", "--empty-ns", "network", "--empty-ns", "network", "id" }, 1,
	  "empty-ns=network empty-ns=network", "empty-ns", "id" },
	{ { "restore", "--empty-ns=a,b", "id" }, 1, "empty-ns=a,b", "empty-ns", "id" },
	/* missing values: the flag as typed, after one dash */
	{ { "restore", "--lsm-mount-context" }, -1, "", "", "",
	  "flag needs an argument: -lsm-mount-context" },
	{ { "restore", "-lsm-mount-context" }, -1, "", "", "",
	  "flag needs an argument: -lsm-mount-context" },
	{ { "restore", "id", "-b=" }, 1, "bundle=", "bundle", "id" },
	/* reordering puts "-b" before "id", which becomes its value (runc: no positionals) */
	{ { "restore", "id", "-b" }, 0, "bundle=id", "bundle", "" },
	{ { "restore", "id", "--pid-file", "-b" }, 1, "pid-file=-b", "pid-file", "id" },
	{ { "restore", "-d", "-b" }, -1, "", "", "", "flag needs an argument: -b" },
	/* flags after positionals (urfave v1 reorders the applet's own flags) */
	{ { "restore", "id", "--bundle", "/b" }, 1, "bundle=/b", "bundle", "id" },
	{ { "restore", "id", "--bundle=/b", "-d" }, 1, "bundle=/b detach=1", "bundle detach", "id" },
	{ { "checkpoint", "x", "--leave-running", "--image-path", "/y" }, 1,
	  "image-path=/y leave-running=1", "image-path leave-running", "x" },
	/* ... but the word after a bool is glued to it, so this stops at "x" as in runc */
	{ { "restore", "-d", "x", "--bundle", "/tmp" }, 3, "detach=1", "detach", "x|--bundle|/tmp" },
	/* unknown flags after a positional stay positionals (runc: argument count error) */
	{ { "restore", "x", "--foo" }, 2, "", "", "x|--foo" },
	/* "--" ends the flags; lone "-" is a positional */
	{ { "restore", "--", "-d" }, 1, "", "", "-d" },
	{ { "restore", "x", "--", "--bundle" }, 2, "", "", "x|--bundle" },
	{ { "restore", "-d", "--", "x" }, 1, "detach=1", "detach", "x" },
	{ { "restore", "a", "--", "b", "-d" }, 3, "", "", "a|b|-d" },
	{ { "restore", "-" }, 1, "", "", "-" },
	{ { "restore", "-", "-d" }, 1, "detach=1", "detach", "-" },
	{ { "restore", "a", "b", "c" }, 3, "", "", "a|b|c" },
	{ { "restore" }, 0, "", "", "" },
	/* Go's flag syntax errors */
	{ { "restore", "---foo", "x" }, -1, "", "", "", "bad flag syntax: ---foo" },
	{ { "restore", "-=x", "y" }, -1, "", "", "", "bad flag syntax: -=x" },
	{ { "restore", "x", "---bundle", "y" }, -1, "", "", "", "bad flag syntax: ---bundle" },
	/* help */
	{ { "restore", "-h" }, OPT_HELP, "", "", "" },
	{ { "restore", "--help" }, OPT_HELP, "", "", "" },
	{ { "restore", "x", "--help" }, OPT_HELP, "", "", "" },
	{ { "restore", "-help", "a", "b" }, OPT_HELP, "", "", "" },
	{ { "restore", "--help=false", "x" }, 1, "", "", "x" },
	{ { "restore", "--help=maybe" }, -1, "", "", "", "invalid boolean value \"maybe\" for -help: parse error" },
	{ { "restore", "--help", "--foo" }, -1, "", "", "", "flag provided but not defined: -foo" },
	{ { "restore", "--foo", "--help" }, -1, "", "", "", "flag provided but not defined: -foo" },
	/* integers: Go's strconv.ParseInt base 0, int range */
	{ { "checkpoint", "--status-fd", "3", "x" }, 1, "status-fd=3", "status-fd", "x" },
	{ { "checkpoint", "--status-fd", "0x3", "x" }, 1, "status-fd=3", "status-fd", "x" },
	{ { "checkpoint", "--status-fd=0X1f", "x" }, 1, "status-fd=31", "status-fd", "x" },
	{ { "checkpoint", "--status-fd=017", "x" }, 1, "status-fd=15", "status-fd", "x" },
	{ { "checkpoint", "--status-fd=0o17", "x" }, 1, "status-fd=15", "status-fd", "x" },
	{ { "checkpoint", "--status-fd=0b101", "x" }, 1, "status-fd=5", "status-fd", "x" },
	{ { "checkpoint", "--status-fd=1_000", "x" }, 1, "status-fd=1000", "status-fd", "x" },
	{ { "checkpoint", "--status-fd=0x_1", "x" }, 1, "status-fd=1", "status-fd", "x" },
	{ { "checkpoint", "--status-fd=+5", "x" }, 1, "status-fd=5", "status-fd", "x" },
	{ { "checkpoint", "--status-fd=-0x10", "x" }, 1, "status-fd=-16", "status-fd", "x" },
	{ { "checkpoint", "--status-fd=0", "x" }, 1, "status-fd=0", "status-fd", "x" },
	{ { "checkpoint", "--status-fd", "-1", "x" }, 1, "", "status-fd", "x" },
	{ { "checkpoint", "--status-fd", "abc", "x" }, -1, "", "", "",
	  "invalid value \"abc\" for flag -status-fd: parse error" },
	{ { "checkpoint", "--status-fd=", "x" }, -1, "", "", "",
	  "invalid value \"\" for flag -status-fd: parse error" },
	{ { "checkpoint", "--status-fd=08", "x" }, -1, "", "", "",
	  "invalid value \"08\" for flag -status-fd: parse error" },
	{ { "checkpoint", "--status-fd= 5", "x" }, -1, "", "", "",
	  "invalid value \" 5\" for flag -status-fd: parse error" },
	{ { "checkpoint", "--status-fd=0x", "x" }, -1, "", "", "",
	  "invalid value \"0x\" for flag -status-fd: parse error" },
	{ { "checkpoint", "--status-fd=1__0", "x" }, -1, "", "", "",
	  "invalid value \"1__0\" for flag -status-fd: parse error" },
	{ { "checkpoint", "--status-fd=_1", "x" }, -1, "", "", "",
	  "invalid value \"_1\" for flag -status-fd: parse error" },
	{ { "checkpoint", "--status-fd=1_", "x" }, -1, "", "", "",
	  "invalid value \"1_\" for flag -status-fd: parse error" },
	{ { "checkpoint", "--status-fd=-", "x" }, -1, "", "", "",
	  "invalid value \"-\" for flag -status-fd: parse error" },
	{ { "checkpoint", "--status-fd=99999999999999999999", "x" }, -1, "", "", "",
	  "invalid value \"99999999999999999999\" for flag -status-fd: value out of range" },
	{ { "checkpoint", "--status-fd=9223372036854775808", "x" }, -1, "", "", "",
	  "invalid value \"9223372036854775808\" for flag -status-fd: value out of range" },
	/* runc's int is 64-bit; ours is an int, so this is out of range here (runc accepts it) */
	{ { "checkpoint", "--status-fd=4294967296", "x" }, -1, "", "", "",
	  "invalid value \"4294967296\" for flag -status-fd: value out of range" },
	{ { "checkpoint", "--status-fd=-2147483648", "x" }, 1, "status-fd=-2147483648", "status-fd", "x" },
	/* global flags on the applet command line (a crbox extension: runc rejects them here) */
	{ { "restore", "--root", "/x", "id" }, 1, "root=/x", "", "id" },
	{ { "restore", "id", "--root=/x", "--debug" }, 1, "root=/x debug=1", "", "id" },
	{ { "restore", "-debug=maybe" }, -1, "", "", "", "invalid boolean value \"maybe\" for -debug: parse error" },
	{ { "restore", "--log-format" }, -1, "", "", "", "flag needs an argument: -log-format" },
	/* every flag of the table together, mixed with positionals */
	{ { "restore", "--image-path", "/i", "id", "-pid-file=/p", "-b", "/b", "--empty-ns", "net",
	    "--lsm-mount-context", "ctx", "-no-subreaper" }, 1,
	  "bundle=/b image-path=/i lsm-mount-context=ctx pid-file=/p no-subreaper=1 empty-ns=net",
	  "image-path bundle pid-file no-subreaper empty-ns lsm-mount-context", "id" },
};

static void run_case(const struct tcase *c)
{
	struct ro r = { .status_fd = -1 };
	struct gl gl = { 0 };
	struct optset set = { tab, NTAB, &r }, gset = { gtab, 3, &gl };
	unsigned char seen[NTAB] = { 0 };
	char *argv[17], *pos[17], name[512], got[512], exp_vals[512];
	struct err e = { 0 };
	int argc = 0, n, i;

	name[0] = 0;
	while (c->argv[argc]) {
		argv[argc] = (char *)c->argv[argc];
		snprintf(name + strlen(name), sizeof name - strlen(name), "%s%s", argc ? " " : "",
			 c->argv[argc]);
		argc++;
	}
	argv[argc] = NULL;
	n = opt_parse(argc, argv, &set, &gset, pos, seen, &e);

	char lbl[700];
	snprintf(lbl, sizeof lbl, "[%s] return", name);
	T_INTEQ(n, c->ret, lbl);
	if (c->ret == -1) {
		snprintf(lbl, sizeof lbl, "[%s] error text", name);
		T_STREQ(n == -1 ? e.msg : "(no error)", c->err, lbl);
		strv_free(&r.empty_ns);
		return;
	}
	if (c->ret == OPT_HELP) {
		strv_free(&r.empty_ns);
		return;
	}
	render(got, sizeof got, &r, &gl);
	snprintf(exp_vals, sizeof exp_vals, "%s", c->vals);
	snprintf(lbl, sizeof lbl, "[%s] values", name);
	T_STREQ(got, exp_vals, lbl);
	got[0] = 0;
	for (i = 0; i < (int)NTAB; i++)
		if (seen[i])
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", *got ? " " : "",
				 tab[i].name);
	snprintf(lbl, sizeof lbl, "[%s] seen", name);
	T_STREQ(got, c->seen, lbl);
	got[0] = 0;
	for (i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "|" : "", pos[i]);
	snprintf(lbl, sizeof lbl, "[%s] positionals", name);
	T_STREQ(got, c->pos, lbl);
	strv_free(&r.empty_ns);
}

static void test_prefix(void)
{
	struct gl gl = { 0 };
	struct optset gset = { gtab, 3, &gl };
	struct err e = { 0 };
	char *a1[] = { "crbox", "--root", "/r", "-debug", "state", "--foo", NULL };
	char *a2[] = { "crbox", "--debug", NULL };
	char *a3[] = { "crbox", "--foo", "state", NULL };
	char *a4[] = { "crbox", "--root", NULL };
	char *a5[] = { "crbox", "-h", "state", NULL };
	char *a6[] = { "crbox", "--root=/r", "--", "state", NULL };
	char *a7[] = { "crbox", "--log-format", "json", "--", NULL };
	char *a8[] = { "crbox", "--debug", "-", "x", NULL };
	char *a9[] = { "crbox", "-h", "--help", "--foo", NULL };
	char *a10[] = { "crbox", NULL };

	T_INTEQ(opt_parse_prefix(6, a1, &gset, &e), 4, "prefix: stops at the applet name");
	T_STREQ(gl.root, "/r", "prefix: --root stored");
	T_INTEQ(gl.debug, 1, "prefix: -debug stored");
	T_INTEQ(opt_parse_prefix(2, a2, &gset, &e), 2, "prefix: no applet gives argc");
	T_INTEQ(opt_parse_prefix(3, a3, &gset, &e), -1, "prefix: unknown flag fails");
	T_STREQ(e.msg, "flag provided but not defined: -foo", "prefix: unknown flag text");
	T_INTEQ(opt_parse_prefix(2, a4, &gset, &e), -1, "prefix: missing value fails");
	T_STREQ(e.msg, "flag needs an argument: -root", "prefix: missing value text");
	T_INTEQ(opt_parse_prefix(3, a5, &gset, &e), OPT_HELP, "prefix: -h is help");
	T_INTEQ(opt_parse_prefix(4, a6, &gset, &e), 3, "prefix: -- skipped, applet after it");
	T_INTEQ(opt_parse_prefix(4, a7, &gset, &e), 4, "prefix: trailing -- gives argc");
	T_STREQ(gl.log_format, "json", "prefix: --log-format stored");
	T_INTEQ(opt_parse_prefix(4, a8, &gset, &e), 2, "prefix: lone - is the applet word");
	T_INTEQ(opt_parse_prefix(4, a9, &gset, &e), -1, "prefix: -h and --help together fail");
	T_STREQ(e.msg, "Cannot use two forms of the same flag: h help",
		"prefix: two forms win over a later parse error (as runc's top level)");
	T_INTEQ(opt_parse_prefix(1, a10, &gset, &e), 1, "prefix: no arguments gives argc");
}

static void test_bool(void)
{
	static const char *yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *no[] = { "0", "f", "F", "FALSE", "false", "False" };
	static const char *bad[] = { "", "yes", "on", "tRue", "2", " true", "true " };
	size_t i;
	int v, ok = 1;
	for (i = 0; i < 6; i++) {
		v = -1;
		ok &= opt_parse_bool(yes[i], &v) == 0 && v == 1;
		v = -1;
		ok &= opt_parse_bool(no[i], &v) == 0 && v == 0;
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok &= opt_parse_bool(bad[i], &v) == -1;
	T_OK(ok, "opt_parse_bool takes exactly Go's ParseBool spellings");
}

static const struct opt htab[] = {
	OPT("image-path", NULL, OPT_STR, struct ro, image_path, "value", "path to criu image files"),
	OPT("bundle", "b", OPT_STR, struct ro, bundle, "value", "path to the root of the bundle directory"),
	OPT("detach", "d", OPT_BOOL, struct ro, detach, NULL, "detach from the container's process"),
	OPT("status-fd", NULL, OPT_INT, struct ro, status_fd, "value",
	    "criu writes \\0 to this FD once lazy-pages is ready (default: -1)"),
};

static void test_help(void)
{
	struct buf b = BUF_INIT;
	opt_help(&b, "runc", "restore", "restore a container from a previous checkpoint",
		 "[command options] <container-id>\n\nWhere \"<container-id>\" is the name for the "
		 "instance of the container to be\nrestored.",
		 "Restores the saved state of the container instance that was previously saved\n"
		 "using the runc checkpoint command.", htab, 4);
	T_STREQ(b.p,
		"NAME:\n"
		"   runc restore - restore a container from a previous checkpoint\n"
		"\n"
		"USAGE:\n"
		"   runc restore [command options] <container-id>\n"
		"\n"
		"Where \"<container-id>\" is the name for the instance of the container to be\n"
		"restored.\n"
		"\n"
		"DESCRIPTION:\n"
		"   Restores the saved state of the container instance that was previously saved\n"
		"using the runc checkpoint command.\n"
		"\n"
		"OPTIONS:\n"
		"   --image-path value        path to criu image files\n"
		"   --bundle value, -b value  path to the root of the bundle directory\n"
		"   --detach, -d              detach from the container's process\n"
		"   --status-fd value         criu writes \\0 to this FD once lazy-pages is ready (default: -1)\n"
		"   \n",
		"opt_help: runc layout with options, aliases and a description");

	buf_reset(&b);
	opt_help(&b, "runc", "state", "output the state of a container",
		 "<container-id>\n\nWhere \"<container-id>\" is your name for the instance of the "
		 "container.", "The state command outputs current state information for the\n"
		 "instance of a container.", NULL, 0);
	T_STREQ(b.p,
		"NAME:\n"
		"   runc state - output the state of a container\n"
		"\n"
		"USAGE:\n"
		"   runc state <container-id>\n"
		"\n"
		"Where \"<container-id>\" is your name for the instance of the container.\n"
		"\n"
		"DESCRIPTION:\n"
		"   The state command outputs current state information for the\n"
		"instance of a container.\n",
		"opt_help: no options, no OPTIONS section and no trailing line");

	buf_reset(&b);
	opt_help(&b, "crbox", "kill", "kill a container", "[command options] <container-id> [signal]",
		 NULL, htab + 2, 1);
	T_STREQ(b.p,
		"NAME:\n"
		"   crbox kill - kill a container\n"
		"\n"
		"USAGE:\n"
		"   crbox kill [command options] <container-id> [signal]\n"
		"\n"
		"OPTIONS:\n"
		"   --detach, -d  detach from the container's process\n"
		"   \n",
		"opt_help: no description, one bool with alias");

	buf_reset(&b);
	opt_help_options(&b, htab + 2, 2);
	T_STREQ(b.p,
		"   --detach, -d       detach from the container's process\n"
		"   --status-fd value  criu writes \\0 to this FD once lazy-pages is ready (default: -1)\n",
		"opt_help_options: just the aligned lines");
	buf_free(&b);
}

int main(void)
{
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i]);
	test_prefix();
	test_bool();
	test_help();
	return t_done();
}
