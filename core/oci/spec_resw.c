/* oci/spec_resw: resources -> LinuxResources JSON (see spec_resw.h). */
#include "oci/spec_resw.h"

static void devnums(struct jw *w, int64_t major, int64_t minor)
{
	jw_ki64(w, "major", major);
	jw_ki64(w, "minor", minor);
}

static void memory(struct jw *w, const struct spec_resources *r)
{
	jw_key(w, "memory");
	jw_obj(w);
	if (r->has_mem_limit)
		jw_ki64(w, "limit", r->mem_limit);
	if (r->has_mem_reservation)
		jw_ki64(w, "reservation", r->mem_reservation);
	if (r->has_mem_swap)
		jw_ki64(w, "swap", r->mem_swap);
	if (r->has_mem_kernel)
		jw_ki64(w, "kernel", r->mem_kernel);
	if (r->has_mem_kernel_tcp)
		jw_ki64(w, "kernelTCP", r->mem_kernel_tcp);
	if (r->has_mem_swappiness)
		jw_ku64(w, "swappiness", r->mem_swappiness);
	if (r->has_disable_oom_killer)
		jw_kbool(w, "disableOOMKiller", r->disable_oom_killer);
	if (r->has_use_hierarchy)
		jw_kbool(w, "useHierarchy", r->use_hierarchy);
	jw_end(w);
}

static void cpu(struct jw *w, const struct spec_resources *r)
{
	jw_key(w, "cpu");
	jw_obj(w);
	if (r->has_cpu_shares)
		jw_ku64(w, "shares", r->cpu_shares);
	if (r->has_cpu_quota)
		jw_ki64(w, "quota", r->cpu_quota);
	if (r->has_cpu_burst)
		jw_ku64(w, "burst", r->cpu_burst);
	if (r->has_cpu_period)
		jw_ku64(w, "period", r->cpu_period);
	if (r->has_cpu_rt_runtime)
		jw_ki64(w, "realtimeRuntime", r->cpu_rt_runtime);
	if (r->has_cpu_rt_period)
		jw_ku64(w, "realtimePeriod", r->cpu_rt_period);
	if (r->cpu_cpus)
		jw_kstr(w, "cpus", r->cpu_cpus);
	if (r->cpu_mems)
		jw_kstr(w, "mems", r->cpu_mems);
	if (r->has_cpu_idle)
		jw_ki64(w, "idle", r->cpu_idle);
	jw_end(w);
}

static void blkio(struct jw *w, const struct spec_resources *r)
{
	static const char *const keys[SPEC_THR_N] = {
		"throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
		"throttleWriteIOPSDevice",
	};
	size_t i, t;

	jw_key(w, "blockIO");
	jw_obj(w);
	if (r->has_blkio_weight)
		jw_ku64(w, "weight", r->blkio_weight);
	if (r->has_blkio_leaf_weight)
		jw_ku64(w, "leafWeight", r->blkio_leaf_weight);
	if (r->nblkio_weight_dev) {
		jw_key(w, "weightDevice");
		jw_arr(w);
		for (i = 0; i < r->nblkio_weight_dev; i++) {
			const struct spec_weight_dev *d = &r->blkio_weight_dev[i];
			jw_obj(w);
			devnums(w, d->major, d->minor);
			if (d->has_weight)
				jw_ku64(w, "weight", d->weight);
			if (d->has_leaf_weight)
				jw_ku64(w, "leafWeight", d->leaf_weight);
			jw_end(w);
		}
		jw_end(w);
	}
	for (t = 0; t < SPEC_THR_N; t++) {
		if (!r->nblkio_throttle[t])
			continue;
		jw_key(w, keys[t]);
		jw_arr(w);
		for (i = 0; i < r->nblkio_throttle[t]; i++) {
			jw_obj(w);
			devnums(w, r->blkio_throttle[t][i].major, r->blkio_throttle[t][i].minor);
			jw_ku64(w, "rate", r->blkio_throttle[t][i].rate);
			jw_end(w);
		}
		jw_end(w);
	}
	jw_end(w);
}

static void rest(struct jw *w, const struct spec_resources *r)
{
	size_t i;

	if (r->nhugepages) {
		jw_key(w, "hugepageLimits");
		jw_arr(w);
		for (i = 0; i < r->nhugepages; i++) {
			jw_obj(w);
			jw_kstr(w, "pageSize", r->hugepages[i].page_size);
			jw_ku64(w, "limit", r->hugepages[i].limit);
			jw_end(w);
		}
		jw_end(w);
	}
	if (r->has_net_classid || r->nnet_prios) {
		jw_key(w, "network");
		jw_obj(w);
		if (r->has_net_classid)
			jw_ku64(w, "classID", r->net_classid);
		if (r->nnet_prios) {
			jw_key(w, "priorities");
			jw_arr(w);
			for (i = 0; i < r->nnet_prios; i++) {
				jw_obj(w);
				jw_kstr(w, "name", r->net_prios[i].name);
				jw_ku64(w, "priority", r->net_prios[i].priority);
				jw_end(w);
			}
			jw_end(w);
		}
		jw_end(w);
	}
	if (r->nrdma) {
		jw_key(w, "rdma");
		jw_obj(w);
		for (i = 0; i < r->nrdma; i++) {
			jw_key(w, r->rdma[i].device);
			jw_obj(w);
			if (r->rdma[i].has_hca_handles)
				jw_ku64(w, "hcaHandles", r->rdma[i].hca_handles);
			if (r->rdma[i].has_hca_objects)
				jw_ku64(w, "hcaObjects", r->rdma[i].hca_objects);
			jw_end(w);
		}
		jw_end(w);
	}
	if (r->nunified) {
		jw_key(w, "unified");
		jw_obj(w);
		for (i = 0; i < r->nunified; i++)
			jw_kstr(w, r->unified[i].key, r->unified[i].value);
		jw_end(w);
	}
}

void spec_res_write(struct jw *w, const struct spec_resources *r)
{
	size_t i;

	jw_obj(w);
	if (r->ndevices) {
		jw_key(w, "devices");
		jw_arr(w);
		for (i = 0; i < r->ndevices; i++) {
			const struct spec_devrule *d = &r->devices[i];
			char t[2] = { d->type, 0 };
			jw_obj(w);
			jw_kbool(w, "allow", d->allow);
			jw_kstr(w, "type", t);
			if (d->major >= 0)
				jw_ki64(w, "major", d->major);
			if (d->minor >= 0)
				jw_ki64(w, "minor", d->minor);
			jw_kstr(w, "access", d->access);
			jw_end(w);
		}
		jw_end(w);
	}
	memory(w, r);
	cpu(w, r);
	if (r->has_pids_limit) {
		jw_key(w, "pids");
		jw_obj(w);
		jw_ki64(w, "limit", r->pids_limit);
		jw_end(w);
	}
	blkio(w, r);
	rest(w, r);
	jw_end(w);
}
