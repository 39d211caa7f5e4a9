/* state: the container state directory <root>/<id>/ and its state.json (ours, versioned by
 * "crbox_state_version"), the OCI state status and the OCI state JSON `runc state` prints.
 * Locking: flock(2) on the state directory's own fd (no lock file); the lock belongs to the
 * open file description, so it lives while that fd or any dup/forked copy stays open (a
 * forked child that does not exec must close it; O_CLOEXEC covers exec). Files inside are
 * opened relative to the directory fd with O_NOFOLLOW. Strings in struct state are owned heap
 * strings. */
#ifndef CRBOX_STATE_H
#define CRBOX_STATE_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "buf.h"
#include "err.h"
#include "jsonw.h"
#include "spec.h"

#define STATE_VERSION 1

struct state_kv {
	char *key, *value;
};

struct state_ns {               /* a namespace from config.json */
	char *type;                 /* OCI type: "network", "pid", ... */
	char *path;                 /* NULL when the config gives none */
};

struct state_mount {            /* a mount from config.json (bind sources absolute) */
	char *destination, *type, *source;
	int bind;
};

struct state_hook {
	char *path;
	char **args;                /* NULL-terminated too */
	size_t nargs;
	char **env;                 /* NULL-terminated too */
	size_t nenv;
	int timeout;                /* seconds, 0: none */
	int has_env;                /* "env" was given (an empty list is an empty environment;
				     * without it the hook inherits ours, as in runc) */
};

struct state {
	char *id;
	int pid;                    /* init pid in the host pid namespace */
	uint64_t start_time;        /* field 22 of /proc/<pid>/stat */
	char *created;              /* RFC3339Nano UTC, see state_time_format */
	char *bundle, *rootfs;      /* absolute */
	char *oci_version;
	struct state_kv *annotations;   /* ordered as in config.json */
	size_t nannotations;
	struct state_kv *cgroup_paths;  /* controller -> absolute dir; "" is the unified dir */
	size_t ncgroup_paths;
	struct state_kv *ns_paths;      /* "NEWNET", "NEWPID", ..., "NEWTIME" -> path */
	size_t nns_paths;
	char *ext_desc[3];          /* readlink of fds 0-2 (trap 4); NULL before they are known */
	/* the config.json subset later applets need */
	int terminal;
	int rootfs_readonly;
	char *cgroups_path;         /* linux.cgroupsPath, NULL when absent */
	struct state_ns *namespaces;    /* config order */
	size_t nnamespaces;
	struct state_mount *mounts;
	size_t nmounts;
	char **masked_paths;
	size_t nmasked_paths;
	char **readonly_paths;
	size_t nreadonly_paths;
	char **device_paths;        /* linux.devices[].path (ext_mnt entries) */
	size_t ndevice_paths;
	struct state_hook *poststop;    /* run at delete / checkpoint's destroy */
	size_t npoststop;
};

void state_free(struct state *st);
/* Fills st (which must be zeroed or freed) from a loaded spec: bundle, rootfs, ociVersion,
 * annotations and the config subset. id, pid, times, cgroup/ns paths, ext_desc are left. */
void state_from_spec(struct state *st, const struct spec *s, const char *id);
/* Sets key to value in a kv list (replaces an existing key in place, else appends). */
void state_kv_set(struct state_kv **kv, size_t *n, const char *key, const char *value);
/* The value of key, or NULL. */
const char *state_kv_get(const struct state_kv *kv, size_t n, const char *key);

/* Refuses ids that cannot name a single directory entry: empty, containing '/', "." or "..".
 * (The full check is id_valid() in applets/common.h.) */
int state_id_ok(const char *id, struct err *e);

/* Opens the state root (O_DIRECTORY, symlinks in root followed as runc does). With create,
 * creates missing components with mode 0700 first. A missing root without create fails
 * with e->no = ENOENT. Returns the fd or -1. */
int state_root_open(const char *root, int create, struct err *e);

enum state_lock { STATE_LOCK_NONE, STATE_LOCK_SH, STATE_LOCK_EX };

