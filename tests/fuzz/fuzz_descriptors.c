/* fuzz_descriptors: libFuzzer entry for the descriptors.json reader (core/image.c).
 * image_descriptors_parse on the bytes; when accepted, the (up to 3) strings are written
 * back the way image_descriptors_write does (into a memfd-free buffer via jsonw) and must
 * read back equal.
 * fuzz-src: core/image.c core/json.c core/jsonw.c core/buf.c core/fmt.c core/err.c
 * fuzz-corpus: tests/data/descriptors */
#include "image.h"
#include "buf.h"
#include "jsonw.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *out[3], *back[3];
	struct err e;
	char *copy = malloc(size ? size : 1);
	struct buf b = BUF_INIT;
	struct jw w;
	int i;

	memcpy(copy, data, size);
	if (image_descriptors_parse(copy, size, out, &e) < 0) {
		if (strncmp(e.msg, "descriptors.json: ", 18) || out[0] || out[1] || out[2])
			abort();    /* errors name the file; nothing is returned */
		free(copy);
		return 0;
	}
	free(copy);
	if ((!out[0] && (out[1] || out[2])) || (!out[1] && out[2]))
		abort();    /* filled in order */
	jw_init(&w, &b, 0);
	if (!out[0]) {
		jw_null(&w);
	} else {
		jw_arr(&w);
		for (i = 0; i < 3 && out[i]; i++)
			jw_str(&w, out[i]);
		jw_end(&w);
	}
	if (image_descriptors_parse(b.p, b.len, back, &e) < 0)
		abort();
	for (i = 0; i < 3; i++) {
		if (!out[i] != !back[i] || (out[i] && strcmp(out[i], back[i])))
			abort();
		free(out[i]);
		free(back[i]);
	}
	buf_free(&b);
	return 0;
}
