/* t_arch: core/sys/arch.c (the architecture table, lookup by uname -m, personality domains)
 * and the type widths every architecture's build relies on: 64-bit time_t and off_t (musl
 * has them everywhere; the glibc sanitizer builds ask for them), size_t as wide as a pointer. */
#include "t.h"
#include "sys/arch.h"
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

int main(void)
{
	const struct arch *self = arch_self(), *t;
	unsigned n, i, names = 0;
	unsigned long p = 99;

	T_OK(self != NULL, "arch_self knows the compiler's target");
	if (!self)
		return t_done();
	printf("# built for %s\n", self->name);
	T_INTEQ(self->bits, sizeof(void *) * 8, "pointer width matches the table");
	T_INTEQ(!!(self->audit & 0x80000000u), self->bits == 64, "audit arch 64-bit flag");
	T_OK(self->audit & 0x40000000u, "audit arch little-endian flag");
	T_OK(arch_find(self->name) == self, "found by its own name");

	t = arch_table(&n);
	for (i = 0; i < n; i++)
		names += arch_find(t[i].name) == &t[i];
	T_INTEQ(names, n, "every row found by name");
	T_STREQ(arch_find("i686") ? arch_find("i686")->name : NULL, "i386", "uname i686 is i386");
	T_STREQ(arch_find("armv7l") ? arch_find("armv7l")->name : NULL, "armhf",
		"uname armv7l is armhf");
	T_STREQ(arch_find("arm64") ? arch_find("arm64")->name : NULL, "aarch64", "arm64 is aarch64");
	T_OK(arch_find("arm6") == NULL && arch_find("") == NULL && arch_find(NULL) == NULL,
	     "no partial or empty matches");
	T_OK(arch_find("mips") == NULL, "unknown machine");
	T_OK(!arch_find("i386")->criu && arch_find("x86_64")->criu && arch_find("aarch64")->criu &&
	     arch_find("armhf")->criu && arch_find("riscv64")->criu,
	     "CRIU ports: all but i386");
	T_INTEQ(arch_find("x86_64")->audit, 0xc000003eu, "AUDIT_ARCH_X86_64");
	T_INTEQ(arch_find("i386")->audit, 0x40000003u, "AUDIT_ARCH_I386");
	T_INTEQ(arch_find("aarch64")->audit, 0xc00000b7u, "AUDIT_ARCH_AARCH64");
	T_INTEQ(arch_find("armhf")->audit, 0x40000028u, "AUDIT_ARCH_ARM");
	T_INTEQ(arch_find("riscv64")->audit, 0xc00000f3u, "AUDIT_ARCH_RISCV64");

	T_OK(arch_personality("LINUX", &p) == 0 && p == 0, "personality LINUX");
	T_OK(arch_personality("LINUX32", &p) == 0 && p == 8, "personality LINUX32");
	T_OK(arch_personality("linux32", &p) < 0 && arch_personality(NULL, &p) < 0,
	     "personality names are exact");

	T_INTEQ(sizeof(time_t), 8, "time_t is 64-bit");
	T_INTEQ(sizeof(off_t), 8, "off_t is 64-bit");
	T_INTEQ(sizeof(size_t), sizeof(void *), "size_t is pointer-wide");
	T_INTEQ(sizeof(long), sizeof(void *), "long is pointer-wide (LP64 or ILP32)");
	return t_done();
}