/* Creates <root>/<id> (mode 0711) exclusively and returns its fd (O_DIRECTORY|O_NOFOLLOW|
 * O_CLOEXEC) with LOCK_EX held. An existing entry gives "container with given ID already
 * exists" (e->no = EEXIST); of concurrent creators exactly one succeeds. */
int state_create(int rootfd, const char *id, struct err *e);
/* Opens <root>/<id> and takes the lock (blocking). "container does not exist" (e->no =
 * ENOENT) when absent, or when it was destroyed while we waited for the lock. A symlink or
 * non-directory is refused ("state directory <id> is not a directory", e->no = ENOTDIR). */
int state_open(int rootfd, const char *id, enum state_lock lock, struct err *e);

/* Writes state.json atomically: a fresh temp file (O_EXCL, 0600) in the dir, renameat over
 * state.json, so a reader sees the old or the new file, never a part. No fsync: the state
 * describes live processes, which a crash of the host ends anyway (docs/runtime.md). On
 * failure the temp file is removed. */
int state_write(int dirfd, const struct state *st, struct err *e);
/* Reads and strictly checks state.json into st (zeroed first; free with state_free). Type
 * errors name the JSON path ("state.json: .init_process_pid: expected integer"); unknown
 * keys are ignored; a version other than STATE_VERSION is refused. A missing state.json
 * gives "container does not exist" (e->no = ENOENT). */
int state_read(int dirfd, struct state *st, struct err *e);
/* The same checks on a state.json already in memory (buf is parsed in place and modified;
 * the strings in st are copies, so buf may be freed afterwards). For tests and fuzzing. */
int state_parse(struct state *st, char *buf, size_t len, struct err *e);
/* The serialized form (compact JSON, no newline) state_write stores. */
void state_to_json(const struct state *st, struct buf *b);

/* Removes <root>/<id> and everything below it without following symlinks. Mount points
 * found inside (e.g. a leftover criu-root) are detached (MNT_DETACH) first, never descended
 * into while mounted. dirfd is the open state dir (-1: opened here); it is not closed.
 * A missing directory is not an error. */
int state_destroy(int rootfd, const char *id, int dirfd, struct err *e);

/* The names of the directories in the root, sorted (runc list order); symlinks and other
 * non-directories are skipped. *ids is a heap array; free with state_list_free. */
int state_list(int rootfd, char ***ids, size_t *n, struct err *e);
void state_list_free(char **ids, size_t n);

/* (The /proc/<pid>/stat parser, proc_start_time, lives in proc.h.)
 * 1 if st's init is alive: /proc/<pid>/stat exists, its start time equals st->start_time
 * and its state is not Z or X. Else 0. */
int state_alive(const struct state *st);
/* The OCI status: "creating" while another live process holds the restore claim of dirfd
 * (state/busy.h), else "paused" when frozen, else "stopped" when the init is not alive, else
 * "created" when dirfd >= 0 holds an exec.fifo, else "running". */
const char *state_status(const struct state *st, int dirfd, int frozen);

/* Formats ts as RFC3339Nano in UTC, the way Go does (fraction without trailing zeros,
 * omitted when zero): "2026-11-29T10:15:17.123456789Z". cap >= STATE_TIME_LEN. */
#define STATE_TIME_LEN 40
void state_time_format(const struct timespec *ts, char *out, size_t cap);
/* state_time_format of clock_gettime(CLOCK_REALTIME). */
void state_time_now(char *out, size_t cap);

/* Writes the OCI state object as runc does: ociVersion, id, pid (0 when status is
 * "stopped"), status, bundle, rootfs, created, annotations (sorted keys, omitted when
 * empty), owner. state_oci_jw writes it into an open writer (for list's array). */
void state_oci_jw(struct jw *w, const struct state *st, const char *status, const char *owner);
/* `runc state` output: 2-space indent, owner "", no trailing newline; appended to b. */
void state_oci_json(const struct state *st, const char *status, struct buf *b);
/* The state a hook gets on stdin, as runc marshals specs.State: compact, keys ociVersion (the
 * runtime's, CRBOX_OCI_VERSION), id, status, pid (omitted when 0 or status is "stopped"),
 * bundle, annotations (sorted, omitted when empty); no newline. */
void state_hook_json(const struct state *st, const char *status, struct buf *b);

#endif
