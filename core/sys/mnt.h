/* mnt: mounting onto file descriptors, never onto re-resolved paths. A bind is an
 * open_tree(OPEN_TREE_CLONE) of the source moved onto the target fd with move_mount, its
 * flags set on the detached tree with mount_setattr (so it appears with them at once); a new
 * file system is mounted onto /proc/self/fd/<target> (the kernel then uses exactly the object
 * the fd holds). Where the kernel lacks the new mount API (ENOSYS) the bind falls back to
 * mount(2) through /proc/self/fd too. Errors name what the caller calls the target. */
#ifndef CRBOX_SYS_MNT_H
#define CRBOX_SYS_MNT_H
#include <stdint.h>
#include "err.h"

/* Binds source onto the mount point held by target_fd (an O_PATH fd). If treefd is not NULL
 * it receives an O_PATH fd of the new mount's root (umount it with mnt_umount), or -1 where
 * the legacy mount(2) path was used. source is srcfd when
 * srcfd >= 0 (an O_PATH fd of the source, source is then only used in messages), else the
 * path source. recursive: rbind. attr_set/attr_clr (MOUNT_ATTR_*, see rootfs/mountopt.h)
 * are applied to the top mount of the new tree before it is attached; rec_set/rec_clr to the
 * whole tree. name is the target as the user wrote it (for messages). 0 or -1. */
int mnt_bind(int srcfd, const char *source, int target_fd, const char *name, int recursive,
	     uint64_t attr_set, uint64_t attr_clr, uint64_t rec_set, uint64_t rec_clr,
	     int *treefd, struct err *e);
/* Lazily unmounts the mount whose root fd holds (umount2 MNT_DETACH through /proc/self/fd),
 * never a path looked up again. 0 or -1. */
int mnt_umount(int fd, const char *name, struct err *e);
/* mount(2) of a new file system (or any mount(2) call with a source) onto target_fd. */
int mnt_fs(const char *source, const char *type, unsigned long flags, const char *data,
	   int target_fd, const char *name, struct err *e);
/* mount_setattr on the mount fd refers to (it must be the root of a mount: reopen after
 * mounting). propagation: MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE or 0; recursive for
 * the whole tree. 0 or -1. */
int mnt_setattr(int fd, const char *name, uint64_t set, uint64_t clr, unsigned long propagation,
		int recursive, struct err *e);
/* mount(2) flags-only call (remount, propagation) on the mount fd refers to. */
int mnt_change(int fd, const char *name, unsigned long flags, const char *data, struct err *e);
/* A new file system not attached anywhere yet (fsopen, fsconfig with each data option:
 * "k=v" as a string, "k" as a flag, then fsmount with the MOUNT_ATTR_* bits of the MS_*
 * flags); returns its mount fd, to fill and then attach with mnt_move. */
int mnt_fs_detached(const char *source, const char *type, unsigned long flags, const char *data,
		    const char *name, struct err *e);
/* move_mount of the detached mount mfd onto target_fd. 0 or -1. */
int mnt_move(int mfd, int target_fd, const char *name, struct err *e);
/* "/proc/self/fd/<fd>" into buf (at least 32 bytes). */
const char *mnt_fdpath(char *buf, int fd);

#endif
