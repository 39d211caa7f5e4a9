/* start.c: the start code of crbox's static-pie link where the linker packs relative
 * relocations (-z pack-relative-relocs: the RELR_ARCHES of config.mk). It takes the place of
 * musl's rcrt1.o, whose self-relocation knows only REL and RELA: musl 1.2.3 predates RELR.
 *
 * _start (a few instructions per architecture) hands the initial stack pointer to
 * start_c(), which
 *   1. walks the stack to the auxiliary vector and takes the program headers (AT_PHDR,
 *      AT_PHNUM) the kernel mapped;
 *   2. computes the load base as the run-time address of _DYNAMIC (a hidden, PC-relative
 *      reference) minus the link-time address of PT_DYNAMIC;
 *   3. applies DT_REL, DT_RELA (R_*_RELATIVE only) and DT_RELR (start/relr.h); any other
 *      relocation, or a PLT relocation table, stops the program at once (trap);
 *   4. then, through an opaque pointer so that nothing of it is read earlier, calls
 *      start_libc(), which starts musl as its crt1 does: __libc_start_main(main, argc,
 *      argv, _init, _fini, 0).
 * Until step 4, the code reads no global data and calls no function with a relocated
 * address: the Makefile compiles this file with -fPIE -ffreestanding -fno-stack-protector
 * -fno-builtin, without LTO, and every symbol it uses before relocating is hidden.
 * docs/architectures.md ("Self-relocation") has the ELF facts. */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "start/relr.h"

/* The RELR dynamic tags (musl 1.2.3's elf.h predates them). */
#ifndef DT_RELR
#define DT_RELRSZ 35
#define DT_RELR 36
#define DT_RELRENT 37
#endif

#if UINTPTR_MAX > 0xffffffffu
typedef Elf64_Phdr phdr_t;
typedef Elf64_Dyn dyn_t;
#else
typedef Elf32_Phdr phdr_t;
typedef Elf32_Dyn dyn_t;
#endif

#if defined(__x86_64__)
#define R_RELATIVE R_X86_64_RELATIVE
/* At entry %rsp points at argc; the ABI wants %rbp zero (outermost frame) and the stack
 * 16-byte aligned at the call. */
__asm__(".text\n"
	".global _start\n"
	".type _start,@function\n"
	"_start:\n"
	"	xor %ebp,%ebp\n"
	"	mov %rsp,%rdi\n"
	"	and $-16,%rsp\n"
	"	call start_c\n"
	"	hlt\n"
	".size _start,.-_start\n");
#elif defined(__i386__)
#define R_RELATIVE R_386_RELATIVE
/* At entry %esp points at argc; the argument goes on the stack, which is 16-byte aligned
 * at the call. */
__asm__(".text\n"
	".global _start\n"
	".type _start,@function\n"
	"_start:\n"
	"	xor %ebp,%ebp\n"
	"	mov %esp,%eax\n"
	"	and $-16,%esp\n"
	"	sub $12,%esp\n"
	"	push %eax\n"
	"	call start_c\n"
	"	hlt\n"
	".size _start,.-_start\n");
#else
#error "start/start.c has no _start for this architecture (see RELR_ARCHES in config.mk)"
#endif

/* Defined by the linker: the dynamic section. */
extern const dyn_t _DYNAMIC[] __attribute__((visibility("hidden")));

int main(int, char **, char **);
void _init(void);
void _fini(void);
int __libc_start_main(int (*)(int, char **, char **), int, char **, void (*)(void),
		      void (*)(void), void (*)(void));

void start_c(uintptr_t *sp) __attribute__((visibility("hidden"), used, noreturn));

/* Runs after the relocations: the addresses it takes may come from the (now relocated) GOT. */
static __attribute__((noinline, noreturn)) void start_libc(uintptr_t *sp)
{
	__libc_start_main(main, (int)sp[0], (char **)(sp + 1), _init, _fini, 0);
	__builtin_trap();
}

void start_c(uintptr_t *sp)
{
	uintptr_t argc = sp[0];
	uintptr_t *p = sp + 1 + argc + 1; /* envp */
	const phdr_t *ph = 0;
	uintptr_t phnum = 0, base = 0;
	uintptr_t rel = 0, relsz = 0, relent = 0, rela = 0, relasz = 0, relaent = 0;
	uintptr_t relr = 0, relrsz = 0, relrent = 0, pltrelsz = 0;
	int found = 0;

	while (*p)
		p++;
	for (p++; p[0] != AT_NULL; p += 2) {
		if (p[0] == AT_PHDR)
			ph = (const phdr_t *)p[1];
		else if (p[0] == AT_PHNUM)
			phnum = p[1];
	}
	for (uintptr_t i = 0; ph && i < phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC) {
			base = (uintptr_t)_DYNAMIC - ph[i].p_vaddr;
			found = 1;
			break;
		}
	if (!found)
		__builtin_trap();

	for (const dyn_t *d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
		uintptr_t v = d->d_un.d_val;
		if (d->d_tag == DT_REL)
			rel = v;
		else if (d->d_tag == DT_RELSZ)
			relsz = v;
		else if (d->d_tag == DT_RELENT)
			relent = v;
		else if (d->d_tag == DT_RELA)
			rela = v;
		else if (d->d_tag == DT_RELASZ)
			relasz = v;
		else if (d->d_tag == DT_RELAENT)
			relaent = v;
		else if (d->d_tag == DT_RELR)
			relr = v;
		else if (d->d_tag == DT_RELRSZ)
			relrsz = v;
		else if (d->d_tag == DT_RELRENT)
			relrent = v;
		else if (d->d_tag == DT_PLTRELSZ)
			pltrelsz = v;
	}
	if (pltrelsz)
		__builtin_trap();
	if (relsz && rel_apply(base, (const uintptr_t *)(base + rel), relsz, relent, R_RELATIVE, 0))
		__builtin_trap();
	if (relasz &&
	    rel_apply(base, (const uintptr_t *)(base + rela), relasz, relaent, R_RELATIVE, 1))
		__builtin_trap();
	if (relrsz) {
		if (relrent != sizeof(uintptr_t))
			__builtin_trap();
		relr_apply(base, (const uintptr_t *)(base + relr), relrsz);
	}

	/* The call goes through a pointer the compiler cannot see through, so that it neither
	 * inlines start_libc nor moves any of its loads above the relocation. */
	void (*next)(uintptr_t *) = start_libc;
	__asm__ volatile("" : "+r"(next) : : "memory");
	next(sp);
	__builtin_trap();
}
