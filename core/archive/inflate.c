/* inflate: canonical-Huffman deflate decoding (RFC 1951) in a resumable loop that produces
 * one byte per step, so a caller can pull any amount; gzip framing (RFC 1952) around it. */
#include "archive/inflate.h"
#include "buf.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WSIZE 32768u
#define MAXBITS 15

struct huff {
	short count[MAXBITS + 1];
	short sym[288];
};

enum { S_HEADER, S_BLOCK, S_STORED, S_HUFF, S_TRAILER, S_DONE };

struct inflate {
	inflate_rd_fn rd;
	void *ud;
	const char *name;
	unsigned char in[16384];
	size_t ip, il;
	int eof;
	uint32_t bitbuf;
	int bitcnt;
	unsigned char win[WSIZE];
	uint32_t wpos;
	uint64_t member_out;
	uint32_t crc;
	int state, final, members;
	size_t stored_left;
	unsigned copy_len, copy_dist;
	struct huff lit, dist;
	struct err *e;
};

static const short lbase[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
				 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const short lext[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
				3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const short dbase[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129,
				 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
				 6145, 8193, 12289, 16385, 24577 };
static const short dext[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
				7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
static const unsigned char clorder[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
					   11, 4, 12, 3, 13, 2, 14, 1, 15 };

static uint32_t crctab[256];

uint32_t crc32_update(uint32_t crc, const void *data, size_t n)
{
	const unsigned char *p = data;
	if (!crctab[1]) {
		uint32_t i, c;
		int k;
		for (i = 0; i < 256; i++) {
			for (c = i, k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			crctab[i] = c;
		}
	}
	crc = ~crc;
	while (n--)
		crc = crctab[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static int bad(struct inflate *z, const char *what)
{
	return err_set(z->e, EINVAL, "%s: gzip: %s", z->name, what);
}

/* Next input byte, or -1 (error set) at the end of input or on a read error. */
static int getbyte(struct inflate *z)
{
	if (z->ip == z->il) {
		ssize_t n;
		if (z->eof)
			return bad(z, "unexpected end of data (truncated)");
		do
			n = z->rd(z->ud, z->in, sizeof z->in);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return err_sys(z->e, "%s: read", z->name);
		if (n == 0) {
			z->eof = 1;
			return bad(z, "unexpected end of data (truncated)");
		}
		z->ip = 0;
		z->il = (size_t)n;
	}
	return z->in[z->ip++];
}

/* 1 if at least one more input byte exists, 0 at a clean end, -1 on a read error. */
static int more_input(struct inflate *z)
{
	ssize_t n;
	if (z->ip < z->il)
		return 1;
	if (z->eof)
		return 0;
	do
		n = z->rd(z->ud, z->in, sizeof z->in);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(z->e, "%s: read", z->name);
	if (n == 0) {
		z->eof = 1;
		return 0;
	}
	z->ip = 0;
	z->il = (size_t)n;
	return 1;
}

static int bits(struct inflate *z, int need)
{
	uint32_t v;
	while (z->bitcnt < need) {
		int c = getbyte(z);
		if (c < 0)
			return -1;
		z->bitbuf |= (uint32_t)c << z->bitcnt;
		z->bitcnt += 8;
	}
	v = z->bitbuf & ((1u << need) - 1);
	z->bitbuf >>= need;
	z->bitcnt -= need;
	return (int)v;
}

/* Canonical code from code lengths: 0 complete, >0 incomplete, <0 over-subscribed. */
static int build(struct huff *h, const short *len, int n)
{
	short offs[MAXBITS + 1];
	int i, left;

	memset(h->count, 0, sizeof h->count);
	for (i = 0; i < n; i++)
		h->count[len[i]]++;
	if (h->count[0] == n)
		return 0;
	left = 1;
	for (i = 1; i <= MAXBITS; i++) {
		left <<= 1;
		left -= h->count[i];
		if (left < 0)
			return left;
	}
	offs[1] = 0;
	for (i = 1; i < MAXBITS; i++)
		offs[i + 1] = (short)(offs[i] + h->count[i]);
	for (i = 0; i < n; i++)
		if (len[i])
			h->sym[offs[len[i]]++] = (short)i;
	return left;
}

static int decode(struct inflate *z, const struct huff *h)
{
	int code = 0, first = 0, index = 0, len, b;
	for (len = 1; len <= MAXBITS; len++) {
		int count;
		if ((b = bits(z, 1)) < 0)
			return -1;
		code |= b;
		count = h->count[len];
		if (code - count < first)
			return h->sym[index + (code - first)];
		index += count;
		first += count;
		first <<= 1;
		code <<= 1;
	}
	return bad(z, "invalid Huffman code");
}

static void fixed(struct inflate *z)
{
	short len[288];
	int i;
	for (i = 0; i < 144; i++)
		len[i] = 8;
	for (; i < 256; i++)
		len[i] = 9;
	for (; i < 280; i++)
		len[i] = 7;
	for (; i < 288; i++)
		len[i] = 8;
	build(&z->lit, len, 288);
	for (i = 0; i < 30; i++)
		len[i] = 5;
	build(&z->dist, len, 30);
}

static int dynamic(struct inflate *z)
{
	short len[320];
	int nlen, ndist, ncode, i, rc;

	if ((nlen = bits(z, 5)) < 0 || (ndist = bits(z, 5)) < 0 || (ncode = bits(z, 4)) < 0)
		return -1;
	nlen += 257, ndist += 1, ncode += 4;
	if (nlen > 286 || ndist > 30)
		return bad(z, "bad counts in a dynamic block");
	memset(len, 0, sizeof len);
	for (i = 0; i < ncode; i++) {
		int v = bits(z, 3);
		if (v < 0)
			return -1;
		len[clorder[i]] = (short)v;
	}
	if (build(&z->lit, len, 19) != 0)
		return bad(z, "incomplete code-length code");
	for (i = 0; i < nlen + ndist;) {
		int sym = decode(z, &z->lit), rep, v;
		short l = 0;
		if (sym < 0)
			return -1;
		if (sym < 16) {
			len[i++] = (short)sym;
			continue;
		}
		if (sym == 16) {
			if (i == 0)
				return bad(z, "repeat with no first length");
			l = len[i - 1];
			if ((v = bits(z, 2)) < 0)
				return -1;
			rep = 3 + v;
		} else if (sym == 17) {
			if ((v = bits(z, 3)) < 0)
				return -1;
			rep = 3 + v;
		} else {
			if ((v = bits(z, 7)) < 0)
				return -1;
			rep = 11 + v;
		}
		if (i + rep > nlen + ndist)
			return bad(z, "too many lengths");
		while (rep--)
			len[i++] = l;
	}
	if (len[256] == 0)
		return bad(z, "no end-of-block code");
	rc = build(&z->lit, len, nlen);
	if (rc < 0 || (rc > 0 && nlen - z->lit.count[0] != 1))
		return bad(z, "bad literal/length code lengths");
	rc = build(&z->dist, len + nlen, ndist);
	if (rc < 0 || (rc > 0 && ndist - z->dist.count[0] != 1))
		return bad(z, "bad distance code lengths");
	return 0;
}

static int skipz(struct inflate *z)
{
	int c;
	while ((c = getbyte(z)) > 0)
		;
	return c;
}

static int header(struct inflate *z)
{
	int b[10], i, flg;

	for (i = 0; i < 10; i++)
		if ((b[i] = getbyte(z)) < 0)
			return -1;
	if (b[0] != 0x1f || b[1] != 0x8b)
		return bad(z, "not in gzip format");
	if (b[2] != 8)
		return bad(z, "unknown compression method");
	flg = b[3];
	if (flg & 0xe0)
		return bad(z, "reserved header flags set");
	if (flg & 4) {
		int lo = getbyte(z), hi = lo < 0 ? -1 : getbyte(z);
		unsigned xlen;
		if (hi < 0)
			return -1;
		for (xlen = (unsigned)(lo | hi << 8); xlen; xlen--)
			if (getbyte(z) < 0)
				return -1;
	}
	if ((flg & 8) && skipz(z) < 0)
		return -1;
	if ((flg & 16) && skipz(z) < 0)
		return -1;
	if ((flg & 2) && (getbyte(z) < 0 || getbyte(z) < 0))
		return -1;
	z->crc = 0;
	z->member_out = 0;
	z->final = 0;
	z->bitbuf = 0;
	z->bitcnt = 0;
	return 0;
}

static int trailer(struct inflate *z)
{
	uint32_t v[2] = { 0, 0 };
	int i, c;

	z->bitbuf = 0;     /* the rest of the last byte is padding */
	z->bitcnt = 0;
	for (i = 0; i < 8; i++) {
		if ((c = getbyte(z)) < 0)
			return -1;
		v[i / 4] |= (uint32_t)c << (8 * (i % 4));
	}
	if (v[0] != z->crc)
		return bad(z, "CRC-32 mismatch (corrupt data)");
	if (v[1] != (uint32_t)z->member_out)
		return bad(z, "length mismatch (corrupt data)");
	z->members++;
	return 0;
}

static int block_start(struct inflate *z)
{
	int h = bits(z, 3);
	if (h < 0)
		return -1;
	z->final = h & 1;
	switch (h >> 1) {
	case 0: {
		int c[4], i;
		z->bitbuf = 0;
		z->bitcnt = 0;
		for (i = 0; i < 4; i++)
			if ((c[i] = getbyte(z)) < 0)
				return -1;
		if ((c[0] | c[1] << 8) != (~(c[2] | c[3] << 8) & 0xffff))
			return bad(z, "stored block length does not match its complement");
		z->stored_left = (size_t)(c[0] | c[1] << 8);
		z->state = S_STORED;
		return 0;
	}
	case 1:
		fixed(z);
		break;
	case 2:
		if (dynamic(z) < 0)
			return -1;
		break;
	default:
		return bad(z, "invalid block type");
	}
	z->state = S_HUFF;
	return 0;
}

struct inflate *inflate_new(inflate_rd_fn rd, void *ud, const char *name, const void *pre,
			    size_t npre)
{
	struct inflate *z = xcalloc(1, sizeof *z);
	z->rd = rd;
	z->ud = ud;
	z->name = name;
	if (npre > sizeof z->in)
		die("inflate_new: too many sniffed bytes");
	if (npre)
		memcpy(z->in, pre, npre);
	z->il = npre;
	z->state = S_HEADER;
	return z;
}

void inflate_free(struct inflate *z)
{
	free(z);
}

ssize_t inflate_read(struct inflate *z, void *out, size_t n, struct err *e)
{
	unsigned char *o = out;
	size_t got = 0, mark = 0;
	int c;

	z->e = e;
#define EMIT(ch) do { unsigned char ch_ = (unsigned char)(ch); o[got++] = ch_; \
	z->win[z->wpos++ & (WSIZE - 1)] = ch_; z->member_out++; } while (0)
	while (got < n) {
		switch (z->state) {
		case S_HEADER:
			if (z->members) {
				c = more_input(z);
				if (c < 0)
					goto fail;
				if (c == 0) {
					z->state = S_DONE;
					break;
				}
			}
			if (header(z) < 0)
				goto fail;
			z->state = S_BLOCK;
			break;
		case S_BLOCK:
			if (z->final) {
				z->crc = crc32_update(z->crc, o + mark, got - mark);
				mark = got;
				if (trailer(z) < 0)
					goto fail;
				z->state = S_HEADER;
				break;
			}
			if (block_start(z) < 0)
				goto fail;
			break;
		case S_STORED:
			if (!z->stored_left) {
				z->state = S_BLOCK;
				break;
			}
			if ((c = getbyte(z)) < 0)
				goto fail;
			EMIT(c);
			z->stored_left--;
			break;
		case S_HUFF: {
			int sym, v;
			if (z->copy_len) {
				EMIT(z->win[(z->wpos - z->copy_dist) & (WSIZE - 1)]);
				z->copy_len--;
				break;
			}
			if ((sym = decode(z, &z->lit)) < 0)
				goto fail;
			if (sym < 256) {
				EMIT(sym);
				break;
			}
			if (sym == 256) {
				z->state = S_BLOCK;
				break;
			}
			sym -= 257;
			if (sym >= 29) {
				bad(z, "invalid length symbol");
				goto fail;
			}
			if ((v = bits(z, lext[sym])) < 0)
				goto fail;
			z->copy_len = (unsigned)(lbase[sym] + v);
			if ((sym = decode(z, &z->dist)) < 0)
				goto fail;
			if (sym >= 30) {
				bad(z, "invalid distance symbol");
				goto fail;
			}
			if ((v = bits(z, dext[sym])) < 0)
				goto fail;
			z->copy_dist = (unsigned)(dbase[sym] + v);
			if (z->copy_dist > z->member_out) {
				bad(z, "distance too far back");
				goto fail;
			}
			break;
		}
		case S_DONE:
		default:
			goto out;
		}
	}
out:
	z->crc = crc32_update(z->crc, o + mark, got - mark);
	return (ssize_t)got;
fail:
	return -1;
#undef EMIT
}
