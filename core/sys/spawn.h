/* spawn: the one way crbox starts another program (criu, hooks, ps, zcat, and the container
 * processes of create/run/exec). The child gets a clean signal state (empty mask, every
 * disposition SIG_DFL), exactly the fds it is given (0..n-1, everything else closed with
 * close_range), optionally its own session, then execve. An exec failure is reported back
 * to the parent through a close-on-exec pipe and the child is reaped, so the caller sees
 * either a running program or an error, never a half-started child.
 * Also the PATH lookup every program run by name goes through (spawn_lookpath). */
#ifndef CRBOX_SYS_SPAWN_H
#define CRBOX_SYS_SPAWN_H
#include <sys/types.h>
#include "err.h"

#define SPAWN_MAX_FDS 72

/* The default PATH when the environment has none (Go's exec package and the shells use the
 * same idea; runc inherits it from its caller). */
#define SPAWN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

enum {
	SPAWN_SETSID = 1,    /* the child starts a new session (and process group) */
	SPAWN_SETPGID = 2,   /* the child starts a new process group in our session */
};

struct spawn {
	const char *path;        /* the file to execve: absolute, or relative to the cwd */
	char *const *argv;       /* NULL-terminated; NULL or empty: { path } */
	char *const *envp;       /* NULL: this process's environment; else exactly envp */
	const int *fds;          /* child fd i = fds[i] for i < nfds; -1: /dev/null */
	int nfds;                /* 0..SPAWN_MAX_FDS; 0: the child gets /dev/null on 0, 1, 2 */
	int flags;               /* SPAWN_* */
	/* out */
	pid_t pid;               /* the child's pid once spawn_exec returned 0 */
	int exec_failed;         /* after -1: 1 when execve itself failed (e->no is its errno),
				  * 0 when the failure came before (fd setup, fork, pipe) */
};

/* Starts o->path. Returns 0 with o->pid set (the caller reaps it), or -1 with e set
 * ("<path>: exec: <cause>" for an exec failure, e->no = errno). Nothing is left running
 * on failure. The caller's own signal mask and dispositions are untouched. */
int spawn_exec(struct spawn *o, struct err *e);

/* Resolves name as Go's exec.LookPath does, with Go 1.19's ErrDot rule made stricter: a
 * name containing '/' is taken as is; otherwise each $PATH entry (SPAWN_DEFAULT_PATH when
 * PATH is unset) is tried in order, relative and empty entries are SKIPPED (they would
 * name the current directory), and the first regular file with an execute bit set wins.
 * Returns a heap path, or NULL with e->no = ENOENT ("exec: \"<name>\": executable file not
 * found in $PATH") or, for a name with '/' that is a directory or not executable, EACCES
 * ("exec: \"<name>\": permission denied"). */
char *spawn_lookpath(const char *name, struct err *e);

/* The check spawn_lookpath applies to each candidate: 0 (a regular file with an execute
 * bit), ENOENT (nothing there) or EACCES (there, but a directory or not executable). */
int spawn_probe(const char *path);

/* Closes every fd >= lo (close_range, or a raw getdents64 walk of /proc/self/fd on kernels
 * before 5.9). Allocation-free: usable between fork and exec. */
void spawn_close_from(int lo);

#endif
