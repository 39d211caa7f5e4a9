/* init_final: the tail of the container init, in runc's finalizeNamespace order: fds,
 * cwd, bounding set, user and groups, capabilities, PATH lookup, [seccomp], SYNC_READY,
 * exec.fifo, startContainer hooks, close fds, execve. */
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "process/caps.h"
#include "process/execve.h"
#include "seccomp/seccomp.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
static void child_die(struct ctr *c, struct err *e) __attribute__((noreturn));
static void child_die(struct ctr *c, struct err *e)
{
	sync_send_err(c->sync[1], e);
	_exit(1);
}

/* Whether the cwd lies below this process's root, by walking ".." until the root (inside)
 * or a directory that is its own parent without being the root (outside). Used when
 * getcwd(2) itself is refused, e.g. by a seccomp profile loaded before this point. */
static int cwd_under_root(void)
{
	struct stat root, cur, up;
	int fd, nfd, i, in = 0;

	if (stat("/", &root) < 0 || (fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	for (i = 0; i < 4096; i++) {
		if (fstat(fd, &cur) < 0)
			break;
		if (cur.st_dev == root.st_dev && cur.st_ino == root.st_ino) {
			in = 1;
			break;
		}
		nfd = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (nfd < 0 || fstat(nfd, &up) < 0 ||
		    (up.st_dev == cur.st_dev && up.st_ino == cur.st_ino)) {
			if (nfd >= 0)
				close(nfd);
			break;
		}
		close(fd);
		fd = nfd;
	}
	close(fd);
	return in;
}

static int chdir_cwd(const char *cwd, struct err *e)
{
	char got[4096];
	int ok;
	if (chdir(cwd) < 0)
		return err_sys(e, "chdir %s", cwd);
	/* A cwd that resolves outside the root (a leaked fd, CVE-2024-21626) is refused. The
	 * kernel's getcwd says ENOENT ("(unreachable)") there; if getcwd is refused otherwise,
	 * the ".." walk decides. */
	if (getcwd(got, sizeof got))
		ok = got[0] == '/';
	else
		ok = errno != ENOENT && cwd_under_root();
	if (!ok)
		return err_set(e, EPERM, "current working directory is outside of container mount "
			       "namespace root -- possible container breakout detected");
	return 0;
}

/* Loads the filter compiled by the parent; with a notify listener, hands its fd number to
 * the parent (which takes it with pidfd_getfd) and waits until it is passed on. Only the sync
 * write and read follow the load here. */
static void load_seccomp(struct ctr *c)
{
	struct sync_msg m;
	struct err e;
	int lfd = -1;

	if (seccomp_load(&c->sc, &lfd, &e) < 0) {
		err_wrap(&e, "unable to init seccomp");
		child_die(c, &e);
	}
	if (lfd < 0)
		return;
	if (sync_send(c->sync[1], SYNC_SECCOMP_FD, lfd, NULL, &e) < 0 ||
	    sync_expect(c->sync[1], SYNC_SECCOMP_ACK, &m, &e) < 0)
		_exit(1);
	close(lfd);
}

void rt_init_final(struct ctr *c)
{
	struct err e;
	struct buf eb = BUF_INIT;
	char **env, *bin, *home = NULL;
	size_t i, n = 0;
	int last = caps_last_cap(), keep = 3 + c->nlisten + c->o->preserve_fds, fifo;
	uint32_t uid = c->spec.uid, gid = c->spec.gid;

	/* Without noNewPrivileges the filter is loaded here, while CAP_SYS_ADMIN is still held
	 * (runc: before finalizeNamespace). The exec path (init_exec.c) comes through here too
	 * with c->spec the container's config, so an exec'd process gets the container's
	 * filter. */
	if (!c->ps.nnp && c->sc.len)
		load_seccomp(c);
	syscall(SYS_close_range, keep, ~0U, CLOSE_RANGE_CLOEXEC);
	if (c->ps.has_umask)
		umask(c->ps.umask);
	else
		umask(022);
	int cwd_late = chdir(c->spec.cwd) < 0;  /* retried as the user on EPERM */
	if (cwd_late && errno != EPERM && errno != EACCES) {
		err_sys(&e, "chdir %s", c->spec.cwd);
		child_die(c, &e);
	}
	if (c->ps.has_caps && caps_drop_bounding(c->ps.caps[CAPSET_BOUNDING], last, &e) < 0)
		child_die(c, &e);
	prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	{
		int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
		char sg[8] = "";
		if (fd >= 0) {
			if (read(fd, sg, sizeof sg - 1) < 0)
				sg[0] = 0;
			close(fd);
		}
		if (strncmp(sg, "deny", 4) && setgroups(c->ps.ngids, (gid_t *)c->ps.gids) < 0) {
			err_sys(&e, "setgroups");
			child_die(c, &e);
		}
	}
	if (setresgid(gid, gid, gid) < 0) {
		err_sys(&e, "setgid %u", gid);
		child_die(c, &e);
	}
	if (setresuid(uid, uid, uid) < 0) {
		err_sys(&e, "setuid %u", uid);
		child_die(c, &e);
	}
	if (chdir_cwd(c->spec.cwd, &e) < 0)
		child_die(c, &e);
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (c->ps.has_caps && caps_apply(c->ps.caps, &e) < 0)
		child_die(c, &e);

	/* The environment: process.env, LISTEN_FDS/LISTEN_PID as runc passes them, HOME. */
	env = xcalloc(c->ps.nenv + 4, sizeof *env);
	for (i = 0; i < c->ps.nenv; i++)
		env[n++] = (char *)c->ps.env[i];
	if (c->nlisten) {
		env[n++] = fmt_alloc("LISTEN_FDS=%d", c->nlisten);
		env[n++] = xstrdup("LISTEN_PID=1");
	}
	if (!exec_env_get(env, "HOME")) {
		home = exec_home_of(uid);
		env[n++] = fmt_alloc("HOME=%s", home);
	}
	bin = exec_look_path(c->spec.args[0], exec_env_get(env, "PATH"), &e);
	if (!bin) {
		err_wrap(&e, "unable to start container process");
		child_die(c, &e);
	}

	/* With noNewPrivileges the filter is loaded here, after the caps and the PATH lookup,
	 * as close to execve as possible (runc 1.1's place). What runs after it must stay
	 * minimal and fixed: sync send, close, open/write of exec.fifo, startContainer hooks
	 * (fork/exec), close_range, execve (docs/runtime.md). */

	/* From here on the init outlives create: no death signal from its parent. */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	c->st.pid = getpid();
	if (c->ps.nnp && c->sc.len)
		load_seccomp(c);
	if (sync_send(c->sync[1], SYNC_READY, 0, NULL, &e) < 0)
		_exit(1);
	close(c->sync[1]);
	c->sync[1] = -1;
	if (c->is_exec)    /* exec: no exec.fifo, no startContainer hooks */
		goto exec;
	{
		char p[64];
		fmt_sn(p, sizeof p, "%sself/fd/%d", c->procfd >= 0 ? "" : "/proc/", c->fifo);
		fifo = openat(c->procfd >= 0 ? c->procfd : AT_FDCWD, p, O_WRONLY | O_CLOEXEC);
		if (c->procfd >= 0)
			close(c->procfd);
		c->procfd = -1;
	}
	if (fifo < 0 || write(fifo, "0", 1) != 1)
		_exit(1);
	close(fifo);
	close(c->fifo);
	c->fifo = -1;
	if (rt_run_hooks(&c->spec, &c->st, SPEC_HOOK_START_CONTAINER, "created", &e) < 0) {
		fmt_fd(2, "%s\n", e.msg);
		_exit(1);
	}
exec:
	if (syscall(SYS_close_range, keep, ~0U, 0) < 0)
		syscall(SYS_close_range, keep, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(bin, (char *const *)c->spec.args, env);
	fmt_fd(2, "exec %s: %s\n", bin, strerror(errno));
	buf_free(&eb);
	free(home);
	_exit(127);
}
