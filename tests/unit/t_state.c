/* t_state: state directories and state.json in a temp root: create/open/lock (with real
 * forked processes), atomic writes, strict reads, recursive destroy (never through symlinks
 * or into mounts), listing, status from /proc, RFC3339Nano times, and the OCI state JSON. */
#include "t.h"
#include "state.h"
#include "proc.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmp[256];

static int count_entries(int dirfd, const char *except, char *first, size_t cap)
{
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY);
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int n = 0;

	if (first && cap)
		*first = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (except && !strcmp(de->d_name, except)))
			continue;
		if (first && !n)
			snprintf(first, cap, "%s", de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static void put_file(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		printf("# cannot write %s\n", name);
		exit(1);
	}
	close(fd);
}

static void fill(struct state *st)
{
	memset(st, 0, sizeof *st);
	st->id = strdup("ct-a");
	st->pid = 4242;
	st->start_time = 18446744073709551615ull;
	st->created = strdup("2026-11-29T10:15:17.123456789Z");
	st->bundle = strdup("/srv/bundle");
	st->rootfs = strdup("/srv/bundle/rootfs");
	st->oci_version = strdup("1.0.2-dev");
	state_kv_set(&st->annotations, &st->nannotations, "z.last", "1");
	state_kv_set(&st->annotations, &st->nannotations, "org.criu.config", "");
	state_kv_set(&st->annotations, &st->nannotations, "a.first", "<&> \"q\"\n\xe2\x80\xa8");
	state_kv_set(&st->cgroup_paths, &st->ncgroup_paths, "memory", "/sys/fs/cgroup/memory/ct-a");
	state_kv_set(&st->cgroup_paths, &st->ncgroup_paths, "name=systemd",
		     "/sys/fs/cgroup/systemd/ct-a");
	state_kv_set(&st->cgroup_paths, &st->ncgroup_paths, "", "/sys/fs/cgroup/unified/ct-a");
	state_kv_set(&st->ns_paths, &st->nns_paths, "NEWNET", "/proc/4242/ns/net");
	state_kv_set(&st->ns_paths, &st->nns_paths, "NEWTIME", "/proc/4242/ns/time");
	st->ext_desc[0] = strdup("/dev/null");
	st->ext_desc[1] = strdup("pipe:[61019]");
	st->ext_desc[2] = strdup("pipe:[61020]");
	st->terminal = 1;
	st->cgroups_path = strdup("/crbox/ct-a");
	st->nnamespaces = 2;
	st->namespaces = calloc(3, sizeof *st->namespaces);
	st->namespaces[0].type = strdup("pid");
	st->namespaces[1].type = strdup("network");
	st->namespaces[1].path = strdup("/var/run/netns/x");
	st->nmounts = 2;
	st->mounts = calloc(3, sizeof *st->mounts);
	st->mounts[0].destination = strdup("/proc");
	st->mounts[0].type = strdup("proc");
	st->mounts[0].source = strdup("proc");
	st->mounts[1].destination = strdup("/conf");
	st->mounts[1].type = strdup("");
	st->mounts[1].source = strdup("/srv/bundle/conf");
	st->mounts[1].bind = 1;
	st->nmasked_paths = 1;
	st->masked_paths = calloc(2, sizeof(char *));
	st->masked_paths[0] = strdup("/proc/kcore");
	st->readonly_paths = calloc(1, sizeof(char *));
	st->ndevice_paths = 1;
	st->device_paths = calloc(2, sizeof(char *));
	st->device_paths[0] = strdup("/dev/fuse");
	st->npoststop = 1;
	st->poststop = calloc(2, sizeof *st->poststop);
	st->poststop[0].path = strdup("/bin/sh");
	st->poststop[0].nargs = 2;
	st->poststop[0].args = calloc(3, sizeof(char *));
	st->poststop[0].args[0] = strdup("sh");
	st->poststop[0].args[1] = strdup("-c");
	st->poststop[0].env = calloc(1, sizeof(char *));
	st->poststop[0].timeout = 7;
}

