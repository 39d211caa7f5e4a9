/* seccomp/normalize.c: the parsed profile -> per-architecture IR with libseccomp's rule
 * semantics as runc drives it (docs/seccomp.md "Rules"): rules equal to the default skipped,
 * conditions on a repeated argument split into OR'd rules, the first unconditional rule
 * winning, i386 socketcall/ipc duplicates, canonical order of overlapping conditional rules,
 * and the maxima for runc's -ENOSYS stub. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "seccomp/internal.h"
#include "buf.h"

/* The block's entry for nr, created when missing. Entries are appended and found through an
 * open-addressing hash (sorted by nr at the end of sc_normalize). */
#define HASH_SLOTS 4096u
static struct sc_sys *sys_get(struct sc_block *b, uint32_t nr, int size64)
{
	if (!b->hash) {
		b->hash = xmalloc(HASH_SLOTS * sizeof *b->hash);
		memset(b->hash, 0xff, HASH_SLOTS * sizeof *b->hash);
	}
	unsigned h = (nr * 2654435761u) >> 20;
	for (;; h = (h + 1) % HASH_SLOTS) {
		int i = b->hash[h];
		if (i < 0)
			break;
		if (b->sys[i].nr == nr)
			return &b->sys[i];
	}
	if (b->nsys >= HASH_SLOTS / 2)
		die("seccomp: too many syscalls in one block");
	if (b->nsys == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->sys = xrealloc(b->sys, b->cap * sizeof *b->sys);
	}
	b->hash[h] = (int)b->nsys;
	struct sc_sys *s = &b->sys[b->nsys++];
	memset(s, 0, sizeof *s);
	s->nr = nr;
	s->size64 = (uint8_t)size64;
	return s;
}

static int sys_cmp(const void *pa, const void *pb)
{
	const struct sc_sys *a = pa, *b = pb;
	return a->nr < b->nr ? -1 : a->nr > b->nr;
}

static int cond_eq(const struct sc_cond *a, const struct sc_cond *b)
{
	return a->arg == b->arg && a->op == b->op && a->mask == b->mask && a->datum == b->datum;
}

/* Adds one rule (conditions already split so each argument appears once). Returns 0, or
 * -1 with EEXIST when the same conditions already carry another action. */
static int add_rule(struct sc_block *b, uint32_t nr, int size64, uint32_t action,
                    const struct sc_arg *args, size_t nargs, struct err *e, const char *name)
{
	struct sc_chain c;
	uint64_t w = size64 ? ~0ull : 0xffffffffull;
	memset(&c, 0, sizeof c);
	c.action = action;
	for (size_t i = 0; i < nargs; i++) {
		struct sc_cond *x = &c.c[c.n];
		x->arg = args[i].index;
		x->op = args[i].op;
		if (x->op == SC_MASKED_EQ) {
			if (!args[i].value)
				continue;               /* (a & 0) == 0: always true, libseccomp drops it */
			x->mask = args[i].value & w;
			x->datum = args[i].value2 & x->mask;
		} else {
			x->mask = w;
			x->datum = args[i].value & w;
		}
		c.n++;
	}
	/* by argument index (insertion sort; at most 6) */
	for (int i = 1; i < c.n; i++)
		for (int j = i; j > 0 && c.c[j - 1].arg > c.c[j].arg; j--) {
			struct sc_cond t = c.c[j];
			c.c[j] = c.c[j - 1];
			c.c[j - 1] = t;
		}
	struct sc_sys *s = sys_get(b, nr, size64);
	if (s->has_uncond)
		return 0;                               /* the first unconditional rule wins */
	if (!c.n) {
		s->has_uncond = 1;
		s->uncond = action;
		free(s->chains);
		s->chains = NULL;
		s->nchains = s->cap = 0;
		return 0;
	}
	for (unsigned i = 0; i < s->nchains; i++) {
		struct sc_chain *o = &s->chains[i];
		int same = o->n == c.n;
		for (int k = 0; same && k < c.n; k++)
			same = cond_eq(&o->c[k], &c.c[k]);
		if (!same)
			continue;
		if (o->action == action)
			return 0;
		return err_set(e, EEXIST, "syscall %s: two rules with the same conditions and different actions", name);
	}
	if (s->nchains == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4;
		s->chains = xrealloc(s->chains, s->cap * sizeof *s->chains);
	}
	s->chains[s->nchains++] = c;
	return 0;
}

