/* checkpoint: `crbox checkpoint [flags] <id>` dumps a running container with CRIU, as
 * `runc checkpoint` does (flags and defaults of runc 1.1.5 plus main's --tcp-skip-in-flight
 * and --link-remap; the request's fields are in docs/criu-requests.md). Images carry runc's
 * external-mount keys and descriptors.json, so runc restores them. Beyond runc:
 * --network-lock (crun's). On failure the container is left running and thawed. */
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
#include "proc.h"
#include "state.h"
#include "state/busy.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct copts {
	const char *image_path, *work_path, *parent_path, *page_server, *manage_cgroups_mode;
	const char *network_lock, *export_to, *compress, *ext_mount_keys;
	int print_stats;
	int leave_running, tcp_established, tcp_skip_in_flight, link_remap, ext_unix_sk;
	int shell_job, lazy_pages, file_locks, pre_dump, auto_dedup;
	int status_fd;
	struct strv empty_ns;
};

#define C struct copts
static const struct opt tab[] = {
	OPT("image-path", NULL, OPT_STR, C, image_path, "value",
	    "path for saving criu image files (default: ./checkpoint)"),
	OPT("work-path", NULL, OPT_STR, C, work_path, "value",
	    "path for saving work files and logs (default: the image path)"),
	OPT("parent-path", NULL, OPT_STR, C, parent_path, "value",
	    "path for previous criu image files in pre-dump, relative to the image path"),
	OPT("leave-running", NULL, OPT_BOOL, C, leave_running, NULL,
	    "leave the process running after checkpointing"),
	OPT("tcp-established", NULL, OPT_BOOL, C, tcp_established, NULL, "allow open tcp connections"),
	OPT("tcp-skip-in-flight", NULL, OPT_BOOL, C, tcp_skip_in_flight, NULL,
	    "skip in-flight tcp connections"),
	OPT("link-remap", NULL, OPT_BOOL, C, link_remap, NULL,
	    "allow one to link unlinked files back when possible"),
	OPT("ext-unix-sk", NULL, OPT_BOOL, C, ext_unix_sk, NULL, "allow external unix sockets"),
	OPT("shell-job", NULL, OPT_BOOL, C, shell_job, NULL, "allow shell jobs"),
	OPT("lazy-pages", NULL, OPT_BOOL, C, lazy_pages, NULL,
	    "use userfaultfd to lazily restore memory pages"),
	OPT("status-fd", NULL, OPT_INT, C, status_fd, "value",
	    "criu writes \\0 to this FD once lazy-pages is ready (default: -1)"),
	OPT("page-server", NULL, OPT_STR, C, page_server, "value",
	    "ADDRESS:PORT of the page server"),
	OPT("file-locks", NULL, OPT_BOOL, C, file_locks, NULL, "handle file locks, for safety"),
	OPT("pre-dump", NULL, OPT_BOOL, C, pre_dump, NULL, "dump container's memory information only, "
	    "leave the container running after this"),
	OPT("manage-cgroups-mode", NULL, OPT_STR, C, manage_cgroups_mode, "value",
	    "cgroups mode: soft (default), full, strict or ignore"),
	OPT("empty-ns", NULL, OPT_STRV, C, empty_ns, "value",
	    "create a namespace, but don't restore its properties (only: network)"),
	OPT("auto-dedup", NULL, OPT_BOOL, C, auto_dedup, NULL,
	    "enable auto deduplication of memory images"),
	OPT("network-lock", NULL, OPT_STR, C, network_lock, "value",
	    "how CRIU locks the network: iptables (default), nftables or skip (CRIU >= 3.16)"),
	OPT("export", NULL, OPT_STR, C, export_to, "FILE",
	    "also write the checkpoint as one verified archive to FILE (- for stdout)"),
	OPT("compress", NULL, OPT_STR, C, compress, "gzip|zstd",
	    "compress the --export archive with the external gzip or zstd"),
	OPT("print-stats", NULL, OPT_BOOL, C, print_stats, NULL,
	    "print CRIU's and crbox's statistics as JSON"),
	OPT("ext-mount-keys", NULL, OPT_STR, C, ext_mount_keys, "runc|crun",
	    "external-mount keys of masked files: runc's (default) or crun's, for crun to restore"),
};
#undef C

