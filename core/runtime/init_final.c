/* init_final: the tail of the container init, in runc's finalizeNamespace order: fds,
 * cwd, bounding set, user and groups, capabilities, PATH lookup, [seccomp], SYNC_READY,
 * exec.fifo, startContainer hooks, close fds, execve. */
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "process/caps.h"
#include "process/execve.h"
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

static int chdir_cwd(const char *cwd, struct err *e)
{
	char got[4096];
	if (chdir(cwd) < 0)
		return err_sys(e, "chdir %s", cwd);
	/* A cwd that resolves outside the root (a leaked fd, CVE-2024-21626) is refused. */
	if (!getcwd(got, sizeof got) || got[0] != '/')
		return err_set(e, EPERM, "current working directory is outside of container mount "
			       "namespace root -- possible container breakout detected");
	return 0;
}

void rt_init_final(struct ctr *c)
{
	struct err e;
	struct buf eb = BUF_INIT;
	char **env, *bin, *home = NULL;
	size_t i, n = 0;
	int last = caps_last_cap(), keep = 3 + c->nlisten + c->o->preserve_fds, fifo;
	uint32_t uid = c->spec.uid, gid = c->spec.gid;

	/* SECCOMP HOOK POINT 1 (core/seccomp): without noNewPrivileges the filter is loaded
	 * here, while CAP_SYS_ADMIN is still held (runc: before finalizeNamespace). The exec
	 * path (init_exec.c) comes through here too with c->spec the container's config, so
	 * the container's filter is the one loaded for an exec'd process. */
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

	/* SECCOMP HOOK POINT 2 (core/seccomp): with noNewPrivileges the filter is loaded
	 * here, after the caps and the PATH lookup, as close to execve as possible. What runs
	 * after it must stay minimal and fixed: sync send, close, open/write of exec.fifo,
	 * startContainer hooks (fork/exec), close_range, execve (docs/runtime.md). */

	/* From here on the init outlives create: no death signal from its parent. */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (sync_send(c->sync[1], SYNC_READY, 0, NULL, &e) < 0)
		_exit(1);
	close(c->sync[1]);
	c->sync[1] = -1;
	if (c->is_exec)    /* exec: no exec.fifo, no startContainer hooks */
		goto exec;
	{
		char p[64];
		fmt_sn(p, sizeof p, "/proc/self/fd/%d", c->fifo);
		fifo = open(p, O_WRONLY | O_CLOEXEC);
	}
	if (fifo < 0 || write(fifo, "0", 1) != 1)
		_exit(1);
	close(fifo);
	close(c->fifo);
	c->fifo = -1;
	c->st.pid = getpid();
	if (rt_run_hooks(&c->spec, &c->st, SPEC_HOOK_START_CONTAINER, "running", &e) < 0) {
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
