/* relr.h: the relative-relocation appliers of the static-pie start code (start/start.c),
 * header-only so that tests/unit/t_relr.c runs the same code on hand-made tables.
 *
 * They run before the program's own relocations are applied, so they use nothing but their
 * arguments: no globals, no libc, no calls. Each adds the load base to the words the table
 * names (docs/architectures.md, "Self-relocation" has the formats):
 *   RELR  one word per entry. An even entry is the offset of a word to relocate and makes the
 *         next offset the word after it; an odd entry is a bitmap whose bits 1..N-1 (N the
 *         bits of a word) name the N-1 words from that next offset on, which then moves on
 *         by N-1 words.
 *   REL   {offset, info}: the word at offset gets base added (its addend is in place).
 *   RELA  {offset, info, addend}: the word at offset becomes base + addend.
 * REL and RELA entries must be of type `rel_relative` (R_<arch>_RELATIVE); any other type
 * makes rel_apply return -1 without applying the rest. */
#ifndef CRBOX_START_RELR_H
#define CRBOX_START_RELR_H

#include <stddef.h>
#include <stdint.h>

#define RELR_WORD_BITS (8 * sizeof(uintptr_t))

/* relr_apply: applies the `size` bytes of RELR entries at `relr`, offsets relative to `base`. */
static inline void relr_apply(uintptr_t base, const uintptr_t *relr, size_t size)
{
	uintptr_t *where = 0;
	size_t n = size / sizeof(uintptr_t);

	for (size_t i = 0; i < n; i++) {
		uintptr_t e = relr[i];
		if ((e & 1) == 0) {
			where = (uintptr_t *)(base + e);
			*where++ += base;
			continue;
		}
		for (unsigned b = 0; (e >>= 1) != 0; b++)
			if (e & 1)
				where[b] += base;
		where += RELR_WORD_BITS - 1;
	}
}

/* The relocation type in r_info: the low 32 bits in ELF64, the low 8 in ELF32. */
#if UINTPTR_MAX > 0xffffffffu
#define RELR_R_TYPE(info) ((info) & 0xffffffffu)
#else
#define RELR_R_TYPE(info) ((info) & 0xffu)
#endif

/* rel_apply: `size` bytes of REL entries (each `ent` bytes: offset, info) at `rel`, or with
 * `addend` set, of RELA entries (offset, info, addend). */
static inline int rel_apply(uintptr_t base, const uintptr_t *rel, size_t size, size_t ent,
			    uintptr_t rel_relative, int addend)
{
	if (ent < (addend ? 3 : 2) * sizeof(uintptr_t))
		return size ? -1 : 0;
	for (size_t off = 0; off + ent <= size; off += ent) {
		const uintptr_t *r = (const uintptr_t *)((const char *)rel + off);
		uintptr_t *where = (uintptr_t *)(base + r[0]);
		if (RELR_R_TYPE(r[1]) != rel_relative)
			return -1;
		*where = base + (addend ? r[2] : *where);
	}
	return 0;
}

#endif