static void test_time(void)
{
	char out[STATE_TIME_LEN];
	struct timespec ts = { 1795947317, 123456789 };

	state_time_format(&ts, out, sizeof out);
	T_STREQ(out, "2026-11-29T10:15:17.123456789Z", "RFC3339Nano, 9 digits");
	ts.tv_nsec = 120000000;
	state_time_format(&ts, out, sizeof out);
	T_STREQ(out, "2026-11-29T10:15:17.12Z", "trailing zeros trimmed");
	ts.tv_nsec = 0;
	ts.tv_sec = 946684799;
	state_time_format(&ts, out, sizeof out);
	T_STREQ(out, "1999-12-31T23:59:59Z", "no fraction when zero");
	ts.tv_nsec = 1;
	state_time_format(&ts, out, sizeof out);
	T_STREQ(out, "1999-12-31T23:59:59.000000001Z", "leading zeros of the fraction kept");
	state_time_now(out, sizeof out);
	time_t now = time(NULL);
	struct tm tm;
	char want[32];
	gmtime_r(&now, &tm);
	strftime(want, sizeof want, "%Y-%m-%dT%H:", &tm);
	T_OK(!strncmp(out, want, strlen(want)) && out[strlen(out) - 1] == 'Z', "state_time_now is now, UTC");
}

static void test_dirs(int rootfd)
{
	struct err e = { 0 };
	struct stat sb;
	int fd;

	fd = state_create(rootfd, "ct-a", &e);
	T_OK(fd >= 0, "state_create");
	T_OK(fstat(fd, &sb) == 0 && (sb.st_mode & 07777) == 0711, "state dir mode 0711");
	T_OK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "state dir fd is close-on-exec");
	T_OK(state_create(rootfd, "ct-a", &e) < 0, "second create fails");
	T_STREQ(e.msg, "container with given ID already exists", "create twice: runc's message");
	T_INTEQ(e.no, EEXIST, "create twice: EEXIST");
	close(fd);

	T_OK(state_open(rootfd, "nope", STATE_LOCK_SH, &e) < 0, "open missing fails");
	T_STREQ(e.msg, "container does not exist", "open missing: runc's message");
	T_INTEQ(e.no, ENOENT, "open missing: ENOENT");
	const char *badids[] = { "", ".", "..", "a/b", "../x" };
	int refused = 0;
	for (size_t i = 0; i < 5; i++) {
		refused += state_create(rootfd, badids[i], &e) < 0 && e.no == EINVAL;
		refused += state_open(rootfd, badids[i], STATE_LOCK_NONE, &e) < 0 && e.no == EINVAL;
		refused += state_destroy(rootfd, badids[i], -1, &e) < 0 && e.no == EINVAL;
	}
	T_INTEQ(refused, 15, "ids '', '.', '..', with '/' refused by create, open, destroy");

	/* a state dir that is a symlink (to a real directory) is refused */
	char target[300];
	snprintf(target, sizeof target, "%s/elsewhere", tmp);
	mkdir(target, 0700);
	symlinkat(target, rootfd, "evil");
	T_OK(state_open(rootfd, "evil", STATE_LOCK_EX, &e) < 0, "symlinked state dir refused");
	T_STREQ(e.msg, "state directory evil is not a directory", "symlink refusal message");
	T_OK(state_destroy(rootfd, "evil", -1, &e) < 0, "destroy refuses a symlinked state dir");
	T_OK(stat(target, &sb) == 0, "symlink target untouched");
	unlinkat(rootfd, "evil", 0);
	put_file(rootfd, "plainfile", "x");
	T_OK(state_open(rootfd, "plainfile", STATE_LOCK_NONE, &e) < 0 && e.no == ENOTDIR,
	     "regular file as state dir refused");
	unlinkat(rootfd, "plainfile", 0);
}

