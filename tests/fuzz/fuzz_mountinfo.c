/* fuzz_mountinfo: libFuzzer entry for the /proc/self/mountinfo reader of core/cgroup.c
 * (cgroup_layout_parse). Checks: no crash, leak or overread; an error has a message.
 * fuzz-src: all
 * fuzz-corpus: tests/data/mountinfo */
#include "cgroup/cgroup.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = strndup((const char *)data, size);
	struct cgroup_layout l;
	struct err e = { 0 };

	memset(&l, 0, sizeof l);
	if (cgroup_layout_parse(&l, text, &e) < 0 && !e.msg[0])
		abort();
	cgroup_layout_free(&l);
	free(text);
	return 0;
}
