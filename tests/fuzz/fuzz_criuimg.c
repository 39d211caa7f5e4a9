/* fuzz_criuimg: libFuzzer entry for the CRIU images crbox reads beyond core/image.c: the
 * first input byte picks the reader, the rest is the image: even = mountpoints-N.img
 * (mnt_keys_parse, the external-mount keys of crun interop), odd = stats-dump/stats-restore
 * (stats_parse, then the --print-stats JSON, which must parse as JSON).
 * fuzz-src: all
 * fuzz-corpus: tests/data/criuimg */
#include "archive/stats.h"
#include "interop/crun.h"
#include "json.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct err e;
	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		struct mnt_key *k = NULL;
		size_t n = 0, i;
		mnt_keys_parse(data + 1, size - 1, "mountpoints-1.img", &k, &n, &e);
		for (i = 0; i < n; i++)
			if (!k[i].mountpoint || !k[i].key)
				abort();
		mnt_keys_free(k, n);
	} else {
		struct criu_stats s;
		if (stats_parse(data + 1, size - 1, "stats-dump", &s, &e) == 0) {
			struct buf b = BUF_INIT;
			struct json_doc d;
			stats_json(&b, s.restore, "fuzz", 1, 2, &s);
			if (json_parse(&d, "stats", b.p, b.len, &e) < 0)
				abort();
			json_free(&d);
			buf_free(&b);
		}
	}
	return 0;
}
