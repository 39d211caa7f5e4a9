/* runtime: what the create, start and run applets call. One struct ctr carries a container
 * being made (parent side) and is inherited by the init after the clone (child side).
 * Rooms: create.c (parent orchestration), init.c (child set-up in runc's order),
 * init_final.c (identity switch and exec), console.c, start.c (exec.fifo, poststart), wait.c (foreground run). docs/runtime.md has the
 * order and the reasons. */
#ifndef CRBOX_RUNTIME_H
#define CRBOX_RUNTIME_H
#include <sys/types.h>
#include "cgroup/cgroup.h"
#include "err.h"
#include "process/pspec.h"
#include "rootfs/rootfs.h"
#include "seccomp/seccomp.h"
#include "spec.h"
#include "state.h"

struct rt_opts {
	const char *prog;               /* our name, for runc's "cannot allocate tty if runc ..." */
	const char *root;               /* state root (absolute) */
	const char *id;
	const char *bundle;             /* "" or NULL: cwd */
	const char *console_socket;     /* NULL: none */
	const char *pid_file;           /* NULL: none */
	int no_pivot, no_new_keyring, preserve_fds;
	int foreground;                 /* run without -d: keep the terminal master */
};

struct ctr {
	const struct rt_opts *o;
	struct spec spec;
	struct pspec ps;
	struct seccomp_prog sc;         /* linux.seccomp compiled in the parent; len 0: none */
	struct state st;
	int rootfd, dirfd;
	struct cgroup_paths cg;
	int cg_made;
	int sync[2];                    /* [0] parent, [1] child */
	int console;                    /* child's channel for the pty master, -1 */
	int console_peer;               /* parent's end when foreground (socketpair), -1 */
	int pty_master;                 /* foreground: received master, -1 */
	int fifo;                       /* O_PATH exec.fifo, -1 */
	int procfd;                     /* init without a mount ns: /proc before the chroot, -1 */
	int nsfd[SPEC_NS_N];            /* joined namespaces (by path), -1 when not joined */
	int clone_flags;                /* new namespaces */
	int nlisten;                    /* LISTEN_FDS passed through */
	pid_t stage1, pid;
	pid_t warm;         /* cgroup_warm_start's helper, reaped once the init joined */
	int joined;         /* the init (or stage1) was written into the cgroups */
	int state_written;
	struct rootfs_ctx rfs;           /* child: the rootfs steps (core/rootfs) */
	char *notify_dir;               /* <state>/notify when NOTIFY_SOCKET is proxied */
	int is_exec;                    /* an `exec` process (exec.c): no /dev/console, no fifo */
	int pidfd;                      /* exec: pidfd of the container init (setns), -1 */
};

/* Creates the container the way `runc create` does: on return 0 the init blocks on
 * exec.fifo, the state is written and (o->pid_file) the pid file. On failure nothing is
 * left behind (process, cgroup, state dir). c is zeroed here; free with rt_ctr_free. */
int rt_create(struct ctr *c, const struct rt_opts *o, struct err *e);
void rt_ctr_free(struct ctr *c);
/* Undoes a failed or finished create: kills the init, removes cgroups and the state dir. */
void rt_abort(struct ctr *c);

/* `start`: opens exec.fifo of a created container, waits until its init has read... written
 * the byte (or died: "container process is already dead"), removes the fifo, then runs
 * the poststart hooks (status "running"). dirfd is the locked state dir. */
int rt_start(int rootfd, int dirfd, const struct state *st, struct err *e);

/* Foreground `run`: forwards signals to the init, copies the terminal (pty_master >= 0),
 * reaps; returns the init's exit status (128+signal). sfd is a signalfd of all signals. */
int rt_wait(struct ctr *c, int sfd);

/* The container init (child side of the clone); never returns. */
void rt_init(struct ctr *c) __attribute__((noreturn));
/* The last steps in the init (init_final.c): identity, caps, PATH lookup, exec.fifo, exec. */
void rt_init_final(struct ctr *c) __attribute__((noreturn));
/* The pty (init side): /dev/pts/ptmx, peer on /dev/console and stdio, master sent. */
int rt_console_setup(struct ctr *c, struct err *e);

/* AppArmor / SELinux exec labels of c->ps (init.c; used by the exec path too). 0 or -1. */
int rt_lsm_apply(struct ctr *c, struct err *e);

/* Runs the spec's hooks of `kind` with the OCI state (status given, pid st->pid) on stdin. */
int rt_run_hooks(const struct spec *s, const struct state *st, int kind, const char *status,
		 struct err *e);

/* NOTIFY_SOCKET (notify.c): create's part (the dir, the /run/notify bind and the env),
 * start's socket (-2: nothing to proxy) and its wait for READY= (forwarded with MAINPID). */
int rt_notify_prepare(struct ctr *c, const char *statedir, struct err *e);
int rt_notify_bind(int dirfd, struct err *e);
int rt_notify_wait(int fd, pid_t pid, uint64_t start, struct err *e);

/* The default config.json `runc spec` writes (rootless: its --rootless variant). Heap. */
char *rt_spec_template(int rootless);

/* The init or an exec'd process loaded a filter with a notify listener as its fd `nr`: the
 * parent takes a copy (pidfd_getfd), sends it with the state to listenerPath and answers
 * SYNC_SECCOMP_ACK. */
int rt_seccomp_hand_over(struct ctr *c, const char *id, const char *bundle, int nr,
			 struct err *e);
/* SYNC_PID for create and exec alike: records the new process's pid and start time, reaps
 * the intermediate process if there was one, and answers SYNC_PID_ACK. */
int rt_sync_pid(struct ctr *c, int pid, struct err *e);

#endif
