/* mount: one OCI mount onto its destination inside the rootfs, as runc's mountToRootfs does
 * it, with the destination resolved inside the rootfs (sys/inroot.h) and mounted onto
 * through its fd (sys/mnt.h). Rules and order: docs/rootfs.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "rootfs/internal.h"
#include "sys/inroot.h"
#include "sys/mnt.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"

#define PROC_MAGIC    0x9fa0
#define SELINUX_MAGIC 0xf97cff8c

int rootfs_mount_err(struct err *e, const char *source, const char *dest)
{
	return err_wrap(e, "error mounting \"%s\" to rootfs at \"%s\"", source, dest);
}

char *rootfs_label_data(const struct rootfs_ctx *c, const char *data)
{
	const char *l = c->spec->mount_label;
	struct statfs sf;

	/* runc adds the label whenever one is set; a kernel without SELinux would refuse
	 * the option, so (as crun) only when selinuxfs is mounted. */
	if (!l || !*l || statfs("/sys/fs/selinux", &sf) < 0 || (unsigned long)sf.f_type != SELINUX_MAGIC)
		return xstrdup(data ? data : "");
	if (data && *data)
		return fmt_alloc("%s,context=\"%s\"", data, l);
	return fmt_alloc("context=\"%s\"", l);
}

/* runc's checkProcMount: nothing may be mounted below /proc except the files lxcfs
 * emulates, and /proc itself only takes a procfs. inner is the resolved in-root path. */
static int check_proc(const char *inner, const char *source, struct err *e)
{
	static const char *const ok[] = {
		"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
		"/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev",
		"/proc/sys/kernel/ns_last_pid",
	};
	size_t i;
	struct statfs sf;

	if (strncmp(inner, "/proc", 5) || (inner[5] && inner[5] != '/'))
		return 0;
	if (!inner[5] || !strcmp(inner, "/proc/")) {
		if (!*source || (statfs(source, &sf) == 0 && sf.f_type == PROC_MAGIC))
			return 0;
		return err_set(e, EINVAL, "\"%s\" cannot be mounted because it is not of type proc",
			       inner);
	}
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (!strcmp(inner, ok[i]))
			return 0;
	return err_set(e, EINVAL, "\"%s\" cannot be mounted because it is inside /proc", inner);
}

