/* seccomp/gen.c: IR -> classic BPF. Code is emitted with symbolic forward labels; a final
 * pass resolves them, putting an unconditional `ja` (32-bit offset) after any conditional
 * jump whose target is more than 255 instructions away, and checks the kernel's limit of
 * 4096 instructions (docs/seccomp.md "Program layout"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "seccomp/internal.h"
#include "buf.h"

#define LD_ABS  0x20    /* BPF_LD|BPF_W|BPF_ABS */
#define AND_K   0x54    /* BPF_ALU|BPF_AND|BPF_K */
#define JA      0x05
#define JEQ     0x15
#define JGT     0x25
#define JGE     0x35
#define JSET    0x45
#define RET_K   0x06
#define MAXINSNS 4096
#define LINEAR_MAX 8     /* the longest linear jeq list of the sparse dispatch */

#define NEXT (-1)       /* jump target: the next instruction */

struct gi {
	uint16_t code;
	uint32_t k;
	int jt, jf;     /* label ids, or NEXT-n: n+1 instructions on (relative, fixed) */
};

struct gen {
	struct gi *p;
	unsigned n, cap;
	int *lab;       /* label id -> instruction index, -1 until placed */
	unsigned nlab, labcap;
	struct { uint32_t ret; int lab; } *rets;
	unsigned nrets;
};

static void put(struct gen *g, uint16_t code, uint32_t k, int jt, int jf)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 256;
		g->p = xrealloc(g->p, g->cap * sizeof *g->p);
	}
	g->p[g->n++] = (struct gi){ code, k, jt, jf };
}

static int label(struct gen *g)
{
	if (g->nlab == g->labcap) {
		g->labcap = g->labcap ? 2 * g->labcap : 256;
		g->lab = xrealloc(g->lab, g->labcap * sizeof *g->lab);
	}
	g->lab[g->nlab] = -1;
	return (int)g->nlab++;
}

static void place(struct gen *g, int l)
{
	g->lab[l] = (int)g->n;
}

/* The shared `ret` for a return value (emitted at the end). */
static int ret_label(struct gen *g, uint32_t r)
{
	for (unsigned i = 0; i < g->nrets; i++)
		if (g->rets[i].ret == r)
			return g->rets[i].lab;
	g->rets = xrealloc(g->rets, (g->nrets + 1) * sizeof *g->rets);
	g->rets[g->nrets].ret = r;
	g->rets[g->nrets].lab = label(g);
	return g->rets[g->nrets++].lab;
}

static void ld(struct gen *g, uint32_t off)
{
	put(g, LD_ABS, off, 0, 0);
}

/* One condition: jumps to ok when it holds, to fail when not; the accumulator is lost. */
static void cond(struct gen *g, const struct sc_cond *c, int size64, int ok, int fail)
{
	uint32_t lo = 16 + 8u * c->arg, hi = lo + 4;
	uint32_t dh = (uint32_t)(c->datum >> 32), dl = (uint32_t)c->datum;
	uint32_t mh = (uint32_t)(c->mask >> 32), ml = (uint32_t)c->mask;
	if (size64) {
		ld(g, hi);
		switch (c->op) {
		case SC_EQ: put(g, JEQ, dh, NEXT, fail); break;
		case SC_NE: put(g, JEQ, dh, NEXT, ok); break;
		case SC_MASKED_EQ:
			if (mh) {
				put(g, AND_K, mh, 0, 0);
				put(g, JEQ, dh, NEXT, fail);
			}
			break;
		case SC_GT: case SC_GE:
			put(g, JGT, dh, ok, NEXT);
			put(g, JEQ, dh, NEXT, fail);
			break;
		case SC_LT: case SC_LE:
			put(g, JGT, dh, fail, NEXT);
			put(g, JEQ, dh, NEXT, ok);
			break;
		}
	}
	ld(g, lo);
	switch (c->op) {
	case SC_EQ: put(g, JEQ, dl, ok, fail); break;
	case SC_NE: put(g, JEQ, dl, fail, ok); break;
	case SC_MASKED_EQ:
		if (ml) {
			put(g, AND_K, ml, 0, 0);
			put(g, JEQ, dl, ok, fail);
		} else {
			put(g, JA, 0, ok, 0);
		}
		break;
	case SC_GT: put(g, JGT, dl, ok, fail); break;
	case SC_GE: put(g, JGE, dl, ok, fail); break;
	case SC_LT: put(g, JGE, dl, fail, ok); break;
	case SC_LE: put(g, JGT, dl, fail, ok); break;
	}
}

