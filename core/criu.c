/* criu: the swrk RPC client (see criu.h). One request per criu process, as runc does it:
 * spawn, (caller acts on the pid), send, NOTIFY/ack loop, shutdown + waitpid by pid.
 * Fd numbers in images_dir_fd/work_dir_fd are read by CRIU through /proc/<peer>/fd/N, the
 * peer being the process that created the socketpair: this one, so it must keep them. */
#include "criu.h"
#include "fmt.h"
#include "sys/spawn.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h> /* renameat only (a plain syscall wrapper) */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


#define MAX_EXTRA 64
#define MAX_RX_FDS 8

/* ---- PATH lookup (sys/spawn.h's, with criu's messages) ---- */

char *swrk_which(const char *name)
{
	struct err e;
	return spawn_lookpath(name, &e);
}

char *swrk_find(const char *name, struct err *e)
{
	char *r;

	if (!name || !*name)
		name = "criu";
	r = spawn_lookpath(name, e);
	if (r)
		return r;
	if (strchr(name, '/')) {
		err_set(e, e->no, "criu %s: %s", e->no == EACCES ? "not executable" : "not found",
			name);
		return NULL;
	}
	/* Not a match for the lookup, but worth naming: a criu in PATH that cannot run. */
	{
		const char *p = getenv("PATH"), *q;
		for (p = p ? p : SPAWN_DEFAULT_PATH;; p = q + 1) {
			q = strchr(p, ':');
			if (!q)
				q = p + strlen(p);
			if (q > p && *p == '/') {
				char *cand = fmt_alloc("%.*s/%s", (int)(q - p), p, name);
				if (spawn_probe(cand) == EACCES) {
					err_set(e, EACCES, "criu not executable: %s", cand);
					free(cand);
					return NULL;
				}
				free(cand);
			}
			if (!*q)
				break;
		}
	}
	err_set(e, ENOENT, "criu not found: %s (not in PATH)", name);
	return NULL;
}

/* ---- spawning ---- */

static void reap(struct swrk *s)
{
	int st;
	if (s->pid <= 0 || s->reaped)
		return;
	while (waitpid(s->pid, &st, 0) < 0) {
		if (errno != EINTR) {
			st = 0;
			break;
		}
	}
	s->status = st;
	s->reaped = 1;
}

int swrk_start(struct swrk *s, const char *criu, const int stdio[3], const int *extra,
	       int nextra, struct err *e)
{
	int sp[2] = { -1, -1 }, fds[4 + MAX_EXTRA], i, no;
	const char *name = criu && *criu ? criu : "criu";
	char *argv[] = { (char *)name, "swrk", "3", NULL };
	struct spawn sp_o = { 0 };
	char *path;

	s->pid = -1;
	s->sk = -1;
	s->path = NULL;
	s->status = 0;
	s->reaped = 0;
	if (nextra < 0 || nextra > MAX_EXTRA)
		return err_set(e, EINVAL, "criu: too many extra fds (%d, at most %d)", nextra,
			       MAX_EXTRA);
	path = swrk_find(name, e);
	if (!path)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		err_sys(e, "criu: socketpair");
		free(path);
		return -1;
	}
	for (i = 0; i < 3; i++)
		fds[i] = stdio ? stdio[i] : -1;
	fds[3] = sp[1];
	for (i = 0; i < nextra; i++)
		fds[4 + i] = extra[i];
	/* Same session and process group as crbox: a terminal's ^C reaches criu too. */
	sp_o.path = path;
	sp_o.argv = argv;
	sp_o.fds = fds;
	sp_o.nfds = 4 + nextra;
	if (spawn_exec(&sp_o, e) < 0) {
		no = e->no;
		close(sp[0]);
		close(sp[1]);
		if (!sp_o.exec_failed)
			err_set(e, no, "criu: placing fds for %s: %s", path, strerror(no));
		else if (no == EACCES || no == EPERM)
			err_set(e, no, "criu not executable: %s: %s", path, strerror(no));
		else if (no == ENOENT)
			err_set(e, no, "criu not found: %s", path);
		else
			err_set(e, no, "cannot execute criu %s: %s", path, strerror(no));
		free(path);
		return -1;
	}
	close(sp[1]);
	s->pid = sp_o.pid;
	s->sk = sp[0];
	s->path = path;
	return 0;
}

