/* cgroup: layout detection, runc 1.1.5 path derivation, create/resources/enter, freezer,
 * pids, kill, remove and the CRIU cg_root/ext_mnt lists (see cgroup.h). */
#include "cgroup.h"
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
#include <time.h>
#include <unistd.h>

/* ---- small helpers ---- */

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 if the comma-separated list contains name exactly. */
static int list_has(const char *list, const char *name)
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

static size_t list_count(const char *list)
{
	size_t n = *list ? 1 : 0;
	for (; *list; list++)
		n += *list == ',';
	return n;
}

/* Same set of names in both comma-separated lists. */
static int list_same(const char *a, const char *b)
{
	const char *p = a;

	if (list_count(a) != list_count(b))
		return 0;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		char *one = xstrndup(p, l);
		int ok = list_has(b, one);
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
static const char *strip_root(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (!root[0] || !strcmp(root, "/"))
		return path;
	if (!strncmp(path, root, n) && (path[n] == '/' || !path[n]))
		return path[n] ? path + n : "/";
	return path;
}

static char *join3(const char *a, const char *b, const char *c)
{
	char *t = fs_join(a, b), *r = fs_join(t, c);
	free(t);
	return r;
}

static char *dirname_of(const char *path)
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
static char *read_knob(const char *dir, const char *file, struct err *e)
{
	char *path = fmt_alloc("%s/%s", dir, file), *s;
	s = fs_read_str(path, 1 << 20, e);
	free(path);
	return s ? trim(s) : NULL;
}

static int write_knob(const char *dir, const char *file, const char *val, struct err *e)
{
	char *path = fmt_alloc("%s/%s", dir, file);
	int r = fs_write_str(path, val, e);
	free(path);
	if (r < 0)
		return err_wrap(e, "failed to write \"%s\"", val);
	return 0;
}

static int write_knob_i64(const char *dir, const char *file, int64_t v, struct err *e)
{
	char num[24];
	num[fmt_i64(num, v)] = 0;
	return write_knob(dir, file, num, e);
}

static int knob_exists(const char *dir, const char *file)
{
	char *path = fmt_alloc("%s/%s", dir, file);
	int r = access(path, F_OK) == 0;
	free(path);
	return r;
}

/* ---- layout ---- */

static const char *const known_ctrls[] = {
	"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio",
	"blkio", "perf_event", "hugetlb", "pids", "rdma", "misc", "debug",
};

static int is_ctrl_opt(const char *o, size_t n)
{
	size_t i;
	if (n > 5 && !memcmp(o, "name=", 5))
		return 1;
	for (i = 0; i < sizeof known_ctrls / sizeof known_ctrls[0]; i++)
		if (strlen(known_ctrls[i]) == n && !memcmp(o, known_ctrls[i], n))
			return 1;
	return 0;
}

/* mountinfo field unescape (\040 and friends), heap result. */
static char *unescape(const char *s, size_t n)
{
	char *o = xmalloc(n + 1);
	size_t i, w = 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			o[w++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			o[w++] = s[i];
		}
	}
	o[w] = 0;
	return o;
}

void cgroup_layout_free(struct cgroup_layout *l)
{
	size_t i;
	for (i = 0; i < l->nv1; i++) {
		free(l->v1[i].mountpoint);
		free(l->v1[i].root);
		free(l->v1[i].controllers);
	}
	free(l->v1);
	free(l->unified);
	free(l->unified_root);
	memset(l, 0, sizeof *l);
}

