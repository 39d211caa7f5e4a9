/* fuzz_opt: libFuzzer entry for the option parser (core/opt.c). The first byte picks a table
 * (restore's, checkpoint's, or the multiplexer's global flags through opt_parse_prefix); the
 * rest is split at NUL and newline bytes into argv words. Checks: errors have a message,
 * positionals and string values point into argv, seen marks only given flags, and the help
 * renders. The tables copy the shape (names, aliases, types) of applets/restore.c,
 * applets/checkpoint.c and applets/common.c, which keep theirs static.
 * fuzz-src: core/opt.c core/buf.c core/fmt.c core/err.c
 * fuzz-corpus: tests/data/opt */
#include "opt.h"
#include <stdlib.h>
#include <string.h>

struct ro {
	const char *console_socket, *image_path, *work_path, *manage_cgroups_mode, *bundle;
	const char *pid_file, *lsm_profile, *lsm_mount_context, *network_lock;
	int tcp_established, ext_unix_sk, shell_job, file_locks, detach, no_subreaper, no_pivot;
	int auto_dedup, lazy_pages, tcp_close;
	struct strv empty_ns;
};
#define R struct ro
static const struct opt rtab[] = {
	OPT("console-socket", NULL, OPT_STR, R, console_socket, "value", "console socket"),
	OPT("image-path", NULL, OPT_STR, R, image_path, "value", "images (default: ./checkpoint)"),
	OPT("work-path", NULL, OPT_STR, R, work_path, "value", "work dir"),
	OPT("tcp-established", NULL, OPT_BOOL, R, tcp_established, NULL, "tcp"),
	OPT("ext-unix-sk", NULL, OPT_BOOL, R, ext_unix_sk, NULL, "unix sockets"),
	OPT("shell-job", NULL, OPT_BOOL, R, shell_job, NULL, "shell jobs"),
	OPT("file-locks", NULL, OPT_BOOL, R, file_locks, NULL, "file locks"),
	OPT("manage-cgroups-mode", NULL, OPT_STR, R, manage_cgroups_mode, "value", "cgroups mode"),
	OPT("bundle", "b", OPT_STR, R, bundle, "value", "bundle"),
	OPT("detach", "d", OPT_BOOL, R, detach, NULL, "detach"),
	OPT("pid-file", NULL, OPT_STR, R, pid_file, "value", "pid file"),
	OPT("no-subreaper", NULL, OPT_BOOL, R, no_subreaper, NULL, "no subreaper"),
	OPT("no-pivot", NULL, OPT_BOOL, R, no_pivot, NULL, "no pivot"),
	OPT("empty-ns", NULL, OPT_STRV, R, empty_ns, "value", "empty ns"),
	OPT("auto-dedup", NULL, OPT_BOOL, R, auto_dedup, NULL, "dedup"),
	OPT("lazy-pages", NULL, OPT_BOOL, R, lazy_pages, NULL, "lazy"),
	OPT("lsm-profile", NULL, OPT_STR, R, lsm_profile, "value", "lsm profile"),
	OPT("lsm-mount-context", NULL, OPT_STR, R, lsm_mount_context, "value", "lsm context"),
	OPT("tcp-close", NULL, OPT_BOOL, R, tcp_close, NULL, "tcp close"),
	OPT("network-lock", NULL, OPT_STR, R, network_lock, "value", "network lock"),
};
#undef R

struct co {
	const char *image_path, *work_path, *parent_path, *page_server, *manage_cgroups_mode;
	const char *network_lock;
	int leave_running, tcp_established, tcp_skip_in_flight, link_remap, ext_unix_sk;
	int shell_job, lazy_pages, file_locks, pre_dump, auto_dedup;
	int status_fd;
	struct strv empty_ns;
};
#define C struct co
static const struct opt ctab[] = {
	OPT("image-path", NULL, OPT_STR, C, image_path, "value", "images"),
	OPT("work-path", NULL, OPT_STR, C, work_path, "value", "work dir"),
	OPT("parent-path", NULL, OPT_STR, C, parent_path, "value", "parent"),
	OPT("leave-running", NULL, OPT_BOOL, C, leave_running, NULL, "leave running"),
	OPT("tcp-established", NULL, OPT_BOOL, C, tcp_established, NULL, "tcp"),
	OPT("tcp-skip-in-flight", NULL, OPT_BOOL, C, tcp_skip_in_flight, NULL, "in flight"),
	OPT("link-remap", NULL, OPT_BOOL, C, link_remap, NULL, "link remap"),
	OPT("ext-unix-sk", NULL, OPT_BOOL, C, ext_unix_sk, NULL, "unix sockets"),
	OPT("shell-job", NULL, OPT_BOOL, C, shell_job, NULL, "shell jobs"),
	OPT("lazy-pages", NULL, OPT_BOOL, C, lazy_pages, NULL, "lazy"),
	OPT("status-fd", NULL, OPT_INT, C, status_fd, "value", "status fd (default: -1)"),
	OPT("page-server", NULL, OPT_STR, C, page_server, "value", "page server"),
	OPT("file-locks", NULL, OPT_BOOL, C, file_locks, NULL, "file locks"),
	OPT("pre-dump", NULL, OPT_BOOL, C, pre_dump, NULL, "pre-dump"),
	OPT("manage-cgroups-mode", NULL, OPT_STR, C, manage_cgroups_mode, "value", "cgroups mode"),
	OPT("empty-ns", NULL, OPT_STRV, C, empty_ns, "value", "empty ns"),
	OPT("auto-dedup", NULL, OPT_BOOL, C, auto_dedup, NULL, "dedup"),
	OPT("network-lock", NULL, OPT_STR, C, network_lock, "value", "network lock"),
};
#undef C

