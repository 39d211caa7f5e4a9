/* exec: the parent side of `exec` (see exec.h): the process spec, the namespaces to join,
 * the cgroups, the child and the sync protocol, then detach or wait. */
#include "runtime/exec.h"
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "ctr.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include "jsonw.h"
#include "proc.h"
#include "sys/sock.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void rt_init_exec(struct ctr *c) __attribute__((noreturn));

/* One JSON value of d, copied through the writer. */
static void copy_value(struct jw *w, const struct json_doc *d, int i)
{
	const struct json_tok *t = &d->t[i];
	int k;
	switch (t->type) {
	case JSON_OBJ:
		jw_obj(w);
		for (k = t->first; k >= 0; k = d->t[k].next) {
			jw_key(w, d->t[k].key);
			copy_value(w, d, k);
		}
		jw_end(w);
		break;
	case JSON_ARR:
		jw_arr(w);
		for (k = t->first; k >= 0; k = d->t[k].next)
			copy_value(w, d, k);
		jw_end(w);
		break;
	case JSON_STR:
		jw_strn(w, t->s, t->slen);
		break;
	case JSON_NUM:
		jw_raw(w, t->s, t->slen);
		break;
	case JSON_BOOL:
		jw_bool(w, t->b);
		break;
	default:
		jw_null(w);
	}
}

/* config.json with its "process" replaced by the process.json document (runc takes the
 * whole process from -p). out gets the new text. */
static int merge_process(struct buf *cfg, const char *file, struct buf *out, struct err *e)
{
	struct json_doc cd = { 0 }, pd = { 0 };
	struct buf pb = BUF_INIT;
	struct jw w;
	int k, done = 0, rc = -1;

	if (!strcmp(file, "-")) {
		char b[4096];
		ssize_t n;
		while ((n = read(0, b, sizeof b)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				err_sys(e, "read process from stdin");
				goto out;
			}
			buf_add(&pb, b, (size_t)n);
		}
	} else if (fs_read_file(file, 4u << 20, &pb, e) < 0) {
		goto out;
	}
	if (json_parse(&pd, file, pb.p, pb.len, e) < 0 || json_expect(&pd, 0, JSON_OBJ, e) < 0 ||
	    json_parse(&cd, "config.json", cfg->p, cfg->len, e) < 0 ||
	    json_expect(&cd, 0, JSON_OBJ, e) < 0)
		goto out;
	jw_init(&w, out, 0);
	jw_obj(&w);
	for (k = cd.t[0].first; k >= 0; k = cd.t[k].next) {
		jw_key(&w, cd.t[k].key);
		if (!strcmp(cd.t[k].key, "process")) {
			copy_value(&w, &pd, 0);
			done = 1;
		} else {
			copy_value(&w, &cd, k);
		}
	}
	if (!done) {
		jw_key(&w, "process");
		copy_value(&w, &pd, 0);
	}
	jw_end(&w);
	rc = 0;
out:
	json_free(&pd);
	json_free(&cd);
	buf_free(&pb);
	return rc;
}

/* os.Setenv semantics (runc sets each entry in turn): a later KEY= replaces the value in
 * the earlier place; new keys are appended. */
static void env_set(const char ***env, size_t *n, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t kl = eq ? (size_t)(eq - kv) : strlen(kv), i;
	for (i = 0; i < *n; i++)
		if (!strncmp((*env)[i], kv, kl) && (*env)[i][kl] == '=') {
			(*env)[i] = kv;
			return;
		}
	*env = xrealloc(*env, (*n + 2) * sizeof **env);
	(*env)[(*n)++] = kv;
	(*env)[*n] = NULL;
}

static int parse_id(const char *s, const char *what, uint32_t *out, struct err *e)
{
	char *end;
	long long v;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > 0xffffffffLL)
		return err_set(e, EINVAL, "parsing %s as int for %s failed: strconv.Atoi: parsing "
			       "\"%s\": invalid syntax", s, what, s);
	*out = (uint32_t)v;
	return 0;
}

