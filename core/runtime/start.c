/* start: opens exec.fifo, which lets the blocked init go on (runc's direction: the init
 * writes, start reads), removes it (the container is "running" from then on), then runs
 * the poststart hooks of the config kept in the state dir. */
#include "runtime/runtime.h"
#include "proc.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

int rt_start(int rootfd, int dirfd, const struct state *st, struct err *e)
{
	struct state s2;
	struct spec spec;
	char b;
	int fd, r, tries, nfd;

	(void)rootfd;
	nfd = rt_notify_bind(dirfd, e);
	if (nfd == -1)
		return -1;
	fd = openat(dirfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (nfd >= 0)
			close(nfd);
		return err_sys(e, "open exec.fifo");
	}
	/* The init opens its end once a reader exists, then writes one byte. */
	for (tries = 0;; tries++) {
		struct pollfd p = { fd, POLLIN, 0 };
		r = poll(&p, 1, 100);
		if (r > 0 && (p.revents & POLLIN))
			break;
		if (!proc_alive(st->pid, st->start_time) || tries > 300) {
			close(fd);
			if (nfd >= 0)
				close(nfd);
			return err_set(e, ESRCH, "container process is already dead");
		}
	}
	r = (int)read(fd, &b, 1);
	close(fd);
	if (r != 1) {
		if (nfd >= 0)
			close(nfd);
		return err_set(e, ESRCH, "container process is already dead");
	}
	unlinkat(dirfd, "exec.fifo", 0);
	/* NOTIFY_SOCKET: start returns once the container said READY (or exited), as runc. */
	if (nfd >= 0) {
		r = rt_notify_wait(nfd, st->pid, st->start_time, e);
		close(nfd);
		if (r < 0)
			return -1;
	}

	/* poststart: after the user process started (OCI spec, crun, runc main). */
	{
		int cfd = -1;
		int old = open(".", O_PATH | O_CLOEXEC);
		if (old >= 0 && fchdir(dirfd) == 0) {
			r = spec_load(&spec, ".", e);
			cfd = fchdir(old);
			(void)cfd;
		} else {
			r = err_sys(e, "chdir state dir");
		}
		if (old >= 0)
			close(old);
		if (r < 0)
			return err_wrap(e, "config kept in the state dir");
	}
	s2 = *st;
	r = rt_run_hooks(&spec, &s2, SPEC_HOOK_POSTSTART, "running", e);
	spec_free(&spec);
	return r;
}
