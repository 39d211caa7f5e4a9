/* crun: checkpoint images crossing between crun and crbox (and runc). The runtimes agree on
 * every external-mount key but the masked files' (docs/crun-interop.md): runc and crbox
 * store "/dev/null", crun stores the masked path itself, and crun >= 1.24 bind-mounts
 * "<crun root>/.empty-directory" over masked directories. crun also saves the network
 * namespace when the config gives no path (runc and crbox send empty_ns). This room maps
 * both conventions on restore, reads the keys an image holds (mountpoints-*.img) to explain
 * CRIU's "No mapping for N" and picks a useful headline from a CRIU log. */
#ifndef CRBOX_INTEROP_CRUN_H
#define CRBOX_INTEROP_CRUN_H
#include <stddef.h>
#include <stdint.h>
#include "criu.h"
#include "err.h"

/* --ext-mount-keys runc|crun (NULL: runc): 0 for runc's keys, 1 for crun's, -1 with e. */
int interop_keys_parse(const char *s, struct err *e);

struct mnt_key {
	uint32_t mnt_id;
	char *mountpoint;             /* as in the image ("/proc/keys", may carry a "./" prefix) */
	char *key;                    /* the external key, "" when not external */
};
/* Every mount of every mountpoints-*.img in imgfd. 0 or -1 (a corrupt image). */
int mnt_keys_read(int imgfd, struct mnt_key **out, size_t *n, struct err *e);
/* From one image's bytes (for tests and fuzzing); appends to *out. */
int mnt_keys_parse(const unsigned char *p, size_t len, const char *name, struct mnt_key **out,
		   size_t *n, struct err *e);
void mnt_keys_free(struct mnt_key *k, size_t n);

/* Restore: adds {p, "/dev/null"} for every masked path (crun's keys; unused keys are
 * harmless to CRIU), and {key, empty_dir} for each ".empty-directory" key the image holds,
 * creating empty_dir (mode 0555) when one is needed. 0 or -1. */
int interop_restore_mounts(CriuOpts *o, int imgfd, char *const *masked, size_t nmasked,
			   const char *empty_dir, struct err *e);
/* 1 when the image holds a saved network namespace (netdev-*.img), else 0. */
int interop_saved_netns(int imgfd);
/* Both, for a restore: interop_restore_mounts with st's masked paths and the empty dir
 * "<root>/empty@dir"; and when the image holds a saved netns, st's config gives the network
 * namespace no path and --empty-ns was not given, empty_ns is cleared so CRIU restores it. */
struct state;
int interop_restore(CriuOpts *o, int imgfd, const struct state *st, int empty_ns_given,
		    const char *root, struct err *e);
/* After a failed CRIU call whose error is in e ("criu failed: type T errno N: <msg>"):
 * when msg is CRIU's benign rlimit line, the first other Error line of the log (logdir/log)
 * replaces it; a "No mapping for N" error becomes "CRIU has no mapping for the external
 * mount at <mountpoint> (image key "<key>")", with a hint when the key is crun's. imgfd may
 * be -1 (no keys). */
void interop_criu_error(struct err *e, int logdir, const char *log, int imgfd);

#endif
