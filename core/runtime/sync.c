/* sync: the parent <-> init protocol (see sync.h). */
#include "runtime/sync.h"
#include "fmt.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const names[] = { "?", "GO", "USERMAP_PLS", "USERMAP_ACK", "PID",
				     "MOUNTS_DONE", "HOOKS_DONE", "READY", "ERROR",
				     "SECCOMP_FD", "SECCOMP_ACK", "PID_ACK", "CGROUP_JOINED" };

const char *sync_name(int type)
{
	return type > 0 && type <= SYNC_CGROUP_JOINED ? names[type] : names[0];
}

int sync_pair(int sv[2], struct err *e)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return err_sys(e, "sync socketpair");
	return 0;
}

int sync_send(int fd, int type, int val, const char *msg, struct err *e)
{
	struct sync_msg m;
	memset(&m, 0, sizeof m);
	m.type = type;
	m.val = val;
	if (msg)
		fmt_sn(m.msg, sizeof m.msg, "%s", msg);
	/* write/read, not send/recv: after a seccomp filter is loaded the init still sends a
	 * frame or two, and profiles allow read and write far more often than sendto/recvfrom
	 * (a SOCK_SEQPACKET keeps frame boundaries either way). */
	while (write(fd, &m, sizeof m) < 0)
		if (errno != EINTR)
			return err_sys(e, "sync: send %s", sync_name(type));
	return 0;
}

void sync_send_err(int fd, const struct err *e)
{
	struct err e2;
	sync_send(fd, SYNC_ERROR, e->no, e->msg, &e2);
}

int sync_recv(int fd, struct sync_msg *m, struct err *e)
{
	ssize_t n;
	do
		n = read(fd, m, sizeof *m);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(e, "sync: read");
	if (n == 0)
		return 0;
	/* Fixed-size frames only: a short or long frame is a protocol error. */
	if ((size_t)n != sizeof *m || m->type < SYNC_GO || m->type > SYNC_CGROUP_JOINED)
		return err_set(e, EPROTO, "sync: bad frame (%zd bytes)", n);
	m->msg[sizeof m->msg - 1] = 0;
	return 1;
}

int sync_expect(int fd, int want, struct sync_msg *m, struct err *e)
{
	int r = sync_recv(fd, m, e);
	if (r < 0)
		return -1;
	if (r == 0)
		return err_set(e, EPIPE, "container init exited before %s", sync_name(want));
	if (m->type == SYNC_ERROR)
		return err_set(e, m->val, "%s", m->msg);
	if (m->type != want)
		return err_set(e, EPROTO, "sync: expected %s, got %s", sync_name(want),
			       sync_name(m->type));
	return 0;
}
