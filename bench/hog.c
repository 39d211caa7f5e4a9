/* hog: the bench's memory workload, run as a container's init. `hog MIB` allocates MIB MiB,
 * writes a non-zero pattern into every page (so every page is resident and CRIU must dump
 * and restore it), writes /ready, then counts like the busybox workload: /count gets the
 * next number every 0.2 s, from memory. Built static with musl-gcc into the rootfs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 0, i, len = mib << 20;
	unsigned char *p = len ? malloc(len) : NULL;
	unsigned long n = 0, sum = 0;
	struct timespec t = { 0, 200000000 };
	FILE *f;

	if (len && !p)
		return 1;
	for (i = 0; i < len; i += 4096)
		p[i] = (unsigned char)(i >> 12) | 1;
	f = fopen("/ready", "w");
	if (f)
		fclose(f);
	for (;;) {
		/* Read back one page per tick so the memory stays in use. */
		if (len)
			sum += p[(n * 4096) % len];
		f = fopen("/count", "w");
		if (f) {
			fprintf(f, "%lu\n", ++n);
			fclose(f);
		}
		nanosleep(&t, NULL);
	}
	return (int)sum;
}
