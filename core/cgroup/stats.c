/* cgroup/stats: runc's types.Stats from cgroup files (stats.h). */
#include "cgroup/stats.h"
#include "cgroup/internal.h"
#include "buf.h"
#include "fmt.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A number file: "max" is UINT64_MAX (runc's GetCgroupParamUint); 0 if unreadable. */
static uint64_t num(const char *dir, const char *file)
{
	struct err e;
	char *s = dir ? cg_read(dir, file, &e) : NULL;
	uint64_t v = 0;
	int64_t sv;
	if (!s)
		return 0;
	if (!strcmp(s, "max"))
		v = UINT64_MAX;
	else if (parse_u64(s, &v) < 0 && parse_i64(s, &sv) == 0)
		v = 0;   /* negative values read as 0, as runc's parser does */
	free(s);
	return v;
}

static char *text(const char *dir, const char *file)
{
	struct err e;
	return dir ? cg_read(dir, file, &e) : NULL;
}

static void ku64_nz(struct jw *w, const char *k, uint64_t v)
{
	if (v)
		jw_ku64(w, k, v);
}

/* "u64 u64 ..." -> JSON array under k (omitted when empty). */
static void u64_list(struct jw *w, const char *k, const uint64_t *v, size_t n)
{
	size_t i;
	if (!n)
		return;
	jw_key(w, k);
	jw_arr(w);
	for (i = 0; i < n; i++)
		jw_u64(w, v[i]);
	jw_end(w);
}

static void cpu_v1(struct jw *w, const char *acct, const char *cpu)
{
	char *pc = text(acct, "cpuacct.usage_percpu"), *all = text(acct, "cpuacct.usage_all");
	char *st = text(acct, "cpuacct.stat"), *thr = text(cpu, "cpu.stat"), *p;
	uint64_t v[1024], k[1024], u[1024];
	size_t n = 0, na = 0;

	for (p = pc; p && *p && n < 1024;) {
		char *end;
		uint64_t x = strtoull(p, &end, 10);
		if (end == p)
			break;
		v[n++] = x;
		p = end;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	if (all && (p = strchr(all, '\n')) != NULL) {   /* "cpu user system" header first */
		for (p++; *p && na < 1024;) {
			char *end;
			strtoull(p, &end, 10);
			u[na] = strtoull(end, &end, 10);
			k[na] = strtoull(end, &end, 10);
			na++;
			p = strchr(end, '\n');
			if (!p)
				break;
			p++;
		}
	}
	jw_key(w, "cpu");
	jw_obj(w);
	jw_key(w, "usage");
	jw_obj(w);
	ku64_nz(w, "total", num(acct, "cpuacct.usage"));
	u64_list(w, "percpu", v, n);
	u64_list(w, "percpu_kernel", k, na);
	u64_list(w, "percpu_user", u, na);
	/* cpuacct.stat is in USER_HZ ticks (100 per second, as runc assumes) */
	jw_ku64(w, "kernel", cg_keyed(st, "system") * 10000000ull);
	jw_ku64(w, "user", cg_keyed(st, "user") * 10000000ull);
	jw_end(w);
	jw_key(w, "throttling");
	jw_obj(w);
	ku64_nz(w, "periods", cg_keyed(thr, "nr_periods"));
	ku64_nz(w, "throttledPeriods", cg_keyed(thr, "nr_throttled"));
	ku64_nz(w, "throttledTime", cg_keyed(thr, "throttled_time"));
	jw_end(w);
	jw_end(w);
	free(pc);
	free(all);
	free(st);
	free(thr);
}

static void cpu_v2(struct jw *w, const char *dir)
{
	char *st = text(dir, "cpu.stat");
	jw_key(w, "cpu");
	jw_obj(w);
	jw_key(w, "usage");
	jw_obj(w);
	ku64_nz(w, "total", cg_keyed(st, "usage_usec") * 1000);
	jw_ku64(w, "kernel", cg_keyed(st, "system_usec") * 1000);
	jw_ku64(w, "user", cg_keyed(st, "user_usec") * 1000);
	jw_end(w);
	jw_key(w, "throttling");
	jw_obj(w);
	ku64_nz(w, "periods", cg_keyed(st, "nr_periods"));
	ku64_nz(w, "throttledPeriods", cg_keyed(st, "nr_throttled"));
	ku64_nz(w, "throttledTime", cg_keyed(st, "throttled_usec") * 1000);
	jw_end(w);
	jw_end(w);
	free(st);
}

/* "0-2,5" -> [0,1,2,5] under k (omitted when empty). */
static void cpu_list(struct jw *w, const char *k, const char *dir, const char *file)
{
	char *s = text(dir, file), *p = s;
	int open = 0;
	while (p && *p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (end == p)
			break;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		for (; a <= b && a < 65536; a++) {
			if (!open) {
				jw_key(w, k);
				jw_arr(w);
				open = 1;
			}
			jw_u64(w, a);
		}
		p = *end == ',' ? end + 1 : end;
		if (*p != ',' && (*p < '0' || *p > '9'))
			break;
	}
	if (open)
		jw_end(w);
	free(s);
}

static void cpuset(struct jw *w, const char *dir)
{
	static const char *const f[] = {
		"cpu_exclusive", "mems", "mem_hardwall", "mem_exclusive", "memory_migrate",
		"memory_spread_page", "memory_spread_slab", "memory_pressure", "sched_load_balance",
	};
	size_t i;

	jw_key(w, "cpuset");
	jw_obj(w);
	cpu_list(w, "cpus", dir, "cpuset.cpus");
	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		char file[48];
		if (!strcmp(f[i], "mems")) {
			cpu_list(w, "mems", dir, "cpuset.mems");
			continue;
		}
		fmt_sn(file, sizeof file, "cpuset.%s", f[i]);
		jw_ku64(w, f[i], num(dir, file));
	}
	{
		char *s = text(dir, "cpuset.sched_relax_domain_level");
		int64_t v = 0;
		if (s)
			parse_i64(s, &v);
		free(s);
		jw_ki64(w, "sched_relax_domain_level", v);
	}
	jw_end(w);
}

