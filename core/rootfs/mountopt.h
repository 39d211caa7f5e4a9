/* mountopt: an OCI mount's option list -> mount(2) flags, propagation, recursive mount
 * attributes (mount_setattr) and the data string, as runc's parseMountOptions does it.
 * Pure: no system calls; unit-tested in tests/unit/t_mountopt.c. The tables are in
 * docs/rootfs.md. */
#ifndef CRBOX_ROOTFS_MOUNTOPT_H
#define CRBOX_ROOTFS_MOUNTOPT_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* mount_setattr attribute bits (linux/mount.h), defined here for libcs without them. */
#define MNTOPT_ATTR_RDONLY      0x00000001ULL
#define MNTOPT_ATTR_NOSUID      0x00000002ULL
#define MNTOPT_ATTR_NODEV       0x00000004ULL
#define MNTOPT_ATTR_NOEXEC      0x00000008ULL
#define MNTOPT_ATTR__ATIME      0x00000070ULL
#define MNTOPT_ATTR_RELATIME    0x00000000ULL
#define MNTOPT_ATTR_NOATIME     0x00000010ULL
#define MNTOPT_ATTR_STRICTATIME 0x00000020ULL
#define MNTOPT_ATTR_NODIRATIME  0x00000080ULL
#define MNTOPT_ATTR_NOSYMFOLLOW 0x00200000ULL

struct mountopt {
	unsigned long flags;     /* MS_* to set (MS_BIND|MS_REC for rbind, MS_RDONLY, ...) */
	unsigned long clear;     /* MS_* an option asked to clear ("rw", "suid", "exec", ...) */
	unsigned long prop;      /* last propagation option: MS_PRIVATE/SHARED/SLAVE/UNBINDABLE,
	                          * | MS_REC for the r* forms; 0 when none */
	uint64_t rec_set, rec_clr; /* recursive attributes ("rro", "rnosuid", ...) */
	int rec_atime;           /* 1 when a recursive atime option was given (rec_set holds it) */
	int tmpcopyup;           /* runc's extension for tmpfs: copy the directory's content up */
	char *data;              /* the other options joined with ",", heap ("" when none) */
};

/* Parses opts[0..n). Unknown options go to data in their order (the kernel judges them).
 * An empty option is skipped. Never fails except on memory (which aborts). */
void mountopt_parse(struct mountopt *o, const char *const *opts, size_t n);
void mountopt_free(struct mountopt *o);
/* The option names mountopt_parse recognises (flags, propagation, recursive, tmpcopyup),
 * table order, at most cap of them (`features` lists them). Returns the count. */
size_t mountopt_known(const char **out, size_t cap);

/* The propagation flags of a rootfsPropagation value ("rslave" -> MS_SLAVE|MS_REC), or 0
 * with e set ("invalid rootfsPropagation ...") if the name is not one of the eight. */
unsigned long mountopt_propagation(const char *name, struct err *e);

/* The MOUNT_ATTR_* bits equivalent to MS_* flags (RDONLY, NOSUID, NODEV, NOEXEC, atime
 * family, NOSYMFOLLOW); *atime is set to 1 if the flags chose an atime mode. */
uint64_t mountopt_ms_to_attr(unsigned long ms, int *atime);

#endif
