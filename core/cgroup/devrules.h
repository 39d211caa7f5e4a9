/* cgroup/devrules: device cgroup rules as runc 1.1 computes them. The spec's
 * linux.resources.devices rules, then runc's default allow-list (AllowedDevices) appended
 * after them, run through a cgroup v1 emulator (runc's devices emulator): it starts
 * deny-all; an 'a' rule resets it to allow-all or deny-all; other rules add or remove
 * permissions of a (type, major, minor) exception; removing permissions a partly wildcarded
 * exception grants is refused ("cannot punch hole in existing wildcard rule"). The result
 * is written to v1 devices.allow/deny as the minimal transition from the current
 * devices.list, or compiled into the v2 BPF program (devbpf.h). */
#ifndef CRBOX_CGROUP_DEVRULES_H
#define CRBOX_CGROUP_DEVRULES_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "spec.h"

/* Permission bits, the same values as the kernel's BPF_DEVCG_ACC_*. */
enum { CG_DEV_M = 1, CG_DEV_R = 2, CG_DEV_W = 4, CG_DEV_RWM = 7 };

struct cg_devrule {
	char type;              /* 'a', 'b', 'c' */
	int64_t major, minor;   /* -1: wildcard */
	unsigned perms;         /* CG_DEV_* bits */
	int allow;
};

struct cg_devemu {
	int default_allow;      /* 1: allow-list mode off (blacklist), 0: whitelist */
	struct cg_devrule *v;   /* exceptions, one per (type, major, minor); allow unused */
	size_t n;
};

/* runc's AllowedDevices, in runc's order; path is NULL for the rules without one. */
struct cg_default_dev {
	const char *path;
	struct cg_devrule rule;
};
extern const struct cg_default_dev cg_default_devs[];
extern const size_t cg_ndefault_devs;

/* "rwm" order; buf of 4. */
const char *cg_dev_perms_str(unsigned perms, char buf[4]);
/* "c 1:3 rwm", "a *:* rwm"; buf of 64. */
const char *cg_dev_rule_str(const struct cg_devrule *r, char buf[64]);

void cg_devemu_free(struct cg_devemu *m);
/* Applies one rule as cgroup v1 would (see above). 0 or -1. */
int cg_devemu_apply(struct cg_devemu *m, const struct cg_devrule *r, struct err *e);
/* An emulator from devices.list text: allow-list unless it holds "a *:* rwm". */
int cg_devemu_from_list(struct cg_devemu *m, const char *list, struct err *e);
/* The target emulator for a resources object: its device rules in order, then the default
 * allow-list minus defaults whose path is in r->linux_devices. */
int cg_devemu_for(struct cg_devemu *m, const struct spec_resources *r, struct err *e);
/* 1 if both emulators hold the same mode and exceptions. */
int cg_devemu_equal(const struct cg_devemu *a, const struct cg_devemu *b);
/* The rules that move a cgroup from `from` to `to` (runc's Transition): a leading
 * "a *:* rwm" allow/deny if from is a blacklist or the modes differ, then the dropped
 * permissions of old exceptions, then the gained ones of new exceptions, each group sorted by
 * (major, minor, type). *out is a heap array. */
void cg_devemu_transition(const struct cg_devemu *from, const struct cg_devemu *to,
			  struct cg_devrule **out, size_t *n);
/* The transition from an empty deny-all cgroup (runc's Rules()). */
void cg_devemu_rules(const struct cg_devemu *m, struct cg_devrule **out, size_t *n);

/* v1: brings dir's devices.list to the target of r by writing devices.allow/devices.deny,
 * then reads devices.list back and requires the exact allow-list (or the blacklist mode). */
int cg_devices_v1(const char *dir, const struct spec_resources *r, struct err *e);

#endif
