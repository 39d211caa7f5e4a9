/* wait: the foreground of `run`: every signal reaches the init (SIGCHLD reaps, SIGWINCH
 * resizes the pty), the terminal is copied both ways, and the init's exit status becomes
 * ours (128+signal). */
#include "runtime/runtime.h"
#include "fmt.h"
#include "proc.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int rt_wait(struct ctr *c, int sfd)
{
	struct termios saved;
	int raw = 0, status = 0, in_open = 1, m = c->pty_master;

	if (m >= 0 && isatty(0) && tcgetattr(0, &saved) == 0) {
		struct termios t = saved;
		struct winsize ws;
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
		raw = 1;
		if (ioctl(0, TIOCGWINSZ, &ws) == 0)
			ioctl(m, TIOCSWINSZ, &ws);
	}
	for (;;) {
		struct pollfd p[3] = { { sfd, POLLIN, 0 }, { in_open ? 0 : -1, POLLIN, 0 },
				       { m, POLLIN, 0 } };
		int np = m >= 0 ? 3 : 1;
		if (poll(p, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (np == 3 && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			char b[4096];
			ssize_t n = read(m, b, sizeof b);
			if (n > 0)
				write_all(1, b, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				m = -1;
		}
		if (np == 3 && m >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
			char b[4096];
			ssize_t n = read(0, b, sizeof b);
			if (n > 0)
				write_all(m, b, (size_t)n);
			else
				in_open = 0;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) != sizeof si)
				continue;
			if (si.ssi_signo == SIGCHLD) {
				pid_t pid;
				int st, done = 0;
				while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
					if (pid == c->pid) {
						status = proc_exit_code(st);
						done = 1;
					}
				if (done)
					break;
			} else if (si.ssi_signo == SIGWINCH) {
				struct winsize ws;
				if (m >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
					ioctl(m, TIOCSWINSZ, &ws);
			} else if (si.ssi_signo != SIGURG) {
				kill(c->pid, (int)si.ssi_signo);
			}
		}
	}
	/* Output still buffered in the pty after the exit. */
	if (m >= 0) {
		char b[4096];
		ssize_t n;
		struct pollfd p = { m, POLLIN, 0 };
		while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && (n = read(m, b, sizeof b)) > 0)
			write_all(1, b, (size_t)n);
	}
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	return status;
}
