/* measure: runs one command and appends one line about it to a file: wall time (fork to
 * reap, CLOCK_MONOTONIC), exit status, and with -m the peak RSS (VmHWM) of that process
 * alone, read from /proc/PID/status at its PTRACE_EVENT_EXIT stop, when its memory is still
 * mapped. Only the process itself is traced (no TRACEFORK/TRACECLONE): criu and other
 * children run untraced and never count. Part of bench/ (see bench/README.md).
 * Usage: measure [-m] [-n COUNT] -o FILE -- CMD [ARG...] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* kB value of "Key:" in /proc/pid/status, or -1. */
static long status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* One run. Returns 0 and fills the results, or -1 when the command could not be started. */
static int run_once(char **argv, int trace, double *wall_ms, int *code, long *hwm, long *rss,
		    long *ru_max)
{
	struct rusage ru;
	long long t0, t1;
	pid_t pid;
	int st;

	*hwm = *rss = -1;
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (trace && ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(126);
		execvp(argv[0], argv);
		fprintf(stderr, "measure: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		if (wait4(pid, &st, __WALL, &ru) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		if (!WIFSTOPPED(st))
			continue;
		if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			/* Exit stop: the address space is still there. */
			*hwm = status_kb(pid, "VmHWM");
			*rss = status_kb(pid, "VmRSS");
			ptrace(PTRACE_CONT, pid, NULL, NULL);
		} else if (WSTOPSIG(st) == SIGTRAP && *hwm < 0 && trace == 1) {
			/* The stop after execve (PTRACE_TRACEME): set the options once. */
			ptrace(PTRACE_SETOPTIONS, pid, NULL,
			       (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL));
			trace = 2;
			ptrace(PTRACE_CONT, pid, NULL, NULL);
		} else {
			/* A signal for the process: deliver it. */
			ptrace(PTRACE_CONT, pid, NULL, (void *)(long)WSTOPSIG(st));
		}
	}
	t1 = now_ns();
	*wall_ms = (double)(t1 - t0) / 1e6;
	*code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	*ru_max = ru.ru_maxrss;
	return 0;
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	int trace = 0, count = 1, c, i, worst = 0;
	FILE *f;

	while ((c = getopt(argc, argv, "+mn:o:")) != -1) {
		switch (c) {
		case 'm': trace = 1; break;
		case 'n': count = atoi(optarg); break;
		case 'o': out = optarg; break;
		default: goto usage;
		}
	}
	if (!out || optind >= argc || count < 1)
		goto usage;
	f = fopen(out, "a");
	if (!f) {
		perror(out);
		return 125;
	}
	for (i = 0; i < count; i++) {
		double ms;
		int code;
		long hwm, rss, rumax;
		if (run_once(argv + optind, trace, &ms, &code, &hwm, &rss, &rumax) < 0) {
			perror("measure");
			return 125;
		}
		/* wall_ms exit hwm_kb rss_at_exit_kb ru_maxrss_kb (wait4: includes children) */
		fprintf(f, "%.3f %d %ld %ld %ld\n", ms, code, hwm, rss, rumax);
		if (code > worst)
			worst = code;
	}
	fclose(f);
	return worst;
usage:
	fprintf(stderr, "usage: measure [-m] [-n COUNT] -o FILE -- CMD [ARG...]\n");
	return 125;
}
