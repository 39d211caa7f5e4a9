/* cgroup/internal: helpers shared by the files of the cgroup room (not for other rooms). */
#ifndef CRBOX_CGROUP_INTERNAL_H
#define CRBOX_CGROUP_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "cgroup/cgroup.h"

void cg_sleep_us(long us);
long long cg_now_ms(void);
/* Comma-separated lists: contains name exactly / number of names / same set of names. */
int cg_list_has(const char *list, const char *name);
size_t cg_list_count(const char *list);
int cg_list_same(const char *a, const char *b);
/* The same for a space-separated list (cgroup.controllers). */
int cg_list_has_sp(const char *list, const char *name);
/* path without the mount's root prefix ("/" if nothing is left), as is if not below it. */
const char *cg_strip_root(const char *path, const char *root);
char *cg_join3(const char *a, const char *b, const char *c);
char *cg_dirname(const char *path);
/* dir/file read and trimmed (heap), NULL with err. */
char *cg_read(const char *dir, const char *file, struct err *e);
/* Writes val to dir/file (opened O_WRONLY|O_TRUNC, never created): "failed to write \"v\":
 * open|write <path>: <cause>". */
int cg_write(const char *dir, const char *file, const char *val, struct err *e);
int cg_write_i64(const char *dir, const char *file, int64_t v, struct err *e);
int cg_write_u64(const char *dir, const char *file, uint64_t v, struct err *e);
int cg_exists(const char *dir, const char *file);
/* The number after "key " in a flat keyed file's text (cpu.stat, memory.events); 0 if absent. */
uint64_t cg_keyed(const char *text, const char *key);

/* The mount point above an existing path (its hierarchy root), heap; NULL with err. */
char *cg_mount_root(const char *path, struct err *e);

/* Index of the first entry of p with the same dir as entry i. */
size_t cg_first_with_dir(const struct cgroup_paths *p, size_t i);
/* The map holds only the unified dir (a pure v2 host). */
int cg_pure_v2(const struct cgroup_paths *p);

#endif
