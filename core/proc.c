/* proc: start times, checked signalling, runc's signal names, pid files, stdio links, OCI
 * hook runner, wait helpers, subreaper (see proc.h). */
#include "proc.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include "sys/spawn.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>      /* rename() only; no stdio I/O is used */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

int proc_start_time(pid_t pid, uint64_t *start, char *state, struct err *e)
{
	char path[64], *s, *p, *tok;
	struct buf b = BUF_INIT;
	int field = 2, rc = -1;

	fmt_sn(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (fs_read_file(path, 8192, &b, e) < 0)
		goto out;
	s = strrchr(b.p, ')');
	if (!s) {
		err_set(e, EINVAL, "%s: no ')' in the stat line", path);
		goto out;
	}
	/* Fields after the comm: 3 state, 4 ppid, ... 22 starttime. */
	for (p = s + 1; field < 22;) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n') {
			err_set(e, EINVAL, "%s: only %d fields", path, field);
			goto out;
		}
		tok = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		field++;
		if (field == 3 && state)
			*state = *tok;
		if (field == 22) {
			char save = *p;
			uint64_t v;
			*p = 0;
			if (parse_u64(tok, &v) < 0) {
				err_set(e, EINVAL, "%s: bad starttime \"%s\"", path, tok);
				goto out;
			}
			*p = save;
			if (start)
				*start = v;
		}
	}
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

int proc_alive(pid_t pid, uint64_t start)
{
	struct err e;
	uint64_t st;
	char state = 0;

	if (pid <= 0 || proc_start_time(pid, &st, &state, &e) < 0)
		return 0;
	return st == start && state != 'Z' && state != 'X';
}

int proc_signal(pid_t pid, uint64_t start, int sig, struct err *e)
{
	int fd = -1, r;

	if (pid <= 0)
		return err_set(e, ESRCH, "process %d is not running", (int)pid);
	/* The pidfd pins the process: once the start time matches, the signal cannot reach a
	 * process that reused the pid. Without pidfds (ENOSYS, ...) fall back to kill(). */
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 && errno == ESRCH)
		return err_set(e, ESRCH, "process %d is not running", (int)pid);
	if (!proc_alive(pid, start)) {
		if (fd >= 0)
			close(fd);
		return err_set(e, ESRCH, "process %d is not running", (int)pid);
	}
	if (fd >= 0) {
		r = (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
		close(fd);
	} else {
		r = kill(pid, sig);
	}
	if (r < 0)
		return err_sys(e, "signal %d to process %d", sig, (int)pid);
	return 0;
}

/* golang.org/x/sys/unix's Linux signal table, which runc's kill looks names up in. */
static const char *const signames[32] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
	"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
};

const char *proc_signal_name(int sig)
{
	return sig > 0 && sig < 32 ? signames[sig] : NULL;
}

int proc_parse_signal(const char *raw, int *sig, struct err *e)
{
	char up[16];
	size_t n = strlen(raw), i, o = 0;
	int v;

	if (parse_int(raw, &v) == 0) {
		*sig = v;
		return 0;
	}
	if (n + 4 > sizeof up)
		goto bad;
	if (!(n >= 3 && (raw[0] | 32) == 's' && (raw[1] | 32) == 'i' && (raw[2] | 32) == 'g')) {
		memcpy(up, "SIG", 3);
		o = 3;
	}
	for (i = 0; i < n; i++)
		up[o++] = raw[i] >= 'a' && raw[i] <= 'z' ? (char)(raw[i] - 32) : raw[i];
	up[o] = 0;
	for (i = 1; i < 32; i++) {
		if (!strcmp(up, signames[i])) {
			*sig = (int)i;
			return 0;
		}
	}
bad:
	return err_set(e, EINVAL, "unknown signal \"%s\"", raw);
}

