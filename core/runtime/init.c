/* init: the child side of create/run, up to the identity switch (init_final.c), in runc's
 * order (docs/runtime.md). Runs in the process the parent cloned; errors go to the parent
 * as SYNC_ERROR and the child exits 1. */
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "ns/ns.h"
#include "fmt.h"
#include "proc.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static void child_die(struct ctr *c, struct err *e) __attribute__((noreturn));
static void child_die(struct ctr *c, struct err *e)
{
	sync_send_err(c->sync[1], e);
	_exit(1);
}

static int write_file(const char *path, const char *s, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;
	size_t n = strlen(s);
	if (fd < 0)
		return err_sys(e, "open %s", path);
	if (write(fd, s, n) != (ssize_t)n)
		rc = err_sys(e, "write %s", path);
	close(fd);
	return rc;
}

/* Stage 1: host-side settings that need the host user namespace (oomScoreAdj, rlimits),
 * joins, the user namespace and its maps, the other new namespaces, and the fork into a
 * new or joined pid/time namespace. Returns in the process that becomes the init. */
static void stage1(struct ctr *c)
{
	struct sync_msg m;
	struct err e;
	size_t i;
	int rest = c->clone_flags & ~CLONE_NEWUSER, needfork;
	long pid;

	/* Joining a pid or time namespace, like making one, takes effect for children only. */
	needfork = (c->clone_flags & (CLONE_NEWPID | CLONE_NEWTIME)) || c->nsfd[1] >= 0 ||
		   c->nsfd[7] >= 0;
	if (sync_expect(c->sync[1], SYNC_GO, &m, &e) < 0)
		_exit(1);
	if (c->ps.has_oom) {
		char v[24];
		fmt_sn(v, sizeof v, "%d", c->ps.oom_score_adj);
		if (write_file("/proc/self/oom_score_adj", v, &e) < 0)
			child_die(c, &e);
	}
	for (i = 0; i < c->ps.nrlimits; i++) {
		struct rlimit rl = { c->ps.rlimits[i].soft, c->ps.rlimits[i].hard };
		if (setrlimit(c->ps.rlimits[i].resource, &rl) < 0) {
			err_sys(&e, "error setting rlimit type %d", c->ps.rlimits[i].resource);
			child_die(c, &e);
		}
	}
	if (ns_join(c->nsfd, &e) < 0)
		child_die(c, &e);
	if (c->clone_flags & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0) {
			err_sys(&e, "failed to unshare user namespace");
			child_die(c, &e);
		}
		if (sync_send(c->sync[1], SYNC_USERMAP_PLS, 0, NULL, &e) < 0 ||
		    sync_expect(c->sync[1], SYNC_USERMAP_ACK, &m, &e) < 0)
			_exit(1);
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
			err_sys(&e, "failed to become root in the user namespace");
			child_die(c, &e);
		}
	}
	if (rest && unshare(rest) < 0) {
		err_sys(&e, "failed to unshare namespaces");
		child_die(c, &e);
	}
	if ((c->clone_flags & CLONE_NEWTIME) && c->ps.has_timens) {
		char v[128];
		fmt_sn(v, sizeof v, "monotonic %lld %lld\nboottime %lld %lld\n",
		       (long long)c->ps.mono_s, (long long)c->ps.mono_ns,
		       (long long)c->ps.boot_s, (long long)c->ps.boot_ns);
		/* Our own /proc files belong to the host's root while we are non-dumpable; root
		 * of a new user namespace needs them to be its own for this one write. */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		if (write_file("/proc/self/timens_offsets", v, &e) < 0)
			child_die(c, &e);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	}
	if (!needfork) {
		if (sync_send(c->sync[1], SYNC_PID, getpid(), NULL, &e) < 0 ||
		    sync_expect(c->sync[1], SYNC_PID_ACK, &m, &e) < 0)
			_exit(1);
		return;
	}
	/* pid_for_children / time_for_children apply to the next child: the init. It is made
	 * the parent's child (CLONE_PARENT) so the caller's subreaper gets it. */
	pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		err_sys(&e, "clone the container init");
		child_die(c, &e);
	}
	if (pid > 0) {
		sync_send(c->sync[1], SYNC_PID, (int)pid, NULL, &e);
		_exit(0);
	}
	/* The new init waits until the parent has its pid (see sync.h). */
	if (sync_expect(c->sync[1], SYNC_PID_ACK, &m, &e) < 0)
		_exit(1);
}

