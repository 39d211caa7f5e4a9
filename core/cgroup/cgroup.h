/* cgroup: container cgroups on v1, v2 and hybrid hosts, laid out as runc 1.1.5's cgroupfs
 * driver does (state.json cgroup_paths keys: "cpu", "memory", "name=systemd", ..., and ""
 * for the unified dir). Layout from /proc/self/mountinfo, path derivation, create (v1 cpuset
 * seeded from the parent), resources (all of linux.resources, device rules included),
 * enter, freeze/thaw, pids, kill, remove, and the CRIU cg_root / v1 ext_mnt lists restore
 * and checkpoint send. The room's files: layout.c derive.c tree.c apply.c v1.c v2.c
 * convert.c devrules.c devbpf.c freezer.c procs.c crlists.c knob.c. */
#ifndef CRBOX_CGROUP_CGROUP_H
#define CRBOX_CGROUP_CGROUP_H
#include <stddef.h>
#include <sys/types.h>
#include "err.h"
#include "spec.h"

/* ---- host layout ---- */

enum cgroup_mode {
	CGROUP_V1 = 1,      /* only v1 hierarchies */
	CGROUP_V2,          /* only cgroup2 (named-only v1 hierarchies do not count) */
	CGROUP_HYBRID,      /* v1 controllers plus a cgroup2 mount (e.g. /sys/fs/cgroup/unified) */
};

struct cgroup_hier {        /* one mounted v1 hierarchy (first mount of each wins) */
	char *mountpoint;   /* "/sys/fs/cgroup/cpu,cpuacct" */
	char *root;         /* mountinfo root field, "/" unless a sub-tree is mounted */
	char *controllers;  /* as mounted, in mount-option order: "cpu,cpuacct", "name=systemd" */
};

struct cgroup_layout {
	enum cgroup_mode mode;
	struct cgroup_hier *v1;
	size_t nv1;
	char *unified;      /* first cgroup2 mountpoint, NULL if none */
	char *unified_root; /* its mountinfo root field */
};

/* Reads /proc/self/mountinfo. -1 with ENOENT if no cgroup file system is mounted. */
int cgroup_layout(struct cgroup_layout *l, struct err *e);
/* Same from mountinfo text (for tests). v1 controllers are the super options that are known
 * controller names or "name=..."; other options (rw, xattr, clone_children ...) are dropped. */
int cgroup_layout_parse(struct cgroup_layout *l, const char *mountinfo, struct err *e);
void cgroup_layout_free(struct cgroup_layout *l);
/* The v1 hierarchy whose controller list contains ctrl ("memory", "name=systemd"), or NULL. */
const struct cgroup_hier *cgroup_layout_find(const struct cgroup_layout *l, const char *ctrl);

/* ---- /proc/<pid>/cgroup ---- */

struct cgroup_line {
	int id;             /* hierarchy id, 0 for the v2 line */
	char *controllers;  /* "cpu,cpuacct", "name=systemd", "" for the v2/unified line */
	char *path;         /* "/user.slice/x" */
};
struct cgroup_self {
	struct cgroup_line *v;
	size_t n;
};
/* Parses /proc/<pid>/cgroup (pid 0: /proc/self/cgroup) in file order. 0 or -1. */
int cgroup_self_paths(pid_t pid, struct cgroup_self *s, struct err *e);
int cgroup_self_parse(struct cgroup_self *s, const char *text, struct err *e);
void cgroup_self_free(struct cgroup_self *s);
/* The path of the line whose controller list contains ctrl ("" = the v2 line), or NULL. */
const char *cgroup_self_find(const struct cgroup_self *s, const char *ctrl);

/* ---- a container's cgroup dirs (runc's state.json cgroup_paths) ---- */

struct cgroup_path {
	char *key;          /* "cpu", "cpuacct", "name=systemd", ... or "" (unified dir) */
	char *dir;          /* absolute host dir; co-mounted controllers share one dir */
	int created;        /* set by cgroup_create when it made this leaf dir */
};
struct cgroup_paths {       /* kept sorted by key (as Go's encoding/json writes maps) */
	struct cgroup_path *v;
	size_t n;
};
/* Adds or replaces key (copies both strings; created = 0). For loading state.json. */
void cgroup_paths_set(struct cgroup_paths *p, const char *key, const char *dir);
/* The dir for key, or NULL. */
const char *cgroup_paths_get(const struct cgroup_paths *p, const char *key);
void cgroup_paths_free(struct cgroup_paths *p);