/* The number space of a block cut into segments [lo, next lo) that share one outcome: a
 * syscall's unconditional action, its rule body, or the default for the gaps. */
struct seg {
	uint32_t lo;
	int ret;                /* 1: `ret k`; 0: jump to label */
	uint32_t k;
	int lab;
};

static int seg_same(const struct seg *a, const struct seg *b)
{
	return a->ret == b->ret && (a->ret ? a->k == b->k : a->lab == b->lab);
}

static void seg_emit(struct gen *g, const struct seg *s)
{
	if (s->ret)
		put(g, RET_K, s->k, 0, 0);
	else
		put(g, JA, 0, s->lab, 0);
}

/* Binary search over segs[i..j]: one `jge` per inner node, a `ret` or `ja` per leaf. */
static void dispatch(struct gen *g, const struct seg *segs, unsigned i, unsigned j)
{
	if (i == j) {
		seg_emit(g, &segs[i]);
		return;
	}
	unsigned mid = i + (j - i + 1) / 2;
	int right;
	if (mid == j && !segs[j].ret) {
		put(g, JGE, segs[mid].lo, segs[j].lab, NEXT);
		dispatch(g, segs, i, mid - 1);
		return;
	}
	right = label(g);
	put(g, JGE, segs[mid].lo, right, NEXT);
	dispatch(g, segs, i, mid - 1);
	place(g, right);
	dispatch(g, segs, mid, j);
}

/* The sparse alternative: a binary search over the syscall numbers themselves, ending in
 * linear lists of at most LINEAR_MAX jeq, each list followed by `ret default` and the rets it
 * uses. Chosen per block when it is shorter than the segment search. */
static unsigned leaf_rets(const struct sc_block *b, unsigned lo, unsigned hi, uint32_t *k)
{
	unsigned n = 0;
	for (unsigned i = lo; i < hi; i++) {
		if (!b->sys[i].has_uncond)
			continue;
		unsigned j;
		for (j = 0; j < n && k[j] != b->sys[i].uncond; j++)
			;
		if (j == n)
			k[n++] = b->sys[i].uncond;
	}
	return n;
}

static unsigned jeq_cost(const struct sc_block *b, unsigned lo, unsigned hi)
{
	uint32_t k[LINEAR_MAX];
	if (hi - lo <= LINEAR_MAX)
		return (hi - lo) + 1 + leaf_rets(b, lo, hi, k);
	unsigned mid = lo + (hi - lo) / 2;
	return 1 + jeq_cost(b, lo, mid) + jeq_cost(b, mid, hi);
}

/* The segment search's length: a jge per inner node and an instruction per leaf. */
static unsigned seg_cost(const struct sc_block *b)
{
	unsigned ns = 1;
	for (unsigned i = 0; i < b->nsys; i++) {
		const struct sc_sys *s = &b->sys[i];
		int joins = i && b->sys[i - 1].nr + 1 == s->nr && s->has_uncond &&
		            b->sys[i - 1].has_uncond && b->sys[i - 1].uncond == s->uncond;
		if (!joins)
			ns++;
		if (s->nr + 1 && (i + 1 == b->nsys || b->sys[i + 1].nr != s->nr + 1))
			ns++;
	}
	return 2 * ns;
}

static void jeq_tree(struct gen *g, const struct sc_ir *ir, const struct sc_block *b,
                     unsigned lo, unsigned hi, const int *slab)
{
	if (hi - lo > LINEAR_MAX) {
		unsigned mid = lo + (hi - lo) / 2;
		int right = label(g);
		put(g, JGE, b->sys[mid].nr, right, NEXT);
		jeq_tree(g, ir, b, lo, mid, slab);
		place(g, right);
		jeq_tree(g, ir, b, mid, hi, slab);
		return;
	}
	uint32_t k[LINEAR_MAX];
	int lab[LINEAR_MAX];
	unsigned n = leaf_rets(b, lo, hi, k);
	for (unsigned j = 0; j < n; j++)
		lab[j] = label(g);
	for (unsigned i = lo; i < hi; i++) {
		const struct sc_sys *s = &b->sys[i];
		int t = slab[i];
		if (s->has_uncond)
			for (unsigned j = 0; j < n; j++)
				if (k[j] == s->uncond)
					t = lab[j];
		put(g, JEQ, s->nr, t, NEXT);
	}
	put(g, RET_K, ir->defact, 0, 0);
	for (unsigned j = 0; j < n; j++) {
		place(g, lab[j]);
		put(g, RET_K, k[j], 0, 0);
	}
}

