/* cgroup/ctrl: one function per controller and cgroup version, each writing the fields of
 * a resources object that belong to it into one cgroup dir, in runc 1.1's order and with
 * its messages. A field the version cannot express fails with "<field>: not supported on
 * cgroup vN". apply.c picks the dir and the version. */
#ifndef CRBOX_CGROUP_CTRL_H
#define CRBOX_CGROUP_CTRL_H
#include "err.h"
#include "spec.h"

typedef int (*cg_ctrl_fn)(const char *dir, const struct spec_resources *r, struct err *e);

int cg_v1_cpuset(const char *dir, const struct spec_resources *r, struct err *e);
int cg_v1_memory(const char *dir, const struct spec_resources *r, struct err *e);
int cg_v1_cpu(const char *dir, const struct spec_resources *r, struct err *e);
int cg_v1_blkio(const char *dir, const struct spec_resources *r, struct err *e);
int cg_v1_hugetlb(const char *dir, const struct spec_resources *r, struct err *e);
int cg_v1_net_cls(const char *dir, const struct spec_resources *r, struct err *e);
int cg_v1_net_prio(const char *dir, const struct spec_resources *r, struct err *e);
/* pids.max and rdma.max have the same format on both versions. */
int cg_pids(const char *dir, const struct spec_resources *r, struct err *e);
int cg_rdma(const char *dir, const struct spec_resources *r, struct err *e);
/* hugetlb.<size>.<suffix> for every hugepageLimits entry ("limit_in_bytes" v1, "max" v2). */
int cg_hugetlb(const char *dir, const struct spec_resources *r, const char *suffix,
	       struct err *e);

int cg_v2_cpuset(const char *dir, const struct spec_resources *r, struct err *e);
int cg_v2_memory(const char *dir, const struct spec_resources *r, struct err *e);
int cg_v2_cpu(const char *dir, const struct spec_resources *r, struct err *e);
int cg_v2_io(const char *dir, const struct spec_resources *r, struct err *e);
int cg_v2_hugetlb(const char *dir, const struct spec_resources *r, struct err *e);
int cg_v2_unified(const char *dir, const struct spec_resources *r, struct err *e);
/* Fields with no v2 file (net_cls, net_prio): an error if any is set. */
int cg_v2_refuse_net(const char *dir, const struct spec_resources *r, struct err *e);

#endif
