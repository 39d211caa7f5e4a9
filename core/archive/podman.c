/* podman: reading Podman/CRI-O checkpoint archives. */
#include "archive/podman.h"
#include "archive/archive.h"
#include "archive/extract.h"
#include "archive/manifest.h"
#include <errno.h>
#include <string.h>

int podman_import(struct tarr *r, struct tar_ent *ent, int dfd, struct err *e)
{
	return err_set(e, EINVAL, "archive %s: not a checkpoint archive crbox knows (its first "
			       "member is %s, not %s)", r->name, ent->name, MANIFEST_NAME);
}