static int set_sysctls(struct ctr *c, struct err *e)
{
	size_t i;
	for (i = 0; i < c->ps.nsysctl; i++) {
		char *p = fmt_alloc("/proc/sys/%s", c->ps.sysctl[i].key), *q;
		for (q = p + 10; *q; q++)
			if (*q == '.')
				*q = '/';
		if (write_file(p, c->ps.sysctl[i].value, e) < 0) {
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

/* AppArmor / SELinux exec labels through /proc/thread-self/attr (procfs checked). */
int rt_lsm_apply(struct ctr *c, struct err *e)
{
	if (c->ps.apparmor) {
		char *v;
		int rc;
		if (access("/sys/kernel/security/apparmor", F_OK) < 0)
			return err_set(e, ENOTSUP, "apparmor profile \"%s\" specified but AppArmor "
				       "is not enabled on the host", c->ps.apparmor);
		v = fmt_alloc("exec %s", c->ps.apparmor);
		rc = write_file("/proc/thread-self/attr/apparmor/exec", v, e);
		if (rc < 0)
			rc = write_file("/proc/thread-self/attr/exec", v, e);
		free(v);
		if (rc < 0)
			return err_wrap(e, "apply apparmor profile");
	}
	if (c->ps.selinux) {
		if (access("/sys/fs/selinux/enforce", F_OK) < 0)
			return err_set(e, ENOTSUP, "selinux label \"%s\" specified but SELinux is "
				       "not enabled on the host", c->ps.selinux);
		if (write_file("/proc/thread-self/attr/exec", c->ps.selinux, e) < 0)
			return err_wrap(e, "apply selinux label");
	}
	return 0;
}

/* The parent writes the init's pid into the cgroups while the init mounts; what depends on
 * the init's own cgroup (a cgroup mount, and everything after the mounts) waits here. */
static int await_cgroup(void *arg, struct err *e)
{
	struct ctr *c = arg;
	struct sync_msg m;
	return sync_expect(c->sync[1], SYNC_CGROUP_JOINED, &m, e);
}

/* No mount namespace: chroot into the rootfs (runc's behaviour), then chdir /. */
static int chroot_only(struct ctr *c, struct err *e)
{
	const char *rootfs = spec_rootfs(&c->spec);
	/* Nothing is mounted in the chroot, so exec.fifo is reopened through this /proc (the
	 * same instance the container sees without a mount namespace); closed before execve. */
	c->procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->procfd < 0)
		return err_sys(e, "open /proc");
	if (chdir(rootfs) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return err_sys(e, "chroot %s", rootfs);
	return 0;
}

void rt_init(struct ctr *c)
{
	struct sync_msg m;
	struct err e;
	size_t i;

	close(c->sync[0]);
	c->sync[0] = -1;
	/* The state dir fd carries create's flock: the init must not hold it while it waits. */
	close(c->dirfd);
	close(c->rootfd);
	c->dirfd = c->rootfd = -1;
	if (c->console_peer >= 0) {
		close(c->console_peer);
		c->console_peer = -1;
	}
	/* Signals reset: the parent may block some. */
	{
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Non-dumpable until execve (which resets it): nothing in the container can ptrace the
	 * init or open the fds in /proc/<init>/fd while it holds host fds (CVE-2016-9962). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	stage1(c);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (setsid() < 0) {
		err_sys(&e, "setsid");
		child_die(c, &e);
	}
	if (!c->o->no_new_keyring) {
		char *name = fmt_alloc("_ses.%s", c->o->id);
		/* KEYCTL_JOIN_SESSION_KEYRING; failure (no keyctl in the kernel) is ignored. */
		syscall(SYS_keyctl, 1, name);
		free(name);
	}
	/* Without a mount namespace there is nothing to mount: runc only chroots. */
	c->rfs.rootfd = -1;
	c->rfs.await_cgroup = await_cgroup;
	c->rfs.await_arg = c;
	if (spec_has_ns(&c->spec, "mount")) {
		if (rootfs_ctx_init(&c->rfs, &c->spec, &e) < 0)
			child_die(c, &e);
		c->rfs.no_pivot = c->o->no_pivot;
		c->rfs.await_cgroup = await_cgroup;
		c->rfs.await_arg = c;
		if (rootfs_prepare(&c->rfs, &e) < 0)
			child_die(c, &e);
	}
	if (c->rfs.await_cgroup && await_cgroup(c, &e) < 0)
		_exit(1);
	c->rfs.await_cgroup = NULL;
	if (sync_send(c->sync[1], SYNC_MOUNTS_DONE, 0, NULL, &e) < 0 ||
	    sync_expect(c->sync[1], SYNC_HOOKS_DONE, &m, &e) < 0)
		_exit(1);
	/* createContainer: in the container's namespaces, before the pivot; "pid" is ours. */
	{
		pid_t hpid = c->st.pid;
		c->st.pid = getpid();
		if (rt_run_hooks(&c->spec, &c->st, SPEC_HOOK_CREATE_CONTAINER, "created", &e) < 0)
			child_die(c, &e);
		c->st.pid = hpid;
	}
	/* rootfs_pivot also reopens a host /dev/null on stdio from the container's /dev. */
	if (spec_has_ns(&c->spec, "mount") ? rootfs_pivot(&c->rfs, &e) < 0 : chroot_only(c, &e) < 0)
		child_die(c, &e);
	/* cwd: created if missing, before the root turns read-only (runc does it while
	 * preparing the rootfs). */
	{
		struct stat sb;
		if (stat(c->spec.cwd, &sb) < 0 && errno == ENOENT) {
			char *p = xstrdup(c->spec.cwd), *q;
			for (q = p + 1; *q; q++)
				if (*q == '/') {
					*q = 0;
					mkdir(p, 0755);
					*q = '/';
				}
			mkdir(p, 0755);
			free(p);
		}
	}
	if (c->spec.terminal && rt_console_setup(c, &e) < 0)
		child_die(c, &e);
	if (c->spec.hostname && sethostname(c->spec.hostname, strlen(c->spec.hostname)) < 0) {
		err_sys(&e, "sethostname");
		child_die(c, &e);
	}
	if (c->ps.domainname && setdomainname(c->ps.domainname, strlen(c->ps.domainname)) < 0) {
		err_sys(&e, "setdomainname");
		child_die(c, &e);
	}
	if (rt_lsm_apply(c, &e) < 0 || set_sysctls(c, &e) < 0)
		child_die(c, &e);
	if (spec_has_ns(&c->spec, "mount") && rootfs_finalize(&c->rfs, &e) < 0)
		child_die(c, &e);
	rootfs_ctx_close(&c->rfs);
	if (c->ps.nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		err_sys(&e, "set no_new_privs");
		child_die(c, &e);
	}
	if (c->ps.has_personality && personality(c->ps.personality) < 0) {
		err_sys(&e, "personality");
		child_die(c, &e);
	}
	(void)i;
	rt_init_final(c);
}
