/* ps: `crbox ps [--format table|json] <id> [ps options]` as `runc ps` (1.1.5). The pids are
 * those of the container's cgroup. json: the array of pids ("null" when none). table: runs
 * the host's `ps` with the given options (default -ef), prints its header and the lines whose
 * PID column (found by name in the header) is one of those pids. As in runc, crbox's own flags
 * end at the container id: everything after it goes to ps verbatim. Lock: shared. */
#include "common.h"
#include "lifecycle.h"
#include "buf.h"
#include "cgroup/cgroup.h"
#include "ctr.h"
#include "fmt.h"
#include "proc.h"
#include "state.h"
#include "sys/spawn.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


struct popts {
	const char *format;
};

static const struct opt tab[] = {
	OPT("format", "f", OPT_STR, struct popts, format, "value",
	    "select one of: table or json (default: \"table\")"),
};

static const struct applet_info info = {
	"ps", "ps displays the processes running inside a container",
	"[command options] <container-id> [ps options]",
	"Lists the processes of the container's cgroup: as a JSON array of pids, or as the\n"
	"matching lines of the host's `ps` run with [ps options] (default: -ef).",
	tab, sizeof tab / sizeof tab[0],
};

/* Does flag word a (without its dashes, up to '=') take the next word as its value? */
static int takes_value(const char *a)
{
	const struct opt *t[2] = { tab, gopts.tab };
	size_t n[2] = { sizeof tab / sizeof tab[0], gopts.n }, i, k, len;

	a += a[1] == '-' ? 2 : 1;
	if (strchr(a, '='))
		return 0;
	len = strlen(a);
	for (k = 0; k < 2; k++)
		for (i = 0; i < n[k]; i++)
			if ((strlen(t[k][i].name) == len && !memcmp(t[k][i].name, a, len)) ||
			    (t[k][i].alias && !strcmp(t[k][i].alias, a)))
				return t[k][i].type != OPT_BOOL;
	return 0;
}

/* Index of the first positional in argv[1..) (argc if none): flags end there. */
static int first_positional(int argc, char **argv)
{
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return i + 1;
		if (a[0] != '-' || !a[1])
			return i;
		if (takes_value(a))
			i++;
	}
	return argc;
}

/* Runs ps args with stdout and stderr into out (Go's CombinedOutput). 0, or -1 with e set
 * ("exit status N: <output>", or the exec failure). */
static int run_ps(char **args, struct buf *out, struct err *e)
{
	int op[2], status;
	struct spawn sp = { 0 };
	ssize_t n;
	char b[4096], *exe;

	exe = spawn_lookpath("ps", e);
	if (!exe) {
		if (e->no == ENOENT)
			err_set(e, ENOENT, "exec: \"ps\": executable file not found in $PATH "
					   "(crbox ps needs the host's ps for the table format)");
		return -1;
	}
	if (pipe2(op, O_CLOEXEC) < 0) {
		free(exe);
		return err_sys(e, "pipe");
	}
	{
		int fds[3] = { -1, op[1], op[1] };
		sp.path = exe;
		sp.argv = args;
		sp.fds = fds;
		sp.nfds = 3;
		if (spawn_exec(&sp, e) < 0) {
			int no = e->no;
			close(op[0]);
			close(op[1]);
			free(exe);
			return err_set(e, no, "exec: \"ps\": %s", strerror(no));
		}
	}
	free(exe);
	close(op[1]);
	while ((n = read(op[0], b, sizeof b)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		buf_add(out, b, (size_t)n);
	}
	close(op[0]);
	if (proc_wait(sp.pid, &status, 0, e) < 0)
		return -1;
	if (WIFSIGNALED(status)) {
		const char *sn = proc_signal_name(WTERMSIG(status));
		return err_set(e, 0, "signal: %s: %s", sn ? sn : "unknown", out->p ? out->p : "");
	}
	if (WEXITSTATUS(status))
		return err_set(e, 0, "exit status %d: %s", WEXITSTATUS(status), out->p ? out->p : "");
	return 0;
}

/* Splits line (modified) into whitespace-separated fields; returns the count (<= max). */
static size_t fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n < max)
			f[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = 0;
	}
	return n;
}

