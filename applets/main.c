/* main: the multiplexer. basename(argv[0]) naming an applet runs it (a `restore` symlink);
 * otherwise global flags come first, then the applet name (`crbox restore ...`), as in runc.
 * Unknown applet: "No help topic for 'x'" and exit status 3, as urfave/cli in runc. */
#include "common.h"
#include "crbox-commit.h"
#include "buf.h"
#include "fmt.h"
#include "sys/arch.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define APPLET(name, summary) int name##_main(int argc, char **argv);
#include "applets.h"
#undef APPLET

struct applet {
	const char *name;
	int (*main)(int, char **);
	const char *summary;
};

static const struct applet applets[] = {
#define APPLET(name, summary) { #name, name##_main, summary },
#include "applets.h"
#undef APPLET
};
#define NAPPLETS (sizeof applets / sizeof applets[0])

static const struct applet *find(const char *name)
{
	size_t i;
	for (i = 0; i < NAPPLETS; i++)
		if (!strcmp(applets[i].name, name))
			return &applets[i];
	return NULL;
}

static void version(void)
{
	fmt_fd(1, "%s version %s\ncommit: %s\nspec: %s\narch: %s\n", g.prog, CRBOX_VERSION,
	       CRBOX_COMMIT, CRBOX_OCI_VERSION, arch_self()->name);
}

static void pad(struct buf *b, size_t have, size_t want)
{
	while (have++ < want)
		buf_addc(b, ' ');
}

static void help(void)
{
	struct buf b = BUF_INIT;
	struct opt all[24];
	size_t i, w = 7, n = gopts.n;   /* 7: "help, h" */

	buf_addf(&b, "NAME:\n   %s - checkpoint and restore OCI containers with CRIU\n\n", g.prog);
	buf_addf(&b, "crbox is a small static runtime for the checkpoint/restore part of the OCI\n"
		     "lifecycle. Its applets take runc's flags and keep runc's on-disk formats, so\n"
		     "a checkpoint made by runc restores with crbox, and the reverse.\n\n");
	buf_addf(&b, "USAGE:\n   %s [global options] command [command options] [arguments...]\n"
		     "   command [command options] [arguments...]   (through an applet symlink)\n\n",
		 g.prog);
	buf_addf(&b, "VERSION:\n   %s\ncommit: %s\nspec: %s\n\nCOMMANDS:\n", CRBOX_VERSION,
		 CRBOX_COMMIT, CRBOX_OCI_VERSION);
	for (i = 0; i < NAPPLETS; i++)
		if (strlen(applets[i].name) > w)
			w = strlen(applets[i].name);
	for (i = 0; i < NAPPLETS; i++) {
		buf_addf(&b, "   %s", applets[i].name);
		pad(&b, strlen(applets[i].name), w + 2);
		buf_addf(&b, "%s\n", applets[i].summary);
	}
	buf_adds(&b, "   help, h");
	pad(&b, 7, w + 2);
	buf_adds(&b, "Shows a list of commands or help for one command\n\nGLOBAL OPTIONS:\n");
	/* The global table plus the flags main() handles itself, in one aligned column. */
	if (n > sizeof all / sizeof all[0] - 3)
		n = sizeof all / sizeof all[0] - 3;
	memcpy(all, gopts.tab, n * sizeof all[0]);
	all[n++] = (struct opt){ "help", "h", OPT_BOOL, 0, NULL, "show help" };
	all[n++] = (struct opt){ "version", "v", OPT_BOOL, 0, NULL, "print the version" };
	all[n++] = (struct opt){ "install", NULL, OPT_STR, 0, "value",
				 "create applet symlinks in the given directory" };
	opt_help_options(&b, all, n);
	write_all(1, b.p, b.len);
	buf_free(&b);
}

/* Relative path from directory `from` to file `to`, both absolute and symlink-free. */
static char *relpath(const char *from, const char *to)
{
	struct buf b = BUF_INIT;
	size_t i = 0, last = 0;
	while (from[i] && from[i] == to[i]) {
		if (from[i] == '/')
			last = i;
		i++;
	}
	if (!from[i] && (to[i] == '/' || !to[i]))
		last = i;
	if (!strcmp(from, "/"))
		last = 0;
	const char *f = from + last;
	for (; *f; f++)
		if (*f == '/' && f[1])
			buf_adds(&b, "../");
	buf_adds(&b, to + last + (to[last] == '/'));
	return buf_take(&b);
}

