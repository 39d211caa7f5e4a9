/* common: global flags, error reporting, argument checks and help for every applet.
 * Message shapes follow runc 1.1.x (logrus text/JSON lines, urfave/cli usage errors). */
#include "common.h"
#include "buf.h"
#include "fmt.h"
#include "jsonw.h"
#include "criu.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

struct g g = { .prog = "crbox", .log_format = "text", .criu = "criu", .log_fd = -1 };

static const struct opt gtab[] = {
	OPT("debug", NULL, OPT_BOOL, struct g, debug, NULL, "enable debug logging"),
	OPT("log", NULL, OPT_STR, struct g, log, "value",
	    "set the log file to write crbox logs to (default is '/dev/stderr')"),
	OPT("log-format", NULL, OPT_STR, struct g, log_format, "value",
	    "set the log format ('text' (default), or 'json') (default: \"text\")"),
	OPT("root", NULL, OPT_STR, struct g, root, "value",
	    "root directory for storage of container state (default: \"/run/crbox\", "
	    "or $XDG_RUNTIME_DIR/crbox for rootless containers)"),
	OPT("criu", NULL, OPT_STR, struct g, criu, "value",
	    "path to the criu binary used for checkpoint and restore (default: \"criu\")"),
	OPT("systemd-cgroup", NULL, OPT_BOOL, struct g, systemd_cgroup, NULL,
	    "enable systemd cgroup support (not supported by crbox: refused)"),
	OPT("rootless", NULL, OPT_STR, struct g, rootless, "value",
	    "ignore cgroup permission errors ('true', 'false', or 'auto') (default: \"auto\")"),
};
const struct optset gopts = { gtab, sizeof gtab / sizeof gtab[0], &g, 0 };

