/* ns: the container's namespaces. The parent plans them (new ones become clone/unshare
 * flags, joined ones are opened by path on the host side before anything runs in the
 * container), validates what depends on them (hostname, domainname, id maps, time offsets,
 * sysctl), writes the user namespace maps of the child, and records /proc/<pid>/ns paths
 * in the state; the child joins (user first, as runc). */
#ifndef CRBOX_NS_NS_H
#define CRBOX_NS_NS_H
#include <stddef.h>
#include <sys/types.h>
#include "err.h"
#include "process/pspec.h"
#include "spec.h"
#include "state.h"

/* Fills *clone_flags with the new namespaces and nsfd[k] (spec_nstypes order; -1 when not
 * joined) with O_RDONLY fds of the joined ones; checks runc's rules: "unable to set
 * hostname without a private UTS namespace", "user namespace enabled, but no user mapping
 * found in config", the sysctl rules (pspec_sysctl_check), ... 0 or -1 (fds opened so far
 * stay in nsfd for the caller to close). */
int ns_plan(const struct spec *s, const struct pspec *ps, int *clone_flags, int nsfd[SPEC_NS_N],
	    struct err *e);
/* Writes "<container> <host> <size>" lines to /proc/<pid>/<file> (uid_map, gid_map). */
int ns_write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n,
		 struct err *e);
/* The host id that container id 0 maps to (0 without maps). */
unsigned ns_root_host_id(const struct spec_idmap *m, size_t n);
/* state ns_paths: runc's keys (NEWNET ...) -> /proc/<pid>/ns/<name> for each that exists. */
void ns_fill_state(struct state *st, pid_t pid);
/* Child: setns into each fd of nsfd, the user namespace first; closes them. 0 or -1. */
int ns_join(int nsfd[SPEC_NS_N], struct err *e);

#endif
