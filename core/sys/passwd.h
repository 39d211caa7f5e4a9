/* passwd: the user name of a uid from /etc/passwd text, as Go's os/user (pure Go lookup)
 * reads it: the first "name:x:uid:..." line whose uid field is exactly the number; lines
 * starting with '+', '-' or '#' and lines with an empty name are skipped. */
#ifndef CRBOX_SYS_PASSWD_H
#define CRBOX_SYS_PASSWD_H
#include <stddef.h>

/* The name for uid in text[0..len) as a heap string, or NULL when no line matches. */
char *passwd_name(const char *text, size_t len, unsigned uid);

#endif
