/* image: CRIU image directory checks and descriptors.json (see image.h). */
#include "image.h"
#include "buf.h"
#include "fmt.h"
#include "json.h"
#include "jsonw.h"
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int image_open(const char *path, struct err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return err_set(e, ENOENT, "image path %s does not exist", path);
		return err_sys(e, "open image path %s", path);
	}
	if (fstatat(fd, "inventory.img", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ENOENT, "image path %s holds no checkpoint (no inventory.img)", path);
	}
	return fd;
}

/* descriptors.json's checks on a parsed document; frees d. */
static int descriptors_doc(struct json_doc *d, char *out[3], struct err *e)
{
	int i, k = 0;

	if (d->t[0].type == JSON_NULL) {
		json_free(d);
		return 0;
	}
	if (json_expect(d, 0, JSON_ARR, e) < 0)
		goto bad;
	json_for_each(d, 0, i) {
		const char *s;
		if (json_str(d, i, &s, e) < 0)
			goto bad;
		if (k < 3)
			out[k] = xstrdup(s);
		k++;
	}
	json_free(d);
	return 0;
bad:
	for (k = 0; k < 3; k++) {
		free(out[k]);
		out[k] = NULL;
	}
	json_free(d);
	return -1;
}

int image_descriptors_read(int imgfd, char *out[3], struct err *e)
{
	struct json_doc d = { 0 };

	out[0] = out[1] = out[2] = NULL;
	if (json_load(&d, imgfd, "descriptors.json", "descriptors.json", e) < 0)
		return -1;
	return descriptors_doc(&d, out, e);
}

int image_descriptors_parse(char *buf, size_t len, char *out[3], struct err *e)
{
	struct json_doc d = { 0 };

	out[0] = out[1] = out[2] = NULL;
	if (json_parse(&d, "descriptors.json", buf, len, e) < 0)
		return -1;
	return descriptors_doc(&d, out, e);
}

int image_descriptors_write(int imgfd, char *const desc[3], struct err *e)
{
	struct buf b = BUF_INIT;
	struct jw w;
	int fd, i, rc = 0;

	jw_init(&w, &b, 0);
	if (!desc || !desc[0]) {
		jw_null(&w);
	} else {
		jw_arr(&w);
		for (i = 0; i < 3 && desc[i]; i++)
			jw_str(&w, desc[i]);
		jw_end(&w);
	}
	fd = openat(imgfd, "descriptors.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		    0600);
	if (fd < 0) {
		buf_free(&b);
		return err_sys(e, "create descriptors.json");
	}
	if (write_all(fd, b.p, b.len) < 0)
		rc = err_sys(e, "write descriptors.json");
	close(fd);
	buf_free(&b);
	return rc;
}

/* ---- CRIU image files: magic(s), then entries of u32 length + protobuf (LE) ---- */

#define IMG_COMMON_MAGIC 0x54564319u
#define PE_PARENT (1u << 0)
#define PE_LAZY (1u << 1)
#define PE_PRESENT (1u << 2)

struct img {
	const char *name;
	unsigned char *p;
	size_t len, off;
};

static int img_load(int dirfd, const char *name, struct img *im, struct err *e)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	im->name = name;
	if (fd < 0)
		return err_sys(e, "image %s", name);
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		buf_add(&b, chunk, (size_t)n);
		if (b.len > (64u << 20)) {
			close(fd);
			buf_free(&b);
			return err_set(e, EFBIG, "image %s is larger than expected", name);
		}
	}
	close(fd);
	if (n < 0) {
		buf_free(&b);
		return err_sys(e, "read image %s", name);
	}
	im->len = b.len;
	im->p = (unsigned char *)buf_take(&b);
	/* Two magics when the first is the common one, else one (inventory, ...). */
	if (im->len < 4)
		goto bad;
	im->off = 4;
	if ((uint32_t)(im->p[0] | im->p[1] << 8 | im->p[2] << 16 | (uint32_t)im->p[3] << 24) ==
	    IMG_COMMON_MAGIC) {
		if (im->len < 8)
			goto bad;
		im->off = 8;
	}
	return 0;
