/* cgroup/v2: linux.resources -> cgroup v2 files, one controller per function (ctrl.h),
 * with runc 1.1's conversions (convert.h). Fields v2 has no file for are refused by name. */
#include "cgroup/ctrl.h"
#include "cgroup/convert.h"
#include "cgroup/internal.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int no_v2(struct err *e, const char *field)
{
	return err_set(e, ENOTSUP, "%s: not supported on cgroup v2", field);
}

int cg_v2_cpuset(const char *dir, const struct spec_resources *r, struct err *e)
{
	return cg_v1_cpuset(dir, r, e);   /* cpuset.cpus / cpuset.mems: same files */
}

int cg_v2_memory(const char *dir, const struct spec_resources *r, struct err *e)
{
	int64_t mem = r->has_mem_limit ? r->mem_limit : 0;
	int64_t swap = 0;
	int no_swap;
	char num[24];
	const char *s;

	if (r->has_mem_kernel && r->mem_kernel)
		return no_v2(e, "memory.kernel");
	if (r->has_mem_kernel_tcp && r->mem_kernel_tcp)
		return no_v2(e, "memory.kernelTCP");
	if (r->has_disable_oom_killer && r->disable_oom_killer)
		return no_v2(e, "memory.disableOOMKiller");
	if (r->has_use_hierarchy && !r->use_hierarchy)
		return no_v2(e, "memory.useHierarchy false");
	if (r->has_mem_swappiness && r->mem_swappiness != UINT64_MAX)
		return no_v2(e, "memory.swappiness");
	if (cg_swap_to_v2(r->has_mem_swap ? r->mem_swap : 0, mem, &swap, &no_swap, e) < 0)
		return err_wrap(e, "memory.swap");
	s = no_swap ? "0" : cg_v2_num(swap, num);
	if (s && cg_write(dir, "memory.swap.max", s, e) < 0) {
		/* No swap on this host: only "max" and "0" may be dropped (runc). */
		if (!(e->no == ENOENT && (!strcmp(s, "max") || !strcmp(s, "0"))))
			return err_wrap(e, "memory.swap");
	}
	if ((s = cg_v2_num(mem, num)) && cg_write(dir, "memory.max", s, e) < 0)
		return err_wrap(e, "memory.limit");
	if (r->has_mem_reservation && (s = cg_v2_num(r->mem_reservation, num)) &&
	    cg_write(dir, "memory.low", s, e) < 0)
		return err_wrap(e, "memory.reservation");
	return 0;
}

int cg_v2_cpu(const char *dir, const struct spec_resources *r, struct err *e)
{
	char buf[48];
	const char *s;
	uint64_t w;

	if (r->has_cpu_rt_runtime && r->cpu_rt_runtime)
		return no_v2(e, "cpu.realtimeRuntime");
	if (r->has_cpu_rt_period && r->cpu_rt_period)
		return no_v2(e, "cpu.realtimePeriod");
	/* The weight before idle: an idle group refuses weight writes. */
	w = cg_shares_to_weight(r->has_cpu_shares ? r->cpu_shares : 0);
	if (w && cg_write_u64(dir, "cpu.weight", w, e) < 0)
		return err_wrap(e, "cpu.shares");
	if (r->has_cpu_idle && cg_write_i64(dir, "cpu.idle", r->cpu_idle, e) < 0)
		return err_wrap(e, "cpu.idle");
	s = cg_cpu_max(r->has_cpu_quota ? r->cpu_quota : 0, r->has_cpu_period ? r->cpu_period : 0,
		       buf);
	if (s && cg_write(dir, "cpu.max", s, e) < 0)
		return err_wrap(e, "cpu.quota/period");
	if (r->has_cpu_burst && cg_write_u64(dir, "cpu.max.burst", r->cpu_burst, e) < 0)
		return err_wrap(e, "cpu.burst");
	return 0;
}

int cg_v2_io(const char *dir, const struct spec_resources *r, struct err *e)
{
	static const char *const key[SPEC_THR_N] = { "rbps", "wbps", "riops", "wiops" };
	int bfq = cg_exists(dir, "io.bfq.weight");
	char line[96];
	size_t i, t;

	if (r->blkio_leaf_weight)
		return no_v2(e, "blockIO.leafWeight");
	if (r->blkio_weight) {
		/* BFQ takes the blkio value as is; io.weight needs the conversion. */
		if (bfq ? cg_write_u64(dir, "io.bfq.weight", r->blkio_weight, e)
			: cg_write_u64(dir, "io.weight", cg_blkio_to_io_weight(r->blkio_weight), e))
			return err_wrap(e, "blockIO.weight");
	}
	for (i = 0; i < r->nblkio_weight_dev; i++) {
		const struct spec_weight_dev *w = &r->blkio_weight_dev[i];
		if (w->has_leaf_weight && w->leaf_weight)
			return no_v2(e, "blockIO.weightDevice[].leafWeight");
		if (!w->has_weight || !w->weight)
			continue;
		if (!bfq)
			return err_set(e, ENOTSUP, "blockIO.weightDevice[%zu]: per-device weights "
				       "need the BFQ I/O scheduler (no io.bfq.weight)", i);
		fmt_sn(line, sizeof line, "%lld:%lld %u", (long long)w->major, (long long)w->minor,
		       (unsigned)w->weight);
		if (cg_write(dir, "io.bfq.weight", line, e) < 0)
			return err_wrap(e, "blockIO.weightDevice[%zu]", i);
	}
	for (t = 0; t < SPEC_THR_N; t++)
		for (i = 0; i < r->nblkio_throttle[t]; i++) {
			const struct spec_throttle_dev *d = &r->blkio_throttle[t][i];
			fmt_sn(line, sizeof line, "%lld:%lld %s=%llu", (long long)d->major,
			       (long long)d->minor, key[t], (unsigned long long)d->rate);
			if (cg_write(dir, "io.max", line, e) < 0)
				return err_wrap(e, "blockIO.throttle (%s)", key[t]);
		}
	return 0;
}

int cg_v2_hugetlb(const char *dir, const struct spec_resources *r, struct err *e)
{
	return cg_hugetlb(dir, r, "max", e);
}

int cg_v2_refuse_net(const char *dir, const struct spec_resources *r, struct err *e)
{
	if (r->has_net_classid && r->net_classid)
		return no_v2(e, "network.classID");
	if (r->nnet_prios)
		return no_v2(e, "network.priorities");
	return 0;
}

int cg_v2_unified(const char *dir, const struct spec_resources *r, struct err *e)
{
	size_t i;
	for (i = 0; i < r->nunified; i++) {
		const char *k = r->unified[i].key, *dot = strchr(k, '.');
		if (cg_write(dir, k, r->unified[i].value, e) == 0)
			continue;
		if (e->no == ENOENT || e->no == EPERM || e->no == EACCES) {
			char *avail, *c;
			if (!dot)
				return err_set(e, EINVAL, "unified resource \"%s\" must be in the form "
					       "CONTROLLER.PARAMETER", k);
			c = xstrndup(k, (size_t)(dot - k));
			avail = cg_read(dir, "cgroup.controllers", e);
			if (strcmp(c, "cgroup") && (!avail || !cg_list_has_sp(avail, c))) {
				err_set(e, ENOTSUP, "unified resource \"%s\" can't be set: controller "
					"\"%s\" not available", k, c);
				free(c);
				free(avail);
				return -1;
			}
			free(c);
			free(avail);
			err_set(e, ENOENT, "unified resource \"%s\": no such file in %s", k, dir);
		}
		return err_wrap(e, "unified.%s", k);
	}
	return 0;
}
