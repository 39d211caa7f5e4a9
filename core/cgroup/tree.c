/* cgroup/tree: create the dirs (v1 cpuset seeding, v2 subtree_control), enter a pid,
 * remove the dirs. */
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

/* ---- create ---- */

/* v1 cpuset: fill an empty cpuset.cpus / cpuset.mems of dir from its parent. */
static int cpuset_seed(const char *dir, struct err *e)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char *parent = cg_dirname(dir);
	size_t i;
	int rc = 0;

	for (i = 0; i < 2 && rc == 0; i++) {
		char *v = cg_read(dir, files[i], e), *pv;
		if (!v) {
			rc = -1;
			break;
		}
		if (*v) {
			free(v);
			continue;
		}
		free(v);
		pv = cg_read(parent, files[i], e);
		if (!pv) {
			rc = -1;
			break;
		}
		if (*pv)
			rc = cg_write(dir, files[i], pv, e);
		free(pv);
	}
	free(parent);
	return rc;
}

/* v2: enable every controller dir offers in its cgroup.subtree_control, one at a time,
 * ignoring failures (as runc). */
static void v2_enable_controllers(const char *dir)
{
	struct err e;
	char *avail = cg_read(dir, "cgroup.controllers", &e), *p, *tok;

	if (!avail)
		return;
	for (p = avail; (tok = strsep(&p, " ")) != NULL;) {
		char *w;
		if (!*tok)
			continue;
		w = fmt_alloc("+%s", tok);
		cg_write(dir, "cgroup.subtree_control", w, &e);
		free(w);
	}
	free(avail);
}

/* The mount point above an existing path (the hierarchy root). */
char *cg_mount_root(const char *path, struct err *e)
{
	char *cur = xstrdup(path);

	for (;;) {
		int r = fs_is_mountpoint(cur, e);
		char *up;
		if (r < 0 && e->no != ENOENT) {
			free(cur);
			return NULL;
		}
		if (r == 1)
			return cur;
		if (!strcmp(cur, "/")) {
			free(cur);
			err_set(e, ENOENT, "cgroup: no cgroup mount above %s", path);
			return NULL;
		}
		up = cg_dirname(cur);
		free(cur);
		cur = up;
	}
}

static int create_one(struct cgroup_path *cp, int v2_enable, struct err *e)
{
	char *root = cg_mount_root(cp->dir, e), *p;
	size_t rl;
	int cpuset = !strcmp(cp->key, "cpuset"), rc = -1;

	if (!root)
		return err_wrap(e, "cgroup: create %s", cp->dir);
	rl = strlen(root);
	if (strncmp(cp->dir, root, rl) || (cp->dir[rl] != '/' && cp->dir[rl])) {
		err_set(e, EINVAL, "cgroup: %s is not below its mount %s", cp->dir, root);
		goto out;
	}
	if (!cp->dir[rl]) {
		rc = 0;   /* the hierarchy root itself: nothing to create */
		goto out;
	}
	p = xstrdup(cp->dir);
	/* Walk the components below the mount root, top-down. */
	for (char *s = p + (rl > 1 ? rl : 0) + 1; ; s++) {
		char save;
		int last;
		if (*s && *s != '/')
			continue;
		save = *s;
		*s = 0;
		last = !save || !s[1];
		if (v2_enable) {
			char *parent = cg_dirname(p);
			v2_enable_controllers(parent);
			free(parent);
		}
		if (mkdir(p, 0755) == 0) {
			if (last)
				cp->created = 1;
		} else if (errno != EEXIST) {
			err_sys(e, "cgroup: mkdir %s", p);
			free(p);
			goto out;
		}
		if (cpuset && cpuset_seed(p, e) < 0) {
			free(p);
			goto out;
		}
		if (last)
			break;
		*s = save;
	}
	free(p);
	rc = 0;
out:
	free(root);
	return rc;
}

int cgroup_create(struct cgroup_paths *p, struct err *e)
{
	int v2 = cg_pure_v2(p);
	size_t i;

	for (i = 0; i < p->n; i++) {
		size_t f = cg_first_with_dir(p, i);
		if (f != i) {
			p->v[i].created = p->v[f].created;
			continue;
		}
		if (create_one(&p->v[i], v2 && !p->v[i].key[0], e) < 0) {
			struct err e2;
			cgroup_remove(p, 1, &e2);
			return -1;
		}
	}
	return 0;
}

int cgroup_enter(const struct cgroup_paths *p, pid_t pid, struct err *e)
{
	size_t i;
	for (i = 0; i < p->n; i++) {
		if (cg_first_with_dir(p, i) != i)
			continue;
		if (cg_write_i64(p->v[i].dir, "cgroup.procs", pid, e) < 0)
			return err_wrap(e, "cgroup: join %s", p->v[i].dir);
	}
	return 0;
}

/* rmdir dir, after its sub-cgroups when it has any, retrying EBUSY (tasks still exiting).
 * A leaf, the usual case, is one rmdir; a cgroup with children refuses with EBUSY and is
 * walked then (cgroupfs fills d_type, so no stat per file). */
static int rmdir_tree(const char *dir, struct err *e)
{
	DIR *d;
	struct dirent *de;
	long us = 10000;
	int i;

	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY)
		return err_sys(e, "cgroup: remove %s", dir);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : err_sys(e, "cgroup: opendir %s", dir);
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *sub;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type != DT_DIR &&
		    (de->d_type != DT_UNKNOWN ||
		     fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		     !S_ISDIR(st.st_mode)))
			continue;
		sub = fmt_alloc("%s/%s", dir, de->d_name);
		if (rmdir_tree(sub, e) < 0) {
			free(sub);
			closedir(d);
			return -1;
		}
		free(sub);
	}
	closedir(d);
	for (i = 0;; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || i >= 6)
			return err_sys(e, "cgroup: remove %s", dir);
		cg_sleep_us(us);
		us *= 2;
	}
}

int cgroup_remove(const struct cgroup_paths *p, int only_created, struct err *e)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < p->n; i++) {
		struct err e1;
		size_t j;
		int created = 0, mnt;

		if (cg_first_with_dir(p, i) != i)
			continue;
		for (j = i; j < p->n; j++)
			if (!strcmp(p->v[j].dir, p->v[i].dir) && p->v[j].created)
				created = 1;
		if (only_created && !created)
			continue;
		mnt = fs_is_mountpoint(p->v[i].dir, &e1);
		if (mnt == 1 || (mnt < 0 && e1.no == ENOENT))
			continue;
		if (rmdir_tree(p->v[i].dir, &e1) < 0 && rc == 0) {
			*e = e1;
			rc = -1;
		}
	}
	return rc;
}

