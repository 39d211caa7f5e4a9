/* oci/spec_res: linux.resources -> struct spec_resources (see spec_res.h). */
#include "oci/spec_res.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "config.json: <path of obj>.<key>: missing", as spec.c words a missing member. */
static int missing(const struct json_doc *d, int obj, const char *key, struct err *e)
{
	struct err t;
	size_t n;

	json_err(d, obj, &t, "%s", "");
	n = strlen(t.msg);
	if (n >= 2 && t.msg[n - 2] == ':')
		t.msg[n - 2] = 0;
	return err_set(e, EINVAL, "%s.%s: missing", t.msg, key);
}

static int has(const struct json_doc *d, int obj, const char *key)
{
	int i = json_get(d, obj, key);
	return i >= 0 && d->t[i].type != JSON_NULL;
}

/* Optional unsigned member no larger than max (0 when absent); *flag says whether it was
 * set. */
static int opt_uint(const struct json_doc *d, int obj, const char *key, uint64_t max,
		    int *flag, uint64_t *out, struct err *e)
{
	uint64_t v = 0;
	*out = 0;
	*flag = has(d, obj, key);
	if (!*flag)
		return 0;
	if (json_opt_u64(d, obj, key, &v, e) < 0)
		return -1;
	if (v > max)
		return json_err(d, json_get(d, obj, key), e, "integer out of range");
	*out = v;
	return 0;
}

static int opt_i64(const struct json_doc *d, int obj, const char *key, int *flag,
		   int64_t *out, struct err *e)
{
	*flag = has(d, obj, key);
	return json_opt_i64(d, obj, key, out, e);
}

/* An optional array member: its index and element count, -1 when absent, -2 on error. */
static int opt_arr(const struct json_doc *d, int obj, const char *key, size_t *n,
		   struct err *e)
{
	int a = json_opt_arr(d, obj, key, e);
	*n = a >= 0 ? (size_t)d->t[a].n : 0;
	return a;
}

static int load_memory(const struct json_doc *d, int o, struct spec_resources *r,
		       struct err *e)
{
	uint64_t v = 0;
	if (opt_i64(d, o, "limit", &r->has_mem_limit, &r->mem_limit, e) < 0 ||
	    opt_i64(d, o, "reservation", &r->has_mem_reservation, &r->mem_reservation, e) < 0 ||
	    opt_i64(d, o, "swap", &r->has_mem_swap, &r->mem_swap, e) < 0 ||
	    opt_i64(d, o, "kernel", &r->has_mem_kernel, &r->mem_kernel, e) < 0 ||
	    opt_i64(d, o, "kernelTCP", &r->has_mem_kernel_tcp, &r->mem_kernel_tcp, e) < 0 ||
	    opt_uint(d, o, "swappiness", UINT64_MAX, &r->has_mem_swappiness, &v, e) < 0)
		return -1;
	r->mem_swappiness = v;
	r->has_disable_oom_killer = has(d, o, "disableOOMKiller");
	r->has_use_hierarchy = has(d, o, "useHierarchy");
	if (json_opt_bool(d, o, "disableOOMKiller", &r->disable_oom_killer, e) < 0 ||
	    json_opt_bool(d, o, "useHierarchy", &r->use_hierarchy, e) < 0)
		return -1;
	return 0;
}

static int load_cpu(const struct json_doc *d, int o, struct spec_resources *r, struct err *e)
{
	r->has_cpu_shares = has(d, o, "shares");
	r->has_cpu_period = has(d, o, "period");
	r->has_cpu_burst = has(d, o, "burst");
	r->has_cpu_rt_period = has(d, o, "realtimePeriod");
	if (json_opt_u64(d, o, "shares", &r->cpu_shares, e) < 0 ||
	    opt_i64(d, o, "quota", &r->has_cpu_quota, &r->cpu_quota, e) < 0 ||
	    json_opt_u64(d, o, "burst", &r->cpu_burst, e) < 0 ||
	    json_opt_u64(d, o, "period", &r->cpu_period, e) < 0 ||
	    opt_i64(d, o, "realtimeRuntime", &r->has_cpu_rt_runtime, &r->cpu_rt_runtime, e) < 0 ||
	    json_opt_u64(d, o, "realtimePeriod", &r->cpu_rt_period, e) < 0 ||
	    json_opt_str(d, o, "cpus", &r->cpu_cpus, e) < 0 ||
	    json_opt_str(d, o, "mems", &r->cpu_mems, e) < 0 ||
	    opt_i64(d, o, "idle", &r->has_cpu_idle, &r->cpu_idle, e) < 0)
		return -1;
	return 0;
}