static int install(const char *dir)
{
	char self[PATH_MAX], rdir[PATH_MAX];
	struct err e;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	size_t i;
	int rc = 0;

	if (n < 0) {
		err_sys(&e, "--install: readlink /proc/self/exe");
		report(&e);
		return 1;
	}
	self[n] = 0;
	if (!realpath(dir, rdir)) {
		err_sys(&e, "--install: %s", dir);
		report(&e);
		return 1;
	}
	char *target = relpath(rdir, self);
	for (i = 0; i < NAPPLETS; i++) {
		char *link = fmt_alloc("%s/%s", rdir, applets[i].name);
		char cur[PATH_MAX], res[PATH_MAX];
		ssize_t m = readlink(link, cur, sizeof cur - 1);
		if (m >= 0) {
			/* An existing symlink is replaced only when it already leads to this binary. */
			if (!realpath(link, res) || strcmp(res, self)) {
				err_set(&e, EEXIST, "--install: %s exists and is not a symlink to %s", link, self);
				report(&e);
				rc = 1;
				free(link);
				continue;
			}
			unlink(link);
		} else if (errno != ENOENT || access(link, F_OK) == 0) {
			err_set(&e, EEXIST, "--install: %s exists and is not a symlink to %s", link, self);
			report(&e);
			rc = 1;
			free(link);
			continue;
		}
		if (symlink(target, link) < 0) {
			err_sys(&e, "--install: symlink %s", link);
			report(&e);
			rc = 1;
		}
		free(link);
	}
	free(target);
	return rc;
}

int main(int argc, char **argv)
{
	const char *base = argv[0] ? strrchr(argv[0], '/') : NULL;
	const struct applet *a;
	struct err e;
	int i;

	base = base ? base + 1 : (argv[0] ? argv[0] : "crbox");
	if ((a = find(base)))
		return a->main(argc, argv);
	g.prog = base;

	/* Multiplexer: global flags, then the applet name. --help/--version/--install are
	 * handled here, before the table, because they end the run. */
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--"); i++) {
		const char *s = argv[i] + 1 + (argv[i][1] == '-');
		size_t k;
		if (!strcmp(s, "version") || !strcmp(s, "v")) {
			version();
			return 0;
		}
		if (!strcmp(s, "install") || !strncmp(s, "install=", 8)) {
			const char *dir = s[7] == '=' ? s + 8 : argv[i + 1];
			if (!dir) {
				log_error("flag needs an argument: -install");
				return 1;
			}
			return install(dir);
		}
		/* Skip the value of a global flag given as "--root /x". */
		for (k = 0; k < gopts.n; k++)
			if (gopts.tab[k].type != OPT_BOOL && !strcmp(s, gopts.tab[k].name))
				i++;
	}
	int first = opt_parse_prefix(argc, argv, &gopts, &e);
	if (first == OPT_HELP || (first == argc && first >= 0)) {
		help();
		return 0;
	}
	if (first < 0) {
		/* urfave's top level: "Incorrect Usage. <err>" (a period), but a flag given in
		 * both its forms is printed bare. */
		if (!strncmp(e.msg, "Cannot use two forms", 20))
			fmt_fd(1, "%s\n", e.msg);
		else
			fmt_fd(1, "Incorrect Usage. %s\n\n", e.msg);
		help();
		log_error("%s", e.msg);
		return 1;
	}
	/* runc validates the global flags (its Before hook) before looking at the command;
	 * an applet does it itself in applet_args(), after its own flags. */
	if (!find(argv[first]) && global_finish(&e) < 0) {
		report(&e);
		return 1;
	}
	if (!strcmp(argv[first], "help") || !strcmp(argv[first], "h")) {
		if (first + 1 < argc && (a = find(argv[first + 1]))) {
			char *hv[] = { (char *)a->name, "--help", NULL };
			return a->main(2, hv);
		}
		if (first + 1 < argc) {
			log_error("No help topic for '%s'\n", argv[first + 1]);
			return 3;
		}
		help();
		return 0;
	}
	if (!(a = find(argv[first]))) {
		log_error("No help topic for '%s'\n", argv[first]);
		return 3;
	}
	return a->main(argc - first, argv + first);
}