/* libseccomp's order of overlapping conditional rules: at the first differing condition,
 * higher argument index first, then EQ/NE/MASKED_EQ before LE/LT before GE/GT, then within
 * a class the larger datum first (the smaller for LE/LT), whatever the operator; a rule that
 * is a prefix of another first. */
static int opclass(int op)
{
	switch (op) {
	case SC_EQ: case SC_NE: case SC_MASKED_EQ: return 3;
	case SC_LE: case SC_LT: return 2;
	default: return 1;
	}
}

static int chain_cmp(const void *pa, const void *pb)
{
	const struct sc_chain *a = pa, *b = pb;
	for (int i = 0; i < a->n && i < b->n; i++) {
		const struct sc_cond *x = &a->c[i], *y = &b->c[i];
		if (cond_eq(x, y))
			continue;
		if (x->arg != y->arg)
			return x->arg > y->arg ? -1 : 1;
		if (opclass(x->op) != opclass(y->op))
			return opclass(x->op) > opclass(y->op) ? -1 : 1;
		if (x->datum != y->datum) {
			int asc = opclass(x->op) == 2;
			return (x->datum > y->datum) == !asc ? -1 : 1;
		}
		if (x->mask != y->mask)
			return x->mask > y->mask ? -1 : 1;
		if (x->op != y->op)   /* equal data: LT before LE, GE before GT (jge nodes first) */
			return x->op == SC_LT || x->op == SC_GE ? -1 : 1;
	}
	return a->n < b->n ? -1 : a->n > b->n ? 1 : 0;
}

static struct sc_block *block_for(struct sc_ir *ir, uint32_t audit)
{
	for (unsigned i = 0; i < ir->nb; i++)
		if (ir->b[i].audit == audit)
			return &ir->b[i];
	return NULL;
}

/* Adds one rule of the profile on one architecture, with the i386 multiplexer copy. */
static int add_on_arch(struct sc_ir *ir, int arch, const struct seccomp_sysent *se,
                       uint32_t action, const struct sc_arg *args, size_t nargs, struct err *e)
{
	const struct sc_archdef *ad = &sc_archdefs[arch];
	struct sc_block *b = block_for(ir, ad->audit);
	const char *name = sc_sysent_name(se);
	long nr = sc_sysent_nr(se, arch);
	const char *mux;
	int sub = ad->mux ? sc_mux_subcall(name, &mux) : 0;
	if (nr >= 0 && add_rule(b, (uint32_t)nr, ad->size64, action, args, nargs, e, name) < 0)
		return -1;
	if (sub) {
		struct sc_arg a2[7];
		size_t n = 0;
		long mnr = seccomp_syscall_nr(mux, arch);
		a2[n++] = (struct sc_arg){ .index = 0, .op = SC_EQ, .value = (uint64_t)sub };
		for (size_t i = 0; i < nargs; i++)
			if (args[i].index != 0)
				a2[n++] = args[i];
		if (mnr >= 0 && add_rule(b, (uint32_t)mnr, ad->size64, action, a2, n, e, name) < 0)
			return -1;
	}
	return 0;
}

