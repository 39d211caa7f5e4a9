/* cgroup/devbpf: the cgroup v2 device filter. A BPF_PROG_TYPE_CGROUP_DEVICE program built
 * by hand from the emulator's rules (runc's layout: a 6-instruction prologue loading type,
 * access, major, minor; one block per rule that jumps to the next block on a mismatch and
 * returns the rule's verdict on a match; an epilogue returning the default), loaded with raw
 * bpf(2) and attached to the cgroup dir with BPF_F_ALLOW_MULTI. An existing single program
 * is swapped with BPF_F_REPLACE; otherwise the new one is attached first and the old ones
 * detached after, so there is never a moment with no filter. */
#ifndef CRBOX_CGROUP_DEVBPF_H
#define CRBOX_CGROUP_DEVBPF_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "cgroup/devrules.h"

struct cg_bpf_insn {            /* the kernel's struct bpf_insn */
	uint8_t code;
	uint8_t regs;           /* dst_reg:4, src_reg:4 (bitfield order of the host) */
	int16_t off;
	int32_t imm;
};

struct cg_bpf_prog {
	struct cg_bpf_insn *insn;
	size_t n;
};

/* Compiles the emulator's clean rule list (cg_devemu_rules) into p. Only 'b'/'c' rules are
 * emitted; the leading wildcard reset is checked and skipped. 0 or -1. */
int cg_devbpf_build(const struct cg_devemu *m, struct cg_bpf_prog *p, struct err *e);
void cg_devbpf_free(struct cg_bpf_prog *p);
/* Runs p on one request (type 'b'/'c', access CG_DEV_* bits) with a small interpreter of
 * the opcodes cg_devbpf_build emits: 1 allow, 0 deny, -1 for anything else. For tests. */
int cg_devbpf_eval(const struct cg_bpf_prog *p, char type, unsigned access, uint32_t major,
		   uint32_t minor);

/* Loads p and attaches it to the cgroup2 dir, replacing what an earlier call attached. The
 * verifier's log is in the error when the load fails. 0 or -1. */
int cg_devbpf_attach(const char *dir, const struct cg_bpf_prog *p, struct err *e);
/* Number of device programs attached to dir (BPF_PROG_QUERY), or -1. */
int cg_devbpf_count(const char *dir, struct err *e);

/* v2: the whole device step for a resources object: target emulator -> program -> attach.
 * A load/attach failure is ignored (as runc) only when every spec rule allows rwm. */
int cg_devices_v2(const char *dir, const struct spec_resources *r, struct err *e);

#endif
