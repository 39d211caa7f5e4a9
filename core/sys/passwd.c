/* passwd: uid -> name from /etc/passwd text (see sys/passwd.h). */
#include "sys/passwd.h"
#include "buf.h"
#include "fmt.h"
#include <string.h>

char *passwd_name(const char *text, size_t len, unsigned uid)
{
	const char *p = text, *end = text + len;
	char num[16];
	size_t nl;

	nl = fmt_sn(num, sizeof num, "%u", uid);
	while (p && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *c1, *c2, *c3;
		size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p);
		c1 = memchr(p, ':', l);
		c2 = c1 ? memchr(c1 + 1, ':', l - (size_t)(c1 + 1 - p)) : NULL;
		c3 = c2 ? memchr(c2 + 1, ':', l - (size_t)(c2 + 1 - p)) : NULL;
		if (c3 && (size_t)(c3 - c2 - 1) == nl && !memcmp(c2 + 1, num, nl) && c1 > p &&
		    p[0] != '+' && p[0] != '-' && p[0] != '#' && !memchr(p, 0, (size_t)(c1 - p)))
			return xstrndup(p, (size_t)(c1 - p));
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}