/* ---- messages ---- */

const char *swrk_type_name(int type)
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&criu_req_type__descriptor, type);
	return v ? v->name : "?";
}

int swrk_send(struct swrk *s, const CriuReq *req, struct err *e)
{
	size_t len = criu_req__get_packed_size(req);
	unsigned char *b = xmalloc(len ? len : 1);
	ssize_t r;

	criu_req__pack(req, b);
	if (s->sk < 0) {
		free(b);
		return err_set(e, EBADF, "criu protocol error: the connection is closed");
	}
	do
		r = send(s->sk, b, len, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	free(b);
	if (r < 0)
		return err_sys(e, "criu protocol error: send %s request",
			       swrk_type_name(req->type));
	if ((size_t)r != len)
		return err_set(e, EIO, "criu protocol error: short send (%zd of %zu bytes)", r, len);
	return 0;
}

static void fate(const struct swrk *s, char *dst, size_t cap);

/* Waits until the socket is readable or criu is dead. Processes criu forked (the tasks
 * being restored, its helpers) inherit the socket, so criu's death alone does not give us
 * EOF: its pid is watched through a pidfd. A criu that exited 0 may have left a child to
 * answer (FEATURE_CHECK does), so only a non-zero exit or a signal ends the wait. A readable
 * s->intr_fd ends it too (EINTR). poll ignores the negative fds. */
static int wait_readable(struct swrk *s, struct err *e)
{
	int pfd = s->pid > 0 && !s->reaped ? (int)syscall(SYS_pidfd_open, s->pid, 0) : -1;
	char why[96];

	for (;;) {
		struct pollfd p[3] = { { s->sk, POLLIN, 0 }, { pfd, POLLIN, 0 },
				       { s->intr_fd, POLLIN, 0 } };
		int r = poll(p, 3, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (s->intr_fd >= 0 && p[2].revents) {
			/* Criu may never answer (a restore stuck on lazy pages): let the caller
			 * abort. The signal stays pending for the caller to name. */
			if (pfd >= 0)
				close(pfd);
			return err_set(e, EINTR, "interrupted while waiting for criu");
		}
		if (pfd >= 0 && p[1].revents) {
			close(pfd);
			pfd = -1;
			reap(s);
			if (s->reaped && (WIFSIGNALED(s->status) || WEXITSTATUS(s->status))) {
				/* A last message may still be queued. */
				struct pollfd q = { s->sk, POLLIN, 0 };
				if (poll(&q, 1, 0) > 0)
					break;
				fate(s, why, sizeof why);
				return err_set(e, EPIPE, "criu protocol error: unexpected EOF (%s)", why);
			}
		}
	}
	if (pfd >= 0)
		close(pfd);
	return 0;
}

int swrk_recv(struct swrk *s, CriuResp **resp, int *fdp, struct err *e)
{
	size_t cap = s->max_msg ? s->max_msg : SWRK_MAX_MSG;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int) * MAX_RX_FDS)];
	} ctl;
	int fds[MAX_RX_FDS], nfd = 0, i;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	unsigned char *b;
	ssize_t n;

	*resp = NULL;
	*fdp = -1;
	if (s->sk < 0)
		return err_set(e, EBADF, "criu protocol error: the connection is closed");
	if (wait_readable(s, e) < 0)
		return -1;
	do
		n = recv(s->sk, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(e, "criu protocol error: receive");
	if (n == 0)
		return err_set(e, EPIPE, "criu protocol error: unexpected EOF");
	if ((size_t)n > cap) {
		/* Drop the packet (and any fds with it) so the socket stays consistent. */
		recv(s->sk, NULL, 0, MSG_TRUNC);
		return err_set(e, EMSGSIZE, "criu protocol error: message too big (%zd bytes, "
			       "limit %zu)", n, cap);
	}
	b = xmalloc((size_t)n + 1);
	iov.iov_base = b;
	iov.iov_len = (size_t)n + 1;
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.b;
	mh.msg_controllen = sizeof ctl.b;
	do
		n = recvmsg(s->sk, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		free(b);
		return err_sys(e, "criu protocol error: receive");
	}
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (i = 0; i < k && nfd < MAX_RX_FDS; i++)
			memcpy(&fds[nfd++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	if (n == 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		for (i = 0; i < nfd; i++)
			close(fds[i]);
		free(b);
		if (n == 0)
			return err_set(e, EPIPE, "criu protocol error: unexpected EOF");
		return err_set(e, EMSGSIZE, "criu protocol error: truncated message (%s)",
			       (mh.msg_flags & MSG_TRUNC) ? "data" : "control data");
	}
	*resp = criu_resp__unpack(NULL, (size_t)n, b);
	free(b);
	if (!*resp) {
		for (i = 0; i < nfd; i++)
			close(fds[i]);
		return err_set(e, EBADMSG, "criu protocol error: cannot decode the response "
			       "(%zd bytes)", n);
	}
	/* CRIU sends at most one fd; keep the first, close any others. */
	for (i = 1; i < nfd; i++)
		close(fds[i]);
	*fdp = nfd ? fds[0] : -1;
	return 0;
}

/* Appends ": criu died: ..." describing a reaped criu, if it did not exit 0. */
static void fate(const struct swrk *s, char *dst, size_t cap)
{
	dst[0] = 0;
	if (!s->reaped)
		return;
	if (WIFSIGNALED(s->status))
		fmt_sn(dst, cap, "criu died: killed by signal %d", WTERMSIG(s->status));
	else if (WIFEXITED(s->status) && WEXITSTATUS(s->status))
		fmt_sn(dst, cap, "criu died: exit status %d", WEXITSTATUS(s->status));
}

/* After an EOF, give criu up to ~2 s to finish dying so we can say how it ended. */
static void reap_soon(struct swrk *s)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i, st;
	pid_t r;

	if (s->pid <= 0 || s->reaped)
		return;
	for (i = 0; i < 200; i++) {
		r = waitpid(s->pid, &st, WNOHANG);
		if (r == s->pid) {
			s->status = st;
			s->reaped = 1;
			return;
		}
		if (r < 0 && errno != EINTR)
			return;
		nanosleep(&ts, NULL);
	}
}

static void trim(char *m)
{
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' ' || m[n - 1] == '\r'))
		m[--n] = 0;
}

