/* proc: start times of self and of a child whose comm holds ") (", proc_alive before and
 * after the child exits and is reaped, checked signalling, runc's signal names both ways,
 * pid files (atomic, no newline, missing dir), stdio links, the hook runner (status, stdout/
 * stderr, stdin, env, timeout kill, exec failure, unread stdin), wait helpers, subreaper. */
#include "t.h"
#include "proc.h"
#include "fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmp[256];

/* Checked with shell builtins only: the shell blocks SIGCHLD around its own forks, so a
 * child reading /proc/<shell>/status could see that transient mask. */
#define SIGCHECK "ok=0; while read k v; do case \"$k$v\" in SigBlk:0000000000000000|" \
		 "SigIgn:0000000000000000) ok=$((ok+1));; Sig*) echo \"$k $v\" >&2;; esac; " \
		 "done < /proc/$$/status; test $ok = 2"

static char *P(const char *rel)
{
	static char b[8][512];
	static int i;
	i = (i + 1) % 8;
	snprintf(b[i], sizeof b[i], "%s/%s", tmp, rel);
	return b[i];
}

static void sig_case(const char *raw, int want)
{
	struct err e;
	int s = -12345, r = proc_parse_signal(raw, &s, &e);
	char name[128];
	snprintf(name, sizeof name, "signal \"%s\" -> %d", raw, want);
	T_OK(r == 0 && s == want, name);
}

