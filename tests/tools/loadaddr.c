/* loadaddr PROG [ARG...]: runs PROG under ptrace and, when it is about to exit (after its
 * main() has run), prints the address at which its executable is mapped, from
 * /proc/PID/maps, as the last line of stdout ("loadaddr 0x..."). Exits with PROG's exit
 * status, or 2 on an error of its own. tests/cli/relr.bats runs crbox twice with it: a
 * static-pie binary that works at two different addresses has applied its relocations. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "loadaddr: %s: %s\n", what, strerror(errno));
	return 2;
}

/* The lowest mapping of the executable of pid, or 0. */
static unsigned long exe_start(pid_t pid)
{
	char path[64], exe[PATH_MAX], line[PATH_MAX + 128];
	unsigned long lo = 0;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start;
		char *name = strchr(line, '/');
		if (!name)
			continue;
		name[strcspn(name, "\n")] = 0;
		if (strcmp(name, exe) == 0 && sscanf(line, "%lx-", &start) == 1 &&
		    (lo == 0 || start < lo))
			lo = start;
	}
	fclose(f);
	return lo;
}

int main(int argc, char **argv)
{
	unsigned long addr = 0;
	pid_t pid;
	int st;

	if (argc < 2) {
		fprintf(stderr, "usage: loadaddr PROG [ARG...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			_exit(127);
		execv(argv[1], argv + 1);
		_exit(127);
	}
	/* The exec stop (SIGTRAP), then on to the exit stop. */
	if (waitpid(pid, &st, 0) < 0)
		return fail("waitpid");
	if (!WIFSTOPPED(st)) {
		fprintf(stderr, "loadaddr: %s did not start under ptrace\n", argv[1]);
		return 2;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)PTRACE_O_TRACEEXIT) < 0)
		return fail("PTRACE_SETOPTIONS");
	if (ptrace(PTRACE_CONT, pid, 0, 0) < 0)
		return fail("PTRACE_CONT");
	for (;;) {
		int sig = 0;
		if (waitpid(pid, &st, 0) < 0)
			return fail("waitpid");
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8)))
			addr = exe_start(pid);
		else if (WSTOPSIG(st) != SIGTRAP)
			sig = WSTOPSIG(st);
		if (ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig) < 0)
			return fail("PTRACE_CONT");
	}
	fflush(stdout);
	printf("loadaddr 0x%lx\n", addr);
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "loadaddr: %s killed by signal %d\n", argv[1], WTERMSIG(st));
		return 2;
	}
	return WEXITSTATUS(st);
}
