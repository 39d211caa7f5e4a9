/* fsutil: path and file helpers for restore, checkpoint and the cgroup code: resolving a
 * path inside a rootfs as if it were '/', creating mountpoints without leaving the rootfs,
 * rm -rf that follows no symlinks and crosses no mounts, mountpoint tests, and whole-file
 * read/write for small files (cgroup knobs, /proc files). Errors always name the path. */
#ifndef CRBOX_FSUTIL_H
#define CRBOX_FSUTIL_H
#include <stddef.h>
#include <sys/types.h>
#include "buf.h"
#include "err.h"

/* Maximum number of symlinks followed by one securejoin (runc's securejoin uses 255). */
#define FS_MAXSYMLINKS 255

/* Resolves unsafe_path inside rootfs following symlinks as if rootfs were '/': absolute link
 * targets restart at rootfs, ".." stops at rootfs, components that do not exist are joined
 * lexically. rootfs itself is trusted (not resolved). On success returns 0 and, for each of
 * host/inner that is not NULL, a heap string: *host = "<rootfs>/<resolved>" (cleaned),
 * *inner = "/<resolved>" (the in-container path, "/" for the root; this is what runc uses as
 * ext_mnt keys, e.g. "/conf" -> "/real/conf"). -1 with e->no = ELOOP after FS_MAXSYMLINKS
 * links, or on an lstat/readlink error other than ENOENT/ENOTDIR. */
int fs_securejoin(const char *rootfs, const char *unsafe_path, char **host, char **inner,
		  struct err *e);

/* Lexical clean of a path (Go's filepath.Clean): "a//b/./../c" -> "a/c", "" -> ".". Heap. */
char *fs_clean(const char *path);
/* Lexical join + clean (Go's filepath.Join; empty parts skipped, "" if all empty). Heap. */
char *fs_join(const char *a, const char *b);

/* mkdir -p: creates path and missing parents with mode (EEXIST on a directory is fine).
 * Returns 0, or -1 naming the component that failed (ENOTDIR if one is not a directory). */
int fs_mkdir_p(const char *path, mode_t mode, struct err *e);

/* mkdir -p of dest inside rootfs, by sys/inroot.h's walker from an fd of rootfs (every
 * component created and opened relative to its parent's fd with O_NOFOLLOW). If host is not
 * NULL it receives the heap host path made, for messages only: never mount onto it (a
 * symlink swapped in later would redirect the mount); use inroot_mkdir_p's fd. 0 or -1. */
int fs_mkdir_p_in_root(const char *rootfs, const char *dest, mode_t mode, char **host,
		       struct err *e);
/* Like fs_mkdir_p_in_root for dest's parent (mode 0755), then creates dest as an empty file
 * with `mode` (e.g. 0644) unless it exists already (any type is accepted, as a mountpoint may
 * already be there; a final symlink is followed inside the root). The file is created
 * O_NOFOLLOW|O_EXCL in the parent's fd. host as above (NULL when dest was a directory). */
int fs_create_file_in_root(const char *rootfs, const char *dest, mode_t mode, char **host,
			   struct err *e);

/* rm -rf of `name` relative to dirfd (AT_FDCWD works): never follows symlinks (a symlink is
 * unlinked, not its target) and refuses to descend into a directory that is a mount point
 * (fails with EBUSY naming it, leaving it in place). A missing name is success. 0 or -1. */
int fs_rm_rf_at(int dirfd, const char *name, struct err *e);

/* 1 if path is a mount point (the root of a mount), 0 if not, -1 on error (e.g. ENOENT).
 * Uses statx's STATX_ATTR_MOUNT_ROOT, falling back to comparing mount ids and devices with
 * the parent directory. Does not follow a final symlink. */
int fs_is_mountpoint(const char *path, struct err *e);

/* Reads the whole file at path into b (appended; NUL-terminated) reading until EOF (works on
 * /proc and cgroup files whose st_size is 0). Fails with EFBIG if more than max bytes.
 * 0 or -1 naming the file. */
int fs_read_file(const char *path, size_t max, struct buf *b, struct err *e);
/* Same, returning a heap NUL-terminated string (trailing newlines kept), or NULL on error. */
char *fs_read_str(const char *path, size_t max, struct err *e);
/* Writes s to an existing file: open(O_WRONLY|O_CLOEXEC), one write of all of s (cgroup
 * knobs need it in one write), close. Errors read "write <path>: <cause>" (or "open ..."). */
int fs_write_str(const char *path, const char *s, struct err *e);

#endif
