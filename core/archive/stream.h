/* stream: where archive bytes come from and go to. Input: a file or stdin ("-"), sniffed:
 * gzip is inflated in-process (inflate.h), zstd through the external `zstd -dc`, anything
 * else is read as plain tar. Output: a file (created 0600) or stdout, piped through
 * `gzip -c` or `zstd -c` when asked. External programs are found by prog_find, which walks
 * only the absolute entries of $PATH (an empty or relative entry never runs a program from
 * the current directory). */
#ifndef CRBOX_ARCHIVE_STREAM_H
#define CRBOX_ARCHIVE_STREAM_H
#include <sys/types.h>
#include "err.h"

/* Heap path of the first regular executable `name` in the absolute $PATH entries (default
 * /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin), or NULL. */
char *prog_find(const char *name);

enum { AIN_PLAIN, AIN_GZIP, AIN_ZSTD };

struct ain {
	int fd;                 /* the source */
	int kind;
	const char *name;       /* for messages: the path, or "stdin" */
	unsigned char pre[8];   /* sniffed bytes not yet returned (plain) */
	size_t npre, ppos;
	struct inflate *z;
	int zfd;                /* zstd's stdout */
	pid_t zpid, cpid;       /* zstd, and the copier feeding it sniffed bytes + the rest */
};

/* Opens path ("-": stdin) and sniffs its format. 0 or -1 with e set. */
int ain_open(struct ain *a, const char *path, struct err *e);
/* Decompressed bytes: count, 0 at the end, -1 with e set (a tar_rd_fn). */
ssize_t ain_read(void *a, void *p, size_t n, struct err *e);
/* Closes everything, reaps helpers; with check set, a helper's failure is an error. */
int ain_close(struct ain *a, int check, struct err *e);

struct aout {
	int fd;                 /* write the archive here */
	int file;               /* the destination fd (file or 1) */
	char *path;             /* created file (removed on abort), NULL for stdout */
	pid_t pid;              /* compressor, or -1 */
	const char *prog;
};

/* Opens path ("-": stdout) for writing, through `compress` ("gzip", "zstd" or NULL). The
 * file must not exist. Errors: "--compress zstd: zstd not found in PATH", ... */
int aout_open(struct aout *o, const char *path, const char *compress, struct err *e);
/* Finishes: closes the pipe, waits for the compressor. abort set: kills it and removes the
 * file. 0 or -1. */
int aout_close(struct aout *o, int abort, struct err *e);

#endif
