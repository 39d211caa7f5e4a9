/* spec: <bundle>/config.json (the OCI runtime spec) read into plain structs holding what
 * checkpoint, restore and state need, validated as runc validates it, with errors that name
 * the offending field ("config.json: .linux.namespaces[2].type: unknown namespace type ...").
 * Strings: every const char * in struct spec points either into the parsed document (kept
 * alive in s->doc) or into heap strings owned by the spec (bundle, root_path, resolved bind
 * sources). All of them stay valid until spec_free(). Unknown fields are ignored. */
#ifndef CRBOX_SPEC_H
#define CRBOX_SPEC_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "json.h"

/* The OCI namespace types, with runc's names for them and the /proc/<pid>/ns/ file name. */
struct spec_nstype {
	const char *oci;    /* "network" */
	const char *runc;   /* "NEWNET" (runc's state.json namespace_paths keys) */
	const char *proc;   /* "net" (/proc/<pid>/ns/net) */
	int clone;          /* CLONE_NEWNET */
};
#define SPEC_NS_N 8
/* In runc's order: NEWNET NEWPID NEWNS NEWUTS NEWIPC NEWUSER NEWCGROUP NEWTIME. */
extern const struct spec_nstype spec_nstypes[SPEC_NS_N];
/* The entry whose oci name is `oci`, or NULL. */
const struct spec_nstype *spec_nstype_find(const char *oci);

struct spec_ns {
	const char *type;               /* OCI type, validated: "pid", "network", ... */
	const char *path;               /* NULL when absent or "" */
	const struct spec_nstype *nt;   /* never NULL */
};

struct spec_mount {
	const char *destination;        /* required, as written */
	const char *type;               /* "" when absent */
	const char *source;             /* "" when absent; bind sources made absolute (below) */
	const char **options;
	size_t noptions;
	int bind;       /* type "bind" or an option "bind"/"rbind" (runc's device "bind") */
	int rbind;      /* an option "rbind" */
};

/* A linux.resources.devices rule (device cgroup allow/deny). */
struct spec_devrule {
	int allow;
	char type;                      /* 'a' (also when absent), 'b' or 'c' */
	int64_t major, minor;           /* -1: absent (wildcard) */
	const char *access;             /* "" when absent; only letters from "rwm" */
};

/* linux.resources.blockIO.weightDevice[] */
struct spec_weight_dev {
	int64_t major, minor;
	int has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};
/* linux.resources.blockIO.throttle*Device[] */
struct spec_throttle_dev {
	int64_t major, minor;
	uint64_t rate;
};
enum { SPEC_THR_READ_BPS, SPEC_THR_WRITE_BPS, SPEC_THR_READ_IOPS, SPEC_THR_WRITE_IOPS,
       SPEC_THR_N };
struct spec_hugepage {              /* linux.resources.hugepageLimits[] */
	const char *page_size;          /* "2MB", "1GB", ... */
	uint64_t limit;
};
struct spec_netprio {               /* linux.resources.network.priorities[] */
	const char *name;
	uint32_t priority;
};
struct spec_rdma {                  /* linux.resources.rdma.<device> */
	const char *device;
	int has_hca_handles, has_hca_objects;
	uint32_t hca_handles, hca_objects;
};
struct spec_res_kv {                /* linux.resources.unified.<key> */
	const char *key, *value;
};

/* All of linux.resources (core/oci/spec_res.c); has_* say whether a field was set. */
struct spec_resources {
	int present;                    /* the linux.resources object exists */
	/* memory */
	int has_mem_limit, has_mem_reservation, has_mem_swap;
	int64_t mem_limit, mem_reservation, mem_swap;
	int has_mem_kernel, has_mem_kernel_tcp, has_mem_swappiness;
	int64_t mem_kernel, mem_kernel_tcp;
	uint64_t mem_swappiness;
	int has_disable_oom_killer, disable_oom_killer;
	int has_use_hierarchy, use_hierarchy;
	/* cpu */
	int has_cpu_shares, has_cpu_quota, has_cpu_period;
	uint64_t cpu_shares;
	int64_t cpu_quota;
	uint64_t cpu_period;
	int has_cpu_burst, has_cpu_rt_runtime, has_cpu_rt_period, has_cpu_idle;
	uint64_t cpu_burst;
	int64_t cpu_rt_runtime;
	uint64_t cpu_rt_period;
	int64_t cpu_idle;
	const char *cpu_cpus, *cpu_mems;   /* NULL when absent */
	/* pids */
	int has_pids_limit;
	int64_t pids_limit;
	/* blockIO */
	int has_blkio_weight, has_blkio_leaf_weight;
	uint16_t blkio_weight, blkio_leaf_weight;
	struct spec_weight_dev *blkio_weight_dev;
	size_t nblkio_weight_dev;
	struct spec_throttle_dev *blkio_throttle[SPEC_THR_N];
	size_t nblkio_throttle[SPEC_THR_N];
	/* hugepageLimits */
	struct spec_hugepage *hugepages;
	size_t nhugepages;
	/* network */
	int has_net_classid;
	uint32_t net_classid;
	struct spec_netprio *net_prios;
	size_t nnet_prios;
	/* rdma, unified (object order) */
	struct spec_rdma *rdma;
	size_t nrdma;
	struct spec_res_kv *unified;
	size_t nunified;
	/* devices */
	struct spec_devrule *devices;
	size_t ndevices;
	/* linux.devices (not part of resources; set by spec_load): a default allowed device
	 * whose path is listed there is not added to the rules (runc's createDevices). */
	const struct spec_device *linux_devices;
	size_t nlinux_devices;
};

