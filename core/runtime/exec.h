/* exec: a new process in a live container, as `runc exec` (1.1.5) makes it. The parent side
 * (exec.c) builds the process from the container's config.json (kept in the state dir by
 * create, else the bundle's; restored containers have the bundle's) with the flags' overrides
 * or from a process.json that replaces config.json's "process" whole, puts the child into the
 * container's cgroups (or the --cgroup sub-cgroups) and drives the sync.h protocol (GO, PID,
 * READY, ERROR). The child (init_exec.c) joins the init's namespaces through a pidfd (one
 * setns; /proc/<pid>/ns/<name> fds where pidfd_open is missing), forks into a joined pid/time
 * namespace with CLONE_PARENT (so the process stays the caller's child), then runs the
 * container init's tail (init_final.c: user, caps, cwd, PATH lookup, seccomp hook points,
 * close fds, execve). docs/runtime.md has the order. */
#ifndef CRBOX_RUNTIME_EXEC_H
#define CRBOX_RUNTIME_EXEC_H
#include <stddef.h>
#include "err.h"
#include "state.h"

struct rt_exec_opts {
	const char *prog;               /* for "cannot allocate tty if <prog> will detach ..." */
	const char *process;            /* -p FILE or "-" (stdin); NULL: from the flags below */
	const char *console_socket, *pid_file, *cwd, *user, *process_label, *apparmor;
	const char *const *env, *const *caps, *const *gids, *const *cgroups;
	size_t nenv, ncaps, ngids, ncgroups;
	const char *const *args;        /* the command; NULL-terminated too */
	size_t nargs;
	int tty, detach, no_new_privs, preserve_fds;
};

/* Runs the process in the container whose state st (dir dirfd, locked by the caller) is.
 * The caller has checked the status (stopped/paused). Detached: returns 0 once the process
 * is set up (pid file written). Foreground: forwards signals from sfd (a signalfd of all
 * signals, blocked), proxies the pty, and returns the process's exit status (128+signal).
 * -1 with e set on any failure before the execve (nothing left behind). */
int rt_exec(const struct rt_exec_opts *o, int dirfd, const struct state *st, int sfd,
	    struct err *e);

#endif
