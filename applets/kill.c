/* kill: `crbox kill [--all] <id> [signal]` as `runc kill` (1.1.5): the signal (default SIGTERM;
 * "KILL", "SIGKILL", "9") goes to the init only through proc_signal, so a pid whose start time
 * no longer matches (a reused pid) is never signalled; a stopped container gives "container
 * not running". SIGKILL to a paused init thaws the cgroup so it can die, as runc. --all
 * signals every process of the cgroup while it is frozen. Unlike runc, --all leaves a paused
 * container paused (runc thaws it for any signal); a SIGKILL still thaws. Lock: exclusive. */
#include "common.h"
#include "lifecycle.h"
#include "cgroup/cgroup.h"
#include "ctr.h"
#include "proc.h"
#include "state.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>


struct kopts {
	int all;
};

static const struct opt tab[] = {
	OPT("all", "a", OPT_BOOL, struct kopts, all, NULL,
	    "signal every process in the container's cgroup, not only the init"),
};

static const struct applet_info info = {
	"kill", "kill sends the specified signal (default: SIGTERM) to the container's init process",
	"[command options] <container-id> [signal]\n\nWhere \"<container-id>\" names a container "
	"in the state root and \"[signal]\" is a\nsignal name (KILL, SIGKILL) or number (9).",
	"Sends the signal to the container's init, but only while the init is the very\n"
	"process that was started or restored (its start time is checked). With --all,\n"
	"every process in the container's cgroup gets it.",
	tab, sizeof tab / sizeof tab[0],
};

/* Signals one pid through a pidfd when the kernel has them. */
static int signal_pid(pid_t pid, int sig)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0), r;

	if (fd < 0)
		return errno == ENOSYS ? kill(pid, sig) : -1;
	r = (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
	close(fd);
	return r;
}

/* runc's signalAllProcesses: freeze, signal every pid of the cgroup, thaw. The cgroup stays
 * frozen (and its pids cannot exit or be reused) while they are signalled. */
static int signal_all(const struct state *st, const char *status, int sig, struct err *e)
{
	struct cgroup_paths cg;
	struct err e2;
	pid_t *pids = NULL;
	size_t n = 0, i;
	int froze = 0, rc = 0;
	char eb[64];

	ctr_cgroups(st, &cg);
	if (!cg.n)
		goto out;
	if (cgroup_freezer_dir(&cg)) {
		if (cgroup_freeze(&cg, &e2) < 0)
			log_warn("%s", e2.msg);
		else
			froze = 1;
	}
	rc = cgroup_pids(&cg, &pids, &n, e);
	for (i = 0; rc == 0 && i < n; i++)
		if (signal_pid(pids[i], sig) < 0 && errno != ESRCH)
			log_warn("signal %d to process %d: %s", sig, (int)pids[i],
				 lc_errstr(errno, eb, sizeof eb));
	/* A paused container stays paused unless it is being killed. */
	if (froze && (strcmp(status, "paused") || sig == SIGKILL) && cgroup_thaw(&cg, &e2) < 0)
		log_warn("%s", e2.msg);
out:
	free(pids);
	cgroup_paths_free(&cg);
	return rc;
}

int kill_main(int argc, char **argv)
{
	struct kopts o = { 0 };
	struct state st;
	struct err e;
	const char *status;
	char **pos, eb[64];
	int npos, rc, rootfd = -1, dirfd = -1, sig = SIGTERM;

	memset(&st, 0, sizeof st);
	if (applet_args(argc, argv, &info, &o, NULL, &pos, &npos, -1, &rc) ||
	    lc_nargs(&info, npos, 1, 2, &rc))
		return rc;
	rc = 1;
	if (lc_load(pos[0], STATE_LOCK_EX, &rootfd, &dirfd, &st, &e) < 0)
		goto fail;
	if (npos > 1 && proc_parse_signal(pos[1], &sig, &e) < 0)
		goto fail;
	status = lc_status(&st, dirfd, &e);
	if (!status)
		goto fail;
	if (o.all) {
		if (signal_all(&st, status, sig, &e) < 0)
			goto fail;
	} else {
		if (!strcmp(status, "stopped")) {
			err_set(&e, 0, "container not running");
			goto fail;
		}
		if (proc_signal(st.pid, st.start_time, sig, &e) < 0) {
			if (e.no == ESRCH)  /* gone, or the pid is another process now */
				err_set(&e, ESRCH, "container not running");
			else
				err_set(&e, e.no, "unable to signal init: %s",
					lc_errstr(e.no, eb, sizeof eb));
			goto fail;
		}
		if (!strcmp(status, "paused") && sig == SIGKILL) {
			struct cgroup_paths cg;
			struct err e2;
			ctr_cgroups(&st, &cg);
			if (cgroup_thaw(&cg, &e2) < 0)
				log_warn("%s", e2.msg);
			cgroup_paths_free(&cg);
		}
	}
	rc = 0;
	goto out;
fail:
	report(&e);
out:
	lc_close(rootfd, dirfd, &st);
	return rc;
}
