/* lifecycle: helpers the lifecycle applets (state, list, kill, delete, ps, pause, resume)
 * share; defined in applets/state.c. */
#ifndef CRBOX_LIFECYCLE_H
#define CRBOX_LIFECYCLE_H
#include <stddef.h>
#include "common.h"
#include "state.h"

/* Opens the state root, then <root>/<id> under lock, then reads its state.json. Errors use
 * runc's wording: "container id cannot be empty", "invalid container ID format", "container
 * does not exist" (also for a missing root). On failure the root and dir fds may still be open
 * (e.g. a dir without state.json): always finish with lc_close. 0 or -1. */
int lc_load(const char *id, enum state_lock lock, int *rootfd, int *dirfd, struct state *st,
	    struct err *e);
/* Closes what lc_load opened and frees st (st may be NULL: kept). */
void lc_close(int rootfd, int dirfd, struct state *st);
/* The OCI status ("paused", "stopped", "created", "running"), or NULL with e set when the
 * freezer cannot be read. */
const char *lc_status(const struct state *st, int dirfd, struct err *e);
/* runc's checkArgs for min/max counts (max < 0: none): 1 with *rc = 1 after the usage error
 * ("<argv0>: \"kill\" requires a minimum of 1 argument(s)"), else 0. */
int lc_nargs(const struct applet_info *ai, int n, int min, int max, int *rc);
/* strerror(no) with its first letter lowered, the shape of Go's errno texts. */
const char *lc_errstr(int no, char *b, size_t cap);

/* pause (freeze = 1: a running container, else "container not running") and resume
 * (freeze = 0: a paused one, else "container not paused") through the cgroup freezer, under
 * the exclusive state lock. Returns the exit status. */
int lc_freezer(int argc, char **argv, const struct applet_info *ai, int freeze);

#endif