int cgroup_layout_parse(struct cgroup_layout *l, const char *mi, struct err *e)
{
	const char *line = mi;
	int has_v1_ctrl = 0;

	memset(l, 0, sizeof *l);
	while (*line) {
		const char *end = strchr(line, '\n'), *f[64], *p;
		size_t fl[64], nf = 0, dash, i;

		if (!end)
			end = line + strlen(line);
		for (p = line; p < end && nf < 64;) {
			while (p < end && *p == ' ')
				p++;
			if (p >= end)
				break;
			f[nf] = p;
			while (p < end && *p != ' ')
				p++;
			fl[nf] = (size_t)(p - f[nf]);
			nf++;
		}
		line = *end ? end + 1 : end;
		for (dash = 6; dash < nf; dash++)
			if (fl[dash] == 1 && f[dash][0] == '-')
				break;
		if (nf < 7 || dash + 3 >= nf)
			continue;
		if (fl[dash + 1] == 7 && !memcmp(f[dash + 1], "cgroup2", 7)) {
			if (!l->unified) {
				l->unified = unescape(f[4], fl[4]);
				l->unified_root = unescape(f[3], fl[3]);
			}
			continue;
		}
		if (!(fl[dash + 1] == 6 && !memcmp(f[dash + 1], "cgroup", 6)))
			continue;
		{
			struct buf c = BUF_INIT;
			const char *o = f[dash + 3], *oe = o + fl[dash + 3];
			int dup = 0;
			while (o < oe) {
				const char *q = memchr(o, ',', (size_t)(oe - o));
				size_t n = q ? (size_t)(q - o) : (size_t)(oe - o);
				if (is_ctrl_opt(o, n)) {
					if (c.len)
						buf_addc(&c, ',');
					buf_add(&c, o, n);
				}
				o += n + (q ? 1 : 0);
				if (!q)
					break;
			}
			if (!c.len) {
				buf_free(&c);
				continue;
			}
			for (i = 0; i < l->nv1; i++)
				if (list_same(l->v1[i].controllers, c.p))
					dup = 1;
			if (dup) {
				buf_free(&c);
				continue;
			}
			l->v1 = xrealloc(l->v1, (l->nv1 + 1) * sizeof *l->v1);
			l->v1[l->nv1].mountpoint = unescape(f[4], fl[4]);
			l->v1[l->nv1].root = unescape(f[3], fl[3]);
			l->v1[l->nv1].controllers = buf_take(&c);
			for (o = l->v1[l->nv1].controllers; *o;) {
				const char *q = strchr(o, ',');
				size_t n = q ? (size_t)(q - o) : strlen(o);
				if (!(n > 5 && !memcmp(o, "name=", 5)))
					has_v1_ctrl = 1;
				if (!q)
					break;
				o = q + 1;
			}
			l->nv1++;
		}
	}
	if (!l->unified && !l->nv1)
		return err_set(e, ENOENT, "no cgroup mount found in mountinfo");
	l->mode = !l->unified ? CGROUP_V1 : has_v1_ctrl ? CGROUP_HYBRID : CGROUP_V2;
	return 0;
}

int cgroup_layout(struct cgroup_layout *l, struct err *e)
{
	struct buf b = BUF_INIT;
	int r;

	memset(l, 0, sizeof *l);
	if (fs_read_file("/proc/self/mountinfo", 16 << 20, &b, e) < 0)
		return -1;
	r = cgroup_layout_parse(l, b.p, e);
	buf_free(&b);
	return r;
}

const struct cgroup_hier *cgroup_layout_find(const struct cgroup_layout *l, const char *ctrl)
{
	size_t i;
	for (i = 0; i < l->nv1; i++)
		if (list_has(l->v1[i].controllers, ctrl))
			return &l->v1[i];
	return NULL;
}

/* ---- /proc/<pid>/cgroup ---- */

void cgroup_self_free(struct cgroup_self *s)
{
	size_t i;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].controllers);
		free(s->v[i].path);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int cgroup_self_parse(struct cgroup_self *s, const char *text, struct err *e)
{
	const char *line = text;

	s->v = NULL;
	s->n = 0;
	while (*line) {
		const char *end = strchr(line, '\n'), *c1, *c2;
		char *idstr;
		int id;

		if (!end)
			end = line + strlen(line);
		if (end == line) {
			line++;
			continue;
		}
		c1 = memchr(line, ':', (size_t)(end - line));
		c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
		idstr = c1 ? xstrndup(line, (size_t)(c1 - line)) : NULL;
		if (!c2 || parse_int(idstr, &id) < 0) {
			free(idstr);
			cgroup_self_free(s);
			return err_set(e, EINVAL, "bad cgroup line \"%.*s\"", (int)(end - line), line);
		}
		free(idstr);
		s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
		s->v[s->n].id = id;
		s->v[s->n].controllers = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
		s->v[s->n].path = xstrndup(c2 + 1, (size_t)(end - c2 - 1));
		s->n++;
		line = *end ? end + 1 : end;
	}
	return 0;
}

