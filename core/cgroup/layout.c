/* cgroup/layout: the host's cgroup mounts from mountinfo and a process's cgroups from
 * /proc/<pid>/cgroup (pure parsers plus the two readers). */
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
			/* Only where runc looks (unified or hybrid host): a cgroup2 mounted
			 * elsewhere (a CRIU cgroup yard, a test's scratch mount) is not the
			 * host's hierarchy. */
			int std = (fl[4] == 14 && !memcmp(f[4], "/sys/fs/cgroup", 14)) ||
				  (fl[4] == 22 && !memcmp(f[4], "/sys/fs/cgroup/unified", 22));
			if (!l->unified && std) {
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
				if (cg_list_same(l->v1[i].controllers, c.p))
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
		if (cg_list_has(l->v1[i].controllers, ctrl))
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
			   : cg_list_has(s->v[i].controllers, ctrl))
			return s->v[i].path;
	}
	return NULL;
}
