/* cgroup/update: runc 1.1's update merge, the resources record, RAMInBytes (update.h). */
#include "cgroup/update.h"
#include "oci/spec_res.h"
#include "oci/spec_resw.h"
#include "buf.h"
#include "fmt.h"
#include "jsonw.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>      /* renameat only (a plain syscall wrapper) */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MOVE(f, nf) do {                                  \
		free(cur->f);                             \
		cur->f = u->r.f;                          \
		cur->nf = u->r.nf;                        \
		u->r.f = NULL;                            \
		u->r.nf = 0;                              \
	} while (0)

int cgroup_update_merge(struct spec_resources *cur, struct cgroup_update *u)
{
	struct spec_resources *n = &u->r;
	int warn = 0;
	size_t t;

	if ((n->has_mem_kernel && n->mem_kernel) || (n->has_mem_kernel_tcp && n->mem_kernel_tcp))
		warn |= CG_UPD_WARN_KMEM;
	if (n->ndevices)
		warn |= CG_UPD_WARN_DEVICES;
	/* runc's fields: always replaced, absent = 0 */
	cur->has_mem_limit = cur->has_mem_reservation = cur->has_mem_swap = 1;
	cur->mem_limit = n->has_mem_limit ? n->mem_limit : 0;
	cur->mem_reservation = n->has_mem_reservation ? n->mem_reservation : 0;
	cur->mem_swap = n->has_mem_swap ? n->mem_swap : 0;
	cur->has_cpu_shares = 1;
	cur->cpu_shares = n->has_cpu_shares ? n->cpu_shares : 0;
	{
		uint64_t p = n->has_cpu_period ? n->cpu_period : 0;
		int64_t q = n->has_cpu_quota ? n->cpu_quota : 0;
		if ((p == 0 && q == 0) || (p != 0 && q != 0)) {
			cur->has_cpu_period = cur->has_cpu_quota = 1;
			cur->cpu_period = p;
			cur->cpu_quota = q;
		} else if (p) {
			cur->has_cpu_period = 1;
			cur->cpu_period = p;
		} else {
			cur->has_cpu_quota = 1;
			cur->cpu_quota = q;
		}
	}
	cur->has_cpu_rt_period = cur->has_cpu_rt_runtime = 1;
	cur->cpu_rt_period = n->has_cpu_rt_period ? n->cpu_rt_period : 0;
	cur->cpu_rt_runtime = n->has_cpu_rt_runtime ? n->cpu_rt_runtime : 0;
	cur->cpu_cpus = n->cpu_cpus ? n->cpu_cpus : "";
	cur->cpu_mems = n->cpu_mems ? n->cpu_mems : "";
	cur->has_blkio_weight = 1;
	cur->blkio_weight = n->has_blkio_weight ? n->blkio_weight : 0;
	cur->has_pids_limit = 1;
	cur->pids_limit = n->has_pids_limit ? n->pids_limit : 0;
	MOVE(unified, nunified);
	if (!u->from_file)
		return warn;
	/* The rest of a LinuxResources document: replaced when given. */
#define TAKE(f) do { if (n->has_##f) { cur->has_##f = 1; cur->f = n->f; } } while (0)
	if (n->has_mem_swappiness) {
		cur->has_mem_swappiness = 1;
		cur->mem_swappiness = n->mem_swappiness;
	}
	TAKE(disable_oom_killer);
	TAKE(use_hierarchy);
	TAKE(cpu_burst);
	TAKE(cpu_idle);
	TAKE(blkio_leaf_weight);
	TAKE(net_classid);
#undef TAKE
	if (n->nblkio_weight_dev)
		MOVE(blkio_weight_dev, nblkio_weight_dev);
	for (t = 0; t < SPEC_THR_N; t++)
		if (n->nblkio_throttle[t])
			MOVE(blkio_throttle[t], nblkio_throttle[t]);
	if (n->nhugepages)
		MOVE(hugepages, nhugepages);
	if (n->nnet_prios)
		MOVE(net_prios, nnet_prios);
	if (n->nrdma)
		MOVE(rdma, nrdma);
	return warn;
}

int cgroup_record_load(int dirfd, const char *bundle, struct cgroup_record *rec,
		       struct err *e)
{
	memset(rec, 0, sizeof *rec);
	if (json_load(&rec->doc, dirfd, "resources.json", NULL, e) == 0)
		return spec_res_parse(&rec->doc, 0, &rec->res, e);
	if (e->no != ENOENT)
		return -1;
	if (spec_load(&rec->spec, bundle, e) < 0)
		return err_wrap(e, "the container's resources (bundle %s)", bundle);
	rec->res = rec->spec.res;               /* moved: spec_free must not free the arrays */
	memset(&rec->spec.res, 0, sizeof rec->spec.res);
	return 0;
}

void cgroup_record_free(struct cgroup_record *rec)
{
	spec_res_free(&rec->res);
	json_free(&rec->doc);
	spec_free(&rec->spec);
}

int cgroup_record_save(int dirfd, const struct spec_resources *r, struct err *e)
{
	struct buf b = BUF_INIT;
	struct jw w;
	int fd, rc = -1;

	jw_init(&w, &b, 0);
	spec_res_write(&w, r);
	buf_addc(&b, '\n');
	unlinkat(dirfd, "resources.json.tmp", 0);
	fd = openat(dirfd, "resources.json.tmp", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0) {
		err_sys(e, "create resources.json.tmp");
		goto out;
	}
	if (write_all(fd, b.p, b.len) < 0) {
		err_sys(e, "write resources.json.tmp");
		close(fd);
		unlinkat(dirfd, "resources.json.tmp", 0);
		goto out;
	}
	close(fd);
	if (renameat(dirfd, "resources.json.tmp", dirfd, "resources.json") < 0) {
		err_sys(e, "rename resources.json");
		unlinkat(dirfd, "resources.json.tmp", 0);
		goto out;
	}
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

int cgroup_ram_in_bytes(const char *s, int64_t *out, struct err *e)
{
	static const char units[] = "kmgtp";
	const char *p = s, *u;
	double v = 0, frac = 0.1;
	int digits = 0, shift = 0;

	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits)
		goto bad;
	if (*p == '.') {      /* "1.5g" */
		int fd = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (frac > 1e-12)
				v += (*p - '0') * frac;
			frac /= 10;
			p++;
			fd++;
		}
		if (!fd)
			goto bad;
	}
	if (*p == ' ')
		p++;
	if (*p && (u = strchr(units, *p | 0x20)) != NULL) {
		shift = 10 * (int)(u - units + 1);
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		goto bad;
	v *= (double)((uint64_t)1 << shift);
	if (v >= 9223372036854775807.0)
		goto bad;
	*out = (int64_t)v;
	return 0;
bad:
	return err_set(e, EINVAL, "invalid size: '%s'", s);
}