static void block(struct gen *g, const struct sc_ir *ir, const struct sc_block *b)
{
	int def = ret_label(g, ir->defact), bad = ret_label(g, SC_RET_KILL_THREAD);
	(void)def;
	int enosys = ret_label(g, SC_RET_ERRNO | ENOSYS);
	int disp = label(g);
	ld(g, 0);
	if (ir->stub && (b->max >= 0 || b->max_x32 >= 0)) {
		/* runc's -ENOSYS stub: numbers above the highest the profile names */
		int after = label(g);
		if (b->max_x32 >= 0) {
			int x64 = label(g);
			put(g, JSET, SC_X32_BIT, NEXT, x64);
			put(g, JGT, (uint32_t)b->max_x32, enosys, after);
			place(g, x64);
		} else if (b->x32check || b->audit == sc_archdefs[SECCOMP_ARCH_X86_64].audit) {
			put(g, JSET, SC_X32_BIT, after, NEXT);
		}
		if (b->max >= 0)
			put(g, JGT, (uint32_t)b->max, enosys, after);
		place(g, after);
	}
	if (b->x32check == 1) {
		/* x86_64 without x32: x32 numbers are a bad architecture, nr -1 is not */
		int x = label(g);
		put(g, JGE, SC_X32_BIT, x, disp);
		place(g, x);
		put(g, JEQ, 0xffffffffu, disp, bad);
	} else if (b->x32check == 2) {
		put(g, JGE, SC_X32_BIT, disp, bad);
	}
	place(g, disp);
	int *slab = xcalloc(b->nsys + 1, sizeof *slab);
	for (unsigned i = 0; i < b->nsys; i++)
		if (!b->sys[i].has_uncond)
			slab[i] = label(g);
	if (jeq_cost(b, 0, b->nsys) <= seg_cost(b)) {
		jeq_tree(g, ir, b, 0, b->nsys, slab);
		goto bodies;
	}
	struct seg *segs = xcalloc(2 * b->nsys + 1, sizeof *segs);
	unsigned ns = 0;
	struct seg dflt = { 0, 1, ir->defact, -1 };
	segs[ns++] = dflt;
	for (unsigned i = 0; i < b->nsys; i++) {
		const struct sc_sys *s = &b->sys[i];
		struct seg x = { s->nr, s->has_uncond, s->uncond, -1 };
		if (!s->has_uncond)
			x.lab = slab[i];
		if (seg_same(&x, &segs[ns - 1]))
			; /* extends the previous run (a gap would have its own segment) */
		else if (ns == 1 && x.lo == 0)
			segs[0] = x;
		else
			segs[ns++] = x;
		/* the gap after it */
		uint32_t after = s->nr + 1;
		if (after && (i + 1 == b->nsys || b->sys[i + 1].nr != after)) {
			dflt.lo = after;
			segs[ns++] = dflt;
		}
	}
	dispatch(g, segs, 0, ns - 1);
	free(segs);
bodies:
	for (unsigned i = 0; i < b->nsys; i++) {
		const struct sc_sys *s = &b->sys[i];
		if (s->has_uncond)
			continue;
		place(g, slab[i]);
		for (unsigned c = 0; c < s->nchains; c++) {
			const struct sc_chain *ch = &s->chains[c];
			int next = label(g);
			for (int k = 0; k < ch->n; k++) {
				int ok = label(g);
				cond(g, &ch->c[k], s->size64, ok, next);
				place(g, ok);
			}
			put(g, RET_K, ch->action, 0, 0);
			place(g, next);
		}
		put(g, JA, 0, def, 0);
	}
	free(slab);
}

static int is_jmp(uint16_t code)
{
	return (code & 0x07) == 0x05;
}

