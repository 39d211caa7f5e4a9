/* extract: writing tar entries into a directory without ever leaving it. Every path is
 * walked one component at a time from the directory's fd, each component opened with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) where the kernel has
 * it, else openat(O_NOFOLLOW): a symlink (planted or extracted earlier) is never followed,
 * files are created O_EXCL (nothing existing is overwritten), hard links may only name
 * entries already inside the directory. Names must come from tar_name_clean. */
#ifndef CRBOX_ARCHIVE_EXTRACT_H
#define CRBOX_ARCHIVE_EXTRACT_H
#include <sys/types.h>
#include "archive/tar.h"
#include "err.h"

/* Opens directory `rel` beneath dirfd ("." for dirfd itself), creating missing components
 * with mode 0700 when create is set. Returns an O_DIRECTORY fd or -1 naming rel. */
int beneath_dir(int dirfd, const char *rel, int create, struct err *e);

/* Flags for extract_entry. */
#define EXTRACT_LINKS 1      /* allow symlinks and hard links (a rootfs diff); else refused */
#define EXTRACT_REPLACE 2    /* a file, link or empty dir already there is replaced */

/* Creates ent beneath dirfd: a directory (existing ones are fine), a regular file whose data
 * is read from r (and hashed into hex when hex is not NULL), or with EXTRACT_LINKS a symlink
 * or hard link. Other types (devices, fifos) are refused. Errors name the entry. */
int extract_entry(int dirfd, struct tarr *r, const struct tar_ent *ent, int flags, char *hex,
		  struct err *e);

#endif
