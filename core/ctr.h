/* ctr: operations on a whole container that several applets share: its cgroup dirs from the
 * state, running its hooks with the OCI state on stdin, and destroying it (kill what is
 * left, remove the cgroups, run poststop hooks, remove the state dir), as runc's Destroy. */
#ifndef CRBOX_CTR_H
#define CRBOX_CTR_H
#include "cgroup/cgroup.h"
#include "err.h"
#include "state.h"

/* The container's cgroup dirs as recorded in st (empty when none were recorded). */
void ctr_cgroups(const struct state *st, struct cgroup_paths *p);
/* Runs hooks[0..n) in order with the hook state (state_hook_json, status given) on stdin,
 * each through proc_run_hook (a hook with has_env == 0 inherits our environment); stops at
 * the first failure: "<kind> hook #<i>: hook ... exited with status N". */
int ctr_run_hooks(const struct state *st, const char *status, const char *kind,
		  const struct state_hook *hooks, size_t n, struct err *e);
/* Destroys the container as runc's destroy does: SIGKILL to the init (if it is still the
 * same process) and to everything in its cgroup, removal of its cgroup dirs, removal of
 * <root>/<id>, then (with dirfd's flock released) the poststop hooks. Failures are reported
 * in e but do not stop the rest. 0 or -1 (first error). */
int ctr_destroy(int rootfd, const char *id, int dirfd, const struct state *st, struct err *e);

#endif
