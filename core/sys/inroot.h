/* inroot: opening and creating paths inside a container root given as a directory fd, as if
 * that directory were "/": symlinks (absolute or relative) are followed but restart at, and
 * ".." stops at, the root, so nothing resolves outside it. openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) does it where the kernel has it; otherwise a component-by-component
 * walker over O_PATH|O_NOFOLLOW fds (the same rules, at most 255 symlinks), whose result is
 * checked to lie under the root. Creation (mkdir -p, empty files) always uses the walker:
 * every component is created with mkdirat/openat relative to its parent's fd and reopened
 * with O_NOFOLLOW, so a symlink swapped in makes it fail or stay inside, never leave.
 * Error messages name the path as given, relative to the root. */
#ifndef CRBOX_SYS_INROOT_H
#define CRBOX_SYS_INROOT_H
#include <sys/types.h>
#include "err.h"

#define INROOT_MAXSYMLINKS 255

/* Test knob: 1 forces the walker even where openat2 exists (tests/unit/t_inroot.c). */
extern int inroot_force_walker;

/* Opens path under rootfd with flags (O_CLOEXEC is added; O_CREAT is not allowed: use the
 * create functions). A final symlink is followed inside the root unless flags has
 * O_NOFOLLOW (then the O_PATH of the link itself is returned only with O_PATH). fd or -1. */
int inroot_open(int rootfd, const char *path, int flags, struct err *e);
/* mkdir -p of path under rootfd (missing components created with mode), returns an
 * O_PATH|O_DIRECTORY fd of the directory. ENOTDIR if a component is not a directory. */
int inroot_mkdir_p(int rootfd, const char *path, mode_t mode, struct err *e);
/* Like inroot_mkdir_p for the parent (0755), then creates path as an empty file with mode
 * unless something that is not a directory already resolves there; returns its O_PATH fd.
 * EISDIR if a directory is there. */
int inroot_create_file(int rootfd, const char *path, mode_t mode, struct err *e);
/* A container root as runc validates it: it exists, is a directory, and is absolute with no
 * symlink in it (its realpath is itself, after a lexical clean). Errors start "invalid
 * rootfs: ". 0 or -1. */
int inroot_validate_root(const char *rootfs, struct err *e);
/* The path an fd refers to, from /proc/self/fd (heap), or NULL with e set. */
char *inroot_fd_path(int fd, struct err *e);

#endif
