/* notify: NOTIFY_SOCKET as runc 1.1 proxies it. create (with NOTIFY_SOCKET in its
 * environment) makes <state>/notify/, binds it read-only at /run/notify in the container
 * and sets NOTIFY_SOCKET=/run/notify/notify.sock there; start binds the datagram socket
 * notify.sock in that dir before letting the init go and, after it started, waits for a
 * READY= line from the container, then sends "READY=1" and "MAINPID=<init pid>" to the
 * host's NOTIFY_SOCKET (a path, or "@name" for the abstract namespace). */
#include "runtime/runtime.h"
#include "buf.h"
#include "fmt.h"
#include "proc.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define IN_CONTAINER "/run/notify/notify.sock"

int rt_notify_prepare(struct ctr *c, const char *statedir, struct err *e)
{
	const char *host = getenv("NOTIFY_SOCKET");
	static const char *const opts[] = { "bind", "nosuid", "noexec", "nodev", "ro" };
	struct spec_mount *m;

	if (!host || !*host)
		return 0;
	if (mkdirat(c->dirfd, "notify", 0755) < 0 || fchmodat(c->dirfd, "notify", 0755, 0) < 0)
		return err_sys(e, "mkdir %s/notify", statedir);
	c->notify_dir = fmt_alloc("%s/notify", statedir);
	c->spec.mounts = xrealloc(c->spec.mounts, (c->spec.nmounts + 1) * sizeof *c->spec.mounts);
	m = &c->spec.mounts[c->spec.nmounts++];
	memset(m, 0, sizeof *m);
	m->destination = "/run/notify";
	m->type = "bind";
	m->source = c->notify_dir;
	m->options = xcalloc(6, sizeof *m->options);
	memcpy(m->options, opts, sizeof opts);
	m->noptions = 5;
	m->bind = 1;
	c->ps.env = xrealloc(c->ps.env, (c->ps.nenv + 2) * sizeof *c->ps.env);
	c->ps.env[c->ps.nenv++] = "NOTIFY_SOCKET=" IN_CONTAINER;
	c->ps.env[c->ps.nenv] = NULL;
	return 0;
}

int rt_notify_bind(int dirfd, struct err *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat sb;
	int fd;

	if (!getenv("NOTIFY_SOCKET") || !*getenv("NOTIFY_SOCKET") ||
	    fstatat(dirfd, "notify", &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(sb.st_mode))
		return -2;   /* nothing to proxy */
	fmt_sn(a.sun_path, sizeof a.sun_path, "/proc/self/fd/%d/notify/notify.sock", dirfd);
	unlink(a.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, "notify socket");
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || chmod(a.sun_path, 0777) < 0) {
		err_sys(e, "bind the notify socket");
		close(fd);
		return -1;
	}
	return fd;
}

static int send_host(const char *host, const char *msg, struct err *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, rc = 0;

	if (strlen(host) >= sizeof a.sun_path)
		return err_set(e, ENAMETOOLONG, "NOTIFY_SOCKET too long: %s", host);
	strcpy(a.sun_path, host);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(host) +
			  (host[0] == '@' ? 0 : 1));
	if (host[0] == '@')
		a.sun_path[0] = 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, "socket");
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&a, len) < 0)
		rc = err_sys(e, "send to NOTIFY_SOCKET %s", host);
	close(fd);
	return rc;
}

int rt_notify_wait(int fd, pid_t pid, uint64_t start, struct err *e)
{
	const char *host = getenv("NOTIFY_SOCKET");
	char b[4096];

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int r = poll(&p, 1, 100);
		ssize_t n;
		if (r == 0) {
			if (!proc_alive(pid, start))
				return 0;   /* exited without READY: nothing to forward */
			continue;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, "poll the notify socket");
		}
		n = recv(fd, b, sizeof b - 1, 0);
		if (n <= 0)
			continue;
		b[n] = 0;
		for (char *line = b, *nl; line && *line; line = nl) {
			nl = strchr(line, '\n');
			if (nl)
				*nl++ = 0;
			if (!strncmp(line, "READY=", 6)) {
				char msg[64];
				fmt_sn(msg, sizeof msg, "READY=1\nMAINPID=%d\n", (int)pid);
				return send_host(host, msg, e);
			}
		}
	}
}