int cgroup_self_paths(pid_t pid, struct cgroup_self *s, struct err *e)
{
	char path[64];
	struct buf b = BUF_INIT;
	int r;

	s->v = NULL;
	s->n = 0;
	if (pid > 0)
		fmt_sn(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	else
		fmt_sn(path, sizeof path, "/proc/self/cgroup");
	if (fs_read_file(path, 1 << 20, &b, e) < 0)
		return -1;
	r = cgroup_self_parse(s, b.p, e);
	if (r < 0)
		err_wrap(e, "%s", path);
	buf_free(&b);
	return r;
}

const char *cgroup_self_find(const struct cgroup_self *s, const char *ctrl)
{
	size_t i;
	for (i = 0; i < s->n; i++) {
		if (!*ctrl ? (!s->v[i].controllers[0] && s->v[i].id == 0)
			   : list_has(s->v[i].controllers, ctrl))
			return s->v[i].path;
	}
	return NULL;
}

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
static size_t first_with_dir(const struct cgroup_paths *p, size_t i)
{
	size_t j;
	for (j = 0; j < i; j++)
		if (!strcmp(p->v[j].dir, p->v[i].dir))
			return j;
	return i;
}

static int pure_v2(const struct cgroup_paths *p)
{
	return p->n == 1 && !p->v[0].key[0];
}

const char *cgroup_ctrl_dir(const struct cgroup_paths *p, const char *ctrl)
{
	if (cgroup_paths_get(p, ctrl))
		return ctrl;
	if (pure_v2(p))
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
			dir = join3(h->mountpoint, strip_root(mine, h->root), inner);
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
				const char *rel = strip_root(mine, l->unified_root);
				char *parent = l->mode == CGROUP_V2 ? dirname_of(rel) : xstrdup(rel);
				dir = join3(l->unified, parent, inner);
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

/* ---- create ---- */

/* v1 cpuset: fill an empty cpuset.cpus / cpuset.mems of dir from its parent. */
static int cpuset_seed(const char *dir, struct err *e)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char *parent = dirname_of(dir);
	size_t i;
	int rc = 0;

	for (i = 0; i < 2 && rc == 0; i++) {
		char *v = read_knob(dir, files[i], e), *pv;
		if (!v) {
			rc = -1;
			break;
		}
		if (*v) {
			free(v);
			continue;
		}
		free(v);
		pv = read_knob(parent, files[i], e);
		if (!pv) {
			rc = -1;
			break;
		}
		if (*pv)
			rc = write_knob(dir, files[i], pv, e);
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
	char *avail = read_knob(dir, "cgroup.controllers", &e), *p, *tok;

	if (!avail)
		return;
	for (p = avail; (tok = strsep(&p, " ")) != NULL;) {
		char *w;
		if (!*tok)
			continue;
		w = fmt_alloc("+%s", tok);
		write_knob(dir, "cgroup.subtree_control", w, &e);
		free(w);
	}
	free(avail);
}

/* The mount point above an existing path (the hierarchy root). */
static char *mount_root_of(const char *path, struct err *e)
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
		up = dirname_of(cur);
		free(cur);
		cur = up;
	}
}

