/* criu: crbox's side of CRIU's swrk RPC. Spawns `criu swrk 3` on a SOCK_SEQPACKET socketpair
 * with an explicit fd table, sends one criu_req, runs the NOTIFY/ack loop, reaps criu by pid.
 * Also the VERSION and FEATURE_CHECK probes, helpers for criu_opts repeated fields and the
 * "Error" lines of a CRIU log. Protocol facts: CRIU images/rpc.proto, runc criu_linux.go.
 * Symbols are swrk_* (the generated protobuf code owns the criu_ prefix). */
#ifndef CRBOX_CRIU_H
#define CRBOX_CRIU_H
#include <sys/types.h>
#include "err.h"
#include "buf.h"
#include "criu-rpc.pb-c.h"

/* CRIU versions as runc numbers them: major*10000 + minor*100 + sublevel. */
#define SWRK_MIN_VERSION 31500        /* runc's effective floor: CRIU 3.15 */
#define SWRK_MAX_MSG     (1 << 20)    /* default cap on one response packet */

/* One criu swrk session. Initialise with SWRK_INIT; the fields are readable by callers. */
struct swrk {
	pid_t pid;         /* criu's pid while it runs (for cgroup moves, /proc/<pid>/fd/N), else -1 */
	int sk;            /* our end of the socketpair, -1 once closed */
	char *path;        /* resolved criu binary (heap; freed by swrk_finish/swrk_abort) */
	size_t max_msg;    /* largest response accepted; 0 means SWRK_MAX_MSG */
	int status;        /* waitpid() status once criu has been reaped */
	int reaped;        /* 1 once criu has been reaped (status is valid) */
	int intr_fd;       /* a signalfd (or -1): readable while waiting for criu -> EINTR error */
};
#define SWRK_INIT { -1, -1, NULL, 0, 0, 0, -1 }

/* Resolves a criu name the way the shell would, with our own PATH walk: a name with a '/' is
 * taken as is; otherwise each $PATH entry (default /usr/local/sbin:...:/bin) is tried and the
 * first regular executable file wins. Returns a heap path, or NULL with e set to
 * "criu not found: <name> (not in PATH)", "criu not found: <path>" or
 * "criu not executable: <path>" (e->no ENOENT / EACCES). */
char *swrk_find(const char *name, struct err *e);
/* The same walk for any program (iptables-restore, zcat ...): heap path or NULL, no message. */
char *swrk_which(const char *name);

/* Starts `criu swrk 3` (argv[0] is the name as given). criu: name or path (NULL: "criu").
 * Child fd table: 0,1,2 = stdio[0..2] (stdio NULL or an entry -1: /dev/null), 3 = the server
 * end of the socketpair, 4.. = extra[0..nextra) in order; every other fd is closed. The signal
 * mask is cleared, the environment is passed unchanged (CRIU_FAULT ...), same session and
 * process group. The calling process keeps the client end, so fd numbers it puts in
 * images_dir_fd/work_dir_fd/status_fd must stay open in it until swrk_finish. On success
 * s->pid and s->sk are set and the caller may act on s->pid before sending anything.
 * Returns 0, or -1 with e set (not found, not executable, exec failure, socketpair...);
 * nothing is left running on failure. */
int swrk_start(struct swrk *s, const char *criu, const int stdio[3], const int *extra,
	       int nextra, struct err *e);

/* Packs req and sends it as one SEQPACKET message. 0 or -1 with e set. */
int swrk_send(struct swrk *s, const CriuReq *req, struct err *e);

/* Receives one criu_resp: the packet is sized with MSG_PEEK|MSG_TRUNC, then read with recvmsg
 * and a control buffer. *fd gets the first SCM_RIGHTS fd that came with it (O_CLOEXEC, owned
 * by the caller) or -1. *resp is freed with criu_resp__free_unpacked(*resp, NULL).
 * Errors ("criu protocol error: ..."): unexpected EOF, message too big, truncated message or
 * control data, undecodable response. Returns 0 or -1 with e set. */
int swrk_recv(struct swrk *s, CriuResp **resp, int *fd, struct err *e);

/* A NOTIFY message as handed to the callback. */
struct swrk_notify {
	const char *script;   /* "pre-restore", "post-restore", ... ("" if none); valid during the call */
	int pid;              /* notify.pid (setup-namespaces, post-restore), 0 when absent */
	int fd;               /* SCM_RIGHTS fd (orphan-pts-master) or -1. To keep it, the callback
			       * sets fd to -1; whatever is left here is closed after the call. */
};
/* Returns 0 to acknowledge, or -1 with e set to abort the operation (no ack is sent). */
typedef int (*swrk_notify_fn)(struct swrk_notify *n, void *ud, struct err *e);

/* Reads responses until the final one of type `type`. Each NOTIFY goes to cb (NULL: just
 * acknowledge) and, when cb returns 0, is answered with criu_req{NOTIFY, notify_success=true};
 * unknown scripts are acknowledged the same way. A response with success=false fails with
 * "criu failed: type T errno N[: cr_errmsg]" and e->no = cr_errno. Any other type is
 * "criu protocol error: unexpected response type X to a T request". On unexpected EOF criu is
 * reaped (briefly waited for) and its fate appended: "(criu died: killed by signal 9)".
 * On success *out (may be NULL) gets the final response, freed with criu_resp__free_unpacked. */
