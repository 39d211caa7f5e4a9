/* features: `crbox features` as `runc features` (1.1.5): the JSON of what this build
 * supports (core/runtime/features.c). No arguments. */
#include "common.h"
#include "lifecycle.h"
#include "buf.h"
#include "fmt.h"
#include "runtime/features.h"
#include "crbox-commit.h"

static const struct applet_info info = {
	"features", "show the enabled features",
	"",
	"Show the enabled features.\n   The result is parsable as a JSON.\n   See "
	"docs/runtime.md for the type definition.",
	NULL, 0,
};

int features_main(int argc, char **argv)
{
	struct buf b = BUF_INIT;
	char **pos;
	int npos, rc;

	if (applet_args(argc, argv, &info, NULL, NULL, &pos, &npos, 0, &rc))
		return rc;
	rt_features_json(&b, CRBOX_VERSION, CRBOX_COMMIT);
	rc = write_all(1, b.p, b.len) < 0;
	buf_free(&b);
	return rc;
}
