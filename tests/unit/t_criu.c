/* t_criu: the swrk RPC layer. (a) packing against golden bytes made by Google's protoc
 * (tests/data/criu/ *.bin), (b) the real spawn path and notify/ack loop against a scripted
 * fake criu: this test binary re-executed as `<self> swrk 3` (T_CRIU_FAKE picks the script),
 * (c) version math, PATH lookup errors and CRIU log scraping. Run from the repo root. */
#include "t.h"
#include "criu.h"
#include "buf.h"
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#define GOLD "tests/data/criu/"

static char self[4096];

static int slurp(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0, r;
	unsigned char *b;
	if (!f)
		return -1;
	b = malloc(cap);
	while ((r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	*out = b;
	*len = n;
	return 0;
}

static int same_as_golden(const CriuReq *req, const char *name)
{
	unsigned char *g, *p;
	size_t gl, pl = criu_req__get_packed_size(req);
	int ok;
	char path[256];

	snprintf(path, sizeof path, GOLD "%s", name);
	if (slurp(path, &g, &gl) < 0) {
		printf("# cannot read %s\n", path);
		return 0;
	}
	p = malloc(pl ? pl : 1);
	criu_req__pack(req, p);
	ok = pl == gl && !memcmp(p, g, gl);
	if (!ok) {
		size_t i;
		printf("# %s: packed %zu bytes, golden %zu\n# packed:", name, pl, gl);
		for (i = 0; i < pl; i++)
			printf(" %02x", p[i]);
		printf("\n# golden:");
		for (i = 0; i < gl; i++)
			printf(" %02x", g[i]);
		printf("\n");
	}
	free(g);
	free(p);
	return ok;
}

/* ---------------- (a) golden bytes ---------------- */

static void test_golden(void)
{
	CriuReq req = CRIU_REQ__INIT;
	CriuOpts o = CRIU_OPTS__INIT;
	CriuFeatures f = CRIU_FEATURES__INIT;
	CriuPageServerInfo ps = CRIU_PAGE_SERVER_INFO__INIT;

	req.type = CRIU_REQ_TYPE__VERSION;
	T_OK(same_as_golden(&req, "version-req.bin"), "VERSION request is 08 0a");

	req.type = CRIU_REQ_TYPE__NOTIFY;
	req.has_notify_success = 1;
	req.notify_success = 1;
	T_OK(same_as_golden(&req, "notify-ack.bin"), "NOTIFY ack bytes");
	req.has_notify_success = 0;

	req.type = CRIU_REQ_TYPE__FEATURE_CHECK;
	f.has_mem_track = f.mem_track = 1;
	f.has_lazy_pages = f.lazy_pages = 1;
	f.has_pidfd_store = f.pidfd_store = 1;
	req.features = &f;
	T_OK(same_as_golden(&req, "features-req.bin"), "FEATURE_CHECK request bytes");
	req.features = NULL;

	/* The kitchen-sink RESTORE, built with the swrk_opts_add_* helpers. */
	req.type = CRIU_REQ_TYPE__RESTORE;
	req.opts = &o;
	o.images_dir_fd = 8;
	o.has_evasive_devices = o.evasive_devices = 1;
	o.has_log_level = 1;
	o.log_level = 4;
	o.log_file = "restore.log";
	o.has_rst_sibling = o.rst_sibling = 1;
	o.root = "/run/crbox/ct-a/criu-root";
	o.has_manage_cgroups = o.manage_cgroups = 1;
	o.has_manage_cgroups_mode = 1;
	o.manage_cgroups_mode = CRIU_CG_MODE__IGNORE;
	o.has_notify_scripts = o.notify_scripts = 1;
	o.has_shell_job = 1;
	o.has_ext_unix_sk = 1;
	o.has_tcp_established = o.tcp_established = 1;
	o.has_file_locks = 1;
	o.has_auto_dedup = 1;
	o.has_lazy_pages = 1;
	o.has_empty_ns = 1;
	o.empty_ns = 0x40000000;
	o.has_orphan_pts_master = o.orphan_pts_master = 1;
	o.has_work_dir_fd = 1;
	o.work_dir_fd = 9;
	o.config_file = "/etc/criu/runc.conf";
	o.lsm_profile = "apparmor:crbox-default";
	o.lsm_mount_context = "system_u:object_r:container_file_t:s0:c1,c2";
	o.has_tcp_close = o.tcp_close = 1;
	o.has_tcp_skip_in_flight = o.tcp_skip_in_flight = 1;
	o.has_link_remap = o.link_remap = 1;
	o.has_network_lock = 1;
	o.network_lock = CRIU_NETWORK_LOCK_METHOD__NFTABLES;
	o.has_leave_stopped = o.leave_stopped = 1;
	swrk_opts_add_inherit_fd(&o, "extRootNetNS", 4);
	swrk_opts_add_inherit_fd(&o, "pipe:[61019]", 1);
	swrk_opts_add_join_ns(&o, "net", "/proc/1/ns/net", NULL);
	swrk_opts_add_join_ns(&o, "uts", "/proc/1/ns/uts", "x");
	swrk_opts_add_ext_mnt(&o, "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/ct-a");
	swrk_opts_add_ext_mnt(&o, "/dev/null", "/dev/null");
	swrk_opts_add_cg_root(&o, "memory", "/user.slice/ct-a");
	swrk_opts_add_cg_root(&o, "", "/ct-a");
	swrk_opts_add_cg_root(&o, NULL, "/ct-b");
	swrk_opts_add_external(&o, "net[4026531992]:extRootNetNS");
	swrk_opts_add_external(&o, "mnt[/etc/hosts]:hosts");
	T_OK(same_as_golden(&req, "restore-req.bin"), "RESTORE request matches protoc's bytes");

	/* Unpacking the golden gives the fields back, IGNORE with its presence bit. */
	{
		unsigned char *g;
		size_t gl;
		CriuReq *u;
		slurp(GOLD "restore-req.bin", &g, &gl);
		u = criu_req__unpack(NULL, gl, g);
		T_OK(u && u->opts, "golden RESTORE unpacks");
		if (u && u->opts) {
			T_INTEQ(u->opts->has_manage_cgroups_mode, 1, "IGNORE(0) is present on the wire");
			T_INTEQ(u->opts->manage_cgroups_mode, 0, "manage_cgroups_mode IGNORE");
			T_INTEQ(u->opts->has_shell_job, 1, "shell_job false sent explicitly");
			T_INTEQ(u->opts->n_cg_root, 3, "three cg_root");
			T_OK(u->opts->cg_root[1]->ctrl && !*u->opts->cg_root[1]->ctrl,
			     "cg_root ctrl \"\" kept (unified line)");
			T_OK(u->opts->cg_root[2]->ctrl == NULL, "cg_root without ctrl");
			T_INTEQ(u->opts->inherit_fd[1]->fd, 1, "inherit_fd fd");
			T_STREQ(u->opts->external[1], "mnt[/etc/hosts]:hosts", "external[1]");
			T_INTEQ(u->opts->network_lock, CRIU_NETWORK_LOCK_METHOD__NFTABLES, "network_lock");
		}
		criu_req__free_unpacked(u, NULL);
		free(g);
	}
	swrk_opts_free(&o);
	T_OK(o.n_ext_mnt == 0 && o.ext_mnt == NULL && o.n_cg_root == 0, "swrk_opts_free resets");

	/* A runc-shaped DUMP. */
	{
		CriuOpts d = CRIU_OPTS__INIT;
		req.type = CRIU_REQ_TYPE__DUMP;
		req.opts = &d;
		d.images_dir_fd = 8;
		d.has_pid = 1;
		d.pid = 4242;
		d.has_leave_running = d.leave_running = 1;
		d.has_log_level = 1;
		d.log_level = 4;
		d.log_file = "dump.log";
		ps.address = "127.0.0.1";
		ps.has_port = 1;
		ps.port = 27;
		ps.has_fd = 1;
		ps.fd = 5;
		d.ps = &ps;
		d.has_notify_scripts = d.notify_scripts = 1;
		d.root = "/bundle/rootfs";
		d.parent_img = "../parent";
		d.has_track_mem = d.track_mem = 1;
		d.has_work_dir_fd = 1;
		d.work_dir_fd = 9;
		d.has_manage_cgroups = d.manage_cgroups = 1;
		d.has_manage_cgroups_mode = 1;
		d.manage_cgroups_mode = CRIU_CG_MODE__DEFAULT;
		d.has_empty_ns = 1;
		d.empty_ns = 0x40000000;
		d.freeze_cgroup = "/sys/fs/cgroup/freezer/ct-a";
		d.has_timeout = 1;
		d.timeout = 10;
		d.has_lazy_pages = d.lazy_pages = 1;
		d.has_status_fd = 1;
		d.status_fd = 7;
		d.has_orphan_pts_master = d.orphan_pts_master = 1;
		swrk_opts_add_external(&d, "mnt[/proc/keys]:/dev/null");
		T_OK(same_as_golden(&req, "dump-req.bin"), "DUMP request matches protoc's bytes");
		swrk_opts_free(&d);
	}

	/* Responses encoded by protoc decode as expected. */
	{
		unsigned char *g;
		size_t gl;
		CriuResp *r;
		slurp(GOLD "notify-resp.bin", &g, &gl);
		r = criu_resp__unpack(NULL, gl, g);
		T_OK(r && r->type == CRIU_REQ_TYPE__NOTIFY && r->success && r->notify,
		     "NOTIFY response decodes");
		if (r && r->notify) {
			T_STREQ(r->notify->script, "post-restore", "notify.script");
			T_INTEQ(r->notify->pid, 31337, "notify.pid");
		}
		criu_resp__free_unpacked(r, NULL);
		free(g);
		slurp(GOLD "version-resp.bin", &g, &gl);
		r = criu_resp__unpack(NULL, gl, g);
		T_OK(r && r->version && r->version->major_number == 4 && r->version->minor_number == 1 &&
		     r->version->sublevel == 1, "VERSION response decodes");
		if (r && r->version)
			T_STREQ(r->version->gitid, "v4.1.1-3-gabc", "version gitid");
		criu_resp__free_unpacked(r, NULL);
		free(g);
	}
}

/* ---------------- the fake criu (this binary as `criu swrk 3`) ---------------- */

static int fk;   /* fd 3 */

static void fsend(CriuResp *r, int fd)
{
	size_t n = criu_resp__get_packed_size(r);
	unsigned char *b = malloc(n);
	union { struct cmsghdr h; char c[CMSG_SPACE(sizeof(int))]; } ctl;
	struct iovec iov = { b, n };
	struct msghdr mh = { 0 };
	criu_resp__pack(r, b);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&ctl, 0, sizeof ctl);
		mh.msg_control = ctl.c;
		mh.msg_controllen = sizeof ctl.c;
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	if (sendmsg(fk, &mh, MSG_NOSIGNAL) < 0)
		_exit(90);
	free(b);
}

/* Reads one request; returns it (NULL on EOF). Exits 91 on garbage. */
static CriuReq *frecv(unsigned char *raw, size_t *rawlen)
{
	unsigned char b[65536];
	ssize_t n = recv(fk, b, sizeof b, 0);
	CriuReq *q;
	if (n <= 0)
		return NULL;
	if (raw) {
		memcpy(raw, b, (size_t)n);
		*rawlen = (size_t)n;
	}
	q = criu_req__unpack(NULL, (size_t)n, b);
	if (!q)
		_exit(91);
	return q;
}

static void fnotify(const char *script, int pid, int fd, int *bad, int i)
{
	CriuResp r = CRIU_RESP__INIT;
	CriuNotify nt = CRIU_NOTIFY__INIT;
	unsigned char raw[64];
	size_t rl = 0;
	static const unsigned char ack[] = { 0x08, 0x06, 0x18, 0x01 };
	CriuReq *q;

	r.type = CRIU_REQ_TYPE__NOTIFY;
	r.success = 1;
	nt.script = (char *)script;
	if (pid) {
		nt.has_pid = 1;
		nt.pid = pid;
	}
	r.notify = &nt;
	fsend(&r, fd);
	q = frecv(raw, &rl);
	if (!q)
		_exit(3);   /* EOF instead of an ack */
	if (rl != sizeof ack || memcmp(raw, ack, sizeof ack))
		*bad = *bad ? *bad : i;
	criu_req__free_unpacked(q, NULL);
}

static void fail_resp(int type, int no, const char *msg)
{
	CriuResp r = CRIU_RESP__INIT;
	r.type = type;
	r.success = 0;
	if (no) {
		r.has_cr_errno = 1;
		r.cr_errno = no;
	}
	r.cr_errmsg = (char *)msg;
	fsend(&r, -1);
}

static int fake_main(const char *argv0)
{
	const char *sc = getenv("T_CRIU_FAKE");
	CriuResp r = CRIU_RESP__INIT;
	CriuReq *q;

	fk = 3;
	if (!sc)
		return 99;
	q = frecv(NULL, NULL);
	if (!q)
		return 98;

	if (!strcmp(sc, "fds")) {
		/* Report the fd table, fd 3's type, fd 4's contents and an env var. */
		char list[256] = "", name[1024], extra[16] = "";
		CriuVersion v = CRIU_VERSION__INIT;
		DIR *d = opendir("/proc/self/fd");
		struct dirent *de;
		int t = 0, dfd = dirfd(d);
		socklen_t tl = sizeof t;
		ssize_t n;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.' || atoi(de->d_name) == dfd)
				continue;
			if (strlen(list) + strlen(de->d_name) + 2 > sizeof list)
				break;
			if (list[0])
				strcat(list, ",");
			strcat(list, de->d_name);
		}
		closedir(d);
		getsockopt(3, SOL_SOCKET, SO_TYPE, &t, &tl);
		n = read(4, extra, sizeof extra - 1);
		if (n > 0)
			extra[n] = 0;
		if (write(1, "stdout-ok", 9) != 9)
			return 97;
		snprintf(name, sizeof name, "fds=%s;sk=%s;extra=%s;argv0=%s", list,
			 t == SOCK_SEQPACKET ? "seqpacket" : "other", extra,
			 argv0);
		r.type = q->type;
		r.success = 1;
		v.major_number = 9;
		v.minor_number = 9;
		v.name = name;
		v.gitid = getenv("T_CRIU_ENV");
		r.version = &v;
		fsend(&r, -1);
		return 0;
	}
	if (!strcmp(sc, "version")) {
		CriuVersion v = CRIU_VERSION__INIT;
		if (q->type != CRIU_REQ_TYPE__VERSION || q->opts) {
			fail_resp(q->type, 22, "expected a bare VERSION request");
			return 1;
		}
		r.type = q->type;
		r.success = 1;
		v.major_number = 3;
		v.minor_number = 14;
		v.has_sublevel = 1;
		v.sublevel = 2;
		v.gitid = getenv("T_CRIU_GITID");
		r.version = &v;
		fsend(&r, -1);
		return 0;
	}
	if (!strcmp(sc, "old")) {
		fail_resp(CRIU_REQ_TYPE__EMPTY, 0, NULL);
		return 1;
	}
	if (!strcmp(sc, "features")) {
		CriuFeatures f = CRIU_FEATURES__INIT;
		if (q->type != CRIU_REQ_TYPE__FEATURE_CHECK || !q->features ||
		    !q->features->mem_track || !q->features->lazy_pages || !q->features->pidfd_store) {
			fail_resp(q->type, 22, "features sub-message missing");
			return 1;
		}
		r.type = q->type;
		r.success = 1;
		f.has_mem_track = 1;
		f.mem_track = 0;
		f.has_lazy_pages = f.lazy_pages = 1;
		f.has_pidfd_store = f.pidfd_store = 1;
		r.features = &f;
		fsend(&r, -1);
		return 0;
	}
	if (!strcmp(sc, "restore")) {
		int bad = 0, p[2], i = 0;
		CriuRestoreResp rr = CRIU_RESTORE_RESP__INIT;
		if (q->type != CRIU_REQ_TYPE__RESTORE || !q->opts || q->opts->images_dir_fd != 8) {
			fail_resp(q->type, 22, "bad request");
			return 1;
		}
		if (pipe(p) < 0 || write(p[1], "pts-master", 10) != 10)
			return 96;
		close(p[1]);
		fnotify("pre-restore", 0, -1, &bad, ++i);
		fnotify("setup-namespaces", 4711, -1, &bad, ++i);
		fnotify("post-setup-namespaces", 0, -1, &bad, ++i);
		fnotify("orphan-pts-master", 0, p[0], &bad, ++i);
		close(p[0]);
		fnotify("some-future-script", 0, -1, &bad, ++i);
		fnotify("post-restore", 4711, -1, &bad, ++i);
		fnotify("network-unlock", 0, -1, &bad, ++i);
		fnotify("pre-resume", 0, -1, &bad, ++i);
		fnotify("post-resume", 0, -1, &bad, ++i);
		if (bad) {
			char m[64];
			snprintf(m, sizeof m, "bad ack to notification %d", bad);
			fail_resp(CRIU_REQ_TYPE__RESTORE, 5, m);
			return 1;
		}
		r.type = CRIU_REQ_TYPE__RESTORE;
		r.success = 1;
		rr.pid = 4711;
		r.restore = &rr;
		fsend(&r, -1);
		return 0;
	}
	if (!strcmp(sc, "fail")) {
		/* The failure as Google's protoc encoded it (tests/data/criu/fail-resp.txtpb). */
		int bad = 0;
		unsigned char *g;
		size_t gl;
		fnotify("pre-restore", 0, -1, &bad, 1);
		if (slurp(GOLD "fail-resp.bin", &g, &gl) < 0 || send(fk, g, gl, 0) < 0)
			return 94;
		return 1;
	}
	if (!strcmp(sc, "eof")) {
		int bad = 0;
		fnotify("pre-restore", 0, -1, &bad, 1);
		return 3;
	}
	if (!strcmp(sc, "kill9")) {
		raise(SIGKILL);
		return 0;
	}
	if (!strcmp(sc, "garbage")) {
		if (send(fk, "\xff\xff\xff\xff\xff", 5, 0) < 0)
			return 95;
		while (frecv(NULL, NULL))
			;
		return 0;
	}
	if (!strcmp(sc, "wrongtype")) {
		r.type = CRIU_REQ_TYPE__DUMP;
		r.success = 1;
		fsend(&r, -1);
		return 0;
	}
	if (!strcmp(sc, "big")) {
		CriuNotify nt = CRIU_NOTIFY__INIT;
		char s[300];
		memset(s, 'x', sizeof s - 1);
		s[sizeof s - 1] = 0;
		nt.script = s;
		r.type = CRIU_REQ_TYPE__NOTIFY;
		r.success = 1;
		r.notify = &nt;
		fsend(&r, -1);
		while (frecv(NULL, NULL))
			;
		return 0;
	}
	if (!strcmp(sc, "cberr")) {
		int bad = 0;
		CriuNotify nt = CRIU_NOTIFY__INIT;
		unsigned char raw[64];
		size_t rl;
		fnotify("pre-restore", 0, -1, &bad, 1);
		nt.script = "post-restore";
		nt.has_pid = 1;
		nt.pid = 77;
		r.type = CRIU_REQ_TYPE__NOTIFY;
		r.success = 1;
		r.notify = &nt;
		fsend(&r, -1);
		/* The client must not ack: it closes the socket instead. */
		return frecv(raw, &rl) ? 43 : 42;
	}
	if (!strcmp(sc, "predump")) {
		r.type = CRIU_REQ_TYPE__PRE_DUMP;
		r.success = 1;
		fsend(&r, -1);
		while (frecv(NULL, NULL))
			;
		return 1;   /* what CRIU does once the client closes the socket */
	}
	return 99;
}

