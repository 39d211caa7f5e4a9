/* execve: what the container init needs to exec the user process (see execve.h). */
#include "process/execve.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The home directory of uid from the container's /etc/passwd, "/" when unknown. */
char *exec_home_of(uint32_t uid)
{
	struct buf b = BUF_INIT;
	struct err e;
	char *home = NULL, *p, *line;

	if (fs_read_file("/etc/passwd", 1 << 20, &b, &e) == 0 && b.p) {
		p = b.p;
		while (!home && (line = strsep(&p, "\n"))) {
			char *fld[7], *q = line;
			int n = 0;
			while (n < 7 && (fld[n] = strsep(&q, ":")))
				n++;
			if (n >= 6 && fld[2][0] && (uint32_t)atol(fld[2]) == uid)
				home = xstrdup(fld[5]);
		}
	}
	buf_free(&b);
	return home ? home : xstrdup("/");
}

const char *exec_env_get(char **env, const char *key)
{
	size_t n = strlen(key);
	for (; *env; env++)
		if (!strncmp(*env, key, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* Go's exec.LookPath with the container's PATH; the error texts are Go's. */
char *exec_look_path(const char *file, const char *path, struct err *e)
{
	struct stat sb;
	if (strchr(file, '/')) {
		if (stat(file, &sb) < 0)
			return err_sys(e, "exec: \"%s\": stat %s", file, file), NULL;
		if (S_ISDIR(sb.st_mode) || !(sb.st_mode & 0111))
			return err_set(e, EACCES, "exec: \"%s\": permission denied", file), NULL;
		return xstrdup(file);
	}
	while (path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		char *cand = n ? fmt_alloc("%.*s/%s", (int)n, path, file) : fmt_alloc("./%s", file);
		if (stat(cand, &sb) == 0 && !S_ISDIR(sb.st_mode) && (sb.st_mode & 0111))
			return cand;
		free(cand);
		path = end ? end + 1 : NULL;
	}
	err_set(e, ENOENT, "exec: \"%s\": executable file not found in $PATH", file);
	return NULL;
}

