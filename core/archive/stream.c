/* stream: sniffing and decompressing archive input; compressing archive output. */
#include "archive/stream.h"
#include "archive/inflate.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

char *prog_find(const char *name)
{
	const char *p = getenv("PATH"), *q;
	if (!p || !*p)
		p = DEFAULT_PATH;
	for (;; p = q + 1) {
		q = strchr(p, ':');
		if (!q)
			q = p + strlen(p);
		if (q > p && *p == '/') {
			struct stat sb;
			char *cand = fmt_alloc("%.*s/%s", (int)(q - p), p, name);
			if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode) && access(cand, X_OK) == 0)
				return cand;
			free(cand);
		}
		if (!*q)
			return NULL;
	}
}

/* Forks and execs path with argv, stdin = in, stdout = out; every other fd but 2 closed
 * by CLOEXEC (all ours are). */
static pid_t spawn(const char *path, char *const argv[], int in, int out, struct err *e)
{
	pid_t pid = fork();
	if (pid < 0)
		return err_sys(e, "fork");
	if (pid == 0) {
		sigset_t none;
		if ((in != 0 && dup2(in, 0) < 0) || (out != 1 && dup2(out, 1) < 0))
			_exit(126);
		if (in == 0)
			fcntl(0, F_SETFD, 0);
		if (out == 1)
			fcntl(1, F_SETFD, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execv(path, argv);
		_exit(127);
	}
	return pid;
}

static int reap(pid_t pid, const char *what, int check, struct err *e)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return check ? err_sys(e, "wait for %s", what) : 0;
	if (!check || (WIFEXITED(st) && WEXITSTATUS(st) == 0))
		return 0;
	if (WIFSIGNALED(st))
		return err_set(e, EIO, "%s: killed by signal %d", what, WTERMSIG(st));
	return err_set(e, EIO, "%s: exit status %d", what, WEXITSTATUS(st));
}

static ssize_t fd_rd(void *ud, void *p, size_t n)
{
	return read(*(int *)ud, p, n);
}

int ain_open(struct ain *a, const char *path, struct err *e)
{
	ssize_t n;

	memset(a, 0, sizeof *a);
	a->zfd = -1;
	a->zpid = a->cpid = -1;
	if (!strcmp(path, "-")) {
		a->fd = 0;
		a->name = "stdin";
	} else {
		a->fd = open(path, O_RDONLY | O_CLOEXEC);
		a->name = path;
		if (a->fd < 0)
			return err_sys(e, "open archive %s", path);
	}
	while (a->npre < 4) {
		n = read(a->fd, a->pre + a->npre, 4 - a->npre);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys(e, "read %s", a->name);
			goto fail;
		}
		if (n == 0)
			break;
		a->npre += (size_t)n;
	}
	if (a->npre >= 2 && a->pre[0] == 0x1f && a->pre[1] == 0x8b) {
		a->kind = AIN_GZIP;
		a->z = inflate_new(fd_rd, &a->fd, a->name, a->pre, a->npre);
		return 0;
	}
	if (a->npre == 4 && !memcmp(a->pre, "\x28\xb5\x2f\xfd", 4)) {
		char *zstd = prog_find("zstd");
		char *argv[] = { "zstd", "-d", "-c", "-q", NULL };
		int in[2] = { -1, -1 }, out[2];
		if (!zstd) {
			err_set(e, ENOENT, "%s is zstd-compressed and zstd is not installed (not in "
					   "PATH)", a->name);
			goto fail;
		}
		if (pipe2(out, O_CLOEXEC) < 0) {
			free(zstd);
			err_sys(e, "pipe");
			goto fail;
		}
		if (pipe2(in, O_CLOEXEC) < 0) {
			free(zstd);
			close(out[0]);
			close(out[1]);
			err_sys(e, "pipe");
			goto fail;
		}
		/* A copier puts the sniffed bytes back in front of the rest of the input. */
		a->cpid = fork();
		if (a->cpid == 0) {
			char chunk[65536];
			ssize_t k;
			signal(SIGPIPE, SIG_DFL);
			close(in[0]);
			if (write_all(in[1], a->pre, a->npre) < 0)
				_exit(1);
			while ((k = read(a->fd, chunk, sizeof chunk)) > 0)
				if (write_all(in[1], chunk, (size_t)k) < 0)
					_exit(1);
			_exit(k < 0);
		}
		close(in[1]);
		if (a->cpid < 0) {
			close(in[0]);
			close(out[0]);
			close(out[1]);
			free(zstd);
			err_sys(e, "fork");
			goto fail;
		}
		a->zpid = spawn(zstd, argv, in[0], out[1], e);
		free(zstd);
		close(in[0]);
		close(out[1]);
		if (a->zpid < 0) {
			close(out[0]);
			goto fail;
		}
		a->zfd = out[0];
		a->kind = AIN_ZSTD;
		return 0;
	}
	a->kind = AIN_PLAIN;
	return 0;
