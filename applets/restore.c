/* restore: `crbox restore [flags] <id>` brings a container back from a CRIU checkpoint, as
 * `runc restore` does (flags, defaults and exit codes of runc 1.1.5/main; see
 * docs/criu-requests.md). Beyond runc: --tcp-close and
 * --network-lock (crun's), image checks before anything is created, and a default work dir
 * that is never the image dir (images are never written by restore). */
#include "common.h"
#include "archive/bundle.h"
#include "archive/stats.h"
#include "interop/crun.h"
#include "buf.h"
#include "cgroup/cgroup.h"
#include "criu.h"
#include "crop.h"
#include "ctr.h"
#include "fmt.h"
#include "fsutil.h"
#include "image.h"
#include "mount.h"
#include "proc.h"
#include "spec.h"
#include "state.h"
#include "state/busy.h"
#include <errno.h>
#include <stdio.h> /* renameat only */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <dirent.h>
#include <sys/mount.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct ropts {
	const char *console_socket, *image_path, *work_path, *manage_cgroups_mode, *bundle;
	const char *pid_file, *lsm_profile, *lsm_mount_context, *network_lock;
	const char *import, *keep_image;
	int print_stats;
	int tcp_established, ext_unix_sk, shell_job, file_locks, detach, no_subreaper, no_pivot;
	int auto_dedup, lazy_pages, tcp_close;
	struct strv empty_ns;
};

#define R struct ropts
static const struct opt tab[] = {
	OPT("console-socket", NULL, OPT_STR, R, console_socket, "value",
	    "path to an AF_UNIX socket which will receive a file descriptor referencing the "
	    "master end of the console's pseudoterminal"),
	OPT("image-path", NULL, OPT_STR, R, image_path, "value",
	    "path to criu image files for restoring (default: ./checkpoint)"),
	OPT("work-path", NULL, OPT_STR, R, work_path, "value",
	    "path for saving work files and logs (default: the container's state directory)"),
	OPT("tcp-established", NULL, OPT_BOOL, R, tcp_established, NULL, "allow open tcp connections"),
	OPT("ext-unix-sk", NULL, OPT_BOOL, R, ext_unix_sk, NULL, "allow external unix sockets"),
	OPT("shell-job", NULL, OPT_BOOL, R, shell_job, NULL, "allow shell jobs"),
	OPT("file-locks", NULL, OPT_BOOL, R, file_locks, NULL, "handle file locks, for safety"),
	OPT("manage-cgroups-mode", NULL, OPT_STR, R, manage_cgroups_mode, "value",
	    "cgroups mode: soft (default), full, strict or ignore"),
	OPT("bundle", "b", OPT_STR, R, bundle, "value", "path to the root of the bundle directory"),
	OPT("detach", "d", OPT_BOOL, R, detach, NULL, "detach from the container's process"),
	OPT("pid-file", NULL, OPT_STR, R, pid_file, "value",
	    "specify the file to write the process id to"),
	OPT("no-subreaper", NULL, OPT_BOOL, R, no_subreaper, NULL,
	    "disable the use of the subreaper used to reap reparented processes"),
	OPT("no-pivot", NULL, OPT_BOOL, R, no_pivot, NULL,
	    "accepted for runc compatibility (CRIU restores the mount tree itself)"),
	OPT("empty-ns", NULL, OPT_STRV, R, empty_ns, "value",
	    "create a namespace, but don't restore its properties (only: network)"),
	OPT("auto-dedup", NULL, OPT_BOOL, R, auto_dedup, NULL,
	    "enable auto deduplication of memory images"),
	OPT("lazy-pages", NULL, OPT_BOOL, R, lazy_pages, NULL,
	    "use userfaultfd to lazily restore memory pages"),
	OPT("lsm-profile", NULL, OPT_STR, R, lsm_profile, "value",
	    "LSM profile to restore the processes with, as TYPE:NAME"),
	OPT("lsm-mount-context", NULL, OPT_STR, R, lsm_mount_context, "value",
	    "LSM mount context to restore mounts with"),
	OPT("tcp-close", NULL, OPT_BOOL, R, tcp_close, NULL,
	    "close established tcp connections instead of restoring them (CRIU >= 3.12)"),
	OPT("network-lock", NULL, OPT_STR, R, network_lock, "value",
	    "how CRIU locks the network: iptables (default), nftables or skip (CRIU >= 3.16)"),
	OPT("import", NULL, OPT_STR, R, import, "FILE",
	    "restore from a checkpoint archive (crbox or Podman; - for stdin), verified first"),
	OPT("keep-image", NULL, OPT_STR, R, keep_image, "DIR",
	    "with --import: extract into DIR (which must not exist) and keep it"),
	OPT("print-stats", NULL, OPT_BOOL, R, print_stats, NULL,
	    "print CRIU's and crbox's statistics as JSON"),
};
#undef R

