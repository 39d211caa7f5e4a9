/* measure: runs one command, or a sequence of steps, or steps in parallel, and appends one
 * line about it to a file: wall time (fork to reap, CLOCK_MONOTONIC), exit status, and with
 * -m the peak RSS (VmHWM) of each runtime process alone, read from /proc/PID/status at its
 * PTRACE_EVENT_EXIT stop, when its memory is still mapped (the larger of that and the
 * VmHWM before a later execve of its own, if it re-executes itself). Only the started processes are
 * traced (no TRACEFORK/TRACECLONE): criu, container inits and other children run untraced
 * and never count. Part of bench/ (see bench/README.md).
 * Usage: measure [-m] [-p] [-t SEC] [-n COUNT] -o FILE -- STEP [:: STEP ...]
 *   STEP is CMD [ARG...], or @reap: wait until every orphan reparented to measure (it is a
 *   child subreaper when a @reap step is present, e.g. a container init after kill) is gone.
 *   -p starts every step at once and waits for all (no @reap then). -t: a step (or a @reap)
 *   that takes longer than SEC seconds (default 60) is killed and the run fails (status 124).
 * Line: wall_ms exit hwm_kb rss_kb ru_maxrss_kb [step1_ms step2_ms ...] (steps when > 1);
 * exit is the worst step's, hwm/rss the largest of the steps'. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXSTEPS 512

struct step {
	char **argv; /* NULL for @reap */
	pid_t pid;
	int traced, done, code;
	long hwm, rss, pre_exec_hwm;
	double ms;
	long long t0;
};

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

static int start_step(struct step *s, int trace)
{
	s->hwm = s->rss = s->pre_exec_hwm = -1;
	s->done = 0;
	s->traced = trace;
	s->t0 = now_ns();
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		if (trace && ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(126);
		execvp(s->argv[0], s->argv);
		fprintf(stderr, "measure: %s: %s\n", s->argv[0], strerror(errno));
		_exit(127);
	}
	return 0;
}