static int load_major_minor(const struct json_doc *d, int i, int64_t *major, int64_t *minor,
			    struct err *e)
{
	if (json_expect(d, i, JSON_OBJ, e) < 0)
		return -1;
	if (!has(d, i, "major") || !has(d, i, "minor"))
		return missing(d, i, has(d, i, "major") ? "minor" : "major", e);
	if (json_opt_i64(d, i, "major", major, e) < 0 || json_opt_i64(d, i, "minor", minor, e) < 0)
		return -1;
	if (*major < 0 || *minor < 0 || *major > UINT32_MAX || *minor > UINT32_MAX)
		return json_err(d, json_get(d, i, *major < 0 || *major > UINT32_MAX ? "major" : "minor"),
				e, "invalid device number");
	return 0;
}

static const char *const throttle_keys[SPEC_THR_N] = {
	"throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
	"throttleWriteIOPSDevice",
};

static int load_blkio(const struct json_doc *d, int o, struct spec_resources *r, struct err *e)
{
	uint64_t v = 0;
	size_t n, k = 0, t;
	int a, i, f1, f2;

	if (opt_uint(d, o, "weight", UINT16_MAX, &r->has_blkio_weight, &v, e) < 0)
		return -1;
	r->blkio_weight = (uint16_t)v;
	if (opt_uint(d, o, "leafWeight", UINT16_MAX, &r->has_blkio_leaf_weight, &v, e) < 0)
		return -1;
	r->blkio_leaf_weight = (uint16_t)v;
	if ((a = opt_arr(d, o, "weightDevice", &n, e)) == -2)
		return -1;
	if (a >= 0) {
		r->blkio_weight_dev = xcalloc(n + 1, sizeof *r->blkio_weight_dev);
		json_for_each(d, a, i) {
			struct spec_weight_dev *w = &r->blkio_weight_dev[k];
			if (load_major_minor(d, i, &w->major, &w->minor, e) < 0 ||
			    opt_uint(d, i, "weight", UINT16_MAX, &f1, &v, e) < 0)
				return -1;
			w->has_weight = f1;
			w->weight = (uint16_t)v;
			if (opt_uint(d, i, "leafWeight", UINT16_MAX, &f2, &v, e) < 0)
				return -1;
			w->has_leaf_weight = f2;
			w->leaf_weight = (uint16_t)v;
			r->nblkio_weight_dev = ++k;
		}
	}
	for (t = 0; t < SPEC_THR_N; t++) {
		if ((a = opt_arr(d, o, throttle_keys[t], &n, e)) == -2)
			return -1;
		if (a < 0)
			continue;
		r->blkio_throttle[t] = xcalloc(n + 1, sizeof *r->blkio_throttle[t]);
		k = 0;
		json_for_each(d, a, i) {
			struct spec_throttle_dev *td = &r->blkio_throttle[t][k];
			if (load_major_minor(d, i, &td->major, &td->minor, e) < 0)
				return -1;
			if (!has(d, i, "rate"))
				return missing(d, i, "rate", e);
			if (json_opt_u64(d, i, "rate", &td->rate, e) < 0)
				return -1;
			r->nblkio_throttle[t] = ++k;
		}
	}
	return 0;
}

