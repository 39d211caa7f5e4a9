/* prepare: the rootfs sequence (rootfs.h): validation, prepare (propagation, the rootfs bind,
 * the spec mounts, /dev), the switch of root, and the finishing read-only steps. The order
 * is runc's; docs/rootfs.md lists it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "rootfs/internal.h"
#include "sys/inroot.h"
#include "sys/mnt.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include "json.h"

int rootfs_is_dev(const char *path)
{
	char *c = fs_clean(path);
	int r = !strcmp(c, "/dev");
	free(c);
	return r;
}

char *rootfs_inner_path(const struct rootfs_ctx *c, int fd)
{
	struct err e;
	char *r = inroot_fd_path(c->rootfd, &e), *p = r ? inroot_fd_path(fd, &e) : NULL, *out = NULL;
	size_t n = r ? strlen(r) : 0;

	if (n == 1)
		n = 0;
	if (r && p && !strncmp(p, r, n) && (p[n] == '/' || !p[n]))
		out = xstrdup(p[n] ? p + n : "/");
	free(r);
	free(p);
	return out;
}

int rootfs_ctx_init(struct rootfs_ctx *c, const struct spec *s, struct err *e)
{
	const struct json_doc *d = &s->doc;
	int lx;

	memset(c, 0, sizeof *c);
	c->spec = s;
	c->rootfs = spec_rootfs(s);
	c->in_userns = spec_has_ns(s, "user");
	c->rootfd = -1;
	lx = json_opt_obj(d, 0, "linux", e);
	if (lx == -2)
		return -1;
	if (lx >= 0 && json_opt_str(d, lx, "rootfsPropagation", &c->propagation, e) < 0)
		return -1;
	if (c->propagation && *c->propagation && !mountopt_propagation(c->propagation, e))
		return -1;
	return 0;
}

void rootfs_ctx_close(struct rootfs_ctx *c)
{
	if (c->rootfd >= 0)
		close(c->rootfd);
	c->rootfd = -1;
}

int rootfs_validate(const char *rootfs, struct err *e)
{
	return inroot_validate_root(rootfs, e);
}

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *o = s;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (!strcmp(dir, "/"))
		return 1;
	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

/* Calls fn for every mountinfo line: mountpoint, root, fstype, and whether it is shared. */
static int each_mount(void (*fn)(void *, const char *mp, const char *root, const char *fstype,
				 int shared), void *arg, struct err *e)
{
	char *text = fs_read_str("/proc/self/mountinfo", 1 << 24, e), *line, *sv = NULL;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &sv); line; line = strtok_r(NULL, "\n", &sv)) {
		char *f[16], *p = line, *fsv = NULL, *dash;
		int n = 0, shared = 0, i;
		dash = strstr(line, " - ");
		if (!dash)
			continue;
		*dash = 0;
		for (p = strtok_r(line, " ", &fsv); p && n < 16; p = strtok_r(NULL, " ", &fsv))
			f[n++] = p;
		if (n < 6)
			continue;
		for (i = 6; i < n; i++)
			if (!strncmp(f[i], "shared:", 7))
				shared = 1;
		p = dash + 3;
		{
			char *fstype = strtok_r(p, " ", &fsv);
			unescape(f[4]);
			unescape(f[3]);
			fn(arg, f[4], f[3], fstype ? fstype : "", shared);
		}
	}
	free(text);
	return 0;
}

struct parent_find {
	const char *rootfs;
	char best[4096];
	int shared;
};

static void parent_cb(void *arg, const char *mp, const char *root, const char *fstype, int shared)
{
	struct parent_find *pf = arg;
	(void)root;
	(void)fstype;
	if (under(pf->rootfs, mp) && strlen(mp) >= strlen(pf->best)) {
		fmt_sn(pf->best, sizeof pf->best, "%s", mp);
		pf->shared = shared;
	}
}

int rootfs_prepare(struct rootfs_ctx *c, struct err *e)
{
	const struct spec *s = c->spec;
	unsigned long prop = MS_SLAVE | MS_REC;
	struct parent_find pf;
	int fd, tree = -1;
	size_t i;

	if (c->propagation && *c->propagation && !(prop = mountopt_propagation(c->propagation, e)))
		return -1;
	/* An unbindable / could not be bound below (the rootfs bind would fail with EINVAL when
	 * the rootfs lies on it): / stays rslave here and turns unbindable after the pivot. */
	if (prop & MS_UNBINDABLE)
		prop = MS_SLAVE | MS_REC;
	/* 1. Nothing mounted from here on may propagate back to the host. */
	if (mount("", "/", NULL, prop, NULL) < 0)
		return err_sys(e, "make / %s", c->propagation && *c->propagation ? c->propagation
										 : "rslave");
	/* 2. pivot_root refuses a root whose parent mount is shared. */
	memset(&pf, 0, sizeof pf);
	pf.rootfs = c->rootfs;
	if (each_mount(parent_cb, &pf, e) < 0)
		return -1;
	if (pf.shared && mount("", pf.best, NULL, MS_PRIVATE, NULL) < 0)
		return err_sys(e, "make the parent mount %s of the rootfs private", pf.best);
	/* 3. The rootfs bound onto itself, so it is a mount point (pivot_root needs one). */
	fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, "open rootfs %s", c->rootfs);
	if (mnt_bind(fd, c->rootfs, fd, c->rootfs, 1, 0, 0, 0, 0, &tree, e) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	if (tree < 0)
		tree = open(c->rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tree < 0)
		return err_sys(e, "open rootfs %s", c->rootfs);
	rootfs_ctx_close(c);
	c->rootfd = tree;
	/* 4. Every spec mount, in order. */
	for (i = 0; i < s->nmounts; i++)
		if (rootfs_mount_one(c, &s->mounts[i], e) < 0)
			return -1;
	/* 5. /dev, unless a spec mount binds something onto it. */
	c->dev_setup = !rootfs_has_bind_dev(s);
	if (c->dev_setup && rootfs_setup_dev(c, e) < 0)
		return -1;
	return 0;
}

