/* stats: CRIU's statistics images (stats-dump after a dump, stats-restore after a restore,
 * written into the image directory) and the --print-stats JSON object, shaped like Podman's:
 *   {"crbox_checkpoint_duration": us, "container_statistics": [{"Id": ..,
 *    "runtime_checkpoint_duration": us, "criu_statistics": {"freezing_time": .., ...}}]}
 * (restore: crbox_restore_duration, runtime_restore_duration). Field numbers of CRIU's
 * stats.proto are in docs/archive.md. */
#ifndef CRBOX_ARCHIVE_STATS_H
#define CRBOX_ARCHIVE_STATS_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"

#define STATS_DUMP "stats-dump"
#define STATS_RESTORE "stats-restore"

struct criu_stats {
	int restore;                 /* which message was found */
	uint64_t v[16];              /* by field number */
	uint16_t have;               /* bit n: field n present */
};

/* Reads dirfd/name (STATS_DUMP or STATS_RESTORE). 0, or -1 with e set (missing, corrupt). */
int stats_read(int dirfd, const char *name, struct criu_stats *s, struct err *e);
/* Parses an image's bytes (magics, then one u32-length entry). */
int stats_parse(const unsigned char *p, size_t n, const char *name, struct criu_stats *s,
		struct err *e);
/* Appends the JSON object (indented, newline-terminated). s may be NULL (no CRIU stats). */
void stats_json(struct buf *b, int restore, const char *id, uint64_t crbox_us,
		uint64_t runtime_us, const struct criu_stats *s);



/* Microseconds on the monotonic clock. */
uint64_t stats_now_us(void);
/* stats_json with the statistics read from (stats-dump|stats-restore) in CRIU's work dir
 * (where CRIU writes them), else in the image dir; a missing or unreadable file leaves
 * criu_statistics out. */
void stats_report(struct buf *b, int restore, const char *id, const char *work_dir,
		  const char *image_dir, uint64_t crbox_us, uint64_t runtime_us);
#endif