static int in_userns(void)
{
	char b[128];
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return 0;
	n = read(fd, b, sizeof b - 1);
	close(fd);
	if (n <= 0)
		return 0;
	b[n] = 0;
	/* The initial namespace maps 0 0 4294967295. */
	char *p = b;
	int f[3], i;
	for (i = 0; i < 3; i++) {
		while (*p == ' ')
			p++;
		f[i] = 0;
		if (!strncmp(p, "4294967295", 10))
			f[i] = -1;
		else
			while (*p >= '0' && *p <= '9')
				f[i] = f[i] * 10 + (*p++ - '0');
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	return !(f[0] == 0 && f[1] == 0 && f[2] == -1);
}

/* Lexical clean of an absolute path: collapses //, /./ and /x/../ (like Go's filepath.Clean). */
static char *path_clean(const char *in)
{
	size_t n = strlen(in), o = 0, i = 0;
	char *out = xmalloc(n + 2);
	out[o++] = '/';
	while (i < n) {
		while (i < n && in[i] == '/')
			i++;
		size_t s = i;
		while (i < n && in[i] != '/')
			i++;
		size_t l = i - s;
		if (l == 0 || (l == 1 && in[s] == '.'))
			continue;
		if (l == 2 && in[s] == '.' && in[s + 1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
			continue;
		}
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, in + s, l);
		o += l;
	}
	out[o] = 0;
	return out;
}

int global_finish(struct err *e)
{
	if (strcmp(g.log_format, "text") && strcmp(g.log_format, "json"))
		return err_set(e, 0, "invalid log-format: %s", g.log_format);
	if (g.log && *g.log && g.log_fd < 0) {
		g.log_fd = open(g.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_SYNC, 0644);
		if (g.log_fd < 0)
			return err_sys(e, "open log file %s", g.log);
	}
	if (g.systemd_cgroup)
		return err_set(e, 0, "--systemd-cgroup is not supported by crbox: use the cgroupfs "
				      "driver (omit --systemd-cgroup; linux.cgroupsPath as a path)");
	if (g.rootless && strcmp(g.rootless, "true") && strcmp(g.rootless, "false") &&
	    strcmp(g.rootless, "auto"))
		return err_set(e, 0, "invalid --rootless value: %s", g.rootless);
	if (!g.root || !*g.root) {
		const char *xdg = getenv("XDG_RUNTIME_DIR"), *user = getenv("USER");
		g.root_given = 0;
		if (xdg && *xdg && (geteuid() != 0 || (in_userns() && (!user || strcmp(user, "root")))))
			g.root = fmt_alloc("%s/crbox", xdg);
		else
			g.root = "/run/crbox";
	} else {
		g.root_given = 1;
	}
	if (g.root[0] != '/') {
		char cwd[4096];
		if (!getcwd(cwd, sizeof cwd))
			return err_sys(e, "getcwd");
		g.root = fmt_alloc("%s/%s", cwd, g.root);
	}
	g.root = path_clean(g.root);
	if (!strcmp(g.root, "/"))
		return err_set(e, 0, "option --root argument should not be set to /");
	return 0;
}

/* RFC 3339 UTC time with seconds, e.g. 2026-11-29T10:15:17Z, without strftime. */
static void rfc3339(char *out, size_t cap)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fmt_sn(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* logrus text value quoting (Go %q shape for the characters that matter). */
static void text_quote(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '"': buf_adds(b, "\\\""); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\t': buf_adds(b, "\\t"); break;
		case '\r': buf_adds(b, "\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_addf(b, "\\x%02x", c);
			else
				buf_addc(b, (char)c);
		}
	}
	buf_addc(b, '"');
}

static __attribute__((format(printf, 2, 0)))
void vlog(const char *level, const char *fmt, va_list ap)
{
	struct buf msg = BUF_INIT, line = BUF_INIT;
	char t[40];

	buf_vaddf(&msg, fmt, ap);
	rfc3339(t, sizeof t);
	if (!strcmp(g.log_format, "json")) {
		struct jw w;
		jw_init(&w, &line, 0);
		jw_obj(&w);
		jw_kstr(&w, "level", level);
		jw_kstr(&w, "msg", msg.p);
		jw_kstr(&w, "time", t);
		jw_end(&w);
	} else {
		buf_addf(&line, "time=\"%s\" level=%s msg=", t, level);
		text_quote(&line, msg.p);
	}
	buf_addc(&line, '\n');
	if (g.log_fd >= 0) {
		write_all(g.log_fd, line.p, line.len);
		/* runc also puts the bare message of errors on stderr when logging elsewhere. */
		if (!strcmp(level, "error")) {
			if (!msg.len || msg.p[msg.len - 1] != '\n')
				buf_addc(&msg, '\n');
			write_all(2, msg.p, msg.len);
		}
	} else {
		write_all(2, line.p, line.len);
	}
	buf_free(&msg);
	buf_free(&line);
}

#define LOGFN(fn, level, cond)                      \
	void fn(const char *fmt, ...)               \
	{                                           \
		va_list ap;                         \
		if (!(cond))                        \
			return;                     \
		va_start(ap, fmt);                  \
		vlog(level, fmt, ap);               \
		va_end(ap);                         \
	}
LOGFN(log_error, "error", 1)
LOGFN(log_warn, "warning", 1)
LOGFN(log_info, "info", 1)
LOGFN(log_debug, "debug", g.debug)

void report(const struct err *e)
{
	log_error("%s", e->msg[0] ? e->msg : "unknown error");
}

void print_help(const struct applet_info *ai)
{
	struct buf b = BUF_INIT;
	opt_help(&b, g.prog, ai->name, ai->summary, ai->usage, ai->desc, ai->tab, ai->n);
	write_all(1, b.p, b.len);
	buf_free(&b);
}

int usage_error(const struct applet_info *ai, const char *msg)
{
	if (msg)
		fmt_fd(1, "Incorrect Usage: %s\n\n", msg);
	else
		fmt_fd(1, "Incorrect Usage.\n\n");
	print_help(ai);
	return 1;
}

/* The process's argv[0] as typed (runc names itself by os.Args[0] in argument-count
 * errors: "/usr/sbin/runc: ..."); an applet reached through the multiplexer no longer has
 * it in its own argv. */
const char *argv0(void)
{
	static char b[256];
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof b - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0 || !b[0])
		return g.prog;
	b[n] = 0;
	return b;
}

