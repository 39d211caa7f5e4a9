/* sc_interp.h: a classic-BPF interpreter for seccomp programs (the instructions seccomp
 * filters use: LD W ABS/LEN, LDX, ALU K/X, JMP K/X, RET K/A, MISC TAX/TXA, scratch memory)
 * and the kernel verifier's structural checks. For tests and test tools. */
#ifndef CRBOX_SC_INTERP_H
#define CRBOX_SC_INTERP_H
#include <stdint.h>
#include <string.h>
#include "seccomp/seccomp.h"

struct sc_data {
	int32_t nr;
	uint32_t arch;
	uint64_t ip;
	uint64_t args[6];
};

/* The verdict of prog for d; 0xdeadbeef when the program does something seccomp forbids. */
static inline uint32_t sc_interp(const struct seccomp_insn *p, unsigned n, const struct sc_data *d)
{
	uint32_t A = 0, X = 0, M[16];
	unsigned char raw[64];
	memset(M, 0, sizeof M);
	memcpy(raw, &d->nr, 4);
	memcpy(raw + 4, &d->arch, 4);
	memcpy(raw + 8, &d->ip, 8);
	memcpy(raw + 16, d->args, 48);
	for (unsigned pc = 0; pc < n; pc++) {
		const struct seccomp_insn *i = &p[pc];
		uint32_t src = (i->code & 0x08) ? X : i->k;
		switch (i->code & 0x07) {
		case 0x00: /* LD */
			if (i->code == 0x20) {
				if (i->k >= 64 || i->k % 4)
					return 0xdeadbeef;
				memcpy(&A, raw + i->k, 4);
			} else if (i->code == 0x80) {
				A = 64;
			} else if (i->code == 0x00) {
				A = i->k;
			} else if (i->code == 0x60) {
				A = M[i->k & 15];
			} else {
				return 0xdeadbeef;
			}
			break;
		case 0x01: /* LDX */
			if (i->code == 0x01)
				X = i->k;
			else if (i->code == 0x81)
				X = 64;
			else if (i->code == 0x61)
				X = M[i->k & 15];
			else
				return 0xdeadbeef;
			break;
		case 0x02: M[i->k & 15] = A; break;
		case 0x03: M[i->k & 15] = X; break;
		case 0x04: /* ALU */
			switch (i->code & 0xf0) {
			case 0x00: A += src; break;
			case 0x10: A -= src; break;
			case 0x20: A *= src; break;
			case 0x30: if (!src) return 0xdeadbeef; A /= src; break;
			case 0x40: A |= src; break;
			case 0x50: A &= src; break;
			case 0x60: A = src < 32 ? A << src : 0; break;
			case 0x70: A = src < 32 ? A >> src : 0; break;
			case 0x80: A = -A; break;
			case 0x90: if (!src) return 0xdeadbeef; A %= src; break;
			case 0xa0: A ^= src; break;
			default: return 0xdeadbeef;
			}
			break;
		case 0x05: { /* JMP */
			int t;
			switch (i->code & 0xf0) {
			case 0x00: pc += i->k; continue;
			case 0x10: t = A == src; break;
			case 0x20: t = A > src; break;
			case 0x30: t = A >= src; break;
			case 0x40: t = (A & src) != 0; break;
			default: return 0xdeadbeef;
			}
			pc += t ? i->jt : i->jf;
			break;
		}
		case 0x06: return (i->code & 0x18) == 0x10 ? A : i->k;
		case 0x07: if (i->code == 0x07) X = A; else A = X; break;
		}
	}
	return 0xdeadbeef;
}

/* The kernel's checks: 1..4096 instructions, jumps inside the program, last one a ret. */
static inline int sc_verify(const struct seccomp_insn *p, unsigned n)
{
	if (!n || n > 4096 || (p[n - 1].code & 0x07) != 0x06)
		return 0;
	for (unsigned pc = 0; pc < n; pc++) {
		if ((p[pc].code & 0x07) != 0x05)
			continue;
		if ((p[pc].code & 0xf0) == 0x00) {
			if (p[pc].k >= n - pc - 1)
				return 0;
		} else if (pc + 1u + p[pc].jt >= n || pc + 1u + p[pc].jf >= n) {
			return 0;
		}
	}
	return 1;
}
#endif
