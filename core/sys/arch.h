/* arch: what differs between the architectures crbox builds for, as one table (no #ifdef
 * forests at the call sites): names, the seccomp audit architecture, the personality
 * domain of its 32-bit companion, and whether CRIU 4.1.1 has a port for it. The syscall
 * numbers are generated elsewhere (seccomp). Facts: docs/architectures.md. */
#ifndef CRBOX_SYS_ARCH_H
#define CRBOX_SYS_ARCH_H
#include <stdint.h>

struct arch {
	const char *name;        /* crbox's name, as in `make ARCH=` and --version */
	const char *machines;    /* uname -m values, space-separated */
	uint32_t audit;          /* AUDIT_ARCH_* for seccomp_data.arch */
	unsigned bits;           /* pointer width */
	const char *compat;      /* the 32-bit architecture its kernel also runs, or NULL */
	int criu;                /* 1: CRIU has a native port (checkpoint/restore work) */
};

/* Personality domains (linux.personality.domain): the values personality(2) takes. */
#define ARCH_PER_LINUX   0x0000u
#define ARCH_PER_LINUX32 0x0008u

/* The architecture this binary was compiled for. */
const struct arch *arch_self(void);
/* By crbox name or by a uname -m value ("armv7l", "i686" ...); NULL if unknown. */
const struct arch *arch_find(const char *name);
/* The personality domain of an OCI name ("LINUX", "LINUX32"); 0 ok, -1 unknown. */
int arch_personality(const char *domain, unsigned long *out);
/* Every row, for tests and reports. */
const struct arch *arch_table(unsigned *n);

#endif