/* ---------------- (b) the loop against the fake ---------------- */

struct seen {
	char log[1024];
	int pts_ok;
	int fail_at_post_restore;
};

static int cb(struct swrk_notify *n, void *ud, struct err *e)
{
	struct seen *s = ud;
	snprintf(s->log + strlen(s->log), sizeof s->log - strlen(s->log), "%s%s/%d/%s",
		 s->log[0] ? " " : "", n->script, n->pid, n->fd >= 0 ? "fd" : "-");
	if (!strcmp(n->script, "orphan-pts-master") && n->fd >= 0) {
		char b[32] = "";
		ssize_t r = read(n->fd, b, sizeof b - 1);
		int fl = fcntl(n->fd, F_GETFD);
		s->pts_ok = r == 10 && !memcmp(b, "pts-master", 10) && (fl & FD_CLOEXEC);
		/* Take ownership: the loop must not close it then. */
		close(n->fd);
		n->fd = -1;
	}
	if (s->fail_at_post_restore && !strcmp(n->script, "post-restore"))
		return err_set(e, 0, "hook failed at post-restore");
	return 0;
}

static int start_fake(struct swrk *s, const char *scenario, struct err *e)
{
	setenv("T_CRIU_FAKE", scenario, 1);
	return swrk_start(s, self, NULL, NULL, 0, e);
}

