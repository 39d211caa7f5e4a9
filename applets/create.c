/* create and run: `crbox create|run [flags] <id>` as runc 1.1.5. create leaves the init
 * blocked on exec.fifo (status "created"); run also starts it and, unless --detach, waits
 * for it, forwarding signals and the terminal, and exits with its status. The work is in
 * core/runtime (rt_create, rt_start, rt_wait); this file maps flags and reports. */
#include "common.h"
#include "lifecycle.h"
#include "ctr.h"
#include "fmt.h"
#include "proc.h"
#include "runtime/runtime.h"
#include "sys/exe.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

struct copts {
	const char *bundle, *console_socket, *pid_file;
	int no_pivot, no_new_keyring, preserve_fds;
	int detach, keep, no_subreaper;
};

#define CREATE_FLAGS(X)                                                                        \
	OPT("bundle", "b", OPT_STR, X, bundle, "value",                                        \
	    "path to the root of the bundle directory, defaults to the current directory"),    \
	OPT("console-socket", NULL, OPT_STR, X, console_socket, "value",                       \
	    "path to an AF_UNIX socket which will receive a file descriptor referencing the "  \
	    "master end of the console's pseudoterminal"),                                     \
	OPT("pid-file", NULL, OPT_STR, X, pid_file, "value",                                   \
	    "specify the file to write the process id to"),                                    \
	OPT("no-pivot", NULL, OPT_BOOL, X, no_pivot, NULL,                                     \
	    "do not use pivot root to jail process inside rootfs.  This should be used "       \
	    "whenever the rootfs is on top of a ramdisk"),                                     \
	OPT("no-new-keyring", NULL, OPT_BOOL, X, no_new_keyring, NULL,                         \
	    "do not create a new session keyring for the container.  This will cause the "     \
	    "container to inherit the calling processes session key"),                        \
	OPT("preserve-fds", NULL, OPT_INT, X, preserve_fds, "value",                           \
	    "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in " \
	    "total) (default: 0)")

static const struct opt ctab[] = { CREATE_FLAGS(struct copts) };
static const struct opt rtab[] = {
	CREATE_FLAGS(struct copts),
	OPT("detach", "d", OPT_BOOL, struct copts, detach, NULL, "detach from the container's process"),
	OPT("keep", NULL, OPT_BOOL, struct copts, keep, NULL,
	    "do not delete the container after it exits"),
	OPT("no-subreaper", NULL, OPT_BOOL, struct copts, no_subreaper, NULL,
	    "disable the use of the subreaper used to reap reparented processes"),
};

static const struct applet_info cinfo = {
	"create", "create a container",
	"[command options] <container-id>\n\nWhere \"<container-id>\" is your name for the instance "
	"of the container that you\nare starting. The name you provide for the container instance "
	"must be unique on\nyour host.",
	"The create command creates an instance of a container for a bundle. The bundle\n"
	"is a directory with a specification file named \"config.json\" and a root\n"
	"filesystem. The init waits on exec.fifo until `start`.",
	ctab, sizeof ctab / sizeof ctab[0],
};

static const struct applet_info rinfo = {
	"run", "create and run a container",
	"[command options] <container-id>\n\nWhere \"<container-id>\" is your name for the instance "
	"of the container that you\nare starting. The name you provide for the container instance "
	"must be unique on\nyour host.",
	"The run command creates an instance of a container for a bundle, starts it and\n"
	"(unless --detach) waits for it, forwarding signals and the terminal.",
	rtab, sizeof rtab / sizeof rtab[0],
};

static int fail(const char *verb, struct err *e)
{
	struct err w = *e;
	err_wrap(&w, "%s %s failed", g.prog, verb);
	report(&w);
	return 1;
}

static int create_or_run(int argc, char **argv, const struct applet_info *ai, int run)
{
	struct copts o = { 0 };
	struct rt_opts ro = { 0 };
	struct ctr c;
	struct err e;
	const char *verb = ai->name;
	char **pos, cwd[4096];
	int npos, rc, sfd = -1;
	struct stat sb;

	if (applet_args(argc, argv, ai, &o, NULL, &pos, &npos, 1, &rc))
		return rc;
	/* CVE-2019-5736: never run the container set-up from a binary it could rewrite. */
	if (exe_reexec_sealed(&e) < 0)
		return fail(verb, &e);
	ro.id = pos[0];
	if (!*ro.id) {
		err_set(&e, EINVAL, "container id cannot be empty");
		return fail(verb, &e);
	}
	if (id_valid(ro.id, &e) < 0) {
		err_set(&e, EINVAL, "invalid container ID format");
		return fail(verb, &e);
	}
	{
		char *p = fmt_alloc("%s/%s", g.root, ro.id);
		int taken = lstat(p, &sb) == 0;
		free(p);
		if (taken) {
			err_set(&e, EEXIST, "container with given ID already exists");
			return fail(verb, &e);
		}
	}
	if (o.preserve_fds < 0) {
		err_set(&e, EINVAL, "--preserve-fds must be >= 0");
		return fail(verb, &e);
	}
	if (!getcwd(cwd, sizeof cwd)) {
		err_sys(&e, "getcwd");
		return fail(verb, &e);
	}
	ro.root = g.root;
	ro.prog = g.prog;
	ro.bundle = o.bundle;
	ro.console_socket = o.console_socket && *o.console_socket ? o.console_socket : NULL;
	ro.pid_file = o.pid_file && *o.pid_file
			      ? (o.pid_file[0] == '/' ? o.pid_file : fmt_alloc("%s/%s", cwd, o.pid_file))
			      : NULL;
	ro.no_pivot = o.no_pivot;
	ro.no_new_keyring = o.no_new_keyring;
	ro.preserve_fds = o.preserve_fds;
	ro.foreground = run && !o.detach;
	if (run && !o.detach && ro.console_socket) {
		err_set(&e, 0, "cannot use console socket if %s will not detach or allocate tty", g.prog);
		return fail(verb, &e);
	}
	if (run && !o.no_subreaper && !o.detach && proc_subreaper(1, &e) < 0)
		return fail(verb, &e);
	if (ro.foreground) {
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		sfd = signalfd(-1, &all, SFD_CLOEXEC);
		if (sfd < 0) {
			err_sys(&e, "signalfd");
			return fail(verb, &e);
		}
	}
	if (rt_create(&c, &ro, &e) < 0) {
		rt_abort(&c);
		rt_ctr_free(&c);
		return fail(verb, &e);
	}
	if (!run) {
		rt_ctr_free(&c);
		return 0;
	}
	if (rt_start(c.rootfd, c.dirfd, &c.st, &e) < 0) {
		rt_abort(&c);
		rt_ctr_free(&c);
		return fail(verb, &e);
	}
	if (o.detach) {
		rt_ctr_free(&c);
		return 0;
	}
	/* The container is complete: state, kill and delete may use it while we wait. */
	flock(c.dirfd, LOCK_UN);
	rc = rt_wait(&c, sfd);
	if (!o.keep) {
		struct stat ds;
		c.st.pid = 0;   /* reaped: ctr_destroy must not signal a reused pid */
		flock(c.dirfd, LOCK_EX);
		if (fstat(c.dirfd, &ds) == 0 && ds.st_nlink > 0 &&
		    ctr_destroy(c.rootfd, ro.id, c.dirfd, &c.st, &e) < 0)
			report(&e);
	}
	rt_ctr_free(&c);
	return rc;
}

int create_main(int argc, char **argv)
{
	return create_or_run(argc, argv, &cinfo, 0);
}

int run_main(int argc, char **argv)
{
	return create_or_run(argc, argv, &rinfo, 1);
}