/* The flags' overrides on the config's process (runc's getProcess without -p). */
static int apply_flags(struct ctr *c, const struct rt_exec_opts *o, struct err *e)
{
	const char **env = NULL;
	size_t i, n = 0;

	c->spec.terminal = o->tty;
	if (o->cwd && *o->cwd) {
		if (o->cwd[0] != '/')
			return err_set(e, EINVAL, "Cwd must be an absolute path");
		c->spec.cwd = o->cwd;
	}
	if (o->apparmor && *o->apparmor)
		c->ps.apparmor = o->apparmor;
	if (o->process_label && *o->process_label)
		c->ps.selinux = o->process_label;
	if (o->no_new_privs)
		c->ps.nnp = 1;
	for (i = 0; i < c->ps.nenv; i++)
		env_set(&env, &n, c->ps.env[i]);
	for (i = 0; i < o->nenv; i++)
		env_set(&env, &n, o->env[i]);
	free(c->ps.env);
	c->ps.env = env;
	c->ps.nenv = n;
	for (i = 0; i < o->ncaps; i++) {
		int cap = pspec_cap_number(o->caps[i]);
		if (cap < 0)
			return err_set(e, EINVAL, "unknown capability \"%s\"", o->caps[i]);
		c->ps.caps[CAPSET_BOUNDING] |= 1ULL << cap;
		c->ps.caps[CAPSET_EFFECTIVE] |= 1ULL << cap;
		c->ps.caps[CAPSET_PERMITTED] |= 1ULL << cap;
		c->ps.caps[CAPSET_AMBIENT] |= 1ULL << cap;
		c->ps.has_caps = 1;
	}
	if (o->user && *o->user) {
		const char *colon = strchr(o->user, ':');
		char *u = colon ? fmt_alloc("%.*s", (int)(colon - o->user), o->user) : xstrdup(o->user);
		int r = 0;
		if (colon)
			r = parse_id(colon + 1, "gid", &c->spec.gid, e);
		if (r == 0)
			r = parse_id(u, "uid", &c->spec.uid, e);
		free(u);
		if (r < 0)
			return -1;
	}
	for (i = 0; i < o->ngids; i++) {
		char *end;
		long long v = strtoll(o->gids[i], &end, 10);
		if (!*o->gids[i] || *end)
			return err_set(e, EINVAL, "invalid value \"%s\" for flag -additional-gids",
				       o->gids[i]);
		if (v < 0)
			return err_set(e, EINVAL, "additional-gids must be a positive number %lld", v);
		c->ps.gids = xrealloc(c->ps.gids, (c->ps.ngids + 1) * sizeof *c->ps.gids);
		c->ps.gids[c->ps.ngids++] = (uint32_t)v;
	}
	return 0;
}

