/* fuzz_tar: libFuzzer entry for the strict tar reader (core/archive/tar.c). The input is a
 * tar stream read from memory in pieces of varying size: every entry's header and data are
 * read; accepted names must be clean (relative, no "..", no empty component) and data reads
 * must stop at the entry's size.
 * fuzz-src: core/archive/tar.c core/archive/sha256.c core/buf.c core/fmt.c core/err.c
 * fuzz-corpus: tests/data/tar */
#include "archive/tar.h"
#include <stdlib.h>
#include <string.h>

struct mem {
	const unsigned char *p;
	size_t n, off;
};

static ssize_t rd(void *ud, void *p, size_t n, struct err *e)
{
	struct mem *m = ud;
	if (n > 700)
		n = 700;       /* short reads: the reader must loop */
	if (n > m->n - m->off)
		n = m->n - m->off;
	memcpy(p, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct mem m = { data, size, 0 };
	struct tar_ent *ent = malloc(sizeof *ent);
	struct tarr r;
	struct err e;
	char chunk[4096];
	int rc, n = 0;

	tarr_init(&r, rd, &m, "fuzz.tar");
	while (n++ < 1000 && (rc = tarr_next(&r, ent, &e)) == 1) {
		uint64_t got = 0;
		ssize_t k;
		const char *c;
		if (!ent->name[0] || ent->name[0] == '/')
			abort();
		for (c = ent->name; *c; c++)
			if (c[0] == '/' && c[1] == '/')
				abort();
		if (!strcmp(ent->name, "..") || !strncmp(ent->name, "../", 3) ||
		    strstr(ent->name, "/../") ||
		    (strlen(ent->name) >= 3 && !strcmp(ent->name + strlen(ent->name) - 3, "/..")))
			abort();
		while ((k = tarr_read(&r, chunk, sizeof chunk, &e)) > 0)
			got += (uint64_t)k;
		if (k == 0 && got != ent->size)
			abort();
		if (k < 0)
			break;
	}
	free(ent);
	return 0;
}
