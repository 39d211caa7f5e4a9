/* podman: checkpoint archives written by `podman container checkpoint --export` (and CRI-O's
 * for kubelet, the same layout): checkpoint/ (CRIU images), spec.dump (the OCI config),
 * config.dump (Podman's own), rootfs-diff.tar, deleted.files, devshm-checkpoint.tar,
 * network.status, stats-dump, ... They carry no checksums: members are extracted with the
 * same escape checks as crbox archives (regular files and directories only). */
#ifndef CRBOX_ARCHIVE_PODMAN_H
#define CRBOX_ARCHIVE_PODMAN_H
#include "archive/tar.h"
#include "err.h"

#define PODMAN_SPEC "spec.dump"
#define PODMAN_DIFF "rootfs-diff.tar"
#define PODMAN_DELETED "deleted.files"
#define PODMAN_SHM "devshm-checkpoint.tar"

/* Extracts a Podman archive whose first entry `first` has been read, into dfd, and renames
 * spec.dump to config.json. Refuses an archive with neither spec.dump nor
 * checkpoint/inventory.img ("not a checkpoint archive crbox knows"). 0 or -1. */
int podman_import(struct tarr *r, struct tar_ent *first, int dfd, struct err *e);

/* Applies the imported dir's rootfs-diff.tar onto rootfs (files replaced, links allowed but
 * never followed, nothing outside rootfs) and removes deleted.files' paths. 0 or -1. */
int podman_apply_rootfs(const char *dir, const char *rootfs, struct err *e);
/* Extracts devshm-checkpoint.tar (when present) into shm_dir. 0 or -1. */
int podman_apply_shm(const char *dir, const char *shm_dir, struct err *e);

#endif
