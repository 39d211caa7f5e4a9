/* criu-wrap: kills the real criu with SIGKILL at the moment it sends a named notification
 * over the swrk socket, for notifications that never reach CRIU's action scripts
 * (query-ext-files). One file, two builds: `make tools` gives the wrapper to pass as
 * `crbox --criu build/tools/criu-wrap`; `cc -shared -fPIC -DCRIU_WRAP_SHIM` gives the shim the
 * wrapper preloads into criu. Environment: CRIU_WRAP_SHIM (the .so), CRIU_WRAP_KILL_AT (a
 * notification name), CRIU_WRAP_MARK (file that gets "killed at NAME" first), CRIU_WRAP_REAL
 * (the real criu, default `criu` from PATH). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifdef CRIU_WRAP_SHIM

static char target[64];
static char mark[4096];

__attribute__((constructor)) static void shim_init(void)
{
	const char *t = getenv("CRIU_WRAP_KILL_AT"), *m = getenv("CRIU_WRAP_MARK");
	if (t && strlen(t) < sizeof target)
		strcpy(target, t);
	if (m && strlen(m) < sizeof mark)
		strcpy(mark, m);
	/* Only criu itself: action scripts and hooks it runs must not load the shim. */
	unsetenv("LD_PRELOAD");
}

/* A NOTIFY response carries criu_notify { script = 1 (string) }: bytes 0x0a LEN NAME. */
static void check(int fd, const void *buf, size_t len)
{
	size_t n = strlen(target), i;
	const unsigned char *p = buf;
	struct stat st;

	if (!n || len < n + 2 || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return;
	for (i = 0; i + n + 2 <= len; i++) {
		if (p[i] != 0x0a || p[i + 1] != n || memcmp(p + i + 2, target, n))
			continue;
		if (mark[0]) {
			int m = open(mark, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
			if (m >= 0) {
				dprintf(m, "killed at %s\n", target);
				close(m);
			}
		}
		kill(getpid(), SIGKILL);
	}
}

ssize_t write(int fd, const void *buf, size_t len)
{
	check(fd, buf, len);
	return syscall(SYS_write, fd, buf, len);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	check(fd, buf, len);
	return syscall(SYS_sendto, fd, buf, len, flags, NULL, 0);
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	size_t i;
	for (i = 0; i < m->msg_iovlen; i++)
		check(fd, m->msg_iov[i].iov_base, m->msg_iov[i].iov_len);
	return syscall(SYS_sendmsg, fd, m, flags);
}

#else

int main(int argc, char **argv)
{
	const char *real = getenv("CRIU_WRAP_REAL"), *shim = getenv("CRIU_WRAP_SHIM");

	(void)argc;
	if (!real || !*real)
		real = "criu";
	if (!shim || access(shim, R_OK) < 0) {
		fprintf(stderr, "criu-wrap: CRIU_WRAP_SHIM must name the shim (cc -shared -fPIC "
				"-DCRIU_WRAP_SHIM tests/tools/criu-wrap.c)\n");
		return 127;
	}
	if (setenv("LD_PRELOAD", shim, 1) < 0)
		return 127;
	argv[0] = (char *)real;
	execvp(real, argv);
	fprintf(stderr, "criu-wrap: exec %s: %s\n", real, strerror(errno));
	return 127;
}

#endif
