/* cgroup/v1: linux.resources -> cgroup v1 files, one controller per function (ctrl.h). */
#include "cgroup/ctrl.h"
#include "cgroup/internal.h"
#include "fmt.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cg_v1_cpuset(const char *dir, const struct spec_resources *r, struct err *e)
{
	if (r->cpu_cpus && *r->cpu_cpus && cg_write(dir, "cpuset.cpus", r->cpu_cpus, e) < 0)
		return err_wrap(e, "cpu.cpus");
	if (r->cpu_mems && *r->cpu_mems && cg_write(dir, "cpuset.mems", r->cpu_mems, e) < 0)
		return err_wrap(e, "cpu.mems");
	return 0;
}

/* memory.limit_in_bytes and memory.memsw.limit_in_bytes, ordered so that the kernel's
 * memsw >= limit check holds after each write (runc's setMemoryAndSwap). */
static int v1_limit_and_swap(const char *dir, const struct spec_resources *r, struct err *e)
{
	int64_t mem = r->has_mem_limit ? r->mem_limit : 0;
	int64_t swap = r->has_mem_swap ? r->mem_swap : 0;
	int has_memsw = cg_exists(dir, "memory.memsw.limit_in_bytes");

	if (mem == -1 && swap == 0 && has_memsw)
		swap = -1;
	if (swap != 0 && swap != -1 && !has_memsw)
		return err_set(e, ENOTSUP, "swap accounting is off on this host "
			       "(no memory.memsw.limit_in_bytes)");
	if (!has_memsw)
		swap = 0;
	if (mem != 0 && swap != 0) {
		char *cur = cg_read(dir, "memory.limit_in_bytes", e);
		uint64_t c = 0;
		if (!cur)
			return -1;
		parse_u64(cur, &c);
		free(cur);
		if (swap == -1 || c < (uint64_t)swap) {
			if (cg_write_i64(dir, "memory.memsw.limit_in_bytes", swap, e) < 0 ||
			    cg_write_i64(dir, "memory.limit_in_bytes", mem, e) < 0)
				return -1;
			return 0;
		}
	}
	if (mem != 0 && cg_write_i64(dir, "memory.limit_in_bytes", mem, e) < 0)
		return -1;
	if (swap != 0 && cg_write_i64(dir, "memory.memsw.limit_in_bytes", swap, e) < 0)
		return -1;
	return 0;
}

/* Kernels since 5.16 accept memory.kmem.limit_in_bytes writes and ignore them: read the
 * value back so an ignored limit is an error, not a silent no-op. */
static int v1_kmem(const char *dir, int64_t v, struct err *e)
{
	char *back;
	int64_t got = 0;

	if (cg_write_i64(dir, "memory.kmem.limit_in_bytes", v, e) < 0)
		return -1;
	if (!(back = cg_read(dir, "memory.kmem.limit_in_bytes", e)))
		return -1;
	parse_i64(back, &got);
	free(back);
	/* The kernel rounds down to whole pages; -1 reads back as the page-aligned maximum. */
	if (v == -1 || (got <= v && v - got < 65536))
		return 0;
	return err_set(e, ENOTSUP, "this kernel ignores kernel memory limits "
		       "(memory.kmem.limit_in_bytes reads %lld after writing %lld)",
		       (long long)got, (long long)v);
}

int cg_v1_memory(const char *dir, const struct spec_resources *r, struct err *e)
{
	if (v1_limit_and_swap(dir, r, e) < 0)
		return err_wrap(e, "memory.limit/swap");
	if (r->has_mem_reservation && r->mem_reservation != 0 &&
	    cg_write_i64(dir, "memory.soft_limit_in_bytes", r->mem_reservation, e) < 0)
		return err_wrap(e, "memory.reservation");
	if (r->has_mem_kernel && r->mem_kernel != 0 && v1_kmem(dir, r->mem_kernel, e) < 0)
		return err_wrap(e, "memory.kernel");
	if (r->has_mem_kernel_tcp && r->mem_kernel_tcp != 0 &&
	    cg_write_i64(dir, "memory.kmem.tcp.limit_in_bytes", r->mem_kernel_tcp, e) < 0)
		return err_wrap(e, "memory.kernelTCP");
	if (r->has_disable_oom_killer && r->disable_oom_killer &&
	    cg_write(dir, "memory.oom_control", "1", e) < 0)
		return err_wrap(e, "memory.disableOOMKiller");
	if (r->has_use_hierarchy &&
	    cg_write(dir, "memory.use_hierarchy", r->use_hierarchy ? "1" : "0", e) < 0)
		return err_wrap(e, "memory.useHierarchy");
	/* runc: an unset swappiness, or -1 (as uint64), leaves it alone. */
	if (r->has_mem_swappiness && r->mem_swappiness != UINT64_MAX) {
		if (r->mem_swappiness > 100)
			return err_set(e, EINVAL, "memory.swappiness: invalid memory swappiness value: %llu (valid range "
				       "is 0-100)", (unsigned long long)r->mem_swappiness);
		if (cg_write_u64(dir, "memory.swappiness", r->mem_swappiness, e) < 0)
			return err_wrap(e, "memory.swappiness");
	}
	return 0;
}