static int args_parse(int argc, char **argv, const struct applet_info *ai, void *dst,
		      unsigned char *seen, char ***pos, int *npos, int nargs, int *rc,
		      int no_reorder);

int applet_args(int argc, char **argv, const struct applet_info *ai, void *dst,
		unsigned char *seen, char ***pos, int *npos, int nargs, int *rc)
{
	return args_parse(argc, argv, ai, dst, seen, pos, npos, nargs, rc, 0);
}

int applet_args_verbatim(int argc, char **argv, const struct applet_info *ai, void *dst,
			 char ***pos, int *npos, int *rc)
{
	return args_parse(argc, argv, ai, dst, NULL, pos, npos, -1, rc, 1);
}

static int args_parse(int argc, char **argv, const struct applet_info *ai, void *dst,
		      unsigned char *seen, char ***pos, int *npos, int nargs, int *rc,
		      int no_reorder)
{
	struct optset set = { ai->tab, ai->n, dst, no_reorder };
	struct err e;
	char **p = xcalloc((size_t)argc + 1, sizeof *p);
	int n = opt_parse(argc, argv, &set, &gopts, p, seen, &e);

	*pos = p;
	*npos = n < 0 ? 0 : n;
	/* The global flags are checked first, as runc's Before hook runs before the command
	 * parses its own flags; a usage error then keeps its own message. */
	struct err ge;
	if (global_finish(&ge) < 0) {
		report(&ge);
		*rc = 1;
		return 1;
	}
	if (n == OPT_HELP) {
		print_help(ai);
		*rc = 0;
		return 1;
	}
	if (n < 0) {
		/* Usage first (stdout), then the logged error, as urfave/cli + runc do. */
		usage_error(ai, e.msg);
		log_error("%s", e.msg);
		*rc = 1;
		return 1;
	}
	if (nargs >= 0 && n != nargs) {
		usage_error(ai, NULL);
		log_error("%s: \"%s\" requires exactly %d argument(s)", argv0(), ai->name, nargs);
		*rc = 1;
		return 1;
	}
	return 0;
}

int id_valid(const char *id, struct err *e)
{
	size_t n = strlen(id), i;
	if (n == 0)
		return err_set(e, 0, "invalid container id: the id is empty");
	if (n > 255)
		return err_set(e, 0, "invalid container id: longer than 255 bytes");
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return err_set(e, 0, "invalid container id: %s", id);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '.' || c == ','))
			return err_set(e, 0, "invalid container id: character 0x%02x at offset %zu is not "
					     "allowed (use letters, digits and _+.,-)", c, i);
	}
	return 0;
}

void report_criu_log(int dirfd, const char *log, const char *dir)
{
	struct buf b = BUF_INIT;
	char *p, *nl;

	if (dirfd >= 0 && swrk_log_errors(dirfd, log, &b, 20) > 0)
		for (p = b.p; p && *p; p = nl ? nl + 1 : NULL) {
			nl = strchr(p, '\n');
			if (nl)
				*nl = 0;
			log_warn("criu: %s", p);
		}
	if (dir)
		log_error("full CRIU log: %s/%s", dir, log);
	buf_free(&b);
}

static const int term_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

int term_signals_hold(void)
{
	sigset_t set;
	size_t i;
	sigemptyset(&set);
	for (i = 0; i < sizeof term_sigs / sizeof term_sigs[0]; i++)
		sigaddset(&set, term_sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

int term_signal_pending(void)
{
	sigset_t p;
	size_t i;
	sigpending(&p);
	for (i = 0; i < sizeof term_sigs / sizeof term_sigs[0]; i++)
		if (sigismember(&p, term_sigs[i]))
			return term_sigs[i];
	return 0;
}
