/* t_image: CRIU image directory checks and descriptors.json in a temp dir: image_open,
 * descriptors.json read/write/parse (runc's shapes: an array of 3 strings, or null),
 * image_check on hand-built pstree.img/pagemap-*.img (varint protobuf entries) with pages
 * files that are complete, truncated or missing, and corrupt images. */
#include "t.h"
#include "image.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];

struct img {
	unsigned char p[4096];
	size_t n;
};

static void add(struct img *m, const void *p, size_t n)
{
	memcpy(m->p + m->n, p, n);
	m->n += n;
}

static void add32(struct img *m, uint32_t v)
{
	unsigned char b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
	add(m, b, 4);
}

static size_t varint(unsigned char *o, uint64_t v)
{
	size_t n = 0;
	do {
		o[n] = v & 0x7f;
		v >>= 7;
		if (v)
			o[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

/* A protobuf message of varint fields: pairs (field, value), field 0 ends. */
static size_t msg(unsigned char *o, const uint64_t *fv)
{
	size_t n = 0;
	for (; fv[0]; fv += 2) {
		n += varint(o + n, fv[0] << 3);
		n += varint(o + n, fv[1]);
	}
	return n;
}

static void entry(struct img *m, const uint64_t *fv)
{
	unsigned char b[256];
	size_t n = msg(b, fv);
	add32(m, (uint32_t)n);
	add(m, b, n);
}

static void start(struct img *m, uint32_t magic)
{
	m->n = 0;
	add32(m, 0x54564319u);
	add32(m, magic);
}

static void put(int dfd, const char *name, const void *p, size_t n)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n)) {
		printf("# cannot write %s\n", name);
		exit(1);
	}
	close(fd);
}

static void put_size(int dfd, const char *name, off_t size)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, size) < 0)
		exit(1);
	close(fd);
}

static void test_descriptors(int dfd)
{
	struct err e = { 0 };
	char *out[3], *in[3] = { "/dev/null", "pipe:[1]", "pipe:[2]" };

	T_OK(image_descriptors_read(dfd, out, &e) < 0 && e.no == ENOENT,
	     "descriptors.json missing: ENOENT");
	T_OK(image_descriptors_write(dfd, in, &e) == 0, "descriptors.json written");
	T_OK(image_descriptors_read(dfd, out, &e) == 0, "descriptors.json read");
	T_STREQ(out[0], "/dev/null", "descriptor 0");
	T_STREQ(out[2], "pipe:[2]", "descriptor 2");
	for (int i = 0; i < 3; i++)
		free(out[i]);
	T_OK(image_descriptors_write(dfd, NULL, &e) == 0 &&
	     image_descriptors_read(dfd, out, &e) == 0 && !out[0] && !out[1] && !out[2],
	     "a nil list is written as null and reads as none");

	char a[] = "[\"a\",\"b\",\"c\",\"d\"]";
	T_OK(image_descriptors_parse(a, strlen(a), out, &e) == 0 && out[2] && !strcmp(out[2], "c"),
	     "parse: four strings keep the first three");
	for (int i = 0; i < 3; i++)
		free(out[i]);
	char b[] = "[\"a\"]";
	T_OK(image_descriptors_parse(b, strlen(b), out, &e) == 0 && !strcmp(out[0], "a") &&
	     !out[1] && !out[2], "parse: one string");
	free(out[0]);
	char c[] = "[\"a\",1,\"c\"]";
	T_OK(image_descriptors_parse(c, strlen(c), out, &e) < 0 && !out[0] &&
	     strstr(e.msg, "descriptors.json: [1]: expected string"), "parse: a number refused");
	char d[] = "{\"0\":\"a\"}";
	T_OK(image_descriptors_parse(d, strlen(d), out, &e) < 0 &&
	     strstr(e.msg, "descriptors.json: .: expected array"), "parse: an object refused");
	char f[] = "[\"a\\u0000b\"]";
	T_OK(image_descriptors_parse(f, strlen(f), out, &e) < 0 && !out[0],
	     "parse: an embedded NUL refused");
	char g[] = "[";
	T_OK(image_descriptors_parse(g, 1, out, &e) < 0 && !strncmp(e.msg, "descriptors.json: ", 18),
	     "parse: truncated JSON refused, naming the file");
}

