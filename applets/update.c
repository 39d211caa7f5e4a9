/* update: `crbox update [flags] <id>` as `runc update` (1.1.5): the resource flags, or -r
 * FILE|- (a LinuxResources document; then every other flag is ignored), merged into the
 * container's resources with runc's rules (cgroup/update.h), applied through the cgroup
 * module without touching device rules, and recorded in <root>/<id>/resources.json. A
 * stopped container gives "container not running". Lock: exclusive. */
#include "common.h"
#include "lifecycle.h"
#include "buf.h"
#include "cgroup/cgroup.h"
#include "cgroup/update.h"
#include "ctr.h"
#include "fmt.h"
#include "fsutil.h"
#include "oci/spec_res.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct uopts {
	const char *resources, *cpu_period, *cpu_quota, *cpu_share, *cpu_rt_period,
		*cpu_rt_runtime, *cpuset_cpus, *cpuset_mems, *kmem, *kmem_tcp, *memory,
		*memory_reservation, *memory_swap, *l3, *mem_bw;
	int blkio_weight, pids_limit;
};

#define S struct uopts
static const struct opt tab[] = {
	OPT("resources", "r", OPT_STR, S, resources, "value",
	    "path to the file containing the resources to update or '-' to read from the standard "
	    "input (a LinuxResources document; all other options are then ignored)"),
	OPT("blkio-weight", NULL, OPT_INT, S, blkio_weight, "value",
	    "Specifies per cgroup weight, range is from 10 to 1000 (default: 0)"),
	OPT("cpu-period", NULL, OPT_STR, S, cpu_period, "value",
	    "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"),
	OPT("cpu-quota", NULL, OPT_STR, S, cpu_quota, "value",
	    "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"),
	OPT("cpu-share", NULL, OPT_STR, S, cpu_share, "value",
	    "CPU shares (relative weight vs. other containers)"),
	OPT("cpu-rt-period", NULL, OPT_STR, S, cpu_rt_period, "value",
	    "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"),
	OPT("cpu-rt-runtime", NULL, OPT_STR, S, cpu_rt_runtime, "value",
	    "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"),
	OPT("cpuset-cpus", NULL, OPT_STR, S, cpuset_cpus, "value", "CPU(s) to use"),
	OPT("cpuset-mems", NULL, OPT_STR, S, cpuset_mems, "value", "Memory node(s) to use"),
	OPT("kernel-memory", NULL, OPT_STR, S, kmem, "value", "Kernel memory limit (in bytes)"),
	OPT("kernel-memory-tcp", NULL, OPT_STR, S, kmem_tcp, "value",
	    "Kernel memory limit (in bytes) for tcp buffer"),
	OPT("memory", NULL, OPT_STR, S, memory, "value", "Memory limit (in bytes)"),
	OPT("memory-reservation", NULL, OPT_STR, S, memory_reservation, "value",
	    "Memory reservation or soft_limit (in bytes)"),
	OPT("memory-swap", NULL, OPT_STR, S, memory_swap, "value",
	    "Total memory usage (memory + swap); set '-1' to enable unlimited swap"),
	OPT("pids-limit", NULL, OPT_INT, S, pids_limit, "value",
	    "Maximum number of pids allowed in the container (default: 0)"),
	OPT("l3-cache-schema", NULL, OPT_STR, S, l3, "value",
	    "The string of Intel RDT/CAT L3 cache schema"),
	OPT("mem-bw-schema", NULL, OPT_STR, S, mem_bw, "value",
	    "The string of Intel RDT/MBA memory bandwidth schema"),
};
#undef S

static const struct applet_info info = {
	"update", "update container resource constraints",
	"[command options] <container-id>",
	"Changes the cgroup limits of a running or paused container, as runc 1.1 does: the\n"
	"runc fields (memory limit/reservation/swap, cpu shares/quota/period/realtime/cpus/mems,\n"
	"blkio weight, pids limit, unified) are replaced, absent ones by 0 (\"leave the file\n"
	"alone\"); with --resources the document's other fields replace the current ones too.\n"
	"Device rules are never changed. The result is kept in <root>/<id>/resources.json.",
	tab, sizeof tab / sizeof tab[0],
};

static int parse_num(const char *flag, const char *v, int is_signed, void *out, struct err *e)
{
	int r = is_signed ? parse_i64(v, out) : parse_u64(v, out);
	if (r < 0)
		return err_set(e, EINVAL, "invalid value for %s: strconv.Parse%s: parsing \"%s\": "
			       "invalid syntax", flag, is_signed ? "Int" : "Uint", v);
	return 0;
}

static int parse_mem(const char *flag, const char *v, int *has, int64_t *out, struct err *e)
{
	*has = 1;
	if (!strcmp(v, "-1")) {
		*out = -1;
		return 0;
	}
	if (cgroup_ram_in_bytes(v, out, e) < 0)
		return err_wrap(e, "invalid value for %s", flag);
	return 0;
}

