/* resume: `crbox resume <id>` thaws a container that `pause` froze, as `runc resume`. A
 * container that is not paused gives runc's "container not paused". Takes the state lock
 * exclusively. */
#include "common.h"
#include "lifecycle.h"
#include "cgroup.h"
#include "ctr.h"
#include "state.h"
#include <string.h>


static const struct applet_info info = {
	"resume", "resumes all processes that have been previously paused",
	"<container-id>\n\nWhere \"<container-id>\" names a container in the state root.",
	"Thaws the processes of a container that was frozen by `pause`.",
	NULL, 0,
};

int resume_main(int argc, char **argv)
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
	if (strcmp(status, "paused")) {
		err_set(&e, 0, "container not paused");
		goto fail;
	}
	ctr_cgroups(&st, &cg);
	if (cgroup_thaw(&cg, &e) < 0)
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