/* Offset of target t (a label or NEXT-n) from instruction i. */
static long off(const struct gen *g, unsigned i, int t)
{
	if (t <= NEXT)
		return NEXT - t;
	return (long)g->lab[t] - (long)i - 1;
}

static void insert_ja(struct gen *g, unsigned at, int target)
{
	put(g, 0, 0, 0, 0);
	memmove(&g->p[at + 1], &g->p[at], (g->n - 1 - at) * sizeof *g->p);
	g->p[at] = (struct gi){ JA, 0, target, 0 };
	for (unsigned l = 0; l < g->nlab; l++)
		if (g->lab[l] >= (int)at)
			g->lab[l]++;
}

/* Makes every conditional jump reach its targets within 255 instructions. */
static int long_jumps_pass(struct gen *g)
{
	int changed = 0;
	for (unsigned i = 0; i < g->n; i++) {
		struct gi *x = &g->p[i];
		if (!is_jmp(x->code) || x->code == JA)
			continue;
		int far_t = off(g, i, x->jt) > 255, far_f = off(g, i, x->jf) > 255;
		if (!far_t && !far_f)
			continue;
		int jt = x->jt, jf = x->jf;
		unsigned at = i + 1;
		/* a relative NEXT target moves with the inserted instructions */
		if (far_t) {
			insert_ja(g, at++, jt);
			jt = NEXT;
		}
		if (far_f) {
			insert_ja(g, at++, jf);
			jf = far_t ? NEXT - 1 : NEXT;
		}
		if (!far_t && jt <= NEXT)
			jt -= (int)(at - i - 1);
		if (!far_f && jf <= NEXT)
			jf -= (int)(at - i - 1);
		g->p[i].jt = jt;
		g->p[i].jf = jf;
		changed = 1;
	}
	return changed;
}

/* Insertions lengthen earlier jumps that cross them: repeat until nothing moves. */
static void long_jumps(struct gen *g)
{
	while (long_jumps_pass(g) && g->n <= 2 * MAXINSNS)
		;
}

int sc_generate(const struct sc_ir *ir, struct seccomp_insn **out, unsigned *len, struct err *e)
{
	struct gen g;
	memset(&g, 0, sizeof g);
	int blab[SECCOMP_ARCH_N];
	ld(&g, 4);
	for (unsigned i = 0; i < ir->nb; i++) {
		blab[i] = label(&g);
		put(&g, JEQ, ir->b[i].audit, blab[i], NEXT);
	}
	put(&g, JA, 0, ret_label(&g, SC_RET_KILL_THREAD), 0);
	for (unsigned i = 0; i < ir->nb; i++) {
		place(&g, blab[i]);
		block(&g, ir, &ir->b[i]);
	}
	for (unsigned i = 0; i < g.nrets; i++) {
		place(&g, g.rets[i].lab);
		put(&g, RET_K, g.rets[i].ret, 0, 0);
	}
	/* a `ja` to a `ret` becomes the `ret`; a `ja` to the next instruction stays (harmless) */
	for (unsigned i = 0; i < g.n; i++)
		if (g.p[i].code == JA && g.p[i].jt > NEXT && g.p[g.lab[g.p[i].jt]].code == RET_K)
			g.p[i] = (struct gi){ RET_K, g.p[g.lab[g.p[i].jt]].k, 0, 0 };
	long_jumps(&g);
	int rc = 0;
	if (g.n > MAXINSNS) {
		rc = err_set(e, E2BIG, "the compiled filter has %u instructions, more than the kernel's limit of %d",
		             g.n, MAXINSNS);
	} else {
		struct seccomp_insn *p = xcalloc(g.n, sizeof *p);
		for (unsigned i = 0; i < g.n; i++) {
			struct gi *x = &g.p[i];
			p[i].code = x->code;
			p[i].k = x->k;
			if (x->code == JA) {
				p[i].k = (uint32_t)off(&g, i, x->jt);
			} else if (is_jmp(x->code)) {
				long t = off(&g, i, x->jt), f = off(&g, i, x->jf);
				if (t < 0 || f < 0 || t > 255 || f > 255)
					die("seccomp: jump resolution failed");
				p[i].jt = (uint8_t)t;
				p[i].jf = (uint8_t)f;
			}
		}
		*out = p;
		*len = g.n;
	}
	free(g.p);
	free(g.lab);
	free(g.rets);
	return rc;
}
