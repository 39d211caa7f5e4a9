/* cgmount: a "cgroup" spec mount as runc does it. On a cgroup2-only host: cgroup2 at the
 * destination. Otherwise (v1 or hybrid): a tmpfs at the destination (mode 755, nosuid,
 * nodev, noexec), then per mounted v1 hierarchy a directory named after its mountpoint's
 * last component ("cpu,cpuacct", "systemd") holding either a bind of the container's own
 * cgroup dir (without a cgroup namespace) or a fresh cgroup mount of that hierarchy (with
 * one) with the mount's flags, and a symlink per co-mounted controller ("cpu" ->
 * "cpu,cpuacct"). As in runc 1.1, the tmpfs itself stays writable even for "ro". */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include "rootfs/internal.h"
#include "sys/inroot.h"
#include "sys/mnt.h"
#include "buf.h"
#include "cgroup.h"
#include "fmt.h"
#include "fsutil.h"

#define DEFAULT_FLAGS (MS_NOEXEC | MS_NOSUID | MS_NODEV)

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* The host dir of this process's cgroup in hierarchy h (mountpoint + path below its root). */
static char *own_dir(const struct cgroup_hier *h, const struct cgroup_self *self)
{
	const char *ctrl = h->controllers, *comma = strchr(ctrl, ',');
	char first[64];
	const char *path;
	size_t rl = strlen(h->root);

	fmt_sn(first, sizeof first, "%.*s", comma ? (int)(comma - ctrl) : (int)strlen(ctrl), ctrl);
	path = cgroup_self_find(self, first);
	if (!path)
		return NULL;
	if (rl > 1 && !strncmp(path, h->root, rl) && (path[rl] == '/' || !path[rl]))
		path += rl;
	return fs_join(h->mountpoint, path);
}

static int v1_one(struct rootfs_ctx *c, struct rmount *r, const struct cgroup_hier *h,
		  const struct cgroup_self *self, int cgns, int dirfd, struct err *e)
{
	const char *name = base(h->mountpoint);
	char *dest = fs_join(r->dest, name);
	int fd, rc = -1;

	fd = inroot_mkdir_p(c->rootfd, dest, 0755, e);
	if (fd < 0)
		goto out;
	if (cgns) {
		unsigned long fl = DEFAULT_FLAGS | (r->o.flags & MS_RDONLY);
		int sysd = !strcmp(name, "systemd");
		rc = mnt_fs(sysd ? "systemd" : "cgroup", "cgroup", fl,
			    sysd ? "name=systemd" : name, fd, dest, e);
	} else {
		char *src = own_dir(h, self);
		uint64_t set = 0, clr = 0;
		int atime;
		if (!src) {
			rc = err_set(e, ENOENT, "no cgroup of this process for %s", h->controllers);
			goto out;
		}
		set = mountopt_ms_to_attr(r->o.flags, &atime);
		clr = (MNTOPT_ATTR_RDONLY | MNTOPT_ATTR_NOSUID | MNTOPT_ATTR_NODEV |
		       MNTOPT_ATTR_NOEXEC) & ~set;
		if (atime)
			clr |= MNTOPT_ATTR__ATIME;
		rc = mnt_bind(-1, src, fd, dest, 1, set, clr, 0, 0, NULL, e);
		free(src);
	}
	if (rc == 0 && strchr(name, ',')) {
		/* "cpu" -> "cpu,cpuacct", made relative to the tmpfs's own fd. */
		char *list = xstrdup(name), *sv = NULL, *t;
		for (t = strtok_r(list, ",", &sv); t && rc == 0; t = strtok_r(NULL, ",", &sv))
			if (strcmp(t, name) && symlinkat(name, dirfd, t) < 0 && errno != EEXIST)
				rc = err_sys(e, "symlink %s/%s", r->dest, t);
		free(list);
	}
out:
	if (fd >= 0)
		close(fd);
	free(dest);
	return rc;
}

int rootfs_mount_cgroup(struct rootfs_ctx *c, struct rmount *r, struct err *e)
{
	struct cgroup_layout l;
	struct cgroup_self self = { 0 };
	struct rmount t;
	int rc = -1, fd = -1, top = -1, dirfd = -1;
	int cgns = spec_has_ns(c->spec, "cgroup");
	size_t i;

	memset(&l, 0, sizeof l);
	if (cgroup_layout(&l, e) < 0)
		return -1;
	if (l.mode == CGROUP_V2) {
		struct rmount v2 = *r;
		cgroup_layout_free(&l);
		v2.type = "cgroup2";
		v2.source = "cgroup2";
		fd = inroot_mkdir_p(c->rootfd, r->dest, 0755, e);
		if (fd < 0)
			return -1;
		rc = rootfs_mount_at(c, &v2, fd, 0, e);
		close(fd);
		return rc;
	}
	if (!cgns && cgroup_self_paths(0, &self, e) < 0)
		goto out;
	fd = inroot_mkdir_p(c->rootfd, r->dest, 0755, e);
	if (fd < 0)
		goto out;
	t = *r;
	t.type = "tmpfs";
	t.source = "tmpfs";
	t.flags = DEFAULT_FLAGS;
	memset(&t.o, 0, sizeof t.o);
	t.o.data = (char *)"mode=755";
	t.o.prop = r->o.prop;
	if (rootfs_mount_at(c, &t, fd, 1, e) < 0)
		goto out;
	top = inroot_open(c->rootfd, r->dest, O_PATH | O_DIRECTORY, e);
	if (top < 0)
		goto out;
	{
		char p[32];
		dirfd = open(mnt_fdpath(p, top), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0) {
			err_sys(e, "open %s", r->dest);
			goto out;
		}
	}
	for (i = 0; i < l.nv1; i++)
		if (v1_one(c, r, &l.v1[i], &self, cgns, dirfd, e) < 0)
			goto out;
	/* runc 1.1 leaves the tmpfs itself writable even for "ro" (the hierarchies are not). */
	rc = 0;
out:
	if (dirfd >= 0)
		close(dirfd);
	if (top >= 0)
		close(top);
	if (fd >= 0)
		close(fd);
	cgroup_layout_free(&l);
	cgroup_self_free(&self);
	return rc;
}
