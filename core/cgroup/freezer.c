/* cgroup/freezer: freeze, thaw and the "paused" test, v1 freezer.state and v2 cgroup.freeze. */
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
	char *ev = cg_read(dir, "cgroup.events", e), *l;
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
	long long deadline = cg_now_ms() + 2000;
	long us = 100;

	if (cg_write(dir, "cgroup.freeze", on ? "1" : "0", e) < 0)
		return -1;
	for (;;) {
		int r = v2_events_frozen(dir, on, e);
		if (r < 0)
			return -1;
		if (r)
			return 0;
		if (cg_now_ms() > deadline)
			break;
		cg_sleep_us(us);
		if (us < 10000)
			us *= 2;
	}
	if (on) {
		struct err e2;
		cg_write(dir, "cgroup.freeze", "0", &e2);
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
			cg_write(dir, "freezer.state", "THAWED", &e2);
			cg_sleep_us(10000);
		}
		if (cg_write(dir, "freezer.state", "FROZEN", e) < 0)
			return -1;
		st = cg_read(dir, "freezer.state", e);
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
		cg_sleep_us(i < 20 ? 100 : 1000);
	}
	cg_write(dir, "freezer.state", "THAWED", &e2);
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
		if (cg_write(dir, "freezer.state", "THAWED", e) < 0)
			return -1;
		st = cg_read(dir, "freezer.state", e);
		if (!st)
			return -1;
		if (!strcmp(st, "THAWED")) {
			free(st);
			return 0;
		}
		free(st);
		cg_sleep_us(1000);
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
		st = cg_read(dir, "cgroup.freeze", e);
		if (!st)
			return e->no == ENOENT ? 0 : -1;
		i = !strcmp(st, "1");
		free(st);
		return i;
	}
	for (i = 0; i < 2000; i++) {
		st = cg_read(dir, "freezer.state", e);
		if (!st)
			return e->no == ENOENT ? 0 : -1;
		if (!strcmp(st, "THAWED")) {
			free(st);
			return 0;
		}
		if (!strcmp(st, "FROZEN")) {
			char *self = cg_read(dir, "freezer.self_freezing", e);
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
		cg_sleep_us(1000);
	}
	return 0;
}