static const struct applet_info info = {
	"restore", "restore a container from a previous checkpoint",
	"[command options] <container-id>\n\nWhere \"<container-id>\" is the name for the instance "
	"of the container to be\nrestored.",
	"Restores the saved state of the container instance that was previously saved\n"
	"using the checkpoint command (of crbox or runc).",
	tab, sizeof tab / sizeof tab[0],
};
/* The real option table, for the option-parser fuzz target. */
const struct applet_info *const restore_applet_info = &info;

/* Everything a restore holds, so one cleanup can undo it in reverse. */
/* A failed restore's CRIU log, kept in the state root (the state dir is removed). */
#define RESTORE_LOG_FMT "restore@%s.log"

struct rst {
	struct ropts o;
	const char *id;
	struct spec spec;
	struct state st;
	int rootfd, dirfd, imgfd, workfd;
	char *statedir, *criu_root, *image_path, *pid_file;
	int default_work;              /* work dir is the state dir */
	struct cgroup_paths cg;
	struct swrk sw;
	int nsfd[SPEC_NS_N];
	int nns;
	int console;                   /* connection to --console-socket, or our end of a pair */
	int pty_master;                /* foreground terminal: the received master */
	int state_written;
	int criu_started;              /* criu was spawned: its yard may need sweeping */
	pid_t warm;                    /* cgroup_warm_start's helper until criu joined */
	int cg_entered;                /* criu joined the cgroups: what is in them is ours */
	struct swrk_version ver;
	char *dump_desc[3];            /* descriptors.json: stdio at dump time */
	CriuOpts opts;                 /* the RESTORE request's options, built in two steps */
};