/* runc's path derivation (libcontainer/cgroups/fs and fs2, 1.1.5), pure: cgroups_path (NULL
 * or "" -> id) is cleaned like runc's utils.CleanPath (relative paths cannot climb above
 * their start). For every runc v1 subsystem that is mounted (cpuset devices memory cpu
 * cpuacct pids blkio hugetlb net_cls net_prio perf_event freezer rdma name=systemd):
 *   absolute -> <mountpoint><inner>;
 *   relative -> <mountpoint>/<own cgroup in that hierarchy, minus the mount root>/<inner>.
 * The unified dir (key ""): V2: absolute as above, relative under the PARENT of the own v2
 * cgroup; HYBRID: like a v1 hierarchy (own cgroup, not its parent); V1: no "" key.
 * own is the deriving process's /proc/self/cgroup. Fails if an own cgroup line is missing. */
int cgroup_derive(const struct cgroup_layout *l, const struct cgroup_self *own,
		  const char *cgroups_path, const char *id, struct cgroup_paths *out,
		  struct err *e);
/* cgroup_derive with this host's layout and this process's own cgroups. */
int cgroup_paths_for(const char *cgroups_path, const char *id, struct cgroup_paths *out,
		     struct err *e);

/* Which key a controller's knobs live under: the v1 key if present, else "" when the map is
 * pure v2 (only ""), else NULL (not available here; cgroup_apply_* then report the field). */
const char *cgroup_ctrl_dir(const struct cgroup_paths *p, const char *ctrl);

/* mkdir -p every dir (0755). v1 cpuset: every level from the hierarchy root down gets
 * cpuset.cpus/cpuset.mems copied from its parent when empty, so tasks can join. Pure v2:
 * the ancestors' available controllers are enabled in cgroup.subtree_control (failures
 * ignored, as runc). Sets ->created on entries whose leaf did not exist. On failure the
 * leaves created so far are removed again. 0 or -1. */
int cgroup_create(struct cgroup_paths *p, struct err *e);
/* Writes ALL of linux.resources (spec.h's struct spec_resources, has_* say what is set):
 * cgroup_apply_limits then cgroup_apply_devices. runc 1.1's mapping per version (v1 files,
 * v2 files with runc's conversions: shares -> cpu.weight, blkio weight -> io.bfq.weight or
 * io.weight, memory.swap -> memory.swap.max = swap - limit, ...); each controller goes to its
 * v1 dir, else to the unified dir (pure v2, or on a hybrid host a controller that only
 * cgroup2 has, enabled in the ancestors' subtree_control). Zero values are "not set", as in
 * runc. A field the host cannot honour (controller missing, no such v2 file, unified on v1)
 * is an error naming it: "linux.resources: memory.kernel: not supported on cgroup v2".
 * 0 or -1. */
int cgroup_apply_resources(const struct cgroup_paths *p, const struct spec_resources *r,
			   struct err *e);
/* Everything but the device rules. */
int cgroup_apply_limits(const struct cgroup_paths *p, const struct spec_resources *r,
			struct err *e);
/* The device rules only: the spec's rules then runc's default allow-list (minus defaults
 * whose path is in r->linux_devices), through runc's emulator; v1: devices.deny/allow as the
 * minimal transition from the current devices.list, checked by reading it back; v2 (also
 * used on a hybrid host without a v1 devices hierarchy): a BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached with BPF_F_ALLOW_MULTI, replacing the previous one with no open window.
 * Call it again on update. 0 or -1. */
int cgroup_apply_devices(const struct cgroup_paths *p, const struct spec_resources *r,
			 struct err *e);