static int create_one(struct cgroup_path *cp, int v2_enable, struct err *e)
{
	char *root = mount_root_of(cp->dir, e), *p;
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
			char *parent = dirname_of(p);
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
	int v2 = pure_v2(p);
	size_t i;

	for (i = 0; i < p->n; i++) {
		size_t f = first_with_dir(p, i);
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

/* ---- resources ---- */

static int apply_v1_memory(const char *dir, const struct spec_resources *r, struct err *e)
{
	int64_t mem = r->has_mem_limit ? r->mem_limit : 0;
	int64_t swap = r->has_mem_swap ? r->mem_swap : 0;
	int has_memsw = knob_exists(dir, "memory.memsw.limit_in_bytes");

	if (mem == -1 && swap == 0 && has_memsw)
		swap = -1;
	if (!has_memsw)
		swap = 0;
	if (mem != 0 && swap != 0) {
		/* Order the two writes so the kernel's memsw >= mem check holds in between. */
		char *cur = read_knob(dir, "memory.limit_in_bytes", e);
		uint64_t c = 0;
		if (!cur)
			return -1;
		parse_u64(cur, &c);
		free(cur);
		if (swap == -1 || c < (uint64_t)swap) {
			if (write_knob_i64(dir, "memory.memsw.limit_in_bytes", swap, e) < 0 ||
			    write_knob_i64(dir, "memory.limit_in_bytes", mem, e) < 0)
				return -1;
			goto reservation;
		}
	}
	if (mem != 0 && write_knob_i64(dir, "memory.limit_in_bytes", mem, e) < 0)
		return -1;
	if (swap != 0 && write_knob_i64(dir, "memory.memsw.limit_in_bytes", swap, e) < 0)
		return -1;
reservation:
	if (r->has_mem_reservation && r->mem_reservation != 0 &&
	    write_knob_i64(dir, "memory.soft_limit_in_bytes", r->mem_reservation, e) < 0)
		return -1;
	return 0;
}

/* v2 value: 0 -> not set (NULL), -1 -> "max", else the number. */
static const char *v2_num(int64_t v, char num[24])
{
	if (v == 0)
		return NULL;
	if (v == -1)
		return "max";
	num[fmt_i64(num, v)] = 0;
	return num;
}

static int apply_v2_memory(const char *dir, const struct spec_resources *r, struct err *e)
{
	int64_t mem = r->has_mem_limit ? r->mem_limit : 0;
	int64_t swap = r->has_mem_swap ? r->mem_swap : 0;
	char num[24];
	const char *s;

	if (mem == -1 && swap == 0) {
		swap = -1;
	} else if (swap != -1 && swap != 0) {
		if (mem == 0 || mem == -1)
			return err_set(e, EINVAL, "unable to set swap limit without memory limit");
		if (mem < 0)
			return err_set(e, EINVAL, "invalid memory value: %lld", (long long)mem);
		if (swap < mem)
			return err_set(e, EINVAL, "memory+swap limit should be >= memory limit");
		swap -= mem;
		if (swap == 0)
			swap = -2;   /* a real 0 (no swap), see below */
	}
	if (swap != 0 && knob_exists(dir, "memory.swap.max")) {
		s = swap == -2 ? "0" : v2_num(swap, num);
		if (write_knob(dir, "memory.swap.max", s, e) < 0)
			return -1;
	}
	if ((s = v2_num(mem, num)) && write_knob(dir, "memory.max", s, e) < 0)
		return -1;
	if (r->has_mem_reservation && (s = v2_num(r->mem_reservation, num)) &&
	    write_knob(dir, "memory.low", s, e) < 0)
		return -1;
	return 0;
}

static int apply_cpu(const char *dir, int v2, const struct spec_resources *r, struct err *e)
{
	uint64_t shares = r->has_cpu_shares ? r->cpu_shares : 0;
	int64_t quota = r->has_cpu_quota ? r->cpu_quota : 0;
	uint64_t period = r->has_cpu_period ? r->cpu_period : 0;
	char num[48];
	size_t n;

	if (!v2) {
		if (shares && write_knob_i64(dir, "cpu.shares", (int64_t)shares, e) < 0)
			return -1;
		if (period) {
			if (write_knob_i64(dir, "cpu.cfs_period_us", (int64_t)period, e) < 0) {
				/* A period below the current quota is refused: quota first. */
				if (e->no != EINVAL || !quota)
					return -1;
				if (write_knob_i64(dir, "cpu.cfs_quota_us", quota, e) < 0 ||
				    write_knob_i64(dir, "cpu.cfs_period_us", (int64_t)period, e) < 0)
					return -1;
				return 0;
			}
		}
		if (quota && write_knob_i64(dir, "cpu.cfs_quota_us", quota, e) < 0)
			return -1;
		return 0;
	}
	if (shares) {
		uint64_t w = shares < 2 ? 1 : 1 + ((shares - 2) * 9999) / 262142;
		if (w > 10000)
			w = 10000;
		if (write_knob_i64(dir, "cpu.weight", (int64_t)w, e) < 0)
			return -1;
	}
	if (quota || period) {
		if (quota > 0)
			n = fmt_i64(num, quota);
		else
			n = (size_t)(memcpy(num, "max", 3), 3);
		if (period) {
			num[n++] = ' ';
			n += fmt_u64(num + n, period);
		}
		num[n] = 0;
		if (write_knob(dir, "cpu.max", num, e) < 0)
			return -1;
	}
	return 0;
}

int cgroup_apply_resources(const struct cgroup_paths *p, const struct spec_resources *r,
			   struct err *e)
{
	const char *k;

	if ((k = cgroup_ctrl_dir(p, "pids")) && r->has_pids_limit && r->pids_limit != 0) {
		const char *dir = cgroup_paths_get(p, k);
		int rc = r->pids_limit > 0 ? write_knob_i64(dir, "pids.max", r->pids_limit, e)
					   : write_knob(dir, "pids.max", "max", e);
		if (rc < 0)
			return -1;
	}
	if ((k = cgroup_ctrl_dir(p, "memory"))) {
		const char *dir = cgroup_paths_get(p, k);
		if ((*k ? apply_v1_memory(dir, r, e) : apply_v2_memory(dir, r, e)) < 0)
			return -1;
	}
	if ((k = cgroup_ctrl_dir(p, "cpu")) &&
	    apply_cpu(cgroup_paths_get(p, k), !*k, r, e) < 0)
		return -1;
	if ((k = cgroup_ctrl_dir(p, "cpuset"))) {
		const char *dir = cgroup_paths_get(p, k);
		if (r->cpu_cpus && *r->cpu_cpus && write_knob(dir, "cpuset.cpus", r->cpu_cpus, e) < 0)
			return -1;
		if (r->cpu_mems && *r->cpu_mems && write_knob(dir, "cpuset.mems", r->cpu_mems, e) < 0)
			return -1;
	}
	return 0;
}

int cgroup_enter(const struct cgroup_paths *p, pid_t pid, struct err *e)
{
	size_t i;
	for (i = 0; i < p->n; i++) {
		if (first_with_dir(p, i) != i)
			continue;
		if (write_knob_i64(p->v[i].dir, "cgroup.procs", pid, e) < 0)
			return err_wrap(e, "cgroup: join %s", p->v[i].dir);
	}
	return 0;
}

/* ---- freezer ---- */

const char *cgroup_freezer_dir(const struct cgroup_paths *p)
{
	const char *k = cgroup_ctrl_dir(p, "freezer");
	if (!k && cgroup_paths_get(p, ""))
		k = "";
	return k ? cgroup_paths_get(p, k) : NULL;
}

/* 1 if dir/cgroup.events says "frozen <want>". */
static int v2_events_frozen(const char *dir, int want, struct err *e)
{
	char *ev = read_knob(dir, "cgroup.events", e), *l;
	int r = 0;
	if (!ev)
		return -1;
	for (l = ev; l && *l;) {
		if (!strncmp(l, "frozen ", 7)) {
			r = (l[7] - '0') == want;
			break;
		}
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	free(ev);
	return r;
}

static int v2_set_freeze(const char *dir, int on, struct err *e)
{
	long long deadline = now_ms() + 2000;
	long us = 100;

	if (write_knob(dir, "cgroup.freeze", on ? "1" : "0", e) < 0)
		return -1;
	for (;;) {
		int r = v2_events_frozen(dir, on, e);
		if (r < 0)
			return -1;
		if (r)
			return 0;
		if (now_ms() > deadline)
			break;
		sleep_us(us);
		if (us < 10000)
			us *= 2;
	}
	if (on) {
		struct err e2;
		write_knob(dir, "cgroup.freeze", "0", &e2);
		return err_set(e, EBUSY, "cgroup: unable to freeze %s", dir);
	}
	return err_set(e, EBUSY, "cgroup: unable to thaw %s", dir);
}

static int is_v1_freezer(const struct cgroup_paths *p)
{
	return cgroup_paths_get(p, "freezer") != NULL;
}

int cgroup_freeze(const struct cgroup_paths *p, struct err *e)
{
	const char *dir = cgroup_freezer_dir(p);
	struct err e2;
	int i;

	if (!dir)
		return err_set(e, ENOTSUP, "cgroup: no freezer available");
	if (!is_v1_freezer(p))
		return v2_set_freeze(dir, 1, e);
	/* v1 can stay FREEZING while tasks keep forking: rewrite FROZEN and poll, with an
	 * occasional thaw to let a fork storm settle; give up after about two seconds. */
	for (i = 0; i < 1000; i++) {
		char *st;
		if (i % 100 == 99) {
			write_knob(dir, "freezer.state", "THAWED", &e2);
			sleep_us(10000);
		}
		if (write_knob(dir, "freezer.state", "FROZEN", e) < 0)
			return -1;
		st = read_knob(dir, "freezer.state", e);
		if (!st)
			return -1;
		if (!strcmp(st, "FROZEN")) {
			free(st);
			return 0;
		}
		if (strcmp(st, "FREEZING")) {
			err_set(e, EINVAL, "cgroup: unexpected freezer state \"%s\" in %s", st, dir);
			free(st);
			return -1;
		}
		free(st);
		sleep_us(i < 20 ? 100 : 1000);
	}
	write_knob(dir, "freezer.state", "THAWED", &e2);
	return err_set(e, EBUSY, "cgroup: unable to freeze %s", dir);
}

int cgroup_thaw(const struct cgroup_paths *p, struct err *e)
{
	const char *dir = cgroup_freezer_dir(p);
	int i;

	if (!dir)
		return err_set(e, ENOTSUP, "cgroup: no freezer available");
	if (!is_v1_freezer(p))
		return v2_set_freeze(dir, 0, e);
	for (i = 0; i < 1000; i++) {
		char *st;
		if (write_knob(dir, "freezer.state", "THAWED", e) < 0)
			return -1;
		st = read_knob(dir, "freezer.state", e);
		if (!st)
			return -1;
		if (!strcmp(st, "THAWED")) {
			free(st);
			return 0;
		}
		free(st);
		sleep_us(1000);
	}
	return err_set(e, EBUSY, "cgroup: unable to thaw %s", dir);
}

int cgroup_frozen(const struct cgroup_paths *p, struct err *e)
{
	const char *dir = cgroup_freezer_dir(p);
	char *st;
	int i;

	if (!dir)
		return 0;
	if (!is_v1_freezer(p)) {
		st = read_knob(dir, "cgroup.freeze", e);
		if (!st)
			return e->no == ENOENT ? 0 : -1;
		i = !strcmp(st, "1");
		free(st);
		return i;
	}
	for (i = 0; i < 2000; i++) {
		st = read_knob(dir, "freezer.state", e);
		if (!st)
			return e->no == ENOENT ? 0 : -1;
		if (!strcmp(st, "THAWED")) {
			free(st);
			return 0;
		}
		if (!strcmp(st, "FROZEN")) {
			char *self = read_knob(dir, "freezer.self_freezing", e);
			free(st);
			if (!self)
				return 1;   /* old kernels: no self_freezing, count as frozen */
			i = strcmp(self, "0") != 0;
			free(self);
			return i;
		}
		if (strcmp(st, "FREEZING")) {
			err_set(e, EINVAL, "cgroup: unknown freezer state \"%s\" in %s", st, dir);
			free(st);
			return -1;
		}
		free(st);
		sleep_us(1000);
	}
	return 0;
}

/* ---- pids, kill, remove ---- */

static int collect_pids(const char *dir, int top, pid_t **pids, size_t *n, struct err *e)
{
	char *procs = read_knob(dir, "cgroup.procs", e), *l, *tok;
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
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct err e2;
	pid_t *pids = NULL;
	size_t n = 0, i;
	int froze;

	if (u && knob_exists(u, "cgroup.kill"))
		write_knob(u, "cgroup.kill", "1", &e2);
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
		if (now_ms() >= deadline)
			return err_set(e, ETIMEDOUT, "cgroup: %zu processes still in %s", n,
				       pids_dir(p));
		sleep_us(us);
	}
}

/* rmdir dir after its sub-cgroups, retrying EBUSY (tasks still exiting). */
static int rmdir_tree(const char *dir, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long us = 10000;
	int i;

	if (!d)
		return errno == ENOENT ? 0 : err_sys(e, "cgroup: opendir %s", dir);
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *sub;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
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
		sleep_us(us);
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

		if (first_with_dir(p, i) != i)
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
			if (own->v[j].controllers[0] && list_same(own->v[j].controllers, h->controllers))
				mine = own->v[j].path;
		if (!mine) {
			free(key);
			cgroup_kvs_free(out);
			return err_set(e, ENOENT, "cgroup: own cgroup for hierarchy %s not found",
				       h->controllers);
		}
		kvs_add(out, key, fs_join(h->mountpoint, strip_root(mine, h->root)));
	}
	return 0;
}
