/* proc: processes. Start times from /proc/<pid>/stat so a reused pid is never signalled,
 * runc's signal names, pid files written runc's way (atomic, no newline), the stdio links of
 * a process, OCI hook execution (state JSON on stdin, timeout), waiting and exit-status
 * decoding, and the child-subreaper switch. Signal names mirror runc 1.1.5 `kill`. */
#ifndef CRBOX_PROC_H
#define CRBOX_PROC_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "err.h"

/* Reads /proc/<pid>/stat: *start = field 22 (starttime, clock ticks since boot), *state =
 * field 3 (R S D Z T t X I ...). Parses after the LAST ')' so any comm is safe. Either out
 * pointer may be NULL. -1 with e->no = ENOENT (or ESRCH) when the process does not exist. */
int proc_start_time(pid_t pid, uint64_t *start, char *state, struct err *e);

/* 1 if pid exists, its start time equals start, and it is neither a zombie (Z) nor dead (X);
 * else 0 (also for pid <= 0 and on any read error). runc's "is the init alive" test. */
int proc_alive(pid_t pid, uint64_t start);

/* Sends sig to pid only if proc_alive(pid, start), race-free through a pidfd when the kernel
 * has pidfd_open (the start time is checked after the pidfd pins the process). Returns 0;
 * -1 with e->no = ESRCH ("process <pid> is not running") if it is gone or is another process,
 * or the kill error (e.g. EINVAL for a bad signal number). sig 0 only checks. */
int proc_signal(pid_t pid, uint64_t start, int sig, struct err *e);

/* Parses a signal like runc 1.1.5 `kill`: a decimal integer (optional sign, any value: an
 * invalid number is refused later by kill(2)) is taken as is; otherwise the name is
 * upper-cased, "SIG" prefixed if missing, and looked up among SIGHUP..SIGSYS (1-31, Linux
 * names; no SIGIOT/SIGCLD/SIGPOLL/SIGRTMIN, as runc). Returns 0 with *sig set, or -1 with
 * runc's message: unknown signal "<raw>". */
int proc_parse_signal(const char *raw, int *sig, struct err *e);
/* "SIGKILL" for 9 etc. (1-31), or NULL. */
const char *proc_signal_name(int sig);

/* Writes pid to path the way runc does: "<dir>/.<base>" created O_CREAT|O_EXCL|O_SYNC mode
 * 0666, the decimal pid with no newline, then renamed over path. A missing directory gives
 * "pid file <path>: open <dir>/.<base>: No such file or directory". The temp file is
 * removed on failure. 0 or -1. */
int pidfile_write(const char *path, pid_t pid, struct err *e);

/* readlink /proc/<pid>/fd/{0,1,2} into out[0..2] (heap strings, free with
 * proc_fd_links_free). An fd that cannot be read for permission reasons (EACCES/EPERM)
 * gives "" (runc does the same); other errors fail. 0 or -1 (out is then all NULL). */
int proc_fd_links(pid_t pid, char *out[3], struct err *e);
void proc_fd_links_free(char *out[3]);

/* Runs an OCI hook through spawn_exec (sys/spawn.h: clean signal mask and dispositions,
 * only fds 0-2): path with argv args (NULL or empty args -> {path}); a path without '/' is
 * looked up with spawn_lookpath (never in the cwd). Environment env (NULL -> this process's
 * environment, as runc for a hook without "env"; else exactly env, so an empty list is an
 * empty environment). stdin = the `len` bytes of `in` (then EOF; a hook that does not read
 * them is fine), stdout and stderr captured (first 4 KiB each). timeout_s > 0: runc's
 * semantics, the hook is SIGKILLed that many seconds after it started. Waits for the hook
 * itself (not its descendants). Errors:
 *   "hook <path> exited with status N[, stdout: ...][, stderr: ...]"
 *   "hook <path> killed by signal N"
 *   "hook <path> ran past specified timeout of N.0s" (e->no = ETIMEDOUT)
 *   "hook <path>: exec: <cause>" (the exec failure is reported by the child)
 *   "hook <path>: interrupted by a signal" (e->no = EINTR; proc_run_hook_intr only: intr_fd
 *   became readable, the hook was SIGKILLed and reaped).
 * Returns 0 when the hook exits 0. */
int proc_run_hook(const char *path, const char *const *args, const char *const *env,
		  int timeout_s, const char *in, size_t len, struct err *e);
int proc_run_hook_intr(const char *path, const char *const *args, const char *const *env,
		       int timeout_s, const char *in, size_t len, int intr_fd, struct err *e);

/* waitpid(pid, status, flags) retrying on EINTR. Returns the pid, 0 (WNOHANG, still
 * running) or -1 with err set ("wait for <pid>: ..."). Reaps only that pid. */
pid_t proc_wait(pid_t pid, int *status, int flags, struct err *e);
/* A wait status as a shell exit code: WEXITSTATUS, or 128 + signal number. */
int proc_exit_code(int status);

/* prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0). 0 or -1. */
int proc_subreaper(int on, struct err *e);

#endif
