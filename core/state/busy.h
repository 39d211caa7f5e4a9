/* busy: the claim a long operation (a restore being made, a checkpoint) puts on a container,
 * so that no flock is held while CRIU or hooks run. The claim is the file <dir>/busy holding
 * "<op> <pid> <starttime>"; it is live while that process is (pid + start time, so a
 * crashed or SIGKILLed owner leaves a stale claim that counts as none).
 * Protocol: claims are made and released with the state dir's LOCK_EX held, and only for a
 * moment; readers (state, list, ps) take no lock at all (state.json is replaced
 * atomically); writers that destroy (delete, checkpoint's end, restore's foreground end)
 * refuse a container another live process has claimed. */
#ifndef CRBOX_STATE_BUSY_H
#define CRBOX_STATE_BUSY_H
#include <stddef.h>
#include <sys/types.h>
#include "err.h"

#define BUSY_FILE "busy"

/* Claims dirfd's container for op ("restore", "checkpoint") by this process; the caller
 * holds LOCK_EX. A stale claim is replaced; a live claim of another process gives
 * "container is busy: <op> by pid <N> is in progress" (e->no = EBUSY). 0 or -1. */
int busy_claim(int dirfd, const char *op, struct err *e);
/* 1 when another live process holds the claim (op/pid filled when not NULL; op_cap bytes),
 * 0 when there is none, it is stale, or it is ours. */
int busy_held(int dirfd, char *op, size_t op_cap, pid_t *pid);
/* busy_held, as an error: 0, or -1 with busy_claim's EBUSY message. */
int busy_refuse(int dirfd, struct err *e);
/* Removes our claim (a claim of another process is left). */
void busy_release(int dirfd);

#endif