/* The container's config: the copy create keeps in the state dir, else the bundle's. */
static int read_config(int dirfd, const struct state *st, struct buf *b, struct err *e)
{
	int fd = openat(dirfd, "config.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC), r;
	if (fd >= 0) {
		char *p = fmt_alloc("/proc/self/fd/%d", fd);
		r = fs_read_file(p, 4u << 20, b, e);
		free(p);
		close(fd);
		return r;
	} else {
		char *p = fmt_alloc("%s/config.json", st->bundle ? st->bundle : ".");
		r = fs_read_file(p, 4u << 20, b, e);
		free(p);
		return r;
	}
}

/* Namespaces of the init that differ from ours become c->clone_flags (setns flags); the
 * init is pinned by a pidfd checked against its start time (fallback: ns fds in nsfd). */
static int plan_join(struct ctr *c, const struct state *st, struct err *e)
{
	int i;
	c->pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (c->pidfd < 0 && errno != ENOSYS)
		return err_sys(e, "pidfd_open %d", st->pid);
	if (!proc_alive(st->pid, st->start_time))
		return err_set(e, ESRCH, "cannot exec in a stopped container");
	for (i = 0; i < SPEC_NS_N; i++) {
		struct stat a, b;
		char p[64];
		fmt_sn(p, sizeof p, "/proc/%d/ns/%s", st->pid, spec_nstypes[i].proc);
		if (stat(p, &a) < 0)
			continue;       /* not in this kernel */
		fmt_sn(p + 6, sizeof p - 6, "self/ns/%s", spec_nstypes[i].proc);
		if (stat(p, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue;
		c->clone_flags |= spec_nstypes[i].clone;
		if (c->pidfd < 0) {
			fmt_sn(p, sizeof p, "/proc/%d/ns/%s", st->pid, spec_nstypes[i].proc);
			c->nsfd[i] = open(p, O_RDONLY | O_CLOEXEC);
			if (c->nsfd[i] < 0)
				return err_sys(e, "open %s", p);
		}
	}
	return 0;
}

/* The container's cgroup dirs, each extended by a --cgroup "[CTRL[,CTRL]:]PATH". */
static int plan_cgroups(struct ctr *c, const struct state *st, const struct rt_exec_opts *o,
			struct err *e)
{
	size_t i, k;
	ctr_cgroups(st, &c->cg);
	for (i = 0; i < o->ncgroups; i++) {
		const char *a = o->cgroups[i], *colon = strchr(a, ':'), *sub = colon ? colon + 1 : a;
		if (!*sub || strstr(sub, ".."))
			return err_set(e, EINVAL, "invalid --cgroup argument: %s", a);
		for (k = 0; k < c->cg.n; k++) {
			struct cgroup_path *cp = &c->cg.v[k];
			char *d;
			if (colon) {
				char *list = fmt_alloc(",%.*s,", (int)(colon - a), a);
				char *key = fmt_alloc(",%s,", cp->key);
				int hit = *cp->key && strstr(list, key) != NULL;
				free(list);
				free(key);
				if (!hit)
					continue;
			}
			d = fmt_alloc("%s/%s", cp->dir, sub);
			free(cp->dir);
			cp->dir = d;
		}
	}
	return 0;
}

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
			return err_set(e, EPIPE, "exec process exited unexpectedly");
		if (m.type == SYNC_ERROR)
			return err_set(e, m.val, "%s", m.msg);
		if (m.type == SYNC_READY)
			return 0;
		if (m.type == SYNC_SECCOMP_FD) {
			if (rt_seccomp_hand_over(c, c->o->id, c->spec.bundle, m.val, e) < 0)
				return -1;
			continue;
		}
		if (m.type != SYNC_PID)
			return err_set(e, EPROTO, "sync: unexpected %s", sync_name(m.type));
		if (rt_sync_pid(c, m.val, e) < 0)
			return -1;
	}
}

static void undo(struct ctr *c)
{
	struct err e;
	int st;
	if (c->stage1 > 0) {
		kill(c->stage1, SIGKILL);
		proc_wait(c->stage1, &st, 0, &e);
	}
	if (c->pid > 0 && c->pid != c->stage1) {
		kill(c->pid, SIGKILL);
		proc_wait(c->pid, &st, 0, &e);
	}
	c->stage1 = c->pid = 0;
}

static int launch(struct ctr *c, const struct rt_exec_opts *o, struct err *e)
{
	long pid;
	int sv[2];

	if (c->spec.terminal) {
		if (o->console_socket && *o->console_socket) {
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
	if (sync_pair(c->sync, e) < 0)
		return -1;
	pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return err_sys(e, "clone");
	if (pid == 0)
		rt_init_exec(c);
	c->stage1 = (pid_t)pid;
	close(c->sync[1]);
	c->sync[1] = -1;
	close(c->console);
	c->console = -1;
	if (cgroup_enter(&c->cg, c->stage1, e) < 0) {
		err_wrap(e, "error adding pid %d to cgroups", (int)c->stage1);
		return -1;
	}
	cgroup_warm_end(c->warm);
	c->warm = 0;
	if (parent_sync(c, e) < 0)
		return -1;
	if (c->console_peer >= 0) {
		c->pty_master = sock_recv_fd(c->console_peer, e);
		if (c->pty_master < 0)
			return -1;
	}
	return 0;
}

int rt_exec(const struct rt_exec_opts *o, int dirfd, const struct state *st, int sfd,
	    struct err *e)
{
	struct rt_opts ro = { 0 };
	struct ctr c;
	struct buf cfg = BUF_INIT, merged = BUF_INIT;
	const char **args = NULL;
	int i, rc = -1;

	memset(&c, 0, sizeof c);
	c.o = &ro;
	c.is_exec = 1;
	c.rootfd = c.dirfd = c.console = c.console_peer = c.pty_master = c.fifo = c.pidfd = c.procfd = -1;
	c.sync[0] = c.sync[1] = -1;
	for (i = 0; i < SPEC_NS_N; i++)
		c.nsfd[i] = -1;
	c.warm = cgroup_warm_start();   /* see rt_create */
	ro.prog = o->prog;
	ro.id = st->id;
	ro.preserve_fds = o->preserve_fds;
	ro.no_new_keyring = 1;
	ro.foreground = !o->detach;

	if (o->preserve_fds < 0) {
		err_set(e, EINVAL, "--preserve-fds must be >= 0");
		goto out;
	}
	if (read_config(dirfd, st, &cfg, e) < 0)
		goto out;
	if (o->process) {
		if (merge_process(&cfg, o->process, &merged, e) < 0)
			goto out;
		if (spec_parse(&c.spec, merged.p, merged.len, st->bundle, e) < 0 ||
		    pspec_load(&c.ps, &c.spec, e) < 0)
			goto out;
	} else {
		if (!o->nargs) {
			err_set(e, EINVAL, "process args cannot be empty");
			goto out;
		}
		if (spec_parse(&c.spec, cfg.p, cfg.len, st->bundle, e) < 0 ||
		    pspec_load(&c.ps, &c.spec, e) < 0 || apply_flags(&c, o, e) < 0)
			goto out;
		args = c.spec.args;     /* restored before spec_free */
		c.spec.args = (const char **)o->args;
		c.spec.nargs = o->nargs;
	}
	/* runc 1.1 ignores oomScoreAdj for exec; the hooks belong to the init. */
	c.ps.has_oom = 0;
	if (c.spec.terminal && o->detach && !(o->console_socket && *o->console_socket)) {
		err_set(e, EINVAL, "cannot allocate tty if %s will detach without setting console "
			"socket", o->prog);
		goto out;
	}
	if (!c.spec.terminal && o->console_socket && *o->console_socket) {
		err_set(e, EINVAL, "cannot use console socket if %s will not detach or allocate "
			"tty", o->prog);
		goto out;
	}
	/* Only 0-2 and --preserve-fds reach the process: everything else close-on-exec. */
	syscall(SYS_close_range, 3 + o->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	/* The container's seccomp profile, compiled before anything exists. */
	if (seccomp_compile_spec(&c.spec, &c.sc, e) < 0 || plan_join(&c, st, e) < 0 ||
	    plan_cgroups(&c, st, o, e) < 0)
		goto out;
	/* The caller's state lock ends here: the set-up may wait on a frozen cgroup
	 * (--ignore-paused) until `resume`, and kill or delete must go on meanwhile. */
	flock(dirfd, LOCK_UN);
	if (launch(&c, o, e) < 0) {
		undo(&c);
		goto out;
	}
	if (o->pid_file && *o->pid_file && pidfile_write(o->pid_file, c.pid, e) < 0) {
		undo(&c);
		goto out;
	}
	close(c.sync[0]);
	c.sync[0] = -1;
	if (o->detach) {
		rc = 0;
		goto out;
	}
	rc = rt_wait(&c, sfd);
out:
	if (c.pidfd >= 0)
		close(c.pidfd);
	if (c.pty_master >= 0)
		close(c.pty_master);
	if (args)
		c.spec.args = args;
	rt_ctr_free(&c);
	buf_free(&merged);
	buf_free(&cfg);
	return rc;
}