struct hide {
	const char *rootfs;
	struct buf list;   /* NUL-separated mountpoints to hide */
};

static void hide_cb(void *arg, const char *mp, const char *root, const char *fstype, int shared)
{
	struct hide *h = arg;
	(void)shared;
	if ((strcmp(fstype, "proc") && strcmp(fstype, "sysfs")) || strcmp(root, "/") ||
	    under(mp, h->rootfs))
		return;
	buf_add(&h->list, mp, strlen(mp) + 1);
}

/* --no-pivot: with chroot the host's procfs and sysfs would stay reachable (and would allow
 * new procfs mounts), so every full one outside the rootfs is unmounted or covered first. */
static int hide_host_proc_sys(struct rootfs_ctx *c, struct err *e)
{
	struct hide h = { c->rootfs, BUF_INIT };
	size_t off;
	int rc = 0;

	if (each_mount(hide_cb, &h, e) < 0)
		return -1;
	/* Deepest first: mountinfo lists parents before children. */
	for (off = h.list.len; off > 0 && rc == 0;) {
		size_t start = off - 1;
		while (start > 0 && h.list.p[start - 1])
			start--;
		if (umount2(h.list.p + start, MNT_DETACH) < 0 &&
		    mount("tmpfs", h.list.p + start, "tmpfs", 0, NULL) < 0 && errno != ENOENT)
			rc = err_sys(e, "hide %s", h.list.p + start);
		off = start;
	}
	buf_free(&h.list);
	return rc;
}

/* stdio that is the host's /dev/null becomes the container's (runc's reOpenDevNull). */
static int reopen_devnull(struct err *e)
{
	struct stat null, sb;
	int fd, i;

	fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_sys(e, "open /dev/null");
	if (fstat(fd, &null) < 0) {
		close(fd);
		return err_sys(e, "stat /dev/null");
	}
	for (i = 0; i < 3; i++)
		if (fstat(i, &sb) == 0 && S_ISCHR(sb.st_mode) && sb.st_rdev == null.st_rdev &&
		    dup3(fd, i, 0) < 0) {
			close(fd);
			return err_sys(e, "reopen /dev/null on fd %d", i);
		}
	close(fd);
	return 0;
}

int rootfs_pivot(struct rootfs_ctx *c, struct err *e)
{
	unsigned long prop = 0;
	int fd;

	if (c->rootfd < 0)
		return err_set(e, EBADF, "rootfs_pivot: rootfs_prepare did not run");
	if (c->no_pivot) {
		if (hide_host_proc_sys(c, e) < 0)
			return -1;
		if (fchdir(c->rootfd) < 0)
			return err_sys(e, "chdir %s", c->rootfs);
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return err_sys(e, "move %s to /", c->rootfs);
		if (chroot(".") < 0)
			return err_sys(e, "chroot %s", c->rootfs);
	} else {
		int old = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (old < 0)
			return err_sys(e, "open /");
		/* pivot_root(".", ".") stacks the old root on the new one; it is then made
		 * slave (so the unmount does not reach the host) and detached. */
		if (fchdir(c->rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0) {
			err_sys(e, "pivot_root %s", c->rootfs);
			close(old);
			return -1;
		}
		if (fchdir(old) < 0) {
			close(old);
			return err_sys(e, "chdir to the old root");
		}
		close(old);
		if (mount("", ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			return err_sys(e, "make the old root rslave");
		if (umount2(".", MNT_DETACH) < 0)
			return err_sys(e, "unmount the old root");
	}
	if (chdir("/") < 0)
		return err_sys(e, "chdir /");
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, "open the new /");
	rootfs_ctx_close(c);
	c->rootfd = fd;
	/* shared and unbindable apply only now: before the pivot they would reach the host. */
	if (c->propagation && *c->propagation) {
		prop = mountopt_propagation(c->propagation, e);
		if ((prop & (MS_SHARED | MS_UNBINDABLE)) && mount("", "/", NULL, prop, NULL) < 0)
			return err_sys(e, "make / %s", c->propagation);
	}
	if (c->dev_setup && reopen_devnull(e) < 0)
		return -1;
	return 0;
}

int rootfs_finalize(struct rootfs_ctx *c, struct err *e)
{
	const struct spec *s = c->spec;
	size_t i;
	int fd, rc;

	if (c->rootfd < 0)
		return err_set(e, EBADF, "rootfs_finalize: rootfs_pivot did not run");
	/* /dev read-only if its spec mount asked for it (it was mounted writable). */
	for (i = 0; i < s->nmounts; i++) {
		struct mountopt o;
		if (!rootfs_is_dev(s->mounts[i].destination))
			continue;
		mountopt_parse(&o, s->mounts[i].options, s->mounts[i].noptions);
		mountopt_free(&o);
		if (o.flags & MS_RDONLY) {
			fd = inroot_open(c->rootfd, "/dev", O_PATH | O_DIRECTORY, e);
			if (fd < 0)
				return -1;
			rc = mnt_setattr(fd, "/dev", MNTOPT_ATTR_RDONLY, 0, 0, 0, e);
			close(fd);
			if (rc < 0)
				return -1;
		}
		break;
	}
	if (s->root_readonly && mnt_setattr(c->rootfd, "/", MNTOPT_ATTR_RDONLY, 0, 0, 0, e) < 0)
		return -1;
	if (rootfs_readonly_paths(c, e) < 0 || rootfs_masked_paths(c, e) < 0)
		return -1;
	return 0;
}
