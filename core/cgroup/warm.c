/* cgroup/warm: starts the kernel's wait for a cgroup migration early, in a helper process,
 * so that it runs while crbox does its own set-up (docs/cgroups.md, "Joining early"). */
#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "fmt.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The cgroup.procs of the hierarchy this process is in (the first v1 one, else cgroup2). */
static char *own_procs(void)
{
	struct cgroup_layout l;
	struct cgroup_self s;
	struct err e;
	char *p = NULL;
	size_t i;

	memset(&l, 0, sizeof l);
	memset(&s, 0, sizeof s);
	if (cgroup_layout(&l, &e) < 0)
		return NULL;
	if (cgroup_self_paths(0, &s, &e) == 0) {
		for (i = 0; i < l.nv1 && !p; i++) {
			const char *c = l.v1[i].controllers, *end = strchr(c, ',');
			char first[64];
			const char *mine;
			size_t n = end ? (size_t)(end - c) : strlen(c);
			if (!n || n >= sizeof first)
				continue;
			memcpy(first, c, n);
			first[n] = 0;
			mine = cgroup_self_find(&s, first);
			if (mine)
				p = cg_join3(l.v1[i].mountpoint, cg_strip_root(mine, l.v1[i].root),
					     "cgroup.procs");
		}
		if (!p && l.unified && cgroup_self_find(&s, ""))
			p = cg_join3(l.unified, cg_strip_root(cgroup_self_find(&s, ""), l.unified_root),
				     "cgroup.procs");
	}
	cgroup_self_free(&s);
	cgroup_layout_free(&l);
	return p;
}

pid_t cgroup_warm_start(void)
{
	pid_t pid;

	if (geteuid() != 0)
		return 0;
	pid = fork();
	if (pid != 0)
		return pid > 0 ? pid : 0;
	/* The helper: move itself to where it already is. The kernel takes its migration lock
	 * (and waits for the grace period) before it looks at the pid, so this pays the wait
	 * without changing anything; crbox's own join, a few ms later, then finds it paid. */
	{
		char *procs = own_procs();
		int fd = procs ? open(procs, O_WRONLY | O_CLOEXEC) : -1;
		if (fd >= 0 && write(fd, "0", 1) < 0) {
			/* nothing to do: this only ever saves time */
		}
		if (fd >= 0)
			close(fd);
		free(procs);
		_exit(0);
	}
}

void cgroup_warm_end(pid_t pid)
{
	if (pid <= 0)
		return;
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
