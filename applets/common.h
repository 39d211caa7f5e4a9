/* common: what every applet shares: the global flags, the one error reporter (text or
 * runc-style JSON log lines), argument checking with runc's wording, and help output. */
#ifndef CRBOX_COMMON_H
#define CRBOX_COMMON_H
#include "err.h"
#include "opt.h"

struct g {
	const char *prog;        /* "crbox", or the name we were invoked as (e.g. "runc") */
	const char *root;        /* state root, absolute and clean after global_finish() */
	const char *log;         /* --log file or NULL */
	const char *log_format;  /* "text" or "json" */
	int debug;
	const char *criu;        /* --criu, default "criu" (found in PATH) */
	int systemd_cgroup;      /* accepted for runc compatibility; refused when set */
	const char *rootless;    /* accepted for runc compatibility: true|false|auto */
	int log_fd;              /* -1: stderr only */
	int root_given;          /* --root was passed */
};
extern struct g g;
extern const struct optset gopts;

/* Static description of an applet, for parsing and help. */
struct applet_info {
	const char *name;
	const char *summary;
	const char *usage;       /* after "<prog> <name> ", e.g. "[command options] <container-id>" */
	const char *desc;        /* text after DESCRIPTION:, may be NULL */
	const struct opt *tab;
	size_t n;
};

/* Parses an applet's command line into dst, validates the global flags and sets up logging.
 * nargs >= 0 requires exactly that many positionals (runc's checkArgs wording), -1 any.
 * Returns 1 when the applet must return *rc now (help printed, or a usage error reported),
 * 0 to continue with pos[0..*npos) filled (pos is a heap array the caller may ignore). */
int applet_args(int argc, char **argv, const struct applet_info *ai, void *dst,
		unsigned char *seen, char ***pos, int *npos, int nargs, int *rc);

/* applet_args with urfave's SkipArgReorder (runc's exec): the flags end at the first
 * positional, so the command's own words are never taken for ours. */
int applet_args_verbatim(int argc, char **argv, const struct applet_info *ai, void *dst,
			 char ***pos, int *npos, int *rc);

/* Validates --log-format and --root, opens --log. Returns -1 with err set. */
int global_finish(struct err *e);

/* The one printer of errors: "time=... level=error msg=..." on stderr (runc's logrus text
 * form), or, with --log, that line (text or JSON) appended to the log file and the bare
 * message on stderr. */
void report(const struct err *e);
void log_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));   /* only with --debug */

/* After a failed CRIU call: each "Error" line of the log `log` in dirfd as a warning (as
 * runc main does), then "full CRIU log: <dir>/<log>" unless dir is NULL. */
void report_criu_log(int dirfd, const char *log, const char *dir);

/* Termination signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT): term_signals_hold blocks them
 * (keeping them pending) and returns a signalfd that becomes readable when one arrives, or
 * -1 (they stay blocked). term_signal_pending returns the first one pending, or 0. */
int term_signals_hold(void);
int term_signal_pending(void);

/* Wrong usage: "Incorrect Usage[: msg]" plus the applet help on stdout, msg logged as an
 * error; returns 1 (runc's status). */
int usage_error(const struct applet_info *ai, const char *msg);
void print_help(const struct applet_info *ai);

/* The path this process was run as (runc names itself so in argument-count errors). */
const char *argv0(void);

/* Container ids: non-empty, at most 255 bytes (a directory name), [A-Za-z0-9_+.,-] (runc's
 * [\w+-\.] character class, which holds ','), not "." or "..". */
int id_valid(const char *id, struct err *e);

#endif
