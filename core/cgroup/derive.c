/* cgroup/derive: the container's paths map and runc 1.1.5's path derivation (pure). */
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

/* ---- the paths map ---- */

void cgroup_paths_set(struct cgroup_paths *p, const char *key, const char *dir)
{
	size_t i;
	for (i = 0; i < p->n; i++) {
		int c = strcmp(p->v[i].key, key);
		if (c == 0) {
			free(p->v[i].dir);
			p->v[i].dir = xstrdup(dir);
			p->v[i].created = 0;
			return;
		}
		if (c > 0)
			break;
	}
	p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
	memmove(p->v + i + 1, p->v + i, (p->n - i) * sizeof *p->v);
	p->v[i].key = xstrdup(key);
	p->v[i].dir = xstrdup(dir);
	p->v[i].created = 0;
	p->n++;
}

const char *cgroup_paths_get(const struct cgroup_paths *p, const char *key)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].key, key))
			return p->v[i].dir;
	return NULL;
}

void cgroup_paths_free(struct cgroup_paths *p)
{
	size_t i;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].dir);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* Index of the first entry with the same dir as entry i (i itself when it is the first). */
size_t cg_first_with_dir(const struct cgroup_paths *p, size_t i)
{
	size_t j;
	for (j = 0; j < i; j++)
		if (!strcmp(p->v[j].dir, p->v[i].dir))
			return j;
	return i;
}

int cg_pure_v2(const struct cgroup_paths *p)
{
	return p->n == 1 && !p->v[0].key[0];
}

const char *cgroup_ctrl_dir(const struct cgroup_paths *p, const char *ctrl)
{
	if (cgroup_paths_get(p, ctrl))
		return ctrl;
	if (cg_pure_v2(p))
		return "";
	return NULL;
}

/* ---- derivation ---- */

/* runc's utils.CleanPath: clean; a relative path is cleaned as if rooted, so ".." cannot
 * climb above its start, and stays relative ("." when nothing is left). */
static char *runc_clean(const char *path)
{
	char *c, *t, *r;

	if (!path || !*path)
		return xstrdup("");
	c = fs_clean(path);
	if (c[0] == '/')
		return c;
	t = fmt_alloc("/%s", c);
	free(c);
	c = fs_clean(t);
	free(t);
	r = xstrdup(strcmp(c, "/") ? c + 1 : ".");
	free(c);
	return r;
}

static const char *const runc_subsystems[] = {
	"cpuset", "devices", "memory", "cpu", "cpuacct", "pids", "blkio", "hugetlb", "net_cls",
	"net_prio", "perf_event", "freezer", "rdma", "name=systemd",
};

int cgroup_derive(const struct cgroup_layout *l, const struct cgroup_self *own,
		  const char *cgroups_path, const char *id, struct cgroup_paths *out,
		  struct err *e)
{
	char *inner = runc_clean(cgroups_path);
	size_t i;
	int abs;

	out->v = NULL;
	out->n = 0;
	if (!*inner) {
		free(inner);
		inner = runc_clean(id);
	}
	if (!*inner) {
		free(inner);
		return err_set(e, EINVAL, "cgroup: empty cgroups path and container id");
	}
	abs = inner[0] == '/';
	for (i = 0; i < sizeof runc_subsystems / sizeof runc_subsystems[0]; i++) {
		const struct cgroup_hier *h = cgroup_layout_find(l, runc_subsystems[i]);
		const char *mine;
		char *dir;

		if (!h)
			continue;
		if (abs) {
			dir = fs_join(h->mountpoint, inner);
		} else {
			mine = cgroup_self_find(own, runc_subsystems[i]);
			if (!mine) {
				cgroup_paths_free(out);
				free(inner);
				return err_set(e, ENOENT, "cgroup: own cgroup for %s not found",
					       runc_subsystems[i]);
			}
			dir = cg_join3(h->mountpoint, cg_strip_root(mine, h->root), inner);
		}
		cgroup_paths_set(out, runc_subsystems[i], dir);
		free(dir);
	}
	if (l->unified && l->mode != CGROUP_V1) {
		char *dir = NULL;
		if (abs) {
			dir = fs_join(l->unified, inner);
		} else {
			const char *mine = cgroup_self_find(own, "");
			if (mine) {
				const char *rel = cg_strip_root(mine, l->unified_root);
				char *parent = l->mode == CGROUP_V2 ? cg_dirname(rel) : xstrdup(rel);
				dir = cg_join3(l->unified, parent, inner);
				free(parent);
			} else if (l->mode == CGROUP_V2) {
				cgroup_paths_free(out);
				free(inner);
				return err_set(e, ENOENT, "cgroup: own cgroup v2 path not found");
			}
		}
		if (dir)
			cgroup_paths_set(out, "", dir);
		free(dir);
	}
	free(inner);
	return 0;
}

int cgroup_paths_for(const char *cgroups_path, const char *id, struct cgroup_paths *out,
		     struct err *e)
{
	struct cgroup_layout l;
	struct cgroup_self s = { 0, 0 };
	int r = -1;

	out->v = NULL;
	out->n = 0;
	if (cgroup_layout(&l, e) < 0)
		return -1;
	if (cgroup_self_paths(0, &s, e) == 0)
		r = cgroup_derive(&l, &s, cgroups_path, id, out, e);
	cgroup_self_free(&s);
	cgroup_layout_free(&l);
	return r;
}

