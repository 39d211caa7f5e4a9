/* inflate: a built-in gzip reader (RFC 1952 members holding RFC 1951 deflate data), pulled
 * a buffer at a time, so an archive can be restored where no gzip program exists. Checks
 * every member's CRC-32 and length; concatenated members are read as one stream. Bytes come
 * from a read callback (an fd, or memory for tests and fuzzing). */
#ifndef CRBOX_ARCHIVE_INFLATE_H
#define CRBOX_ARCHIVE_INFLATE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "err.h"

/* Reads up to n bytes into p: the count, 0 at end of input, -1 with errno set. */
typedef ssize_t (*inflate_rd_fn)(void *ud, void *p, size_t n);

struct inflate;

/* name is used in messages ("archive.tar.gz: gzip: ..."). pre[0..npre) are bytes already
 * taken from the source (a sniffed magic), read before the callback's. */
struct inflate *inflate_new(inflate_rd_fn rd, void *ud, const char *name,
			    const void *pre, size_t npre);
/* Fills p with up to n bytes of inflated data: the count (short only at the end), 0 at the
 * end of the last member, -1 with e set on corrupt or truncated input or a read error. */
ssize_t inflate_read(struct inflate *z, void *p, size_t n, struct err *e);
void inflate_free(struct inflate *z);

/* CRC-32 (ISO 3309, as gzip) of p[0..n) continued from crc (start with 0). */
uint32_t crc32_update(uint32_t crc, const void *p, size_t n);

#endif