/* A linux.devices entry (a device node created in the container). */
struct spec_device {
	const char *path;
	char type;                      /* 'c', 'b', 'u' or 'p' */
	int64_t major, minor;           /* 0 for 'p' when absent */
	uint32_t file_mode;             /* 0666 when absent (runc's default) */
	int has_file_mode;
	uint32_t uid, gid;              /* 0 when absent */
};

struct spec_idmap {
	uint32_t container_id, host_id, size;
};

struct spec_hook {
	const char *path;               /* required, non-empty */
	const char **args;              /* NULL-terminated too; nargs excludes the NULL */
	size_t nargs;
	const char **env;               /* NULL-terminated too */
	size_t nenv;
	int timeout;                    /* seconds, 0 when absent (must be > 0 when present) */
};

enum spec_hook_kind {
	SPEC_HOOK_PRESTART, SPEC_HOOK_CREATE_RUNTIME, SPEC_HOOK_CREATE_CONTAINER,
	SPEC_HOOK_START_CONTAINER, SPEC_HOOK_POSTSTART, SPEC_HOOK_POSTSTOP, SPEC_HOOK_N
};
/* "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" */
extern const char *const spec_hook_names[SPEC_HOOK_N];

struct spec_kv {
	const char *key, *value;
};

struct spec {
	struct json_doc doc;            /* owns the buffer the strings point into */
	char *bundle;                   /* absolute, symlinks resolved (runc's getwd after chdir) */
	const char *oci_version;        /* "" when absent */
	const char *root_path;          /* absolute: relative paths joined with bundle and cleaned */
	int root_readonly;
	/* process */
	int terminal;
	const char *cwd;                /* non-empty, absolute */
	const char **args;              /* non-empty, NULL-terminated too */
	size_t nargs;
	uint32_t uid, gid;              /* process.user, 0 when absent */
	const char *hostname;           /* NULL when absent */
	struct spec_mount *mounts;
	size_t nmounts;
	/* linux */
	struct spec_ns *namespaces;     /* config order, no duplicate types */
	size_t nnamespaces;
	const char *cgroups_path;       /* NULL when absent */
	struct spec_resources res;
	struct spec_device *devices;
	size_t ndevices;
	const char **masked_paths;
	size_t nmasked_paths;
	const char **readonly_paths;
	size_t nreadonly_paths;
	const char *mount_label;        /* NULL when absent */
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t nuid_mappings, ngid_mappings;
	struct spec_hook *hooks[SPEC_HOOK_N];
	size_t nhooks[SPEC_HOOK_N];
	struct spec_kv *annotations;    /* document order; a repeated key keeps its first place
	                                 * and its last value (Go map semantics) */
	size_t nannotations;
	/* private: heap strings owned by the spec */
	char **owned;
	size_t nowned;
};

/* Loads and validates <bundle_dir>/config.json (bundle_dir may be relative to the cwd).
 * A missing file gives runc's "JSON specification file config.json not found" (e->no =
 * ENOENT). On failure *s is left empty (spec_free is still safe). */
int spec_load(struct spec *s, const char *bundle_dir, struct err *e);
/* Same, from a buffer (parsed in place; it must stay alive until spec_free). bundle_abs is
 * taken as the bundle directory without touching the file system. For tests and fuzzing. */
int spec_parse(struct spec *s, char *buf, size_t len, const char *bundle_abs, struct err *e);
void spec_free(struct spec *s);

/* The namespace entry of OCI type `type` ("network", "pid", ...), or NULL. */
const struct spec_ns *spec_ns_find(const struct spec *s, const char *type);
/* 1 if the config asks for namespace `type` (with or without a path), else 0. */
int spec_has_ns(const struct spec *s, const char *type);
/* The annotation's value, or NULL when absent. */
const char *spec_annotation(const struct spec *s, const char *key);
/* The absolute rootfs path. */
const char *spec_rootfs(const struct spec *s);

/* Lexical path join and clean (Go's filepath.Join): "a/b" + "../c" -> "a/c". Heap result. */
char *spec_path_join(const char *base, const char *rel);

#endif