/* The flag form into u->r (runc only looks at non-empty values). */
static int from_flags(const struct uopts *o, struct cgroup_update *u, struct err *e)
{
	struct spec_resources *r = &u->r;

	if (o->blkio_weight < 0 || o->blkio_weight > 65535)
		return err_set(e, EINVAL, "invalid value for blkio-weight: %d", o->blkio_weight);
	r->has_blkio_weight = o->blkio_weight != 0;
	r->blkio_weight = (uint16_t)o->blkio_weight;
	if (o->cpuset_cpus && *o->cpuset_cpus)
		r->cpu_cpus = o->cpuset_cpus;
	if (o->cpuset_mems && *o->cpuset_mems)
		r->cpu_mems = o->cpuset_mems;
	if ((o->cpu_period && *o->cpu_period &&
	     parse_num("cpu-period", o->cpu_period, 0, &r->cpu_period, e) < 0) ||
	    (o->cpu_rt_period && *o->cpu_rt_period &&
	     parse_num("cpu-rt-period", o->cpu_rt_period, 0, &r->cpu_rt_period, e) < 0) ||
	    (o->cpu_share && *o->cpu_share &&
	     parse_num("cpu-share", o->cpu_share, 0, &r->cpu_shares, e) < 0) ||
	    (o->cpu_quota && *o->cpu_quota &&
	     parse_num("cpu-quota", o->cpu_quota, 1, &r->cpu_quota, e) < 0) ||
	    (o->cpu_rt_runtime && *o->cpu_rt_runtime &&
	     parse_num("cpu-rt-runtime", o->cpu_rt_runtime, 1, &r->cpu_rt_runtime, e) < 0))
		return -1;
	r->has_cpu_period = o->cpu_period && *o->cpu_period;
	r->has_cpu_rt_period = o->cpu_rt_period && *o->cpu_rt_period;
	r->has_cpu_shares = o->cpu_share && *o->cpu_share;
	r->has_cpu_quota = o->cpu_quota && *o->cpu_quota;
	r->has_cpu_rt_runtime = o->cpu_rt_runtime && *o->cpu_rt_runtime;
	if ((o->memory && *o->memory &&
	     parse_mem("memory", o->memory, &r->has_mem_limit, &r->mem_limit, e) < 0) ||
	    (o->memory_swap && *o->memory_swap &&
	     parse_mem("memory-swap", o->memory_swap, &r->has_mem_swap, &r->mem_swap, e) < 0) ||
	    (o->kmem && *o->kmem &&
	     parse_mem("kernel-memory", o->kmem, &r->has_mem_kernel, &r->mem_kernel, e) < 0) ||
	    (o->kmem_tcp && *o->kmem_tcp &&
	     parse_mem("kernel-memory-tcp", o->kmem_tcp, &r->has_mem_kernel_tcp,
		       &r->mem_kernel_tcp, e) < 0) ||
	    (o->memory_reservation && *o->memory_reservation &&
	     parse_mem("memory-reservation", o->memory_reservation, &r->has_mem_reservation,
		       &r->mem_reservation, e) < 0))
		return -1;
	r->has_pids_limit = 1;
	r->pids_limit = o->pids_limit;
	return 0;
}

/* -r FILE|-: the document stays alive in *d (u->r points into it). */
static int from_file(const char *path, struct json_doc *d, struct cgroup_update *u,
		     struct err *e)
{
	struct buf b = BUF_INIT;

	u->from_file = 1;
	if (!strcmp(path, "-")) {
		char chunk[4096];
		ssize_t n;
		while ((n = read(0, chunk, sizeof chunk)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				buf_free(&b);
				return err_sys(e, "read resources from stdin");
			}
			buf_add(&b, chunk, (size_t)n);
		}
		buf_addc(&b, 0);
		if (json_parse(d, "resources", b.p, b.len - 1, e) < 0) {
			buf_free(&b);
			return -1;
		}
		d->buf = buf_take(&b);
	} else if (json_load(d, AT_FDCWD, path, NULL, e) < 0) {
		return -1;
	}
	return spec_res_parse(d, 0, &u->r, e);
}

int update_main(int argc, char **argv)
{
	struct uopts o;
	struct state st;
	struct cgroup_update u;
	struct cgroup_record rec;
	struct cgroup_paths cg = { 0 };
	struct json_doc doc;
	struct err e;
	const char *status;
	char **pos;
	int npos, rc, rootfd = -1, dirfd = -1, warn;

	memset(&o, 0, sizeof o);
	memset(&st, 0, sizeof st);
	memset(&u, 0, sizeof u);
	memset(&rec, 0, sizeof rec);
	memset(&doc, 0, sizeof doc);
	if (applet_args(argc, argv, &info, &o, NULL, &pos, &npos, 1, &rc))
		return rc;
	rc = 1;
	if (lc_load(pos[0], STATE_LOCK_EX, &rootfd, &dirfd, &st, &e) < 0)
		goto fail;
	if (!(status = lc_status(&st, dirfd, &e)))
		goto fail;
	if (!strcmp(status, "stopped")) {
		err_set(&e, 0, "container not running");
		goto fail;
	}
	if ((o.resources && *o.resources ? from_file(o.resources, &doc, &u, &e)
					 : from_flags(&o, &u, &e)) < 0)
		goto fail;
	/* No Intel RDT support: runc's answer on a host without it. */
	if (o.l3 && *o.l3) {
		err_set(&e, 0, "Intel RDT/CAT: l3 cache schema is not enabled");
		goto fail;
	}
	if (o.mem_bw && *o.mem_bw) {
		err_set(&e, 0, "Intel RDT/MBA: memory bandwidth schema is not enabled");
		goto fail;
	}
	if (cgroup_record_load(dirfd, st.bundle, &rec, &e) < 0)
		goto fail;
	warn = cgroup_update_merge(&rec.res, &u);
	if (warn & CG_UPD_WARN_KMEM)
		log_warn("Kernel memory settings are ignored and will be removed");
	if (warn & CG_UPD_WARN_DEVICES)
		log_warn("update: device rules are not updated (as in runc)");
	ctr_cgroups(&st, &cg);
	if (cgroup_apply_limits(&cg, &rec.res, &e) < 0 || cgroup_record_save(dirfd, &rec.res, &e) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	report(&e);
out:
	cgroup_paths_free(&cg);
	cgroup_record_free(&rec);
	spec_res_free(&u.r);
	json_free(&doc);
	lc_close(rootfd, dirfd, &st);
	return rc;
}
