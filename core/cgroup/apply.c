/* cgroup/apply: cgroup_apply_resources, the one entry that writes a whole linux.resources
 * object: for each controller, the dir and version that hold it (a v1 hierarchy, else the
 * unified dir on a pure v2 host, else, on a hybrid host, the unified dir when the controller
 * exists only there), then the controller's function (ctrl.h) and the device rules
 * (devrules.h v1, devbpf.h v2). A field for a controller the host lacks is an error. */
#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "cgroup/ctrl.h"
#include "cgroup/devrules.h"
#include "cgroup/devbpf.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int set_cpuset(const struct spec_resources *r)
{
	return (r->cpu_cpus && *r->cpu_cpus) || (r->cpu_mems && *r->cpu_mems);
}

static int set_memory(const struct spec_resources *r)
{
	return r->has_mem_limit || r->has_mem_reservation || r->has_mem_swap ||
	       r->has_mem_kernel || r->has_mem_kernel_tcp || r->has_mem_swappiness ||
	       r->has_disable_oom_killer || r->has_use_hierarchy;
}

static int set_cpu(const struct spec_resources *r)
{
	return r->has_cpu_shares || r->has_cpu_quota || r->has_cpu_period || r->has_cpu_burst ||
	       r->has_cpu_rt_runtime || r->has_cpu_rt_period || r->has_cpu_idle;
}

static int set_pids(const struct spec_resources *r)
{
	return r->has_pids_limit && r->pids_limit != 0;
}

static int set_blkio(const struct spec_resources *r)
{
	size_t t, n = r->nblkio_weight_dev;
	for (t = 0; t < SPEC_THR_N; t++)
		n += r->nblkio_throttle[t];
	return r->has_blkio_weight || r->has_blkio_leaf_weight || n;
}

static int set_hugetlb(const struct spec_resources *r) { return r->nhugepages != 0; }
static int set_net_cls(const struct spec_resources *r) { return r->has_net_classid; }
static int set_net_prio(const struct spec_resources *r) { return r->nnet_prios != 0; }
static int set_rdma(const struct spec_resources *r) { return r->nrdma != 0; }

static const struct step {
	const char *v1;         /* v1 controller (paths key) */
	const char *v2;         /* v2 controller name, NULL: no v2 controller */
	const char *field;      /* for messages */
	int (*is_set)(const struct spec_resources *r);
	cg_ctrl_fn f1, f2;
} steps[] = {   /* runc's v1 subsystem order */
	{ "cpuset", "cpuset", "cpu.cpus/mems", set_cpuset, cg_v1_cpuset, cg_v2_cpuset },
	{ "memory", "memory", "memory", set_memory, cg_v1_memory, cg_v2_memory },
	{ "cpu", "cpu", "cpu", set_cpu, cg_v1_cpu, cg_v2_cpu },
	{ "pids", "pids", "pids", set_pids, cg_pids, cg_pids },
	{ "blkio", "io", "blockIO", set_blkio, cg_v1_blkio, cg_v2_io },
	{ "hugetlb", "hugetlb", "hugepageLimits", set_hugetlb, cg_v1_hugetlb, cg_v2_hugetlb },
	{ "net_cls", NULL, "network.classID", set_net_cls, cg_v1_net_cls, cg_v2_refuse_net },
	{ "net_prio", NULL, "network.priorities", set_net_prio, cg_v1_net_prio, cg_v2_refuse_net },
	{ "rdma", "rdma", "rdma", set_rdma, cg_rdma, cg_rdma },
};

/* 1 if the v2 controller is usable in dir (listed in its cgroup.controllers). */
static int v2_has(const char *dir, const char *ctrl)
{
	struct err e;
	char *avail = cg_read(dir, "cgroup.controllers", &e);
	int r = avail && cg_list_has_sp(avail, ctrl);
	free(avail);
	return r;
}

/* Enables ctrl in cgroup.subtree_control of every ancestor of dir below and including the
 * mount root (failures ignored: v2_has decides afterwards). */
static void v2_enable(const char *dir, const char *ctrl)
{
	struct err e;
	char *root = cg_mount_root(dir, &e), *w;
	const char *s;

	if (!root)
		return;
	w = fmt_alloc("+%s", ctrl);
	cg_write(root, "cgroup.subtree_control", w, &e);
	for (s = dir + strlen(root) + 1; strlen(dir) > strlen(root);) {
		const char *slash = strchr(s, '/');
		char *anc;
		if (!slash)
			break;   /* dir itself: its own subtree_control is not needed */
		anc = xstrndup(dir, (size_t)(slash - dir));
		cg_write(anc, "cgroup.subtree_control", w, &e);
		free(anc);
		s = slash + 1;
	}
	free(w);
	free(root);
}

static int run_step(const struct cgroup_paths *p, const struct step *s,
		    const struct spec_resources *r, struct err *e)
{
	const char *dir = cgroup_paths_get(p, s->v1), *u = cgroup_paths_get(p, "");

	if (!s->is_set(r))
		return 0;
	if (dir)
		return s->f1(dir, r, e);
	if (u && !s->v2 && cg_pure_v2(p))  /* no v2 controller: the v2 function refuses it */
		return s->f2(u, r, e);
	if (u && s->v2) {
		if (!cg_pure_v2(p) && !v2_has(u, s->v2))
			v2_enable(u, s->v2);   /* hybrid: a controller only cgroup2 has */
		if (!v2_has(u, s->v2))
			return err_set(e, ENOTSUP, "%s: cannot set %s limit: the %s controller is "
				       "not available in %s", s->field, s->v2, s->v2, u);
		return s->f2(u, r, e);
	}
	return err_set(e, ENOTSUP, "%s: cannot set %s limit: the %s controller is not mounted",
		       s->field, s->v1, s->v1);
}

int cgroup_apply_limits(const struct cgroup_paths *p, const struct spec_resources *r,
			struct err *e)
{
	size_t i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (run_step(p, &steps[i], r, e) < 0)
			return err_wrap(e, "linux.resources");
	if (r->nunified) {
		if (!cg_pure_v2(p))
			return err_set(e, EINVAL, "linux.resources.unified: invalid configuration: "
				       "cannot use unified on cgroup v1");
		if (cg_v2_unified(cgroup_paths_get(p, ""), r, e) < 0)
			return err_wrap(e, "linux.resources");
	}
	return 0;
}

int cgroup_apply_devices(const struct cgroup_paths *p, const struct spec_resources *r,
			 struct err *e)
{
	const char *v1 = cgroup_paths_get(p, "devices"), *u = cgroup_paths_get(p, "");
	int rc;

	if (v1)
		rc = cg_devices_v1(v1, r, e);
	else if (u)
		rc = cg_devices_v2(u, r, e);
	else
		rc = err_set(e, ENOTSUP, "the devices controller is not mounted");
	return rc < 0 ? err_wrap(e, "linux.resources.devices") : 0;
}

int cgroup_apply_resources(const struct cgroup_paths *p, const struct spec_resources *r,
			   struct err *e)
{
	if (cgroup_apply_limits(p, r, e) < 0)
		return -1;
	return cgroup_apply_devices(p, r, e);
}
