/* fuzz_version: libFuzzer entry for the CRIU version cache line parser (core/criu.c
 * swrk_version_parse). The input up to its first NUL is the key, the rest the line.
 * Checks: a parsed line gives non-negative numbers and num as swrk_version_num computes it.
 * fuzz-src: all
 * fuzz-corpus: tests/data/version */
#include "criu.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const unsigned char *z = memchr(data, 0, size);
	char *key, *line;
	struct swrk_version v;

	if (!z)
		return 0;
	key = strndup((const char *)data, (size_t)(z - data));
	line = strndup((const char *)z + 1, size - (size_t)(z - data) - 1);
	if (swrk_version_parse(line, key, &v) == 0 &&
	    (v.major < 0 || v.minor < 0 || v.sublevel < 0 ||
	     v.num != swrk_version_num(v.major, v.minor, v.sublevel, v.gitid) ||
	     strlen(v.gitid) >= sizeof v.gitid))
		abort();
	free(key);
	free(line);
	return 0;
}
