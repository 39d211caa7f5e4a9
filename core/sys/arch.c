/* arch: the architecture table (see arch.h). */
#include "sys/arch.h"
#include <string.h>

static const struct arch tab[] = {
	/* name      uname -m values                      audit        bits compat   criu */
	{ "x86_64",  "x86_64 amd64",                      0xc000003eu, 64, "i386",  1 },
	{ "aarch64", "aarch64 arm64",                     0xc00000b7u, 64, "armhf", 1 },
	{ "armhf",   "armv7l armv8l armv6l armhf arm",    0x40000028u, 32, NULL,    1 },
	{ "i386",    "i386 i486 i586 i686",               0x40000003u, 32, NULL,    0 },
	{ "riscv64", "riscv64",                           0xc00000f3u, 64, NULL,    1 },
};

/* The one place the compiler's target is looked at. */
#if defined(__x86_64__)
#define SELF "x86_64"
#elif defined(__aarch64__)
#define SELF "aarch64"
#elif defined(__arm__)
#define SELF "armhf"
#elif defined(__i386__)
#define SELF "i386"
#elif defined(__riscv) && __riscv_xlen == 64
#define SELF "riscv64"
#else
#error "crbox: unsupported architecture (add a row to core/sys/arch.c)"
#endif

static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	while (*list) {
		const char *end = strchr(list, ' ');
		size_t len = end ? (size_t)(end - list) : strlen(list);
		if (len == n && !memcmp(list, w, n))
			return 1;
		list += len;
		while (*list == ' ')
			list++;
	}
	return 0;
}

const struct arch *arch_find(const char *name)
{
	size_t i;
	if (!name || !*name)
		return NULL;
	for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (!strcmp(tab[i].name, name) || has_word(tab[i].machines, name))
			return &tab[i];
	return NULL;
}

const struct arch *arch_self(void)
{
	return arch_find(SELF);
}

const struct arch *arch_table(unsigned *n)
{
	*n = sizeof tab / sizeof tab[0];
	return tab;
}

int arch_personality(const char *domain, unsigned long *out)
{
	static const struct { const char *name; unsigned long v; } dom[] = {
		{ "LINUX", ARCH_PER_LINUX },
		{ "LINUX32", ARCH_PER_LINUX32 },
	};
	size_t i;
	for (i = 0; domain && i < sizeof dom / sizeof dom[0]; i++)
		if (!strcmp(dom[i].name, domain)) {
			*out = dom[i].v;
			return 0;
		}
	return -1;
}