/* Prints ps's header and the lines of pids; -1 with e set on unparsable output. */
static int ps_filter(char *text, const pid_t *pids, size_t np, struct err *e)
{
	char *f[64], *line = text, *nl, *copy;
	struct buf b = BUF_INIT;
	size_t nf, i, idx = (size_t)-1;
	int rc = 0;

	nl = strchr(line, '\n');
	if (nl)
		*nl = 0;
	copy = xstrdup(line);
	nf = fields(copy, f, 64);
	for (i = 0; i < nf; i++)
		if (!strcmp(f[i], "PID")) {
			idx = i;
			break;
		}
	free(copy);
	if (idx == (size_t)-1)
		return err_set(e, 0, "couldn't find PID field in ps output");
	buf_addf(&b, "%s\n", line);
	while (nl) {
		int pid;
		line = nl + 1;
		nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (!*line)
			continue;
		copy = xstrdup(line);
		nf = fields(copy, f, 64);
		if (idx >= nf || parse_int(f[idx], &pid) < 0) {
			rc = err_set(e, 0, "unable to parse pid: \"%s\"", idx < nf ? f[idx] : "");
			free(copy);
			break;
		}
		free(copy);
		for (i = 0; i < np; i++)
			if (pids[i] == pid) {
				buf_addf(&b, "%s\n", line);
				break;
			}
	}
	write_all(1, b.p, b.len);
	buf_free(&b);
	return rc;
}

int ps_main(int argc, char **argv)
{
	struct popts o = { "table" };
	struct state st;
	struct cgroup_paths cg = { 0 };
	struct buf out = BUF_INIT;
	struct err e;
	pid_t *pids = NULL;
	size_t np = 0, i;
	char **pos, **args = NULL;
	int npos, rc, rootfd = -1, dirfd = -1, k, nps;

	memset(&st, 0, sizeof st);
	k = first_positional(argc, argv);
	if (applet_args(k < argc ? k + 1 : argc, argv, &info, &o, NULL, &pos, &npos, -1, &rc) ||
	    lc_nargs(&info, npos, 1, -1, &rc))
		return rc;
	rc = 1;
	if (lc_load(pos[0], STATE_LOCK_NONE, &rootfd, &dirfd, &st, &e) < 0)
		goto fail;
	ctr_cgroups(&st, &cg);
	if (cgroup_pids(&cg, &pids, &np, &e) < 0)
		goto fail;
	if (!strcmp(o.format, "json")) {
		if (!np)
			buf_adds(&out, "null");
		else
			for (i = 0; i < np; i++)
				buf_addf(&out, "%c%d", i ? ',' : '[', (int)pids[i]);
		buf_adds(&out, np ? "]\n" : "\n");
		write_all(1, out.p, out.len);
		rc = 0;
		goto out;
	}
	if (strcmp(o.format, "table")) {
		err_set(&e, 0, "invalid format option");
		goto fail;
	}
	/* The lock is not needed while ps runs. */
	lc_close(rootfd, dirfd, NULL);
	rootfd = dirfd = -1;
	nps = argc - (k + 1);
	args = xcalloc((size_t)(nps > 0 ? nps : 1) + 2, sizeof *args);
	args[0] = "ps";
	if (nps > 0)
		memcpy(args + 1, argv + k + 1, (size_t)nps * sizeof *args);
	else
		args[1] = "-ef";
	if (run_ps(args, &out, &e) < 0 || ps_filter(out.p ? out.p : (char *)"", pids, np, &e) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	report(&e);
out:
	free(args);
	free(pids);
	buf_free(&out);
	cgroup_paths_free(&cg);
	lc_close(rootfd, dirfd, &st);
	return rc;
}
