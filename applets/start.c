/* start: `crbox start <id>` as `runc start` (1.1.5): a created container's init is let go
 * (exec.fifo), then the poststart hooks run. A running one gives "cannot start an already
 * running container", a stopped one "cannot start a container that has stopped". */
#include "common.h"
#include "lifecycle.h"
#include "runtime/runtime.h"
#include <string.h>

static const struct applet_info info = {
	"start", "executes the user defined process in a created container",
	"<container-id>\n\nWhere \"<container-id>\" is your name for the instance of the container "
	"that you\nare starting. The name you provide for the container instance must be unique "
	"on\nyour host.",
	"The start command executes the user defined process in a created container.",
	NULL, 0,
};

int start_main(int argc, char **argv)
{
	struct state st;
	struct err e;
	const char *status;
	char **pos;
	int npos, rc, rootfd = -1, dirfd = -1;

	if (applet_args(argc, argv, &info, NULL, NULL, &pos, &npos, 1, &rc))
		return rc;
	rc = 1;
	if (lc_load(pos[0], STATE_LOCK_EX, &rootfd, &dirfd, &st, &e) < 0)
		goto fail;
	status = lc_status(&st, dirfd, &e);
	if (!status)
		goto fail;
	if (!strcmp(status, "created")) {
		if (rt_start(rootfd, dirfd, &st, &e) < 0)
			goto fail;
		rc = 0;
		goto out;
	}
	if (!strcmp(status, "stopped"))
		err_set(&e, 0, "cannot start a container that has stopped");
	else if (!strcmp(status, "running"))
		err_set(&e, 0, "cannot start an already running container");
	else
		err_set(&e, 0, "cannot start a container in the %s state", status);
fail:
	report(&e);
out:
	lc_close(rootfd, dirfd, &st);
	return rc;
}
