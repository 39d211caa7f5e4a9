/* fuzz_inflate: libFuzzer entry for the built-in gzip inflater (core/archive/inflate.c).
 * The input is a gzip stream fed in small pieces; it is inflated in pulls of varying size.
 * Nothing may crash or read out of bounds; output is bounded (a decompression bomb only
 * costs time, so the target stops after 64 MiB).
 * fuzz-src: core/archive/inflate.c core/buf.c core/fmt.c core/err.c
 * fuzz-corpus: tests/data/inflate */
#include "archive/inflate.h"
#include <string.h>

struct mem {
	const unsigned char *p;
	size_t n, off;
};

static ssize_t rd(void *ud, void *p, size_t n)
{
	struct mem *m = ud;
	if (n > 333)
		n = 333;
	if (n > m->n - m->off)
		n = m->n - m->off;
	memcpy(p, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char out[70000];
	struct mem m = { data, size, 0 };
	struct inflate *z = inflate_new(rd, &m, "fuzz.gz", NULL, 0);
	struct err e;
	size_t total = 0, pull = 1;
	ssize_t n;

	while ((n = inflate_read(z, out, pull, &e)) > 0) {
		if ((size_t)n > pull)
			__builtin_trap();
		total += (size_t)n;
		if (total > (64u << 20))
			break;
		pull = pull * 3 % sizeof out + 1;
	}
	inflate_free(z);
	return 0;
}
