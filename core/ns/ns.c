/* ns: linux.namespaces, uid/gidMappings (see ns.h). */
#include "ns/ns.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

/* Which namespaces are new (clone flags) and which are joined (fds opened now, on the host
 * side, before anything runs in the container). */
int ns_plan(const struct spec *s, const struct pspec *ps, int *clone_flags, int nsfd[SPEC_NS_N],
	    struct err *e)
{
	size_t i;
	for (i = 0; i < s->nnamespaces; i++) {
		const struct spec_ns *n = &s->namespaces[i];
		int k = (int)(n->nt - spec_nstypes);
		if (!n->path) {
			*clone_flags |= n->nt->clone;
			continue;
		}
		nsfd[k] = open(n->path, O_RDONLY | O_CLOEXEC);
		if (nsfd[k] < 0)
			return err_sys(e, "open namespace %s", n->path);
	}
	if (s->hostname && !spec_has_ns(s, "uts"))
		return err_set(e, EINVAL, "unable to set hostname without a private UTS namespace");
	if (ps->domainname && !spec_has_ns(s, "uts"))
		return err_set(e, EINVAL, "unable to set domainname without a private UTS namespace");
	if ((s->nuid_mappings || s->ngid_mappings) && !spec_has_ns(s, "user"))
		return err_set(e, EINVAL, "user namespaces aren't enabled in the kernel");
	if ((*clone_flags & CLONE_NEWUSER) && (!s->nuid_mappings || !s->ngid_mappings))
		return err_set(e, EINVAL, "user namespace enabled, but no user mapping found in config");
	if (ps->has_timens && !spec_has_ns(s, "time"))
		return err_set(e, EINVAL, "time offsets specified without a time namespace");
	return pspec_sysctl_check(ps, s, e);
}

int ns_write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n,
		     struct err *e)
{
	struct buf b = BUF_INIT;
	char *path = fmt_alloc("/proc/%d/%s", (int)pid, file);
	size_t i;
	int fd, rc = 0;

	for (i = 0; i < n; i++)
		buf_addf(&b, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, b.p, b.len) != (ssize_t)b.len)
		rc = err_sys(e, "write %s", path);
	if (fd >= 0)
		close(fd);
	free(path);
	buf_free(&b);
	return rc;
}

/* The host id container id 0 maps to (0 without maps). */
unsigned ns_root_host_id(const struct spec_idmap *m, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (m[i].container_id == 0)
			return m[i].host_id;
	return 0;
}

void ns_fill_state(struct state *st, pid_t pid)
{
	size_t i;
	for (i = 0; i < SPEC_NS_N; i++) {
		char *p = fmt_alloc("/proc/%d/ns/%s", (int)pid, spec_nstypes[i].proc);
		if (access(p, F_OK) == 0)
			state_kv_set(&st->ns_paths, &st->nns_paths, spec_nstypes[i].runc, p);
		free(p);
	}
}

/* setns in runc's order: the user namespace first, so that the others can be joined with
 * the privileges it gives. */
int ns_join(int nsfd[SPEC_NS_N], struct err *e)
{
	int i, pass;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < SPEC_NS_N; i++) {
			int isuser = spec_nstypes[i].clone == CLONE_NEWUSER;
			if (nsfd[i] < 0 || isuser != (pass == 0))
				continue;
			if (setns(nsfd[i], spec_nstypes[i].clone) < 0)
				return err_sys(e, "failed to join %s namespace",
					       spec_nstypes[i].oci);
			close(nsfd[i]);
			nsfd[i] = -1;
		}
	return 0;
}

