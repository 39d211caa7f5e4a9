/* mask: readonlyPaths and maskedPaths, after the pivot, below the new root's fd. A readonly
 * path is bound onto itself (recursively) with the top mount read-only, set on the detached
 * copy before it is attached. A masked file gets a bind of the container's /dev/null, opened
 * without following links and checked to be the char device 1:3 (a /dev/null swapped for a
 * symlink to a /proc file must not become a write gadget); a masked directory gets a
 * read-only tmpfs. A path that does not exist is skipped (ENOENT at open only). */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "rootfs/internal.h"
#include "sys/inroot.h"
#include "sys/mnt.h"

int rootfs_readonly_paths(struct rootfs_ctx *c, struct err *e)
{
	const struct spec *s = c->spec;
	size_t i;

	for (i = 0; i < s->nreadonly_paths; i++) {
		const char *p = s->readonly_paths[i];
		int fd = inroot_open(c->rootfd, p, O_PATH, e), rc;
		if (fd < 0 && e->no == ENOENT)
			continue;
		if (fd < 0)
			return err_wrap(e, "readonly path %s", p);
		rc = mnt_bind(fd, p, fd, p, 1, MNTOPT_ATTR_RDONLY, 0, 0, 0, NULL, e);
		close(fd);
		if (rc < 0)
			return err_wrap(e, "readonly path %s", p);
	}
	return 0;
}

static int open_devnull(struct rootfs_ctx *c, struct err *e)
{
	struct stat sb;
	int fd = inroot_open(c->rootfd, "/dev/null", O_PATH | O_NOFOLLOW, e);

	if (fd < 0)
		return err_wrap(e, "mask paths");
	if (fstat(fd, &sb) < 0 || !S_ISCHR(sb.st_mode) || sb.st_rdev != makedev(1, 3)) {
		close(fd);
		return err_set(e, EPERM, "mask paths: /dev/null in the container is not the "
			       "null device (char 1:3)");
	}
	return fd;
}

int rootfs_masked_paths(struct rootfs_ctx *c, struct err *e)
{
	const struct spec *s = c->spec;
	int null = -1, rc = 0;
	size_t i;

	for (i = 0; i < s->nmasked_paths && rc == 0; i++) {
		const char *p = s->masked_paths[i];
		struct stat sb;
		int fd = inroot_open(c->rootfd, p, O_PATH, e);

		if (fd < 0 && e->no == ENOENT)
			continue;
		if (fd < 0 || fstat(fd, &sb) < 0) {
			rc = fd < 0 ? -1 : err_sys(e, "stat %s", p);
		} else if (S_ISDIR(sb.st_mode)) {
			char *data = rootfs_label_data(c, "");
			rc = mnt_fs("tmpfs", "tmpfs", MS_RDONLY, data, fd, p, e);
			free(data);
		} else {
			if (null < 0)
				null = open_devnull(c, e);
			rc = null < 0 ? -1 : mnt_bind(null, "/dev/null", fd, p, 0, 0, 0, 0, 0, NULL, e);
		}
		if (fd >= 0)
			close(fd);
		if (rc < 0)
			err_wrap(e, "masked path %s", p);
	}
	if (null >= 0)
		close(null);
	return rc;
}