int swrk_loop(struct swrk *s, int type, swrk_notify_fn cb, void *ud, CriuResp **out,
	      struct err *e);
/* swrk_send(req) then swrk_loop(req->type, ...). */
int swrk_call(struct swrk *s, const CriuReq *req, swrk_notify_fn cb, void *ud, CriuResp **out,
	      struct err *e);

#define SWRK_ANY_EXIT 1   /* swrk_finish: a non-zero exit status is not an error (PRE_DUMP) */
/* Ends the session: shutdown(SHUT_WR), waitpid(s->pid) (by pid only: never consumes the exit of
 * a restored init, which is our child too), closes the socket, frees s->path. Errors:
 * "criu died: killed by signal N" (always), "criu died: exit status N" (unless
 * SWRK_ANY_EXIT). Returns 0 or -1 with e set. Safe to call after a failed swrk_loop. */
int swrk_finish(struct swrk *s, int flags, struct err *e);
/* Cleanup after an error: sends sig to criu when sig > 0 and it still runs, closes the socket
 * (criu sees EOF and aborts) and reaps criu. Never touches an err. Idempotent. */
void swrk_abort(struct swrk *s, int sig);

/* Name of a criu_req_type value ("RESTORE"), or "?" when it is out of range. */
const char *swrk_type_name(int type);

/* VERSION. num is the comparable number; with a gitid it is rounded up to the next minor
 * (x.y.z -> x.(y+1).0), as runc does. */
struct swrk_version {
	int major, minor, sublevel;
	char gitid[64];       /* "" when CRIU reported none */
	int num;
};
int swrk_version_num(int major, int minor, int sublevel, const char *gitid);
/* Spawns criu (stdio /dev/null), asks VERSION, reaps it. A CRIU that does not know the
 * request (< 3.0) yields "criu too old: ...". 0 or -1 with e set. */
int swrk_version(const char *criu, struct swrk_version *v, struct err *e);
/* swrk_version without spawning criu when the cache file SWRK_VERSION_CACHE in dirfd (the
 * state root; -1: no cache) was written for the same binary: the resolved criu's dev, inode,
 * size, mtime and ctime must all match, so an upgraded or replaced criu is probed again.
 * After a probe the file is rewritten (tmp + rename; failures ignored). Same errors as
 * swrk_version, plus swrk_find's when criu cannot be resolved. */
#define SWRK_VERSION_CACHE "criu@version"   /* '@' is not allowed in container ids */
int swrk_version_cached(const char *criu, int dirfd, struct swrk_version *v, struct err *e);
/* One cache line "KEY major minor sublevel gitid|-\n" (line is modified) -> v; 0 when it
 * starts with key and parses, else -1. Exposed for tests and fuzzing. */
int swrk_version_parse(char *line, const char *key, struct swrk_version *v);
/* 0 when v->num >= min, else -1 with "criu too old: found 3.14.0 (31400), need at least
 * 3.15.0 (31500)[ for <what>]". what may be NULL. */
int swrk_version_require(const struct swrk_version *v, int min, const char *what,
			 struct err *e);

/* FEATURE_CHECK for the features set in *want (all three when want is NULL): *got says which
 * are supported (a feature not asked for reads 0). The request always carries the features
 * sub-message (CRIU fails without it). 0 or -1 with e set. */
struct swrk_features {
	int mem_track, lazy_pages, pidfd_store;
};
int swrk_features(const char *criu, const struct swrk_features *want,
		  struct swrk_features *got, struct err *e);

/* Appending to the repeated fields of a criu_opts (strings are copied). swrk_opts_free frees
 * only what these added (and resets those fields); scalar strings set by the caller
 * (root, log_file, ...) are the caller's. */
void swrk_opts_add_ext_mnt(CriuOpts *o, const char *key, const char *val);
void swrk_opts_add_inherit_fd(CriuOpts *o, const char *key, int fd);
void swrk_opts_add_cg_root(CriuOpts *o, const char *ctrl, const char *path);
void swrk_opts_add_join_ns(CriuOpts *o, const char *ns, const char *ns_file,
			   const char *extra_opt);
void swrk_opts_add_external(CriuOpts *o, const char *s);
void swrk_opts_free(CriuOpts *o);

/* Appends up to max lines of the CRIU log `name` (relative to dirfd, AT_FDCWD allowed) that
 * report errors (contain "Error" as CRIU prints it: "(00.01) Error (criu/x.c:1): ..."), each
 * ending in '\n'. The log must be a regular file: it is opened O_NOFOLLOW|O_NONBLOCK, so a
 * symlink or a FIFO in its place reads as unreadable. Returns the number of lines appended,
 * or -1 when the log cannot be read. */
int swrk_log_errors(int dirfd, const char *name, struct buf *out, int max);
/* The cgroup yard this CRIU run made, from its log line "cg: Opening <yard> as cg yard"
 * (a name without '/', e.g. ".criu.cgyard.aFzAuC") into out. 0, or -1 when the log has none
 * or cannot be read (same opening rules as swrk_log_errors). */
int swrk_log_yard(int dirfd, const char *name, char *out, size_t cap);

#endif