int swrk_loop(struct swrk *s, int type, swrk_notify_fn cb, void *ud, CriuResp **out,
	      struct err *e)
{
	CriuResp *r;
	int fd;

	if (out)
		*out = NULL;
	for (;;) {
		if (swrk_recv(s, &r, &fd, e) < 0) {
			if (e->no == EPIPE) {
				char f[128];
				reap_soon(s);
				fate(s, f, sizeof f);
				if (f[0])
					err_set(e, EPIPE, "criu protocol error: unexpected EOF (%s)",
						f);
			}
			return -1;
		}
		if (!r->success) {
			int no = r->has_cr_errno ? r->cr_errno : 0;
			if (r->cr_errmsg && *r->cr_errmsg) {
				char *m = xstrdup(r->cr_errmsg);
				trim(m);
				err_set(e, no, "criu failed: type %s errno %d: %s",
					swrk_type_name(r->type), no, m);
				free(m);
			} else {
				err_set(e, no, "criu failed: type %s errno %d",
					swrk_type_name(r->type), no);
			}
			if (fd >= 0)
				close(fd);
			criu_resp__free_unpacked(r, NULL);
			return -1;
		}
		if (r->type == CRIU_REQ_TYPE__NOTIFY) {
			struct swrk_notify n = { "", 0, fd };
			CriuReq ack = CRIU_REQ__INIT;
			int rc = 0;

			if (r->notify) {
				if (r->notify->script)
					n.script = r->notify->script;
				if (r->notify->has_pid)
					n.pid = r->notify->pid;
			}
			if (cb)
				rc = cb(&n, ud, e);
			if (n.fd >= 0)
				close(n.fd);
			criu_resp__free_unpacked(r, NULL);
			/* On a callback error no ack goes out: CRIU sees EOF and aborts. */
			if (rc < 0)
				return -1;
			ack.type = CRIU_REQ_TYPE__NOTIFY;
			ack.has_notify_success = 1;
			ack.notify_success = 1;
			if (swrk_send(s, &ack, e) < 0)
				return -1;
			continue;
		}
		if (fd >= 0)
			close(fd);
		if ((int)r->type != type) {
			err_set(e, EBADMSG, "criu protocol error: unexpected response type %s to a "
				"%s request", swrk_type_name(r->type), swrk_type_name(type));
			criu_resp__free_unpacked(r, NULL);
			return -1;
		}
		if (out)
			*out = r;
		else
			criu_resp__free_unpacked(r, NULL);
		return 0;
	}
}

