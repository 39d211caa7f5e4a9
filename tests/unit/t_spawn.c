/* spawn: the PATH lookup (absolute entries only, Go's executable test, names with '/'), and
 * spawn_exec (fd map with /dev/null for -1, nothing else inherited, clean signal state,
 * own session, exec failures reported and reaped). */
#include "t.h"
#include "sys/spawn.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[256];

/* Checked with shell builtins only: the shell blocks SIGCHLD around its own forks, so a
 * child reading /proc/<shell>/status could see that transient mask. */
#define SIGCHECK "ok=0; while read k v; do case \"$k$v\" in SigBlk:0000000000000000|" \
		 "SigIgn:0000000000000000) ok=$((ok+1));; Sig*) echo \"$k $v\" >&2;; esac; " \
		 "done < /proc/$$/status; test $ok = 2"

static void mkexe(const char *dir, const char *name, mode_t mode)
{
	char p[512];
	int fd;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd >= 0) {
		if (write(fd, "#!/bin/sh\nexit 0\n", 17) != 17)
			perror("write");
		close(fd);
	}
	chmod(p, mode);
}

/* Runs /bin/sh -c script through spawn_exec with fds; returns its exit code (or -1). */
static int run_sh(const char *script, const int *fds, int nfds, int flags, pid_t *pid_out)
{
	char *argv[] = { "sh", "-c", (char *)script, NULL };
	struct spawn sp = { .path = "/bin/sh", .argv = argv, .fds = fds, .nfds = nfds,
			    .flags = flags };
	struct err e;
	int st;

	if (spawn_exec(&sp, &e) < 0)
		return -1;
	if (pid_out)
		*pid_out = sp.pid;
	while (waitpid(sp.pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
	char cwd[512], sub[300], both[700], *r, opath[4096];
	struct err e;

	snprintf(opath, sizeof opath, "%s", getenv("PATH") ? getenv("PATH") : "");
	snprintf(tmp, sizeof tmp, "/tmp/crbox-t-spawn.%d", (int)getpid());
	mkdir(tmp, 0700);
	snprintf(sub, sizeof sub, "%s/bin", tmp);
	mkdir(sub, 0700);
	mkexe(tmp, "tool", 0755);
	mkexe(sub, "tool", 0755);
	mkexe(sub, "noexec", 0644);
	mkdir(strcat(strcpy(both, sub), "/adir"), 0755);
	T_OK(getcwd(cwd, sizeof cwd) && chdir(tmp) == 0, "cwd = a dir holding ./tool and bin/tool");

	/* PATH lookup */
	setenv("PATH", ".:bin::", 1);
	r = spawn_lookpath("tool", &e);
	T_OK(!r && e.no == ENOENT, "'.', relative and empty PATH entries are skipped");
	T_STREQ(r ? r : e.msg, "exec: \"tool\": executable file not found in $PATH", "  Go's message");
	free(r);
	snprintf(both, sizeof both, ".:%s:%s", sub, tmp);
	setenv("PATH", both, 1);
	r = spawn_lookpath("tool", &e);
	snprintf(both, sizeof both, "%s/tool", sub);
	T_STREQ(r, both, "the first absolute entry holding it wins");
	free(r);
	setenv("PATH", sub, 1);
	r = spawn_lookpath("noexec", &e);
	T_OK(!r && e.no == ENOENT, "a file without an execute bit is not a match");
	free(r);
	r = spawn_lookpath("adir", &e);
	T_OK(!r && e.no == ENOENT, "a directory is not a match");
	free(r);
	unsetenv("PATH");
	r = spawn_lookpath("sh", &e);
	T_OK(r && r[0] == '/', "without PATH the default path is searched");
	free(r);
	r = spawn_lookpath("./tool", &e);
	T_STREQ(r, "./tool", "a name with '/' is taken as is");
	free(r);
	r = spawn_lookpath("bin/noexec", &e);
	T_OK(!r && e.no == EACCES, "a name with '/' that is not executable: EACCES");
	free(r);
	r = spawn_lookpath("", &e);
	T_OK(!r && e.no == ENOENT, "an empty name is not found");
	free(r);
	setenv("PATH", opath, 1);
	T_OK(chdir(cwd) == 0, "back to the old cwd");

	/* spawn_exec */
	{
		int p[2], fd9;
		char b[64];
		ssize_t n;
		sigset_t all, old;
		struct sigaction ign = { .sa_handler = SIG_IGN }, oldterm;
		pid_t pid = 0;

		T_OK(pipe(p) == 0, "a pipe for the child's stdout");
		{
			int fds[] = { -1, p[1], -1 };
			T_INTEQ(run_sh("echo hi; test -c /proc/self/fd/0", fds, 3, 0, NULL), 0,
				"fd 1 is the given pipe, -1 is /dev/null");
			n = read(p[0], b, sizeof b);
			T_OK(n == 3 && !memcmp(b, "hi\n", 3), "  the output arrived");
		}
		fd9 = open("/dev/null", O_RDONLY);
		T_OK(fd9 >= 0 && dup2(fd9, 9) == 9, "fd 9 open without O_CLOEXEC");
		T_INTEQ(run_sh("test ! -e /proc/$$/fd/9 && test ! -e /proc/$$/fd/3", NULL, 0, 0, NULL), 0,
			"the child has nothing beyond the fds it was given");
		{
			int fds[] = { -1, -1, -1, 9 };
			T_INTEQ(run_sh("test -e /proc/$$/fd/3 && test ! -e /proc/$$/fd/9", fds, 4, 0, NULL),
				0, "  an fd given at slot 3 lands on 3");
		}
		close(9);
		if (fd9 != 9)
			close(fd9);
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		sigaction(SIGTERM, &ign, &oldterm);
		T_INTEQ(run_sh(SIGCHECK, NULL, 0, 0, NULL), 0,
			"the child's mask is empty and nothing is ignored");
		sigaction(SIGTERM, &oldterm, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		{
			int fds[] = { -1, p[1], -1 };
			char want[32];
			T_INTEQ(run_sh("cut -d' ' -f6 /proc/$$/stat", fds, 3, SPAWN_SETSID, &pid), 0,
				"SPAWN_SETSID runs");
			n = read(p[0], b, sizeof b - 1);
			b[n > 0 ? n : 0] = 0;
			snprintf(want, sizeof want, "%d\n", (int)pid);
			T_STREQ(b, want, "  the child leads its own session");
		}
		close(p[0]);
		close(p[1]);
		{
			struct spawn sp = { .path = "/nonexistent/prog" };
			T_OK(spawn_exec(&sp, &e) == -1 && e.no == ENOENT && sp.exec_failed == 1 &&
			     sp.pid == -1, "an exec failure is reported (ENOENT, exec_failed)");
			T_OK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "  and the child reaped");
		}
	}
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
		if (system(cmd) != 0)
			perror("rm");
	}
	return t_done();
}
