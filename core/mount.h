/* mount: the mount work around a CRIU restore: the criu-root bind (CRIU needs a root that is
 * a mount point) and the mountpoints CRIU expects to exist before it restores the mount tree
 * (runc's prepareCriuRestoreMounts: nested bind mounts, destinations behind symlinks). */
#ifndef CRBOX_MOUNT_H
#define CRBOX_MOUNT_H
#include "err.h"
#include "spec.h"

/* mkdir <dir>/criu-root (0755, must not exist), resolve symlinks in it and rbind rootfs
 * there. *out gets the heap path. On failure nothing is left behind. 0 or -1. */
int mount_criu_root(const char *dir, const char *rootfs, char **out, struct err *e);
/* Lazy-unmounts path (with everything below it) and removes the directory. Best effort,
 * idempotent; returns -1 with e set only if the directory could not be removed. */
int mount_criu_root_undo(const char *path, struct err *e);
/* Creates, inside root, the mountpoint of every config mount CRIU will restore: cgroup mounts
 * and mounts below a tmpfs destination are skipped, bind mounts of non-directories get an
 * empty file, everything else a directory. Bind sources are bound onto their mountpoint
 * while the later ones are made (so nested mountpoints are created inside the source, as
 * runc does) and all those binds are lazily unmounted before returning. 0 or -1. */
int mount_prepare_restore(const char *root, const struct spec *s, struct err *e);

#endif
