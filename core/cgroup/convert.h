/* cgroup/convert: runc 1.1's value conversions between the OCI (cgroup v1 flavoured) fields
 * and cgroup v2 files. Pure. */
#ifndef CRBOX_CGROUP_CONVERT_H
#define CRBOX_CGROUP_CONVERT_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* cpu.shares [2, 262144] -> cpu.weight [1, 10000]: 1 + (shares - 2) * 9999 / 262142.
 * 0 stays 0 (unset); out-of-range shares are clamped to the ends. */
uint64_t cg_shares_to_weight(uint64_t shares);
/* blkio.weight [10, 1000] -> io.weight [1, 10000]: 1 + (w - 10) * 9999 / 990; 0 stays 0. */
uint64_t cg_blkio_to_io_weight(uint64_t w);
/* OCI memory.swap (memory+swap, v1 semantics) -> v2 memory.swap.max: memory -1 and swap
 * unset -> -1; swap -1 or 0 as is; else swap - memory (needs a memory limit, swap >=
 * memory). *no_swap is set when the result is a real 0 (swap == memory: swap disabled). */
int cg_swap_to_v2(int64_t swap, int64_t memory, int64_t *out, int *no_swap, struct err *e);
/* A v2 number: 0 -> NULL (unset), -1 -> "max", else decimal into buf (24 bytes). */
const char *cg_v2_num(int64_t v, char buf[24]);
/* cpu.max: "<quota|max>[ <period>]" into buf (48 bytes); NULL when neither is set. */
const char *cg_cpu_max(int64_t quota, uint64_t period, char buf[48]);

#endif
