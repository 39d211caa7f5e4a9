/* events: `crbox events [--interval D] [--stats] <id>` as `runc events` (1.1.5). --stats
 * prints one {"type":"stats","id":ID,"data":Stats} line (runc's types.Stats, from the
 * container's cgroups) and exits. Without it: a stats line every interval (first after one
 * interval) and {"type":"oom","id":ID} on each OOM, until the container's cgroup is removed.
 * A stopped container gives "container with id ID is not running". Lock: shared, released
 * before the loop. */
#include "common.h"
#include "lifecycle.h"
#include "buf.h"
#include "cgroup/cgroup.h"
#include "cgroup/stats.h"
#include "ctr.h"
#include "fmt.h"
#include "jsonw.h"
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

struct eopts {
	const char *interval;
	int stats;
};

static const struct opt tab[] = {
	OPT("interval", NULL, OPT_STR, struct eopts, interval, "value",
	    "set the stats collection interval (default: 5s)"),
	OPT("stats", NULL, OPT_BOOL, struct eopts, stats, NULL,
	    "display the container's stats then exit"),
};

static const struct applet_info info = {
	"events", "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
	"[command options] <container-id>\n\nWhere \"<container-id>\" is the name for the instance "
	"of the container.",
	"The events command displays information about the container. By default the\n"
	"information is displayed once every 5 seconds.",
	tab, sizeof tab / sizeof tab[0],
};

/* Go's time.ParseDuration for what an interval needs: [+-]?(N[.N](ns|us|µs|ms|s|m|h))+. */
static int parse_duration(const char *s, int64_t *ns, struct err *e)
{
	static const struct { const char *u; double mul; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "h", 3600e9 },
	};
	const char *p = s;
	double total = 0;
	int neg = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!strcmp(p, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*p)
		goto bad;
	while (*p) {
		double v = 0, f = 0.1;
		int digits = 0;
		size_t i, best = 0, bl = 0;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (*p++ - '0'), digits++;
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++, f /= 10)
				v += (*p - '0') * f, digits++;
		if (!digits)
			goto bad;
		for (i = 0; i < sizeof units / sizeof units[0]; i++) {
			size_t l = strlen(units[i].u);
			if (!strncmp(p, units[i].u, l) && l > bl)
				best = i, bl = l;
		}
		if (!bl)
			goto bad;
		total += v * units[best].mul;
		p += bl;
	}
	if (total > 9.2e18)
		goto bad;
	*ns = (int64_t)(neg ? -total : total);
	return 0;
bad:
	return err_set(e, EINVAL, "invalid value \"%s\" for flag -interval: time: invalid "
		       "duration \"%s\"", s, s);
}

/* One event line on stdout; -1 with e set when the stats cannot be read. */
static int emit(const char *type, const char *id, const struct cgroup_paths *cg, struct err *e)
{
	struct buf b = BUF_INIT;
	struct jw w;

	jw_init(&w, &b, 0);
	jw_obj(&w);
	jw_kstr(&w, "type", type);
	jw_kstr(&w, "id", id);
	if (cg) {
		struct buf d = BUF_INIT;
		struct jw dw;
		jw_init(&dw, &d, 0);
		if (cgroup_stats_write(cg, &dw, e) < 0) {
			buf_free(&d);
			buf_free(&b);
			return -1;
		}
		jw_key(&w, "data");
		jw_raw(&w, d.p, d.len);
		buf_free(&d);
	}
	jw_end(&w);
	buf_addc(&b, '\n');
	write_all(1, b.p, b.len);
	buf_free(&b);
	return 0;
}

int events_main(int argc, char **argv)
{
	struct eopts o = { "5s", 0 };
	struct state st;
	struct cgroup_paths cg = { 0 };
	struct cgroup_oom oom = { -1, 0, -1, NULL, 0 };
	struct err e;
	const char *status;
	char **pos;
	int npos, rc, rootfd = -1, dirfd = -1, tfd = -1;
	int64_t ns = 0;

	memset(&st, 0, sizeof st);
	if (applet_args(argc, argv, &info, &o, NULL, &pos, &npos, 1, &rc))
		return rc;
	rc = 1;
	if (parse_duration(o.interval, &ns, &e) < 0)
		goto fail;
	if (ns <= 0) {
		err_set(&e, 0, "duration interval must be greater than 0");
		goto fail;
	}
	if (lc_load(pos[0], STATE_LOCK_SH, &rootfd, &dirfd, &st, &e) < 0)
		goto fail;
	if (!(status = lc_status(&st, dirfd, &e)))
		goto fail;
	if (!strcmp(status, "stopped")) {
		err_set(&e, 0, "container with id %s is not running", st.id);
		goto fail;
	}
	ctr_cgroups(&st, &cg);
	lc_close(rootfd, dirfd, NULL);
	rootfd = dirfd = -1;
	if (o.stats) {
		if (emit("stats", st.id, &cg, &e) < 0)
			goto fail;
		rc = 0;
		goto out;
	}
	if (cgroup_oom_open(&cg, &oom, &e) < 0)
		goto fail;
	{
		struct itimerspec its = { { ns / 1000000000, ns % 1000000000 },
					  { ns / 1000000000, ns % 1000000000 } };
		tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
		if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0) {
			err_sys(&e, "timerfd");
			goto fail;
		}
	}
	for (;;) {
		struct pollfd pf[2] = { { oom.fd, POLLIN, 0 }, { tfd, POLLIN, 0 } };
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err_sys(&e, "poll");
			goto fail;
		}
		if (pf[0].revents) {
			int r = cgroup_oom_read(&oom);
			if (r < 0)
				break;          /* the cgroup is gone: the end, as in runc */
			if (r > 0)
				emit("oom", st.id, NULL, &e);
		}
		if (pf[1].revents & POLLIN) {
			uint64_t ticks;
			/* runc logs a stats error and goes on */
			if (read(tfd, &ticks, sizeof ticks) > 0 && emit("stats", st.id, &cg, &e) < 0)
				log_error("%s", e.msg);
		}
		/* v2 has no removal event: stop when the dir is gone */
		if (oom.v2 && access(oom.dir, F_OK) < 0)
			break;
	}
	rc = 0;
	goto out;
fail:
	report(&e);
out:
	if (tfd >= 0)
		close(tfd);
	cgroup_oom_close(&oom);
	cgroup_paths_free(&cg);
	lc_close(rootfd, dirfd, &st);
	return rc;
}
