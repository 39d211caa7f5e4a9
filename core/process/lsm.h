/* process/lsm: AppArmor and SELinux labels for the container process, written through
 * procfs as runc writes them (docs/seccomp.md "LSM labels"), and which LSMs the host has.
 * Every function takes a root prefix ("" on the real system; a fake tree in tests). */
#ifndef CRBOX_LSM_H
#define CRBOX_LSM_H
#include "err.h"

struct lsm_info {
	int apparmor;           /* /sys/module/apparmor/parameters/enabled is "Y" */
	int selinux;            /* selinuxfs is mounted (/sys/fs/selinux/enforce exists) */
	char active[256];       /* /sys/kernel/security/lsm, "" when unreadable */
};
/* Never fails: what cannot be read counts as absent. */
void lsm_probe(const char *root, struct lsm_info *out);

/* process.apparmorProfile: "exec <profile>" into /proc/thread-self/attr/apparmor/exec (or
 * the older attr/exec), applied at the next execve. "" or NULL does nothing. */
int lsm_apparmor_exec(const char *root, const char *profile, struct err *e);
/* process.selinuxLabel: the label into /proc/thread-self/attr/exec. "" or NULL: nothing. */
int lsm_selinux_exec(const char *root, const char *label, struct err *e);

#endif
