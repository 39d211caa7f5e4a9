/* sha256: SHA-256 (FIPS 180-4), streaming, for the archive manifest's file checksums. */
#ifndef CRBOX_ARCHIVE_SHA256_H
#define CRBOX_ARCHIVE_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX (2 * SHA256_LEN + 1)

struct sha256 {
	uint32_t h[8];
	uint64_t total;         /* bytes hashed so far */
	unsigned char blk[64];
	size_t n;               /* bytes waiting in blk */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *p, size_t n);
void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN]);
/* Finishes and writes 64 lowercase hex digits and a NUL into hex. */
void sha256_final_hex(struct sha256 *s, char hex[SHA256_HEX]);
/* One-shot: hex digest of p[0..n). */
void sha256_hex(const void *p, size_t n, char hex[SHA256_HEX]);

#endif