static void test_roundtrip(int rootfd)
{
	struct err e = { 0 };
	struct state a, b;
	struct buf ja = BUF_INIT, jb = BUF_INIT;
	struct stat sb;
	char first[256];
	int fd = state_open(rootfd, "ct-a", STATE_LOCK_EX, &e);

	if (!T_OK(fd >= 0, "state_open existing")) {
		printf("# %s\n", e.msg);
		return;
	}
	T_OK(state_read(fd, &b, &e) < 0 && e.no == ENOENT, "no state.json yet");
	T_STREQ(e.msg, "container does not exist", "no state.json: container does not exist");
	fill(&a);
	T_OK(state_write(fd, &a, &e) == 0, "state_write");
	T_OK(fstatat(fd, "state.json", &sb, 0) == 0 && (sb.st_mode & 07777) == 0600,
	     "state.json mode 0600");
	T_INTEQ(count_entries(fd, "state.json", first, sizeof first), 0,
		"no temp files left after a write");
	if (state_read(fd, &b, &e) < 0) {
		T_OK(0, "state_read");
		printf("# %s\n", e.msg);
		state_free(&a);
		close(fd);
		return;
	}
	T_OK(1, "state_read");
	state_to_json(&a, &ja);
	state_to_json(&b, &jb);
	T_STREQ(jb.p, ja.p, "round trip: re-serialization identical");
	T_STREQ(b.id, "ct-a", "id");
	T_INTEQ(b.pid, 4242, "pid");
	T_OK(b.start_time == 18446744073709551615ull, "start time, full u64 range");
	T_STREQ(b.created, a.created, "created");
	T_STREQ(b.annotations[0].key, "z.last", "annotations keep their order");
	T_STREQ(b.annotations[2].value, "<&> \"q\"\n\xe2\x80\xa8", "annotation value escapes");
	T_STREQ(state_kv_get(b.cgroup_paths, b.ncgroup_paths, ""), "/sys/fs/cgroup/unified/ct-a",
		"unified cgroup dir under \"\"");
	T_STREQ(state_kv_get(b.ns_paths, b.nns_paths, "NEWTIME"), "/proc/4242/ns/time", "NEWTIME");
	T_STREQ(b.ext_desc[1], "pipe:[61019]", "external_descriptors");
	T_OK(b.terminal && !b.rootfs_readonly, "terminal flag");
	T_OK(b.nnamespaces == 2 && !b.namespaces[0].path &&
	     !strcmp(b.namespaces[1].path, "/var/run/netns/x"), "namespaces with optional path");
	T_OK(b.nmounts == 2 && b.mounts[1].bind && !b.mounts[0].bind, "mounts with bind flag");
	T_OK(b.npoststop == 1 && b.poststop[0].nargs == 2 && !b.poststop[0].args[2] &&
	     b.poststop[0].timeout == 7 && b.poststop[0].nenv == 0, "poststop hook");
	T_OK(b.nmasked_paths == 1 && b.ndevice_paths == 1 && b.nreadonly_paths == 0, "path lists");
	state_free(&b);

	/* a second write replaces the file (still no leftovers) */
	a.pid = 99;
	T_OK(state_write(fd, &a, &e) == 0 && state_read(fd, &b, &e) == 0 && b.pid == 99,
	     "rewrite replaces state.json");
	state_free(&b);
	T_INTEQ(count_entries(fd, "state.json", NULL, 0), 0, "still no temp files");

	/* a stale temp file from a crash does not break reads or writes */
	put_file(fd, "state-1234-deadbeef.tmp", "{\"crbox_state_version\":1,\"id\":");
	T_OK(state_read(fd, &b, &e) == 0 && b.pid == 99, "stale temp file ignored by reads");
	state_free(&b);
	T_OK(state_write(fd, &a, &e) == 0, "write with a stale temp file present");
	T_INTEQ(count_entries(fd, "state.json", NULL, 0), 1, "only the stale file besides state.json");
	unlinkat(fd, "state-1234-deadbeef.tmp", 0);

	/* state_to_json with a missing ext_desc omits the array and reads back as NULLs */
	free(a.ext_desc[2]);
	a.ext_desc[2] = NULL;
	T_OK(state_write(fd, &a, &e) == 0 && state_read(fd, &b, &e) == 0 && !b.ext_desc[0],
	     "external_descriptors omitted until all 3 are known");
	state_free(&b);
	state_free(&a);
	buf_free(&ja);
	buf_free(&jb);
	close(fd);
}

static void expect_read_error(int rootfd, const char *json, const char *want, const char *name)
{
	struct err e = { 0 };
	struct state st;
	int fd = state_open(rootfd, "ct-bad", STATE_LOCK_EX, &e);
	char label[256];

	put_file(fd, "state.json", json);
	snprintf(label, sizeof label, "bad state.json (%s): %s", name, want);
	if (!T_OK(state_read(fd, &st, &e) < 0 && strstr(e.msg, want), label))
		printf("#   got: \"%s\"\n", e.msg);
	close(fd);
}