int cg_v1_cpu(const char *dir, const struct spec_resources *r, struct err *e)
{
	uint64_t shares = r->has_cpu_shares ? r->cpu_shares : 0;
	int64_t quota = r->has_cpu_quota ? r->cpu_quota : 0;
	uint64_t period = r->has_cpu_period ? r->cpu_period : 0;
	int period_later = 0;

	if (shares) {
		char *back;
		uint64_t got = 0;
		if (cg_write_u64(dir, "cpu.shares", shares, e) < 0 ||
		    !(back = cg_read(dir, "cpu.shares", e)))
			return err_wrap(e, "cpu.shares");
		parse_u64(back, &got);
		free(back);
		if (shares > got)
			return err_set(e, EINVAL, "cpu.shares: the maximum allowed cpu-shares is %llu",
				       (unsigned long long)got);
		if (shares < got)
			return err_set(e, EINVAL, "cpu.shares: the minimum allowed cpu-shares is %llu",
				       (unsigned long long)got);
	}
	if (period && cg_write_u64(dir, "cpu.cfs_period_us", period, e) < 0) {
		/* A period below the current quota/parent ratio is refused: quota first. */
		if (e->no != EINVAL || !quota)
			return err_wrap(e, "cpu.period");
		period_later = 1;
	}
	if (quota && cg_write_i64(dir, "cpu.cfs_quota_us", quota, e) < 0)
		return err_wrap(e, "cpu.quota");
	if (period_later && cg_write_u64(dir, "cpu.cfs_period_us", period, e) < 0)
		return err_wrap(e, "cpu.period");
	if (r->has_cpu_burst && cg_write_u64(dir, "cpu.cfs_burst_us", r->cpu_burst, e) < 0)
		return err_wrap(e, "cpu.burst");
	if (r->has_cpu_rt_period && r->cpu_rt_period &&
	    cg_write_u64(dir, "cpu.rt_period_us", r->cpu_rt_period, e) < 0)
		return err_wrap(e, "cpu.realtimePeriod");
	if (r->has_cpu_rt_runtime && r->cpu_rt_runtime &&
	    cg_write_i64(dir, "cpu.rt_runtime_us", r->cpu_rt_runtime, e) < 0)
		return err_wrap(e, "cpu.realtimeRuntime");
	if (r->has_cpu_idle && cg_write_i64(dir, "cpu.idle", r->cpu_idle, e) < 0)
		return err_wrap(e, "cpu.idle");
	return 0;
}

static int devnum_line(char *buf, size_t sz, int64_t major, int64_t minor, const char *sep,
		       uint64_t v)
{
	return fmt_sn(buf, sz, "%lld:%lld%s%llu", (long long)major, (long long)minor, sep,
		      (unsigned long long)v);
}

