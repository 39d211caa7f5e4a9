/* spec: `crbox spec [--bundle DIR] [--rootless]` writes runc 1.1.5's default config.json
 * (byte for byte, from core/runtime/spec_template.c); an existing file is refused with
 * runc's "File config.json exists. Remove it first". */
#include "common.h"
#include "fmt.h"
#include "runtime/runtime.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sopts {
	const char *bundle;
	int rootless;
};

static const struct opt tab[] = {
	OPT("bundle", "b", OPT_STR, struct sopts, bundle, "value", "path to the root of the bundle directory"),
	OPT("rootless", NULL, OPT_BOOL, struct sopts, rootless, NULL,
	    "generate a configuration for a rootless container"),
};

static const struct applet_info info = {
	"spec", "create a new specification file",
	"[command options]",
	"The spec command creates the new specification file named \"config.json\" for\n"
	"the bundle, the same content `runc spec` writes.",
	tab, sizeof tab / sizeof tab[0],
};

int spec_main(int argc, char **argv)
{
	struct sopts o = { 0 };
	struct err e;
	char **pos, *text, *path;
	int npos, rc, fd;

	if (applet_args(argc, argv, &info, &o, NULL, &pos, &npos, 0, &rc))
		return rc;
	path = o.bundle && *o.bundle ? fmt_alloc("%s/config.json", o.bundle) : fmt_alloc("config.json");
	if (access(path, F_OK) == 0) {
		err_set(&e, EEXIST, "File config.json exists. Remove it first");
		report(&e);
		free(path);
		return 1;
	}
	text = rt_spec_template(o.rootless);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	rc = 0;
	if (fd < 0 || write_all(fd, text, strlen(text)) < 0) {
		err_sys(&e, "open %s", path);
		report(&e);
		rc = 1;
	}
	if (fd >= 0)
		close(fd);
	free(text);
	free(path);
	return rc;
}
