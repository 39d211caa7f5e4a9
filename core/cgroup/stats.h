/* cgroup/stats: `events` data. The container's cgroup statistics as runc 1.1's
 * types.Stats JSON object (cpu, cpuset, memory, pids, blkio, hugetlb, intel_rdt,
 * network_interfaces; runc's key order and omitempty rules), read from the v1 hierarchies
 * or, on a pure v2 host, from the unified dir with runc's v2 mapping; and the OOM notifier
 * (v1 eventfd on memory.oom_control, v2 inotify on memory.events). */
#ifndef CRBOX_CGROUP_STATS_H
#define CRBOX_CGROUP_STATS_H
#include "cgroup/cgroup.h"
#include "err.h"
#include "jsonw.h"

/* Writes the Stats object. Missing controllers give their empty sections, as runc. */
int cgroup_stats_write(const struct cgroup_paths *p, struct jw *w, struct err *e);

struct cgroup_oom {
	int fd;                 /* poll it for POLLIN */
	int v2;
	int evfd_ctl;           /* v1: memory.oom_control fd kept open */
	char *dir;
	uint64_t last_kills;    /* v2: oom_kill count seen so far */
};
/* -1 with ENOTSUP when there is no memory controller. */
int cgroup_oom_open(const struct cgroup_paths *p, struct cgroup_oom *o, struct err *e);
/* After POLLIN: 1 an OOM happened, 0 nothing new, -1 the cgroup is gone (stop). */
int cgroup_oom_read(struct cgroup_oom *o);
void cgroup_oom_close(struct cgroup_oom *o);

#endif
