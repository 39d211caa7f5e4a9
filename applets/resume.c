/* resume: `crbox resume <id>` thaws a container that `pause` froze, as `runc resume`. A
 * container that is not paused gives runc's "container not paused". Takes the state lock
 * exclusively. */
#include "common.h"
#include "lifecycle.h"

static const struct applet_info info = {
	"resume", "resumes all processes that have been previously paused",
	"<container-id>\n\nWhere \"<container-id>\" names a container in the state root.",
	"Thaws the processes of a container that was frozen by `pause`.",
	NULL, 0,
};

int resume_main(int argc, char **argv)
{
	return lc_freezer(argc, argv, &info, 0);
}