struct gl {
	const char *root, *log, *log_format, *criu, *rootless;
	int debug, systemd_cgroup;
};
#define G struct gl
static const struct opt gtab[] = {
	OPT("debug", NULL, OPT_BOOL, G, debug, NULL, "debug"),
	OPT("log", NULL, OPT_STR, G, log, "value", "log file"),
	OPT("log-format", NULL, OPT_STR, G, log_format, "value", "text or json"),
	OPT("root", NULL, OPT_STR, G, root, "value", "state root"),
	OPT("criu", NULL, OPT_STR, G, criu, "value", "criu binary"),
	OPT("systemd-cgroup", NULL, OPT_BOOL, G, systemd_cgroup, NULL, "systemd"),
	OPT("rootless", NULL, OPT_STR, G, rootless, "value", "rootless"),
};
#undef G
#define N(t) (sizeof t / sizeof t[0])

/* 1 if p points into one of argv[1..argc). */
static int in_argv(const char *p, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return 1;
	return 0;
}

/* Every string field of dst (a struct of tab's entries) is NULL or points into argv. */
static void check_dst(const struct opt *tab, size_t n, void *dst, int argc, char **argv)
{
	for (size_t i = 0; i < n; i++) {
		void *p = (char *)dst + tab[i].off;
		if (tab[i].type == OPT_STR) {
			const char *s = *(const char **)p;
			if (s && !in_argv(s, argc, argv))
				abort();
		} else if (tab[i].type == OPT_STRV) {
			struct strv *v = p;
			for (size_t k = 0; k < v->n; k++)
				if (!in_argv(v->v[k], argc, argv))
					abort();
			strv_free(v);
		}
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct ro r;
	struct co c;
	struct gl gv = { 0 };
	struct optset gset = { gtab, N(gtab), &gv }, set;
	const struct opt *tab;
	size_t ntab, i;
	unsigned char seen[32] = { 0 };
	struct err e = { 0 };
	char *words, **argv, **pos;
	int argc = 1, n, k;

	if (!size)
		return 0;
	memset(&r, 0, sizeof r);
	memset(&c, 0, sizeof c);
	c.status_fd = -1;
	if (data[0] % 3 == 0)
		tab = rtab, ntab = N(rtab), set = (struct optset){ rtab, N(rtab), &r };
	else
		tab = ctab, ntab = N(ctab), set = (struct optset){ ctab, N(ctab), &c };
	words = malloc(size);
	memcpy(words, data + 1, size - 1);
	words[size - 1] = 0;
	for (i = 0; i + 1 < size; i++)
		if (words[i] == '\n')
			words[i] = 0;
	for (i = 0; i + 1 < size; i++)
		if (!words[i])
			argc++;
	argc++;
	argv = calloc((size_t)argc + 1, sizeof *argv);
	pos = calloc((size_t)argc + 1, sizeof *pos);
	argv[0] = "fuzz";
	for (k = 1, i = 0; k < argc; k++) {
		argv[k] = words + i;
		i += strlen(words + i) + 1;
	}

	if (data[0] % 3 == 2) {
		n = opt_parse_prefix(argc, argv, &gset, &e);
		if (n == -1 ? !e.msg[0] : n != OPT_HELP && (n < 1 || n > argc))
			abort();
		check_dst(gtab, N(gtab), &gv, argc, argv);
	} else {
		n = opt_parse(argc, argv, &set, &gset, pos, seen, &e);
		if (n == -1 && !e.msg[0])
			abort();
		if (n >= 0) {
			if (n > argc - 1)
				abort();
			for (k = 0; k < n; k++)
				if (!pos[k] || !in_argv(pos[k], argc, argv))
					abort();
		}
		for (i = ntab; i < sizeof seen; i++)
			if (seen[i])
				abort();    /* only the applet's own entries are marked */
		check_dst(tab, ntab, set.dst, argc, argv);
		check_dst(gtab, N(gtab), &gv, argc, argv);
		if (n >= 0 && n != OPT_HELP) {
			struct buf b = BUF_INIT;
			opt_help(&b, "crbox", "restore", "summary", "[command options] <id>", NULL,
				 tab, ntab);
			opt_help_options(&b, gtab, N(gtab));
			buf_free(&b);
		}
	}
	free(pos);
	free(argv);
	free(words);
	return 0;
}
