/* spawn: fork + exec with a clean child (see sys/spawn.h), and the PATH lookup. */
#include "sys/spawn.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* ---- PATH lookup ---- */

int spawn_probe(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno == EACCES ? EACCES : ENOENT;
	if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111) || !S_ISREG(st.st_mode))
		return EACCES;
	return 0;
}

char *spawn_lookpath(const char *name, struct err *e)
{
	const char *p, *q;
	int r;

	if (!name || !*name) {
		err_set(e, ENOENT, "exec: \"\": executable file not found in $PATH");
		return NULL;
	}
	if (strchr(name, '/')) {
		r = spawn_probe(name);
		if (r == 0)
			return xstrdup(name);
		if (r == EACCES)
			err_set(e, EACCES, "exec: \"%s\": permission denied", name);
		else
			err_set(e, ENOENT, "exec: \"%s\": no such file or directory", name);
		return NULL;
	}
	p = getenv("PATH");
	if (!p)
		p = SPAWN_DEFAULT_PATH;
	for (;; p = q + 1) {
		q = strchr(p, ':');
		if (!q)
			q = p + strlen(p);
		/* An empty or relative entry names the current directory (or one below it):
		 * running what happens to lie there, as root, is what Go's ErrDot prevents. */
		if (q > p && *p == '/') {
			char *cand = fmt_alloc("%.*s/%s", (int)(q - p), p, name);
			if (spawn_probe(cand) == 0)
				return cand;
			free(cand);
		}
		if (!*q)
			break;
	}
	err_set(e, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
	return NULL;
}

/* ---- the child side ---- */

struct dirent64_ {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

void spawn_close_from(int lo)
{
	int d;
	long n;
	char buf[4096];

	if (syscall(SYS_close_range, (unsigned)lo, ~0U, 0) == 0)
		return;
	/* Pre-5.9 kernels: walk /proc/self/fd with raw getdents64 (no allocation). */
	d = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return;
	while ((n = syscall(SYS_getdents64, d, buf, sizeof buf)) > 0) {
		long off = 0;
		while (off < n) {
			struct dirent64_ *de = (struct dirent64_ *)(buf + off);
			const char *c = de->name;
			int fd = 0;
			off += de->reclen;
			if (*c < '0' || *c > '9')
				continue;
			for (; *c >= '0' && *c <= '9'; c++)
				fd = fd * 10 + (*c - '0');
			if (fd >= lo && fd != d)
				close(fd);
		}
	}
	close(d);
}

/* Between fork and exec: no allocation, no stdio. Reports { stage, errno } on errfd. */
static _Noreturn void child(const struct spawn *o, int *src, int n, int errfd)
{
	struct sigaction dfl;
	sigset_t none;
	int i, rep[2] = { 0, 0 };

	/* Dispositions first, then the mask: a signal the parent had pending and blocked is
	 * not inherited (fork clears the pending set), and none can reach a handler of ours. */
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (i = 1; i < _NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP)
			sigaction(i, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((o->flags & SPAWN_SETSID) && setsid() < 0)
		goto fail;
	if ((o->flags & SPAWN_SETPGID) && setpgid(0, 0) < 0)
		goto fail;
	/* Lift every source above the target range so no dup2 clobbers a later source. */
	for (i = 0; i < n; i++) {
		src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, n + 1);
		if (src[i] < 0)
			goto fail;
	}
	errfd = fcntl(errfd, F_DUPFD_CLOEXEC, n + 1);
	if (errfd < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (dup2(src[i], i) < 0)   /* dup2 clears FD_CLOEXEC on the target */
			goto fail;
	if (dup3(errfd, n, O_CLOEXEC) < 0)
		goto fail;
	errfd = n;
	spawn_close_from(n + 1);
	execve(o->path, o->argv, o->envp ? o->envp : environ);
	rep[0] = 1;
fail:
	rep[1] = errno;
	if (write(errfd, rep, sizeof rep) < 0) {
		/* nothing more to do */
	}
	_exit(127);
}

int spawn_exec(struct spawn *o, struct err *e)
{
	int src[SPAWN_MAX_FDS + 3], ep[2] = { -1, -1 }, devnull = -1, n, i, rep[2], st;
	char *defargv[2] = { (char *)o->path, NULL };
	struct spawn c = *o;
	ssize_t r;
	pid_t pid;

	o->pid = -1;
	o->exec_failed = 0;
	if (o->nfds < 0 || o->nfds > SPAWN_MAX_FDS)
		return err_set(e, EINVAL, "%s: too many fds for the child (%d, at most %d)", o->path,
			       o->nfds, SPAWN_MAX_FDS);
	if (!c.argv || !c.argv[0])
		c.argv = defargv;
	n = o->nfds ? o->nfds : 3;
	for (i = 0; i < n; i++) {
		if (o->nfds && o->fds[i] >= 0) {
			src[i] = o->fds[i];
			continue;
		}
		if (devnull < 0) {
			devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (devnull < 0)
				return err_sys(e, "%s: open /dev/null", o->path);
		}
		src[i] = devnull;
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		err_sys(e, "%s: pipe", o->path);
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		err_sys(e, "%s: fork", o->path);
		goto fail;
	}
	if (pid == 0) {
		close(ep[0]);
		child(&c, src, n, ep[1]);
	}
	close(ep[1]);
	ep[1] = -1;
	if (devnull >= 0)
		close(devnull);
	devnull = -1;
	/* The pipe closes on a successful exec; { stage, errno } arrives if the child failed. */
	do
		r = read(ep[0], rep, sizeof rep);
	while (r < 0 && errno == EINTR);
	close(ep[0]);
	if (r == (ssize_t)sizeof rep) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		o->exec_failed = rep[0];
		errno = rep[1];
		return err_sys(e, "%s: %s", o->path, rep[0] ? "exec" : "setting up the child");
	}
	o->pid = pid;
	return 0;
fail:
	if (ep[0] >= 0)
		close(ep[0]);
	if (ep[1] >= 0)
		close(ep[1]);
	if (devnull >= 0)
		close(devnull);
	return -1;
}