/* Handles one wait status of a started step; returns 1 when the step is over. */
static int step_event(struct step *s, int st)
{
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		s->ms = (double)(now_ns() - s->t0) / 1e6;
		s->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		s->done = 1;
		return 1;
	}
	if (!WIFSTOPPED(st))
		return 0;
	if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
		/* The runtime re-executes itself (crun does, from a sealed copy): the new image's
		 * VmHWM starts afresh; the old one's peak is kept. */
		long h = status_kb(s->pid, "VmHWM");
		if (h > s->pre_exec_hwm)
			s->pre_exec_hwm = h;
		ptrace(PTRACE_CONT, s->pid, NULL, NULL);
	} else if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
		/* Exit stop: the address space is still there. */
		s->hwm = status_kb(s->pid, "VmHWM");
		s->rss = status_kb(s->pid, "VmRSS");
		if (s->pre_exec_hwm > s->hwm)
			s->hwm = s->pre_exec_hwm;
		ptrace(PTRACE_CONT, s->pid, NULL, NULL);
	} else if (WSTOPSIG(st) == SIGTRAP && s->traced == 1) {
		/* The stop after execve (PTRACE_TRACEME): set the options once. */
		ptrace(PTRACE_SETOPTIONS, s->pid, NULL,
		       (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
		s->traced = 2;
		ptrace(PTRACE_CONT, s->pid, NULL, NULL);
	} else {
		/* A signal for the process: deliver it. */
		ptrace(PTRACE_CONT, s->pid, NULL, (void *)(long)WSTOPSIG(st));
	}
	return 0;
}

static int step_timeout = 60;

static void on_alarm(int sig) { (void)sig; }

/* Waits for the next child event; -1 on error or timeout (alarm interrupts). */
static pid_t next_event(int *st, struct rusage *ru)
{
	for (;;) {
		pid_t p = wait4(-1, st, __WALL, ru);
		if (p >= 0 || errno != EINTR)
			return p;
		return -2; /* timeout */
	}
}

static struct step *find(struct step *s, int n, pid_t pid)
{
	int i;
	for (i = 0; i < n; i++)
		if (s[i].argv && s[i].pid == pid && !s[i].done)
			return &s[i];
	return NULL;
}

/* One run of all steps. Returns 0 and fills the results, or -1 when a step could not be
 * started or a wait failed or timed out. */
static int run_once(struct step *s, int n, int trace, int par, double *wall_ms, long *ru_max)
{
	struct rusage ru;
	long long t0 = now_ns();
	int i, st, left;
	pid_t p;

	*ru_max = 0;
	if (par) {
		for (i = 0; i < n; i++)
			if (start_step(&s[i], trace) < 0)
				return -1;
		for (left = n; left > 0;) {
			struct step *x;
			alarm(step_timeout);
			p = next_event(&st, &ru);
			alarm(0);
			if (p == -2) {
				fprintf(stderr, "measure: parallel steps timed out\n");
				for (i = 0; i < n; i++)
					if (!s[i].done)
						kill(s[i].pid, SIGKILL);
				return -1;
			}
			if (p < 0)
				return -1;
			x = find(s, n, p);
			if (x && step_event(x, st)) {
				left--;
				if (ru.ru_maxrss > *ru_max)
					*ru_max = ru.ru_maxrss;
			}
		}
	} else {
		for (i = 0; i < n; i++) {
			long long r0 = now_ns();
			if (!s[i].argv) {
				/* @reap: every orphan, until none is left. */
				for (;;) {
					alarm(step_timeout);
					p = next_event(&st, &ru);
					alarm(0);
					if (p == -1 && errno == ECHILD)
						break;
					if (p < 0) {
						fprintf(stderr, "measure: @reap: timed out\n");
						return -1;
					}
				}
				s[i].ms = (double)(now_ns() - r0) / 1e6;
				s[i].code = 0;
				s[i].hwm = s[i].rss = -1;
				continue;
			}
			if (start_step(&s[i], trace) < 0)
				return -1;
			while (!s[i].done) {
				struct step *x;
				alarm(step_timeout);
				p = next_event(&st, &ru);
				alarm(0);
				if (p == -2) {
					fprintf(stderr, "measure: step %d timed out\n", i + 1);
					kill(s[i].pid, SIGKILL);
					return -1;
				}
				if (p < 0)
					return -1;
				x = find(s, n, p);
				if (x && step_event(x, st) && ru.ru_maxrss > *ru_max)
					*ru_max = ru.ru_maxrss;
			}
		}
	}
	*wall_ms = (double)(now_ns() - t0) / 1e6;
	return 0;
}

int main(int argc, char **argv)
{
	static struct step steps[MAXSTEPS];
	const char *out = NULL;
	int trace = 0, par = 0, count = 1, c, i, n = 0, worst = 0, reap = 0;
	struct sigaction sa;
	FILE *f;

	while ((c = getopt(argc, argv, "+mpt:n:o:")) != -1) {
		switch (c) {
		case 'm': trace = 1; break;
		case 'p': par = 1; break;
		case 't': step_timeout = atoi(optarg); break;
		case 'n': count = atoi(optarg); break;
		case 'o': out = optarg; break;
		default: goto usage;
		}
	}
	if (!out || optind >= argc || count < 1)
		goto usage;
	/* Split argv at "::" into steps. */
	for (i = optind; i < argc; i++) {
		int start = i;
		if (n == MAXSTEPS) {
			fprintf(stderr, "measure: more than %d steps\n", MAXSTEPS);
			return 125;
		}
		while (i < argc && strcmp(argv[i], "::"))
			i++;
		argv[i < argc ? i : argc] = NULL;
		if (i == start)
			goto usage;
		if (!strcmp(argv[start], "@reap") && i == start + 1) {
			steps[n++].argv = NULL;
			reap = 1;
		} else {
			steps[n++].argv = argv + start;
		}
	}
	if (reap && par)
		goto usage;
	if (reap && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("measure: PR_SET_CHILD_SUBREAPER");
		return 125;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART: a timeout interrupts wait4 */
	sigaction(SIGALRM, &sa, NULL);
	f = fopen(out, "ae");
	if (!f) {
		perror(out);
		return 125;
	}
	for (i = 0; i < count; i++) {
		double ms;
		long rumax, hwm = -1, rss = -1;
		int j, code = 0;
		if (run_once(steps, n, trace, par, &ms, &rumax) < 0) {
			fprintf(stderr, "measure: run %d failed\n", i + 1);
			return 124;
		}
		for (j = 0; j < n; j++) {
			if (steps[j].code > code)
				code = steps[j].code;
			if (steps[j].hwm > hwm)
				hwm = steps[j].hwm;
			if (steps[j].rss > rss)
				rss = steps[j].rss;
		}
		fprintf(f, "%.3f %d %ld %ld %ld", ms, code, hwm, rss, rumax);
		for (j = 0; n > 1 && j < n; j++)
			fprintf(f, " %.3f", steps[j].ms);
		fputc('\n', f);
		if (code > worst)
			worst = code;
	}
	fclose(f);
	return worst;
usage:
	fprintf(stderr, "usage: measure [-m] [-p] [-t SEC] [-n COUNT] -o FILE -- STEP [:: STEP ...]\n");
	return 125;
}