static void sig_bad(const char *raw)
{
	struct err e;
	int s, r = proc_parse_signal(raw, &s, &e);
	char name[128], msg[128];
	snprintf(name, sizeof name, "signal \"%s\" is refused", raw);
	snprintf(msg, sizeof msg, "unknown signal \"%s\"", raw);
	T_OK(r == -1, name);
	T_STREQ(e.msg, msg, "  with runc's message");
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *slurp(const char *path)
{
	struct err e;
	return fs_read_str(path, 1 << 20, &e);
}

int main(void)
{
	struct err e;
	uint64_t st_self = 0, st_child = 0, st2;
	char state = 0, *links[3], *s;
	int r, status, p[2];
	pid_t child;

	/* start times */
	r = proc_start_time(getpid(), &st_self, &state, &e);
	T_OK(r == 0 && st_self > 0, "start time of self");
	T_NATIVE(state == 'R', "self is running (R)", "qemu-user's /proc/self/stat has no state");
	T_OK(proc_alive(getpid(), st_self) == 1, "self is alive with its start time");
	T_OK(proc_alive(getpid(), st_self + 1) == 0, "self with another start time is not");
	T_OK(proc_alive(0, 0) == 0 && proc_alive(-1, 0) == 0, "pid <= 0 is never alive");

	if (pipe(p) < 0)
		return 1;
	child = fork();
	if (child == 0) {
		close(p[0]);
		prctl(PR_SET_NAME, "x) y (z) 1 2 3");
		(void)!write(p[1], "r", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	{
		char c;
		(void)!read(p[0], &c, 1);
		close(p[0]);
	}
	usleep(20000);
	r = proc_start_time(child, &st_child, &state, &e);
	T_OK(r == 0, "start time of a child whose comm has ') ('");
	T_OK(st_child >= st_self, "  the child started after us");
	T_OK(state == 'S', "  the child is sleeping (S)");
	T_OK(proc_alive(child, st_child) == 1, "the child is alive");
	T_OK(proc_alive(child, st_child + 7) == 0, "a reused pid (other start time) is not alive");
	T_OK(proc_signal(child, st_child + 7, SIGKILL, &e) == -1 && e.no == ESRCH,
	     "proc_signal refuses a pid whose start time differs");
	T_OK(proc_alive(child, st_child) == 1, "  and the child was not signalled");
	T_OK(proc_signal(child, st_child, 0, &e) == 0, "proc_signal with signal 0 checks only");
	T_OK(proc_signal(child, st_child, 99, &e) == -1 && e.no == EINVAL,
	     "proc_signal with an invalid number fails with EINVAL");
	T_OK(proc_signal(child, st_child, SIGTERM, &e) == 0, "proc_signal sends SIGTERM");
	usleep(50000);
	r = proc_start_time(child, &st2, &state, &e);
	T_OK(r == 0 && state == 'Z', "the exited child is a zombie before reaping");
	T_OK(proc_alive(child, st_child) == 0, "a zombie is not alive");
	T_OK(proc_signal(child, st_child, SIGKILL, &e) == -1 && e.no == ESRCH,
	     "proc_signal refuses a zombie");
	T_OK(proc_wait(child, &status, 0, &e) == child, "proc_wait reaps the child");
	T_INTEQ(proc_exit_code(status), 128 + SIGTERM, "exit code of a SIGTERMed child is 143");
	T_OK(proc_start_time(child, &st2, NULL, &e) == -1 && e.no == ENOENT,
	     "start time of a reaped pid fails with ENOENT");
	T_OK(proc_alive(child, st_child) == 0, "a reaped child is not alive");
	T_OK(proc_wait(child, &status, 0, &e) == -1 && e.no == ECHILD,
	     "waiting again fails with ECHILD");

	child = fork();
	if (child == 0)
		_exit(7);
	T_OK(proc_wait(child, &status, 0, &e) == child && proc_exit_code(status) == 7,
	     "exit code 7 is decoded");
	child = fork();
	if (child == 0) {
		raise(SIGKILL);
		_exit(0);
	}
	T_OK(proc_wait(child, &status, 0, &e) == child && proc_exit_code(status) == 137,
	     "SIGKILL decodes to 137");
	child = fork();
	if (child == 0) {
		usleep(200000);
		_exit(0);
	}
	T_OK(proc_wait(child, &status, WNOHANG, &e) == 0, "WNOHANG on a running child gives 0");
	T_OK(proc_wait(child, &status, 0, &e) == child, "  then it is reaped");

	/* signal names (runc 1.1.5 kill) */
	sig_case("SIGKILL", 9);
	sig_case("KILL", 9);
	sig_case("9", 9);
	sig_case("sigterm", 15);
	sig_case("Term", 15);
	sig_case("sIgCoNt", 18);
	sig_case("+18", 18);
	sig_case("018", 18);
	sig_case("-1", -1);
	sig_case("0", 0);
	sig_case("100", 100);
	sig_case("STKFLT", 16);
	sig_case("PWR", 30);
	sig_case("SYS", 31);
	sig_case("HUP", 1);
	sig_case("WINCH", 28);
	sig_bad("iot");
	sig_bad("IOT");
	sig_bad("RTMIN");
	sig_bad("SIGRTMIN");
	sig_bad("CLD");
	sig_bad("POLL");
	sig_bad("UNUSED");
	sig_bad(" 18");
	sig_bad("0x12");
	sig_bad("SIG");
	sig_bad("sig");
	sig_bad("");
	sig_bad("SIGKILLKILLKILLKILLKILL");
	T_STREQ(proc_signal_name(9), "SIGKILL", "name of 9");
	T_STREQ(proc_signal_name(1), "SIGHUP", "name of 1");
	T_STREQ(proc_signal_name(31), "SIGSYS", "name of 31");
	T_OK(proc_signal_name(0) == NULL && proc_signal_name(32) == NULL &&
	     proc_signal_name(-3) == NULL, "no name for 0, 32, -3");
	{
		int i, ok = 1;
		for (i = 1; i < 32; i++) {
			int v;
			if (proc_parse_signal(proc_signal_name(i), &v, &e) < 0 || v != i)
				ok = 0;
		}
		T_OK(ok, "every name parses back to its number");
	}

	/* pid files */
	snprintf(tmp, sizeof tmp, "/tmp/t_proc.XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	T_OK(pidfile_write(P("pid"), 12345, &e) == 0, "pidfile_write succeeds");
	s = slurp(P("pid"));
	T_STREQ(s, "12345", "  the file holds the pid with no newline");
	free(s);
	T_OK(access(P(".pid"), F_OK) < 0, "  no temp file is left");
	{
		struct stat st;
		T_OK(stat(P("pid"), &st) == 0 && (st.st_mode & 0777) == (0666 & ~umask(022)),
		     "  mode 0666 minus the umask");
	}
	T_OK(pidfile_write(P("pid"), 7, &e) == 0, "pidfile_write replaces an existing file");
	s = slurp(P("pid"));
	T_STREQ(s, "7", "  with the new pid");
	free(s);
	r = pidfile_write(P("nodir/pid"), 1, &e);
	T_OK(r == -1 && e.no == ENOENT, "pidfile_write into a missing dir fails with ENOENT");
	T_OK(strstr(e.msg, P("nodir/pid")) != NULL && strstr(e.msg, "nodir/.pid") != NULL,
	     "  the message names the path and the temp file");
	{
		int fd = open(P(".stale"), O_CREAT | O_WRONLY, 0600);
		close(fd);
		r = pidfile_write(P("stale"), 1, &e);
		T_OK(r == -1 && e.no == EEXIST && access(P("stale"), F_OK) < 0,
		     "a leftover temp file makes it fail (O_EXCL, as runc)");
	}
	{
		char cwd[512];
		if (getcwd(cwd, sizeof cwd) && chdir(tmp) == 0) {
			T_OK(pidfile_write("relpid", 42, &e) == 0, "pidfile_write with a bare name");
			s = slurp("relpid");
			T_STREQ(s, "42", "  writes it in the cwd");
			free(s);
			(void)!chdir(cwd);
		}
	}

	/* stdio links */
	T_OK(proc_fd_links(getpid(), links, &e) == 0, "proc_fd_links of self");
	{
		int i, ok = 1;
		for (i = 0; i < 3; i++) {
			char path[64], t[4096];
			ssize_t n;
			snprintf(path, sizeof path, "/proc/self/fd/%d", i);
			n = readlink(path, t, sizeof t - 1);
			t[n > 0 ? n : 0] = 0;
			if (!links[i] || strcmp(links[i], t))
				ok = 0;
		}
		T_OK(ok, "  they match readlink of /proc/self/fd/0..2");
	}
	proc_fd_links_free(links);
	if (pipe(p) == 0) {
		child = fork();
		if (child == 0) {
			dup2(p[0], 0);
			pause();
			_exit(0);
		}
		usleep(20000);
		T_OK(proc_fd_links(child, links, &e) == 0 && !strncmp(links[0], "pipe:[", 6),
		     "a child's stdin pipe shows as pipe:[ino]");
		proc_fd_links_free(links);
		kill(child, SIGKILL);
		proc_wait(child, NULL, 0, &e);
		close(p[0]);
		close(p[1]);
	}

	/* hooks */
	{
		const char *a_exit[] = { "sh", "-c", "exit 3", NULL };
		const char *a_out[] = { "sh", "-c", "echo out; echo err >&2; exit 2", NULL };
		const char *a_cat[] = { "sh", "-c", NULL, NULL };
		const char *a_sleep[] = { "sh", "-c", "sleep 10", NULL };
		const char *a_env[] = { "sh", "-c", "test \"$FOO\" = bar && test -z \"$HOME\"", NULL };
		const char *env[] = { "FOO=bar", "PATH=/usr/bin:/bin", NULL };
		const char *a_sig[] = { "sh", "-c", "kill -9 $$", NULL };
		const char *a_noread[] = { "sh", "-c", "exit 0", NULL };
		const char *ocistate = "{\"ociVersion\":\"1.0.2\",\"id\":\"x\",\"status\":\"stopped\"}";
		char cmd[600], *big;
		double t0;

		T_OK(proc_run_hook("/bin/true", NULL, NULL, 0, NULL, 0, &e) == 0,
		     "a hook that exits 0 succeeds (argv defaults to the path)");
		r = proc_run_hook("/bin/sh", a_exit, NULL, 0, ocistate, strlen(ocistate), &e);
		T_OK(r == -1, "a hook exiting 3 fails");
		T_STREQ(e.msg, "hook /bin/sh exited with status 3", "  message names path and status");
		r = proc_run_hook("/bin/sh", a_out, NULL, 0, NULL, 0, &e);
		T_OK(r == -1 && strstr(e.msg, "exited with status 2") &&
		     strstr(e.msg, "stdout: out") && strstr(e.msg, "stderr: err"),
		     "stdout and stderr of a failing hook are in the message");
		snprintf(cmd, sizeof cmd, "cat > %s", P("stdin"));
		a_cat[2] = cmd;
		T_OK(proc_run_hook("/bin/sh", a_cat, NULL, 5, ocistate, strlen(ocistate), &e) == 0,
		     "a hook reading stdin succeeds");
		s = slurp(P("stdin"));
		T_STREQ(s, ocistate, "  it received the state JSON on stdin");
		free(s);
		T_OK(proc_run_hook("/bin/sh", a_env, env, 0, NULL, 0, &e) == 0,
		     "the hook gets exactly the given environment");
		setenv("CRBOX_T_INHERIT", "yes", 1);
		{
			const char *a_inh[] = { "sh", "-c", "test \"$CRBOX_T_INHERIT\" = yes", NULL };
			T_OK(proc_run_hook("/bin/sh", a_inh, NULL, 0, NULL, 0, &e) == 0,
			     "a NULL environment inherits ours");
		}
		t0 = now();
		r = proc_run_hook("/bin/sh", a_sleep, NULL, 1, NULL, 0, &e);
		T_OK(r == -1 && e.no == ETIMEDOUT, "a hook past its timeout fails with ETIMEDOUT");
		T_OK(now() - t0 < 3.0, "  it was killed after about a second");
		T_STREQ(e.msg, "hook /bin/sh ran past specified timeout of 1.0s",
			"  timeout message (runc's N.0s)");
		r = proc_run_hook("/bin/sh", a_sig, NULL, 0, NULL, 0, &e);
		T_OK(r == -1 && strstr(e.msg, "killed by signal 9"), "a hook killed by a signal fails");
		r = proc_run_hook("/nonexistent/hook", NULL, NULL, 0, NULL, 0, &e);
		T_OK(r == -1 && e.no == ENOENT && strstr(e.msg, "/nonexistent/hook: exec"),
		     "a missing hook binary fails with the exec error");
		big = malloc(1 << 20);
		memset(big, 'x', 1 << 20);
		r = proc_run_hook("/bin/sh", a_noread, NULL, 5, big, 1 << 20, &e);
		T_OK(r == 0, "a hook that ignores 1 MiB of stdin neither fails nor kills us (SIGPIPE)");
		free(big);
		{
			sigset_t pend;
			sigpending(&pend);
			T_OK(!sigismember(&pend, SIGPIPE), "  no SIGPIPE is left pending");
		}
	}

	/* hooks start clean: empty signal mask, default dispositions, only fds 0-2, and a
	 * bare name is looked up in PATH but never in the cwd */
	{
		const char *a_sig[] = { "sh", "-c",
			SIGCHECK, NULL };
		const char *a_fd[] = { "sh", "-c", "test ! -e /proc/$$/fd/9", NULL };
		const char *a_sleep[] = { "sh", "-c", "sleep 10", NULL };
		sigset_t all, old;
		struct sigaction ign = { .sa_handler = SIG_IGN }, oldhup;
		char *hook, cwd[512], *opath = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
		int fd9, ip[2];
		double t0;

		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		sigaction(SIGHUP, &ign, &oldhup);
		r = proc_run_hook("/bin/sh", a_sig, NULL, 0, NULL, 0, &e);
		T_OK(r == 0, "a hook gets an empty signal mask and default dispositions although "
			     "we block everything and ignore SIGHUP");
		if (r)
			printf("# %s\n", e.msg);
		sigaction(SIGHUP, &oldhup, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);

		fd9 = open("/dev/null", O_RDONLY);   /* no O_CLOEXEC: as if our caller leaked it */
		T_OK(fd9 >= 0 && dup2(fd9, 9) == 9, "fd 9 open without O_CLOEXEC");
		T_OK(proc_run_hook("/bin/sh", a_fd, NULL, 0, NULL, 0, &e) == 0,
		     "  the hook does not inherit it");
		close(9);
		if (fd9 != 9)
			close(fd9);

		hook = P("crbox-t-hook");
		{
			int hf = open(hook, O_WRONLY | O_CREAT | O_TRUNC, 0755);
			T_OK(hf >= 0 && write(hf, "#!/bin/sh\nexit 0\n", 18) == 18 && close(hf) == 0,
			     "an executable crbox-t-hook in the test dir");
		}
		T_OK(getcwd(cwd, sizeof cwd) && chdir(tmp) == 0, "chdir into a dir holding crbox-t-hook");
		setenv("PATH", ".::bin:/nonexistent", 1);
		r = proc_run_hook("crbox-t-hook", NULL, NULL, 0, NULL, 0, &e);
		T_OK(r == -1 && e.no == ENOENT, "a hook named without a path is not run from the "
						"cwd through '.', empty or relative PATH entries");
		T_OK(strstr(e.msg, "executable file not found in $PATH") != NULL, "  Go's message");
		setenv("PATH", tmp, 1);
		T_OK(proc_run_hook("crbox-t-hook", NULL, NULL, 0, NULL, 0, &e) == 0,
		     "  it is found through an absolute PATH entry");
		if (opath)
			setenv("PATH", opath, 1);
		free(opath);
		T_OK(chdir(cwd) == 0, "back to the old cwd");

		T_OK(pipe(ip) == 0 && write(ip[1], "x", 1) == 1, "an intr fd that is readable");
		t0 = now();
		r = proc_run_hook_intr("/bin/sh", a_sleep, NULL, 0, NULL, 0, ip[0], &e);
		T_OK(r == -1 && e.no == EINTR && now() - t0 < 2.0,
		     "a readable intr fd ends a hook with no timeout at once (EINTR)");
		close(ip[0]);
		close(ip[1]);
	}

	/* subreaper */
	{
		int v = -1;
		T_NATIVE(proc_subreaper(1, &e) == 0 && prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 &&
			 v == 1, "subreaper on", "qemu-user lacks PR_GET_CHILD_SUBREAPER");
		T_NATIVE(proc_subreaper(0, &e) == 0 && prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 &&
			 v == 0, "subreaper off", "qemu-user lacks PR_GET_CHILD_SUBREAPER");
	}

	fs_rm_rf_at(AT_FDCWD, tmp, &e);
	return t_done();
}