static CriuReq restore_req(CriuOpts *o)
{
	CriuReq q = CRIU_REQ__INIT;
	q.type = CRIU_REQ_TYPE__RESTORE;
	o->images_dir_fd = 8;
	q.opts = o;
	return q;
}

static void test_spawn_fds(void)
{
	struct swrk s = SWRK_INIT;
	struct err e;
	CriuReq q = CRIU_REQ__INIT;
	CriuResp *r = NULL;
	int xp[2], op[2], stdio[3] = { -1, -1, -1 }, leak;
	char out[32] = "", dir[] = "/tmp/t_criu.XXXXXX", lnk[64], path[128], *saved;

	T_OK(pipe(xp) == 0 && pipe(op) == 0, "pipes");
	if (write(xp[1], "xyz", 3) != 3)
		return;
	close(xp[1]);
	/* A non-CLOEXEC fd in the parent must not reach criu. */
	leak = open("/dev/null", O_RDONLY);
	stdio[1] = op[1];
	setenv("T_CRIU_ENV", "passed-through", 1);
	setenv("T_CRIU_FAKE", "fds", 1);
	/* "criu" found through PATH: a directory holding a criu symlink to this binary. */
	T_OK(mkdtemp(dir) != NULL, "tmpdir");
	snprintf(lnk, sizeof lnk, "%s/criu", dir);
	T_OK(symlink(self, lnk) == 0, "criu symlink");
	saved = strdup(getenv("PATH") ? getenv("PATH") : "/bin");
	snprintf(path, sizeof path, "/nonexistent:%s", dir);
	setenv("PATH", path, 1);
	T_INTEQ(swrk_start(&s, NULL, stdio, &xp[0], 1, &e), 0, "spawn with stdout pipe and fd 4");
	setenv("PATH", saved, 1);
	free(saved);
	T_STREQ(s.path, lnk, "criu resolved through PATH");
	T_OK(s.pid > 0 && s.sk >= 0, "pid and socket exposed");
	{
		/* The caller can look at /proc/<criu>/fd/N before sending anything. */
		char p[64], l[128] = "";
		snprintf(p, sizeof p, "/proc/%d/fd/1", (int)s.pid);
		ssize_t n = readlink(p, l, sizeof l - 1);
		if (n > 0)
			l[n] = 0;
		T_OK(!strncmp(l, "pipe:[", 6), "criu fd 1 is the given pipe");
	}
	q.type = CRIU_REQ_TYPE__VERSION;
	T_INTEQ(swrk_call(&s, &q, NULL, NULL, &r, &e), 0, "VERSION answered");
	if (r && r->version) {
		T_STREQ(r->version->name, "fds=0,1,2,3,4;sk=seqpacket;extra=xyz;argv0=criu",
			"criu saw fds 0-4 only, 3 a SEQPACKET socket, 4 the extra fd, argv[0] criu");
		T_STREQ(r->version->gitid, "passed-through", "environment passed unchanged");
	}
	criu_resp__free_unpacked(r, NULL);
	T_INTEQ(swrk_finish(&s, 0, &e), 0, "criu exit 0");
	T_INTEQ(s.pid, -1, "pid cleared after finish");
	close(op[1]);
	T_INTEQ(read(op[0], out, sizeof out - 1), 9, "stdout pipe got data");
	T_STREQ(out, "stdout-ok", "criu's fd 1 is the caller's pipe");
	close(op[0]);
	close(xp[0]);
	close(leak);
	unlink(lnk);
	rmdir(dir);
}

