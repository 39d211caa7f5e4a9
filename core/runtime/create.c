/* create: the parent side of `create`/`run` (see runtime.h): validate, state dir, cgroup,
 * exec.fifo, the clone, the sync protocol (sync.h), hooks, state.json, pid file. */
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "ns/ns.h"
#include "sys/sock.h"
#include "cgroup/update.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include "proc.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The init loaded a filter with a notify listener as its fd `nr`: take a copy through a
 * pidfd and send it with the container state to listenerPath, as runc does. */
int rt_seccomp_hand_over(struct ctr *c, const char *id, const char *bundle, int nr,
			 struct err *e)
{
	struct seccomp_state ss = { CRBOX_OCI_VERSION, id, "creating", bundle, (int)c->pid, NULL,
				    0 };
	const char **ann = xcalloc(2 * c->spec.nannotations + 1, sizeof *ann);
	struct buf b = BUF_INIT;
	int pidfd, fd, rc;
	size_t i;

	pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (pidfd < 0)
		return err_sys(e, "seccomp listener: pidfd_open %d", (int)c->pid);
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, nr, 0);
	close(pidfd);
	if (fd < 0)
		return err_sys(e, "seccomp listener: pidfd_getfd");
	for (i = 0; i < c->spec.nannotations; i++) {
		ann[2 * i] = c->spec.annotations[i].key;
		ann[2 * i + 1] = c->spec.annotations[i].value;
	}
	ss.annotations = ann;
	ss.nannotations = c->spec.nannotations;
	seccomp_listener_payload(&b, &ss, c->sc.listener_metadata);
	rc = seccomp_send_listener(c->sc.listener_path, fd, b.p, b.len, e);
	close(fd);
	buf_free(&b);
	free(ann);
	if (rc < 0)
		return err_wrap(e, "seccomp listener %s", c->sc.listener_path);
	return sync_send(c->sync[0], SYNC_SECCOMP_ACK, 0, NULL, e);
}

int rt_sync_pid(struct ctr *c, int pid, struct err *e)
{
	int st;
	c->pid = pid;
	if (c->pid != c->stage1) {
		proc_wait(c->stage1, &st, 0, e);
		c->stage1 = 0;
	}
	c->st.pid = c->pid;
	if (proc_start_time(c->pid, &c->st.start_time, NULL, e) < 0)
		return err_wrap(e, "%s %d", c->is_exec ? "exec process" : "container init",
				(int)c->pid);
	return sync_send(c->sync[0], SYNC_PID_ACK, 0, NULL, e);
}

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int rt_run_hooks(const struct spec *s, const struct state *st, int kind, const char *status,
		 struct err *e)
{
	struct buf in = BUF_INIT;
	size_t i;
	int rc = 0;

	if (!s->nhooks[kind])
		return 0;
	state_oci_json(st, status, &in);
	for (i = 0; i < s->nhooks[kind] && rc == 0; i++) {
		const struct spec_hook *h = &s->hooks[kind][i];
		rc = proc_run_hook(h->path, h->args, h->env, h->timeout, in.p, in.len, e);
		if (rc < 0)
			err_wrap(e, "error running %s hook #%zu", spec_hook_names[kind], i);
	}
	buf_free(&in);
	return rc;
}

/* Makes the container's cgroups and writes pid into them (the container's first process:
 * stage 1 before GO when it makes a cgroup namespace, else the init while it mounts). */
static int cgroup_join(struct ctr *c, pid_t pid, struct err *e)
{
	c->cg_made = 1;     /* rt_abort removes what cgroup_create made, even in part */
	if (cgroup_create(&c->cg, e) < 0)
		return -1;
	if (cgroup_enter(&c->cg, pid, e) < 0)
		return -1;
	c->joined = 1;
	cgroup_warm_end(c->warm);
	c->warm = 0;
	return 0;
}

