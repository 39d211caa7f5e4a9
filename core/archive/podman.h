/* podman: checkpoint archives written by `podman container checkpoint --export` (and
 * CRI-O's, the same layout): checkpoint/ (CRIU images), config.dump, spec.dump,
 * rootfs-diff.tar, deleted.files, network.status, stats-dump ... They carry no checksums;
 * they are extracted with the same escape checks as crbox archives. */
#ifndef CRBOX_ARCHIVE_PODMAN_H
#define CRBOX_ARCHIVE_PODMAN_H
#include "archive/tar.h"
#include "err.h"

/* Extracts a Podman archive whose first entry `first` has been read, into dfd: only
 * directories, regular files; spec.dump becomes config.json. 0 or -1. */
int podman_import(struct tarr *r, struct tar_ent *first, int dfd, struct err *e);

#endif
