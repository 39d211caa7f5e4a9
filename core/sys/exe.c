/* exe: run from a sealed memfd copy of ourselves (see exe.h). */
#include "sys/exe.h"
#include "buf.h"
#include "fsutil.h"
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#define BASE_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

int exe_is_sealed(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), s;
	if (fd < 0)
		return 0;
	s = fcntl(fd, F_GET_SEALS);
	close(fd);
	return s >= 0 && (s & BASE_SEALS) == BASE_SEALS;
}

static int copy(int out, int in)
{
	char b[65536];
	ssize_t n;
	for (;;) {
		n = sendfile(out, in, NULL, 1 << 30);
		if (n > 0)
			continue;
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		break;
	}
	/* sendfile refused: plain copy from where it stopped. */
	while ((n = read(in, b, sizeof b)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (ssize_t w = 0; w < n;) {
			ssize_t k = write(out, b + w, (size_t)(n - w));
			if (k < 0 && errno != EINTR)
				return -1;
			if (k > 0)
				w += k;
		}
	}
	return 0;
}

/* Our argv, from /proc/self/cmdline (heap; NULL on failure). */
static char **self_argv(void)
{
	struct buf b = BUF_INIT;
	struct err e;
	char **v;
	size_t i, n = 0, k = 0;

	if (fs_read_file("/proc/self/cmdline", 1 << 20, &b, &e) < 0 || !b.len) {
		buf_free(&b);
		return NULL;
	}
	for (i = 0; i < b.len; i++)
		n += !b.p[i];
	v = xcalloc(n + 2, sizeof *v);
	for (i = 0; i < b.len; i += strlen(b.p + i) + 1)
		v[k++] = b.p + i;
	return v;   /* b.p is kept alive by v[0] */
}

int exe_reexec_sealed(struct err *e)
{
	char **argv;
	int in, fd;

	if (exe_is_sealed())
		return 0;
	argv = self_argv();
	if (!argv)
		return err_set(e, EIO, "read /proc/self/cmdline");
	fd = (int)syscall(SYS_memfd_create, "crbox", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)   /* kernels before 6.3 */
		fd = (int)syscall(SYS_memfd_create, "crbox", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return err_sys(e, "memfd_create for the sealed runtime copy");
	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		err_sys(e, "open /proc/self/exe");
		close(fd);
		return -1;
	}
	if (copy(fd, in) < 0) {
		err_sys(e, "copy /proc/self/exe into a memfd");
		goto fail;
	}
	close(in);
	in = -1;
	if (fchmod(fd, 0511) < 0) {
		err_sys(e, "fchmod the sealed runtime copy");
		goto fail;
	}
	fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC);   /* best effort (6.3+) */
	if (fcntl(fd, F_ADD_SEALS, BASE_SEALS) < 0) {
		err_sys(e, "seal the runtime copy");
		goto fail;
	}
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	err_sys(e, "execveat the sealed runtime copy");
fail:
	if (in >= 0)
		close(in);
	close(fd);
	return -1;
}