int sc_normalize(const struct sc_profile *p, int native, const struct json_doc *d,
                 struct sc_ir *ir, struct err *e)
{
	int in[SECCOMP_ARCH_N];
	memset(ir, 0, sizeof *ir);
	ir->defact = p->defact;
	uint32_t da = SC_RET_ACTION(p->defact);
	ir->stub = da != SC_RET_ALLOW && da != SC_RET_LOG && da != SC_RET_TRACE;
	for (int a = 0; a < SECCOMP_ARCH_N; a++)
		in[a] = p->arches[a] || a == native;
	/* blocks: the native one first */
	for (int k = 0; k < SECCOMP_ARCH_N; k++) {
		int a = k == 0 ? native : (k <= native ? k - 1 : k);
		if (!in[a] || block_for(ir, sc_archdefs[a].audit))
			continue;
		struct sc_block *b = &ir->b[ir->nb++];
		b->audit = sc_archdefs[a].audit;
		b->max = b->max_x32 = -1;
	}
	struct sc_block *bx = block_for(ir, sc_archdefs[SECCOMP_ARCH_X86_64].audit);
	if (bx)
		bx->x32check = in[SECCOMP_ARCH_X86_64] && in[SECCOMP_ARCH_X32] ? 0 :
		               in[SECCOMP_ARCH_X86_64] ? 1 : 2;

	for (size_t r = 0; r < p->nrules; r++) {
		const struct sc_rule *rl = &p->rules[r];
		for (size_t n = 0; n < rl->nnames; n++) {
			const struct seccomp_sysent *se = sc_sys_find(rl->names[n]);
			if (!se) {
				ir->nskipped++;
				continue;
			}
			/* -ENOSYS stub maxima: every name, whatever its action, on the architectures
			 * the profile lists (runc 1.1.5 does not add the native one here) */
			for (int a = 0; a < SECCOMP_ARCH_N; a++) {
				long nr = p->arches[a] ? sc_sysent_nr(se, a) : -1;
				if (nr < 0)
					continue;
				struct sc_block *b = block_for(ir, sc_archdefs[a].audit);
				int64_t *m = a == SECCOMP_ARCH_X32 ? &b->max_x32 : &b->max;
				if (nr > *m)
					*m = nr;
			}
			if (rl->action == p->defact)
				continue;
			/* a repeated argument index makes each condition its own rule */
			int dup = 0;
			for (size_t i = 0; i < rl->nargs; i++)
				for (size_t j = 0; j < i; j++)
					dup |= rl->args[i].index == rl->args[j].index;
			for (int a = 0; a < SECCOMP_ARCH_N; a++) {
				if (!in[a])
					continue;
				int rc = 0;
				if (!dup)
					rc = add_on_arch(ir, a, se, rl->action, rl->args, rl->nargs, e);
				for (size_t i = 0; dup && !rc && i < rl->nargs; i++)
					rc = add_on_arch(ir, a, se, rl->action, &rl->args[i], 1, e);
				if (rc < 0 && d) {
					char m[sizeof e->msg];
					memcpy(m, e->msg, sizeof m);
					return json_err(d, rl->tok, e, "%s", m);
				}
				if (rc < 0)
					return -1;
			}
		}
	}
	for (unsigned i = 0; i < ir->nb; i++) {
		struct sc_block *b = &ir->b[i];
		free(b->hash);
		b->hash = NULL;
		if (b->nsys)
			qsort(b->sys, b->nsys, sizeof *b->sys, sys_cmp);
		if (b->max == 0)
			b->max = -1;            /* runc drops an arch whose maximum is 0 */
		if (b->max_x32 == (int64_t)SC_X32_BIT)
			b->max_x32 = -1;
		for (unsigned s = 0; s < b->nsys; s++)
			if (b->sys[s].nchains > 1)
				qsort(b->sys[s].chains, b->sys[s].nchains, sizeof *b->sys[s].chains, chain_cmp);
	}
	return 0;
}

void sc_ir_free(struct sc_ir *ir)
{
	for (unsigned i = 0; i < ir->nb; i++) {
		for (unsigned s = 0; s < ir->b[i].nsys; s++)
			free(ir->b[i].sys[s].chains);
		free(ir->b[i].sys);
		free(ir->b[i].hash);
	}
	memset(ir, 0, sizeof *ir);
}