static void test_check(int dfd)
{
	struct err e = { 0 };
	struct img ps, pm;
	long psz = sysconf(_SC_PAGESIZE);

	/* task 1 with threads 1 and 2 (packed field 5 written as two varint fields) */
	start(&ps, 0x50273030u);
	entry(&ps, (const uint64_t[]){ 1, 1, 3, 1, 5, 1, 5, 2, 0 });
	put(dfd, "pstree.img", ps.p, ps.n);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "core-1.img"), "missing core image named");
	put(dfd, "core-1.img", "", 0);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "core-2.img (thread 2 of task 1)"),
	     "missing thread image named");
	put(dfd, "core-2.img", "", 0);
	T_OK(image_check(dfd, 0, &e) == 0, "a task without mm-1.img needs no pagemap");
	put(dfd, "mm-1.img", "", 0);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "pagemap-1.img"), "missing pagemap named");

	/* pagemap: head pages_id 5; 2 present pages, 1 in the parent, 3 lazy */
	start(&pm, 0x56084025u);
	entry(&pm, (const uint64_t[]){ 1, 5, 0 });
	entry(&pm, (const uint64_t[]){ 1, 0x400000, 2, 2, 4, 4, 0 });
	entry(&pm, (const uint64_t[]){ 1, 0x500000, 2, 1, 4, 5, 0 });
	entry(&pm, (const uint64_t[]){ 1, 0x600000, 2, 3, 4, 6, 0 });
	put(dfd, "pagemap-1.img", pm.p, pm.n);
	T_OK(image_check(dfd, 0, &e) < 0 && e.no == ENOENT &&
	     strstr(e.msg, "pages-5.img is missing"), "missing pages file named");
	put_size(dfd, "pages-5.img", 2 * psz);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "pages-5.img is truncated"),
	     "lazy pages count unless the restore is lazy");
	T_OK(image_check(dfd, 1, &e) == 0, "lazy restore: 2 pages suffice");
	put_size(dfd, "pages-5.img", 5 * psz);
	T_OK(image_check(dfd, 0, &e) == 0, "5 pages suffice");

	/* corrupt images */
	put(dfd, "pagemap-1.img", pm.p, pm.n - 1);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "pagemap-1.img is corrupt: entry"),
	     "cut pagemap entry refused");
	put(dfd, "pagemap-1.img", pm.p, 3);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "too short for its magic"),
	     "pagemap shorter than its magic refused");
	put(dfd, "pagemap-1.img", pm.p, 8);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "no pagemap head"), "no head refused");
	put(dfd, "pagemap-1.img", pm.p, pm.n);
	put(dfd, "pstree.img", ps.p, 8);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "pstree.img is corrupt: no tasks"),
	     "no tasks refused");
	start(&ps, 0x50273030u);
	entry(&ps, (const uint64_t[]){ 2, 1, 0 });
	put(dfd, "pstree.img", ps.p, ps.n);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "bad task entry"), "pid 0 refused");
	start(&ps, 0x50273030u);
	add32(&ps, 2);
	add(&ps, "\x08\x80", 2);        /* field 1, varint cut short */
	put(dfd, "pstree.img", ps.p, ps.n);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "bad task entry"), "cut varint refused");
	start(&ps, 0x50273030u);
	add32(&ps, 2);
	add(&ps, "\x0b\x01", 2);        /* wire type 3 (group) is not read */
	put(dfd, "pstree.img", ps.p, ps.n);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "bad task entry"), "group wire type refused");
	start(&ps, 0x50273030u);
	add32(&ps, 0xffffffffu);
	put(dfd, "pstree.img", ps.p, ps.n);
	T_OK(image_check(dfd, 0, &e) < 0 && strstr(e.msg, "cut short"), "huge entry length refused");
	/* a huge nr_pages must not wrap around the size check */
	start(&ps, 0x50273030u);
	entry(&ps, (const uint64_t[]){ 1, 1, 5, 1, 0 });
	put(dfd, "pstree.img", ps.p, ps.n);
	start(&pm, 0x56084025u);
	entry(&pm, (const uint64_t[]){ 1, 5, 0 });
	entry(&pm, (const uint64_t[]){ 1, 0x400000, 2, (1ull << 52), 4, 4, 0 });
	put(dfd, "pagemap-1.img", pm.p, pm.n);
	T_OK(image_check(dfd, 0, &e) < 0 &&
	     strstr(e.msg, "pagemap-1.img is corrupt: 4503599627370496 pages"),
	     "2^52 pages (bytes past 2^63) refused");
	start(&pm, 0x56084025u);
	entry(&pm, (const uint64_t[]){ 1, 5, 0 });
	entry(&pm, (const uint64_t[]){ 1, 0x400000, 2, UINT64_MAX, 4, 4, 0 });
	entry(&pm, (const uint64_t[]){ 1, 0x400000, 2, 2, 4, 4, 0 });
	put(dfd, "pagemap-1.img", pm.p, pm.n);
	T_OK(image_check(dfd, 0, &e) < 0 &&
	     strstr(e.msg, "pagemap-1.img is corrupt: page count overflows"),
	     "page counts summing past 2^64 refused");
}

int main(void)
{
	struct err e = { 0 };
	char path[300];
	int dfd;

	snprintf(tmp, sizeof tmp, "/tmp/t_image.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/missing", tmp);
	T_OK(image_open(path, &e) < 0 && e.no == ENOENT && strstr(e.msg, "does not exist"),
	     "image_open: missing dir");
	T_OK(image_open(tmp, &e) < 0 && strstr(e.msg, "holds no checkpoint (no inventory.img)"),
	     "image_open: no inventory.img");
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	put(dfd, "inventory.img", "", 0);
	int fd = image_open(tmp, &e);
	T_OK(fd >= 0, "image_open: inventory.img present");
	close(fd);
	test_descriptors(dfd);
	test_check(dfd);
	close(dfd);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return t_done();
}
