/* rootfs_min: the interim rootfs set-up of the container init, until core/rootfs/ (branch
 * rootfs) replaces it: propagation, the rootfs bind, spec mounts (bind, proc, sysfs,
 * tmpfs, devpts, mqueue, cgroup), default /dev nodes and links, pivot_root or MS_MOVE +
 * chroot, masked and readonly paths, read-only root. Targets are created inside the rootfs
 * without following symlinks (fs_mkdir_p_in_root) but mounted by path. */
#include "runtime/runtime.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct { const char *name; int clear; unsigned long flag; } mflags[] = {
	{ "async", 1, MS_SYNCHRONOUS }, { "atime", 1, MS_NOATIME }, { "bind", 0, MS_BIND },
	{ "defaults", 0, 0 }, { "dev", 1, MS_NODEV }, { "diratime", 1, MS_NODIRATIME },
	{ "dirsync", 0, MS_DIRSYNC }, { "exec", 1, MS_NOEXEC }, { "mand", 0, MS_MANDLOCK },
	{ "noatime", 0, MS_NOATIME }, { "nodev", 0, MS_NODEV }, { "nodiratime", 0, MS_NODIRATIME },
	{ "noexec", 0, MS_NOEXEC }, { "nomand", 1, MS_MANDLOCK }, { "norelatime", 1, MS_RELATIME },
	{ "nostrictatime", 1, MS_STRICTATIME }, { "nosuid", 0, MS_NOSUID },
	{ "rbind", 0, MS_BIND | MS_REC }, { "relatime", 0, MS_RELATIME },
	{ "remount", 0, MS_REMOUNT }, { "ro", 0, MS_RDONLY }, { "rw", 1, MS_RDONLY },
	{ "strictatime", 0, MS_STRICTATIME }, { "suid", 1, MS_NOSUID }, { "sync", 0, MS_SYNCHRONOUS },
};
static const struct { const char *name; unsigned long flag; } mprop[] = {
	{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

static void parse_opts(const struct spec_mount *m, unsigned long *flags, unsigned long *prop,
		       struct buf *data)
{
	size_t i, k;
	*flags = *prop = 0;
	for (i = 0; i < m->noptions; i++) {
		const char *o = m->options[i];
		int done = 0;
		for (k = 0; k < sizeof mflags / sizeof mflags[0] && !done; k++)
			if (!strcmp(o, mflags[k].name)) {
				if (mflags[k].clear)
					*flags &= ~mflags[k].flag;
				else
					*flags |= mflags[k].flag;
				done = 1;
			}
		for (k = 0; k < sizeof mprop / sizeof mprop[0] && !done; k++)
			if (!strcmp(o, mprop[k].name)) {
				*prop |= mprop[k].flag;
				done = 1;
			}
		if (!done) {
			if (data->len)
				buf_addc(data, ',');
			buf_adds(data, o);
		}
	}
}

/* v1/hybrid "cgroup" mount: a tmpfs with one bind per hierarchy of the container's own
 * cgroup dir, read-only when asked (the default spec does). */
static int mount_cgroup(struct ctr *c, const char *dest, unsigned long flags, struct err *e)
{
	struct cgroup_layout l;
	size_t i;
	int rc = 0;

	if (mount("tmpfs", dest, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		return err_sys(e, "mount tmpfs on %s", dest);
	if (cgroup_layout(&l, e) < 0)
		return -1;
	for (i = 0; i < l.nv1 && rc == 0; i++) {
		char *ctrl = xstrdup(l.v1[i].controllers), *comma = strchr(ctrl, ',');
		const char *base = strrchr(l.v1[i].mountpoint, '/') + 1, *dir;
		if (comma)
			*comma = 0;
		dir = cgroup_paths_get(&c->cg, ctrl);
		if (dir) {
			char *t = fmt_alloc("%s/%s", dest, base);
			mkdir(t, 0755);
			if (mount(dir, t, NULL, MS_BIND | MS_REC, NULL) < 0 ||
			    mount(NULL, t, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV |
				  MS_NOEXEC | (flags & MS_RDONLY), NULL) < 0)
				rc = err_sys(e, "bind cgroup %s on %s", dir, t);
			/* co-mounted controllers get runc's links: cpu -> cpu,cpuacct */
			if (comma) {
				char *names = xstrdup(l.v1[i].controllers), *p = names, *n;
				while ((n = strsep(&p, ","))) {
					char *lk = fmt_alloc("%s/%s", dest, n);
					if (strcmp(n, base))
						symlink(base, lk);
					free(lk);
				}
				free(names);
			}
			free(t);
		}
		free(ctrl);
	}
	cgroup_layout_free(&l);
	if (rc == 0 && (flags & MS_RDONLY) &&
	    mount(NULL, dest, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		rc = err_sys(e, "remount %s read-only", dest);
	return rc;
}

static int mount_one(struct ctr *c, const char *rootfs, const struct spec_mount *m,
		     struct err *e)
{
	struct buf data = BUF_INIT;
	unsigned long flags, prop;
	char *dest = NULL;
	struct stat sb;
	int rc = -1, isfile = 0;

	parse_opts(m, &flags, &prop, &data);
	if (m->bind && stat(m->source, &sb) == 0 && !S_ISDIR(sb.st_mode))
		isfile = 1;
	if (isfile ? fs_create_file_in_root(rootfs, m->destination, 0644, &dest, e) < 0
		   : fs_mkdir_p_in_root(rootfs, m->destination, 0755, &dest, e) < 0)
		goto out;
	if (m->bind) {
		if (mount(m->source, dest, NULL, MS_BIND | (m->rbind ? MS_REC : 0), NULL) < 0) {
			err_sys(e, "mount %s to %s", m->source, m->destination);
			goto out;
		}
		flags &= ~(MS_BIND | MS_REC | MS_REMOUNT);
		if (flags && mount(NULL, dest, NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0) {
			err_sys(e, "remount %s", m->destination);
			goto out;
		}
	} else if (!strcmp(m->type, "cgroup")) {
		if (mount_cgroup(c, dest, flags, e) < 0)
			goto out;
	} else {
		const char *src = *m->source ? m->source : m->type;
		if (mount(src, dest, m->type, flags & ~MS_REMOUNT, data.len ? data.p : NULL) < 0) {
			err_sys(e, "mount %s to %s", m->type, m->destination);
			goto out;
		}
	}
	if (prop && mount(NULL, dest, NULL, prop, NULL) < 0) {
		err_sys(e, "set propagation of %s", m->destination);
		goto out;
	}
	rc = 0;
out:
	buf_free(&data);
	free(dest);
	return rc;
}

static const char *const devnodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

/* /dev: runc's default nodes (mknod, or a bind of the host's node where mknod is not
 * allowed, as in a user namespace), spec devices, and the links. */
static int setup_dev(struct ctr *c, const char *rootfs, struct err *e)
{
	char *dev = fmt_alloc("%s/dev", rootfs);
	size_t i;
	int rc = -1;

	for (i = 0; i < sizeof devnodes / sizeof devnodes[0]; i++) {
		char *h = fmt_alloc("/dev/%s", devnodes[i]), *d = NULL;
		struct stat hs;
		int r = stat(h, &hs) < 0 ? err_sys(e, "stat %s", h) : 0;
		if (r == 0 && (r = fs_securejoin(rootfs, h, &d, NULL, e)) == 0) {
			unlink(d);
			if (mknod(d, S_IFCHR | 0666, hs.st_rdev) == 0) {
				if (chmod(d, 0666) < 0)
					r = err_sys(e, "chmod %s", h);
			} else if (errno != EPERM) {
				r = err_sys(e, "mknod %s", h);
			} else {
				free(d);
				d = NULL;
				r = fs_create_file_in_root(rootfs, h, 0600, &d, e);
				if (r == 0 && mount(h, d, NULL, MS_BIND, NULL) < 0)
					r = err_sys(e, "bind %s", h);
			}
		}
		free(h);
		free(d);
		if (r < 0)
			goto out;
	}
	for (i = 0; i < c->spec.ndevices; i++) {
		const struct spec_device *sd = &c->spec.devices[i];
		char *d = NULL;
		mode_t t = sd->type == 'b' ? S_IFBLK : sd->type == 'p' ? S_IFIFO : S_IFCHR;
		if (fs_mkdir_p_in_root(rootfs, "/dev", 0755, NULL, e) < 0 ||
		    fs_securejoin(rootfs, sd->path, &d, NULL, e) < 0)
			goto out;
		unlink(d);
		if (mknod(d, t | (sd->file_mode & 07777), makedev(sd->major, sd->minor)) < 0 ||
		    chown(d, sd->uid, sd->gid) < 0) {
			err_sys(e, "mknod %s", sd->path);
			free(d);
			goto out;
		}
		free(d);
	}
	{
		static const char *const links[][2] = {
			{ "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" },
			{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
			{ "pts/ptmx", "ptmx" },
		};
		int dfd = open(dev, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0) {
			err_sys(e, "open %s", dev);
			goto out;
		}
		for (i = 0; i < 5; i++) {
			unlinkat(dfd, links[i][1], 0);
			if (symlinkat(links[i][0], dfd, links[i][1]) < 0 && errno != EEXIST) {
				err_sys(e, "symlink /dev/%s", links[i][1]);
				close(dfd);
				goto out;
			}
		}
		close(dfd);
	}
	rc = 0;
out:
	free(dev);
	return rc;
}

int rt_rootfs_prepare(struct ctr *c, struct err *e)
{
	const char *rootfs = spec_rootfs(&c->spec);
	size_t i;
	int devbind = 0, devtmpfs = 0;

	if (!spec_has_ns(&c->spec, "mount"))
		return 0;
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return err_sys(e, "make / rslave");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_sys(e, "bind rootfs %s", rootfs);
	for (i = 0; i < c->spec.nmounts; i++) {
		const struct spec_mount *m = &c->spec.mounts[i];
		if (!strcmp(m->destination, "/dev"))
			*(m->bind ? &devbind : &devtmpfs) = 1;
		if (mount_one(c, rootfs, m, e) < 0)
			return -1;
	}
	if (devtmpfs && !devbind && setup_dev(c, rootfs, e) < 0)
		return -1;
	return 0;
}

int rt_rootfs_pivot(struct ctr *c, struct err *e)
{
	const char *rootfs = spec_rootfs(&c->spec);

	if (chdir(rootfs) < 0)
		return err_sys(e, "chdir %s", rootfs);
	if (!spec_has_ns(&c->spec, "mount")) {
		if (chroot(".") < 0)
			return err_sys(e, "chroot %s", rootfs);
	} else if (c->o->no_pivot) {
		if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
			return err_sys(e, "move %s to /", rootfs);
		if (chroot(".") < 0)
			return err_sys(e, "chroot %s", rootfs);
	} else {
		int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (oldroot < 0)
			return err_sys(e, "open /");
		if (syscall(SYS_pivot_root, ".", ".") < 0) {
			close(oldroot);
			return err_sys(e, "pivot_root %s", rootfs);
		}
		if (fchdir(oldroot) < 0 || mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0 ||
		    umount2(".", MNT_DETACH) < 0) {
			close(oldroot);
			return err_sys(e, "detach the old root");
		}
		close(oldroot);
	}
	if (chdir("/") < 0)
		return err_sys(e, "chdir /");
	return 0;
}

int rt_rootfs_finalize(struct ctr *c, struct err *e)
{
	size_t i;
	struct stat sb;

	if (!spec_has_ns(&c->spec, "mount"))
		return 0;
	for (i = 0; i < c->spec.nreadonly_paths; i++) {
		const char *p = c->spec.readonly_paths[i];
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return err_sys(e, "readonly path %s", p);
		}
		if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC |
			  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 &&
		    mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL) < 0)
			return err_sys(e, "remount %s read-only", p);
	}
	for (i = 0; i < c->spec.nmasked_paths; i++) {
		const char *p = c->spec.masked_paths[i];
		if (lstat(p, &sb) < 0)
			continue;   /* missing: nothing to hide */
		if (S_ISDIR(sb.st_mode)) {
			if (mount("tmpfs", p, "tmpfs", MS_RDONLY, "nr_blocks=1,nr_inodes=1") < 0 &&
			    mount("tmpfs", p, "tmpfs", MS_RDONLY, "nr_blocks=1,nr_inodes=2") < 0)
				return err_sys(e, "mask %s", p);
		} else if (mount("/dev/null", p, NULL, MS_BIND, NULL) < 0 && errno != ENOENT) {
			return err_sys(e, "mask %s", p);
		}
	}
	if (c->spec.root_readonly &&
	    mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return err_sys(e, "remount / read-only");
	return 0;
}
