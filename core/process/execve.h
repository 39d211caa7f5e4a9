/* execve: the user process's executable and environment, inside the container (after the
 * pivot): args[0] resolved like Go's exec.LookPath with the container's PATH (runc's error
 * texts), HOME from the container's /etc/passwd. */
#ifndef CRBOX_PROCESS_EXECVE_H
#define CRBOX_PROCESS_EXECVE_H
#include <stdint.h>
#include "err.h"

/* The home directory of uid in /etc/passwd, "/" when unknown. Heap. */
char *exec_home_of(uint32_t uid);
/* The value of key in a NULL-terminated "K=V" list, or NULL. */
const char *exec_env_get(char **env, const char *key);
/* file with a '/': itself if it is an executable non-directory, else
 * 'exec: "<file>": permission denied' or 'exec: "<file>": stat <file>: <cause>'; without:
 * the first executable <dir>/<file> along path, else 'exec: "<file>": executable file not
 * found in $PATH'. Heap or NULL. */
char *exec_look_path(const char *file, const char *path, struct err *e);

#endif
