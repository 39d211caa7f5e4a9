/* caps: capabilities by number (process/pspec.h maps names), applied as runc does: the
 * bounding set dropped while still privileged, then (after the user switch with
 * PR_SET_KEEPCAPS) effective, permitted and inheritable in one capset, then ambient raised
 * one by one. */
#ifndef CRBOX_PROCESS_CAPS_H
#define CRBOX_PROCESS_CAPS_H
#include <stdint.h>
#include "err.h"
#include "process/pspec.h"

/* /proc/sys/kernel/cap_last_cap (40 when unreadable, at most 63). */
int caps_last_cap(void);
/* PR_CAPBSET_DROP for every capability 0..last not in keep (EINVAL tolerated). 0 or -1. */
int caps_drop_bounding(uint64_t keep, int last, struct err *e);
/* capset(effective, permitted, inheritable) of caps[], then the ambient set cleared and
 * raised from caps[CAPSET_AMBIENT] (refused raises ignored, as runc warns). 0 or -1. */
int caps_apply(const uint64_t caps[CAPSET_N], struct err *e);

#endif