static void test_bad_reads(int rootfd)
{
	struct err e = { 0 };
	close(state_create(rootfd, "ct-bad", &e));
	const char *ok = "\"id\":\"ct-bad\",\"init_process_pid\":1,\"init_process_start\":2,"
			 "\"created\":\"x\",\"bundle\":\"/b\",\"rootfs\":\"/r\"";
	char j[1024];

	snprintf(j, sizeof j, "{\"crbox_state_version\":1,%s}", ok);
	struct state st;
	int fd = state_open(rootfd, "ct-bad", STATE_LOCK_SH, &e);
	put_file(fd, "state.json", j);
	T_OK(state_read(fd, &st, &e) == 0 && st.nmounts == 0 && st.mounts && !st.ext_desc[0],
	     "minimal state.json reads");
	state_free(&st);
	close(fd);
	expect_read_error(rootfd, "{\"crbox_state_version\":1,\"id\":\"ct-bad\",\"init_process_pid\":\"1\"}",
			  "state.json: .init_process_pid: expected integer", "pid type");
	snprintf(j, sizeof j, "{\"crbox_state_version\":2,%s}", ok);
	expect_read_error(rootfd, j, "state.json: .crbox_state_version: unsupported state version 2",
			  "version");
	expect_read_error(rootfd, "{\"id\":\"x\"}", "state.json: .: not a crbox state file",
			  "runc's own state.json");
	snprintf(j, sizeof j, "{\"crbox_state_version\":1,%s,\"config\":{\"mounts\":[{\"destination\":1}]}}", ok);
	expect_read_error(rootfd, j, "state.json: .config.mounts[0].destination: expected string",
			  "nested path");
	snprintf(j, sizeof j, "{\"crbox_state_version\":1,%s,\"external_descriptors\":[\"a\",\"b\"]}", ok);
	expect_read_error(rootfd, j, "state.json: .external_descriptors: expected 3 strings",
			  "descriptor count");
	snprintf(j, sizeof j, "{\"crbox_state_version\":1,%s,\"config\":{\"namespaces\":[{\"type\":\"net\"}]}}", ok);
	expect_read_error(rootfd, j, "state.json: .config.namespaces[0].type: unknown namespace type \"net\"",
			  "ns type");
	expect_read_error(rootfd, "{\"crbox_state_version\":1,\"id\":\"../x\"}",
			  "state.json: .id: invalid container id", "id");
	expect_read_error(rootfd, "{\"crbox_state_version\":1", "state.json: offset", "truncated");
	expect_read_error(rootfd, "", "state.json: ", "empty file");

	/* state.json that is a symlink is not followed */
	fd = state_open(rootfd, "ct-bad", STATE_LOCK_EX, &e);
	char target[300];
	snprintf(target, sizeof target, "%s/elsewhere/state.json", tmp);
	FILE *f = fopen(target, "w");
	fprintf(f, "{\"crbox_state_version\":1,%s}", ok);
	fclose(f);
	unlinkat(fd, "state.json", 0);
	symlinkat(target, fd, "state.json");
	T_OK(state_read(fd, &st, &e) < 0 && e.no == ELOOP, "symlinked state.json refused");
	close(fd);
	T_OK(state_destroy(rootfd, "ct-bad", -1, &e) == 0, "destroy ct-bad");
	struct stat sb;
	T_OK(stat(target, &sb) == 0, "destroy did not follow the state.json symlink");
}

/* Waits up to ms for a byte on fd; 1 if one arrived. */
static int wait_byte(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char c;
	return poll(&p, 1, ms) == 1 && read(fd, &c, 1) == 1;
}

static void test_lock(int rootfd)
{
	struct err e = { 0 };
	int fd = state_create(rootfd, "ct-lock", &e), p[2];
	pid_t pid;
	int status;

	if (!T_OK(fd >= 0 && pipe(p) == 0, "create ct-lock"))
		return;
	pid = fork();
	if (pid == 0) {
		struct err ce;
		close(p[0]);
		close(fd);   /* flock locks are shared by fork: drop the inherited one */
		int cfd = state_open(rootfd, "ct-lock", STATE_LOCK_EX, &ce);
		if (write(p[1], "x", 1) != 1)
			_exit(3);
		_exit(cfd >= 0 ? 0 : 2);
	}
	close(p[1]);
	T_OK(!wait_byte(p[0], 300), "second locker blocks while the creator holds LOCK_EX");
	close(fd);
	T_OK(wait_byte(p[0], 5000), "second locker proceeds once the lock is released");
	waitpid(pid, &status, 0);
	T_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "second locker opened the dir");
	close(p[0]);

	/* shared locks do not exclude each other; an exclusive one waits for both */
	int s1 = state_open(rootfd, "ct-lock", STATE_LOCK_SH, &e);
	int s2 = state_open(rootfd, "ct-lock", STATE_LOCK_SH, &e);
	T_OK(s1 >= 0 && s2 >= 0, "two shared locks at once");
	T_OK(flock(s1, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK,
	     "exclusive lock refused while shared ones are held");
	close(s1);
	close(s2);

	/* a waiter whose directory is destroyed meanwhile sees "container does not exist" */
	fd = state_open(rootfd, "ct-lock", STATE_LOCK_EX, &e);
	pipe(p);
	pid = fork();
	if (pid == 0) {
		struct err ce;
		close(p[0]);
		close(fd);
		if (write(p[1], "s", 1) != 1)
			_exit(3);
		int cfd = state_open(rootfd, "ct-lock", STATE_LOCK_EX, &ce);
		_exit(cfd < 0 && ce.no == ENOENT && !strcmp(ce.msg, "container does not exist") ? 0 : 1);
	}
	close(p[1]);
	wait_byte(p[0], 5000);
	usleep(200000);   /* let the child block in flock */
	T_OK(state_destroy(rootfd, "ct-lock", fd, &e) == 0, "destroy while another waits");
	close(fd);
	waitpid(pid, &status, 0);
	T_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	     "waiter on a destroyed dir gets \"container does not exist\"");
	close(p[0]);

	/* racing creates: exactly one of 8 processes wins */
	pid_t kids[8];
	int wins = 0, exists = 0;
	for (int i = 0; i < 8; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			struct err ce;
			int cfd = state_create(rootfd, "ct-race", &ce);
			if (cfd >= 0) {
				usleep(100000);
				_exit(0);
			}
			_exit(ce.no == EEXIST ? 1 : 2);
		}
	}
	for (int i = 0; i < 8; i++) {
		waitpid(kids[i], &status, 0);
		wins += WIFEXITED(status) && WEXITSTATUS(status) == 0;
		exists += WIFEXITED(status) && WEXITSTATUS(status) == 1;
	}
	T_INTEQ(wins, 1, "racing creates: exactly one wins");
	T_INTEQ(exists, 7, "racing creates: the others get EEXIST");
	state_destroy(rootfd, "ct-race", -1, &e);
}