/* The parent's half of the protocol, until SYNC_READY. */
static int parent_sync(struct ctr *c, struct err *e)
{
	struct sync_msg m;
	int r;

	if (sync_send(c->sync[0], SYNC_GO, 0, NULL, e) < 0)
		return -1;
	for (;;) {
		r = sync_recv(c->sync[0], &m, e);
		if (r < 0)
			return -1;
		if (r == 0)
			return err_set(e, EPIPE, "container init exited unexpectedly");
		switch (m.type) {
		case SYNC_ERROR:
			return err_set(e, m.val, "%s", m.msg);
		case SYNC_USERMAP_PLS:
			if (ns_write_map(c->stage1, "gid_map", c->spec.gid_mappings,
				      c->spec.ngid_mappings, e) < 0 ||
			    ns_write_map(c->stage1, "uid_map", c->spec.uid_mappings,
				      c->spec.nuid_mappings, e) < 0 ||
			    sync_send(c->sync[0], SYNC_USERMAP_ACK, 0, NULL, e) < 0)
				return -1;
			break;
		case SYNC_PID:
			/* The init goes on mounting while its pid is written into the cgroups
			 * (the first such write waits for the kernel, ~10 ms); it waits for
			 * SYNC_CGROUP_JOINED before anything that depends on its cgroup. */
			if (rt_sync_pid(c, m.val, e) < 0)
				return -1;
			if (!c->joined && cgroup_join(c, c->pid, e) < 0)
				return -1;
			if (sync_send(c->sync[0], SYNC_CGROUP_JOINED, 0, NULL, e) < 0)
				return -1;
			break;
		case SYNC_MOUNTS_DONE:
			/* runc's procHooks point: resources are applied, then prestart and
			 * createRuntime run in the runtime's namespaces. */
			if (cgroup_apply_resources(&c->cg, &c->spec.res, e) < 0 ||
			    rt_run_hooks(&c->spec, &c->st, SPEC_HOOK_PRESTART, "creating", e) < 0 ||
			    rt_run_hooks(&c->spec, &c->st, SPEC_HOOK_CREATE_RUNTIME, "creating", e) < 0 ||
			    sync_send(c->sync[0], SYNC_HOOKS_DONE, 0, NULL, e) < 0)
				return -1;
			break;
		case SYNC_SECCOMP_FD:
			if (rt_seccomp_hand_over(c, c->st.id, c->st.bundle, m.val, e) < 0)
				return -1;
			break;
		case SYNC_READY:
			return 0;
		default:
			return err_set(e, EPROTO, "sync: unexpected %s", sync_name(m.type));
		}
	}
}

static int launch(struct ctr *c, struct err *e)
{
	long pid;

	if (sync_pair(c->sync, e) < 0)
		return -1;
	pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return err_sys(e, "clone");
	if (pid == 0)
		rt_init(c);
	c->stage1 = (pid_t)pid;
	close(c->sync[1]);
	c->sync[1] = -1;
	if (c->console >= 0 && c->console_peer < 0) {
		close(c->console);
		c->console = -1;
	}
	/* A new cgroup namespace takes the cgroup the child is in when it unshares: then the
	 * child joins before it runs anything. Otherwise the init (stage1's child, or stage1)
	 * joins once its pid is known, while it mounts (parent_sync); stage1 forks nothing
	 * else and runs no container code. */
	if ((c->clone_flags & CLONE_NEWCGROUP) && cgroup_join(c, c->stage1, e) < 0)
		return -1;
	return parent_sync(c, e);
}

