/* host: the facts about this host that travel in a manifest (crbox and CRIU versions,
 * kernel, machine, cgroup layout) and CRIU's CPU-info requests over RPC: CPUINFO_DUMP writes
 * cpuinfo.img into an image directory, CPUINFO_CHECK compares one with this CPU. */
#ifndef CRBOX_ARCHIVE_HOST_H
#define CRBOX_ARCHIVE_HOST_H
#include "archive/manifest.h"
#include "criu.h"
#include "err.h"

#define CPUINFO_IMG "cpuinfo.img"

/* Fills m's crbox, criu, kernel, arch and cgroup fields (v may be NULL: no CRIU facts). */
void host_facts(struct manifest *m, const struct swrk_version *v);
/* The cgroup layout of this host: "v1", "v2", "hybrid" or "none". Static string. */
const char *host_cgroup_layout(void);
/* CPUINFO_DUMP (check = 0) or CPUINFO_CHECK (check = 1) with images in imgfd; CRIU's log
 * "cpuinfo.log" goes to workfd. For CHECK, a refusal is -1 with "CPU is not compatible:
 * <criu's message>" and e->no = EXDEV; other failures are -1 too. 0 on success. */
int host_cpuinfo(const char *criu, int imgfd, int workfd, int check, struct err *e);

#endif