int pidfile_write(const char *path, pid_t pid, struct err *e)
{
	const char *slash = strrchr(path, '/');
	char *tmp, num[24];
	size_t n;
	ssize_t w;
	int fd;

	if (slash)
		tmp = fmt_alloc("%.*s/.%s", (int)(slash - path), path, slash + 1);
	else
		tmp = fmt_alloc(".%s", path);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_SYNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		err_sys(e, "pid file %s: open %s", path, tmp);
		free(tmp);
		return -1;
	}
	n = fmt_i64(num, pid);
	do
		w = write(fd, num, n);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)n) {
		if (w >= 0)
			errno = EIO;
		err_sys(e, "pid file %s: write %s", path, tmp);
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		err_sys(e, "pid file %s: rename %s", path, tmp);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int proc_fd_links(pid_t pid, char *out[3], struct err *e)
{
	int i;

	for (i = 0; i < 3; i++)
		out[i] = NULL;
	for (i = 0; i < 3; i++) {
		char path[64], t[4096];
		ssize_t n;

		fmt_sn(path, sizeof path, "/proc/%d/fd/%d", (int)pid, i);
		n = readlink(path, t, sizeof t - 1);
		if (n < 0) {
			if (errno == EACCES || errno == EPERM) {
				out[i] = xstrdup("");
				continue;
			}
			err_sys(e, "readlink %s", path);
			proc_fd_links_free(out);
			return -1;
		}
		t[n] = 0;
		out[i] = xstrdup(t);
	}
	return 0;
}

void proc_fd_links_free(char *out[3])
{
	int i;
	for (i = 0; i < 3; i++) {
		free(out[i]);
		out[i] = NULL;
	}
}

pid_t proc_wait(pid_t pid, int *status, int flags, struct err *e)
{
	int st = 0;
	pid_t r;

	do
		r = waitpid(pid, &st, flags);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_sys(e, "wait for %d", (int)pid);
	if (status)
		*status = st;
	return r;
}

int proc_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

int proc_subreaper(int on, struct err *e)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, on ? 1UL : 0UL, 0UL, 0UL, 0UL) < 0)
		return err_sys(e, "prctl(PR_SET_CHILD_SUBREAPER, %d)", on ? 1 : 0);
	return 0;
}

/* ---- hooks ---- */

#define HOOK_CAP 4096

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what is available on fd into b (at most HOOK_CAP kept). Returns 1 at EOF. */
static int drain(int fd, struct buf *b)
{
	char t[1024];
	for (;;) {
		ssize_t n = read(fd, t, sizeof t);
		if (n < 0)
			return errno == EINTR ? 0 : errno != EAGAIN;
		if (n == 0)
			return 1;
		if (b->len < HOOK_CAP)
			buf_add(b, t, b->len + (size_t)n > HOOK_CAP ? HOOK_CAP - b->len : (size_t)n);
	}
}

