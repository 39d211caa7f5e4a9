/* archive: a checkpoint as one verified tar stream. Layout (docs/archive.md):
 *   manifest.json            first: every other member's size and SHA-256, host facts
 *   config.json              the container's config at checkpoint time (when known)
 *   checkpoint/              CRIU's image files and descriptors.json, flat
 * archive_export writes one; archive_import reads one into a private directory and verifies
 * every member against the manifest before anything else may use it. */
#ifndef CRBOX_ARCHIVE_ARCHIVE_H
#define CRBOX_ARCHIVE_ARCHIVE_H
#include "archive/manifest.h"
#include "err.h"

#define ARCHIVE_IMAGES "checkpoint"
#define ARCHIVE_CONFIG "config.json"

struct archive_src {
	const char *out;            /* file (must not exist) or "-" for stdout */
	const char *compress;       /* NULL, "gzip" or "zstd" */
	const char *image_path;     /* CRIU image directory (regular files only) */
	const char *config_path;    /* config.json to include, or NULL */
	struct manifest *m;         /* host facts filled in; files are added here */
};
/* Hashes every file, writes the manifest then the members (hashed again while written: a
 * file that changes in between is an error). A failed export removes the file. 0 or -1. */
int archive_export(const struct archive_src *x, struct err *e);

struct archive_import {
	char *dir;                  /* absolute private directory holding the members */
	char *image_path;           /* dir/checkpoint */
	char *config;               /* dir/config.json, NULL when the archive has none */
	struct manifest m;
	int keep;                   /* dir is --keep-image's: never removed after success */
	int kind;                   /* ARCHIVE_CRBOX or ARCHIVE_PODMAN */
};
enum { ARCHIVE_CRBOX = 1, ARCHIVE_PODMAN };

/* Reads the archive at src ("-": stdin; plain, gzip or zstd) into a new private directory:
 * keep_dir when given (it must not exist), else a mkdtemp "crbox-import-XXXXXX" under base
 * (created 0700 if missing). Every member is checked against the manifest while it is
 * written: a member not listed, listed twice, of another size or SHA-256, or missing at
 * the end is refused naming it, and everything created is removed. 0 or -1. */
int archive_import(struct archive_import *im, const char *src, const char *base,
		   const char *keep_dir, struct err *e);
/* Removes the imported directory (unless it is keep_dir and ok is set) and frees im. */
void archive_import_done(struct archive_import *im, int ok);

/* A private 0700 directory "crbox-<what>-XXXXXX" under base (created if missing): heap path
 * or NULL. */
char *archive_tmpdir(const char *base, const char *what, struct err *e);

#endif