/* Writes pid to cgroup.procs of every distinct dir (including the unified one). 0 or -1. */
int cgroup_enter(const struct cgroup_paths *p, pid_t pid, struct err *e);
/* The first write to any cgroup.procs on the host waits for an RCU grace period (about
 * 10 ms here); writes while that wait is under way, or just after it, do not wait again.
 * cgroup_warm_start forks a helper that writes its own pid where it already is, starting
 * the wait at once; a cgroup_enter a few ms later, after crbox's own set-up, then returns
 * with it instead of starting its own. Returns the helper's pid (0: none, e.g. not root);
 * cgroup_warm_end reaps it. Nothing changes if the write fails: it only saves time. */
pid_t cgroup_warm_start(void);
void cgroup_warm_end(pid_t pid);

/* The freezer dir: the "freezer" key (v1, also on hybrid), else "" (v2), else NULL. This
 * is CRIU's freeze_cgroup on checkpoint. */
const char *cgroup_freezer_dir(const struct cgroup_paths *p);
/* Freezes the container: v1 freezer.state FROZEN, rewritten and polled until it reads
 * FROZEN (thawed again and an error "unable to freeze" if it stays FREEZING ~2 s); v2
 * cgroup.freeze 1 then cgroup.events "frozen 1". -1 with ENOTSUP if there is no freezer. */
int cgroup_freeze(const struct cgroup_paths *p, struct err *e);
int cgroup_thaw(const struct cgroup_paths *p, struct err *e);
/* 1 if frozen (v1: freezer.state FROZEN and freezer.self_freezing not 0, i.e. not frozen only
 * through a parent; FREEZING is waited out; v2: cgroup.freeze is 1), 0 if not or if the dir
 * or freezer is gone, -1 on other errors. runc's "paused" test. */
int cgroup_frozen(const struct cgroup_paths *p, struct err *e);

/* All pids in the container's cgroup and its sub-cgroups (from one hierarchy: devices,
 * freezer, pids, memory, any v1 key, then ""). *pids is a heap array (free()); a missing
 * dir gives 0 pids. 0 or -1. */
int cgroup_pids(const struct cgroup_paths *p, pid_t **pids, size_t *n, struct err *e);
/* SIGKILLs everything in the cgroup (v2 cgroup.kill when available; else freeze, kill each
 * pid, thaw) and polls until it is empty or timeout_ms passes (ETIMEDOUT). Does not reap:
 * callers reap their own children. 0 or -1. */
int cgroup_kill_all(const struct cgroup_paths *p, int timeout_ms, struct err *e);
/* rmdir every distinct dir, sub-cgroups first (deepest first), retrying EBUSY for ~1 s;
 * ENOENT is success. only_created: only entries with ->created (rollback of a failed
 * create/restore). A dir that is a hierarchy root (mount point) is never removed, nor is
 * anything above the leaf. 0 or -1 (the first error; the other dirs are still tried). */
int cgroup_remove(const struct cgroup_paths *p, int only_created, struct err *e);

/* ---- CRIU request lists ---- */

struct cgroup_kv {
	char *key, *val;
};
struct cgroup_kvs {
	struct cgroup_kv *v;
	size_t n;
};
void cgroup_kvs_free(struct cgroup_kvs *k);
/* CRIU cg_root entries from a /proc/<criu>/cgroup parse: one {ctrl, path} per controller name
 * of each line, in file order ("name=systemd" as is; the v2 line gives ctrl ""). */
void cgroup_cg_roots(const struct cgroup_self *s, struct cgroup_kvs *out);
/* ext_mnt entries for a v1 cgroup mount at dest (e.g. "/sys/fs/cgroup"), one per mounted v1
 * hierarchy (cgroup2 excluded): key "<dest>/<basename of mountpoint>"; val: with own == NULL
 * the key again (checkpoint form), else "<mountpoint>/<own cgroup in that hierarchy minus
 * the mount root>" (restore form; own = the restoring process's /proc/self/cgroup). The
 * caller decides whether to send them (v1/hybrid and no cgroup namespace). 0 or -1. */
int cgroup_v1_ext_mounts(const struct cgroup_layout *l, const struct cgroup_self *own,
			 const char *dest, struct cgroup_kvs *out, struct err *e);

#endif