static int load_hugepages(const struct json_doc *d, int res, struct spec_resources *r,
			  struct err *e)
{
	size_t n, k = 0;
	int a = opt_arr(d, res, "hugepageLimits", &n, e), i;

	if (a < 0)
		return a == -2 ? -1 : 0;
	r->hugepages = xcalloc(n + 1, sizeof *r->hugepages);
	json_for_each(d, a, i) {
		struct spec_hugepage *h = &r->hugepages[k];
		if (json_expect(d, i, JSON_OBJ, e) < 0 ||
		    json_req_str(d, i, "pageSize", &h->page_size, e) < 0)
			return -1;
		if (!*h->page_size || strchr(h->page_size, '/'))
			return json_err(d, json_get(d, i, "pageSize"), e, "invalid page size \"%s\"",
					h->page_size);
		if (!has(d, i, "limit"))
			return missing(d, i, "limit", e);
		if (json_opt_u64(d, i, "limit", &h->limit, e) < 0)
			return -1;
		r->nhugepages = ++k;
	}
	return 0;
}

static int load_network(const struct json_doc *d, int o, struct spec_resources *r,
			struct err *e)
{
	uint64_t v = 0;
	size_t n, k = 0;
	int a, i;

	if (opt_uint(d, o, "classID", UINT32_MAX, &r->has_net_classid, &v, e) < 0)
		return -1;
	r->net_classid = (uint32_t)v;
	if ((a = opt_arr(d, o, "priorities", &n, e)) < 0)
		return a == -2 ? -1 : 0;
	r->net_prios = xcalloc(n + 1, sizeof *r->net_prios);
	json_for_each(d, a, i) {
		struct spec_netprio *p = &r->net_prios[k];
		int f;
		if (json_expect(d, i, JSON_OBJ, e) < 0 || json_req_str(d, i, "name", &p->name, e) < 0 ||
		    opt_uint(d, i, "priority", UINT32_MAX, &f, &v, e) < 0)
			return -1;
		p->priority = (uint32_t)v;
		r->nnet_prios = ++k;
	}
	return 0;
}

static int load_rdma(const struct json_doc *d, int res, struct spec_resources *r,
		     struct err *e)
{
	int o = json_opt_obj(d, res, "rdma", e), i;
	size_t k = 0;
	uint64_t v = 0;

	if (o < 0)
		return o == -2 ? -1 : 0;
	r->rdma = xcalloc((size_t)d->t[o].n + 1, sizeof *r->rdma);
	json_for_each(d, o, i) {
		struct spec_rdma *x = &r->rdma[k];
		if (json_expect(d, i, JSON_OBJ, e) < 0)
			return -1;
		x->device = d->t[i].key;
		if (!*x->device || strchr(x->device, ' ') || strchr(x->device, '\n'))
			return json_err(d, i, e, "invalid rdma device name");
		if (opt_uint(d, i, "hcaHandles", UINT32_MAX, &x->has_hca_handles, &v, e) < 0)
			return -1;
		x->hca_handles = (uint32_t)v;
		if (opt_uint(d, i, "hcaObjects", UINT32_MAX, &x->has_hca_objects, &v, e) < 0)
			return -1;
		x->hca_objects = (uint32_t)v;
		r->nrdma = ++k;
	}
	return 0;
}

static int load_unified(const struct json_doc *d, int res, struct spec_resources *r,
			struct err *e)
{
	int o = json_opt_obj(d, res, "unified", e), i;
	size_t k = 0;

	if (o < 0)
		return o == -2 ? -1 : 0;
	r->unified = xcalloc((size_t)d->t[o].n + 1, sizeof *r->unified);
	json_for_each(d, o, i) {
		struct spec_res_kv *kv = &r->unified[k];
		if (json_str(d, i, &kv->value, e) < 0)
			return -1;
		kv->key = d->t[i].key;
		if (strlen(kv->key) != d->t[i].keylen || !*kv->key)
			return json_err(d, i, e, "invalid unified key");
		if (strchr(kv->key, '/'))
			return json_err(d, i, e, "unified resource \"%s\" must be a file name (no "
					"slashes)", kv->key);
		r->nunified = ++k;
	}
	return 0;
}

