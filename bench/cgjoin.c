/* cgjoin: what placing a new process in a container's cgroups costs on this host, by way of
 * doing it (bench/README.md, docs/benchmarks.md "Restore overhead"). For each way, TRIALS
 * times with a pause between (so each trial starts as a separate runtime invocation would):
 * fork (or clone3) a child that waits on a pipe, place it, release it, reap it; the time is
 * from before the fork to the last placement. Ways:
 *   fork        fork only (no placement): the floor
 *   v2-then-v1  write the pid to the unified cgroup.procs, then to every v1 one (today)
 *   v1-then-v2  every v1 hierarchy first, the unified one last
 *   v1-only     only the v1 hierarchies (what a runtime without the cgroup2 mount does)
 *   clone3+v1   clone3(CLONE_INTO_CGROUP) into the unified cgroup, then the v1 writes
 *   clone3      clone3(CLONE_INTO_CGROUP) alone (what a pure cgroup v2 host needs)
 *   self        the child writes "0" into each cgroup.procs itself (v2 then v1)
 * Usage (root): cgjoin [-n TRIALS] [-p PAUSE_MS]   Prints one line per way: median, p25, p75.
 * Makes /sys/fs/cgroup/<hierarchy>/crbox-cgjoin-<pid> and removes it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXH 16
#define MAXT 200

static char v1[MAXH][256];
static int nv1;
static char v2[256];

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int put(const char *dir, const char *file, const char *val)
{
	char p[512];
	int fd, r;
	snprintf(p, sizeof p, "%s/%s", dir, file);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return r;
}

static void copy_up(const char *dir, const char *file)
{
	char p[512], buf[256];
	ssize_t n;
	int fd;
	snprintf(p, sizeof p, "%s/../%s", dir, file);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		put(dir, file, buf);
	}
}

/* Finds the hierarchies from /proc/self/mountinfo, makes the test cgroup in each. */
static int setup(void)
{
	char line[4096], mnt[200], fstype[64];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %199s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s", fstype) != 1 || strncmp(mnt, "/sys/fs/cgroup/", 15))
			continue;
		if (!strcmp(fstype, "cgroup2") && !v2[0])
			snprintf(v2, sizeof v2, "%s/crbox-cgjoin-%d", mnt, (int)getpid());
		else if (!strcmp(fstype, "cgroup") && nv1 < MAXH)
			snprintf(v1[nv1++], sizeof v1[0], "%s/crbox-cgjoin-%d", mnt, (int)getpid());
	}
	fclose(f);
	if (v2[0] && mkdir(v2, 0755) < 0)
		return -1;
	for (int i = 0; i < nv1; i++) {
		if (mkdir(v1[i], 0755) < 0)
			return -1;
		if (strstr(v1[i], "/cpuset/")) {
			copy_up(v1[i], "cpuset.cpus");
			copy_up(v1[i], "cpuset.mems");
		}
	}
	return 0;
}

static void teardown(void)
{
	if (v2[0])
		rmdir(v2);
	for (int i = 0; i < nv1; i++)
		rmdir(v1[i]);
}

enum way { FORK, V2V1, V1V2, V1ONLY, CLONE3V1, CLONE3, SELF, NWAYS };
static const char *names[NWAYS] = { "fork", "v2-then-v1", "v1-then-v2", "v1-only",
				    "clone3+v1", "clone3", "self" };

static pid_t spawn(int way, int rfd, int wfd, int v2fd)
{
	pid_t pid;
	if (way == CLONE3V1 || way == CLONE3) {
		struct clone_args a;
		memset(&a, 0, sizeof a);
		a.flags = CLONE_INTO_CGROUP;
		a.exit_signal = SIGCHLD;
		a.cgroup = (unsigned)v2fd;
		pid = syscall(SYS_clone3, &a, sizeof a);
	} else {
		pid = fork();
	}
	if (pid == 0) {
		char c;
		close(wfd);
		if (way == SELF) {
			if (v2[0])
				put(v2, "cgroup.procs", "0");
			for (int i = 0; i < nv1; i++)
				put(v1[i], "cgroup.procs", "0");
			_exit(0);
		}
		if (read(rfd, &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	return pid;
}

static double trial(int way, int v2fd)
{
	int p[2], st;
	char pid_s[32];
	double t0, t1;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	t0 = now_ms();
	pid = spawn(way, p[0], p[1], v2fd);
	if (pid < 0)
		return -1;
	snprintf(pid_s, sizeof pid_s, "%d", (int)pid);
	if ((way == V2V1) && v2[0])
		put(v2, "cgroup.procs", pid_s);
	if (way == V2V1 || way == V1V2 || way == V1ONLY || way == CLONE3V1)
		for (int i = 0; i < nv1; i++)
			put(v1[i], "cgroup.procs", pid_s);
	if (way == V1V2 && v2[0])
		put(v2, "cgroup.procs", pid_s);
	if (way == SELF) {
		waitpid(pid, &st, 0);
		t1 = now_ms();
		close(p[0]);
		close(p[1]);
		return t1 - t0;
	}
	t1 = now_ms();
	close(p[1]);
	close(p[0]);
	waitpid(pid, &st, 0);
	return t1 - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double q(double *a, int n, double p)
{
	double x = (n - 1) * p;
	int i = (int)x;
	return i + 1 < n ? a[i] + (x - i) * (a[i + 1] - a[i]) : a[n - 1];
}

int main(int argc, char **argv)
{
	static double t[NWAYS][MAXT];
	int n = 15, pause_ms = 150, c, v2fd = -1;

	while ((c = getopt(argc, argv, "n:p:")) != -1) {
		if (c == 'n')
			n = atoi(optarg);
		else if (c == 'p')
			pause_ms = atoi(optarg);
		else
			return 2;
	}
	if (n < 1 || n > MAXT)
		return 2;
	if (setup() < 0) {
		perror("cgjoin: setup");
		teardown();
		return 1;
	}
	if (v2[0])
		v2fd = open(v2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int k = 0; k < n; k++)
		for (int w0 = 0; w0 < NWAYS; w0++) {
			int w = (w0 + k) % NWAYS; /* rotate the order */
			struct timespec ps = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };
			nanosleep(&ps, NULL);
			t[w][k] = ((w == CLONE3 || w == CLONE3V1) && v2fd < 0) ? -1 : trial(w, v2fd);
		}
	printf("# %d trials per way, %d ms apart; %d v1 hierarchies, cgroup2: %s\n", n, pause_ms,
	       nv1, v2[0] ? "yes" : "no");
	for (int w = 0; w < NWAYS; w++) {
		if (t[w][0] < 0) {
			printf("%-11s n/a\n", names[w]);
			continue;
		}
		qsort(t[w], n, sizeof(double), cmp);
		printf("%-11s median %6.2f ms  p25 %6.2f  p75 %6.2f  max %6.2f\n", names[w],
		       q(t[w], n, .5), q(t[w], n, .25), q(t[w], n, .75), t[w][n - 1]);
	}
	if (v2fd >= 0)
		close(v2fd);
	teardown();
	return 0;
}
