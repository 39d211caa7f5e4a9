/* cgroup/oom: the OOM notifier of `events` (stats.h): v1 an eventfd registered on
 * memory.oom_control through cgroup.event_control, v2 inotify on memory.events. */
#include "cgroup/stats.h"
#include "cgroup/internal.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

int cgroup_oom_open(const struct cgroup_paths *p, struct cgroup_oom *o, struct err *e)
{
	const char *k = cgroup_ctrl_dir(p, "memory");
	const char *dir = k ? cgroup_paths_get(p, k) : NULL;

	memset(o, 0, sizeof *o);
	o->fd = o->evfd_ctl = -1;
	if (!dir)
		return err_set(e, ENOTSUP, "no memory controller for OOM notifications");
	o->dir = xstrdup(dir);
	o->v2 = !*k;
	if (o->v2) {
		char *ev = cg_read(dir, "memory.events", e), *path;
		o->last_kills = cg_keyed(ev, "oom_kill");
		free(ev);
		o->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		path = fmt_alloc("%s/memory.events", dir);
		if (o->fd < 0 || inotify_add_watch(o->fd, path, IN_MODIFY) < 0) {
			err_sys(e, "inotify %s", path);
			free(path);
			cgroup_oom_close(o);
			return -1;
		}
		free(path);
		return 0;
	}
	{
		char *path = fmt_alloc("%s/memory.oom_control", dir), line[64];
		o->evfd_ctl = open(path, O_RDONLY | O_CLOEXEC);
		o->fd = eventfd(0, EFD_CLOEXEC);
		if (o->evfd_ctl < 0 || o->fd < 0) {
			err_sys(e, "open %s", path);
			free(path);
			cgroup_oom_close(o);
			return -1;
		}
		free(path);
		fmt_sn(line, sizeof line, "%d %d", o->fd, o->evfd_ctl);
		if (cg_write(dir, "cgroup.event_control", line, e) < 0) {
			cgroup_oom_close(o);
			return -1;
		}
	}
	return 0;
}

int cgroup_oom_read(struct cgroup_oom *o)
{
	if (o->v2) {
		char buf[4096], *ev;
		uint64_t k;
		while (read(o->fd, buf, sizeof buf) > 0)
			;
		{ struct err e2; ev = cg_read(o->dir, "memory.events", &e2); }
		if (!ev)
			return -1;
		k = cg_keyed(ev, "oom_kill");
		free(ev);
		if (k > o->last_kills) {
			o->last_kills = k;
			return 1;
		}
		return 0;
	}
	{
		uint64_t n;
		if (read(o->fd, &n, sizeof n) != sizeof n)
			return 0;
		/* The eventfd also fires when the cgroup is removed. */
		return cg_exists(o->dir, "memory.oom_control") ? 1 : -1;
	}
}

void cgroup_oom_close(struct cgroup_oom *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->evfd_ctl >= 0)
		close(o->evfd_ctl);
	free(o->dir);
	o->fd = o->evfd_ctl = -1;
	o->dir = NULL;
}