int rt_create(struct ctr *c, const struct rt_opts *o, struct err *e)
{
	char cwd[4096], t[STATE_TIME_LEN];
	const char *lf = getenv("LISTEN_FDS"), *lp = getenv("LISTEN_PID");
	int i, sv[2];

	memset(c, 0, sizeof *c);
	c->o = o;
	c->rootfd = c->dirfd = c->console = c->console_peer = c->pty_master = c->fifo = c->procfd = c->pidfd = -1;
	c->sync[0] = c->sync[1] = -1;
	for (i = 0; i < SPEC_NS_N; i++)
		c->nsfd[i] = -1;
	if (lf && lp && atoi(lp) == getpid() && atoi(lf) > 0)
		c->nlisten = atoi(lf);
	/* The wait of the first cgroup join (an RCU grace period, ~10 ms) starts now in a
	 * helper and runs while the spec is read, the state dir made and the init mounts
	 * (docs/cgroups.md). */
	c->warm = cgroup_warm_start();

	if (o->bundle && *o->bundle && chdir(o->bundle) < 0)
		return err_sys(e, "chdir %s", o->bundle);
	if (!getcwd(cwd, sizeof cwd))
		return err_sys(e, "getcwd");
	if (spec_load(&c->spec, ".", e) < 0 || pspec_load(&c->ps, &c->spec, e) < 0)
		return -1;
	if (c->spec.terminal && !o->foreground && !o->console_socket)
		return err_set(e, EINVAL, "cannot allocate tty if %s will detach without setting "
			       "console socket", o->prog);
	if (!c->spec.terminal && o->console_socket)
		return err_set(e, EINVAL, "cannot use console socket if %s will not detach or "
			       "allocate tty", o->prog);
	if (ns_plan(&c->spec, &c->ps, &c->clone_flags, c->nsfd, e) < 0 || rootfs_validate(spec_rootfs(&c->spec), e) < 0)
		return -1;
	/* The cgroup paths now; the dirs are made just before the join (cgroup_join), since
	 * mkdir waits for the grace period the warm-up helper started above. */
	if (cgroup_paths_for(c->spec.cgroups_path, o->id, &c->cg, e) < 0)
		return -1;
	/* Compiled here, before anything exists, so a bad profile fails cleanly; the init
	 * inherits the program and only loads it. */
	if (seccomp_compile_spec(&c->spec, &c->sc, e) < 0)
		return -1;
	/* fds past the ones handed to the container must not reach it (the caller may leak
	 * some, conmon does): close-on-exec from here on; the init closes them before exec. */
	syscall(SYS_close_range, 3 + c->nlisten + o->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);

	c->rootfd = state_root_open(o->root, 1, e);
	if (c->rootfd < 0)
		return -1;
	c->dirfd = state_create(c->rootfd, o->id, e);
	if (c->dirfd < 0)
		return -1;
	/* before state_from_spec: the /run/notify bind is one of the container's mounts */
	{
		char *sd = fmt_alloc("%s/%s", o->root, o->id);
		int r = rt_notify_prepare(c, sd, e);
		free(sd);
		if (r < 0)
			return -1;
	}
	state_from_spec(&c->st, &c->spec, o->id);
	state_time_now(t, sizeof t);
	c->st.created = xstrdup(t);
	/* start needs the hooks of this config even if the bundle changes: keep a copy. */
	{
		struct buf b = BUF_INIT;
		char *cfg = fmt_alloc("%s/config.json", c->spec.bundle);
		int fd, r = fs_read_file(cfg, 4u << 20, &b, e);
		free(cfg);
		if (r < 0)
			return -1;
		fd = openat(c->dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		r = fd < 0 || write_all(fd, b.p, b.len) < 0;
		if (fd >= 0)
			close(fd);
		buf_free(&b);
		if (r)
			return err_sys(e, "copy config.json into the state dir");
	}
	/* 0622 whatever the umask, owned by the container's root, so the init can open it for
	 * writing after it switched to the process user. */
	if (mkfifoat(c->dirfd, "exec.fifo", 0622) < 0 ||
	    fchmodat(c->dirfd, "exec.fifo", 0622, 0) < 0 ||
	    fchownat(c->dirfd, "exec.fifo", ns_root_host_id(c->spec.uid_mappings, c->spec.nuid_mappings),
		     ns_root_host_id(c->spec.gid_mappings, c->spec.ngid_mappings), AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(e, "mkfifo exec.fifo");
	c->fifo = openat(c->dirfd, "exec.fifo", O_PATH | O_CLOEXEC);
	if (c->fifo < 0)
		return err_sys(e, "open exec.fifo");

	for (i = 0; i < (int)c->cg.n; i++)
		state_kv_set(&c->st.cgroup_paths, &c->st.ncgroup_paths, c->cg.v[i].key,
			     c->cg.v[i].dir);

	if (c->spec.terminal) {
		if (o->console_socket) {
			c->console = sock_connect(o->console_socket, e);
			if (c->console < 0)
				return -1;
		} else {
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
				return err_sys(e, "socketpair");
			c->console_peer = sv[0];
			c->console = sv[1];
		}
	}
	if (launch(c, e) < 0)
		return -1;
	if (c->console_peer >= 0) {
		close(c->console);
		c->console = -1;
		c->pty_master = sock_recv_fd(c->console_peer, e);
		if (c->pty_master < 0)
			return -1;
	}
	ns_fill_state(&c->st, c->pid);
	if (proc_fd_links(c->pid, c->st.ext_desc, e) < 0)
		return -1;
	/* update reads the limits the container was created with from here, as for a restore. */
	if (cgroup_record_save(c->dirfd, &c->spec.res, e) < 0 || state_write(c->dirfd, &c->st, e) < 0)
		return -1;
	c->state_written = 1;
	if (o->pid_file && pidfile_write(o->pid_file, c->pid, e) < 0)
		return -1;
	close(c->sync[0]);
	c->sync[0] = -1;
	return 0;
}

void rt_abort(struct ctr *c)
{
	struct err e;
	int st;

	if (c->stage1 > 0) {
		kill(c->stage1, SIGKILL);
		proc_wait(c->stage1, &st, 0, &e);
		c->stage1 = 0;
	}
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		proc_wait(c->pid, &st, 0, &e);
		c->pid = 0;
	}
	if (c->cg_made) {
		cgroup_kill_all(&c->cg, 3000, &e);
		cgroup_remove(&c->cg, 1, &e);
		c->cg_made = 0;
	}
	if (c->dirfd >= 0) {
		state_destroy(c->rootfd, c->o->id, c->dirfd, &e);
		close(c->dirfd);
		c->dirfd = -1;
	}
}

void rt_ctr_free(struct ctr *c)
{
	int i;
	cgroup_warm_end(c->warm);
	c->warm = 0;
	for (i = 0; i < SPEC_NS_N; i++)
		if (c->nsfd[i] >= 0)
			close(c->nsfd[i]);
	if (c->sync[0] >= 0)
		close(c->sync[0]);
	if (c->console >= 0)
		close(c->console);
	if (c->console_peer >= 0)
		close(c->console_peer);
	if (c->fifo >= 0)
		close(c->fifo);
	cgroup_paths_free(&c->cg);
	free(c->notify_dir);
	pspec_free(&c->ps);
	seccomp_prog_free(&c->sc);
	spec_free(&c->spec);
	state_free(&c->st);
	if (c->dirfd >= 0)
		close(c->dirfd);
	if (c->rootfd >= 0)
		close(c->rootfd);
}
