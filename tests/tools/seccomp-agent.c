/* seccomp-agent.c: a seccomp user-notification agent for tests. Listens on an AF_UNIX
 * stream socket; per connection it takes the state JSON and the listener fd (SCM_RIGHTS, as
 * runc and crbox send them), appends the JSON as one line to STATE-FILE, then answers every
 * notification until the filter's last user is gone: a call whose first argument is 0x1234
 * continues (SECCOMP_USER_NOTIF_FLAG_CONTINUE); any other gets the error
 * -(100 + (arg0 & 0xff)). Then the next connection.
 *   seccomp-agent SOCKET STATE-FILE [PID-FILE]
 * Test tool: host-built (make tools). */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int recv_state(int c, char *buf, size_t cap, int *fd)
{
	char cb[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, cap - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb };
	ssize_t n = recvmsg(c, &m, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return -1;
	/* one message (runc keeps the connection open, so no waiting for EOF) */
	buf[n] = 0;
	*fd = -1;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(h), sizeof(int));
	return *fd >= 0 ? 0 : -1;
}

static void serve(int fd)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p.revents & (POLLHUP | POLLERR | POLLNVAL) && !(p.revents & POLLIN))
			return;
		memset(&req, 0, sizeof req);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return;
		}
		memset(&resp, 0, sizeof resp);
		resp.id = req.id;
		if (req.data.args[0] == 0x1234)
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		else
			resp.error = -(int)(100 + (req.data.args[0] & 0xff));
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char buf[1 << 16];
	if (argc < 3 || strlen(argv[1]) >= sizeof sa.sun_path) {
		fprintf(stderr, "usage: seccomp-agent SOCKET STATE-FILE [PID-FILE]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 8) < 0) {
		perror("seccomp-agent: listen");
		return 1;
	}
	if (argc > 3) {
		FILE *f = fopen(argv[3], "w");
		if (f) {
			fprintf(f, "%d\n", getpid());
			fclose(f);
		}
	}
	for (;;) {
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC), fd;
		if (c < 0)
			continue;
		if (recv_state(c, buf, sizeof buf, &fd) < 0) {
			close(c);
			continue;
		}
		close(c);
		FILE *f = fopen(argv[2], "a");
		if (f) {
			fprintf(f, "%s\n", buf);
			fclose(f);
		}
		serve(fd);
		close(fd);
	}
}
