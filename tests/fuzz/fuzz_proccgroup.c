/* fuzz_proccgroup: libFuzzer entry for the /proc/<pid>/cgroup reader of core/cgroup.c
 * (cgroup_self_parse). Checks: no crash, leak or overread; an error has a message.
 * fuzz-src: all
 * fuzz-corpus: tests/data/proccgroup */
#include "cgroup/cgroup.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = strndup((const char *)data, size);
	struct cgroup_self s;
	struct err e = { 0 };

	memset(&s, 0, sizeof s);
	if (cgroup_self_parse(&s, text, &e) < 0 && !e.msg[0])
		abort();
	cgroup_self_free(&s);
	free(text);
	return 0;
}