int swrk_call(struct swrk *s, const CriuReq *req, swrk_notify_fn cb, void *ud, CriuResp **out,
	      struct err *e)
{
	if (out)
		*out = NULL;
	if (swrk_send(s, req, e) < 0)
		return -1;
	return swrk_loop(s, req->type, cb, ud, out, e);
}

/* Waits for criu to exit after its last answer; a readable intr_fd (a termination signal)
 * gets it SIGKILLed instead of waited for, so no wait on criu is unbounded. */
static void reap_intr(struct swrk *s)
{
	int pfd;

	if (s->pid > 0 && !s->reaped && s->intr_fd >= 0 &&
	    (pfd = (int)syscall(SYS_pidfd_open, s->pid, 0)) >= 0) {
		struct pollfd p[2] = { { pfd, POLLIN, 0 }, { s->intr_fd, POLLIN, 0 } };
		while (poll(p, 2, -1) < 0 && errno == EINTR)
			;
		if (!p[0].revents && p[1].revents)
			kill(s->pid, SIGKILL);
		close(pfd);
	}
	reap(s);
}

int swrk_finish(struct swrk *s, int flags, struct err *e)
{
	char f[128];

	if (s->sk >= 0)
		shutdown(s->sk, SHUT_WR);
	reap_intr(s);
	if (s->sk >= 0)
		close(s->sk);
	s->sk = -1;
	s->pid = -1;
	free(s->path);
	s->path = NULL;
	if (!s->reaped)
		return 0;
	if (WIFEXITED(s->status) && (flags & SWRK_ANY_EXIT))
		return 0;
	fate(s, f, sizeof f);
	if (f[0])
		return err_set(e, 0, "%s", f);
	return 0;
}

void swrk_abort(struct swrk *s, int sig)
{
	if (sig > 0 && s->pid > 0 && !s->reaped)
		kill(s->pid, sig);
	if (s->sk >= 0)
		close(s->sk);
	s->sk = -1;
	reap(s);
	s->pid = -1;
	free(s->path);
	s->path = NULL;
}

/* ---- VERSION and FEATURE_CHECK ---- */

int swrk_version_num(int major, int minor, int sublevel, const char *gitid)
{
	long long n;

	if (gitid && *gitid) {
		/* A git build is newer than its tag: round up to the next minor (runc's rule). */
		minor = minor < INT_MAX ? minor + 1 : minor;
		sublevel = 0;
	}
	/* Numbers from a cache file or a CRIU answer may be absurd: saturate, never overflow. */
	n = (long long)major * 10000 + (long long)minor * 100 + sublevel;
	return n > INT_MAX ? INT_MAX : n < INT_MIN ? INT_MIN : (int)n;
}

int swrk_version(const char *criu, struct swrk_version *v, struct err *e)
{
	struct swrk s = SWRK_INIT;
	CriuReq req = CRIU_REQ__INIT;
	CriuResp *r = NULL;
	struct err e2;

	memset(v, 0, sizeof *v);
	req.type = CRIU_REQ_TYPE__VERSION;
	if (swrk_start(&s, criu, NULL, NULL, 0, e) < 0)
		return -1;
	if (swrk_call(&s, &req, NULL, NULL, &r, e) < 0) {
		/* CRIU before 3.0 answers an unknown request with EMPTY/success=false. */
		if (!strncmp(e->msg, "criu failed: type EMPTY", 23))
			err_set(e, 0, "criu too old: %s does not answer VERSION requests "
				"(CRIU < 3.0), need at least 3.15.0", s.path);
		swrk_abort(&s, 0);
		return -1;
	}
	if (!r->version) {
		criu_resp__free_unpacked(r, NULL);
		swrk_abort(&s, 0);
		return err_set(e, EBADMSG, "criu protocol error: VERSION response without a version");
	}
	v->major = r->version->major_number;
	v->minor = r->version->minor_number;
	v->sublevel = r->version->has_sublevel ? r->version->sublevel : 0;
	if (r->version->gitid)
		fmt_sn(v->gitid, sizeof v->gitid, "%s", r->version->gitid);
	v->num = swrk_version_num(v->major, v->minor, v->sublevel, v->gitid);
	criu_resp__free_unpacked(r, NULL);
	if (swrk_finish(&s, 0, &e2) < 0) {
		*e = e2;
		return -1;
	}
	return 0;
}

