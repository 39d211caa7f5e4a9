/* crop: CRIU request options that checkpoint and restore build the same way, from flags and
 * from the container's recorded config (struct state): the cgroup mode, --empty-ns,
 * --network-lock, the CRIU config file, and the external mount map with runc's keys so
 * images cross between runc and crbox. Mirrors runc criu_linux.go (1.1.5 and main). */
#ifndef CRBOX_CROP_H
#define CRBOX_CROP_H
#include <sys/types.h>
#include "criu.h"
#include "err.h"
#include "opt.h"
#include "state.h"

/* --manage-cgroups-mode: "" -> DEFAULT, soft|full|strict|ignore. Always sets the field
 * (with its presence bit, so IGNORE = 0 is sent). -1: invalid manage-cgroups-mode value. */
int crop_cg_mode(CriuOpts *o, const char *mode, struct err *e);
/* --empty-ns: only "network" is accepted; the mask always holds CLONE_NEWNET (runc). */
int crop_empty_ns(CriuOpts *o, const struct strv *ns, struct err *e);
/* --network-lock iptables|nftables|skip (NULL: not sent). Needs CRIU >= 3.16 (version num
 * given), else a clear error. */
int crop_network_lock(CriuOpts *o, const char *how, int criu_version, struct err *e);
/* --page-server ADDRESS:PORT as runc reads it: Go's net.SplitHostPort ("[::1]:80"; a bare
 * "::1:80" has too many colons), a non-empty address and port, else "Use --page-server
 * ADDRESS:PORT to specify page server"; the port through strconv.Atoi (a sign is allowed),
 * else "Invalid port number", then truncated to int32 as runc does. Port 0 sends no page
 * server at all (runc's rule). Sets o->ps (free with crop_page_server_free). 0 or -1. */
int crop_page_server(CriuOpts *o, const char *arg, struct err *e);
void crop_page_server_free(CriuOpts *o);
/* The options checkpoint and restore set alike, runc's way: log level 4 into log_file,
 * notify scripts and orphan pts master on, the boolean flags sent explicitly (false too),
 * and the checked cgroup mode, --empty-ns and --network-lock. Sets no pointers that need
 * freeing. 0 or -1 (a bad flag value; nothing else can fail). */
struct crop_base {
	int shell_job, ext_unix_sk, tcp_established, file_locks, auto_dedup, lazy_pages;
	const char *manage_cgroups_mode, *network_lock;
	const struct strv *empty_ns;
};
int crop_base(CriuOpts *o, const struct crop_base *b, const char *log_file, int criu_version,
	      struct err *e);
/* The CRIU config file: the org.criu.config annotation if present (empty: none), else
 * /etc/criu/crbox.conf if it exists, else /etc/criu/runc.conf (runc's, always sent).
 * Returns a pointer into st or a static string, or NULL for none. */
const char *crop_config_file(const struct state *st);
/* The external mounts. restore = 0 (dump): bind mounts {dest, dest}, v1 cgroup mounts
 * {key, key}, masked files {path, /dev/null} for those that exist in /proc/<init>/root
 * and are not directories, devices {path, path}. restore = 1: bind mounts {dest, source},
 * cgroup mounts {key, <host dir of this process's cgroup>}, one {/dev/null, /dev/null} if
 * any path is masked, devices {path, path}. Destinations are resolved inside rootfs
 * (symlinks followed as if rootfs were /). Devices are runc's six defaults plus the config's.
 * restore is a mask of CROP_* (0 and 1 keep their meaning). 0 or -1. */
#define CROP_RESTORE 1      /* the restore map (else the dump keys) */
#define CROP_CRUN_KEYS 2    /* dump: masked files keyed {path, path}, crun's convention */
int crop_ext_mounts(CriuOpts *o, const struct state *st, const char *rootfs, int restore,
		    pid_t init, struct err *e);

#endif