static void test_restore_loop(void)
{
	struct swrk s = SWRK_INIT;
	struct err e;
	CriuOpts o = CRIU_OPTS__INIT;
	CriuReq q = restore_req(&o);
	CriuResp *r = NULL;
	struct seen sn = { "", 0, 0 };

	T_INTEQ(start_fake(&s, "restore", &e), 0, "spawn fake (restore)");
	T_INTEQ(swrk_call(&s, &q, cb, &sn, &r, &e), 0, "RESTORE with nine notifications succeeds");
	T_STREQ(sn.log, "pre-restore/0/- setup-namespaces/4711/- post-setup-namespaces/0/- "
		"orphan-pts-master/0/fd some-future-script/0/- post-restore/4711/- "
		"network-unlock/0/- pre-resume/0/- post-resume/0/-",
		"callbacks saw every notification in order, with pids and the fd");
	T_OK(sn.pts_ok, "orphan-pts-master fd arrived (readable, O_CLOEXEC)");
	T_OK(r && r->type == CRIU_REQ_TYPE__RESTORE && r->restore && r->restore->pid == 4711,
	     "final RESTORE response with restore.pid");
	criu_resp__free_unpacked(r, NULL);
	T_INTEQ(swrk_finish(&s, 0, &e), 0, "fake exited 0: every ack was 08 06 18 01");

	/* Without a callback every notification is still acknowledged. */
	s = (struct swrk)SWRK_INIT;
	T_INTEQ(start_fake(&s, "restore", &e), 0, "spawn fake (restore, no callback)");
	T_INTEQ(swrk_call(&s, &q, NULL, NULL, NULL, &e), 0, "NULL callback acks everything");
	T_INTEQ(swrk_finish(&s, 0, &e), 0, "fake exited 0");
}

