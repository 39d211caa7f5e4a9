/* sync: the parent <-> container-init protocol over a SOCK_SEQPACKET socketpair. Every
 * message is one fixed-size frame (struct sync_msg); an fd may ride along (SCM_RIGHTS).
 * The whole protocol, in order (docs/runtime.md has the reasons):
 *
 *   parent -> child     child -> parent        what happens
 *   SYNC_GO             -                      the child may start (in the cgroup already
 *                                              when it makes a cgroup namespace)
 *   -                   SYNC_USERMAP_PLS       child unshared NEWUSER; parent writes
 *   SYNC_USERMAP_ACK    -                        setgroups, gid_map, uid_map
 *   -                   SYNC_PID (val)         the init's pid (host view) after the fork
 *                                              that enters a new/joined pid or time ns
 *   SYNC_PID_ACK        -                        the new process waits for it: the fork's
 *                                              parent sends SYNC_PID after the clone, so
 *                                              without it a later frame could overtake it
 *   SYNC_CGROUP_JOINED  -                        the parent wrote that pid into the cgroups;
 *                                              the init waits for it before a cgroup mount
 *                                              and before SYNC_MOUNTS_DONE, and mounts
 *                                              until then while the join waits on the
 *                                              kernel (docs/runtime.md)
 *   -                   SYNC_MOUNTS_DONE       rootfs mounted, before pivot; the parent
 *   SYNC_HOOKS_DONE     -                        runs prestart and createRuntime hooks
 *   -                   SYNC_SECCOMP_FD (val)  the filter is loaded with a notify listener:
 *   SYNC_SECCOMP_ACK    -                        val is its fd number in the init; the parent
 *                                              takes it (pidfd_getfd) and sends it with the
 *                                              state to listenerPath
 *   -                   SYNC_READY             all set-up done (user, caps, cwd, PATH
 *                                              lookup); the init closes its end and
 *                                              blocks on exec.fifo: create returns
 *   -                   SYNC_ERROR (msg)       any time; the child then _exit(1)s
 * rlimits and oomScoreAdj are applied by the first child before it leaves the host user
 * namespace, so no frame is needed for them.
 */
#ifndef CRBOX_RUNTIME_SYNC_H
#define CRBOX_RUNTIME_SYNC_H
#include "err.h"

enum sync_type {
	SYNC_GO = 1,
	SYNC_USERMAP_PLS,
	SYNC_USERMAP_ACK,
	SYNC_PID,
	SYNC_MOUNTS_DONE,
	SYNC_HOOKS_DONE,
	SYNC_READY,
	SYNC_ERROR,
	SYNC_SECCOMP_FD,
	SYNC_SECCOMP_ACK,
	SYNC_PID_ACK,
	SYNC_CGROUP_JOINED,
};

struct sync_msg {
	int type;               /* enum sync_type */
	int val;                /* SYNC_PID: pid; SYNC_ERROR: errno */
	char msg[1024];         /* SYNC_ERROR: the child's message, NUL-terminated */
};

/* A SOCK_SEQPACKET|SOCK_CLOEXEC pair: sv[0] the parent's end, sv[1] the child's. */
int sync_pair(int sv[2], struct err *e);
/* Sends a frame (val, optional message). 0 or -1. */
int sync_send(int fd, int type, int val, const char *msg, struct err *e);
/* Sends SYNC_ERROR carrying e (best effort; for the child). */
void sync_send_err(int fd, const struct err *e);
/* Receives one frame. Returns 1 with *m filled, 0 on EOF, -1 on error. */
int sync_recv(int fd, struct sync_msg *m, struct err *e);
/* Receives one frame and insists on type `want`: EOF gives "init exited without ...", a
 * SYNC_ERROR frame becomes e (the child's message verbatim). 0 or -1. */
int sync_expect(int fd, int want, struct sync_msg *m, struct err *e);
/* The frame's name, for messages. */
const char *sync_name(int type);

#endif