static int load_devrules(const struct json_doc *d, int res, struct spec_resources *r,
			 struct err *e)
{
	size_t n, k = 0;
	int a = opt_arr(d, res, "devices", &n, e), i;

	if (a < 0)
		return a == -2 ? -1 : 0;
	r->devices = xcalloc(n + 1, sizeof *r->devices);
	json_for_each(d, a, i) {
		struct spec_devrule *x = &r->devices[k];
		const char *type = "a";
		if (json_expect(d, i, JSON_OBJ, e) < 0)
			return -1;
		if (!has(d, i, "allow"))
			return missing(d, i, "allow", e);
		x->major = x->minor = -1;
		x->access = "";
		if (json_opt_bool(d, i, "allow", &x->allow, e) < 0 ||
		    json_opt_str(d, i, "type", &type, e) < 0 ||
		    json_opt_i64(d, i, "major", &x->major, e) < 0 ||
		    json_opt_i64(d, i, "minor", &x->minor, e) < 0 ||
		    json_opt_str(d, i, "access", &x->access, e) < 0)
			return -1;
		if (!*type)
			type = "a";
		if (strlen(type) != 1 || !strchr("abc", type[0]))
			return json_err(d, json_get(d, i, "type"), e,
					"invalid device rule type \"%s\"", type);
		x->type = type[0];
		if (x->major < -1 || x->minor < -1 || x->major > UINT32_MAX || x->minor > UINT32_MAX)
			return json_err(d, json_get(d, i, x->major < -1 || x->major > UINT32_MAX ?
						    "major" : "minor"), e, "invalid device number");
		if (!*x->access)
			return json_err(d, i, e, "device access at %zu field cannot be empty", k);
		for (const char *c = x->access; *c; c++)
			if (!strchr("rwm", *c) || strchr(c + 1, *c))
				return json_err(d, json_get(d, i, "access"), e,
						"invalid device access \"%s\"", x->access);
		r->ndevices = ++k;
	}
	return 0;
}

int spec_res_parse(const struct json_doc *d, int res, struct spec_resources *r, struct err *e)
{
	int o;

	if (res == -2)
		return -1;   /* json_opt_obj's "wrong type", err already set */
	if (res < 0)
		return 0;
	if (json_expect(d, res, JSON_OBJ, e) < 0)
		return -1;
	r->present = 1;
	if ((o = json_opt_obj(d, res, "memory", e)) == -2 || (o >= 0 && load_memory(d, o, r, e) < 0))
		return -1;
	if ((o = json_opt_obj(d, res, "cpu", e)) == -2 || (o >= 0 && load_cpu(d, o, r, e) < 0))
		return -1;
	if ((o = json_opt_obj(d, res, "pids", e)) == -2)
		return -1;
	if (o >= 0 && opt_i64(d, o, "limit", &r->has_pids_limit, &r->pids_limit, e) < 0)
		return -1;
	if ((o = json_opt_obj(d, res, "blockIO", e)) == -2 || (o >= 0 && load_blkio(d, o, r, e) < 0))
		return -1;
	if ((o = json_opt_obj(d, res, "network", e)) == -2 ||
	    (o >= 0 && load_network(d, o, r, e) < 0))
		return -1;
	if (load_hugepages(d, res, r, e) < 0 || load_rdma(d, res, r, e) < 0 ||
	    load_unified(d, res, r, e) < 0 || load_devrules(d, res, r, e) < 0)
		return -1;
	return 0;
}

void spec_res_free(struct spec_resources *r)
{
	size_t t;

	free(r->blkio_weight_dev);
	for (t = 0; t < SPEC_THR_N; t++)
		free(r->blkio_throttle[t]);
	free(r->hugepages);
	free(r->net_prios);
	free(r->rdma);
	free(r->unified);
	free(r->devices);
	memset(r, 0, sizeof *r);
}
