/* cgroup/update: `update` on a container's resources, with runc 1.1's semantics, and the
 * record of the resources in force (<state dir>/resources.json, a LinuxResources document;
 * until the first update the bundle's config.json linux.resources is the record). */
#ifndef CRBOX_CGROUP_UPDATE_H
#define CRBOX_CGROUP_UPDATE_H
#include "err.h"
#include "json.h"
#include "spec.h"

/* What update asks for. The fields runc 1.1's update copies (memory limit, reservation,
 * swap; cpu shares, quota, period, realtime runtime/period, cpus, mems; blockIO weight; pids
 * limit; unified) always replace the current ones, absent reading as 0 / "" / none ("0 =
 * leave the cgroup file alone", stored as 0), except that quota or period alone keeps the
 * other's old value. Other fields (only from -r FILE) replace the current ones when set.
 * Device rules are never updated (runc's SkipDevices). */
struct cgroup_update {
	struct spec_resources r;
	int from_file;              /* r came from -r (a LinuxResources document) */
};
enum { CG_UPD_WARN_KMEM = 1, CG_UPD_WARN_DEVICES = 2 };
/* Merges u into cur (arrays move from u->r into cur). Returns CG_UPD_WARN_* bits for what
 * was asked and is ignored: kernel memory (runc: "Kernel memory settings are ignored and
 * will be removed"), device rules. */
int cgroup_update_merge(struct spec_resources *cur, struct cgroup_update *u);

/* The resources in force for a container: resources.json in dirfd if present, else
 * linux.resources of <bundle>/config.json. */
struct cgroup_record {
	struct spec_resources res;
	struct json_doc doc;        /* resources.json, when it was the source */
	struct spec spec;           /* config.json, when it was the source */
};
int cgroup_record_load(int dirfd, const char *bundle, struct cgroup_record *rec,
		       struct err *e);
void cgroup_record_free(struct cgroup_record *rec);
/* Writes r as dirfd/resources.json atomically (temp file, rename; no fsync, as state.json). */
int cgroup_record_save(int dirfd, const struct spec_resources *r, struct err *e);

/* go-units' RAMInBytes: "100m", "1.5g", "512k", "1024", binary units (k = 1024), an
 * optional "i" and "b" after the unit. -1 with "invalid size: '<s>'". */
int cgroup_ram_in_bytes(const char *s, int64_t *out, struct err *e);

#endif
