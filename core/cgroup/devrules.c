/* cgroup/devrules: runc's device rule emulator, default allow-list and v1 devices.allow/deny
 * (see devrules.h). */
#include "cgroup/devrules.h"
#include "cgroup/internal.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEF(p, t, ma, mi, pe) { p, { t, ma, mi, pe, 1 } }
const struct cg_default_dev cg_default_devs[] = {
	DEF(NULL, 'c', -1, -1, CG_DEV_M),            /* mknod any char device */
	DEF(NULL, 'b', -1, -1, CG_DEV_M),            /* mknod any block device */
	DEF("/dev/null", 'c', 1, 3, CG_DEV_RWM),
	DEF("/dev/random", 'c', 1, 8, CG_DEV_RWM),
	DEF("/dev/full", 'c', 1, 7, CG_DEV_RWM),
	DEF("/dev/tty", 'c', 5, 0, CG_DEV_RWM),
	DEF("/dev/zero", 'c', 1, 5, CG_DEV_RWM),
	DEF("/dev/urandom", 'c', 1, 9, CG_DEV_RWM),
	DEF(NULL, 'c', 136, -1, CG_DEV_RWM),         /* the /dev/pts nodes */
	DEF(NULL, 'c', 5, 2, CG_DEV_RWM),            /* /dev/ptmx */
	DEF(NULL, 'c', 10, 200, CG_DEV_RWM),         /* /dev/net/tun */
};
const size_t cg_ndefault_devs = sizeof cg_default_devs / sizeof cg_default_devs[0];

const char *cg_dev_perms_str(unsigned perms, char buf[4])
{
	size_t n = 0;
	if (perms & CG_DEV_R)
		buf[n++] = 'r';
	if (perms & CG_DEV_W)
		buf[n++] = 'w';
	if (perms & CG_DEV_M)
		buf[n++] = 'm';
	buf[n] = 0;
	return buf;
}

static size_t num_or_star(char *o, int64_t v)
{
	if (v < 0) {
		o[0] = '*';
		return 1;
	}
	return fmt_i64(o, v);
}

const char *cg_dev_rule_str(const struct cg_devrule *r, char buf[64])
{
	char p[4];
	size_t n = 0;
	buf[n++] = r->type;
	buf[n++] = ' ';
	n += num_or_star(buf + n, r->major);
	buf[n++] = ':';
	n += num_or_star(buf + n, r->minor);
	buf[n++] = ' ';
	cg_dev_perms_str(r->perms, p);
	memcpy(buf + n, p, strlen(p) + 1);
	return buf;
}

void cg_devemu_free(struct cg_devemu *m)
{
	free(m->v);
	memset(m, 0, sizeof *m);
}

static struct cg_devrule *find(const struct cg_devemu *m, char type, int64_t major,
			       int64_t minor)
{
	size_t i;
	for (i = 0; i < m->n; i++)
		if (m->v[i].type == type && m->v[i].major == major && m->v[i].minor == minor)
			return &m->v[i];
	return NULL;
}

static unsigned perms_of(const struct cg_devemu *m, char type, int64_t major, int64_t minor)
{
	const struct cg_devrule *x = find(m, type, major, minor);
	return x ? x->perms : 0;
}

static void add_exc(struct cg_devemu *m, const struct cg_devrule *r)
{
	struct cg_devrule *x = find(m, r->type, r->major, r->minor);
	if (x) {
		x->perms |= r->perms;
		return;
	}
	m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
	m->v[m->n] = *r;
	m->v[m->n].allow = 0;
	m->n++;
}

static int rm_exc(struct cg_devemu *m, const struct cg_devrule *r, struct err *e)
{
	const int64_t part[3][2] = { { -1, r->minor }, { r->major, -1 }, { -1, -1 } };
	struct cg_devrule *x;
	size_t k;

	/* cgroup v1 silently ignores removing part of a wildcard exception; runc refuses. */
	for (k = 0; k < 3; k++) {
		unsigned pp;
		if (part[k][0] == r->major && part[k][1] == r->minor)
			continue;
		pp = perms_of(m, r->type, part[k][0], part[k][1]);
		if (pp & r->perms) {
			char a[64], b[64];
			struct cg_devrule w = { r->type, part[k][0], part[k][1], pp, 0 };
			return err_set(e, EINVAL, "requested rule [%s] not supported by devices "
				       "cgroupv1 (cannot punch hole in existing wildcard rule [%s])",
				       cg_dev_rule_str(r, a), cg_dev_rule_str(&w, b));
		}
	}
	x = find(m, r->type, r->major, r->minor);
	if (x) {
		x->perms &= ~r->perms;
		if (!x->perms) {
			*x = m->v[m->n - 1];
			m->n--;
		}
	}
	return 0;
}

