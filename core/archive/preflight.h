/* preflight: `crbox check --image-path DIR | --import FILE`, a dry run that says whether this
 * host can restore a given checkpoint, without creating anything that outlives it: the
 * images' integrity, CRIU's version against the one that dumped them, CRIU's CPUINFO_CHECK,
 * the kernel and cgroup layout against the source host's, the bind-mount sources and
 * external namespace paths of the config, and free memory against the image's pages.
 * Results are rows (OK / WARN / FAIL) the check applet prints. */
#ifndef CRBOX_ARCHIVE_PREFLIGHT_H
#define CRBOX_ARCHIVE_PREFLIGHT_H
#include <stddef.h>
#include "err.h"

enum { PF_OK, PF_WARN, PF_FAIL };

struct pf_row {
	int st;
	char *name, *detail, *hint;   /* hint may be NULL */
};

struct pf {
	struct pf_row *v;
	size_t n;
	int fails;
};

void pf_add(struct pf *r, int st, const char *name, const char *hint, const char *fmt, ...);
void pf_free(struct pf *r);

struct pf_in {
	const char *criu;             /* --criu (NULL: "criu") */
	const char *image_path;       /* --image-path, or NULL with import */
	const char *import;           /* --import FILE, or NULL */
	const char *bundle;           /* the config's bundle (NULL: current directory) */
};
/* Adds the rows. Returns 0 (rows say the outcome), or -1 with e set when the check itself
 * cannot run (e.g. an archive that fails verification is a FAIL row, not -1). */
int preflight_image(struct pf *r, const struct pf_in *in, struct err *e);

#endif
