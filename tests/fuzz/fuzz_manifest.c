/* fuzz_manifest: libFuzzer entry for manifest.json (core/archive/manifest.c). An accepted
 * manifest is written back with manifest_write and must parse again to the same members.
 * fuzz-src: core/archive/manifest.c core/archive/tar.c core/archive/sha256.c core/json.c core/jsonw.c core/buf.c core/fmt.c core/err.c
 * fuzz-corpus: tests/data/manifest */
#include "archive/manifest.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct manifest m, m2;
	struct buf b = BUF_INIT;
	struct err e;
	char *copy = malloc(size + 1);
	size_t i;

	memcpy(copy, data, size);
	copy[size] = 0;
	if (manifest_parse(&m, copy, size, &e) == 0) {
		manifest_write(&m, &b);
		if (manifest_parse(&m2, b.p, b.len, &e) < 0 || m2.nfiles != m.nfiles)
			abort();
		for (i = 0; i < m.nfiles; i++)
			if (strcmp(m.files[i].name, m2.files[i].name) ||
			    m.files[i].size != m2.files[i].size ||
			    strcmp(m.files[i].sha256, m2.files[i].sha256))
				abort();
		manifest_free(&m2);
		manifest_free(&m);
	}
	buf_free(&b);
	free(copy);
	return 0;
}
