/* ctr: container-wide helpers shared by restore, checkpoint and delete (see ctr.h). */
#include "ctr.h"
#include "buf.h"
#include "proc.h"
#include <signal.h>
#include <string.h>
#include <sys/file.h>

void ctr_cgroups(const struct state *st, struct cgroup_paths *p)
{
	size_t i;
	memset(p, 0, sizeof *p);
	for (i = 0; i < st->ncgroup_paths; i++)
		cgroup_paths_set(p, st->cgroup_paths[i].key, st->cgroup_paths[i].value);
}

int ctr_run_hooks(const struct state *st, const char *status, const char *kind,
		  const struct state_hook *hooks, size_t n, struct err *e)
{
	struct buf in = BUF_INIT;
	size_t i;
	int rc = 0;

	if (!n)
		return 0;
	state_hook_json(st, status, &in);
	for (i = 0; i < n && rc == 0; i++) {
		const struct state_hook *h = &hooks[i];
		rc = proc_run_hook(h->path, (const char *const *)h->args,
				   h->has_env ? (const char *const *)h->env : NULL, h->timeout, in.p,
				   in.len, e);
		if (rc < 0)
			err_wrap(e, "%s hook #%zu", kind, i);
	}
	buf_free(&in);
	return rc;
}

int ctr_destroy(int rootfd, const char *id, int dirfd, const struct state *st, struct err *e)
{
	struct cgroup_paths cg;
	struct err e2;
	int rc = 0;

	ctr_cgroups(st, &cg);
	if (st->pid > 0)
		proc_signal(st->pid, st->start_time, SIGKILL, &e2);
	if (cg.n) {
		if (cgroup_kill_all(&cg, 5000, &e2) < 0 && rc == 0)
			rc = err_set(e, e2.no, "%s", e2.msg);
		if (cgroup_remove(&cg, 0, &e2) < 0 && rc == 0)
			rc = err_set(e, e2.no, "%s", e2.msg);
	}
	cgroup_paths_free(&cg);
	if (state_destroy(rootfd, id, dirfd, &e2) < 0 && rc == 0)
		rc = err_set(e, e2.no, "%s", e2.msg);
	/* As runc: poststop runs once the state dir is gone, and with no lock held, so a hook
	 * may call crbox on the same id (and learns it does not exist). */
	if (dirfd >= 0)
		flock(dirfd, LOCK_UN);
	if (ctr_run_hooks(st, "stopped", "poststop", st->poststop, st->npoststop, &e2) < 0 &&
	    rc == 0)
		rc = err_set(e, e2.no, "%s", e2.msg);
	return rc;
}