static void close_if(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int proc_run_hook(const char *path, const char *const *args, const char *const *env,
		  int timeout_s, const char *in, size_t len, struct err *e)
{
	return proc_run_hook_intr(path, args, env, timeout_s, in, len, -1, e);
}

int proc_run_hook_intr(const char *path, const char *const *args, const char *const *env,
		       int timeout_s, const char *in, size_t len, int intr_fd, struct err *e)
{
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	const char *defargv[2] = { path, NULL };
	struct buf ob = BUF_INIT, eb = BUF_INIT;
	sigset_t pipeset, oldmask, pend;
	int pipe_was_pending, status = 0, pidfd = -1, rc = -1, exited = 0, timed_out = 0;
	int64_t deadline;
	size_t off = 0;
	struct spawn sp = { 0 };
	int fds[3];
	char *exe = NULL;
	pid_t pid;

	if (!args || !args[0])
		args = defargv;
	/* A bare name is looked up in PATH (never in the cwd); a path is used as given. */
	exe = strchr(path, '/') ? xstrdup(path) : spawn_lookpath(path, e);
	if (!exe)
		return err_wrap(e, "hook %s", path);
	if ((in && pipe2(inp, O_CLOEXEC) < 0) || pipe2(outp, O_CLOEXEC) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0) {
		err_sys(e, "hook %s: pipe", path);
		goto out;
	}
	/* A hook that exits without reading stdin must not kill us with SIGPIPE. */
	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	sigpending(&pend);
	pipe_was_pending = sigismember(&pend, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipeset, &oldmask);

	fds[0] = inp[0];
	fds[1] = outp[1];
	fds[2] = errp[1];
	sp.path = exe;
	sp.argv = (char *const *)args;
	sp.envp = (char *const *)env;
	sp.fds = fds;
	sp.nfds = 3;
	if (spawn_exec(&sp, e) < 0) {
		if (sp.exec_failed) {
			errno = e->no;
			err_sys(e, "hook %s: exec", path);
		} else {
			err_wrap(e, "hook");
		}
		goto restore;
	}
	pid = sp.pid;
	/* runc starts the timer once the hook runs. */
	deadline = timeout_s > 0 ? now_ms() + (int64_t)timeout_s * 1000 : 0;
	close_if(&inp[0]);
	close_if(&outp[1]);
	close_if(&errp[1]);
	if (inp[1] >= 0)
		fcntl(inp[1], F_SETFL, O_NONBLOCK);
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	while (!exited) {
		struct pollfd pf[5];
		int np = 0, tmo = pidfd >= 0 ? -1 : 20, ip = -1, op = -1, ep = -1, xp = -1;
		pid_t r;

		if (inp[1] >= 0 && off == len)
			close_if(&inp[1]);
		if (inp[1] >= 0) {
			ip = np;
			pf[np++] = (struct pollfd){ inp[1], POLLOUT, 0 };
		}
		if (outp[0] >= 0) {
			op = np;
			pf[np++] = (struct pollfd){ outp[0], POLLIN, 0 };
		}
		if (errp[0] >= 0) {
			ep = np;
			pf[np++] = (struct pollfd){ errp[0], POLLIN, 0 };
		}
		if (pidfd >= 0)
			pf[np++] = (struct pollfd){ pidfd, POLLIN, 0 };
		if (intr_fd >= 0) {
			xp = np;
			pf[np++] = (struct pollfd){ intr_fd, POLLIN, 0 };
		}
		if (deadline) {
			int64_t left = deadline - now_ms();
			if (left <= 0) {
				timed_out = 1;
				kill(pid, SIGKILL);
				proc_wait(pid, &status, 0, e);
				break;
			}
			if (tmo < 0 || left < tmo)
				tmo = (int)left;
		}
		if (poll(pf, (nfds_t)np, tmo) < 0 && errno != EINTR) {
			err_sys(e, "hook %s: poll", path);
			kill(pid, SIGKILL);
			proc_wait(pid, &status, 0, e);
			goto restore;
		}
		if (xp >= 0 && pf[xp].revents) {
			/* A termination signal: the hook goes, the caller names the signal. */
			kill(pid, SIGKILL);
			proc_wait(pid, &status, 0, e);
			err_set(e, EINTR, "hook %s: interrupted by a signal", path);
			goto restore;
		}
		if (ip >= 0 && pf[ip].revents) {
			ssize_t w = write(inp[1], in + off, len - off);
			if (w > 0)
				off += (size_t)w;
			else if (w < 0 && errno != EAGAIN && errno != EINTR)
				close_if(&inp[1]);   /* EPIPE: the hook does not read stdin */
		}
		if (op >= 0 && pf[op].revents && drain(outp[0], &ob))
			close_if(&outp[0]);
		if (ep >= 0 && pf[ep].revents && drain(errp[0], &eb))
			close_if(&errp[0]);
		r = proc_wait(pid, &status, WNOHANG, e);
		if (r < 0)
			goto restore;
		if (r == pid)
			exited = 1;
	}
	if (outp[0] >= 0)
		drain(outp[0], &ob);
	if (errp[0] >= 0)
		drain(errp[0], &eb);

	if (timed_out) {
		err_set(e, ETIMEDOUT, "hook %s ran past specified timeout of %d.0s", path, timeout_s);
	} else {
		if (WIFSIGNALED(status)) {
			err_set(e, ECHILD, "hook %s killed by signal %d", path, WTERMSIG(status));
		} else if (WEXITSTATUS(status) != 0) {
			err_set(e, ECHILD, "hook %s exited with status %d%s%s%s%s", path,
				WEXITSTATUS(status), ob.len ? ", stdout: " : "", ob.len ? ob.p : "",
				eb.len ? ", stderr: " : "", eb.len ? eb.p : "");
		} else {
			rc = 0;
		}
	}
restore:
	close_if(&inp[1]);
	sigpending(&pend);
	if (!pipe_was_pending && sigismember(&pend, SIGPIPE)) {
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&pipeset, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
out:
	close_if(&inp[0]);
	close_if(&inp[1]);
	close_if(&outp[0]);
	close_if(&outp[1]);
	close_if(&errp[0]);
	close_if(&errp[1]);
	close_if(&pidfd);
	free(exe);
	buf_free(&ob);
	buf_free(&eb);
	return rc;
}
