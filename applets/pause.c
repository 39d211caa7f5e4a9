/* pause: `crbox pause <id>` freezes every process of a running container through its cgroup
 * freezer (v1 freezer.state, v2 cgroup.freeze), as `runc pause`. A container that is not
 * running gives runc's "container not running". Takes the state lock exclusively. */
#include "common.h"
#include "lifecycle.h"
#include "cgroup.h"
#include "ctr.h"
#include "state.h"
#include <string.h>


static const struct applet_info info = {
	"pause", "pause suspends all processes inside the container",
	"<container-id>\n\nWhere \"<container-id>\" names a container in the state root.",
	"Freezes every process of the container with the cgroup freezer. `resume` thaws\n"
	"them again. Only a running container can be paused.",
	NULL, 0,
};

int pause_main(int argc, char **argv)
{
	struct state st;
	struct cgroup_paths cg = { 0 };
	struct err e;
	const char *status;
	char **pos;
	int npos, rc, rootfd, dirfd;

	if (applet_args(argc, argv, &info, NULL, NULL, &pos, &npos, 1, &rc))
		return rc;
	rc = 1;
	if (lc_load(pos[0], STATE_LOCK_EX, &rootfd, &dirfd, &st, &e) < 0)
		goto fail;
	status = lc_status(&st, dirfd, &e);
	if (!status)
		goto fail;
	if (strcmp(status, "running") && strcmp(status, "created")) {
		err_set(&e, 0, "container not running");
		goto fail;
	}
	ctr_cgroups(&st, &cg);
	if (cgroup_freeze(&cg, &e) < 0)
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
