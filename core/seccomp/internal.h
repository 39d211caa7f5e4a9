/* seccomp internals: the syscall table, the parsed profile and the per-architecture IR the
 * generator turns into BPF. */
#ifndef CRBOX_SECCOMP_INTERNAL_H
#define CRBOX_SECCOMP_INTERNAL_H
#include <stdint.h>
#include "seccomp/seccomp.h"

struct seccomp_sysent {
	uint16_t name;                  /* offset in seccomp_names */
	uint16_t nr[SECCOMP_ARCH_N];    /* encoded; read with sc_sysent_nr */
};
extern const char seccomp_names[];
extern const struct seccomp_sysent seccomp_table[];
extern const unsigned seccomp_table_n;
extern const char seccomp_table_kernel[];

#define SC_X32_BIT 0x40000000u
/* The table entry of a syscall name, or NULL; its name and its number on arch (or -1). */
const struct seccomp_sysent *sc_sys_find(const char *name);
const char *sc_sysent_name(const struct seccomp_sysent *s);
long sc_sysent_nr(const struct seccomp_sysent *s, int arch);

/* Kernel return values. */
#define SC_RET_KILL_PROCESS 0x80000000u
#define SC_RET_KILL_THREAD  0x00000000u
#define SC_RET_TRAP         0x00030000u
#define SC_RET_ERRNO        0x00050000u
#define SC_RET_USER_NOTIF   0x7fc00000u
#define SC_RET_TRACE        0x7ff00000u
#define SC_RET_LOG          0x7ffc0000u
#define SC_RET_ALLOW        0x7fff0000u
#define SC_RET_ACTION(a)    ((a) & 0xffff0000u)

struct sc_archdef {
	const char *scmp;               /* "SCMP_ARCH_X86_64" */
	uint32_t audit;
	uint8_t size64;                 /* libseccomp compares all 64 bits of an argument */
	uint8_t mux;                    /* socketcall/ipc multiplexing (i386) */
};
extern const struct sc_archdef sc_archdefs[SECCOMP_ARCH_N];
/* SCMP_ARCH_* name -> id; -1 for an architecture libseccomp knows but crbox has no table
 * for, -2 for a name nobody knows. */
int sc_arch_lookup(const char *scmp);
/* Socket/IPC subcall number of a name for the multiplexers (0: not a subcall); *mux gets
 * "socketcall" or "ipc". */
int sc_mux_subcall(const char *name, const char **mux);

enum sc_op { SC_NE = 1, SC_LT, SC_LE, SC_EQ, SC_GE, SC_GT, SC_MASKED_EQ };

struct sc_arg {
	uint8_t index, op;
	uint64_t value, value2;         /* MASKED_EQ: value is the mask, value2 the datum */
};
struct sc_rule {
	const char **names;
	size_t nnames;
	uint32_t action;
	struct sc_arg *args;
	size_t nargs;
	int tok;                        /* JSON token of the entry, for messages */
};
struct sc_profile {
	uint32_t defact;
	int arches[SECCOMP_ARCH_N];     /* listed in the profile (with a table) */
	struct sc_rule *rules;
	size_t nrules;
	unsigned flags;
	int flags_default;
	int notify;
	const char *listener_path, *listener_metadata;
};
/* Parses and validates the linux.seccomp object; *enabled = 0 when it disables seccomp.
 * Strings point into d. */
int sc_profile_parse(const struct json_doc *d, int obj, struct sc_profile *p, int *enabled,
                     struct err *e);
void sc_profile_free(struct sc_profile *p);

/* IR: one condition normalised for one architecture width. */
struct sc_cond {
	uint8_t arg, op;
	uint64_t mask, datum;           /* datum already masked; mask all ones unless MASKED_EQ */
};
struct sc_chain {
	uint32_t action;
	uint8_t n;
	struct sc_cond c[6];            /* sorted by arg */
};
struct sc_sys {
	uint32_t nr;
	uint8_t size64;
	uint8_t has_uncond;
	uint32_t uncond;
	struct sc_chain *chains;
	unsigned nchains, cap;
};
/* One block per AUDIT_ARCH value (x86_64 and x32 share one). */
struct sc_block {
	uint32_t audit;
	int x32check;                   /* 1: x86_64 without x32, 2: x32 without x86_64 */
	int64_t max, max_x32;           /* -ENOSYS stub limits, -1: none */
	struct sc_sys *sys;             /* sorted by nr (after sc_normalize) */
	unsigned nsys, cap;
	int *hash;                      /* during sc_normalize: nr -> index in sys */
};
struct sc_ir {
	uint32_t defact;
	int stub;                       /* runc's -ENOSYS stub is in use */
	struct sc_block b[SECCOMP_ARCH_N];
	unsigned nb;
	unsigned nskipped;
};
int sc_normalize(const struct sc_profile *p, int native, const struct json_doc *d,
                 struct sc_ir *ir, struct err *e);
void sc_ir_free(struct sc_ir *ir);
/* IR -> program; fails above 4096 instructions. */
int sc_generate(const struct sc_ir *ir, struct seccomp_insn **out, unsigned *len, struct err *e);

#endif