bad:
	free(im->p);
	im->p = NULL;
	return err_set(e, EINVAL, "image %s is corrupt: too short for its magic", name);
}

/* Next entry: 1 with msg and mlen set, 0 at the end, -1 when cut short. */
static int img_next(struct img *im, const unsigned char **msg, size_t *mlen, struct err *e)
{
	uint32_t n;
	if (im->off == im->len)
		return 0;
	if (im->len - im->off < 4)
		return err_set(e, EINVAL, "image %s is corrupt: truncated entry header", im->name);
	n = (uint32_t)(im->p[im->off] | im->p[im->off + 1] << 8 | im->p[im->off + 2] << 16 |
		       (uint32_t)im->p[im->off + 3] << 24);
	im->off += 4;
	if (n > im->len - im->off)
		return err_set(e, EINVAL, "image %s is corrupt: entry of %u bytes cut short",
			       im->name, n);
	*msg = im->p + im->off;
	*mlen = n;
	im->off += n;
	return 1;
}

static int varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	int shift = 0;
	*v = 0;
	while (*p < end && shift < 64) {
		unsigned char c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

/* Calls fn for every varint field of a protobuf message; skips the other wire types. */
static int pb_varints(const unsigned char *p, size_t n, void (*fn)(void *, int, uint64_t),
		      void *ud)
{
	const unsigned char *end = p + n;
	while (p < end) {
		uint64_t key, v;
		if (varint(&p, end, &key) < 0)
			return -1;
		switch (key & 7) {
		case 0:
			if (varint(&p, end, &v) < 0)
				return -1;
			fn(ud, (int)(key >> 3), v);
			break;
		case 1:
			if (end - p < 8)
				return -1;
			p += 8;
			break;
		case 2:
			if (varint(&p, end, &v) < 0 || v > (uint64_t)(end - p))
				return -1;
			/* A packed repeated varint field (threads) is read element by element. */
			{
				const unsigned char *q = p, *qe = p + v;
				uint64_t x;
				while (q < qe && varint(&q, qe, &x) == 0)
					fn(ud, -(int)(key >> 3), x);
			}
			p += v;
			break;
		case 5:
			if (end - p < 4)
				return -1;
			p += 4;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

struct pm_entry {
	uint64_t nr_pages, flags, in_parent, pages_id;
};

static void pm_field(void *ud, int f, uint64_t v)
{
	struct pm_entry *pe = ud;
	if (f == 1)
		pe->pages_id = v;
	else if (f == 2)
		pe->nr_pages = v;
	else if (f == 3)
		pe->in_parent = v;
	else if (f == 4)
		pe->flags = v;
}

static int check_pagemap(int imgfd, const char *name, int lazy, struct err *e)
{
	struct img im = { 0 };
	const unsigned char *m;
	size_t ml;
	struct pm_entry head = { 0 };
	uint64_t pages = 0;
	long psz = sysconf(_SC_PAGESIZE);
	int r, rc = -1;
	char pname[64];
	struct stat sb;

	if (img_load(imgfd, name, &im, e) < 0)
		return -1;
	r = img_next(&im, &m, &ml, e);
	if (r <= 0) {
		if (r == 0)
			err_set(e, EINVAL, "image %s is corrupt: no pagemap head", name);
		goto out;
	}
	if (pb_varints(m, ml, pm_field, &head) < 0) {
		err_set(e, EINVAL, "image %s is corrupt: bad pagemap head", name);
		goto out;
	}
	while ((r = img_next(&im, &m, &ml, e)) == 1) {
		struct pm_entry pe = { 0 };
		if (pb_varints(m, ml, pm_field, &pe) < 0) {
			err_set(e, EINVAL, "image %s is corrupt: bad pagemap entry", name);
			goto out;
		}
		/* Old images have no flags: pages are present unless in the parent. Lazy
		 * pages are in the pages file unless the dump was lazy (then a page server
		 * serves them, and the restore is lazy too). */
		if (!pe.flags && !pe.in_parent)
			pe.flags = PE_PRESENT;
		if ((pe.flags & PE_PRESENT) && !(pe.flags & PE_PARENT) && !pe.in_parent &&
		    !(lazy && (pe.flags & PE_LAZY)) &&
		    __builtin_add_overflow(pages, pe.nr_pages, &pages)) {
			err_set(e, EINVAL, "image %s is corrupt: page count overflows", name);
			goto out;
		}
	}
	if (r < 0)
		goto out;
	/* More bytes than any file can hold (the product would wrap): no pages file holds it. */
	if (pages > (uint64_t)INT64_MAX / (uint64_t)psz) {
		err_set(e, EINVAL, "image %s is corrupt: %llu pages", name, (unsigned long long)pages);
		goto out;
	}
	fmt_sn(pname, sizeof pname, "pages-%u.img", (unsigned)head.pages_id);
	if (fstatat(imgfd, pname, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (pages) {
			err_set(e, ENOENT, "image %s is missing: %s needs %llu bytes of pages", pname,
				name, (unsigned long long)(pages * (uint64_t)psz));
			goto out;
		}
	} else if ((uint64_t)sb.st_size < pages * (uint64_t)psz) {
		err_set(e, EINVAL, "image %s is truncated: %lld bytes, %s needs %llu", pname,
			(long long)sb.st_size, name, (unsigned long long)(pages * (uint64_t)psz));
		goto out;
	}
	rc = 0;
out:
	free(im.p);
	return rc;
}

struct pstree_entry {
	uint64_t pid;
	uint64_t threads[64];
	int nthreads;
};

static void ps_field(void *ud, int f, uint64_t v)
{
	struct pstree_entry *pe = ud;
	if (f == 1)
		pe->pid = v;
	else if ((f == 5 || f == -5) && pe->nthreads < 64)
		pe->threads[pe->nthreads++] = v;
}

int image_check(int imgfd, int lazy, struct err *e)
{
	struct img im = { 0 };
	const unsigned char *m;
	size_t ml;
	int r, rc = -1, i, ntasks = 0;
	char name[64];
	struct stat sb;

	if (img_load(imgfd, "pstree.img", &im, e) < 0)
		return -1;
	while ((r = img_next(&im, &m, &ml, e)) == 1) {
		struct pstree_entry pe = { 0 };
		if (pb_varints(m, ml, ps_field, &pe) < 0 || !pe.pid) {
			err_set(e, EINVAL, "image pstree.img is corrupt: bad task entry");
			goto out;
		}
		ntasks++;
		if (!pe.nthreads)
			pe.threads[pe.nthreads++] = pe.pid;
		for (i = 0; i < pe.nthreads; i++) {
			fmt_sn(name, sizeof name, "core-%llu.img", (unsigned long long)pe.threads[i]);
			if (fstatat(imgfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
				err_sys(e, "image %s (thread %llu of task %llu)", name,
					(unsigned long long)pe.threads[i], (unsigned long long)pe.pid);
				goto out;
			}
		}
		fmt_sn(name, sizeof name, "mm-%llu.img", (unsigned long long)pe.pid);
		if (fstatat(imgfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
			fmt_sn(name, sizeof name, "pagemap-%llu.img", (unsigned long long)pe.pid);
			if (check_pagemap(imgfd, name, lazy, e) < 0)
				goto out;
		}
	}
	if (r < 0)
		goto out;
	if (!ntasks) {
		err_set(e, EINVAL, "image pstree.img is corrupt: no tasks");
		goto out;
	}
	rc = 0;
out:
	free(im.p);
	return rc;
}