static void test_failures(void)
{
	struct swrk s = SWRK_INIT;
	struct err e;
	CriuOpts o = CRIU_OPTS__INIT;
	CriuReq q = restore_req(&o);
	CriuResp *r = NULL;
	struct seen sn = { "", 0, 1 };

	start_fake(&s, "fail", &e);
	T_INTEQ(swrk_call(&s, &q, NULL, NULL, &r, &e), -1, "success=false fails");
	T_STREQ(e.msg, "criu failed: type RESTORE errno 2: Can't open images dir",
		"message carries type, cr_errno and cr_errmsg");
	T_INTEQ(e.no, 2, "e.no = cr_errno");
	T_OK(r == NULL, "no response handed out on failure");
	T_INTEQ(swrk_finish(&s, 0, &e), -1, "non-zero exit reported by finish");
	T_STREQ(e.msg, "criu died: exit status 1", "exit status message");

	s = (struct swrk)SWRK_INIT;
	start_fake(&s, "eof", &e);
	T_INTEQ(swrk_call(&s, &q, NULL, NULL, NULL, &e), -1, "EOF mid-loop fails");
	T_STREQ(e.msg, "criu protocol error: unexpected EOF (criu died: exit status 3)",
		"EOF message says how criu ended");
	swrk_abort(&s, 0);
	T_INTEQ(s.pid, -1, "abort after an EOF is fine");

	s = (struct swrk)SWRK_INIT;
	start_fake(&s, "kill9", &e);
	T_INTEQ(swrk_call(&s, &q, NULL, NULL, NULL, &e), -1, "criu killed fails");
	T_STREQ(e.msg, "criu protocol error: unexpected EOF (criu died: killed by signal 9)",
		"death by signal is named");
	T_INTEQ(swrk_finish(&s, 0, &e), -1, "finish reports the signal too");
	T_STREQ(e.msg, "criu died: killed by signal 9", "finish message");

	s = (struct swrk)SWRK_INIT;
	start_fake(&s, "garbage", &e);
	T_INTEQ(swrk_call(&s, &q, NULL, NULL, NULL, &e), -1, "garbage fails");
	T_STREQ(e.msg, "criu protocol error: cannot decode the response (5 bytes)",
		"undecodable response message");
	swrk_abort(&s, 0);
	T_OK(s.reaped && WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0,
	     "abort closed the socket, fake saw EOF and was reaped");

	s = (struct swrk)SWRK_INIT;
	start_fake(&s, "wrongtype", &e);
	T_INTEQ(swrk_call(&s, &q, NULL, NULL, NULL, &e), -1, "wrong final type fails");
	T_STREQ(e.msg, "criu protocol error: unexpected response type DUMP to a RESTORE request",
		"unexpected type message");
	swrk_abort(&s, 0);

	s = (struct swrk)SWRK_INIT;
	start_fake(&s, "big", &e);
	s.max_msg = 64;
	T_INTEQ(swrk_call(&s, &q, NULL, NULL, NULL, &e), -1, "oversized message fails");
	T_OK(!strncmp(e.msg, "criu protocol error: message too big (", 38), "too big message");
	T_OK(strstr(e.msg, "limit 64)") != NULL, "limit named");
	swrk_abort(&s, 0);

	s = (struct swrk)SWRK_INIT;
	start_fake(&s, "cberr", &e);
	T_INTEQ(swrk_call(&s, &q, cb, &sn, NULL, &e), -1, "callback error stops the loop");
	T_STREQ(e.msg, "hook failed at post-restore", "callback's error kept");
	swrk_abort(&s, 0);
	T_OK(s.reaped && WIFEXITED(s.status) && WEXITSTATUS(s.status) == 42,
	     "no ack was sent after the failing callback (criu saw EOF)");

	/* PRE_DUMP: criu's non-zero exit after the reply is expected. */
	s = (struct swrk)SWRK_INIT;
	q.type = CRIU_REQ_TYPE__PRE_DUMP;
	start_fake(&s, "predump", &e);
	T_INTEQ(swrk_call(&s, &q, NULL, NULL, NULL, &e), 0, "PRE_DUMP reply");
	T_INTEQ(swrk_finish(&s, SWRK_ANY_EXIT, &e), 0, "PRE_DUMP: exit 1 ignored with SWRK_ANY_EXIT");
	s = (struct swrk)SWRK_INIT;
	start_fake(&s, "predump", &e);
	swrk_call(&s, &q, NULL, NULL, NULL, &e);
	T_INTEQ(swrk_finish(&s, 0, &e), -1, "without the flag the exit is an error");
}

