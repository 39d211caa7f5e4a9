/* prepare: the rootfs sequence (rootfs.h); skeleton, filled in by the following commits. */
#include <errno.h>
#include <unistd.h>
#include "rootfs/rootfs.h"

int rootfs_ctx_init(struct rootfs_ctx *c, const struct spec *s, struct err *e)
{
	(void)e;
	c->spec = s;
	c->rootfs = spec_rootfs(s);
	c->no_pivot = 0;
	c->in_userns = spec_has_ns(s, "user");
	c->propagation = NULL;
	c->rootfd = -1;
	return 0;
}

void rootfs_ctx_close(struct rootfs_ctx *c)
{
	if (c->rootfd >= 0)
		close(c->rootfd);
	c->rootfd = -1;
}

int rootfs_validate(const char *rootfs, struct err *e)
{
	return err_set(e, ENOSYS, "rootfs %s: not implemented", rootfs);
}

int rootfs_prepare(struct rootfs_ctx *c, struct err *e)
{
	(void)c;
	return err_set(e, ENOSYS, "rootfs_prepare: not implemented");
}

int rootfs_pivot(struct rootfs_ctx *c, struct err *e)
{
	(void)c;
	return err_set(e, ENOSYS, "rootfs_pivot: not implemented");
}

int rootfs_finalize(struct rootfs_ctx *c, struct err *e)
{
	(void)c;
	return err_set(e, ENOSYS, "rootfs_finalize: not implemented");
}
