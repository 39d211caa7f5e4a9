/* init_final: the tail of the container init, in runc's finalizeNamespace order: fds,
 * cwd, bounding set, user and groups, capabilities, PATH lookup, [seccomp], SYNC_READY,
 * exec.fifo, startContainer hooks, close fds, execve. */
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* <linux/capability.h>, which musl does not ship. */
#define CAP_V3 0x20080522
struct cap_hdr {
	uint32_t version;
	int pid;
};
struct cap_data {
	uint32_t effective, permitted, inheritable;
};

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

static void child_die(struct ctr *c, struct err *e) __attribute__((noreturn));
static void child_die(struct ctr *c, struct err *e)
{
	sync_send_err(c->sync[1], e);
	_exit(1);
}

static int last_cap(void)
{
	char b[16] = "";
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC), n = 40;
	if (fd >= 0) {
		if (read(fd, b, sizeof b - 1) > 0)
			n = atoi(b);
		close(fd);
	}
	return n > 63 ? 63 : n;
}

static int drop_bounding(struct ctr *c, int last, struct err *e)
{
	int i;
	for (i = 0; i <= last; i++)
		if (!(c->ps.caps[CAPSET_BOUNDING] >> i & 1) &&
		    prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
			return err_sys(e, "drop capability %s from the bounding set",
				       pspec_cap_name(i));
	return 0;
}

static int apply_caps(struct ctr *c, struct err *e)
{
	struct cap_hdr h = { CAP_V3, 0 };
	struct cap_data d[2];
	int k;
	uint64_t eff = c->ps.caps[CAPSET_EFFECTIVE], perm = c->ps.caps[CAPSET_PERMITTED],
		 inh = c->ps.caps[CAPSET_INHERITABLE], amb = c->ps.caps[CAPSET_AMBIENT];

	for (k = 0; k < 2; k++) {
		d[k].effective = (uint32_t)(eff >> (32 * k));
		d[k].permitted = (uint32_t)(perm >> (32 * k));
		d[k].inheritable = (uint32_t)(inh >> (32 * k));
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return err_sys(e, "capset");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (k = 0; k < 64; k++)   /* failures are tolerated, as runc warns and goes on */
		if (amb >> k & 1)
			prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, k, 0, 0);
	return 0;
}

/* The home directory of uid from the container's /etc/passwd, "/" when unknown. */
static char *home_of(uint32_t uid)
{
	struct buf b = BUF_INIT;
	struct err e;
	char *home = NULL, *p, *line;

	if (fs_read_file("/etc/passwd", 1 << 20, &b, &e) == 0 && b.p) {
		p = b.p;
		while (!home && (line = strsep(&p, "\n"))) {
			char *fld[7], *q = line;
			int n = 0;
			while (n < 7 && (fld[n] = strsep(&q, ":")))
				n++;
			if (n >= 6 && fld[2][0] && (uint32_t)atol(fld[2]) == uid)
				home = xstrdup(fld[5]);
		}
	}
	buf_free(&b);
	return home ? home : xstrdup("/");
}

static const char *env_get(char **env, const char *key)
{
	size_t n = strlen(key);
	for (; *env; env++)
		if (!strncmp(*env, key, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* Go's exec.LookPath with the container's PATH; the error texts are Go's. */
static char *look_path(const char *file, const char *path, struct err *e)
{
	struct stat sb;
	if (strchr(file, '/')) {
		if (stat(file, &sb) < 0)
			return err_sys(e, "exec: \"%s\": stat %s", file, file), NULL;
		if (S_ISDIR(sb.st_mode) || !(sb.st_mode & 0111))
			return err_set(e, EACCES, "exec: \"%s\": permission denied", file), NULL;
		return xstrdup(file);
	}
	while (path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		char *cand = n ? fmt_alloc("%.*s/%s", (int)n, path, file) : fmt_alloc("./%s", file);
		if (stat(cand, &sb) == 0 && !S_ISDIR(sb.st_mode) && (sb.st_mode & 0111))
			return cand;
		free(cand);
		path = end ? end + 1 : NULL;
	}
	err_set(e, ENOENT, "exec: \"%s\": executable file not found in $PATH", file);
	return NULL;
}

static int chdir_cwd(const char *cwd, struct err *e)
{
	char got[4096];
	if (chdir(cwd) < 0)
		return err_sys(e, "chdir %s", cwd);
	/* A cwd that resolves outside the root (a leaked fd, CVE-2024-21626) is refused. */
	if (!getcwd(got, sizeof got) || got[0] != '/')
		return err_set(e, EPERM, "current working directory is outside of container mount "
			       "namespace root -- possible container breakout detected");
	return 0;
}

void rt_init_final(struct ctr *c)
{
	struct err e;
	struct buf eb = BUF_INIT;
	char **env, *bin, *home = NULL;
	size_t i, n = 0;
	int last = last_cap(), keep = 3 + c->nlisten + c->o->preserve_fds, fifo;
	uint32_t uid = c->spec.uid, gid = c->spec.gid;

	syscall(SYS_close_range, keep, ~0U, CLOSE_RANGE_CLOEXEC);
	if (c->ps.has_umask)
		umask(c->ps.umask);
	else
		umask(022);
	int cwd_late = chdir(c->spec.cwd) < 0;  /* retried as the user on EPERM */
	if (cwd_late && errno != EPERM && errno != EACCES) {
		err_sys(&e, "chdir %s", c->spec.cwd);
		child_die(c, &e);
	}
	if (c->ps.has_caps && drop_bounding(c, last, &e) < 0)
		child_die(c, &e);
	prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	{
		int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
		char sg[8] = "";
		if (fd >= 0) {
			if (read(fd, sg, sizeof sg - 1) < 0)
				sg[0] = 0;
			close(fd);
		}
		if (strncmp(sg, "deny", 4) && setgroups(c->ps.ngids, (gid_t *)c->ps.gids) < 0) {
			err_sys(&e, "setgroups");
			child_die(c, &e);
		}
	}
	if (setresgid(gid, gid, gid) < 0) {
		err_sys(&e, "setgid %u", gid);
		child_die(c, &e);
	}
	if (setresuid(uid, uid, uid) < 0) {
		err_sys(&e, "setuid %u", uid);
		child_die(c, &e);
	}
	if (chdir_cwd(c->spec.cwd, &e) < 0)
		child_die(c, &e);
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (c->ps.has_caps && apply_caps(c, &e) < 0)
		child_die(c, &e);

	/* The environment: process.env, LISTEN_FDS/LISTEN_PID as runc passes them, HOME. */
	env = xcalloc(c->ps.nenv + 4, sizeof *env);
	for (i = 0; i < c->ps.nenv; i++)
		env[n++] = (char *)c->ps.env[i];
	if (c->nlisten) {
		env[n++] = fmt_alloc("LISTEN_FDS=%d", c->nlisten);
		env[n++] = xstrdup("LISTEN_PID=1");
	}
	if (!env_get(env, "HOME")) {
		home = home_of(uid);
		env[n++] = fmt_alloc("HOME=%s", home);
	}
	bin = look_path(c->spec.args[0], env_get(env, "PATH"), &e);
	if (!bin) {
		err_wrap(&e, "unable to start container process");
		child_die(c, &e);
	}

	/* SECCOMP HOOK POINT (core/seccomp lands here): with noNewPrivileges the filter is
	 * loaded now, as close to execve as possible; without it, it must be loaded before
	 * the capabilities are dropped above (seccomp-devices ordering, docs/runtime.md). */

	/* From here on the init outlives create: no death signal from its parent. */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (sync_send(c->sync[1], SYNC_READY, 0, NULL, &e) < 0)
		_exit(1);
	close(c->sync[1]);
	c->sync[1] = -1;
	{
		char p[64];
		fmt_sn(p, sizeof p, "/proc/self/fd/%d", c->fifo);
		fifo = open(p, O_WRONLY | O_CLOEXEC);
	}
	if (fifo < 0 || write(fifo, "0", 1) != 1)
		_exit(1);
	close(fifo);
	close(c->fifo);
	c->fifo = -1;
	c->st.pid = getpid();
	if (rt_run_hooks(&c->spec, &c->st, SPEC_HOOK_START_CONTAINER, "running", &e) < 0) {
		fmt_fd(2, "%s\n", e.msg);
		_exit(1);
	}
	if (syscall(SYS_close_range, keep, ~0U, 0) < 0)
		syscall(SYS_close_range, keep, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(bin, (char *const *)c->spec.args, env);
	fmt_fd(2, "exec %s: %s\n", bin, strerror(errno));
	buf_free(&eb);
	free(home);
	_exit(127);
}