static void test_probes(void)
{
	struct swrk_version v;
	struct swrk_features f, want = { 1, 0, 1 };
	struct err e;

	setenv("T_CRIU_FAKE", "version", 1);
	unsetenv("T_CRIU_GITID");
	T_INTEQ(swrk_version(self, &v, &e), 0, "swrk_version");
	T_OK(v.major == 3 && v.minor == 14 && v.sublevel == 2 && !v.gitid[0], "3.14.2");
	T_INTEQ(v.num, 31402, "version number");
	T_INTEQ(swrk_version_require(&v, SWRK_MIN_VERSION, NULL, &e), -1, "3.14.2 < floor");
	T_STREQ(e.msg, "criu too old: found 3.14.2 (31402), need at least 3.15.0 (31500)",
		"too old message");
	setenv("T_CRIU_GITID", "v3.14-12-gdeadbeef", 1);
	{
		/* A FIFO in the cache's place is not waited on: criu is probed instead. */
		char d[] = "/tmp/t_criu_cache.XXXXXX", cf[64];
		int dfd;
		T_OK(mkdtemp(d) != NULL, "cache dir");
		snprintf(cf, sizeof cf, "%s/%s", d, SWRK_VERSION_CACHE);
		dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		T_OK(dfd >= 0 && mkfifo(cf, 0600) == 0, "a FIFO named like the cache");
		alarm(10);   /* the old reader blocked in open() forever */
		T_INTEQ(swrk_version_cached(self, dfd, &v, &e), 0, "the version is probed, not hung");
		alarm(0);
		unlink(cf);
		close(dfd);
		rmdir(d);
	}
	T_INTEQ(swrk_version(self, &v, &e), 0, "swrk_version with gitid");
	T_INTEQ(v.num, 31500, "a git build rounds up to the next minor");
	T_STREQ(v.gitid, "v3.14-12-gdeadbeef", "gitid kept");
	T_INTEQ(swrk_version_require(&v, SWRK_MIN_VERSION, NULL, &e), 0, "which meets the floor");
	T_INTEQ(swrk_version_require(&v, 31600, "--lsm-profile", &e), -1, "3.16 gate");
	T_STREQ(e.msg, "criu too old: found 3.14.2 git v3.14-12-gdeadbeef (31500), need at least "
		"3.16.0 (31600) for --lsm-profile", "gate message names the feature");
	unsetenv("T_CRIU_GITID");

	setenv("T_CRIU_FAKE", "old", 1);
	T_INTEQ(swrk_version(self, &v, &e), -1, "pre-3.0 criu");
	T_OK(!strncmp(e.msg, "criu too old: ", 14), "reported as too old");

	setenv("T_CRIU_FAKE", "features", 1);
	T_INTEQ(swrk_features(self, NULL, &f, &e), 0, "FEATURE_CHECK (sub-message sent)");
	T_OK(!f.mem_track && f.lazy_pages && f.pidfd_store, "feature bits");
	T_INTEQ(swrk_features(self, &want, &f, &e), -1, "fake insists on all three");
	T_OK(strstr(e.msg, "criu failed: type FEATURE_CHECK errno 22") != NULL,
	     "FEATURE_CHECK failure message");

	T_INTEQ(swrk_version_num(4, 1, 1, NULL), 40101, "4.1.1");
	T_INTEQ(swrk_version_num(3, 15, 0, ""), 31500, "3.15.0");
	T_INTEQ(swrk_version_num(3, 99, 7, "g"), 40000, "3.99.7+git rounds to 40000");
	T_INTEQ(swrk_version_num(500002049, 1, 1, NULL), INT_MAX, "an absurd version saturates "
		"(found by fuzz_version: signed overflow before)");
}