fail:
	ain_close(a, 0, e);
	return -1;
}

ssize_t ain_read(void *ud, void *p, size_t n, struct err *e)
{
	struct ain *a = ud;
	ssize_t k;

	if (a->kind == AIN_GZIP)
		return inflate_read(a->z, p, n, e);
	if (a->kind == AIN_PLAIN && a->ppos < a->npre) {
		size_t m = a->npre - a->ppos < n ? a->npre - a->ppos : n;
		memcpy(p, a->pre + a->ppos, m);
		a->ppos += m;
		return (ssize_t)m;
	}
	do
		k = read(a->kind == AIN_ZSTD ? a->zfd : a->fd, p, n);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return err_sys(e, "read %s", a->name);
	return k;
}

int ain_close(struct ain *a, int check, struct err *e)
{
	int rc = 0;
	if (check && a->z) {
		/* Inflate to the end, so the gzip trailer's CRC-32 and length are checked. */
		char chunk[16384];
		ssize_t n;
		while ((n = inflate_read(a->z, chunk, sizeof chunk, e)) > 0)
			;
		if (n < 0)
			rc = -1;
	}
	if (a->zfd >= 0) {
		/* Let zstd finish (the tar end may come before its last bytes). */
		char chunk[65536];
		if (check)
			while (read(a->zfd, chunk, sizeof chunk) > 0)
				;
		close(a->zfd);
		a->zfd = -1;
	}
	if (a->zpid > 0) {
		if (!check)
			kill(a->zpid, SIGKILL);
		if (reap(a->zpid, "zstd", check && rc == 0, e) < 0)
			rc = -1;
		a->zpid = -1;
	}
	if (a->cpid > 0) {
		kill(a->cpid, SIGKILL);   /* it may still wait on a pipe's writer */
		reap(a->cpid, "copier", 0, e);
		a->cpid = -1;
	}
	if (a->z)
		inflate_free(a->z);
	a->z = NULL;
	if (a->fd > 0)
		close(a->fd);
	a->fd = -1;
	return rc;
}

int aout_open(struct aout *o, const char *path, const char *compress, struct err *e)
{
	char *prog = NULL;
	int p[2];

	memset(o, 0, sizeof *o);
	o->pid = -1;
	if (compress) {
		if (strcmp(compress, "gzip") && strcmp(compress, "zstd"))
			return err_set(e, EINVAL, "--compress %s: unknown (gzip or zstd)", compress);
		prog = prog_find(compress);
		if (!prog)
			return err_set(e, ENOENT, "--compress %s: %s not found in PATH", compress,
				       compress);
		o->prog = compress;
	}
	if (!strcmp(path, "-")) {
		o->file = 1;
	} else {
		o->file = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (o->file < 0) {
			free(prog);
			return err_sys(e, "create archive %s", path);
		}
		o->path = xstrdup(path);
	}
	o->fd = o->file;
	if (!prog)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0) {
		err_sys(e, "pipe");
		goto fail;
	}
	{
		char *argv[] = { (char *)compress, "-c", "-q", NULL };
		o->pid = spawn(prog, argv, p[0], o->file, e);
	}
	close(p[0]);
	if (o->pid < 0) {
		close(p[1]);
		goto fail;
	}
	free(prog);
	o->fd = p[1];
	return 0;
fail:
	free(prog);
	aout_close(o, 1, e);
	return -1;
}

int aout_close(struct aout *o, int abort, struct err *e)
{
	int rc = 0;
	if (o->fd >= 0 && o->fd != o->file)
		close(o->fd);
	o->fd = -1;
	if (o->pid > 0) {
		if (abort)
			kill(o->pid, SIGKILL);
		rc = reap(o->pid, o->prog, !abort, e);
		o->pid = -1;
	}
	if (o->file > 1)
		close(o->file);
	o->file = -1;
	if (o->path && (abort || rc < 0))
		unlink(o->path);
	free(o->path);
	o->path = NULL;
	return rc;
}
