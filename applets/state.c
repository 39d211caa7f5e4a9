/* state: `crbox state <id>` prints the OCI state of a container as `runc state` does (2-space
 * JSON, no trailing newline; status computed from the init's pid + start time and the
 * freezer). This file also holds the helpers the other lifecycle applets (list, kill, delete,
 * ps, pause, resume) share: loading a container under its state lock with runc's error
 * wording, its status, runc's min/max argument-count errors, and Go's errno texts. */
#include "common.h"
#include "lifecycle.h"
#include "buf.h"
#include "cgroup/cgroup.h"
#include "ctr.h"
#include "fmt.h"
#include "state.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* ---- shared by the lifecycle applets (declared in lifecycle.h) ---- */

int lc_load(const char *id, enum state_lock lock, int *rootfd, int *dirfd, struct state *st,
	    struct err *e)
{
	struct err ie;

	*rootfd = *dirfd = -1;
	memset(st, 0, sizeof *st);
	if (!*id)
		return err_set(e, EINVAL, "container id cannot be empty");
	if (id_valid(id, &ie) < 0)
		return err_set(e, EINVAL, "invalid container ID format");
	*rootfd = state_root_open(g.root, 0, e);
	if (*rootfd < 0) {
		if (e->no == ENOENT)
			err_set(e, ENOENT, "container does not exist");
		return -1;
	}
	*dirfd = state_open(*rootfd, id, lock, e);
	if (*dirfd < 0)
		return -1;
	return state_read(*dirfd, st, e);
}

void lc_close(int rootfd, int dirfd, struct state *st)
{
	if (dirfd >= 0)
		close(dirfd);
	if (rootfd >= 0)
		close(rootfd);
	if (st)
		state_free(st);
}

const char *lc_status(const struct state *st, int dirfd, struct err *e)
{
	struct cgroup_paths cg;
	int frozen = 0;

	ctr_cgroups(st, &cg);
	if (cg.n)
		frozen = cgroup_frozen(&cg, e);
	cgroup_paths_free(&cg);
	if (frozen < 0)
		return NULL;
	return state_status(st, dirfd, frozen);
}


int lc_nargs(const struct applet_info *ai, int n, int min, int max, int *rc)
{
	const char *how;
	int k;

	if (n < min) {
		how = min == max ? "exactly" : "a minimum of";
		k = min;
	} else if (max >= 0 && n > max) {
		how = min == max ? "exactly" : "a maximum of";
		k = max;
	} else {
		return 0;
	}
	usage_error(ai, NULL);
	log_error("%s: \"%s\" requires %s %d argument(s)", argv0(), ai->name, how, k);
	*rc = 1;
	return 1;
}

const char *lc_errstr(int no, char *b, size_t cap)
{
	fmt_sn(b, cap, "%s", strerror(no));
	if (b[0] >= 'A' && b[0] <= 'Z' && !(b[1] >= 'A' && b[1] <= 'Z'))
		b[0] = (char)(b[0] + 32);
	return b;
}

static const struct applet_info info = {
	"state", "output the state of a container",
	"<container-id>\n\nWhere \"<container-id>\" names a container in the state root.",
	"Prints the container's OCI state (ociVersion, id, pid, status, bundle, rootfs,\n"
	"created, annotations, owner) as indented JSON. The status is computed now: paused\n"
	"when its cgroup is frozen, stopped when its init is gone (or its pid belongs to\n"
	"another process), else running.",
	NULL, 0,
};

int state_main(int argc, char **argv)
{
	struct state st;
	struct err e;
	struct buf out = BUF_INIT;
	const char *status;
	char **pos;
	int npos, rc, rootfd, dirfd;

	if (applet_args(argc, argv, &info, NULL, NULL, &pos, &npos, 1, &rc))
		return rc;
	rc = 1;
	if (lc_load(pos[0], STATE_LOCK_NONE, &rootfd, &dirfd, &st, &e) < 0)
		goto fail;
	status = lc_status(&st, dirfd, &e);
	if (!status)
		goto fail;
	state_oci_json(&st, status, &out);
	if (write_all(1, out.p, out.len) < 0) {
		err_sys(&e, "write state");
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	report(&e);
out:
	buf_free(&out);
	lc_close(rootfd, dirfd, &st);
	return rc;
}

int lc_freezer(int argc, char **argv, const struct applet_info *ai, int freeze)
{
	struct state st;
	struct cgroup_paths cg = { 0 };
	struct err e;
	const char *status;
	char **pos;
	int npos, rc, rootfd, dirfd;

	if (applet_args(argc, argv, ai, NULL, NULL, &pos, &npos, 1, &rc))
		return rc;
	rc = 1;
	if (lc_load(pos[0], STATE_LOCK_EX, &rootfd, &dirfd, &st, &e) < 0)
		goto fail;
	status = lc_status(&st, dirfd, &e);
	if (!status)
		goto fail;
	if (freeze && strcmp(status, "running") && strcmp(status, "created")) {
		err_set(&e, 0, "container not running");
		goto fail;
	}
	if (!freeze && strcmp(status, "paused")) {
		err_set(&e, 0, "container not paused");
		goto fail;
	}
	ctr_cgroups(&st, &cg);
	if ((freeze ? cgroup_freeze(&cg, &e) : cgroup_thaw(&cg, &e)) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	report(&e);
out:
	cgroup_paths_free(&cg);
	lc_close(rootfd, dirfd, &st);
	return rc;
}
