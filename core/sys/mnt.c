/* mnt: fd-based mounts (see mnt.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "sys/mnt.h"
#include "buf.h"
#include "fmt.h"
#include <stdlib.h>

struct mnt_attr {                  /* struct mount_attr (linux/mount.h) */
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#define M_OPEN_TREE_CLONE       1
#define M_AT_RECURSIVE          0x8000
#define M_MOVE_MOUNT_F_EMPTY    0x00000004
#define M_MOVE_MOUNT_T_EMPTY    0x00000040

const char *mnt_fdpath(char *buf, int fd)
{
	fmt_sn(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

static int setattr(int fd, int flags, uint64_t set, uint64_t clr, unsigned long prop)
{
	struct mnt_attr a = { set, clr, prop, 0 };
	return (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | flags, &a, sizeof a);
}

int mnt_setattr(int fd, const char *name, uint64_t set, uint64_t clr, unsigned long propagation,
		int recursive, struct err *e)
{
	if (!set && !clr && !propagation)
		return 0;
	if (setattr(fd, recursive ? M_AT_RECURSIVE : 0, set, clr, propagation) < 0)
		return err_sys(e, "mount_setattr %s", name);
	return 0;
}

int mnt_change(int fd, const char *name, unsigned long flags, const char *data, struct err *e)
{
	char p[32];
	if (mount("", mnt_fdpath(p, fd), NULL, flags, data) < 0)
		return err_sys(e, "remount %s", name);
	return 0;
}

/* The legacy path (no open_tree): mount(2) through /proc/self/fd, without flags. */
static int bind_legacy(int srcfd, const char *source, int target_fd, const char *name,
		       int recursive, struct err *e)
{
	char s[32], t[32];
	const char *src = srcfd >= 0 ? mnt_fdpath(s, srcfd) : source;
	if (mount(src, mnt_fdpath(t, target_fd), NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return err_sys(e, "bind mount %s on %s", source, name);
	return 0;
}

int mnt_bind(int srcfd, const char *source, int target_fd, const char *name, int recursive,
	     uint64_t attr_set, uint64_t attr_clr, uint64_t rec_set, uint64_t rec_clr,
	     int *treefd, struct err *e)
{
	int flags = M_OPEN_TREE_CLONE | O_CLOEXEC | (recursive ? M_AT_RECURSIVE : 0);
	int t;

	if (treefd)
		*treefd = -1;
	t = (int)syscall(SYS_open_tree, srcfd >= 0 ? srcfd : AT_FDCWD, srcfd >= 0 ? "" : source,
			 flags | (srcfd >= 0 ? AT_EMPTY_PATH : 0));
	if (t < 0 && errno == ENOSYS) {
		if (attr_set || attr_clr || rec_set || rec_clr)
			return err_set(e, ENOSYS, "bind mount %s on %s: the kernel has no "
				       "open_tree/mount_setattr", source, name);
		return bind_legacy(srcfd, source, target_fd, name, recursive, e);
	}
	if (t < 0)
		return err_sys(e, "bind mount %s on %s: open_tree", source, name);
	if ((rec_set || rec_clr) && setattr(t, M_AT_RECURSIVE, rec_set, rec_clr, 0) < 0) {
		err_sys(e, "bind mount %s on %s: recursive attributes", source, name);
		goto fail;
	}
	if (attr_set || attr_clr) {
		/* A flag locked by a less privileged mount namespace cannot be cleared: keep the
		 * locked ones (EPERM) rather than fail, and set what was asked. */
		if (setattr(t, 0, attr_set, attr_clr, 0) < 0 &&
		    (errno != EPERM || setattr(t, 0, attr_set, 0, 0) < 0)) {
			err_sys(e, "bind mount %s on %s: set flags", source, name);
			goto fail;
		}
	}
	if (syscall(SYS_move_mount, t, "", target_fd, "",
		    M_MOVE_MOUNT_F_EMPTY | M_MOVE_MOUNT_T_EMPTY) < 0) {
		err_sys(e, "bind mount %s on %s", source, name);
		goto fail;
	}
	if (treefd)
		*treefd = t;
	else
		close(t);
	return 0;
fail:
	close(t);
	return -1;
}

int mnt_fs(const char *source, const char *type, unsigned long flags, const char *data,
	   int target_fd, const char *name, struct err *e)
{
	char t[32];
	if (mount(source, mnt_fdpath(t, target_fd), type, flags, data && *data ? data : NULL) < 0)
		return err_sys(e, "mount %s (%s) on %s", source, type ? type : "", name);
	return 0;
}

int mnt_umount(int fd, const char *name, struct err *e)
{
	char p[32];
	if (umount2(mnt_fdpath(p, fd), MNT_DETACH) < 0)
		return err_sys(e, "unmount %s", name);
	return 0;
}

#define M_FSOPEN_CLOEXEC          1
#define M_FSCONFIG_SET_FLAG       0
#define M_FSCONFIG_SET_STRING     1
#define M_FSCONFIG_CMD_CREATE     6
#define M_FSMOUNT_CLOEXEC         1

static uint64_t attrs_of(unsigned long ms)
{
	uint64_t a = 0;
	if (ms & MS_NOSUID)
		a |= 0x2;
	if (ms & MS_NODEV)
		a |= 0x4;
	if (ms & MS_NOEXEC)
		a |= 0x8;
	if (ms & MS_NOATIME)
		a |= 0x10;
	else if (ms & MS_STRICTATIME)
		a |= 0x20;
	if (ms & MS_NODIRATIME)
		a |= 0x80;
	return a;
}

int mnt_fs_detached(const char *source, const char *type, unsigned long flags, const char *data,
		    const char *name, struct err *e)
{
	char *opts = xstrdup(data ? data : ""), *o, *sv = NULL;
	int fs, m = -1;

	fs = (int)syscall(SYS_fsopen, type, M_FSOPEN_CLOEXEC);
	if (fs < 0) {
		free(opts);
		return err_sys(e, "mount %s on %s: fsopen", type, name);
	}
	if (source && *source &&
	    syscall(SYS_fsconfig, fs, M_FSCONFIG_SET_STRING, "source", source, 0) < 0) {
		err_sys(e, "mount %s on %s: source", type, name);
		goto out;
	}
	for (o = strtok_r(opts, ",", &sv); o; o = strtok_r(NULL, ",", &sv)) {
		char *eq = strchr(o, '=');
		long r;
		if (eq) {
			*eq = 0;
			r = syscall(SYS_fsconfig, fs, M_FSCONFIG_SET_STRING, o, eq + 1, 0);
		} else {
			r = syscall(SYS_fsconfig, fs, M_FSCONFIG_SET_FLAG, o, NULL, 0);
		}
		if (r < 0) {
			err_sys(e, "mount %s on %s: option %s", type, name, o);
			goto out;
		}
	}
	if (syscall(SYS_fsconfig, fs, M_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		err_sys(e, "mount %s on %s", type, name);
		goto out;
	}
	m = (int)syscall(SYS_fsmount, fs, M_FSMOUNT_CLOEXEC, attrs_of(flags));
	if (m < 0)
		err_sys(e, "mount %s on %s: fsmount", type, name);
out:
	free(opts);
	close(fs);
	return m;
}

int mnt_move(int mfd, int target_fd, const char *name, struct err *e)
{
	if (syscall(SYS_move_mount, mfd, "", target_fd, "",
		    M_MOVE_MOUNT_F_EMPTY | M_MOVE_MOUNT_T_EMPTY) < 0)
		return err_sys(e, "move mount onto %s", name);
	return 0;
}