/* {limit, usage, max, failcnt}; v1 files memory[.<mod>].{limit_in_bytes,...}. */
static void mem_entry_v1(struct jw *w, const char *k, const char *dir, const char *mod)
{
	char f[4][64];
	static const char *const s[4] = { "limit_in_bytes", "usage_in_bytes", "max_usage_in_bytes",
					  "failcnt" };
	int i, exists;

	for (i = 0; i < 4; i++)
		fmt_sn(f[i], sizeof f[i], "memory.%s%s%s", mod, *mod ? "." : "", s[i]);
	exists = dir && cg_exists(dir, f[1]);
	jw_key(w, k);
	jw_obj(w);
	jw_ku64(w, "limit", exists ? num(dir, f[0]) : 0);
	ku64_nz(w, "usage", exists ? num(dir, f[1]) : 0);
	ku64_nz(w, "max", exists ? num(dir, f[2]) : 0);
	jw_ku64(w, "failcnt", exists ? num(dir, f[3]) : 0);
	jw_end(w);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* memory.stat as the sorted "raw" map; returns the value of cache_key. */
static uint64_t raw_stats(struct jw *w, const char *dir, const char *cache_key, int write)
{
	char *s = text(dir, "memory.stat"), **lines = NULL, *p, *tok;
	size_t n = 0, i;
	uint64_t cache = 0;

	for (p = s; p && (tok = strsep(&p, "\n")) != NULL;)
		if (*tok && strchr(tok, ' ')) {
			lines = xrealloc(lines, (n + 1) * sizeof *lines);
			lines[n++] = tok;
		}
	if (n)
		qsort(lines, n, sizeof *lines, cmp_str);
	if (write && n) {
		jw_key(w, "raw");
		jw_obj(w);
	}
	for (i = 0; i < n; i++) {
		char *sp = strchr(lines[i], ' ');
		uint64_t v = strtoull(sp + 1, NULL, 10);
		*sp = 0;
		if (!strcmp(lines[i], cache_key))
			cache = v;
		if (write)
			jw_ku64(w, lines[i], v);
	}
	if (write && n)
		jw_end(w);
	free(lines);
	free(s);
	return cache;
}

static void memory_v1(struct jw *w, const char *dir)
{
	jw_key(w, "memory");
	jw_obj(w);
	ku64_nz(w, "cache", dir ? raw_stats(w, dir, "cache", 0) : 0);
	mem_entry_v1(w, "usage", dir, "");
	mem_entry_v1(w, "swap", dir, "memsw");
	mem_entry_v1(w, "kernel", dir, "kmem");
	mem_entry_v1(w, "kernelTCP", dir, "kmem.tcp");
	if (dir)
		raw_stats(w, dir, "cache", 1);
	jw_end(w);
}

static void memory_v2(struct jw *w, const char *dir)
{
	uint64_t use = num(dir, "memory.current"), lim = num(dir, "memory.max");
	uint64_t suse = num(dir, "memory.swap.current"), slim = num(dir, "memory.swap.max");

	jw_key(w, "memory");
	jw_obj(w);
	ku64_nz(w, "cache", raw_stats(w, dir, "file", 0));
	jw_key(w, "usage");
	jw_obj(w);
	jw_ku64(w, "limit", lim);
	ku64_nz(w, "usage", use);
	jw_ku64(w, "failcnt", 0);
	jw_end(w);
	/* v1 compatibility (runc): swap reported as memory+swap */
	jw_key(w, "swap");
	jw_obj(w);
	jw_ku64(w, "limit", slim == UINT64_MAX || lim == UINT64_MAX ? UINT64_MAX : slim + lim);
	ku64_nz(w, "usage", suse + use);
	jw_ku64(w, "failcnt", 0);
	jw_end(w);
	jw_key(w, "kernel");
	jw_obj(w);
	jw_ku64(w, "limit", 0);
	jw_ku64(w, "failcnt", 0);
	jw_end(w);
	jw_key(w, "kernelTCP");
	jw_obj(w);
	jw_ku64(w, "limit", 0);
	jw_ku64(w, "failcnt", 0);
	jw_end(w);
	raw_stats(w, dir, "file", 1);
	jw_end(w);
}

static void pids(struct jw *w, const char *dir)
{
	uint64_t lim = num(dir, "pids.max");
	jw_key(w, "pids");
	jw_obj(w);
	ku64_nz(w, "current", num(dir, "pids.current"));
	ku64_nz(w, "limit", lim == UINT64_MAX ? 0 : lim);
	jw_end(w);
}

/* One blkio file as entries; 0 entries when missing or empty. Entries are written only
 * when out_key is set. */
static size_t blkio_file(struct jw *w, const char *dir, const char *file, const char *out_key)
{
	char *s = text(dir, file), *p, *tok;
	size_t n = 0;

	for (p = s; p && (tok = strsep(&p, "\n")) != NULL;) {
		unsigned long long ma, mi, v;
		char op[32] = "";
		int k;
		if (!*tok || !strncmp(tok, "Total", 5))
			continue;
		k = 0;
		{
			char *end;
			ma = strtoull(tok, &end, 10);
			if (*end != ':')
				continue;
			mi = strtoull(end + 1, &end, 10);
			while (*end == ' ')
				end++;
			if (*end >= 'A' && *end <= 'z') {
				char *sp = strchr(end, ' ');
				if (!sp || (size_t)(sp - end) >= sizeof op)
					continue;
				memcpy(op, end, (size_t)(sp - end));
				op[sp - end] = 0;
				end = sp + 1;
			}
			v = strtoull(end, NULL, 10);
			k = 1;
		}
		if (!k)
			continue;
		if (out_key) {
			if (!n) {
				jw_key(w, out_key);
				jw_arr(w);
			}
			jw_obj(w);
			ku64_nz(w, "major", ma);
			ku64_nz(w, "minor", mi);
			if (*op)
				jw_kstr(w, "op", op);
			ku64_nz(w, "value", v);
			jw_end(w);
		}
		n++;
	}
	if (out_key && n)
		jw_end(w);
	free(s);
	return n;
}

static void blkio_v1(struct jw *w, const char *dir)
{
	/* runc's order of groups; the first group whose first file has entries wins. */
	static const char *const groups[][9] = {
		{ "blkio.bfq.sectors_recursive", "sectorsRecursive",
		  "blkio.bfq.io_service_time_recursive", "ioServiceTimeRecursive",
		  "blkio.bfq.io_wait_time_recursive", "ioWaitTimeRecursive",
		  "blkio.bfq.io_merged_recursive", "ioMergedRecursive", NULL },
		{ "blkio.bfq.io_serviced_recursive", "ioServicedRecursive",
		  "blkio.bfq.io_service_bytes_recursive", "ioServiceBytesRecursive", NULL },
		{ "blkio.sectors_recursive", "sectorsRecursive",
		  "blkio.io_service_time_recursive", "ioServiceTimeRecursive",
		  "blkio.io_wait_time_recursive", "ioWaitTimeRecursive",
		  "blkio.io_merged_recursive", "ioMergedRecursive", NULL },
		{ "blkio.throttle.io_serviced_recursive", "ioServicedRecursive",
		  "blkio.throttle.io_service_bytes_recursive", "ioServiceBytesRecursive", NULL },
		{ "blkio.throttle.io_serviced", "ioServicedRecursive",
		  "blkio.throttle.io_service_bytes", "ioServiceBytesRecursive", NULL },
	};
	/* the bfq debug and cfq groups go on with queued, time, serviced and bytes */
	static const char *const tail_bfq[] = {
		"blkio.bfq.io_queued_recursive", "ioQueueRecursive", "blkio.bfq.time_recursive",
		"ioTimeRecursive", "blkio.bfq.io_serviced_recursive", "ioServicedRecursive",
		"blkio.bfq.io_service_bytes_recursive", "ioServiceBytesRecursive", NULL };
	static const char *const tail_cfq[] = {
		"blkio.io_queued_recursive", "ioQueueRecursive", "blkio.time_recursive",
		"ioTimeRecursive", "blkio.io_serviced_recursive", "ioServicedRecursive",
		"blkio.io_service_bytes_recursive", "ioServiceBytesRecursive", NULL };
	size_t g, i;

	jw_key(w, "blkio");
	jw_obj(w);
	for (g = 0; dir && g < sizeof groups / sizeof groups[0]; g++) {
		if (!blkio_file(w, dir, groups[g][0], NULL))
			continue;
		/* runc writes the entries into fixed fields: print them in its struct order */
		{
			const char *files[16], *keys[16];
			size_t n = 0, o;
			static const char *const order[] = {
				"ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive",
				"ioServiceTimeRecursive", "ioWaitTimeRecursive", "ioMergedRecursive",
				"ioTimeRecursive", "sectorsRecursive" };
			for (i = 0; groups[g][i]; i += 2) {
				files[n] = groups[g][i];
				keys[n++] = groups[g][i + 1];
			}
			if (g == 0 || g == 2)
				for (i = 0; (g ? tail_cfq : tail_bfq)[i]; i += 2) {
					files[n] = (g ? tail_cfq : tail_bfq)[i];
					keys[n++] = (g ? tail_cfq : tail_bfq)[i + 1];
				}
			for (o = 0; o < 8; o++)
				for (i = 0; i < n; i++)
					if (!strcmp(keys[i], order[o]))
						blkio_file(w, dir, files[i], keys[i]);
		}
		break;
	}
	jw_end(w);
}

/* io.stat "maj:min rbytes=N wbytes=N rios=N wios=N ..." -> bytes and ios entries. */
static void blkio_v2_pass(struct jw *w, const char *dir, int ios)
{
	static const char *const k[2][2] = { { "rbytes", "wbytes" }, { "rios", "wios" } };
	static const char *const op[2] = { "Read", "Write" };
	char *s = text(dir, "io.stat"), *p, *tok;
	int open = 0;

	for (p = s; p && (tok = strsep(&p, "\n")) != NULL;) {
		unsigned long long ma, mi;
		char *end;
		int j;
		ma = strtoull(tok, &end, 10);
		if (!*tok || *end != ':')
			continue;
		mi = strtoull(end + 1, &end, 10);
		for (j = 0; j < 2; j++) {
			char pat[16], *at;
			fmt_sn(pat, sizeof pat, " %s=", k[ios][j]);
			if (!(at = strstr(end, pat)))
				continue;
			if (!open) {
				jw_key(w, ios ? "ioServicedRecursive" : "ioServiceBytesRecursive");
				jw_arr(w);
				open = 1;
			}
			jw_obj(w);
			ku64_nz(w, "major", ma);
			ku64_nz(w, "minor", mi);
			jw_kstr(w, "op", op[j]);
			ku64_nz(w, "value", strtoull(at + strlen(pat), NULL, 10));
			jw_end(w);
		}
	}
	if (open)
		jw_end(w);
	free(s);
}

static void blkio_v2(struct jw *w, const char *dir)
{
	jw_key(w, "blkio");
	jw_obj(w);
	blkio_v2_pass(w, dir, 0);
	blkio_v2_pass(w, dir, 1);
	jw_end(w);
}

/* hugetlb.<size>.* for every size directory of /sys/kernel/mm/hugepages, sorted. */
static void hugetlb(struct jw *w, const char *dir, int v2)
{
	DIR *d = dir ? opendir("/sys/kernel/mm/hugepages") : NULL;
	struct dirent *de;
	char **sizes = NULL;
	size_t n = 0, i;

	jw_key(w, "hugetlb");
	jw_obj(w);
	while (d && (de = readdir(d)) != NULL) {
		unsigned long kb;
		char *end;
		if (strncmp(de->d_name, "hugepages-", 10))
			continue;
		kb = strtoul(de->d_name + 10, &end, 10);
		sizes = xrealloc(sizes, (n + 1) * sizeof *sizes);
		sizes[n++] = kb >= 1048576 ? fmt_alloc("%luGB", kb >> 20)
			   : kb >= 1024 ? fmt_alloc("%luMB", kb >> 10) : fmt_alloc("%luKB", kb);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(sizes, n, sizeof *sizes, cmp_str);
	for (i = 0; i < n; i++) {
		char f[3][64];
		char *ev;
		if (v2) {
			fmt_sn(f[0], sizeof f[0], "hugetlb.%s.current", sizes[i]);
			fmt_sn(f[1], sizeof f[1], "hugetlb.%s.events", sizes[i]);
			if (!cg_exists(dir, f[0]))
				continue;
			ev = text(dir, f[1]);
			jw_key(w, sizes[i]);
			jw_obj(w);
			ku64_nz(w, "usage", num(dir, f[0]));
			jw_ku64(w, "failcnt", cg_keyed(ev, "max"));
			jw_end(w);
			free(ev);
		} else {
			fmt_sn(f[0], sizeof f[0], "hugetlb.%s.usage_in_bytes", sizes[i]);
			fmt_sn(f[1], sizeof f[1], "hugetlb.%s.max_usage_in_bytes", sizes[i]);
			fmt_sn(f[2], sizeof f[2], "hugetlb.%s.failcnt", sizes[i]);
			if (!cg_exists(dir, f[0]))
				continue;
			jw_key(w, sizes[i]);
			jw_obj(w);
			ku64_nz(w, "usage", num(dir, f[0]));
			ku64_nz(w, "max", num(dir, f[1]));
			jw_ku64(w, "failcnt", num(dir, f[2]));
			jw_end(w);
		}
	}
	for (i = 0; i < n; i++)
		free(sizes[i]);
	free(sizes);
	jw_end(w);
}

int cgroup_stats_write(const struct cgroup_paths *p, struct jw *w, struct err *e)
{
	int v2 = cg_pure_v2(p);
	const char *u = cgroup_paths_get(p, "");

	if (!p->n)
		return err_set(e, ENOENT, "no cgroup paths recorded for the container");
	if (access(p->v[0].dir, F_OK) < 0)
		return err_sys(e, "cgroup %s", p->v[0].dir);
	jw_obj(w);
	if (v2) {
		cpu_v2(w, u);
		jw_key(w, "cpuset");    /* runc's v2 driver reports no cpuset data */
		jw_obj(w);
		static const char *const z[] = { "cpu_exclusive", "mem_hardwall", "mem_exclusive",
			"memory_migrate", "memory_spread_page", "memory_spread_slab", "memory_pressure",
			"sched_load_balance", "sched_relax_domain_level" };
		for (size_t i = 0; i < sizeof z / sizeof z[0]; i++)
			jw_ku64(w, z[i], 0);
		jw_end(w);
		memory_v2(w, u);
		pids(w, u);
		blkio_v2(w, u);
		hugetlb(w, u, 1);
	} else {
		cpu_v1(w, cgroup_paths_get(p, "cpuacct"), cgroup_paths_get(p, "cpu"));
		cpuset(w, cgroup_paths_get(p, "cpuset"));
		memory_v1(w, cgroup_paths_get(p, "memory"));
		pids(w, cgroup_paths_get(p, "pids"));
		blkio_v1(w, cgroup_paths_get(p, "blkio"));
		hugetlb(w, cgroup_paths_get(p, "hugetlb"), 0);
	}
	jw_key(w, "intel_rdt");
	jw_obj(w);
	jw_end(w);
	jw_key(w, "network_interfaces");
	jw_null(w);
	jw_end(w);
	return 0;
}
