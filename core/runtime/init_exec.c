/* init_exec: the child side of `exec` (exec.h), up to the shared tail in init_final.c:
 * rlimits while still in the host user namespace, one setns(pidfd) into every namespace of
 * the init that differs from ours, the fork into a joined pid/time namespace (CLONE_PARENT:
 * the process stays the exec caller's child), setsid, the pty, LSM labels, no_new_privs.
 * Errors go to the parent as SYNC_ERROR. */
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "ns/ns.h"
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

void rt_init_exec(struct ctr *c) __attribute__((noreturn));

static void xdie(struct ctr *c, struct err *e) __attribute__((noreturn));
static void xdie(struct ctr *c, struct err *e)
{
	sync_send_err(c->sync[1], e);
	_exit(1);
}

void rt_init_exec(struct ctr *c)
{
	struct sync_msg m;
	struct err e;
	sigset_t none;
	size_t i;
	long pid;

	close(c->sync[0]);
	c->sync[0] = -1;
	if (c->console_peer >= 0) {
		close(c->console_peer);
		c->console_peer = -1;
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Non-dumpable while host fds are held: nothing in the container may ptrace us or
	 * open /proc/<pid>/fd (CVE-2016-9962); execve resets it. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (sync_expect(c->sync[1], SYNC_GO, &m, &e) < 0)
		_exit(1);
	for (i = 0; i < c->ps.nrlimits; i++) {
		struct rlimit rl = { c->ps.rlimits[i].soft, c->ps.rlimits[i].hard };
		if (setrlimit(c->ps.rlimits[i].resource, &rl) < 0) {
			err_sys(&e, "error setting rlimit type %d", c->ps.rlimits[i].resource);
			xdie(c, &e);
		}
	}
	if (c->pidfd >= 0) {
		if (c->clone_flags && setns(c->pidfd, c->clone_flags) < 0) {
			err_sys(&e, "failed to join the container's namespaces (setns pidfd 0x%x)",
				(unsigned)c->clone_flags);
			xdie(c, &e);
		}
		close(c->pidfd);
		c->pidfd = -1;
	} else if (ns_join(c->nsfd, &e) < 0) {
		xdie(c, &e);
	}
	if (c->clone_flags & (CLONE_NEWPID | CLONE_NEWTIME)) {
		pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
		if (pid < 0) {
			err_sys(&e, "clone into the container's pid namespace");
			xdie(c, &e);
		}
		if (pid > 0) {
			sync_send(c->sync[1], SYNC_PID, (int)pid, NULL, &e);
			_exit(0);
		}
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	} else if (sync_send(c->sync[1], SYNC_PID, getpid(), NULL, &e) < 0) {
		_exit(1);
	}
	/* Wait until the parent has the pid: SYNC_PID comes from the fork's parent after the
	 * clone, and this process's own frames must not overtake it (sync.h). */
	if (sync_expect(c->sync[1], SYNC_PID_ACK, &m, &e) < 0)
		_exit(1);
	if (setsid() < 0) {
		err_sys(&e, "setsid");
		xdie(c, &e);
	}
	if (c->spec.terminal && rt_console_setup(c, &e) < 0)
		xdie(c, &e);
	if (rt_lsm_apply(c, &e) < 0)
		xdie(c, &e);
	if (c->ps.nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		err_sys(&e, "set no_new_privs");
		xdie(c, &e);
	}
	/* SECCOMP (exec): the container's filter is loaded at the two hook points of
	 * rt_init_final (c->spec is the container's config, so its linux.seccomp applies). */
	rt_init_final(c);
}
