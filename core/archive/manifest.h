/* manifest: manifest.json, the first member of a crbox checkpoint archive. It names every
 * other member with its size and SHA-256 and records where the checkpoint was made: crbox and
 * CRIU versions, kernel release, machine, cgroup layout and the CRIU CPU-info image
 * (CPUINFO_DUMP) of the source host. Format in docs/archive.md. */
#ifndef CRBOX_ARCHIVE_MANIFEST_H
#define CRBOX_ARCHIVE_MANIFEST_H
#include <stddef.h>
#include <stdint.h>
#include "archive/sha256.h"
#include "buf.h"
#include "err.h"

#define MANIFEST_NAME "manifest.json"
#define MANIFEST_VERSION 1
#define MANIFEST_MAX_FILES 100000

struct manifest_file {
	char *name;                  /* archive member, e.g. "checkpoint/pages-1.img" */
	uint64_t size;
	char sha256[SHA256_HEX];
};

struct manifest {
	int version;
	char *id;                    /* container id at checkpoint time */
	char *crbox;                 /* crbox version */
	char *criu;                  /* CRIU version "4.1.1" */
	int64_t criu_num;            /* 40101 */
	char *kernel, *arch;         /* uname -r, uname -m */
	char *cgroup;                /* "v1", "v2" or "hybrid" */
	char *cpuinfo;               /* member holding CRIU's cpuinfo.img, or NULL */
	struct manifest_file *files;
	size_t nfiles;
};

/* Appends a file (strings copied). */
void manifest_add(struct manifest *m, const char *name, uint64_t size, const char *sha256);
/* The index of name in m->files, or -1. */
long manifest_find(const struct manifest *m, const char *name);
/* Writes m as indented JSON. */
void manifest_write(const struct manifest *m, struct buf *b);
/* Parses and checks a manifest (buf is modified): version 1, every member name clean
 * (relative, no "..") and unique, sizes present, SHA-256 as 64 lowercase hex digits.
 * Errors read "manifest.json: .files[3].sha256: ...". 0 or -1. */
int manifest_parse(struct manifest *m, char *buf, size_t len, struct err *e);
void manifest_free(struct manifest *m);

#endif
