/* cgroup/knob: the room's small helpers: knob files, comma lists, paths, sleeping. */
#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

/* ---- small helpers ---- */

void cg_sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

long long cg_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 if the comma-separated list contains name exactly. */
int cg_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (*p) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == n && !memcmp(p, name, n))
			return 1;
		if (!c)
			break;
		p = c + 1;
	}
	return 0;
}

size_t cg_list_count(const char *list)
{
	size_t n = *list ? 1 : 0;
	for (; *list; list++)
		n += *list == ',';
	return n;
}

/* Same set of names in both comma-separated lists. */
int cg_list_same(const char *a, const char *b)
{
	const char *p = a;

	if (cg_list_count(a) != cg_list_count(b))
		return 0;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		char *one = xstrndup(p, l);
		int ok = cg_list_has(b, one);
		free(one);
		if (!ok)
			return 0;
		if (!c)
			break;
		p = c + 1;
	}
	return 1;
}

/* path with the mount's root prefix removed ("/" if nothing is left); path as is when it
 * is not below root (another cgroup namespace view). */
const char *cg_strip_root(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (!root[0] || !strcmp(root, "/"))
		return path;
	if (!strncmp(path, root, n) && (path[n] == '/' || !path[n]))
		return path[n] ? path + n : "/";
	return path;
}

char *cg_join3(const char *a, const char *b, const char *c)
{
	char *t = fs_join(a, b), *r = fs_join(t, c);
	free(t);
	return r;
}

char *cg_dirname(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
}

/* Trims trailing whitespace in place. */
static char *trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	return s;
}

/* Reads dir/file trimmed into a heap string; NULL with err on failure. */
char *cg_read(const char *dir, const char *file, struct err *e)
{
	char *path = fmt_alloc("%s/%s", dir, file), *s;
	s = fs_read_str(path, 1 << 20, e);
	free(path);
	return s ? trim(s) : NULL;
}

int cg_write(const char *dir, const char *file, const char *val, struct err *e)
{
	char *path = fmt_alloc("%s/%s", dir, file);
	size_t len = strlen(val);
	ssize_t n;
	/* O_TRUNC: cgroupfs ignores it; a plain file (the unit tests' fake tree) needs it. */
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0) {
		err_sys(e, "open %s", path);
		free(path);
		return err_wrap(e, "failed to write \"%s\"", val);
	}
	do
		n = write(fd, val, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		if (n < 0)
			err_sys(e, "write %s", path);
		else
			err_set(e, EIO, "write %s: short write", path);
		close(fd);
		free(path);
		return err_wrap(e, "failed to write \"%s\"", val);
	}
	close(fd);
	free(path);
	return 0;
}

int cg_write_i64(const char *dir, const char *file, int64_t v, struct err *e)
{
	char num[24];
	num[fmt_i64(num, v)] = 0;
	return cg_write(dir, file, num, e);
}

int cg_exists(const char *dir, const char *file)
{
	char *path = fmt_alloc("%s/%s", dir, file);
	int r = access(path, F_OK) == 0;
	free(path);
	return r;
}

int cg_write_u64(const char *dir, const char *file, uint64_t v, struct err *e)
{
	char num[24];
	num[fmt_u64(num, v)] = 0;
	return cg_write(dir, file, num, e);
}

int cg_list_has_sp(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (*p) {
		size_t l;
		while (*p == ' ' || *p == '\n')
			p++;
		l = strcspn(p, " \n");
		if (l == n && !memcmp(p, name, n))
			return 1;
		p += l;
	}
	return 0;
}

/* The value of "key N" in a flat keyed file (cpu.stat, memory.events, ...). */
uint64_t cg_keyed(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *l = text;
	while (l && *l) {
		if (!strncmp(l, key, n) && l[n] == ' ') {
			uint64_t v = 0;
			char *end;
			v = strtoull(l + n + 1, &end, 10);
			return v;
		}
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return 0;
}