int cg_devemu_apply(struct cg_devemu *m, const struct cg_devrule *r, struct err *e)
{
	if (r->type != 'a' && r->type != 'b' && r->type != 'c')
		return err_set(e, EINVAL, "cannot add device rule with non-cgroup type '%c'", r->type);
	if (r->type == 'a') {
		/* Any 'a' rule resets: allow -> blacklist, deny -> whitelist, no exceptions. */
		free(m->v);
		m->v = NULL;
		m->n = 0;
		m->default_allow = r->allow;
		return 0;
	}
	if (m->default_allow == r->allow)
		return rm_exc(m, r, e) < 0 ?
			err_wrap(e, r->allow ? "unable to remove 'deny' exception"
					     : "unable to remove 'allow' exception") : 0;
	add_exc(m, r);
	return 0;
}

static int parse_num(const char *s, size_t n, int64_t *v)
{
	uint64_t x = 0;
	size_t i;
	if (n == 1 && s[0] == '*') {
		*v = -1;
		return 0;
	}
	if (!n || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > UINT32_MAX)
		return -1;
	*v = (int64_t)x;
	return 0;
}

/* "c 1:3 rwm" -> rule (allow = 1). */
static int parse_line(const char *l, size_t len, struct cg_devrule *r)
{
	const char *colon, *sp;
	size_t i;

	if (len < 7 || !strchr("abc", l[0]) || l[1] != ' ')
		return -1;
	colon = memchr(l + 2, ':', len - 2);
	sp = colon ? memchr(colon, ' ', len - (size_t)(colon - l)) : NULL;
	if (!sp || parse_num(l + 2, (size_t)(colon - l - 2), &r->major) < 0 ||
	    parse_num(colon + 1, (size_t)(sp - colon - 1), &r->minor) < 0)
		return -1;
	r->type = l[0];
	r->perms = 0;
	r->allow = 1;
	for (i = (size_t)(sp - l) + 1; i < len; i++) {
		unsigned b = l[i] == 'r' ? CG_DEV_R : l[i] == 'w' ? CG_DEV_W : l[i] == 'm' ? CG_DEV_M : 0;
		if (!b || (r->perms & b))
			return -1;
		r->perms |= b;
	}
	if (!r->perms)
		return -1;
	if (r->type == 'a' && (r->major != -1 || r->minor != -1 || r->perms != CG_DEV_RWM))
		return -1;
	return 0;
}

int cg_devemu_from_list(struct cg_devemu *m, const char *list, struct err *e)
{
	const char *l = list;

	memset(m, 0, sizeof *m);
	while (*l) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		struct cg_devrule r;
		if (len) {
			if (parse_line(l, len, &r) < 0 || cg_devemu_apply(m, &r, e) < 0) {
				cg_devemu_free(m);
				return err_set(e, EINVAL, "error parsing devices.list line \"%.*s\"",
					       (int)len, l);
			}
		}
		l += len + (end ? 1 : 0);
	}
	return 0;
}

int cg_devemu_for(struct cg_devemu *m, const struct spec_resources *r, struct err *e)
{
	size_t i, j;

	memset(m, 0, sizeof *m);
	for (i = 0; i < r->ndevices; i++) {
		const struct spec_devrule *d = &r->devices[i];
		struct cg_devrule x = { d->type, d->major, d->minor, 0, d->allow };
		for (const char *c = d->access; *c; c++)
			x.perms |= *c == 'r' ? CG_DEV_R : *c == 'w' ? CG_DEV_W : CG_DEV_M;
		if (cg_devemu_apply(m, &x, e) < 0) {
			cg_devemu_free(m);
			return err_wrap(e, "linux.resources.devices[%zu]", i);
		}
	}
	for (i = 0; i < cg_ndefault_devs; i++) {
		const struct cg_default_dev *dd = &cg_default_devs[i];
		int dup = 0;
		for (j = 0; dd->path && j < r->nlinux_devices; j++)
			if (r->linux_devices[j].path && !strcmp(r->linux_devices[j].path, dd->path))
				dup = 1;
		if (dup)
			continue;
		if (cg_devemu_apply(m, &dd->rule, e) < 0) {
			cg_devemu_free(m);
			return err_wrap(e, "default device rule");
		}
	}
	return 0;
}

