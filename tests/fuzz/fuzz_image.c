/* fuzz_image: libFuzzer entry for the CRIU image checks (image_check in core/image.c). The
 * input is: one flags byte (bit 0: lazy), a 16-bit little-endian length L, L bytes of
 * pstree.img, then the bytes of every pagemap-<1..4>.img. They are written into a tmpfs
 * directory (/dev/shm) that also holds empty core-<1..4>.img and mm-<1..4>.img and
 * pages-<0..2>.img of 0, 1 and 3 pages, so a task's pagemap is reached and compared.
 * fuzz-src: core/image.c core/json.c core/jsonw.c core/buf.c core/fmt.c core/err.c
 * fuzz-corpus: tests/data/image */
#include "image.h"
#include "fmt.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static int dfd = -1;

static void put(const char *name, const unsigned char *p, size_t n)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n))
		abort();
	close(fd);
}

static void cleanup(void)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(dfd, de->d_name, 0);
	if (d)
		closedir(d);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char name[32];
	int i, fd;

	strcpy(dir, "/dev/shm/crbox-fuzz-image.XXXXXX");
	if (!mkdtemp(dir)) {
		strcpy(dir, "/tmp/crbox-fuzz-image.XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		abort();
	atexit(cleanup);
	for (i = 1; i <= 4; i++) {
		fmt_sn(name, sizeof name, "core-%d.img", i);
		put(name, NULL, 0);
		fmt_sn(name, sizeof name, "mm-%d.img", i);
		put(name, NULL, 0);
	}
	for (i = 0; i <= 2; i++) {
		fmt_sn(name, sizeof name, "pages-%d.img", i);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || ftruncate(fd, (off_t)(i == 2 ? 3 : i) * sysconf(_SC_PAGESIZE)) < 0)
			abort();
		close(fd);
	}
	put("inventory.img", NULL, 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct err e = { 0 };
	char name[32];
	size_t l;
	int i, lazy;

	if (size < 3)
		return 0;
	lazy = data[0] & 1;
	l = (size_t)data[1] | (size_t)data[2] << 8;
	data += 3;
	size -= 3;
	if (l > size)
		l = size;
	put("pstree.img", data, l);
	for (i = 1; i <= 4; i++) {
		fmt_sn(name, sizeof name, "pagemap-%d.img", i);
		put(name, data + l, size - l);
	}
	if (image_check(dfd, lazy, &e) < 0 && (!e.msg[0] || !strstr(e.msg, ".img")))
		abort();    /* every error names the image file */
	return 0;
}
