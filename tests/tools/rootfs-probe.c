/* rootfs-probe: runs crbox's rootfs set-up (core/rootfs) on a bundle and execs a command in
 * the result, for tests/integration/rootfs.bats until `crbox run` exists. Links core/.
 *   rootfs-probe [--no-pivot] [--bind-devices] [--userns] BUNDLE CMD [ARG...]
 * It unshares a mount namespace (plus the pid, ipc, uts, network and cgroup namespaces the
 * config asks for), forks so the command is pid 1 of a new pid namespace when asked, runs
 * rootfs_prepare, fchdir(rootfd) (where createContainer hooks would run), rootfs_pivot and
 * rootfs_finalize, then execs CMD with a fixed PATH. --bind-devices sets in_userns so device
 * nodes are bind mounts of the host's (the user-namespace path) without a user namespace;
 * --userns runs it all in a new user namespace (identity map written by the parent).
 * Also: rootfs-probe --race-restore ROOT SOURCE N: runs core/mount.c's restore mountpoint
 * preparation N times while a child swaps ROOT/m between a directory and a symlink to a host
 * directory (ROOT/../victim); prints the number of binds that landed outside ROOT. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "err.h"
#include "fsutil.h"
#include "mount.h"
#include "spec.h"
#ifndef PROBE_RACE_ONLY
#include "rootfs/rootfs.h"
#endif

static void fail(const char *what, const struct err *e)
{
	fprintf(stderr, "rootfs-probe: %s: %s\n", what, e->msg);
	exit(1);
}

static int race_restore(const char *root, const char *source, int n)
{
	char victim[4096], m[4096], tmp[4096], cfg[8192], sdir[4096];
	struct spec s;
	struct err e;
	pid_t swapper;
	int i, escapes = 0, ok = 0;

	snprintf(victim, sizeof victim, "%s/../victim", root);
	snprintf(m, sizeof m, "%s/m", root);
	snprintf(tmp, sizeof tmp, "%s/m.tmp", root);
	mkdir(victim, 0755);
	/* The config: one bind of source at /m/sub. */
	snprintf(cfg, sizeof cfg, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s\"},"
		 "\"process\":{\"cwd\":\"/\",\"args\":[\"true\"]},\"mounts\":[{\"destination\":"
		 "\"/m/sub\",\"type\":\"bind\",\"source\":\"%s\",\"options\":[\"rbind\"]}]}",
		 root, source);
	snprintf(sdir, sizeof sdir, "%s/..", root);
	if (spec_parse(&s, cfg, strlen(cfg), sdir, &e) < 0)
		fail("spec", &e);
	if (unshare(CLONE_NEWNS) < 0 || mount("", "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0) {
		perror("rootfs-probe: unshare");
		return 1;
	}
	{
		/* m: a directory with sub/, m.tmp: a symlink to the victim (which has sub/ too);
		 * the swapper exchanges them atomically, over and over. */
		char vsub[4200], msub[4200];
		snprintf(vsub, sizeof vsub, "%s/sub", victim);
		snprintf(msub, sizeof msub, "%s/sub", m);
		mkdir(vsub, 0755);
		mkdir(m, 0755);
		mkdir(msub, 0755);
		symlink(victim, tmp);
	}
	swapper = fork();
	if (swapper == 0)
		for (;;)
			syscall(SYS_renameat2, AT_FDCWD, m, AT_FDCWD, tmp, 2 /* RENAME_EXCHANGE */);
	for (i = 0; i < n; i++) {
		char vsub[4200];
		struct stat a, b;
		int rc = mount_prepare_restore(root, &s, &e);
		if (rc == 0)
			ok++;
		/* The bind is undone before mount_prepare_restore returns; an escaped one
		 * would stay on the victim (it was unmounted through the fd it was made on,
		 * so only a mount that went elsewhere survives) or show the source there. */
		snprintf(vsub, sizeof vsub, "%s/sub", victim);
		if (stat(vsub, &a) == 0 && stat(source, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			escapes++;
		if (fs_is_mountpoint(vsub, &e) == 1) {
			escapes++;
			umount2(vsub, MNT_DETACH);
		}
	}
	kill(swapper, SIGKILL);
	waitpid(swapper, NULL, 0);
	spec_free(&s);
	fprintf(stderr, "rootfs-probe: %d of %d restores prepared, %d escapes\n", ok, n, escapes);
	printf("%d\n", escapes);
	return 0;
}

#ifdef PROBE_RACE_ONLY
int main(int argc, char **argv)
{
	return argc >= 5 ? race_restore(argv[2], argv[3], atoi(argv[4])) : 2;
}
#else
int main(int argc, char **argv)
{
	struct rootfs_ctx c;
	struct spec s;
	struct err e;
	int no_pivot = 0, bind_dev = 0, userns = 0, flags = CLONE_NEWNS, st;
	pid_t pid;

	if (argc >= 5 && !strcmp(argv[1], "--race-restore"))
		return race_restore(argv[2], argv[3], atoi(argv[4]));
	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--no-pivot"))
			no_pivot = 1;
		else if (!strcmp(argv[1], "--bind-devices"))
			bind_dev = 1;
		else if (!strcmp(argv[1], "--userns"))
			userns = 1;
		else
			break;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: rootfs-probe [--no-pivot] [--bind-devices] [--userns] BUNDLE CMD [ARG...]\n");
		return 2;
	}
	if (spec_load(&s, argv[1], &e) < 0)
		fail("spec", &e);
	if (rootfs_validate(spec_rootfs(&s), &e) < 0)
		fail("validate", &e);
	if (rootfs_ctx_init(&c, &s, &e) < 0)
		fail("config", &e);
	c.no_pivot = no_pivot;
	if (bind_dev)
		c.in_userns = 1;
	if (userns) {
		/* A user namespace mapping every id to itself, maps written by the parent (the
		 * runtime's order), then the rest as without one. */
		int up[2], down[2];
		char b = 0, path[64];
		FILE *f;
		c.in_userns = 1;
		if (pipe(up) < 0 || pipe(down) < 0)
			return 1;
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			if (unshare(CLONE_NEWUSER) < 0) {
				perror("rootfs-probe: unshare user");
				_exit(1);
			}
			if (write(up[1], &b, 1) != 1 || read(down[0], &b, 1) != 1 || b != 1)
				_exit(1);
			if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
				perror("rootfs-probe: setresuid");
				_exit(1);
			}
		} else {
			if (read(up[0], &b, 1) != 1)
				return 1;
			snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
			f = fopen(path, "w");
			b = f && fprintf(f, "0 0 4294967295\n") > 0 && fclose(f) == 0;
			snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
			f = b ? fopen(path, "w") : NULL;
			b = f && fprintf(f, "0 0 4294967295\n") > 0 && fclose(f) == 0;
			if (write(down[1], &b, 1) != 1 || waitpid(pid, &st, 0) < 0)
				return 1;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
	}
	if (spec_has_ns(&s, "pid"))
		flags |= CLONE_NEWPID;
	if (spec_has_ns(&s, "ipc"))
		flags |= CLONE_NEWIPC;
	if (spec_has_ns(&s, "uts"))
		flags |= CLONE_NEWUTS;
	if (spec_has_ns(&s, "network"))
		flags |= CLONE_NEWNET;
	if (spec_has_ns(&s, "cgroup"))
		flags |= CLONE_NEWCGROUP;
	if (unshare(flags) < 0) {
		perror("rootfs-probe: unshare");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("rootfs-probe: fork");
		return 1;
	}
	if (pid > 0) {
		if (waitpid(pid, &st, 0) < 0)
			return 1;
		return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	if (rootfs_prepare(&c, &e) < 0)
		fail("prepare", &e);
	if (fchdir(c.rootfd) < 0) {
		perror("rootfs-probe: fchdir");
		return 1;
	}
	if (rootfs_pivot(&c, &e) < 0)
		fail("pivot", &e);
	if (rootfs_finalize(&c, &e) < 0)
		fail("finalize", &e);
	rootfs_ctx_close(&c);
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	execvp(argv[2], argv + 2);
	fprintf(stderr, "rootfs-probe: exec %s: %s\n", argv[2], strerror(errno));
	return 127;
}
#endif