/* The cache line: the binary's identity (dev ino size mtime ctime, ns), then the version. */
static void version_key(const struct stat *sb, char *dst, size_t cap)
{
	fmt_sn(dst, cap, "%llu %llu %lld %lld.%ld %lld.%ld", (unsigned long long)sb->st_dev,
	       (unsigned long long)sb->st_ino, (long long)sb->st_size, (long long)sb->st_mtim.tv_sec,
	       (long)sb->st_mtim.tv_nsec, (long long)sb->st_ctim.tv_sec, (long)sb->st_ctim.tv_nsec);
}

int swrk_version_parse(char *line, const char *key, struct swrk_version *v)
{
	size_t kl = strlen(key);
	char *tok[4], *p;
	int i, n[3];

	if (strncmp(line, key, kl) || line[kl] != ' ')
		return -1;
	p = line + kl + 1;
	for (i = 0; i < 4; i++) {
		tok[i] = p;
		p += strcspn(p, " \n");
		if (!*p && i < 3)
			return -1;
		*p++ = 0;
	}
	for (i = 0; i < 3; i++)
		if (parse_int(tok[i], &n[i]) < 0 || n[i] < 0)
			return -1;
	memset(v, 0, sizeof *v);
	v->major = n[0];
	v->minor = n[1];
	v->sublevel = n[2];
	if (strcmp(tok[3], "-"))
		fmt_sn(v->gitid, sizeof v->gitid, "%s", tok[3]);
	v->num = swrk_version_num(v->major, v->minor, v->sublevel, v->gitid);
	return 0;
}

