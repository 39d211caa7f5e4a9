/* mount: criu-root and mountpoint preparation for restore (see mount.h). Mirrors runc's
 * Restore (criu-root) and prepareCriuRestoreMounts (runc libcontainer/criu_linux.go). */
#include "mount.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include "sys/inroot.h"
#include "sys/mnt.h"
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int mount_criu_root(const char *dir, const char *rootfs, char **out, struct err *e)
{
	char *path = fmt_alloc("%s/criu-root", dir);
	char real[PATH_MAX];
	int rfd = -1, tfd = -1;

	*out = NULL;
	if (inroot_validate_root(rootfs, e) < 0)
		goto fail0;
	rfd = open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rfd < 0) {
		err_sys(e, "open %s", rootfs);
		goto fail0;
	}
	if (mkdir(path, 0755) < 0) {
		err_sys(e, "mkdir %s", path);
		goto fail0;
	}
	tfd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tfd < 0 || !realpath(path, real)) {
		err_sys(e, "resolve %s", path);
		goto fail;
	}
	/* Bound through both fds: neither path is looked up again. */
	if (mnt_bind(rfd, rootfs, tfd, real, 1, 0, 0, 0, 0, NULL, e) < 0)
		goto fail;
	close(tfd);
	close(rfd);
	free(path);
	*out = xstrdup(real);
	return 0;
fail:
	rmdir(path);
fail0:
	if (tfd >= 0)
		close(tfd);
	if (rfd >= 0)
		close(rfd);
	free(path);
	return -1;
}

int mount_criu_root_undo(const char *path, struct err *e)
{
	if (!path)
		return 0;
	/* Unmount until nothing is mounted there any more (a failed run may have stacked). */
	while (umount2(path, MNT_DETACH) == 0)
		;
	if (rmdir(path) < 0 && errno != ENOENT)
		return err_sys(e, "remove %s", path);
	return 0;
}

/* dest lies strictly below one of the tmpfs destinations of the config. */
static int under_tmpfs(const struct spec *s, const char *dest)
{
	size_t i;
	for (i = 0; i < s->nmounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		size_t n = strlen(m->destination);
		if (strcmp(m->type, "tmpfs"))
			continue;
		while (n > 1 && m->destination[n - 1] == '/')
			n--;
		if (!strncmp(dest, m->destination, n) && dest[n] == '/' && dest[n + 1])
			return 1;
	}
	return 0;
}

int mount_prepare_restore(const char *root, const struct spec *s, struct err *e)
{
	int *binds = xcalloc(s->nmounts + 1, sizeof *binds);
	size_t nb = 0, i;
	int rc = 0, rfd;

	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		free(binds);
		return err_sys(e, "open %s", root);
	}
	for (i = 0; i < s->nmounts && rc == 0; i++) {
		const struct spec_mount *m = &s->mounts[i];
		struct stat st;
		int isdir = 1, fd, tree = -1;

		if (!strcmp(m->type, "cgroup") || under_tmpfs(s, m->destination))
			continue;
		if (m->bind && stat(m->source, &st) < 0) {
			rc = err_sys(e, "bind mount source %s (for %s)", m->source, m->destination);
			break;
		}
		if (m->bind && !S_ISDIR(st.st_mode))
			isdir = 0;
		/* The mountpoint is created inside the root and kept as an fd: the bind below
		 * goes onto that fd, so a symlink swapped into the path meanwhile cannot
		 * redirect it (docs/rootfs.md, "Escape rules"). */
		fd = isdir ? inroot_mkdir_p(rfd, m->destination, 0755, e)
			   : inroot_create_file(rfd, m->destination, 0644, e);
		if (fd < 0) {
			rc = err_wrap(e, "create mountpoint for %s", m->destination);
			break;
		}
		if (m->bind) {
			rc = mnt_bind(-1, m->source, fd, m->destination, 1, 0, 0, 0, 0, &tree, e);
			if (rc == 0 && tree < 0) {
				/* Legacy kernels: the new top mount, reopened inside the root. */
				tree = inroot_open(rfd, m->destination, O_PATH, e);
				if (tree < 0)
					rc = -1;
			}
			if (rc == 0)
				binds[nb++] = tree;
		}
		close(fd);
	}
	while (nb > 0) {
		struct err e2;
		nb--;
		mnt_umount(binds[nb], "restore mountpoint", &e2);
		close(binds[nb]);
	}
	free(binds);
	close(rfd);
	return rc;
}
