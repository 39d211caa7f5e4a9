/* t_relr: the relocation appliers of the static-pie start code (start/relr.h) on hand-made
 * tables: RELR address and bitmap entries (docs/architectures.md, "Self-relocation"), a
 * round trip through an encoder written here from the same format, and REL/RELA with their
 * refusal of any type but the relative one. The "image" is an array whose words hold their
 * own index; the load base is the array's address, so a relocated word holds index + base. */
#include "t.h"
#include "start/relr.h"

#define W RELR_WORD_BITS
#define NWORDS 400
#define RELATIVE 8 /* any type number will do: the appliers take it as an argument */

static uintptr_t img[NWORDS];
static unsigned char want[NWORDS];

static uintptr_t off(size_t i)
{
	return i * sizeof(uintptr_t);
}

static void reset(void)
{
	for (size_t i = 0; i < NWORDS; i++) {
		img[i] = i;
		want[i] = 0;
	}
}

/* 1 if exactly the words marked in want[] hold index + base, the others their index. */
static int image_ok(void)
{
	uintptr_t base = (uintptr_t)img;
	for (size_t i = 0; i < NWORDS; i++)
		if (img[i] != (want[i] ? i + base : i)) {
			printf("#   word %zu: %#lx\n", i, (unsigned long)(img[i] - i));
			return 0;
		}
	return 1;
}

/* The RELR encoding of the word indices marked in want[] (ascending), into t; its length. */
static size_t encode(uintptr_t *t)
{
	size_t n = 0, i = 0;
	while (i < NWORDS) {
		if (!want[i]) {
			i++;
			continue;
		}
		t[n++] = off(i);
		size_t next = i + 1; /* the first word the next bitmap covers */
		for (;;) {
			uintptr_t bm = 0;
			for (size_t k = 0; k < W - 1 && next + k < NWORDS; k++)
				if (want[next + k])
					bm |= (uintptr_t)1 << (k + 1);
			if (!bm)
				break;
			t[n++] = bm | 1;
			next += W - 1;
		}
		i = next;
	}
	return n;
}

int main(void)
{
	uintptr_t base = (uintptr_t)img, t[NWORDS] = { 0 };
	size_t n;

	reset();
	relr_apply(base, t, 0);
	T_OK(image_ok(), "RELR: an empty table changes nothing");

	reset();
	t[0] = off(0), t[1] = off(5), t[2] = off(6);
	want[0] = want[5] = want[6] = 1;
	relr_apply(base, t, 3 * sizeof(uintptr_t));
	T_OK(image_ok(), "RELR: address entries relocate one word each");

	reset();
	/* Word 10, then a bitmap over 11.. (bit k is word 10 + k), its last bit the word
	 * 10 + W - 1, then a second bitmap over the next W - 1 words. */
	t[0] = off(10);
	t[1] = 1 | (uintptr_t)1 << 1 | (uintptr_t)1 << 3 | (uintptr_t)1 << (W - 1);
	t[2] = 1 | (uintptr_t)1 << 1 | (uintptr_t)1 << (W - 1);
	want[10] = want[11] = want[13] = want[10 + W - 1] = 1;
	want[10 + W] = want[10 + 2 * (W - 1)] = 1;
	relr_apply(base, t, 3 * sizeof(uintptr_t));
	T_OK(image_ok(), "RELR: bitmaps cover the next word-size minus one words each");

	reset();
	/* An empty bitmap (just the marker bit) still moves on by W - 1 words. */
	t[0] = off(0), t[1] = 1, t[2] = 1 | (uintptr_t)1 << 1;
	want[0] = want[1 + (W - 1)] = 1;
	relr_apply(base, t, 3 * sizeof(uintptr_t));
	T_OK(image_ok(), "RELR: an empty bitmap skips its words");

	reset();
	/* An address entry after bitmaps starts over. */
	t[0] = off(2), t[1] = 1 | 1 << 2, t[2] = off(300), t[3] = 1 | 1 << 1;
	want[2] = want[4] = want[300] = want[301] = 1;
	relr_apply(base, t, 4 * sizeof(uintptr_t));
	T_OK(image_ok(), "RELR: an address entry after a bitmap starts a new run");

	/* Round trips: every third word, dense runs, sparse words, pseudo-random sets. */
	int trips = 0, trips_ok = 0;
	uint32_t x = 12345;
	for (int pat = 0; pat < 40; pat++) {
		reset();
		for (size_t i = 0; i < NWORDS; i++) {
			x = x * 1103515245u + 12345u;
			if (pat == 0)
				want[i] = i % 3 == 0;
			else if (pat == 1)
				want[i] = i < 200;
			else if (pat == 2)
				want[i] = i % 97 == 1;
			else
				want[i] = (x >> 16) % (unsigned)(pat + 1) == 0;
		}
		n = encode(t);
		relr_apply(base, t, n * sizeof(uintptr_t));
		trips++;
		trips_ok += image_ok();
	}
	T_INTEQ(trips_ok, trips, "RELR: encoded sets of words come back exactly");

	reset();
	uintptr_t rela[3][3] = {
		{ off(7), RELATIVE, 0x1000 }, { off(8), RELATIVE, 0 }, { off(9), RELATIVE, 42 }
	};
	T_INTEQ(rel_apply(base, &rela[0][0], sizeof(rela), sizeof(rela[0]), RELATIVE, 1), 0,
		"RELA: relative entries accepted");
	T_OK(img[7] == base + 0x1000 && img[8] == base && img[9] == base + 42 && img[6] == 6,
	     "RELA: the word becomes base + addend");
	rela[1][1] = RELATIVE + 1;
	T_INTEQ(rel_apply(base, &rela[0][0], sizeof(rela), sizeof(rela[0]), RELATIVE, 1), -1,
		"RELA: another type is refused");
	T_INTEQ(rel_apply(base, &rela[0][0], sizeof(rela), 0, RELATIVE, 1), -1,
		"RELA: an entry size too small for an entry is refused");

	reset();
	uintptr_t rel[2][2] = { { off(3), RELATIVE }, { off(4), RELATIVE } };
	want[3] = want[4] = 1;
	T_INTEQ(rel_apply(base, &rel[0][0], sizeof(rel), sizeof(rel[0]), RELATIVE, 0), 0,
		"REL: relative entries accepted");
	T_OK(image_ok(), "REL: the word gets base added");
	rel[0][1] = 0;
	T_INTEQ(rel_apply(base, &rel[0][0], sizeof(rel), sizeof(rel[0]), RELATIVE, 0), -1,
		"REL: another type is refused");
#if UINTPTR_MAX > 0xffffffffu
	/* ELF64 r_info: the type is the low 32 bits (a symbol index above them). */
	reset();
	rel[0][1] = (uintptr_t)5 << 32 | RELATIVE;
	rel[1][1] = RELATIVE;
	want[3] = want[4] = 1;
	T_INTEQ(rel_apply(base, &rel[0][0], sizeof(rel), sizeof(rel[0]), RELATIVE, 0), 0,
		"REL: ELF64 type from the low 32 bits of r_info");
#else
	/* ELF32 r_info: the type is the low 8 bits. */
	reset();
	rel[0][1] = 5 << 8 | RELATIVE;
	rel[1][1] = RELATIVE;
	want[3] = want[4] = 1;
	T_INTEQ(rel_apply(base, &rel[0][0], sizeof(rel), sizeof(rel[0]), RELATIVE, 0), 0,
		"REL: ELF32 type from the low 8 bits of r_info");
#endif
	return t_done();
}
