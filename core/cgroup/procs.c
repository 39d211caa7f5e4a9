/* cgroup/procs: the pids of a container's cgroup (recursive) and killing them all. */
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

/* ---- pids, kill, remove ---- */

static int collect_pids(const char *dir, int top, pid_t **pids, size_t *n, struct err *e)
{
	char *procs = cg_read(dir, "cgroup.procs", e), *l, *tok;
	DIR *d;
	struct dirent *de;

	if (!procs)
		return (e->no == ENOENT || e->no == ENODEV) ? 0 : -1;
	for (l = procs; (tok = strsep(&l, "\n")) != NULL;) {
		int v;
		if (!*tok)
			continue;
		if (parse_int(tok, &v) < 0 || v <= 0) {
			err_set(e, EINVAL, "cgroup: bad pid \"%s\" in %s/cgroup.procs", tok, dir);
			free(procs);
			return -1;
		}
		*pids = xrealloc(*pids, (*n + 1) * sizeof **pids);
		(*pids)[(*n)++] = v;
	}
	free(procs);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : err_sys(e, "cgroup: opendir %s", dir);
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *sub;
		int isdir;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		isdir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN)
			isdir = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				S_ISDIR(st.st_mode);
		if (!isdir)
			continue;
		sub = fmt_alloc("%s/%s", dir, de->d_name);
		if (collect_pids(sub, 0, pids, n, e) < 0) {
			free(sub);
			closedir(d);
			return -1;
		}
		free(sub);
	}
	closedir(d);
	(void)top;
	return 0;
}

static const char *pids_dir(const struct cgroup_paths *p)
{
	static const char *const pref[] = { "devices", "freezer", "pids", "memory" };
	size_t i;
	for (i = 0; i < sizeof pref / sizeof pref[0]; i++)
		if (cgroup_paths_get(p, pref[i]))
			return cgroup_paths_get(p, pref[i]);
	for (i = 0; i < p->n; i++)
		if (p->v[i].key[0])
			return p->v[i].dir;
	return cgroup_paths_get(p, "");
}

int cgroup_pids(const struct cgroup_paths *p, pid_t **pids, size_t *n, struct err *e)
{
	const char *dir = pids_dir(p);

	*pids = NULL;
	*n = 0;
	if (!dir)
		return 0;
	if (collect_pids(dir, 1, pids, n, e) < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int cgroup_kill_all(const struct cgroup_paths *p, int timeout_ms, struct err *e)
{
	const char *u = cgroup_paths_get(p, "");
	long long deadline = cg_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct err e2;
	pid_t *pids = NULL;
	size_t n = 0, i;
	int froze;

	/* Nothing left, the usual case once the init has exited: no freeze and thaw (each a
	 * write and a state poll per hierarchy). With no process, none can fork either. */
	if (cgroup_pids(p, &pids, &n, e) < 0)
		return -1;
	free(pids);
	pids = NULL;
	if (!n)
		return 0;
	if (u && cg_exists(u, "cgroup.kill"))
		cg_write(u, "cgroup.kill", "1", &e2);
	froze = cgroup_freezer_dir(p) && cgroup_freeze(p, &e2) == 0;
	if (cgroup_pids(p, &pids, &n, e) < 0) {
		if (froze)
			cgroup_thaw(p, &e2);
		return -1;
	}
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	free(pids);
	if (froze && cgroup_thaw(p, e) < 0)
		return -1;
	for (long us = 100;; us = us < 20000 ? us * 2 : us) {
		if (cgroup_pids(p, &pids, &n, e) < 0)
			return -1;
		for (i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		free(pids);
		if (!n)
			return 0;
		if (cg_now_ms() >= deadline)
			return err_set(e, ETIMEDOUT, "cgroup: %zu processes still in %s", n,
				       pids_dir(p));
		cg_sleep_us(us);
	}
}