static void test_lookup(void)
{
	struct swrk s = SWRK_INIT;
	struct err e;
	char dir[] = "/tmp/t_criu.XXXXXX", p[256], *r;
	const char *oldpath = getenv("PATH");
	char *saved = oldpath ? strdup(oldpath) : NULL;
	int fd;

	T_OK(mkdtemp(dir) != NULL, "tmpdir");
	setenv("PATH", dir, 1);
	T_INTEQ(swrk_start(&s, NULL, NULL, NULL, 0, &e), -1, "no criu in PATH");
	T_STREQ(e.msg, "criu not found: criu (not in PATH)", "not found message");
	T_INTEQ(e.no, ENOENT, "ENOENT");
	snprintf(p, sizeof p, "%s/criu", dir);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	T_OK(fd >= 0 && write(fd, "junk\n", 5) == 5, "non-executable criu");
	close(fd);
	r = swrk_find("criu", &e);
	T_OK(r == NULL, "non-executable is not used");
	snprintf(p, sizeof p, "criu not executable: %s/criu", dir);
	T_STREQ(e.msg, p, "not executable message");
	snprintf(p, sizeof p, "%s/criu", dir);
	chmod(p, 0755);
	T_INTEQ(swrk_start(&s, NULL, NULL, NULL, 0, &e), -1, "executable junk fails at exec");
	T_OK(strstr(e.msg, "cannot execute criu ") && strstr(e.msg, "Exec format error"),
	     "exec errno reported");
	T_OK(s.pid == -1 && s.sk == -1, "nothing left after a failed exec");
	r = swrk_find("criu", &e);
	T_STREQ(r, p, "found through our PATH walk");
	free(r);
	{
		int badfd = 987;
		T_INTEQ(swrk_start(&s, self, NULL, &badfd, 1, &e), -1, "a closed extra fd");
		T_OK(strstr(e.msg, "criu: placing fds for ") && strstr(e.msg, "Bad file descriptor"),
		     "fd setup failure named as such");
		T_OK(s.pid == -1 && s.sk == -1, "nothing left after a failed fd setup");
	}
	T_INTEQ(swrk_start(&s, "/nonexistent/criu", NULL, NULL, 0, &e), -1, "missing path");
	T_STREQ(e.msg, "criu not found: /nonexistent/criu", "missing path message");
	r = swrk_which("sh");
	T_OK(r == NULL, "which honours PATH");
	unlink(p);
	rmdir(dir);
	if (saved) {
		setenv("PATH", saved, 1);
		free(saved);
	}
	r = swrk_which("sh");
	T_OK(r && r[0] == '/', "which finds sh");
	free(r);
}

