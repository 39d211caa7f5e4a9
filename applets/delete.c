/* delete: `crbox delete [-f] <id>` as `runc delete` (1.1.5). A stopped container is destroyed
 * (ctr_destroy: leftover processes, cgroups, poststop hooks, state dir). A running or paused
 * one is refused ("cannot delete container <id> that is not stopped: <status>") unless -f,
 * which SIGKILLs the init (start time checked), waits up to 10 s for it to die, then destroys.
 * A missing container: "container does not exist", or exit 0 with -f. A state dir without
 * state.json (an aborted restore) is removed. Destroy errors are logged, exit status 0, as
 * runc. Lock: exclusive, held until the state dir is gone. */
#include "common.h"
#include "lifecycle.h"
#include "cgroup/cgroup.h"
#include "ctr.h"
#include "proc.h"
#include "state.h"
#include "state/busy.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


struct dopts {
	int force;
};

static const struct opt tab[] = {
	OPT("force", "f", OPT_BOOL, struct dopts, force, NULL,
	    "kill a running or paused container (SIGKILL) before deleting it"),
};

static const struct applet_info info = {
	"delete", "delete any resources held by the container",
	"[command options] <container-id>\n\nWhere \"<container-id>\" names a container in the "
	"state root.",
	"Removes a stopped container: what is left in its cgroups, the cgroups, its state\n"
	"directory; its poststop hooks run. With --force a running or paused container is\n"
	"killed (SIGKILL) first.",
	tab, sizeof tab / sizeof tab[0],
};

static void destroy(int rootfd, const char *id, int dirfd, const struct state *st)
{
	struct err e;
	if (ctr_destroy(rootfd, id, dirfd, st, &e) < 0)
		report(&e);
}

/* runc's killContainer: SIGKILL, then poll every 100 ms (10 s at most) until the init is
 * gone, then destroy. */
static int kill_destroy(int rootfd, const char *id, int dirfd, struct state *st,
			const char *status, struct err *e)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	struct cgroup_paths cg;
	struct err e2;
	int i;

	if (strcmp(status, "stopped")) {
		proc_signal(st->pid, st->start_time, SIGKILL, &e2);
		if (!strcmp(status, "paused")) {
			ctr_cgroups(st, &cg);
			if (cgroup_thaw(&cg, &e2) < 0)
				log_warn("%s", e2.msg);
			cgroup_paths_free(&cg);
		}
	}
	for (i = 0; i < 100; i++) {
		if (!proc_alive(st->pid, st->start_time)) {
			destroy(rootfd, id, dirfd, st);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	return err_set(e, EBUSY, "container init still running");
}

int delete_main(int argc, char **argv)
{
	struct dopts o = { 0 };
	struct state st;
	struct err e;
	const char *status, *id;
	char **pos;
	int npos, rc, rootfd = -1, dirfd = -1;

	if (applet_args(argc, argv, &info, &o, NULL, &pos, &npos, 1, &rc))
		return rc;
	id = pos[0];
	rc = 1;
	if (lc_load(id, STATE_LOCK_EX, &rootfd, &dirfd, &st, &e) < 0) {
		if (e.no != ENOENT)
			goto fail;
		/* No state.json yet: a restore still making it (its claim is live), or an
		 * aborted one. */
		if (dirfd >= 0 && busy_refuse(dirfd, &e) < 0)
			goto fail;
		/* A dir without state.json and without a live claim is an aborted create: remove
		 * it. */
		if (dirfd >= 0) {
			struct err e2;
			if (state_destroy(rootfd, id, dirfd, &e2) < 0)
				report(&e2);
		}
		if (o.force)
			rc = 0;
		else
			report(&e);
		goto out;
	}
	/* A restore or checkpoint in progress owns it until it ends (no lock is held meanwhile). */
	if (busy_refuse(dirfd, &e) < 0)
		goto fail;
	status = lc_status(&st, dirfd, &e);
	if (!status)
		goto fail;
	if (o.force) {
		if (kill_destroy(rootfd, id, dirfd, &st, status, &e) < 0)
			goto fail;
	} else if (!strcmp(status, "stopped")) {
		destroy(rootfd, id, dirfd, &st);
	} else if (!strcmp(status, "created")) {
		if (kill_destroy(rootfd, id, dirfd, &st, status, &e) < 0)
			goto fail;
	} else {
		err_set(&e, 0, "cannot delete container %s that is not stopped: %s", id, status);
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	report(&e);
out:
	lc_close(rootfd, dirfd, &st);
	return rc;
}
