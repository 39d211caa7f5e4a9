/* seccomp/arch.c: the architectures crbox has syscall tables for, libseccomp's names for
 * them, name -> number lookup in the generated table (syscalls.c), and the i386
 * socketcall/ipc subcall numbers. */
#include <string.h>
#include "seccomp/internal.h"

const struct sc_archdef sc_archdefs[SECCOMP_ARCH_N] = {
	[SECCOMP_ARCH_X86_64]  = { "SCMP_ARCH_X86_64",  0xc000003eu, 1, 0 },
	[SECCOMP_ARCH_X32]     = { "SCMP_ARCH_X32",     0xc000003eu, 0, 0 },
	[SECCOMP_ARCH_I386]    = { "SCMP_ARCH_X86",     0x40000003u, 0, 1 },
	[SECCOMP_ARCH_AARCH64] = { "SCMP_ARCH_AARCH64", 0xc00000b7u, 1, 0 },
	[SECCOMP_ARCH_ARM]     = { "SCMP_ARCH_ARM",     0x40000028u, 0, 0 },
	[SECCOMP_ARCH_RISCV64] = { "SCMP_ARCH_RISCV64", 0xc00000f3u, 1, 0 },
};

/* Architectures libseccomp (and so runc) accepts that crbox has no table for. A filter
 * block for them can never match on the architectures crbox runs on. */
static const char *const other_arches[] = {
	"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
	"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
	"SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
	"SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV32", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
	"SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
};

int seccomp_arch_native(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return SECCOMP_ARCH_X32;
#elif defined(__x86_64__)
	return SECCOMP_ARCH_X86_64;
#elif defined(__i386__)
	return SECCOMP_ARCH_I386;
#elif defined(__aarch64__)
	return SECCOMP_ARCH_AARCH64;
#elif defined(__arm__)
	return SECCOMP_ARCH_ARM;
#elif defined(__riscv) && __riscv_xlen == 64
	return SECCOMP_ARCH_RISCV64;
#else
#error "seccomp: no syscall table for this architecture"
#endif
}

const char *seccomp_arch_name(int arch)
{
	return arch >= 0 && arch < SECCOMP_ARCH_N ? sc_archdefs[arch].scmp : "?";
}

uint32_t seccomp_arch_audit(int arch)
{
	return arch >= 0 && arch < SECCOMP_ARCH_N ? sc_archdefs[arch].audit : 0;
}

int sc_arch_lookup(const char *scmp)
{
	for (int i = 0; i < SECCOMP_ARCH_N; i++)
		if (!strcmp(scmp, sc_archdefs[i].scmp))
			return i;
	for (size_t i = 0; i < sizeof other_arches / sizeof other_arches[0]; i++)
		if (!strcmp(scmp, other_arches[i]))
			return -1;
	return -2;
}

const struct seccomp_sysent *sc_sys_find(const char *name)
{
	unsigned lo = 0, hi = seccomp_table_n;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int c = strcmp(name, seccomp_names + seccomp_table[mid].name);
		if (!c)
			return &seccomp_table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *sc_sysent_name(const struct seccomp_sysent *s)
{
	return seccomp_names + s->name;
}

long sc_sysent_nr(const struct seccomp_sysent *s, int arch)
{
	uint16_t v = s->nr[arch];
	if (v == 0xffff)
		return -1;
	if (arch == SECCOMP_ARCH_ARM && v >= 0xf000)
		return 0xf0000 + (v - 0xf000);
	if (arch == SECCOMP_ARCH_X32)
		return (long)(SC_X32_BIT | v);
	return v;
}

long seccomp_syscall_nr(const char *name, int arch)
{
	const struct seccomp_sysent *s = sc_sys_find(name);
	if (!s || arch < 0 || arch >= SECCOMP_ARCH_N)
		return -1;
	return sc_sysent_nr(s, arch);
}

unsigned seccomp_syscall_count(void)
{
	return seccomp_table_n;
}

const char *seccomp_syscall_name(unsigned i)
{
	return i < seccomp_table_n ? sc_sysent_name(&seccomp_table[i]) : NULL;
}

const char *seccomp_table_version(void)
{
	return seccomp_table_kernel;
}

/* libseccomp's subcall numbers: the socketcall(2) call numbers and the ipc(2) ones. */
static const struct { const char *name; unsigned char sub, ipc; } subcalls[] = {
	{ "socket", 1, 0 }, { "bind", 2, 0 }, { "connect", 3, 0 }, { "listen", 4, 0 },
	{ "accept", 5, 0 }, { "getsockname", 6, 0 }, { "getpeername", 7, 0 },
	{ "socketpair", 8, 0 }, { "send", 9, 0 }, { "recv", 10, 0 }, { "sendto", 11, 0 },
	{ "recvfrom", 12, 0 }, { "shutdown", 13, 0 }, { "setsockopt", 14, 0 },
	{ "getsockopt", 15, 0 }, { "sendmsg", 16, 0 }, { "recvmsg", 17, 0 },
	{ "accept4", 18, 0 }, { "recvmmsg", 19, 0 }, { "sendmmsg", 20, 0 },
	{ "semop", 1, 1 }, { "semget", 2, 1 }, { "semctl", 3, 1 }, { "semtimedop", 4, 1 },
	{ "msgsnd", 11, 1 }, { "msgrcv", 12, 1 }, { "msgget", 13, 1 }, { "msgctl", 14, 1 },
	{ "shmat", 21, 1 }, { "shmdt", 22, 1 }, { "shmget", 23, 1 }, { "shmctl", 24, 1 },
};

int sc_mux_subcall(const char *name, const char **mux)
{
	for (size_t i = 0; i < sizeof subcalls / sizeof subcalls[0]; i++)
		if (!strcmp(name, subcalls[i].name)) {
			*mux = subcalls[i].ipc ? "ipc" : "socketcall";
			return subcalls[i].sub;
		}
	return 0;
}
