/* rootfs: the container's file system, set up in the container's child, after
 * unshare(CLONE_NEWNS) (and after the user namespace is mapped and the process is in its
 * cgroup: v1 cgroup mounts bind its own /proc/self/cgroup dirs), in runc's order:
 *
 *   parent, before clone:  rootfs_validate()
 *   child:                 rootfs_prepare()   propagation, rootfs bind, spec mounts, /dev
 *   (parent runs prestart/createRuntime hooks, child runs createContainer hooks)
 *   child:                 rootfs_pivot()     pivot_root or MS_MOVE + chroot, chdir /
 *   child:                 rootfs_finalize()  /dev and root read-only, readonly/masked paths
 *
 * Every destination is resolved inside the rootfs from an fd (sys/inroot.h) and mounted
 * onto through that fd (sys/mnt.h), so a symlink in the rootfs cannot redirect a mount to
 * the host. The order and the escape rules are in docs/rootfs.md. */
#ifndef CRBOX_ROOTFS_H
#define CRBOX_ROOTFS_H
#include "err.h"
#include "spec.h"

struct rootfs_ctx {
	const struct spec *spec;   /* mounts, devices, masked/readonly paths, root.readonly,
	                            * namespaces (cgroup, network, user), mountLabel */
	const char *rootfs;        /* absolute, validated by rootfs_validate (spec_rootfs()) */
	int no_pivot;              /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
	int in_userns;             /* the child runs in a user namespace: device nodes are bind
	                            * mounts of the host's, sysfs without a network namespace is
	                            * a bind of /sys, mqueue falls back to a bind */
	const char *propagation;   /* linux.rootfsPropagation, NULL or "" when absent
	                            * (rootfs_ctx_init reads it from spec) */
	/* filled by rootfs_prepare, used by the later steps; -1 when closed */
	int rootfd;                /* O_PATH of the rootfs mount after its bind onto itself
	                            * (fchdir to it for the createContainer hooks); after
	                            * rootfs_pivot, of the new "/" */
	int dev_setup;             /* /dev was populated (no spec bind onto /dev) */
	/* Called once before the first cgroup or cgroup2 mount (which must see the container's
	 * own cgroup), when set; rootfs_prepare clears it after the call. */
	int (*await_cgroup)(void *arg, struct err *e);
	void *await_arg;
};

/* Fills c from the spec: rootfs = spec_rootfs(s), propagation from linux.rootfsPropagation
 * (validated: private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable),
 * in_userns = the config has a user namespace. no_pivot is 0; set it after. 0 or -1. */
int rootfs_ctx_init(struct rootfs_ctx *c, const struct spec *s, struct err *e);
/* Closes what the steps left open (rootfd). Safe to call twice. */
void rootfs_ctx_close(struct rootfs_ctx *c);

/* Parent side, before clone: the rootfs exists, is a directory, and its path resolves
 * without symlinks (its realpath is itself). Errors: "invalid rootfs: stat P: ...",
 * "invalid rootfs: P: not a directory", "invalid rootfs: P: not an absolute path, or a
 * symlink". 0 or -1. */
int rootfs_validate(const char *rootfs, struct err *e);

/* Child, in the new mount namespace: runc's prepareRootfs up to the point where the parent
 * runs the prestart/createRuntime hooks: "/" made rslave (or rootfsPropagation), the rootfs's
 * parent mount made private if shared, the rootfs bound onto itself, every spec mount in
 * order, /dev (default devices, spec devices, ptmx and fd/stdin/stdout/stderr links) unless
 * a spec mount binds /dev. Afterwards fchdir(c->rootfd) for the createContainer hooks.
 * 0 or -1 (e names the mount: "error mounting "SRC" to rootfs at "DEST": ..."). */
int rootfs_prepare(struct rootfs_ctx *c, struct err *e);
/* Child: pivot_root into the rootfs (or, with no_pivot, host proc/sysfs hidden, MS_MOVE +
 * chroot), chdir("/"), rootfsPropagation shared/unbindable applied to the new "/", and stdio
 * that is the host's /dev/null reopened on the container's. 0 or -1. */
int rootfs_pivot(struct rootfs_ctx *c, struct err *e);
/* Child, after pivot: /dev read-only if a spec mount of /dev asks for "ro", root read-only
 * if root.readonly, readonlyPaths, then maskedPaths (runc's order). 0 or -1. */
int rootfs_finalize(struct rootfs_ctx *c, struct err *e);

#endif
