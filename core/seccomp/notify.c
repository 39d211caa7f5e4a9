/* seccomp/notify.c: the user-notification listener fd sent to the profile's listenerPath
 * with the container state, as runc sends it (docs/seccomp.md "Notify"). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "seccomp/internal.h"
#include "jsonw.h"

void seccomp_listener_payload(struct buf *out, const struct seccomp_state *st, const char *metadata)
{
	struct jw w;
	jw_init(&w, out, 0);
	jw_obj(&w);
	jw_kstr(&w, "ociVersion", st->oci_version);
	jw_key(&w, "fds");
	jw_arr(&w);
	jw_str(&w, "seccompFd");
	jw_end(&w);
	jw_ki64(&w, "pid", st->pid);
	if (metadata && *metadata)
		jw_kstr(&w, "metadata", metadata);
	jw_key(&w, "state");
	jw_obj(&w);
	jw_kstr(&w, "ociVersion", st->oci_version);
	jw_kstr(&w, "id", st->id);
	jw_kstr(&w, "status", st->status);
	if (st->pid > 0)
		jw_ki64(&w, "pid", st->pid);
	jw_kstr(&w, "bundle", st->bundle);
	if (st->nannotations) {
		jw_key(&w, "annotations");
		jw_obj(&w);
		for (size_t i = 0; i < st->nannotations; i++)
			jw_kstr(&w, st->annotations[2 * i], st->annotations[2 * i + 1]);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
}

int seccomp_send_listener(const char *path, int listener_fd, const char *payload, size_t len,
                          struct err *e)
{
	struct sockaddr_un sa;
	if (!path || !*path)
		return err_set(e, EINVAL, "seccomp: listenerPath is not set");
	if (strlen(path) >= sizeof sa.sun_path)
		return err_set(e, ENAMETOOLONG, "seccomp: listenerPath %s: too long", path);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return err_sys(e, "seccomp: socket");
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		err_sys(e, "seccomp: connecting to listenerPath %s", path);
		close(s);
		return -1;
	}
	union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } c;
	memset(&c, 0, sizeof c);
	struct iovec iov = { (void *)payload, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b,
	                    .msg_controllen = sizeof c.b };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &listener_fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(s, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	size_t done = n > 0 ? (size_t)n : 0;
	/* the rest of a long payload without the fd */
	while (n >= 0 && done < len) {
		n = send(s, payload + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n > 0)
			done += (size_t)n;
	}
	if (n < 0) {
		err_sys(e, "seccomp: sending the listener fd to %s", path);
		close(s);
		return -1;
	}
	close(s);
	return 0;
}
