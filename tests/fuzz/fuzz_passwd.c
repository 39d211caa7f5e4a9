/* fuzz_passwd: libFuzzer entry for the /etc/passwd reader `list` uses for OWNER
 * (core/sys/passwd.c passwd_name). The first 4 bytes are the uid, the rest the file.
 * Checks: a name found is non-empty, has no ':' or '\n' and starts a line of the text.
 * fuzz-src: core/sys/passwd.c core/buf.c core/fmt.c core/err.c
 * fuzz-corpus: tests/data/passwd */
#include "sys/passwd.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	unsigned uid;
	char *name;

	if (size < 4)
		return 0;
	memcpy(&uid, data, 4);
	uid %= 70000;
	name = passwd_name((const char *)data + 4, size - 4, uid);
	if (name && (!*name || strpbrk(name, ":\n") ||
		     !memmem(data + 4, size - 4, name, strlen(name))))
		abort();
	free(name);
	return 0;
}