static const struct applet_info info = {
	"checkpoint", "checkpoint a running container",
	"[command options] <container-id>\n\nWhere \"<container-id>\" is the name for the instance "
	"of the container to be\ncheckpointed.",
	"The checkpoint command saves the state of the container instance.",
	tab, sizeof tab / sizeof tab[0],
};
/* The real option table, for the option-parser fuzz target. */
const struct applet_info *const checkpoint_applet_info = &info;

struct ckpt {
	struct copts o;
	const char *id;
	struct state st;
	int rootfd, dirfd, imgfd, workfd;
	char *image_path;
};

static int on_notify(struct swrk_notify *n, void *ud, struct err *e)
{
	struct ckpt *c = ud;

	log_debug("notify: %s", n->script);
	if (!strcmp(n->script, "post-dump")) {
		int fd = openat(c->dirfd, "checkpoint", O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
				0666);
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(n->script, "status-ready") && c->o.status_fd >= 0) {
		if (write(c->o.status_fd, "", 1) != 1)
			log_warn("status-fd %d: %s", c->o.status_fd, strerror(errno));
		close(c->o.status_fd);
		c->o.status_fd = -1;
	}
	return 0;
}

/* Option checks that need no container. */
static int check_opts(struct ckpt *c, CriuOpts *o, struct err *e)
{
	char cwd[PATH_MAX];

	if (!getcwd(cwd, sizeof cwd))
		return err_sys(e, "getcwd");
	c->image_path = c->o.image_path && *c->o.image_path ? xstrdup(c->o.image_path)
							    : fmt_alloc("%s/checkpoint", cwd);
	if (c->o.parent_path) {
		struct stat sb;
		char *p;
		if (c->o.parent_path[0] == '/')
			return err_set(e, 0, "--parent-path must be relative");
		p = fmt_alloc("%s/%s", c->image_path, c->o.parent_path);
		if (stat(p, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			err_set(e, ENOENT, "invalid --parent-path: %s is not a directory", p);
			free(p);
			return -1;
		}
		free(p);
		o->parent_img = (char *)c->o.parent_path;
		o->has_track_mem = o->track_mem = 1;
	}
	if (c->o.page_server && crop_page_server(o, c->o.page_server, e) < 0)
		return -1;
	if (c->o.lazy_pages && c->o.status_fd >= 0) {
		int fl = fcntl(c->o.status_fd, F_GETFL);
		if (fl < 0)
			return err_sys(e, "invalid --status-fd argument %d", c->o.status_fd);
		if ((fl & O_ACCMODE) != O_WRONLY)
			return err_set(e, 0, "invalid --status-fd argument %d: not writable",
				       c->o.status_fd);
	}
	return 0;
}

static int dump(struct ckpt *c, struct err *e)
{
	CriuOpts opts = CRIU_OPTS__INIT;
	CriuReq req = CRIU_REQ__INIT;
	struct swrk sw = SWRK_INIT;
	struct swrk_version ver;
	struct cgroup_paths cg = { 0 };
	const char *status, *fz;
	size_t i;
	int rc = -1, frozen;

	ctr_cgroups(&c->st, &cg);
	frozen = cgroup_frozen(&cg, e);
	status = state_status(&c->st, c->dirfd, frozen == 1);
	if (strcmp(status, "running") && strcmp(status, "paused")) {
		err_set(e, 0, "Container cannot be checkpointed in %s state", status);
		goto out;
	}
	if (check_opts(c, &opts, e) < 0)
		goto out;
	if (swrk_version_cached(g.criu, c->rootfd, &ver, e) < 0 ||
	    swrk_version_require(&ver, SWRK_MIN_VERSION, NULL, e) < 0)
		goto out;
	{
		struct crop_base b = {
			c->o.shell_job, c->o.ext_unix_sk, c->o.tcp_established, c->o.file_locks,
			c->o.auto_dedup, c->o.lazy_pages, c->o.manage_cgroups_mode,
			c->o.network_lock, &c->o.empty_ns,
		};
		if (crop_base(&opts, &b, "dump.log", ver.num, e) < 0)
			goto out;
	}
	if (c->o.pre_dump || c->o.lazy_pages) {
		struct swrk_features want = { .mem_track = c->o.pre_dump, .lazy_pages = c->o.lazy_pages };
		struct swrk_features got;
		if (swrk_features(g.criu, &want, &got, e) < 0)
			goto out;
		if (c->o.pre_dump && !got.mem_track) {
			err_set(e, ENOTSUP, "CRIU is missing features: mem_track (--pre-dump needs "
					     "soft-dirty memory tracking, which this kernel lacks)");
			goto out;
		}
		if (c->o.lazy_pages && !got.lazy_pages) {
			err_set(e, ENOTSUP, "CRIU is missing features: lazy_pages (--lazy-pages needs "
					     "userfaultfd)");
			goto out;
		}
	}
	/* The image dir is created 0700 (runc uses 0600, which has no search bit). */
	if (fs_mkdir_p(c->image_path, 0700, e) < 0)
		goto out;
	c->imgfd = open(c->image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->imgfd < 0) {
		err_sys(e, "open image path %s", c->image_path);
		goto out;
	}
	if (c->o.work_path && *c->o.work_path) {
		if (fs_mkdir_p(c->o.work_path, 0700, e) < 0)
			goto out;
		c->workfd = open(c->o.work_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c->workfd < 0) {
			err_sys(e, "open work path %s", c->o.work_path);
			goto out;
		}
		opts.has_work_dir_fd = 1;
		opts.work_dir_fd = c->workfd;
	}
	opts.images_dir_fd = c->imgfd;
	opts.root = c->st.rootfs;
	opts.has_pid = 1;
	opts.pid = c->st.pid;
	opts.has_leave_running = 1;
	opts.leave_running = c->o.leave_running;
	if (c->o.tcp_skip_in_flight)
		opts.has_tcp_skip_in_flight = opts.tcp_skip_in_flight = 1;
	if (c->o.link_remap)
		opts.has_link_remap = opts.link_remap = 1;
	opts.config_file = (char *)crop_config_file(&c->st);
	/* External net and pid namespaces, keyed by inode as runc does. */
	for (i = 0; i < c->st.nnamespaces; i++) {
		const struct state_ns *ns = &c->st.namespaces[i];
		int net = !strcmp(ns->type, "network"), pid = !strcmp(ns->type, "pid");
		struct stat sb;
		char key[96];
		if (!ns->path || !(net || pid))
			continue;
		if (stat(ns->path, &sb) < 0) {
			err_sys(e, "%s namespace %s", ns->type, ns->path);
			goto out;
		}
		fmt_sn(key, sizeof key, "%s[%lu]:%s", net ? "net" : "pid", (unsigned long)sb.st_ino,
		       net ? "extRootNetNS" : "extRootPidNS");
		swrk_opts_add_external(&opts, key);
	}
	fz = cgroup_freezer_dir(&cg);
	if (fz && (cgroup_paths_get(&cg, "freezer") || ver.num >= 31400))
		opts.freeze_cgroup = (char *)fz;
	if (!c->o.pre_dump) {
		int crun = interop_keys_parse(c->o.ext_mount_keys, e);
		if (crun < 0 || crop_ext_mounts(&opts, &c->st, c->st.rootfs,
						crun ? CROP_CRUN_KEYS : 0, c->st.pid, e) < 0)
			goto out;
		if (image_descriptors_write(c->imgfd, c->st.ext_desc, e) < 0)
			goto out;
	}
	if (g.debug)
		for (i = 0; i < opts.n_ext_mnt; i++)
			log_debug("ext_mnt %s -> %s", opts.ext_mnt[i]->key, opts.ext_mnt[i]->val);
	/* A dump may wait long (a lazy dump waits for its page server): termination signals
	 * abort it, and the container is left running and thawed. */
	sw.intr_fd = term_signals_hold();
	if (swrk_start(&sw, g.criu, NULL, NULL, 0, e) < 0)
		goto out;
	req.type = c->o.pre_dump ? CRIU_REQ_TYPE__PRE_DUMP : CRIU_REQ_TYPE__DUMP;
	req.opts = &opts;
	if (swrk_call(&sw, &req, on_notify, c, NULL, e) < 0) {
		int sig = term_signal_pending();
		if (e->no == EINTR)
			err_set(e, EINTR, "checkpoint interrupted by signal %d (%s); the container "
				"keeps running", sig, sig ? strsignal(sig) : "?");
		/* criu may never notice a closed socket (a dump waiting on its page server sits
		 * in accept): it is killed, so the wait for it is short. */
		swrk_abort(&sw, SIGKILL);
		interop_criu_error(e, c->workfd >= 0 ? c->workfd : c->imgfd, "dump.log", -1);
		report_criu_log(c->workfd >= 0 ? c->workfd : c->imgfd, "dump.log",
				c->o.work_path && *c->o.work_path ? c->o.work_path : c->image_path);
		goto out;
	}
	if (swrk_finish(&sw, c->o.pre_dump ? SWRK_ANY_EXIT : 0, e) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && frozen == 0) {
		/* A dump that failed half-way must not leave a running container frozen. */
		struct err e2;
		if (cgroup_frozen(&cg, &e2) == 1)
			cgroup_thaw(&cg, &e2);
	}
	swrk_abort(&sw, SIGKILL);
	crop_page_server_free(&opts);
	swrk_opts_free(&opts);
	cgroup_paths_free(&cg);
	return rc;
}

int checkpoint_main(int argc, char **argv)
{
	struct ckpt c;
	struct ckpt_export x = { 0 };
	struct err e;
	char **pos;
	int npos, rc;
	uint64_t t0 = stats_now_us(), t1 = 0;

	memset(&c, 0, sizeof c);
	c.rootfd = c.dirfd = c.imgfd = c.workfd = -1;
	c.o.status_fd = -1;
	if (applet_args(argc, argv, &info, &c.o, NULL, &pos, &npos, 1, &rc))
		return rc;
	c.id = pos[0];
	if (id_valid(c.id, &e) < 0)
		goto fail;
	if (geteuid() != 0)
		log_warn("crbox checkpoint is untested with rootless containers");
	c.rootfd = state_root_open(g.root, 0, &e);
	if (c.rootfd < 0) {
		if (e.no == ENOENT)
			err_set(&e, ENOENT, "container does not exist");
		goto fail;
	}
	/* The lock is held only to claim the container: not while CRIU dumps, so state and
	 * list answer meanwhile and delete refuses it (state/busy.h). */
	c.dirfd = state_open(c.rootfd, c.id, STATE_LOCK_EX, &e);
	if (c.dirfd < 0 || state_read(c.dirfd, &c.st, &e) < 0 ||
	    busy_claim(c.dirfd, "checkpoint", &e) < 0)
		goto fail;
	x.out = c.o.export_to;
	x.compress = c.o.compress;
	if (ckpt_export_prepare(&x, g.root, c.o.pre_dump, c.o.lazy_pages, &c.o.image_path, &e) < 0) {
		busy_release(c.dirfd);
		goto fail;
	}
	flock(c.dirfd, LOCK_UN);
	t1 = stats_now_us();
	rc = dump(&c, &e);
	t1 = stats_now_us() - t1;
	flock(c.dirfd, LOCK_EX);
	if (rc < 0) {
		busy_release(c.dirfd);
		goto fail;
	}
	if (!c.o.leave_running && !c.o.pre_dump) {
		/* The init is gone: destroy the container (runc: a failure here only warns). */
		struct err e2;
		if (ctr_destroy(c.rootfd, c.id, c.dirfd, &c.st, &e2) < 0)
			log_warn("%s", e2.msg);
	} else {
		busy_release(c.dirfd);
	}
	/* Exported once the container is gone, so the far end never races its destruction. */
	if (x.out && ckpt_export_finish(&x, g.criu, c.rootfd, c.id, c.image_path, c.st.bundle,
					&e) < 0) {
		report(&e);
		ckpt_export_done(&x, 1);
		return 1;
	}
	if (c.o.print_stats) {
		struct buf b = BUF_INIT;
		stats_report(&b, 0, c.id, c.o.work_path && *c.o.work_path ? c.o.work_path : NULL,
			     c.image_path, stats_now_us() - t0, t1);
		write_all(x.out && !strcmp(x.out, "-") ? 2 : 1, b.p, b.len);
		buf_free(&b);
	}
	ckpt_export_done(&x, 0);
	return 0;
fail:
	report(&e);
	ckpt_export_done(&x, 0);
	return 1;
}