int cg_v1_blkio(const char *dir, const struct spec_resources *r, struct err *e)
{
	static const char *const thr[SPEC_THR_N] = {
		"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
	};
	/* blkio.weight is CFQ's (gone since 5.0); BFQ's files have a bfq. prefix. */
	int cfq = cg_exists(dir, "blkio.weight");
	const char *wf = cfq ? "blkio.weight" : "blkio.bfq.weight";
	const char *wdf = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
	char line[96];
	size_t i, t;

	if ((r->blkio_weight || r->nblkio_weight_dev) && !cg_exists(dir, wf))
		return err_set(e, ENOTSUP, "blockIO.weight: no blkio.weight or blkio.bfq.weight "
			       "(neither CFQ nor BFQ is in use)");
	if (r->blkio_weight && cg_write_u64(dir, wf, r->blkio_weight, e) < 0)
		return err_wrap(e, "blockIO.weight");
	if (r->blkio_leaf_weight && cg_write_u64(dir, "blkio.leaf_weight", r->blkio_leaf_weight,
						 e) < 0)
		return err_wrap(e, "blockIO.leafWeight");
	for (i = 0; i < r->nblkio_weight_dev; i++) {
		const struct spec_weight_dev *w = &r->blkio_weight_dev[i];
		if (w->has_weight && w->weight) {
			devnum_line(line, sizeof line, w->major, w->minor, " ", w->weight);
			if (cg_write(dir, wdf, line, e) < 0)
				return err_wrap(e, "blockIO.weightDevice[%zu]", i);
		}
		if (w->has_leaf_weight && w->leaf_weight) {
			devnum_line(line, sizeof line, w->major, w->minor, " ", w->leaf_weight);
			if (cg_write(dir, "blkio.leaf_weight_device", line, e) < 0)
				return err_wrap(e, "blockIO.weightDevice[%zu].leafWeight", i);
		}
	}
	for (t = 0; t < SPEC_THR_N; t++)
		for (i = 0; i < r->nblkio_throttle[t]; i++) {
			const struct spec_throttle_dev *d = &r->blkio_throttle[t][i];
			devnum_line(line, sizeof line, d->major, d->minor, " ", d->rate);
			if (cg_write(dir, thr[t], line, e) < 0)
				return err_wrap(e, "blockIO.%s", thr[t] + 15);
		}
	return 0;
}

int cg_hugetlb(const char *dir, const struct spec_resources *r, const char *suffix,
	       struct err *e)
{
	size_t i;
	for (i = 0; i < r->nhugepages; i++) {
		char *f = fmt_alloc("hugetlb.%s.%s", r->hugepages[i].page_size, suffix);
		int rc = cg_exists(dir, f) ? cg_write_u64(dir, f, r->hugepages[i].limit, e)
			 : err_set(e, EINVAL, "unsupported page size \"%s\" (no %s)",
				   r->hugepages[i].page_size, f);
		free(f);
		if (rc < 0)
			return err_wrap(e, "hugepageLimits[%zu]", i);
	}
	return 0;
}

int cg_v1_hugetlb(const char *dir, const struct spec_resources *r, struct err *e)
{
	return cg_hugetlb(dir, r, "limit_in_bytes", e);
}

int cg_v1_net_cls(const char *dir, const struct spec_resources *r, struct err *e)
{
	if (r->has_net_classid && r->net_classid &&
	    cg_write_u64(dir, "net_cls.classid", r->net_classid, e) < 0)
		return err_wrap(e, "network.classID");
	return 0;
}

int cg_v1_net_prio(const char *dir, const struct spec_resources *r, struct err *e)
{
	size_t i;
	for (i = 0; i < r->nnet_prios; i++) {
		char line[128];
		fmt_sn(line, sizeof line, "%s %u", r->net_prios[i].name,
		       (unsigned)r->net_prios[i].priority);
		if (cg_write(dir, "net_prio.ifpriomap", line, e) < 0)
			return err_wrap(e, "network.priorities[%zu]", i);
	}
	return 0;
}

int cg_pids(const char *dir, const struct spec_resources *r, struct err *e)
{
	if (!r->has_pids_limit || r->pids_limit == 0)
		return 0;
	if ((r->pids_limit > 0 ? cg_write_i64(dir, "pids.max", r->pids_limit, e)
			       : cg_write(dir, "pids.max", "max", e)) < 0)
		return err_wrap(e, "pids.limit");
	return 0;
}

int cg_rdma(const char *dir, const struct spec_resources *r, struct err *e)
{
	size_t i;
	for (i = 0; i < r->nrdma; i++) {
		const struct spec_rdma *x = &r->rdma[i];
		char line[256];
		size_t n = (size_t)fmt_sn(line, sizeof line, "%s", x->device);
		if (x->has_hca_handles)
			n += (size_t)fmt_sn(line + n, sizeof line - n, " hca_handle=%u",
					    (unsigned)x->hca_handles);
		if (x->has_hca_objects)
			fmt_sn(line + n, sizeof line - n, " hca_object=%u", (unsigned)x->hca_objects);
		if (cg_write(dir, "rdma.max", line, e) < 0)
			return err_wrap(e, "rdma.%s", x->device);
	}
	return 0;
}
