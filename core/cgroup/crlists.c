/* cgroup/crlists: the CRIU request lists restore and checkpoint send (cg_root, v1 ext_mnt). */
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

/* ---- CRIU lists ---- */

void cgroup_kvs_free(struct cgroup_kvs *k)
{
	size_t i;
	for (i = 0; i < k->n; i++) {
		free(k->v[i].key);
		free(k->v[i].val);
	}
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

static void kvs_add(struct cgroup_kvs *k, char *key, char *val)
{
	k->v = xrealloc(k->v, (k->n + 1) * sizeof *k->v);
	k->v[k->n].key = key;
	k->v[k->n].val = val;
	k->n++;
}

void cgroup_cg_roots(const struct cgroup_self *s, struct cgroup_kvs *out)
{
	size_t i;

	out->v = NULL;
	out->n = 0;
	for (i = 0; i < s->n; i++) {
		const char *p = s->v[i].controllers;
		if (!*p) {
			kvs_add(out, xstrdup(""), xstrdup(s->v[i].path));
			continue;
		}
		for (;;) {
			const char *c = strchr(p, ',');
			size_t n = c ? (size_t)(c - p) : strlen(p);
			if (n)
				kvs_add(out, xstrndup(p, n), xstrdup(s->v[i].path));
			if (!c)
				break;
			p = c + 1;
		}
	}
}

int cgroup_v1_ext_mounts(const struct cgroup_layout *l, const struct cgroup_self *own,
			 const char *dest, struct cgroup_kvs *out, struct err *e)
{
	size_t i, j;

	out->v = NULL;
	out->n = 0;
	for (i = 0; i < l->nv1; i++) {
		const struct cgroup_hier *h = &l->v1[i];
		const char *base = strrchr(h->mountpoint, '/');
		const char *mine = NULL;
		char *key = fs_join(dest, base ? base + 1 : h->mountpoint);

		if (!own) {
			kvs_add(out, key, xstrdup(key));
			continue;
		}
		for (j = 0; j < own->n && !mine; j++)
			if (own->v[j].controllers[0] && cg_list_same(own->v[j].controllers, h->controllers))
				mine = own->v[j].path;
		if (!mine) {
			free(key);
			cgroup_kvs_free(out);
			return err_set(e, ENOENT, "cgroup: own cgroup for hierarchy %s not found",
				       h->controllers);
		}
		kvs_add(out, key, fs_join(h->mountpoint, cg_strip_root(mine, h->root)));
	}
	return 0;
}