int swrk_version_cached(const char *criu, int dirfd, struct swrk_version *v, struct err *e)
{
	char key[160], line[320], tmp[64];
	struct stat sb;
	char *path;
	ssize_t n;
	int fd;

	if (dirfd < 0)
		return swrk_version(criu, v, e);
	path = swrk_find(criu ? criu : "criu", e);
	if (!path)
		return -1;
	if (stat(path, &sb) < 0) {
		free(path);
		return swrk_version(criu, v, e);
	}
	free(path);
	version_key(&sb, key, sizeof key);
	fd = openat(dirfd, SWRK_VERSION_CACHE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd >= 0) {
		/* Only a regular file is read (a FIFO there would block without O_NONBLOCK). */
		n = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? read(fd, line, sizeof line - 1) : -1;
		close(fd);
		if (n > 0) {
			line[n] = 0;
			if (swrk_version_parse(line, key, v) == 0)
				return 0;
		}
	}
	if (swrk_version(criu, v, e) < 0)
		return -1;
	/* Best effort: a cache that cannot be written only costs the next caller a probe. */
	n = (ssize_t)fmt_sn(line, sizeof line, "%s %d %d %d %s\n", key, v->major, v->minor,
			    v->sublevel, v->gitid[0] && !strpbrk(v->gitid, " \n") ? v->gitid : "-");
	fmt_sn(tmp, sizeof tmp, "%s.%d", SWRK_VERSION_CACHE, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return 0;
	if (n > 0 && (size_t)n < sizeof line && write_all(fd, line, (size_t)n) == 0) {
		if (close(fd) == 0 && renameat(dirfd, tmp, dirfd, SWRK_VERSION_CACHE) == 0)
			return 0;
	} else {
		close(fd);
	}
	unlinkat(dirfd, tmp, 0);
	return 0;
}

int swrk_version_require(const struct swrk_version *v, int min, const char *what,
			 struct err *e)
{
	if (v->num >= min)
		return 0;
	return err_set(e, 0, "criu too old: found %d.%d.%d%s%s (%d), need at least %d.%d.%d (%d)%s%s",
		       v->major, v->minor, v->sublevel, v->gitid[0] ? " git " : "", v->gitid,
		       v->num, min / 10000, min / 100 % 100, min % 100, min, what ? " for " : "",
		       what ? what : "");
}

int swrk_features(const char *criu, const struct swrk_features *want,
		  struct swrk_features *got, struct err *e)
{
	static const struct swrk_features all = { 1, 1, 1 };
	struct swrk s = SWRK_INIT;
	CriuReq req = CRIU_REQ__INIT;
	CriuFeatures f = CRIU_FEATURES__INIT;
	CriuResp *r = NULL;
	struct err e2;

	if (!want)
		want = &all;
	memset(got, 0, sizeof *got);
	req.type = CRIU_REQ_TYPE__FEATURE_CHECK;
	req.features = &f;
	f.has_mem_track = !!want->mem_track;
	f.mem_track = !!want->mem_track;
	f.has_lazy_pages = !!want->lazy_pages;
	f.lazy_pages = !!want->lazy_pages;
	f.has_pidfd_store = !!want->pidfd_store;
	f.pidfd_store = !!want->pidfd_store;
	if (swrk_start(&s, criu, NULL, NULL, 0, e) < 0)
		return -1;
	if (swrk_call(&s, &req, NULL, NULL, &r, e) < 0) {
		swrk_abort(&s, 0);
		return -1;
	}
	if (!r->features) {
		criu_resp__free_unpacked(r, NULL);
		swrk_abort(&s, 0);
		return err_set(e, EBADMSG,
			       "criu protocol error: FEATURE_CHECK response without features");
	}
	got->mem_track = want->mem_track && r->features->has_mem_track && r->features->mem_track;
	got->lazy_pages = want->lazy_pages && r->features->has_lazy_pages &&
			  r->features->lazy_pages;
	got->pidfd_store = want->pidfd_store && r->features->has_pidfd_store &&
			   r->features->pidfd_store;
	criu_resp__free_unpacked(r, NULL);
	if (swrk_finish(&s, 0, &e2) < 0) {
		*e = e2;
		return -1;
	}
	return 0;
}

/* ---- criu_opts repeated fields ---- */

#define GROW(arr, n) ((arr) = xrealloc((arr), ((n) + 1) * sizeof *(arr)))

void swrk_opts_add_ext_mnt(CriuOpts *o, const char *key, const char *val)
{
	ExtMountMap *m = xmalloc(sizeof *m);
	ext_mount_map__init(m);
	m->key = xstrdup(key);
	m->val = xstrdup(val);
	GROW(o->ext_mnt, o->n_ext_mnt);
	o->ext_mnt[o->n_ext_mnt++] = m;
}

void swrk_opts_add_inherit_fd(CriuOpts *o, const char *key, int fd)
{
	InheritFd *m = xmalloc(sizeof *m);
	inherit_fd__init(m);
	m->key = xstrdup(key);
	m->fd = fd;
	GROW(o->inherit_fd, o->n_inherit_fd);
	o->inherit_fd[o->n_inherit_fd++] = m;
}

void swrk_opts_add_cg_root(CriuOpts *o, const char *ctrl, const char *path)
{
	CgroupRoot *m = xmalloc(sizeof *m);
	cgroup_root__init(m);
	m->ctrl = ctrl ? xstrdup(ctrl) : NULL;
	m->path = xstrdup(path);
	GROW(o->cg_root, o->n_cg_root);
	o->cg_root[o->n_cg_root++] = m;
}

void swrk_opts_add_join_ns(CriuOpts *o, const char *ns, const char *ns_file,
			   const char *extra_opt)
{
	JoinNamespace *m = xmalloc(sizeof *m);
	join_namespace__init(m);
	m->ns = xstrdup(ns);
	m->ns_file = xstrdup(ns_file);
	m->extra_opt = extra_opt ? xstrdup(extra_opt) : NULL;
	GROW(o->join_ns, o->n_join_ns);
	o->join_ns[o->n_join_ns++] = m;
}

void swrk_opts_add_external(CriuOpts *o, const char *s)
{
	GROW(o->external, o->n_external);
	o->external[o->n_external++] = xstrdup(s);
}

void swrk_opts_free(CriuOpts *o)
{
	size_t i;
	for (i = 0; i < o->n_ext_mnt; i++) {
		free(o->ext_mnt[i]->key);
		free(o->ext_mnt[i]->val);
		free(o->ext_mnt[i]);
	}
	for (i = 0; i < o->n_inherit_fd; i++) {
		free(o->inherit_fd[i]->key);
		free(o->inherit_fd[i]);
	}
	for (i = 0; i < o->n_cg_root; i++) {
		free(o->cg_root[i]->ctrl);
		free(o->cg_root[i]->path);
		free(o->cg_root[i]);
	}
	for (i = 0; i < o->n_join_ns; i++) {
		free(o->join_ns[i]->ns);
		free(o->join_ns[i]->ns_file);
		free(o->join_ns[i]->extra_opt);
		free(o->join_ns[i]);
	}
	for (i = 0; i < o->n_external; i++)
		free(o->external[i]);
	free(o->ext_mnt);
	free(o->inherit_fd);
	free(o->cg_root);
	free(o->join_ns);
	free(o->external);
	o->ext_mnt = NULL;
	o->inherit_fd = NULL;
	o->cg_root = NULL;
	o->join_ns = NULL;
	o->external = NULL;
	o->n_ext_mnt = o->n_inherit_fd = o->n_cg_root = o->n_join_ns = o->n_external = 0;
}

/* ---- CRIU log ---- */

/* Calls fn on each line of the log `name` in dirfd (without its '\n'; the line is
 * writable), until fn returns non-zero. The log is opened O_NOFOLLOW|O_NONBLOCK: a symlink
 * or a FIFO planted in a work dir is refused, never followed or waited on. 0, or -1 when
 * the log cannot be read. */
static int log_lines(int dirfd, const char *name, int (*fn)(char *line, void *ud), void *ud)
{
	struct buf b = BUF_INIT;
	char chunk[4096], *p, *nl;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	int stop = 0;
	struct stat sb;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -1;
	}
	/* Logs of a long dump can be large; keep reading, whole lines at a time. */
	while (!stop && (n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			buf_free(&b);
			return -1;
		}
		buf_add(&b, chunk, (size_t)n);
		p = b.p;
		while (!stop && (nl = memchr(p, '\n', b.len - (size_t)(p - b.p)))) {
			*nl = 0;
			stop = fn(p, ud);
			p = nl + 1;
		}
		size_t rest = b.len - (size_t)(p - b.p);
		memmove(b.p, p, rest);
		b.len = rest;
		b.p[rest] = 0;
	}
	close(fd);
	if (!stop && b.len)
		fn(b.p, ud);
	buf_free(&b);
	return 0;
}

