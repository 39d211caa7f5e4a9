/* tar: a ustar writer (pax 'x' records for long names and large sizes) and a strict reader
 * for the archives crbox moves checkpoints in. The reader verifies every header checksum,
 * accepts ustar, pax and GNU long-name headers, and refuses names that are absolute, hold a
 * ".." component or a NUL, so nothing it returns can name a path outside the directory an
 * entry is extracted into (tar_extract in extract.h). */
#ifndef CRBOX_ARCHIVE_TAR_H
#define CRBOX_ARCHIVE_TAR_H
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include "err.h"

#define TAR_BLOCK 512
#define TAR_NAME_MAX 4096

/* ---- writer ---- */
struct tarw {
	int fd;
	uint64_t off;        /* bytes written */
};
/* Writes a regular file entry of `size` bytes read from fd (its current offset); fails when
 * fd ends early or holds more. If hex is not NULL it receives the SHA-256 of what was
 * written. Errors name the entry. */
int tarw_file(struct tarw *w, const char *name, mode_t mode, uint64_t size, int64_t mtime,
	      int fd, char *hex, struct err *e);
/* The same from memory. */
int tarw_mem(struct tarw *w, const char *name, mode_t mode, const void *p, size_t n,
	     int64_t mtime, struct err *e);
int tarw_dir(struct tarw *w, const char *name, mode_t mode, int64_t mtime, struct err *e);
/* The two zero blocks that end an archive. */
int tarw_finish(struct tarw *w, struct err *e);

/* ---- reader ---- */
enum tar_type { TAR_FILE, TAR_DIR, TAR_SYMLINK, TAR_HARDLINK, TAR_OTHER };

struct tar_ent {
	char name[TAR_NAME_MAX];      /* cleaned: no leading "./" or "/", no trailing '/' */
	char link[TAR_NAME_MAX];      /* symlink target (as stored) or hard link name (cleaned) */
	int type;                     /* enum tar_type */
	char typeflag;                /* the header's byte, for messages */
	mode_t mode;                  /* permission bits only */
	uint64_t size;
	int64_t mtime;
};

typedef ssize_t (*tar_rd_fn)(void *ud, void *p, size_t n, struct err *e);

struct tarr {
	tar_rd_fn rd;                 /* returns bytes (0 at the end) or -1 with e set */
	void *ud;
	const char *name;             /* the archive's name in messages */
	uint64_t left;                /* unread data of the current entry */
	uint64_t pad;                 /* its padding to the block boundary */
	uint64_t off;                 /* bytes consumed from the stream */
};

void tarr_init(struct tarr *r, tar_rd_fn rd, void *ud, const char *name);
/* The next entry (skipping what is left of the previous one): 1, 0 at the end of the archive
 * (a zero block), or -1 with e set ("NAME: corrupt tar header at offset N", "NAME: entry
 * "x/../y": name leaves the archive", truncated data, ...). An entry named "." or "./" is
 * returned as a directory named ".". */
int tarr_next(struct tarr *r, struct tar_ent *ent, struct err *e);
/* Reads up to n bytes of the current entry's data: count, 0 at its end, -1 with e set. */
ssize_t tarr_read(struct tarr *r, void *p, size_t n, struct err *e);

/* Checks and cleans an entry name in place: strips leading "./" and '/' is refused (absolute),
 * a trailing '/' is dropped, "//" and "/./" are folded; refuses "..", empty names and
 * control characters. 0 or -1 with "entry "N": ..." in e. */
int tar_name_clean(char *name, struct err *e);

#endif
