/* pause: `crbox pause <id>` freezes every process of a running container through its cgroup
 * freezer (v1 freezer.state, v2 cgroup.freeze), as `runc pause`. A container that is not
 * running gives runc's "container not running". Takes the state lock exclusively. */
#include "common.h"
#include "lifecycle.h"

static const struct applet_info info = {
	"pause", "pause suspends all processes inside the container",
	"<container-id>\n\nWhere \"<container-id>\" names a container in the state root.",
	"Freezes every process of the container with the cgroup freezer. `resume` thaws\n"
	"them again. Only a running container can be paused.",
	NULL, 0,
};

int pause_main(int argc, char **argv)
{
	return lc_freezer(argc, argv, &info, 1);
}
