/* cgroup/convert: runc's v1 -> v2 value conversions (see convert.h). */
#include "cgroup/convert.h"
#include "fmt.h"
#include <errno.h>
#include <string.h>

uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_to_io_weight(uint64_t w)
{
	if (w == 0)
		return 0;
	if (w < 10)
		w = 10;
	if (w > 1000)
		w = 1000;
	return 1 + (w - 10) * 9999 / 990;
}

int cg_swap_to_v2(int64_t swap, int64_t memory, int64_t *out, int *no_swap, struct err *e)
{
	*no_swap = 0;
	if (memory == -1 && swap == 0) {
		*out = -1;
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*out = swap;
		return 0;
	}
	if (memory == 0 || memory == -1)
		return err_set(e, EINVAL, "unable to set swap limit without memory limit");
	if (memory < 0)
		return err_set(e, EINVAL, "invalid memory value: %lld", (long long)memory);
	if (swap < memory)
		return err_set(e, EINVAL, "memory+swap limit should be >= memory limit");
	*out = swap - memory;
	*no_swap = *out == 0;
	return 0;
}

const char *cg_v2_num(int64_t v, char buf[24])
{
	if (v == 0)
		return NULL;
	if (v == -1)
		return "max";
	buf[fmt_i64(buf, v)] = 0;
	return buf;
}

const char *cg_cpu_max(int64_t quota, uint64_t period, char buf[48])
{
	size_t n;
	if (!quota && !period)
		return NULL;
	if (quota > 0) {
		n = fmt_i64(buf, quota);
	} else {
		memcpy(buf, "max", 3);
		n = 3;
	}
	if (period) {
		buf[n++] = ' ';
		n += fmt_u64(buf + n, period);
	}
	buf[n] = 0;
	return buf;
}
