/* list: `crbox list [-q] [--format table|json]` as `runc list` (1.1.5): every directory of the
 * state root, sorted, each read under a shared lock. Table: Go tabwriter layout (min width 12,
 * padding 3, the last column unpadded); OWNER is the user name of the state dir's uid from
 * /etc/passwd (parsed here: no getpwuid in a static binary) or "#<uid>". JSON: one compact
 * array of the OCI state objects with owner filled, "null" when empty. Entries that fail to
 * load are reported on stderr and skipped. A missing root lists nothing (runc 1.1.5 would
 * create it; crbox does not write from list). */
#include "common.h"
#include "lifecycle.h"
#include "buf.h"
#include "fmt.h"
#include "jsonw.h"
#include "state.h"
#include "state/busy.h"
#include "sys/passwd.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


struct lopts {
	const char *format;
	int quiet;
};

#define L struct lopts
static const struct opt tab[] = {
	OPT("format", "f", OPT_STR, L, format, "value",
	    "select one of: table or json (default: \"table\")"),
	OPT("quiet", "q", OPT_BOOL, L, quiet, NULL, "display only container IDs"),
};
#undef L

static const struct applet_info info = {
	"list", "lists containers started by crbox with the given root",
	"[command options]",
	"Lists the containers of the state root (--root) with their init pid, status,\n"
	"bundle, creation time and owner.",
	tab, sizeof tab / sizeof tab[0],
};

struct item {
	struct state st;
	const char *status;
	char *owner;
};

/* The name of uid in /etc/passwd ("name:pw:uid:..."), or "#<uid>". */
static char *owner_name(unsigned uid)
{
	static struct buf pw = BUF_INIT;
	static int loaded;
	char *name;

	if (!loaded) {
		int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
		char b[4096];
		ssize_t n;
		loaded = 1;
		while (fd >= 0 && (n = read(fd, b, sizeof b)) > 0)
			buf_add(&pw, b, (size_t)n);
		if (fd >= 0)
			close(fd);
	}
	if ((name = passwd_name(pw.p ? pw.p : "", pw.len, uid)))
		return name;
	return fmt_alloc("#%u", uid);
}

/* Display width as Go's tabwriter counts it: UTF-8 runes. */
static size_t runes(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void table(const struct item *v, size_t n)
{
	enum { NC = 6 };
	static const char *const head[NC] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
	struct buf b = BUF_INIT;
	char (*pid)[16] = xcalloc(n + 1, sizeof *pid);
	const char **cell = xcalloc((n + 1) * NC, sizeof *cell);
	size_t w[NC], r, c, k;

	for (c = 0; c < NC; c++)
		cell[c] = head[c];
	for (r = 0; r < n; r++) {
		const char **row = cell + (r + 1) * NC;
		fmt_sn(pid[r], sizeof pid[r], "%d",
		       strcmp(v[r].status, "stopped") ? v[r].st.pid : 0);
		row[0] = v[r].st.id ? v[r].st.id : "";
		row[1] = pid[r];
		row[2] = v[r].status;
		row[3] = v[r].st.bundle ? v[r].st.bundle : "";
		row[4] = v[r].st.created ? v[r].st.created : "";
		row[5] = v[r].owner;
	}
	/* Every cell but the last of a line ends with a tab: those columns are aligned. */
	for (c = 0; c < NC - 1; c++) {
		w[c] = 12;
		for (r = 0; r <= n; r++)
			if (runes(cell[r * NC + c]) + 3 > w[c])
				w[c] = runes(cell[r * NC + c]) + 3;
	}
	for (r = 0; r <= n; r++) {
		for (c = 0; c < NC - 1; c++) {
			buf_adds(&b, cell[r * NC + c]);
			for (k = runes(cell[r * NC + c]); k < w[c]; k++)
				buf_addc(&b, ' ');
		}
		buf_adds(&b, cell[r * NC + NC - 1]);
		buf_addc(&b, '\n');
	}
	write_all(1, b.p, b.len);
	buf_free(&b);
	free(cell);
	free(pid);
}

int list_main(int argc, char **argv)
{
	struct lopts o = { "table", 0 };
	struct item *v = NULL;
	struct buf out = BUF_INIT;
	struct err e;
	char **ids = NULL, **pos;
	size_t nids = 0, n = 0, i;
	int npos, rc, rootfd;

	if (applet_args(argc, argv, &info, &o, NULL, &pos, &npos, 0, &rc))
		return rc;
	rootfd = state_root_open(g.root, 0, &e);
	if (rootfd < 0 && e.no != ENOENT) {
		report(&e);
		return 1;
	}
	if (rootfd >= 0 && state_list(rootfd, &ids, &nids, &e) < 0) {
		report(&e);
		close(rootfd);
		return 1;
	}
	v = xcalloc(nids + 1, sizeof *v);
	for (i = 0; i < nids; i++) {
		struct item *it = &v[n];
		struct stat sb;
		int r2, d2;
		if (fstatat(rootfd, ids[i], &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;   /* deleted since it was listed */
		if (lc_load(ids[i], STATE_LOCK_NONE, &r2, &d2, &it->st, &e) < 0) {
			/* Deleted since it was listed, or a restore still making it (no
			 * state.json yet): not an error. */
			if (!(d2 < 0 && e.no == ENOENT &&
			      fstatat(rootfd, ids[i], &sb, AT_SYMLINK_NOFOLLOW) < 0) &&
			    !(d2 >= 0 && e.no == ENOENT && busy_held(d2, NULL, 0, NULL)))
				fmt_fd(2, "load container %s: %s\n", ids[i], e.msg);
			lc_close(r2, d2, &it->st);
			continue;
		}
		it->status = lc_status(&it->st, d2, &e);
		if (!it->status) {
			fmt_fd(2, "status for %s: %s\n", ids[i], e.msg);
			lc_close(r2, d2, &it->st);
			continue;
		}
		it->owner = owner_name(sb.st_uid);
		lc_close(r2, d2, NULL);
		n++;
	}
	rc = 0;
	if (o.quiet) {
		for (i = 0; i < n; i++)
			buf_addf(&out, "%s\n", v[i].st.id);
		write_all(1, out.p, out.len);
	} else if (!strcmp(o.format, "table")) {
		table(v, n);
	} else if (!strcmp(o.format, "json")) {
		if (!n) {
			buf_adds(&out, "null");
		} else {
			struct jw w;
			jw_init(&w, &out, 0);
			jw_arr(&w);
			for (i = 0; i < n; i++)
				state_oci_jw(&w, &v[i].st, v[i].status, v[i].owner);
			jw_end(&w);
		}
		buf_addc(&out, '\n');
		write_all(1, out.p, out.len);
	} else {
		err_set(&e, 0, "invalid format option");
		report(&e);
		rc = 1;
	}
	for (i = 0; i < n; i++) {
		state_free(&v[i].st);
		free(v[i].owner);
	}
	free(v);
	buf_free(&out);
	state_list_free(ids, nids);
	if (rootfd >= 0)
		close(rootfd);
	return rc;
}
