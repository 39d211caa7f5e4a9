/* recvtty.c: console receiver for tests. Listens on an AF_UNIX stream socket, takes one
 * SCM_RIGHTS fd (a pty master) per connection and drains it: discards (null), copies to
 * stdout (echo) or appends to a file (capture). --send writes a line into each master.
 *   recvtty [--pid-file F] [--mode null|echo|capture FILE] [--send TEXT] [--payload-file F] SOCKET
 * The pid file is written once the socket listens. Exits 0 on SIGTERM/SIGINT. Test tool:
 * host-built (make tools), uses stdio freely. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 64

enum mode { MODE_NULL, MODE_ECHO, MODE_CAPTURE };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: recvtty [--pid-file F] [--mode null|echo|capture FILE] "
			"[--send TEXT] [--payload-file F] SOCKET\n");
	exit(2);
}

/* Turns the escapes \n, \r, \t, \\ and \xHH into bytes, in place; returns the length. */
static size_t unescape(char *s)
{
	char *start = s, *o = s;

	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			*o++ = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'x':
			if (s[1] && s[2]) {
				char hex[3] = { s[1], s[2], 0 };
				*o++ = (char)strtol(hex, NULL, 16);
				s += 2;
				break;
			}
			/* fall through */
		default: *o++ = *s; break;
		}
	}
	*o = 0;
	return (size_t)(o - start);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_pid_file(const char *path)
{
	char tmp[4096], buf[32];
	int fd, n;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof buf, "%d", (int)getpid());
	if (write_all(fd, buf, (size_t)n) < 0 || close(fd) < 0)
		return -1;
	return rename(tmp, path);
}

/* Receives one message on conn; returns the passed fd (or -1) and appends the payload to
 * payload_fd if >= 0. */
static int recv_fd(int conn, int payload_fd)
{
	char data[4096];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} ctl;
	struct iovec iov = { data, sizeof data - 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *c;
	ssize_t n;
	int fd = -1;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof ctl.buf;
	do
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		perror("recvtty: recvmsg");
		return -1;
	}
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int nfd = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int)), i, got[4];
		memcpy(got, CMSG_DATA(c), sizeof(int) * (size_t)(nfd > 4 ? 4 : nfd));
		for (i = 0; i < nfd && i < 4; i++) {
			if (fd < 0)
				fd = got[i];
			else
				close(got[i]);
		}
	}
	if (payload_fd >= 0) {
		data[n] = '\n';
		write_all(payload_fd, data, (size_t)n + 1);
	}
	if (fd < 0)
		fprintf(stderr, "recvtty: message without an fd (%zd bytes)\n", n);
	return fd;
}

int main(int argc, char **argv)
{
	const char *pid_file = NULL, *capture = NULL, *payload_file = NULL, *sock_path = NULL;
	char *send_text = NULL;
	size_t send_len = 0;
	enum mode mode = MODE_NULL;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct pollfd pfd[MAX_FDS + 1];
	int masters[MAX_FDS], nmasters = 0, lsock, out_fd = -1, payload_fd = -1, i;
	struct sigaction sa = { 0 };

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pid-file") && i + 1 < argc) {
			pid_file = argv[++i];
		} else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
			const char *m = argv[++i];
			if (!strcmp(m, "null")) {
				mode = MODE_NULL;
			} else if (!strcmp(m, "echo")) {
				mode = MODE_ECHO;
			} else if (!strcmp(m, "capture") && i + 1 < argc) {
				mode = MODE_CAPTURE;
				capture = argv[++i];
			} else {
				usage();
			}
		} else if (!strcmp(argv[i], "--send") && i + 1 < argc) {
			send_text = strdup(argv[++i]);
			send_len = unescape(send_text);
		} else if (!strcmp(argv[i], "--payload-file") && i + 1 < argc) {
			payload_file = argv[++i];
		} else if (argv[i][0] == '-' || sock_path) {
			usage();
		} else {
			sock_path = argv[i];
		}
	}
	if (!sock_path || strlen(sock_path) >= sizeof addr.sun_path)
		usage();
	strcpy(addr.sun_path, sock_path);

	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Bind first: the caller starts its runtime as soon as the pid file exists. */
	unlink(sock_path);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    listen(lsock, 16) < 0) {
		perror("recvtty: socket");
		return 1;
	}
	if (mode == MODE_ECHO)
		out_fd = STDOUT_FILENO;
	else if (mode == MODE_CAPTURE)
		out_fd = open(capture, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (payload_file)
		payload_fd = open(payload_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if ((mode == MODE_CAPTURE && out_fd < 0) || (payload_file && payload_fd < 0)) {
		perror("recvtty: open");
		return 1;
	}
	if (pid_file && write_pid_file(pid_file) < 0) {
		perror("recvtty: pid file");
		return 1;
	}

	while (!stop) {
		pfd[0].fd = lsock;
		pfd[0].events = POLLIN;
		for (i = 0; i < nmasters; i++) {
			pfd[i + 1].fd = masters[i];
			pfd[i + 1].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)nmasters + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("recvtty: poll");
			return 1;
		}
		/* Masters first: a hung-up one is removed, which shifts the array. */
		for (i = nmasters - 1; i >= 0; i--) {
			char buf[4096];
			ssize_t n;

			if (!pfd[i + 1].revents)
				continue;
			n = read(masters[i], buf, sizeof buf);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				/* EIO: every slave fd is closed; the console is gone. */
				close(masters[i]);
				masters[i] = masters[--nmasters];
				continue;
			}
			if (out_fd >= 0)
				write_all(out_fd, buf, (size_t)n);
		}
		if (pfd[0].revents & POLLIN) {
			int conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC), fd;

			if (conn < 0)
				continue;
			fd = recv_fd(conn, payload_fd);
			close(conn);
			if (fd < 0)
				continue;
			if (send_text && write_all(fd, send_text, send_len) < 0)
				perror("recvtty: send");
			if (nmasters < MAX_FDS)
				masters[nmasters++] = fd;
			else
				close(fd);
		}
	}
	unlink(sock_path);
	return 0;
}