struct errlines {
	struct buf *out;
	int max, cnt;
};

static int errline(char *line, void *ud)
{
	struct errlines *x = ud;
	if (x->cnt >= x->max)
		return 1;
	if (strstr(line, "Error")) {
		buf_add(x->out, line, strlen(line));
		buf_addc(x->out, '\n');
		x->cnt++;
	}
	return 0;
}

int swrk_log_errors(int dirfd, const char *name, struct buf *out, int max)
{
	struct errlines x = { out, max, 0 };
	if (log_lines(dirfd, name, errline, &x) < 0)
		return -1;
	return x.cnt;
}

struct yard {
	char *out;
	size_t cap;
	int found;
};

/* "(00.039417) cg: Opening .criu.cgyard.aFzAuC as cg yard" */
static int yardline(char *line, void *ud)
{
	struct yard *y = ud;
	const char *p = strstr(line, "cg: Opening .criu.cgyard."), *q;
	size_t n;

	if (!p)
		return 0;
	p += strlen("cg: Opening ");
	q = strstr(p, " as cg yard");
	n = q ? (size_t)(q - p) : 0;
	if (!q || n >= y->cap || memchr(p, '/', n))
		return 0;
	memcpy(y->out, p, n);
	y->out[n] = 0;
	y->found = 1;
	return 1;
}

int swrk_log_yard(int dirfd, const char *name, char *out, size_t cap)
{
	struct yard y = { out, cap, 0 };
	if (log_lines(dirfd, name, yardline, &y) < 0 || !y.found)
		return -1;
	return 0;
}