static void test_log(void)
{
	char path[] = "/tmp/t_criu_log.XXXXXX";
	int fd = mkstemp(path);
	struct buf b = BUF_INIT;
	const char *log =
		"(00.000001) Version: 4.1.1\n"
		"(00.001000)      1: Error (criu/files-reg.c:2087): Can't open file x: No such file\n"
		"(00.001100) Warn  (criu/x.c:1): fine\n"
		"(00.002000) Error (criu/cr-restore.c:2556): Restoring FAILED.";
	if (write(fd, log, strlen(log)) < 0)
		return;
	close(fd);
	T_INTEQ(swrk_log_errors(AT_FDCWD, path, &b, 10), 2, "two Error lines");
	T_STREQ(b.p, "(00.001000)      1: Error (criu/files-reg.c:2087): Can't open file x: No "
		"such file\n(00.002000) Error (criu/cr-restore.c:2556): Restoring FAILED.\n",
		"Error lines, last one without a newline");
	buf_reset(&b);
	T_INTEQ(swrk_log_errors(AT_FDCWD, path, &b, 1), 1, "max respected");
	{
		/* A symlink or a FIFO planted where the log should be is not read. */
		char ln[64], fifo[64], yard[64];
		struct swrk_version v;
		time_t t0;
		snprintf(ln, sizeof ln, "%s.lnk", path);
		snprintf(fifo, sizeof fifo, "%s.fifo", path);
		T_OK(symlink(path, ln) == 0 && mkfifo(fifo, 0600) == 0, "a symlink and a FIFO");
		buf_reset(&b);
		T_INTEQ(swrk_log_errors(AT_FDCWD, ln, &b, 10), -1, "a symlinked log is not followed");
		t0 = time(NULL);
		T_INTEQ(swrk_log_errors(AT_FDCWD, fifo, &b, 10), -1, "a FIFO log is refused");
		T_OK(time(NULL) - t0 < 2, "  without blocking");
		T_INTEQ(swrk_log_yard(AT_FDCWD, path, yard, sizeof yard), -1, "no yard line: none");
		unlink(ln);
		unlink(fifo);
		fd = open(path, O_WRONLY | O_APPEND);
		T_OK(fd >= 0 && write(fd, "\n(00.039417) cg: Opening .criu.cgyard.aFzAuC as cg yard\n"
				      "(00.04) cg: Opening .criu.cgyard.other as cg yard\n", 101) == 101,
		     "a log with two yard lines");
		close(fd);
		T_OK(swrk_log_yard(AT_FDCWD, path, yard, sizeof yard) == 0 &&
		     !strcmp(yard, ".criu.cgyard.aFzAuC"), "the yard CRIU opened first is named");
		T_INTEQ(swrk_log_yard(AT_FDCWD, path, yard, 8), -1, "a yard name too long is none");
		/* The version cache: a line for another binary, junk, a FIFO. */
		{
			char l1[] = "1 2 3 4.5 6.7 4 1 1 -\n", l2[] = "1 2 3 4.5 6.7 4 x 1 -\n";
			char l3[] = "1 2 3 4.5 6.7 4 1 1 deadbeef\n";
			T_OK(swrk_version_parse(l1, "1 2 3 4.5 6.7", &v) == 0 && v.num == 40101,
			     "version cache line");
			T_INTEQ(swrk_version_parse(l2, "1 2 3 4.5 6.7", &v), -1, "junk number");
			T_OK(swrk_version_parse(l3, "1 2 3 4.5 6.7", &v) == 0 && v.num == 40200 &&
			     !strcmp(v.gitid, "deadbeef"), "a git build rounds up");
		}
	}
	unlink(path);
	T_INTEQ(swrk_log_errors(AT_FDCWD, path, &b, 10), -1, "missing log");
	buf_free(&b);
	T_STREQ(swrk_type_name(CRIU_REQ_TYPE__SINGLE_PRE_DUMP), "SINGLE_PRE_DUMP", "type name");
	T_STREQ(swrk_type_name(77), "?", "unknown type name");
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc == 3 && !strcmp(argv[1], "swrk") && !strcmp(argv[2], "3"))
		_exit(fake_main(argv[0]));   /* _exit: no leak check in the fake */
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return 1;
	self[n] = 0;
	test_golden();
	if (t_noexec()) {
		/* the fake criu is this binary re-executed, which needs a binfmt handler */
		t_skip("spawn, restore loop, failure, probe and lookup tests", "they execute "
		       "programs, which qemu-user without binfmt cannot do faithfully");
	} else {
		test_spawn_fds();
		test_restore_loop();
		test_failures();
		test_probes();
		test_lookup();
	}
	test_log();
	return t_done();
}