static void test_destroy(int rootfd)
{
	struct err e = { 0 };
	int fd = state_create(rootfd, "ct-d", &e);
	char outside[300];
	struct stat sb;

	snprintf(outside, sizeof outside, "%s/keep", tmp);
	mkdir(outside, 0755);
	snprintf(outside, sizeof outside, "%s/keep/file", tmp);
	FILE *f = fopen(outside, "w");
	fputs("keep", f);
	fclose(f);

	put_file(fd, "state.json", "{}");
	mkdirat(fd, "criu-root", 0755);
	mkdirat(fd, "a", 0755);
	int a = openat(fd, "a", O_RDONLY | O_DIRECTORY);
	mkdirat(a, "b", 0700);
	int b = openat(a, "b", O_RDONLY | O_DIRECTORY);
	put_file(b, "deep", "x");
	mkfifoat(b, "fifo", 0600);
	char keepdir[300];
	snprintf(keepdir, sizeof keepdir, "%s/keep", tmp);
	symlinkat(keepdir, b, "link-to-dir");
	symlinkat(outside, a, "link-to-file");
	fchmod(b, 0);      /* unreadable dir: root can still empty it; non-root cannot */
	if (geteuid() != 0)
		fchmod(b, 0700);
	close(b);
	close(a);
	T_OK(state_destroy(rootfd, "ct-d", fd, &e) == 0, "destroy a populated state dir");
	if (e.msg[0] && fstatat(rootfd, "ct-d", &sb, AT_SYMLINK_NOFOLLOW) == 0)
		printf("# %s\n", e.msg);
	T_OK(fstatat(rootfd, "ct-d", &sb, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT,
	     "state dir gone");
	T_OK(stat(outside, &sb) == 0, "files behind symlinks survive");
	close(fd);
	T_OK(state_destroy(rootfd, "ct-d", -1, &e) == 0, "destroying a missing dir is not an error");

	/* a mount inside the state dir (a leftover criu-root bind of the rootfs) is detached,
	 * never emptied; needs root and a private mount namespace */
	if (geteuid() != 0) {
		T_SKIP("mount-point destroy test needs root");
		return;
	}
	if (t_emulator()) {
		t_skip("destroy detaches a (stacked) bind mount inside the state dir",
		       "qemu-user's statx has no mount id");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		struct err ce;
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(10);
		/* fds opened before unshare walk the old namespace's mounts: reopen the root */
		char rp[400];
		snprintf(rp, sizeof rp, "%s/root", tmp);
		close(rootfd);
		rootfd = state_root_open(rp, 0, &ce);
		int cfd = state_create(rootfd, "ct-m", &ce);
		if (cfd < 0)
			_exit(11);
		mkdirat(cfd, "criu-root", 0755);
		char mp[400];
		snprintf(mp, sizeof mp, "%s/root/ct-m/criu-root", tmp);
		if (mount(keepdir, mp, NULL, MS_BIND | MS_REC, NULL) < 0)
			_exit(12);
		if (mount(keepdir, mp, NULL, MS_BIND | MS_REC, NULL) < 0)   /* stacked twice */
			_exit(13);
		if (state_destroy(rootfd, "ct-m", cfd, &ce) < 0) {
			printf("# %s\n", ce.msg);
			fflush(stdout);
			_exit(14);
		}
		struct stat s2;
		if (fstatat(rootfd, "ct-m", &s2, AT_SYMLINK_NOFOLLOW) == 0)
			_exit(15);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	if (!T_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "destroy detaches a (stacked) bind mount inside the state dir"))
		printf("#   child status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	T_OK(stat(outside, &sb) == 0, "the mounted tree's files survive");
}

static void test_list(int rootfd)
{
	struct err e = { 0 };
	char **ids;
	size_t n;

	close(state_create(rootfd, "zeta", &e));
	close(state_create(rootfd, "alpha", &e));
	close(state_create(rootfd, "Mid", &e));
	put_file(rootfd, "not-a-dir", "x");
	symlinkat("/tmp", rootfd, "a-symlink");
	T_OK(state_list(rootfd, &ids, &n, &e) == 0, "state_list");
	T_INTEQ(n, 4, "directories only (ct-a, Mid, alpha, zeta)");
	if (n == 4) {
		T_OK(!strcmp(ids[0], "Mid") && !strcmp(ids[1], "alpha") && !strcmp(ids[2], "ct-a") &&
		     !strcmp(ids[3], "zeta"), "sorted bytewise");
	}
	state_list_free(ids, n);
	T_OK(state_list(rootfd, &ids, &n, &e) == 0 && n == 4, "listing twice on the same fd works");
	state_list_free(ids, n);
	unlinkat(rootfd, "not-a-dir", 0);
	unlinkat(rootfd, "a-symlink", 0);
	state_destroy(rootfd, "zeta", -1, &e);
	state_destroy(rootfd, "alpha", -1, &e);
	state_destroy(rootfd, "Mid", -1, &e);
}

static void test_status(int rootfd)
{
	struct err e = { 0 };
	struct state st;
	uint64_t start = 0, self = 0;
	char c = 0;
	int fd, p[2];

	/* independent parse of our own stat (comm has no spaces here) */
	FILE *f = fopen("/proc/self/stat", "r");
	unsigned long long v = 0;
	fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
		  "%*d %*d %llu", &v);
	fclose(f);
	T_NATIVE(proc_start_time(getpid(), &self, &c, &e) == 0 && self == v && c == 'R',
		 "proc_start_time(self) matches field 22, state R",
		 "qemu-user's /proc/self/stat has no state");
	T_OK(proc_start_time(0, &start, &c, &e) < 0, "pid 0 refused");

	pipe(p);
	pid_t kid = fork();
	if (kid == 0) {
		prctl(PR_SET_NAME, "a) b (c) d", 0, 0, 0);
		close(p[0]);
		write(p[1], "r", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	wait_byte(p[0], 5000);
	close(p[0]);
	for (int i = 0; i < 500; i++) {   /* until it sleeps in pause() */
		if (proc_start_time(kid, &start, &c, &e) == 0 && c == 'S')
			break;
		usleep(10000);
	}
	int rc = proc_start_time(kid, &start, &c, &e);
	if (!T_OK(rc == 0 && start >= self && c == 'S', "comm with ') ' parsed after the last ')'"))
		printf("#   rc %d start %llu self %llu state %c: %s\n", rc, (unsigned long long)start,
		       (unsigned long long)self, c, rc ? e.msg : "");

	memset(&st, 0, sizeof st);
	st.pid = kid;
	st.start_time = start;
	fd = state_create(rootfd, "ct-s", &e);
	T_STREQ(state_status(&st, fd, 0), "running", "live child with matching start: running");
	T_STREQ(state_status(&st, fd, 1), "paused", "frozen: paused");
	mkfifoat(fd, "exec.fifo", 0600);
	T_STREQ(state_status(&st, fd, 0), "created", "exec.fifo present: created");
	T_STREQ(state_status(&st, -1, 0), "running", "dirfd -1 skips the fifo check");
	unlinkat(fd, "exec.fifo", 0);
	st.start_time = start + 1;
	T_STREQ(state_status(&st, fd, 0), "stopped", "reused pid (start time differs): stopped");
	T_OK(!state_alive(&st), "state_alive false on start mismatch");
	st.start_time = start;
	kill(kid, SIGKILL);
	/* zombie until reaped */
	for (int i = 0; i < 200; i++) {
		if (proc_start_time(kid, &start, &c, &e) == 0 && c == 'Z')
			break;
		usleep(10000);
	}
	T_INTEQ(c, 'Z', "killed child is a zombie");
	T_STREQ(state_status(&st, fd, 0), "stopped", "zombie init: stopped");
	waitpid(kid, NULL, 0);
	T_OK(proc_start_time(kid, &start, &c, &e) < 0 && e.no == ENOENT, "reaped pid: ENOENT");
	T_STREQ(state_status(&st, fd, 0), "stopped", "dead pid: stopped");
	st.pid = 0;
	T_STREQ(state_status(&st, fd, 0), "stopped", "pid 0: stopped");
	state_destroy(rootfd, "ct-s", fd, &e);
	close(fd);
}

static void test_oci(void)
{
	struct state st;
	struct buf b = BUF_INIT;
	struct jw w;

	fill(&st);
	state_oci_json(&st, "running", &b);
	T_STREQ(b.p,
		"{\n"
		"  \"ociVersion\": \"1.0.2-dev\",\n"
		"  \"id\": \"ct-a\",\n"
		"  \"pid\": 4242,\n"
		"  \"status\": \"running\",\n"
		"  \"bundle\": \"/srv/bundle\",\n"
		"  \"rootfs\": \"/srv/bundle/rootfs\",\n"
		"  \"created\": \"2026-11-29T10:15:17.123456789Z\",\n"
		"  \"annotations\": {\n"
		"    \"a.first\": \"\\u003c\\u0026\\u003e \\\"q\\\"\\n\\u2028\",\n"
		"    \"org.criu.config\": \"\",\n"
		"    \"z.last\": \"1\"\n"
		"  },\n"
		"  \"owner\": \"\"\n"
		"}", "runc state JSON, byte-exact (sorted annotations, Go escaping, no newline)");
	buf_reset(&b);
	state_free(&st);
	fill(&st);
	for (size_t i = 0; i < st.nannotations; i++) {
		free(st.annotations[i].key);
		free(st.annotations[i].value);
	}
	free(st.annotations);
	st.annotations = NULL;
	st.nannotations = 0;
	state_oci_json(&st, "stopped", &b);
	T_STREQ(b.p,
		"{\n"
		"  \"ociVersion\": \"1.0.2-dev\",\n"
		"  \"id\": \"ct-a\",\n"
		"  \"pid\": 0,\n"
		"  \"status\": \"stopped\",\n"
		"  \"bundle\": \"/srv/bundle\",\n"
		"  \"rootfs\": \"/srv/bundle/rootfs\",\n"
		"  \"created\": \"2026-11-29T10:15:17.123456789Z\",\n"
		"  \"owner\": \"\"\n"
		"}", "stopped: pid 0, empty annotations omitted");
	buf_reset(&b);
	jw_init(&w, &b, 0);
	jw_arr(&w);
	state_oci_jw(&w, &st, "paused", "root");
	jw_end(&w);
	T_STREQ(b.p,
		"[{\"ociVersion\":\"1.0.2-dev\",\"id\":\"ct-a\",\"pid\":4242,\"status\":\"paused\","
		"\"bundle\":\"/srv/bundle\",\"rootfs\":\"/srv/bundle/rootfs\","
		"\"created\":\"2026-11-29T10:15:17.123456789Z\",\"owner\":\"root\"}]",
		"list form: compact, owner filled");
	buf_free(&b);
	state_free(&st);
}

static void test_from_spec(void)
{
	char text[] = "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"terminal\":true,\"cwd\":\"/\","
		      "\"args\":[\"sh\"]},\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
		      "\"mounts\":[{\"destination\":\"/c\",\"source\":\"c\",\"options\":[\"bind\"]}],"
		      "\"hooks\":{\"poststop\":[{\"path\":\"/bin/true\",\"args\":[\"true\"],"
		      "\"timeout\":3}]},\"annotations\":{\"k\":\"v\"},"
		      "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/n\"},"
		      "{\"type\":\"time\"}],\"maskedPaths\":[\"/proc/kcore\"],"
		      "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229}],"
		      "\"cgroupsPath\":\"/x/y\"}}";
	struct spec s;
	struct state st;
	struct err e = { 0 };

	if (!T_OK(spec_parse(&s, text, strlen(text), "/bun", &e) == 0, "spec for state_from_spec")) {
		printf("# %s\n", e.msg);
		return;
	}
	memset(&st, 0, sizeof st);
	state_from_spec(&st, &s, "ct-f");
	spec_free(&s);   /* the state must not point into the spec */
	T_STREQ(st.id, "ct-f", "id");
	T_STREQ(st.bundle, "/bun", "bundle");
	T_STREQ(st.rootfs, "/bun/rootfs", "rootfs");
	T_STREQ(st.oci_version, "1.0.2-dev", "ociVersion");
	T_OK(st.terminal && st.rootfs_readonly, "terminal, readonly");
	T_STREQ(st.cgroups_path, "/x/y", "cgroupsPath");
	T_OK(st.nnamespaces == 2 && !strcmp(st.namespaces[0].path, "/n") && !st.namespaces[1].path,
	     "namespaces");
	T_OK(st.nmounts == 1 && st.mounts[0].bind && !strcmp(st.mounts[0].source, "/bun/c"),
	     "mounts");
	T_OK(st.nmasked_paths == 1 && st.ndevice_paths == 1 &&
	     !strcmp(st.device_paths[0], "/dev/fuse"), "masked and device paths");
	T_OK(st.npoststop == 1 && st.poststop[0].timeout == 3 && st.poststop[0].nargs == 1,
	     "poststop hooks");
	T_STREQ(state_kv_get(st.annotations, st.nannotations, "k"), "v", "annotations");
	state_free(&st);
}

/* state_parse: the in-memory reader state_read uses (also the fuzz target's entry). */
static void test_parse(void)
{
	struct state st, st2;
	struct buf b = BUF_INIT, b2 = BUF_INIT;
	struct err e = { 0 };
	char j[512];

	snprintf(j, sizeof j, "{\"crbox_state_version\":1,\"id\":\"ct-p\",\"init_process_pid\":7,"
		 "\"init_process_start\":9,\"created\":\"c\",\"bundle\":\"/b\",\"rootfs\":\"/r\","
		 "\"annotations\":{\"k\":\"v\"}}");
	T_OK(state_parse(&st, j, strlen(j), &e) == 0, "state_parse: minimal state");
	T_STREQ(st.id, "ct-p", "state_parse: id");
	T_INTEQ(st.pid, 7, "state_parse: pid");
	T_STREQ(state_kv_get(st.annotations, st.nannotations, "k"), "v", "state_parse: annotation");
	state_to_json(&st, &b);
	T_OK(state_parse(&st2, b.p, b.len, &e) == 0, "state_parse: state_to_json output reads back");
	state_to_json(&st2, &b2);
	buf_reset(&b);
	state_to_json(&st, &b);
	T_OK(b.len == b2.len && !memcmp(b.p, b2.p, b.len), "state_parse: round trip is stable");
	state_free(&st);
	state_free(&st2);
	buf_free(&b);
	buf_free(&b2);

	char bad[] = "{\"crbox_state_version\":1,\"id\":\"x\",\"init_process_pid\":-1}";
	T_OK(state_parse(&st, bad, strlen(bad), &e) < 0 &&
	     strstr(e.msg, "state.json: .init_process_pid: pid out of range"),
	     "state_parse: negative pid refused");
	char nul[] = "{}";
	T_OK(state_parse(&st, nul, 0, &e) < 0 && !strncmp(e.msg, "state.json: ", 12),
	     "state_parse: empty input refused");
}

int main(void)
{
	struct err e = { 0 };
	char root[400];
	struct stat sb;
	int rootfd;

	snprintf(tmp, sizeof tmp, "/tmp/t_state.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_time();
	snprintf(root, sizeof root, "%s/root", tmp);
	T_OK(state_root_open(root, 0, &e) < 0 && e.no == ENOENT, "missing root without create: ENOENT");
	rootfd = state_root_open(root, 1, &e);
	T_OK(rootfd >= 0 && stat(root, &sb) == 0 && (sb.st_mode & 0777) == 0700,
	     "root created with mode 0700");
	snprintf(root, sizeof root, "%s/deep/er/root/", tmp);
	int deep = state_root_open(root, 1, &e);
	T_OK(deep >= 0, "root with missing parents and a trailing slash created");
	close(deep);
	test_dirs(rootfd);
	test_roundtrip(rootfd);
	test_bad_reads(rootfd);
	test_lock(rootfd);
	test_destroy(rootfd);
	test_list(rootfd);
	test_status(rootfd);
	test_oci();
	test_from_spec();
	test_parse();
	T_OK(state_destroy(rootfd, "ct-a", -1, &e) == 0, "destroy ct-a");
	T_INTEQ(count_entries(rootfd, NULL, NULL, 0), 0, "root empty at the end");
	close(rootfd);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return t_done();
}
