/* stats: a minimal protobuf walk of stats_entry { dump = 1; restore = 2; }. */
#include "archive/stats.h"
#include "fsutil.h"
#include "fmt.h"
#include "jsonw.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const dump_names[16] = {
	NULL, "freezing_time", "frozen_time", "memdump_time", "memwrite_time", "pages_scanned",
	"pages_skipped_parent", "pages_written", "irmap_resolve", "pages_lazy", "page_pipes",
	"page_pipe_bufs", "shpages_scanned", "shpages_skipped_parent", "shpages_written", NULL,
};
static const char *const restore_names[16] = {
	NULL, "pages_compared", "pages_skipped_cow", "forking_time", "restore_time",
	"pages_restored",
};

static int varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	int shift = 0;
	*v = 0;
	while (*p < end && shift < 64) {
		unsigned char c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

/* Skips one field of wire type wt. */
static int skipf(const unsigned char **p, const unsigned char *end, int wt)
{
	uint64_t v;
	switch (wt) {
	case 0:
		return varint(p, end, &v);
	case 1:
		if (end - *p < 8)
			return -1;
		*p += 8;
		return 0;
	case 2:
		if (varint(p, end, &v) < 0 || v > (uint64_t)(end - *p))
			return -1;
		*p += v;
		return 0;
	case 5:
		if (end - *p < 4)
			return -1;
		*p += 4;
		return 0;
	}
	return -1;
}

static int inner(const unsigned char *p, const unsigned char *end, struct criu_stats *s)
{
	while (p < end) {
		uint64_t key, v;
		if (varint(&p, end, &key) < 0)
			return -1;
		if ((key & 7) == 0 && (key >> 3) < 16 && (key >> 3) > 0) {
			if (varint(&p, end, &v) < 0)
				return -1;
			s->v[key >> 3] = v;
			s->have |= (uint16_t)(1u << (key >> 3));
		} else if (skipf(&p, end, (int)(key & 7)) < 0) {
			return -1;
		}
	}
	return 0;
}

int stats_parse(const unsigned char *p, size_t n, const char *name, struct criu_stats *s,
		struct err *e)
{
	const unsigned char *end, *q;
	uint32_t len;
	size_t off = 4;
	int found = 0;

	memset(s, 0, sizeof *s);
	if (n < 4)
		return err_set(e, EINVAL, "%s is corrupt: too short", name);
	/* Service images carry two magics; CRIU's IMG_SERVICE_MAGIC comes first. */
	if (p[0] == 0x40 && p[1] == 0x59 && p[2] == 0x10 && p[3] == 0x55)
		off = 8;
	if (n < off + 4)
		return err_set(e, EINVAL, "%s is corrupt: too short", name);
	len = (uint32_t)(p[off] | p[off + 1] << 8 | p[off + 2] << 16 | (uint32_t)p[off + 3] << 24);
	off += 4;
	if (len > n - off)
		return err_set(e, EINVAL, "%s is corrupt: entry cut short", name);
	q = p + off;
	end = q + len;
	while (q < end) {
		uint64_t key, l;
		if (varint(&q, end, &key) < 0)
			goto bad;
		if (((key >> 3) == 1 || (key >> 3) == 2) && (key & 7) == 2) {
			if (varint(&q, end, &l) < 0 || l > (uint64_t)(end - q))
				goto bad;
			s->restore = (key >> 3) == 2;
			if (inner(q, q + l, s) < 0)
				goto bad;
			q += l;
			found = 1;
		} else if (skipf(&q, end, (int)(key & 7)) < 0) {
			goto bad;
		}
	}
	if (!found)
		return err_set(e, EINVAL, "%s holds no statistics", name);
	return 0;
bad:
	return err_set(e, EINVAL, "%s is corrupt: bad protobuf", name);
}

int stats_read(int dirfd, const char *name, struct criu_stats *s, struct err *e)
{
	unsigned char b[4096];
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_sys(e, "CRIU statistics %s", name);
	n = read(fd, b, sizeof b);
	close(fd);
	if (n < 0)
		return err_sys(e, "read %s", name);
	return stats_parse(b, (size_t)n, name, s, e);
}

void stats_json(struct buf *b, int restore, const char *id, uint64_t crbox_us,
		uint64_t runtime_us, const struct criu_stats *s)
{
	struct jw w;
	int i;

	jw_init(&w, b, 4);
	jw_obj(&w);
	jw_ku64(&w, restore ? "crbox_restore_duration" : "crbox_checkpoint_duration", crbox_us);
	jw_key(&w, "container_statistics");
	jw_arr(&w);
	jw_obj(&w);
	jw_kstr(&w, "Id", id);
	jw_ku64(&w, restore ? "runtime_restore_duration" : "runtime_checkpoint_duration",
		runtime_us);
	if (s) {
		const char *const *names = s->restore ? restore_names : dump_names;
		jw_key(&w, "criu_statistics");
		jw_obj(&w);
		for (i = 1; i < 16; i++)
			if ((s->have & (1u << i)) && names[i])
				jw_ku64(&w, names[i], s->v[i]);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	buf_addc(b, '\n');
}

uint64_t stats_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void stats_report(struct buf *b, int restore, const char *id, const char *work_dir,
		  const char *image_dir, uint64_t crbox_us, uint64_t runtime_us)
{
	const char *dirs[2] = { work_dir, image_dir };
	struct criu_stats s;
	struct err e;
	int i, ok = 0;

	for (i = 0; i < 2 && !ok; i++) {
		int fd = dirs[i] ? open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		ok = fd >= 0 && stats_read(fd, restore ? STATS_RESTORE : STATS_DUMP, &s, &e) == 0;
		if (fd >= 0)
			close(fd);
	}
	stats_json(b, restore, id, crbox_us, runtime_us, ok ? &s : NULL);
}