static int apply_after(struct rootfs_ctx *c, struct rmount *r, struct err *e)
{
	int fd;

	if (!r->o.prop && !r->o.rec_set && !r->o.rec_clr)
		return 0;
	/* The destination again, now the root of the new mount (inroot crosses into it). */
	fd = inroot_open(c->rootfd, r->dest, O_PATH | O_DIRECTORY, e);
	if (fd < 0 && e->no == ENOTDIR)
		fd = inroot_open(c->rootfd, r->dest, O_PATH, e);
	if (fd < 0)
		return -1;
	if (r->o.prop) {
		unsigned long p = r->o.prop & ~(unsigned long)MS_REC;
		if (mnt_setattr(fd, r->dest, 0, 0, p, !!(r->o.prop & MS_REC), e) < 0)
			goto fail;
	}
	if ((r->o.rec_set || r->o.rec_clr) &&
	    mnt_setattr(fd, r->dest, r->o.rec_set, r->o.rec_clr, 0, 1, e) < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

int rootfs_mount_at(struct rootfs_ctx *c, struct rmount *r, int target, int label,
		    struct err *e)
{
	char *data = label ? rootfs_label_data(c, r->o.data) : xstrdup(r->o.data);
	int rc;

	rc = mnt_fs(r->source, r->type, r->flags, data, target, r->dest, e);
	free(data);
	if (rc < 0)
		return -1;
	return apply_after(c, r, e);
}

/* A mount that is not a bind: a directory at dest, then the file system. */
static int mount_fs(struct rootfs_ctx *c, struct rmount *r, int label, struct err *e)
{
	int fd, rc;
	struct stat before;
	int existed;
	unsigned long want = r->flags;

	fd = inroot_open(c->rootfd, r->dest, O_PATH, e);
	existed = fd >= 0 && fstat(fd, &before) == 0;
	if (fd >= 0)
		close(fd);
	/* proc and sysfs only onto a real directory, never through a symlink. */
	if (!strcmp(r->type, "proc") || !strcmp(r->type, "sysfs")) {
		fd = inroot_open(c->rootfd, r->dest, O_PATH | O_NOFOLLOW, e);
		if (fd >= 0) {
			struct stat sb;
			int dir = fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode);
			close(fd);
			if (!dir)
				return err_set(e, ENOTDIR, "filesystem \"%s\" must be mounted on "
					       "ordinary directory", r->type);
		}
	}
	if (strcmp(r->type, "proc") && strcmp(r->type, "sysfs") && strcmp(r->type, "mqueue")) {
		/* The destination as written first (before anything is made), then resolved. */
		char *in = fs_clean(r->dest);
		rc = check_proc(in, r->source, e);
		free(in);
		if (rc < 0)
			return -1;
	}
	fd = inroot_mkdir_p(c->rootfd, r->dest, 0755, e);
	if (fd < 0)
		return -1;
	if (strcmp(r->type, "proc") && strcmp(r->type, "sysfs") && strcmp(r->type, "mqueue")) {
		char *in = rootfs_inner_path(c, fd);
		rc = in ? check_proc(in, r->source, e) : 0;
		free(in);
		if (rc < 0)
			goto out;
	}
	/* tmpfs and /dev are mounted writable and made read-only after (runc). */
	if (!strcmp(r->type, "tmpfs") || rootfs_is_dev(r->dest))
		r->flags &= ~(unsigned long)MS_RDONLY;
	if (!strcmp(r->type, "tmpfs") && r->o.tmpcopyup)
		rc = rootfs_tmpfs_copyup(c, r, fd, e) < 0 ? -1 : apply_after(c, r, e);
	else
		rc = rootfs_mount_at(c, r, fd, label, e);
	if (rc < 0 && !strcmp(r->type, "mqueue") && e->no == EPERM && c->in_userns) {
		/* mqueue cannot be mounted from a user namespace: bind the host's. */
		rc = mnt_bind(-1, "/dev/mqueue", fd, r->dest, 1, 0, 0, 0, 0, NULL, e);
	}
	if (rc == 0 && !strcmp(r->type, "tmpfs")) {
		int top = inroot_open(c->rootfd, r->dest, O_PATH | O_DIRECTORY, e);
		if (top < 0) {
			rc = -1;
			goto out;
		}
		if (existed) {
			/* runc gives the new tmpfs the mode of the directory it covers. */
			char p[32];
			if (chmod(mnt_fdpath(p, top), before.st_mode & 07777) < 0)
				rc = err_sys(e, "chmod %s", r->dest);
		}
		/* As runc: a remount of the file system itself, so it is read-only too. */
		if (rc == 0 && (want & MS_RDONLY) && !rootfs_is_dev(r->dest))
			rc = mnt_change(top, r->dest, want | MS_REMOUNT, "", e);
		close(top);
	}
	r->flags = want;
out:
	close(fd);
	return rc;
}

static int mount_bind(struct rootfs_ctx *c, struct rmount *r, struct err *e)
{
	struct stat sb;
	int fd, rc, atime = 0;
	uint64_t set = 0, clr = 0;
	unsigned long extra = r->flags & ~(unsigned long)(MS_REC | MS_REMOUNT | MS_BIND);
	char *in;

	if (stat(r->source, &sb) < 0)
		return err_sys(e, "stat %s", r->source);
	/* The destination as written first (before anything is created), then as resolved. */
	in = fs_clean(r->dest);
	rc = check_proc(in, r->source, e);
	free(in);
	if (rc < 0)
		return -1;
	fd = S_ISDIR(sb.st_mode) ? inroot_mkdir_p(c->rootfd, r->dest, 0755, e)
				 : inroot_create_file(c->rootfd, r->dest, 0755, e);
	if (fd < 0)
		return -1;
	in = rootfs_inner_path(c, fd);
	rc = in ? check_proc(in, r->source, e) : 0;
	free(in);
	if (rc < 0)
		goto out;
	if (extra) {
		/* runc remounts with exactly these flags: the ones not given are cleared
		 * (mnt_bind keeps those a user namespace has locked). */
		set = mountopt_ms_to_attr(r->flags, &atime);
		clr = (MNTOPT_ATTR_RDONLY | MNTOPT_ATTR_NOSUID | MNTOPT_ATTR_NODEV |
		       MNTOPT_ATTR_NOEXEC | MNTOPT_ATTR_NODIRATIME) & ~set;
		if (atime)
			clr |= MNTOPT_ATTR__ATIME;
	}
	rc = mnt_bind(-1, r->source, fd, r->dest, r->rbind, set, clr, 0, 0, NULL, e);
	if (rc == 0)
		rc = apply_after(c, r, e);
out:
	close(fd);
	return rc;
}

int rootfs_mount_one(struct rootfs_ctx *c, const struct spec_mount *sm, struct err *e)
{
	struct rmount r;
	int rc;

	memset(&r, 0, sizeof r);
	mountopt_parse(&r.o, sm->options, sm->noptions);
	r.source = sm->source;
	r.dest = sm->destination;
	r.type = sm->type;
	r.bind = sm->bind || (r.o.flags & MS_BIND);
	r.rbind = sm->rbind || ((r.o.flags & MS_BIND) && (r.o.flags & MS_REC));
	r.flags = r.o.flags & ~(unsigned long)(MS_BIND | MS_REC);
	if (!strcmp(r.type, "sysfs") && c->in_userns && !spec_has_ns(c->spec, "network")) {
		/* sysfs cannot be mounted from a user namespace without its own network
		 * namespace: runc binds the host's /sys instead. */
		r.source = "/sys";
		r.bind = r.rbind = 1;
	}
	if (c->await_cgroup && !r.bind && (!strcmp(r.type, "cgroup") || !strcmp(r.type, "cgroup2"))) {
		int (*fn)(void *, struct err *) = c->await_cgroup;
		c->await_cgroup = NULL;
		if (fn(c->await_arg, e) < 0)
			return -1;
	}
	if (r.bind)
		rc = mount_bind(c, &r, e);
	else if (!strcmp(r.type, "cgroup"))
		rc = rootfs_mount_cgroup(c, &r, e);
	else
		rc = mount_fs(c, &r, strcmp(r.type, "proc") && strcmp(r.type, "sysfs") &&
			      strcmp(r.type, "mqueue"), e);
	if (rc < 0)
		rootfs_mount_err(e, sm->source, sm->destination);
	mountopt_free(&r.o);
	return rc;
}