int cg_devemu_equal(const struct cg_devemu *a, const struct cg_devemu *b)
{
	size_t i;
	if (a->default_allow != b->default_allow || a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (perms_of(b, a->v[i].type, a->v[i].major, a->v[i].minor) != a->v[i].perms)
			return 0;
	return 1;
}

static int cmp_rule(const void *pa, const void *pb)
{
	const struct cg_devrule *a = pa, *b = pb;
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	return (a->type > b->type) - (a->type < b->type);
}

static struct cg_devrule *sorted(const struct cg_devemu *m)
{
	struct cg_devrule *s = xmalloc((m->n + 1) * sizeof *s);
	if (m->n)
		memcpy(s, m->v, m->n * sizeof *s);
	qsort(s, m->n, sizeof *s, cmp_rule);
	return s;
}

static void push(struct cg_devrule **out, size_t *n, struct cg_devrule r)
{
	*out = xrealloc(*out, (*n + 1) * sizeof **out);
	(*out)[(*n)++] = r;
}

/* The writes that take `from` to `to`: drops first, then gains. Gains come in the order the
 * rules were listed (the spec's, then the defaults) when `listed`, else sorted as runc's
 * emulator sorts them (the v2 program is built from that order, runc's layout). */
static void transition(const struct cg_devemu *from, const struct cg_devemu *to, int listed,
		       struct cg_devrule **out, size_t *n)
{
	static const struct cg_devemu none = { 0, NULL, 0 };
	const struct cg_devemu *old = from;
	struct cg_devrule *s;
	size_t i;

	*out = NULL;
	*n = 0;
	/* A blacklist's deny exceptions are not visible in devices.list: reset it too. */
	if (from->default_allow || from->default_allow != to->default_allow) {
		push(out, n, (struct cg_devrule){ 'a', -1, -1, CG_DEV_RWM, to->default_allow });
		old = &none;
	}
	s = sorted(old);
	for (i = 0; i < old->n; i++) {
		unsigned drop = s[i].perms & ~perms_of(to, s[i].type, s[i].major, s[i].minor);
		if (drop)
			push(out, n, (struct cg_devrule){ s[i].type, s[i].major, s[i].minor, drop,
							  to->default_allow });
	}
	free(s);
	s = listed ? to->v : sorted(to);
	for (i = 0; i < to->n; i++) {
		unsigned gain = s[i].perms & ~perms_of(old, s[i].type, s[i].major, s[i].minor);
		if (gain)
			push(out, n, (struct cg_devrule){ s[i].type, s[i].major, s[i].minor, gain,
							  !to->default_allow });
	}
	if (!listed)
		free(s);
}

/* v1 writes: gains in the listed order. The set is the same as runc's; the OCI spec asks
 * for entries to be applied in the listed order, and devices.list shows them in the order
 * they were written (the runtime-tools validation checks that order). */
void cg_devemu_transition(const struct cg_devemu *from, const struct cg_devemu *to,
			  struct cg_devrule **out, size_t *n)
{
	transition(from, to, 1, out, n);
}

void cg_devemu_rules(const struct cg_devemu *m, struct cg_devrule **out, size_t *n)
{
	static const struct cg_devemu deny_all = { 0, NULL, 0 };
	transition(&deny_all, m, 0, out, n);
}

static int load_list(const char *dir, struct cg_devemu *m, struct err *e)
{
	char *list = cg_read(dir, "devices.list", e);
	int r;
	if (!list)
		return -1;
	r = cg_devemu_from_list(m, list, e);
	free(list);
	return r;
}

int cg_devices_v1(const char *dir, const struct spec_resources *r, struct err *e)
{
	struct cg_devemu cur, target, after;
	struct cg_devrule *tr = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (cg_devemu_for(&target, r, e) < 0)
		return -1;
	if (load_list(dir, &cur, e) < 0) {
		cg_devemu_free(&target);
		return -1;
	}
	cg_devemu_transition(&cur, &target, &tr, &n);
	for (i = 0; i < n; i++) {
		char s[64];
		if (cg_write(dir, tr[i].allow ? "devices.allow" : "devices.deny",
			     cg_dev_rule_str(&tr[i], s), e) < 0)
			goto out;
	}
	if (load_list(dir, &after, e) < 0)
		goto out;
	if (!target.default_allow && !cg_devemu_equal(&after, &target))
		err_set(e, EIO, "resulting devices cgroup doesn't precisely match target");
	else if (target.default_allow != after.default_allow)
		err_set(e, EIO, "resulting devices cgroup doesn't match target mode");
	else
		rc = 0;
	cg_devemu_free(&after);
out:
	free(tr);
	cg_devemu_free(&cur);
	cg_devemu_free(&target);
	return rc;
}
