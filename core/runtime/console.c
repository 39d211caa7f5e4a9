/* console: the container's terminal, made by the init after the pivot: a pty from the
 * container's own devpts (/dev/pts/ptmx checked to be devpts, then TIOCGPTPEER), the peer
 * bound onto /dev/console and made stdio and the controlling terminal, the master sent to
 * the console socket with one data byte string ("/dev/ptmx", as runc sends). */
#include "runtime/runtime.h"
#include "buf.h"
#include "sys/sock.h"
#include "fmt.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#define DEVPTS_MAGIC 0x1cd1

int rt_console_setup(struct ctr *c, struct err *e)
{
	struct statfs sf;
	int master, peer, unlock = 0, fd, i;

	master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return err_sys(e, "open /dev/pts/ptmx");
	if (fstatfs(master, &sf) < 0 || sf.f_type != DEVPTS_MAGIC) {
		close(master);
		return err_set(e, EPERM, "/dev/pts/ptmx is not on devpts");
	}
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0) {
		close(master);
		return err_sys(e, "unlockpt");
	}
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0) {
		close(master);
		return err_sys(e, "TIOCGPTPEER");
	}
	if (c->ps.console_h || c->ps.console_w) {
		struct winsize ws = { (unsigned short)c->ps.console_h,
				      (unsigned short)c->ps.console_w, 0, 0 };
		ioctl(master, TIOCSWINSZ, &ws);
	}
	/* /dev/console: an empty file (never a symlink) with the peer bound onto it. */
	/* An exec'd process gets the pty on stdio only (runc leaves /dev/console alone). */
	fd = c->is_exec ? -1 : open("/dev/console", O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_WRONLY, 0620);
	if (fd >= 0) {
		char p[64];
		close(fd);
		fmt_sn(p, sizeof p, "/proc/self/fd/%d", peer);
		if (mount(p, "/dev/console", NULL, MS_BIND, NULL) < 0) {
			close(master);
			close(peer);
			return err_sys(e, "bind the terminal onto /dev/console");
		}
	}
	if (sock_send_fd(c->console, master, "/dev/ptmx", e) < 0) {
		close(master);
		close(peer);
		return -1;
	}
	close(master);
	close(c->console);
	c->console = -1;
	for (i = 0; i < 3; i++)
		if (dup2(peer, i) < 0) {
			close(peer);
			return err_sys(e, "dup2 the terminal");
		}
	close(peer);
	if (ioctl(0, TIOCSCTTY, 0) < 0)
		return err_sys(e, "TIOCSCTTY");
	return 0;
}