static int console_connect(const char *path, struct err *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;
	if (strlen(path) >= sizeof a.sun_path)
		return err_set(e, ENAMETOOLONG, "console socket path too long: %s", path);
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, "console socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		err_sys(e, "connect to console socket %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int send_fd(int sock, int fd, const char *name, struct err *e)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)name, strlen(name) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof cbuf };
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof cbuf);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	while (sendmsg(sock, &m, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return err_sys(e, "send the console master over the console socket");
	return 0;
}

static void fill_ns_paths(struct state *st, int pid)
{
	size_t i;
	for (i = 0; i < SPEC_NS_N; i++) {
		char *p = fmt_alloc("/proc/%d/ns/%s", pid, spec_nstypes[i].proc);
		if (access(p, F_OK) == 0)
			state_kv_set(&st->ns_paths, &st->nns_paths, spec_nstypes[i].runc, p);
		free(p);
	}
}

/* OCI hooks from config.json, with the hook state (status "creating") on stdin. No lock is
 * held (a hook may run crbox state/kill on this id); a termination signal ends the hook. */
static int run_hooks(struct rst *r, int kind, struct err *e)
{
	struct buf in = BUF_INIT;
	size_t i;
	int rc = 0;

	if (!r->spec.nhooks[kind])
		return 0;
	state_hook_json(&r->st, "creating", &in);
	for (i = 0; i < r->spec.nhooks[kind] && rc == 0; i++) {
		const struct spec_hook *h = &r->spec.hooks[kind][i];
		rc = proc_run_hook_intr(h->path, h->args, h->env, h->timeout, in.p, in.len,
					r->sw.intr_fd, e);
		if (rc < 0)
			err_wrap(e, "%s hook #%zu", spec_hook_names[kind], i);
	}
	buf_free(&in);
	return rc;
}

/* SIGINT, SIGTERM, SIGHUP and SIGQUIT are blocked while the container is being made; one
 * that arrives meanwhile aborts the restore (and everything is undone). */
static int interrupted(struct err *e)
{
	int sig = term_signal_pending();
	if (sig)
		return err_set(e, EINTR, "restore interrupted by signal %d (%s)", sig, strsignal(sig));
	return 0;
}

static int on_notify(struct swrk_notify *n, void *ud, struct err *e)
{
	struct rst *r = ud;

	if (interrupted(e) < 0)
		return -1;

	log_debug("notify: %s", n->script);
	if (!strcmp(n->script, "setup-namespaces")) {
		/* prestart then createRuntime, with the restored pid (runc's order). The mount
		 * tree of the container is not restored yet at this point. */
		r->st.pid = n->pid;
		/* state.json with the pid first, so a hook's `crbox state|kill <id>` finds it
		 * (status "creating" while our claim lives). */
		if (proc_start_time(n->pid, &r->st.start_time, NULL, e) < 0)
			return err_wrap(e, "restored init %d", n->pid);
		if (state_write(r->dirfd, &r->st, e) < 0)
			return -1;
		if (run_hooks(r, SPEC_HOOK_PRESTART, e) < 0)
			return -1;
		return run_hooks(r, SPEC_HOOK_CREATE_RUNTIME, e);
	}
	if (!strcmp(n->script, "orphan-pts-master")) {
		if (n->fd < 0)
			return err_set(e, EPROTO, "criu sent orphan-pts-master without a file descriptor");
		if (r->o.detach) {
			if (send_fd(r->console, n->fd, "orphan-pts-master", e) < 0)
				return -1;
		} else {
			r->pty_master = n->fd;
			n->fd = -1;
		}
		return 0;
	}
	if (!strcmp(n->script, "post-restore")) {
		char t[STATE_TIME_LEN];
		/* The tasks are in place and not running yet: the spec's resources and device
		 * rules win over whatever CRIU's cgroup mode restored or skipped (runc's Set). */
		if (cgroup_apply_resources(&r->cg, &r->spec.res, e) < 0)
			return -1;
		r->st.pid = n->pid;
		if (proc_start_time(n->pid, &r->st.start_time, NULL, e) < 0)
			return err_wrap(e, "restored init %d", n->pid);
		state_time_now(t, sizeof t);
		free(r->st.created);
		r->st.created = xstrdup(t);
		fill_ns_paths(&r->st, n->pid);
		if (state_write(r->dirfd, &r->st, e) < 0)
			return -1;
		r->state_written = 1;
		unlinkat(r->dirfd, "checkpoint", 0);
		return 0;
	}
	return 0;
}

/* CRIU mounts its cgroup yard (.criu.cgyard.XXXXXX, a tmpfs with the hierarchies below) in
 * its work dir and unmounts it itself; a criu that was killed leaves it mounted. In a given
 * --work-path (the state dir is swept by state_destroy) only the yard this restore's CRIU
 * named in its log is detached and removed: another restore sharing the work path keeps
 * its own. */
static void sweep_cgyard(int workfd)
{
	char yard[64], *p;
	struct stat sb;

	if (swrk_log_yard(workfd, "restore.log", yard, sizeof yard) < 0 ||
	    fstatat(workfd, yard, &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(sb.st_mode))
		return;
	p = fmt_alloc("/proc/self/fd/%d/%s", workfd, yard);
	for (int i = 0; i < 8 && umount2(p, MNT_DETACH | UMOUNT_NOFOLLOW) == 0; i++)
		;
	free(p);
	unlinkat(workfd, yard, AT_REMOVEDIR);
}

/* Undo everything a failed restore made: restored tasks, criu, mounts, cgroups, state. The
 * image directory is never touched. */
static void cleanup(struct rst *r)
{
	struct err e;
	int i, st;

	cgroup_warm_end(r->warm);
	r->warm = 0;
	if (r->st.pid > 0)
		kill(r->st.pid, SIGKILL);
	/* Only once criu joined: before that a process in the cgroup is someone else's (the
	 * "not empty" refusal) and must survive the failed restore. */
	if (r->cg.n && r->cg_entered)
		cgroup_kill_all(&r->cg, 3000, &e);
	swrk_abort(&r->sw, SIGKILL);
	/* Restored tasks are our children (rst_sibling): reap them, criu is reaped already. */
	while (waitpid(-1, &st, WNOHANG) > 0)
		;
	if (r->st.pid > 0)
		proc_wait(r->st.pid, &st, 0, &e);
	if (r->criu_root && mount_criu_root_undo(r->criu_root, &e) < 0)
		report(&e);
	if (!r->default_work && r->workfd >= 0 && r->criu_started)
		sweep_cgyard(r->workfd);
	if (r->cg.n && cgroup_remove(&r->cg, 1, &e) < 0)
		report(&e);
	if (r->dirfd >= 0) {
		if (r->default_work) {
			/* Keep the CRIU log of the failed run beside the (removed) state dir, under
			 * a name no container id can take ('@' is not allowed in ids). */
			char *to = fmt_alloc(RESTORE_LOG_FMT, r->id);
			if (renameat(r->dirfd, "restore.log", r->rootfd, to) == 0)
				log_error("full CRIU log: %s/%s", g.root, to);
			free(to);
		}
		if (state_destroy(r->rootfd, r->id, r->dirfd, &e) < 0)
			report(&e);
	}
	for (i = 0; i < r->nns; i++)
		close(r->nsfd[i]);
	r->nns = 0;
}

/* Checks and preparation that create nothing. */
static int preflight(struct rst *r, struct err *e)
{
	char cwd[PATH_MAX];
	size_t i;

	if (!getcwd(cwd, sizeof cwd))
		return err_sys(e, "getcwd");
	if (r->o.pid_file)
		r->pid_file = r->o.pid_file[0] == '/' ? xstrdup(r->o.pid_file)
						      : fmt_alloc("%s/%s", cwd, r->o.pid_file);
	/* The default image path is absolute (cwd at start); a given relative one is opened
	 * relative to the bundle, as runc does after its chdir. */
	r->image_path = r->o.image_path && *r->o.image_path ? xstrdup(r->o.image_path)
							    : fmt_alloc("%s/checkpoint", cwd);
	{
		/* criu is resolved before the chdir into the bundle: a relative --criu keeps
		 * naming what it named where crbox started, and a PATH lookup never looks in
		 * a directory (the bundle) that the caller may not control. Not found: the
		 * version probe below says so. */
		struct err e2;
		char *c = swrk_find(g.criu, &e2);
		if (c && c[0] != '/') {
			char *abs = fmt_alloc("%s/%s", cwd, c);
			free(c);
			c = abs;
		}
		if (c)
			g.criu = c;   /* lives until exit */
	}
	if (r->o.bundle && *r->o.bundle && chdir(r->o.bundle) < 0)
		return err_sys(e, "bundle %s", r->o.bundle);
	if (spec_load(&r->spec, ".", e) < 0)
		return -1;
	if (r->o.detach && r->spec.terminal && !r->o.console_socket)
		return err_set(e, 0, "cannot allocate tty if crbox will detach without setting "
				     "console socket");
	if (r->o.console_socket && (!r->o.detach || !r->spec.terminal))
		return err_set(e, 0, "cannot use console socket if crbox will not detach or "
				     "allocate tty");
	r->imgfd = image_open(r->image_path, e);
	if (r->imgfd < 0)
		return -1;
	if (image_check(r->imgfd, r->o.lazy_pages, e) < 0)
		return err_wrap(e, "image path %s", r->image_path);
	if (image_descriptors_read(r->imgfd, r->dump_desc, e) < 0)
		return err_wrap(e, "image path %s", r->image_path);
	for (i = 0; i < SPEC_NS_N; i++)
		r->nsfd[i] = -1;
	{
		/* The state root, once it exists, caches CRIU's version: no probe per restore. */
		int cfd = open(g.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), vrc;
		vrc = swrk_version_cached(g.criu, cfd, &r->ver, e);
		if (cfd >= 0)
			close(cfd);
		if (vrc < 0)
			return -1;
	}
	if (swrk_version_require(&r->ver, SWRK_MIN_VERSION, NULL, e) < 0)
		return -1;
	if ((r->o.lsm_profile || r->o.lsm_mount_context) &&
	    swrk_version_require(&r->ver, 31600, "--lsm-profile/--lsm-mount-context", e) < 0)
		return -1;
	if (r->o.tcp_close && swrk_version_require(&r->ver, 31200, "--tcp-close", e) < 0)
		return -1;
	if (r->o.lazy_pages) {
		struct swrk_features want = { .lazy_pages = 1 }, got;
		if (swrk_features(g.criu, &want, &got, e) < 0)
			return -1;
		if (!got.lazy_pages)
			return err_set(e, ENOTSUP, "--lazy-pages: CRIU reports lazy pages are not "
					     "supported here (it needs userfaultfd with non-cooperative "
					     "events; see `criu check --feature uffd-noncoop`)");
	}
	{
		/* The shared options go into the request now, so bad flag values are refused
		 * before anything exists; build_request adds the rest. */
		struct crop_base b = {
			r->o.shell_job, r->o.ext_unix_sk, r->o.tcp_established, r->o.file_locks,
			r->o.auto_dedup, r->o.lazy_pages, r->o.manage_cgroups_mode,
			r->o.network_lock, &r->o.empty_ns,
		};
		if (crop_base(&r->opts, &b, "restore.log", r->ver.num, e) < 0)
			return -1;
	}
	for (i = 0; i < r->spec.nnamespaces; i++) {
		const struct spec_ns *ns = &r->spec.namespaces[i];
		if (!strcmp(ns->type, "network") &&
		    swrk_version_require(&r->ver, 31100, "an external network namespace", e) < 0)
			return -1;
		if (!strcmp(ns->type, "pid") &&
		    swrk_version_require(&r->ver, 31500, "an external pid namespace", e) < 0)
			return -1;
		if (ns->path && !strcmp(ns->type, "cgroup"))
			return err_set(e, 0, "config.json: joining a cgroup namespace by path is not "
					     "supported on restore");
	}
	return 0;
}

/* The RESTORE request, as runc builds it (docs/criu-requests.md). */
static int build_request(struct rst *r, CriuOpts *o, struct err *e)
{
	size_t i;
	int k;

	o->images_dir_fd = r->imgfd;
	o->has_evasive_devices = o->evasive_devices = 1;
	o->has_rst_sibling = o->rst_sibling = 1;
	o->root = r->criu_root;
	if (r->o.tcp_close)
		o->has_tcp_close = o->tcp_close = 1;
	o->has_work_dir_fd = 1;
	o->work_dir_fd = r->workfd;
	o->config_file = (char *)crop_config_file(&r->st);
	if (r->o.lsm_profile)
		o->lsm_profile = (char *)r->o.lsm_profile;
	if (r->o.lsm_mount_context)
		o->lsm_mount_context = (char *)r->o.lsm_mount_context;
	/* Namespaces in config order: net and pid with a path through inherit_fd (criu's fd
	 * 4 + n), the others with a path joined. */
	for (i = 0; i < r->spec.nnamespaces; i++) {
		const struct spec_ns *ns = &r->spec.namespaces[i];
		int net = !strcmp(ns->type, "network"), pid = !strcmp(ns->type, "pid");
		if (!ns->path)
			continue;
		if (net || pid) {
			int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return err_sys(e, "Requested %s namespace %s does not exist",
					       net ? "network" : "pid", ns->path);
			swrk_opts_add_inherit_fd(o, net ? "extRootNetNS" : "extRootPidNS", 4 + r->nns);
			r->nsfd[r->nns++] = fd;
		} else {
			swrk_opts_add_join_ns(o, ns->nt->proc, ns->path, NULL);
		}
	}
	if (crop_ext_mounts(o, &r->st, r->criu_root, 1, 0, e) < 0)
		return -1;
	/* crun's images: masked-path keys, .empty-directory keys, a saved netns. */
	if (interop_restore(o, r->imgfd, &r->st, r->o.empty_ns.n > 0, g.root, e) < 0)
		return -1;
	/* Pipes from descriptors.json come back on criu's (our) stdio 0-2. */
	for (k = 0; k < 3; k++)
		if (r->dump_desc[k] && strstr(r->dump_desc[k], "pipe:"))
			swrk_opts_add_inherit_fd(o, r->dump_desc[k], k);
	return 0;
}

/* Creates the state dir, mounts, cgroups; runs criu. On failure the caller cleans up. */
static int run(struct rst *r, struct err *e)
{
	CriuOpts *o = &r->opts;
	CriuReq req = CRIU_REQ__INIT;
	struct cgroup_self cs = { 0 };
	struct cgroup_kvs roots = { 0 };
	int stdio[3] = { 0, 1, 2 }, use_stdio = 1;
	size_t i;
	int rc = -1;

	r->rootfd = state_root_open(g.root, 1, e);
	if (r->rootfd < 0)
		return -1;
	r->dirfd = state_create(r->rootfd, r->id, e);
	if (r->dirfd < 0)
		return -1;
	/* The lock only covers the claim: none is held while hooks or CRIU run, so state,
	 * list and kill work meanwhile, and delete refuses the claimed container. */
	if (busy_claim(r->dirfd, "restore", e) < 0)
		return -1;
	flock(r->dirfd, LOCK_UN);
	r->statedir = fmt_alloc("%s/%s", g.root, r->id);
	if (r->o.work_path && *r->o.work_path) {
		if (fs_mkdir_p(r->o.work_path, 0700, e) < 0)
			return err_wrap(e, "work path");
		r->workfd = open(r->o.work_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (r->workfd < 0)
			return err_sys(e, "open work path %s", r->o.work_path);
		/* CRIU writes restore.log there; in a read-only dir it fails with no log. */
		if (faccessat(r->workfd, ".", W_OK, 0) < 0)
			return err_sys(e, "work path %s is not writable", r->o.work_path);
	} else {
		r->default_work = 1;
		r->workfd = r->dirfd;
	}
	state_from_spec(&r->st, &r->spec, r->id);
	if (mount_criu_root(r->statedir, spec_rootfs(&r->spec), &r->criu_root, e) < 0)
		goto out;
	if (mount_prepare_restore(r->criu_root, &r->spec, e) < 0)
		goto out;
	if (build_request(r, o, e) < 0)
		goto out;

	if (r->spec.terminal) {
		use_stdio = 0;
		if (r->o.detach) {
			r->console = console_connect(r->o.console_socket, e);
			if (r->console < 0)
				goto out;
		}
	}
	r->criu_started = 1;
	if (swrk_start(&r->sw, g.criu, use_stdio ? stdio : NULL, r->nsfd, r->nns, e) < 0)
		goto out;
	/* The cgroups after criu's spawn: mkdir waits for the grace period the warm-up helper
	 * (started before preflight) is paying, while criu execs and loads (docs/cgroups.md).
	 * criu only reads its socket until the request comes. */
	if (cgroup_paths_for(r->spec.cgroups_path, r->id, &r->cg, e) < 0 ||
	    cgroup_create(&r->cg, e) < 0)
		goto out;
	if (cgroup_frozen(&r->cg, e) == 1) {
		err_set(e, 0, "container's cgroup %s is frozen", cgroup_freezer_dir(&r->cg));
		goto out;
	}
	{
		pid_t *pids = NULL;
		size_t n = 0;
		if (cgroup_pids(&r->cg, &pids, &n, e) < 0)
			goto out;
		free(pids);
		if (n) {
			err_set(e, 0, "container's cgroup is not empty: %zu process(es) found", n);
			goto out;
		}
	}
	/* criu joins the container cgroup before the request: the restored tasks are created
	 * there, and cg_root tells CRIU where that is. */
	r->cg_entered = 1;   /* even in part: criu may be in some of them */
	if (cgroup_enter(&r->cg, r->sw.pid, e) < 0)
		goto out;
	cgroup_warm_end(r->warm);
	r->warm = 0;
	if (cgroup_apply_resources(&r->cg, &r->spec.res, e) < 0 ||
	    cgroup_self_paths(r->sw.pid, &cs, e) < 0)
		goto out;
	cgroup_cg_roots(&cs, &roots);
	for (i = 0; i < roots.n; i++)
		swrk_opts_add_cg_root(o, roots.v[i].key, roots.v[i].val);
	for (i = 0; i < r->cg.n; i++)
		state_kv_set(&r->st.cgroup_paths, &r->st.ncgroup_paths, r->cg.v[i].key,
			     r->cg.v[i].dir);
	if (proc_fd_links(r->sw.pid, r->st.ext_desc, e) < 0)
		goto out;
	/* A provisional state.json (no pid yet) records the cgroups: if crbox itself is
	 * killed, `delete` finds and removes them. */
	if (state_write(r->dirfd, &r->st, e) < 0)
		goto out;
	if (g.debug) {
		static const char *const modes[] = { "ignore", "none", "props", "soft", "full",
						     "strict", "default" };
		log_debug("manage_cgroups_mode %s", modes[o->manage_cgroups_mode % 7]);
		for (i = 0; i < o->n_ext_mnt; i++)
			log_debug("ext_mnt %s -> %s", o->ext_mnt[i]->key, o->ext_mnt[i]->val);
		for (i = 0; i < o->n_inherit_fd; i++)
			log_debug("inherit_fd %s -> %d", o->inherit_fd[i]->key, o->inherit_fd[i]->fd);
	}
	req.type = CRIU_REQ_TYPE__RESTORE;
	req.opts = o;
	if (swrk_call(&r->sw, &req, on_notify, r, NULL, e) < 0) {
		interop_criu_error(e, r->workfd, "restore.log", r->imgfd);
		report_criu_log(r->workfd, "restore.log", r->default_work ? NULL : r->o.work_path);
		goto out;
	}
	if (swrk_finish(&r->sw, 0, e) < 0)
		goto out;
	if (!r->state_written) {
		err_set(e, EPROTO, "criu finished without a post-restore notification");
		goto out;
	}
	rc = 0;
out:
	cgroup_kvs_free(&roots);
	cgroup_self_free(&cs);
	swrk_opts_free(o);
	return rc;
}

/* Foreground: wait for the init, forwarding signals, copying a terminal; then destroy the
 * container and return the init's exit status (128+signal when killed). */
static int foreground(struct rst *r, int sfd)
{
	struct termios saved;
	int raw = 0, status = 0, in_open = 1;
	struct err e;

	if (r->pty_master >= 0 && isatty(0) && tcgetattr(0, &saved) == 0) {
		struct termios t = saved;
		struct winsize ws;
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
		raw = 1;
		if (ioctl(0, TIOCGWINSZ, &ws) == 0)
			ioctl(r->pty_master, TIOCSWINSZ, &ws);
	}
	for (;;) {
		struct pollfd p[3] = { { sfd, POLLIN, 0 }, { 0, POLLIN, 0 }, { r->pty_master, POLLIN, 0 } };
		int np = r->pty_master >= 0 ? 3 : 1;
		if (!in_open)
			p[1].fd = -1;
		if (poll(p, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (np == 3 && (p[2].revents & (POLLIN | POLLHUP))) {
			char b[4096];
			ssize_t n = read(r->pty_master, b, sizeof b);
			if (n > 0)
				write_all(1, b, (size_t)n);
			else if (n <= 0 && errno != EINTR && errno != EAGAIN)
				r->pty_master = -1;
		}
		if (np == 3 && (p[1].revents & (POLLIN | POLLHUP))) {
			char b[4096];
			ssize_t n = read(0, b, sizeof b);
			if (n > 0)
				write_all(r->pty_master, b, (size_t)n);
			else
				in_open = 0;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) != sizeof si)
				continue;
			if (si.ssi_signo == SIGCHLD) {
				pid_t pid;
				int st, done = 0;
				while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
					if (pid == r->st.pid) {
						status = proc_exit_code(st);
						done = 1;
					}
				if (done)
					break;
			} else if (si.ssi_signo == SIGWINCH) {
				struct winsize ws;
				if (r->pty_master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
					ioctl(r->pty_master, TIOCSWINSZ, &ws);
			} else if (si.ssi_signo != SIGURG) {
				kill(r->st.pid, (int)si.ssi_signo);
			}
		}
	}
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	r->st.pid = 0;    /* gone: ctr_destroy must not signal a reused pid */
	/* Take the lock back; `delete -f` may have destroyed the container meanwhile, and a
	 * checkpoint that ended the init destroys it itself (its claim is live). */
	struct stat sb;
	flock(r->dirfd, LOCK_EX);
	if (fstat(r->dirfd, &sb) == 0 && sb.st_nlink > 0 && !busy_held(r->dirfd, NULL, 0, NULL) &&
	    ctr_destroy(r->rootfd, r->id, r->dirfd, &r->st, &e) < 0)
		report(&e);
	return status;
}

int restore_main(int argc, char **argv)
{
	struct rst r;
	struct rst_import ri = { 0 };
	struct err e;
	char **pos;
	int npos, rc, sfd = -1;
	uint64_t t0 = stats_now_us(), t1;
	sigset_t all, old;

	memset(&r, 0, sizeof r);
	r.rootfd = r.dirfd = r.imgfd = r.workfd = r.console = r.pty_master = -1;
	r.sw = (struct swrk)SWRK_INIT;
	criu_opts__init(&r.opts);
	if (applet_args(argc, argv, &info, &r.o, NULL, &pos, &npos, 1, &rc))
		return rc;
	r.id = pos[0];
	if (id_valid(r.id, &e) < 0)
		goto fail_early;
	if (geteuid() != 0)
		log_warn("crbox restore is untested with rootless containers");
	{
		/* Said first, as runc does; state_create is what makes it exclusive. */
		struct stat sb;
		char *p = fmt_alloc("%s/%s", g.root, r.id);
		int taken = lstat(p, &sb) == 0;
		free(p);
		if (taken) {
			err_set(&e, EEXIST, "container with given ID already exists");
			goto fail_early;
		}
	}
	if (r.o.keep_image && !r.o.import) {
		err_set(&e, EINVAL, "--keep-image needs --import");
		goto fail_early;
	}
	if (r.o.import && rst_import(&ri, r.o.import, r.o.work_path, g.root, r.o.keep_image,
				     r.o.bundle, &r.o.image_path, &e) < 0)
		goto fail_early;
	/* The wait of criu's cgroup join starts now, in a helper, and runs while the images
	 * are checked, the criu root mounted, the request built and criu started. */
	r.warm = cgroup_warm_start();
	if (preflight(&r, &e) < 0)
		goto fail_early;
	if (!r.o.no_subreaper && proc_subreaper(1, &e) < 0)
		goto fail_early;
	if (!r.o.detach) {
		/* Every signal is taken through a signalfd from now on; criu's mask is cleared. */
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		sfd = signalfd(-1, &all, SFD_CLOEXEC);
		if (sfd < 0) {
			err_sys(&e, "signalfd");
			goto fail_early;
		}
	}
	/* Termination signals: held while the container is being made, and watched so that
	 * a restore CRIU never finishes can still be aborted. */
	r.sw.intr_fd = term_signals_hold();
	t1 = stats_now_us();
	if (run(&r, &e) < 0 || interrupted(&e) < 0) {
		if (e.no == EINTR)
			interrupted(&e);    /* name the signal */
		report(&e);
		cleanup(&r);
		rst_import_done(&ri, 0);
		return 1;
	}
	if (r.o.print_stats) {
		struct buf b = BUF_INIT;
		char *sd = fmt_alloc("%s/%s", g.root, r.id);
		stats_report(&b, 1, r.id, r.default_work ? sd : r.o.work_path, r.image_path,
			     stats_now_us() - t0, stats_now_us() - t1);
		free(sd);
		write_all(1, b.p, b.len);
		buf_free(&b);
	}
	rst_import_done(&ri, 1);
	mount_criu_root_undo(r.criu_root, &e);
	free(r.criu_root);
	r.criu_root = NULL;
	if (r.console >= 0)
		close(r.console);
	if (r.pid_file && pidfile_write(r.pid_file, r.st.pid, &e) < 0) {
		report(&e);
		cleanup(&r);
		return 1;
	}
	/* The container is complete: the claim goes (state says running, delete may act), and
	 * a log an earlier failed restore of this id left is stale now. */
	flock(r.dirfd, LOCK_EX);
	busy_release(r.dirfd);
	flock(r.dirfd, LOCK_UN);
	{
		char *stale = fmt_alloc(RESTORE_LOG_FMT, r.id);
		unlinkat(r.rootfd, stale, 0);
		free(stale);
	}
	if (r.o.detach)
		return 0;
	/* CRIU is done: the image, work and namespace fds must not pin their filesystems and
	 * namespaces for the container's whole life. */
	if (r.imgfd >= 0)
		close(r.imgfd);
	if (r.workfd >= 0 && r.workfd != r.dirfd)
		close(r.workfd);
	r.imgfd = r.workfd = -1;
	for (int i = 0; i < r.nns; i++)
		close(r.nsfd[i]);
	r.nns = 0;
	return foreground(&r, sfd);

fail_early:
	cgroup_warm_end(r.warm);
	report(&e);
	rst_import_done(&ri, 0);
	return 1;
}
