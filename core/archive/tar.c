/* tar: ustar blocks. Header layout (POSIX.1-1988 ustar): name[100] mode[8] uid[8] gid[8]
 * size[12] mtime[12] chksum[8] typeflag[1] linkname[100] magic[6] version[2] uname[32]
 * gname[32] devmajor[8] devminor[8] prefix[155]; numbers are octal text (GNU base-256 for
 * big values is read too). pax extended headers ('x') carry "LEN key=value\n" records. */
#include "archive/tar.h"
#include "archive/sha256.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- writer ---- */

static int put(struct tarw *w, const void *p, size_t n, struct err *e)
{
	if (write_all(w->fd, p, n) < 0)
		return err_sys(e, "write archive");
	w->off += n;
	return 0;
}

static int pad(struct tarw *w, uint64_t size, struct err *e)
{
	static const char zero[TAR_BLOCK];
	size_t r = (size_t)(size % TAR_BLOCK);
	return r ? put(w, zero, TAR_BLOCK - r, e) : 0;
}

static void octal(char *dst, size_t width, uint64_t v)
{
	size_t i = width - 1;
	dst[i] = 0;
	while (i--) {
		dst[i] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

static void checksum(unsigned char *h)
{
	unsigned sum = 0;
	int i;
	memset(h + 148, ' ', 8);
	for (i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	octal((char *)h + 148, 7, sum);
	h[155] = ' ';
}

static void pax_rec(struct buf *b, const char *key, const char *val)
{
	size_t n = strlen(key) + strlen(val) + 3, len = n + 1, d;
	/* The length counts its own digits. */
	for (;;) {
		char tmp[24];
		d = fmt_u64(tmp, len);
		if (n + d == len)
			break;
		len = n + d;
	}
	buf_addf(b, "%zu %s=%s\n", len, key, val);
}

static int header(struct tarw *w, const char *name, char type, mode_t mode, uint64_t size,
		  int64_t mtime, struct err *e)
{
	unsigned char h[TAR_BLOCK];
	size_t nl = strlen(name);
	int long_name = nl > 99, big = size >= 077777777777ull;

	if (long_name || big) {
		struct buf x = BUF_INIT;
		char num[24];
		int rc;
		if (long_name)
			pax_rec(&x, "path", name);
		if (big) {
			num[fmt_u64(num, size)] = 0;
			pax_rec(&x, "size", num);
		}
		rc = header(w, "pax_header", 'x', 0644, x.len, mtime, e);
		if (rc == 0)
			rc = put(w, x.p, x.len, e);
		if (rc == 0)
			rc = pad(w, x.len, e);
		buf_free(&x);
		if (rc < 0)
			return -1;
	}
	memset(h, 0, sizeof h);
	memcpy(h, name, long_name ? 99 : nl);
	octal((char *)h + 100, 8, mode & 07777);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	octal((char *)h + 124, 12, big ? 0 : size);
	octal((char *)h + 136, 12, mtime < 0 ? 0 : (uint64_t)mtime);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	checksum(h);
	return put(w, h, sizeof h, e);
}

int tarw_file(struct tarw *w, const char *name, mode_t mode, uint64_t size, int64_t mtime,
	      int fd, char *hex, struct err *e)
{
	char chunk[65536];
	struct sha256 s;
	uint64_t left = size;

	if (header(w, name, '0', mode, size, mtime, e) < 0)
		return err_wrap(e, "%s", name);
	sha256_init(&s);
	while (left) {
		size_t want = left < sizeof chunk ? (size_t)left : sizeof chunk;
		ssize_t n = read(fd, chunk, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, "read %s", name);
		if (n == 0)
			return err_set(e, EIO, "%s: file shrank while being archived", name);
		sha256_update(&s, chunk, (size_t)n);
		if (put(w, chunk, (size_t)n, e) < 0)
			return -1;
		left -= (uint64_t)n;
	}
	if (read(fd, chunk, 1) > 0)
		return err_set(e, EIO, "%s: file grew while being archived", name);
	if (hex)
		sha256_final_hex(&s, hex);
	return pad(w, size, e);
}

int tarw_mem(struct tarw *w, const char *name, mode_t mode, const void *p, size_t n,
	     int64_t mtime, struct err *e)
{
	if (header(w, name, '0', mode, n, mtime, e) < 0 || put(w, p, n, e) < 0)
		return err_wrap(e, "%s", name);
	return pad(w, n, e);
}

int tarw_dir(struct tarw *w, const char *name, mode_t mode, int64_t mtime, struct err *e)
{
	char *n = fmt_alloc("%s/", name);
	int rc = header(w, n, '5', mode, 0, mtime, e);
	free(n);
	return rc;
}

int tarw_finish(struct tarw *w, struct err *e)
{
	static const char zero[2 * TAR_BLOCK];
	return put(w, zero, sizeof zero, e);
}

/* ---- reader ---- */

void tarr_init(struct tarr *r, tar_rd_fn rd, void *ud, const char *name)
{
	memset(r, 0, sizeof *r);
	r->rd = rd;
	r->ud = ud;
	r->name = name;
}

/* Exactly n bytes, or -1 ("truncated" when the stream ends first). */
static int full(struct tarr *r, void *p, size_t n, struct err *e)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = r->rd(r->ud, (char *)p + got, n - got, e);
		if (k < 0)
			return -1;
		if (k == 0)
			return err_set(e, EINVAL, "%s: truncated archive at offset %llu", r->name,
				       (unsigned long long)(r->off + got));
		got += (size_t)k;
	}
	r->off += n;
	return 0;
}

static int skip(struct tarr *r, uint64_t n, struct err *e)
{
	char chunk[8192];
	while (n) {
		size_t k = n < sizeof chunk ? (size_t)n : sizeof chunk;
		if (full(r, chunk, k, e) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

/* An octal field (NUL/space terminated, leading spaces) or GNU base-256. */
static int num(const unsigned char *f, size_t w, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return -1;   /* negative or too large */
		for (i = 1; i < w; i++) {
			if (v >> 56)
				return -1;
			v = v << 8 | f[i];
		}
		*out = v;
		return 0;
	}
	while (i < w && f[i] == ' ')
		i++;
	for (; i < w && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 61)
			return -1;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < w; i++)
		if (f[i] != 0 && f[i] != ' ')
			return -1;
	*out = v;
	return 0;
}

int tar_name_clean(char *name, struct err *e)
{
	char *src = name, *dst = name;
	size_t n;

	if (name[0] == '/')
		return err_set(e, EINVAL, "entry \"%s\": absolute name", name);
	for (n = 0; name[n]; n++)
		if ((unsigned char)name[n] < 0x20 || name[n] == 0x7f)
			return err_set(e, EINVAL, "entry \"%s\": control character in its name",
				       name);
	while (*src) {
		size_t len = strcspn(src, "/");
		if (len == 2 && src[0] == '.' && src[1] == '.')
			return err_set(e, EINVAL, "entry \"%s\": name leaves the archive (\"..\")",
				       name);
		if (len && !(len == 1 && src[0] == '.')) {
			if (dst != name)
				*dst++ = '/';
			memmove(dst, src, len);
			dst += len;
		}
		src += len;
		while (*src == '/')
			src++;
	}
	if (dst == name) {
		if (!*name)
			return err_set(e, EINVAL, "entry with an empty name");
		*dst++ = '.';
	}
	*dst = 0;
	return 0;
}

/* pax records: path, linkpath and size are used; others ignored. */
static int pax(struct tarr *r, const char *p, size_t n, struct tar_ent *x, int *has_size,
	       struct err *e)
{
	size_t i = 0;
	while (i < n) {
		uint64_t len = 0;
		size_t j = i;
		const char *kv, *eq;
		while (j < n && p[j] >= '0' && p[j] <= '9' && len < 1u << 20)
			len = len * 10 + (uint64_t)(p[j++] - '0');
		if (j == i || j >= n || p[j] != ' ' || len > n - i || len < 2 ||
		    p[i + len - 1] != '\n')
			return err_set(e, EINVAL, "%s: corrupt pax header at offset %llu", r->name,
				       (unsigned long long)r->off);
		kv = p + j + 1;
		eq = memchr(kv, '=', (size_t)(p + i + len - 1 - kv));
		if (!eq)
			return err_set(e, EINVAL, "%s: corrupt pax record at offset %llu", r->name,
				       (unsigned long long)r->off);
		{
			size_t kl = (size_t)(eq - kv), vl = (size_t)(p + i + len - 1 - eq - 1);
			char *dst = NULL;
			if (kl == 4 && !memcmp(kv, "path", 4))
				dst = x->name;
			else if (kl == 8 && !memcmp(kv, "linkpath", 8))
				dst = x->link;
			if (dst) {
				if (vl >= TAR_NAME_MAX || memchr(eq + 1, 0, vl))
					return err_set(e, EINVAL, "%s: pax %.*s too long or holds a NUL",
						       r->name, (int)kl, kv);
				memcpy(dst, eq + 1, vl);
				dst[vl] = 0;
			} else if (kl == 4 && !memcmp(kv, "size", 4)) {
				char tmp[24];
				if (vl == 0 || vl >= sizeof tmp)
					return err_set(e, EINVAL, "%s: bad pax size", r->name);
				memcpy(tmp, eq + 1, vl);
				tmp[vl] = 0;
				if (parse_u64(tmp, &x->size) < 0)
					return err_set(e, EINVAL, "%s: bad pax size", r->name);
				*has_size = 1;
			}
		}
		i += (size_t)len;
	}
	return 0;
}

int tarr_next(struct tarr *r, struct tar_ent *ent, struct err *e)
{
	unsigned char h[TAR_BLOCK];
	struct tar_ent x;         /* values from pax / GNU long headers for the next entry */
	int has_size = 0, i;

	if (skip(r, r->left + r->pad, e) < 0)
		return -1;
	r->left = r->pad = 0;
	memset(&x, 0, sizeof x);
	for (;;) {
		uint64_t off = r->off, sum, size;
		unsigned usum = 0;
		int ssum = 0;
		char type;

		if (full(r, h, sizeof h, e) < 0)
			return -1;
		for (i = 0; i < TAR_BLOCK && !h[i]; i++)
			;
		if (i == TAR_BLOCK) {
			if (x.name[0] || x.link[0] || has_size)
				return err_set(e, EINVAL, "%s: archive ends after an extended header",
					       r->name);
			return 0;
		}
		for (i = 0; i < TAR_BLOCK; i++) {
			unsigned char c = i >= 148 && i < 156 ? ' ' : h[i];
			usum += c;
			ssum += (signed char)c;
		}
		if (num(h + 148, 8, &sum) < 0 || (sum != usum && (int64_t)sum != ssum))
			return err_set(e, EINVAL, "%s: corrupt tar header at offset %llu (checksum)",
				       r->name, (unsigned long long)off);
		if (memcmp(h + 257, "ustar", 5))
			return err_set(e, EINVAL, "%s: not a ustar/pax tar archive (offset %llu)",
				       r->name, (unsigned long long)off);
		type = (char)h[156];
		if (num(h + 124, 12, &size) < 0)
			return err_set(e, EINVAL, "%s: corrupt size in the tar header at offset %llu",
				       r->name, (unsigned long long)off);
		if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
			struct buf b = BUF_INIT;
			char chunk[4096];
			uint64_t left = size;
			int rc = 0;
			if (size > (1u << 20))
				return err_set(e, EFBIG, "%s: extended header too large at offset %llu",
					       r->name, (unsigned long long)off);
			while (left) {
				size_t k = left < sizeof chunk ? (size_t)left : sizeof chunk;
				if (full(r, chunk, k, e) < 0) {
					buf_free(&b);
					return -1;
				}
				buf_add(&b, chunk, k);
				left -= k;
			}
			if (skip(r, (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK, e) < 0)
				rc = -1;
			else if (type == 'x')
				rc = pax(r, b.p ? b.p : "", b.len, &x, &has_size, e);
			else if (type == 'L' || type == 'K') {
				char *dst = type == 'L' ? x.name : x.link;
				size_t l = b.len;
				while (l && b.p[l - 1] == 0)
					l--;
				if (l >= TAR_NAME_MAX || (l && memchr(b.p, 0, l)))
					rc = err_set(e, EINVAL, "%s: GNU long name too long", r->name);
				else {
					memcpy(dst, b.p ? b.p : "", l);
					dst[l] = 0;
				}
			}
			buf_free(&b);
			if (rc < 0)
				return -1;
			continue;
		}
		memset(ent, 0, sizeof *ent);
		if (x.name[0])
			strcpy(ent->name, x.name);
		else {
			char nm[101], pre[156];
			memcpy(nm, h, 100);
			nm[100] = 0;
			memcpy(pre, h + 345, 155);
			pre[155] = 0;
			if (pre[0] && !memcmp(h + 257, "ustar\0", 6))
				fmt_sn(ent->name, sizeof ent->name, "%s/%s", pre, nm);
			else
				strcpy(ent->name, nm);
		}
		if (x.link[0])
			strcpy(ent->link, x.link);
		else {
			memcpy(ent->link, h + 157, 100);
			ent->link[100] = 0;
		}
		ent->size = has_size ? x.size : size;
		{
			uint64_t m = 0, t = 0;
			if (num(h + 100, 8, &m) < 0 || num(h + 136, 12, &t) < 0)
				return err_set(e, EINVAL, "%s: corrupt tar header at offset %llu",
					       r->name, (unsigned long long)off);
			ent->mode = (mode_t)(m & 07777);
			ent->mtime = (int64_t)(t & 0x7fffffffffffffffull);
		}
		ent->typeflag = type;
		switch (type) {
		case '0': case '\0': case '7':
			ent->type = TAR_FILE;
			break;
		case '5':
			ent->type = TAR_DIR;
			break;
		case '2':
			ent->type = TAR_SYMLINK;
			break;
		case '1':
			ent->type = TAR_HARDLINK;
			break;
		default:
			ent->type = TAR_OTHER;
		}
		if (ent->type == TAR_DIR || ent->type == TAR_SYMLINK || ent->type == TAR_HARDLINK)
			ent->size = ent->type == TAR_DIR ? 0 : ent->size;
		if (tar_name_clean(ent->name, e) < 0)
			return err_wrap(e, "%s", r->name);
		if (ent->type == TAR_HARDLINK && tar_name_clean(ent->link, e) < 0)
			return err_wrap(e, "%s: hard link %s", r->name, ent->name);
		if (ent->type == TAR_SYMLINK && !ent->link[0])
			return err_set(e, EINVAL, "%s: symlink %s has no target", r->name, ent->name);
		r->left = ent->size;
		r->pad = (TAR_BLOCK - ent->size % TAR_BLOCK) % TAR_BLOCK;
		return 1;
	}
}

ssize_t tarr_read(struct tarr *r, void *p, size_t n, struct err *e)
{
	if (!r->left)
		return 0;
	if (n > r->left)
		n = (size_t)r->left;
	if (full(r, p, n, e) < 0)
		return -1;
	r->left -= n;
	return (ssize_t)n;
}
