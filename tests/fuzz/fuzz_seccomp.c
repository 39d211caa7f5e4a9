/* fuzz_seccomp: libFuzzer entry for the seccomp compiler (core/seccomp). The bytes are a
 * linux.seccomp object; it is compiled for every architecture crbox has a table for, and an
 * accepted program must pass the kernel's structural checks (tests/unit/sc_interp.h) and end
 * every path in a ret (the interpreter on a few inputs).
 * fuzz-src: core/seccomp/arch.c core/seccomp/compile.c core/seccomp/gen.c core/seccomp/load.c core/seccomp/normalize.c core/seccomp/notify.c core/seccomp/profile.c core/seccomp/syscalls.c core/json.c core/jsonw.c core/buf.c core/fmt.c core/err.c
 * fuzz-corpus: tests/data/seccomp/corpus */
#include <stdlib.h>
#include <string.h>
#include "seccomp/seccomp.h"
#include "../unit/sc_interp.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct json_doc d;
	struct err e;
	char *b = malloc(size + 1);
	memcpy(b, data, size);
	b[size] = 0;
	if (json_parse(&d, "config.json", b, size, &e) == 0) {
		for (int a = 0; a < SECCOMP_ARCH_N; a++) {
			struct seccomp_prog p;
			if (seccomp_compile_arch(&d, 0, a, &p, &e) == 0 && p.len) {
				if (!sc_verify(p.insns, p.len))
					abort();
				struct sc_data in;
				memset(&in, 0, sizeof in);
				in.arch = seccomp_arch_audit(a);
				for (uint32_t nr = 0; nr < 600; nr += 7) {
					in.nr = (int32_t)nr;
					if (sc_interp(p.insns, p.len, &in) == 0xdeadbeef)
						abort();
				}
			}
			seccomp_prog_free(&p);
		}
		json_free(&d);
	}
	free(b);
	return 0;
}
