/* dev: /dev inside the rootfs when no spec mount binds /dev: runc's default devices
 * (null, random, full, tty, zero, urandom; a spec device with the same path replaces one),
 * then linux.devices, each made with mknodat relative to its directory's fd (umask 0) and
 * checked, or, in a user namespace or when mknod is refused, an empty file with the host's
 * node bound onto it; then /dev/ptmx -> pts/ptmx and the fd, stdin, stdout, stderr (and
 * core, when the host has /proc/kcore) links. All of it through fds below the rootfs. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "rootfs/internal.h"
#include "sys/inroot.h"
#include "sys/mnt.h"
#include "buf.h"
#include "fsutil.h"

static const struct spec_device defaults[] = {
	{ "/dev/null", 'c', 1, 3, 0666, 1, 0, 0 },
	{ "/dev/random", 'c', 1, 8, 0666, 1, 0, 0 },
	{ "/dev/full", 'c', 1, 7, 0666, 1, 0, 0 },
	{ "/dev/tty", 'c', 5, 0, 0666, 1, 0, 0 },
	{ "/dev/zero", 'c', 1, 5, 0666, 1, 0, 0 },
	{ "/dev/urandom", 'c', 1, 9, 0666, 1, 0, 0 },
};

int rootfs_has_bind_dev(const struct spec *s)
{
	size_t i;
	for (i = 0; i < s->nmounts; i++)
		if (s->mounts[i].bind && rootfs_is_dev(s->mounts[i].destination))
			return 1;
	return 0;
}

static int in_spec(const struct spec *s, const char *path)
{
	size_t i;
	for (i = 0; i < s->ndevices; i++)
		if (!strcmp(s->devices[i].path, path))
			return 1;
	return 0;
}

static mode_t type_bits(char t)
{
	switch (t) {
	case 'c': case 'u': return S_IFCHR;
	case 'b': return S_IFBLK;
	case 'p': return S_IFIFO;
	}
	return 0;
}

/* An empty file with the host node (same path on the host) bound onto it. */
static int bind_node(struct rootfs_ctx *c, const struct spec_device *d, struct err *e)
{
	int fd = inroot_create_file(c->rootfd, d->path, 0, e), rc;
	if (fd < 0)
		return -1;
	rc = mnt_bind(-1, d->path, fd, d->path, 0, 0, 0, 0, 0, NULL, e);
	close(fd);
	return rc;
}

static int make_node(struct rootfs_ctx *c, const struct spec_device *d, struct err *e)
{
	char *dir = xstrdup(d->path), *slash = strrchr(dir, '/'), *name;
	mode_t type = type_bits(d->type);
	dev_t rdev = makedev((unsigned)d->major, (unsigned)d->minor);
	struct stat sb;
	int dfd, rc = -1;
	mode_t old;

	if (!type) {
		free(dir);
		return err_set(e, EINVAL, "%s: unknown device type '%c'", d->path, d->type);
	}
	if (c->in_userns) {
		free(dir);
		return bind_node(c, d, e);
	}
	name = slash ? slash + 1 : dir;
	if (slash)
		*slash = 0;
	dfd = inroot_mkdir_p(c->rootfd, slash && *dir ? dir : "/", 0755, e);
	if (dfd < 0)
		goto out;
	{
		/* mknodat needs a real directory fd, not O_PATH: reopen it through its fd. */
		char p[32];
		int real = open(mnt_fdpath(p, dfd), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(dfd);
		dfd = real;
		if (dfd < 0) {
			err_sys(e, "open the directory of %s", d->path);
			goto out;
		}
	}
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT && errno != EISDIR) {
		err_sys(e, "remove %s", d->path);
		goto out;
	}
	old = umask(0);
	rc = mknodat(dfd, name, type | (d->file_mode & 07777), rdev);
	umask(old);
	if (rc < 0 && errno == EPERM) {
		close(dfd);
		free(dir);
		return bind_node(c, d, e);
	}
	if (rc < 0) {
		err_sys(e, "mknod %s", d->path);
		goto out;
	}
	rc = -1;
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || (sb.st_mode & S_IFMT) != type ||
	    (type != S_IFIFO && sb.st_rdev != rdev)) {
		err_set(e, EEXIST, "mknod %s: the node made is not the one asked for", d->path);
		goto out;
	}
	if (fchownat(dfd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0) {
		err_sys(e, "chown %s", d->path);
		goto out;
	}
	rc = 0;
out:
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return rc;
}

int rootfs_setup_dev(struct rootfs_ctx *c, struct err *e)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
	};
	const struct spec *s = c->spec;
	size_t i;
	int dfd, rc = -1;

	for (i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		if (!in_spec(s, defaults[i].path) && make_node(c, &defaults[i], e) < 0)
			return err_wrap(e, "create device %s", defaults[i].path);
	for (i = 0; i < s->ndevices; i++)
		if (make_node(c, &s->devices[i], e) < 0)
			return err_wrap(e, "create device %s", s->devices[i].path);
	dfd = inroot_mkdir_p(c->rootfd, "/dev", 0755, e);
	if (dfd < 0)
		return -1;
	{
		char p[32];
		int real = open(mnt_fdpath(p, dfd), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(dfd);
		if ((dfd = real) < 0)
			return err_sys(e, "open /dev");
	}
	if (unlinkat(dfd, "ptmx", 0) < 0 && errno != ENOENT) {
		err_sys(e, "remove /dev/ptmx");
		goto out;
	}
	if (symlinkat("pts/ptmx", dfd, "ptmx") < 0) {
		err_sys(e, "symlink /dev/ptmx");
		goto out;
	}
	for (i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlinkat(links[i][0], dfd, links[i][1]) < 0 && errno != EEXIST) {
			err_sys(e, "symlink %s /dev/%s", links[i][0], links[i][1]);
			goto out;
		}
	if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dfd, "core") < 0 &&
	    errno != EEXIST) {
		err_sys(e, "symlink /proc/kcore /dev/core");
		goto out;
	}
	rc = 0;
out:
	close(dfd);
	return rc;
}
