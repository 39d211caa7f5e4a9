/* rootfs internals shared by prepare.c, mount.c, cgmount.c, dev.c and mask.c. */
#ifndef CRBOX_ROOTFS_INTERNAL_H
#define CRBOX_ROOTFS_INTERNAL_H
#include <stdint.h>
#include "rootfs/rootfs.h"
#include "rootfs/mountopt.h"

/* One mount as the steps do it: the spec mount's fields after option parsing. */
struct rmount {
	const char *source, *dest, *type;
	unsigned long flags;       /* MS_* without MS_BIND/MS_REC */
	int bind, rbind;
	struct mountopt o;
};

/* mount.c: one spec mount onto its destination inside c->rootfd. 0 or -1. */
int rootfs_mount_one(struct rootfs_ctx *c, const struct spec_mount *sm, struct err *e);
/* mount.c: mounts r at the directory fd target (already created), applying mountLabel
 * for types that take it, the flags, then the propagation and recursive attributes. */
int rootfs_mount_at(struct rootfs_ctx *c, struct rmount *r, int target, int label,
		    struct err *e);
/* mount.c: data with mountLabel appended (context="...") when SELinux is on; heap. */
char *rootfs_label_data(const struct rootfs_ctx *c, const char *data);
/* mount.c: the error runc prints for a failed mount. Returns -1. */
int rootfs_mount_err(struct err *e, const char *source, const char *dest);
/* copyup.c: a tmpfs with "tmpcopyup" onto target (the covered directory's fd), filled with
 * the directory's content before it is attached. */
int rootfs_tmpfs_copyup(struct rootfs_ctx *c, struct rmount *r, int target, struct err *e);
/* cgmount.c: a "cgroup" spec mount (v1 tmpfs + per-hierarchy binds, or cgroup2). */
int rootfs_mount_cgroup(struct rootfs_ctx *c, struct rmount *r, struct err *e);
/* dev.c: default and spec devices, ptmx and the /dev symlinks. */
int rootfs_setup_dev(struct rootfs_ctx *c, struct err *e);
/* dev.c: 1 if a spec mount binds something onto /dev (then /dev is left alone). */
int rootfs_has_bind_dev(const struct spec *s);
/* mask.c: readonlyPaths then maskedPaths, below c->rootfd (the new "/"). */
int rootfs_readonly_paths(struct rootfs_ctx *c, struct err *e);
int rootfs_masked_paths(struct rootfs_ctx *c, struct err *e);
/* prepare.c: 1 if path is "/dev" after a lexical clean. */
int rootfs_is_dev(const char *path);
/* prepare.c: the in-root path of fd ("/proc/cpuinfo"), heap, or NULL. */
char *rootfs_inner_path(const struct rootfs_ctx *c, int fd);

#endif
