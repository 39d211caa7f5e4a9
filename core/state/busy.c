/* busy: a container claimed by a running restore or checkpoint (see state/busy.h). */
#include "state/busy.h"
#include "fmt.h"
#include "proc.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>   /* renameat only */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads the claim: 0 with op/pid/start, or -1 when there is none or it is unreadable. */
static int busy_read(int dirfd, char *op, size_t cap, pid_t *pid, uint64_t *start)
{
	char b[128], *sp1, *sp2;
	unsigned long long st;
	ssize_t n;
	int fd = openat(dirfd, BUSY_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), p;

	if (fd < 0)
		return -1;
	n = read(fd, b, sizeof b - 1);
	close(fd);
	if (n <= 0)
		return -1;
	b[n] = 0;
	sp1 = strchr(b, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2)
		return -1;
	*sp1 = *sp2 = 0;
	if (parse_int(sp1 + 1, &p) < 0 || p <= 0)
		return -1;
	st = strtoull(sp2 + 1, NULL, 10);
	if (op)
		fmt_sn(op, cap, "%s", b);
	*pid = p;
	*start = st;
	return 0;
}

int busy_held(int dirfd, char *op, size_t op_cap, pid_t *pid)
{
	uint64_t start;
	pid_t p;

	if (busy_read(dirfd, op, op_cap, &p, &start) < 0)
		return 0;
	if (p == getpid() || !proc_alive(p, start))
		return 0;
	if (pid)
		*pid = p;
	return 1;
}

int busy_refuse(int dirfd, struct err *e)
{
	char op[32];
	pid_t pid;

	if (!busy_held(dirfd, op, sizeof op, &pid))
		return 0;
	return err_set(e, EBUSY, "container is busy: %s by pid %d is in progress", op, (int)pid);
}

int busy_claim(int dirfd, const char *op, struct err *e)
{
	char line[96], tmp[48];
	uint64_t start;
	int fd, n;

	if (busy_refuse(dirfd, e) < 0)
		return -1;
	if (proc_start_time(getpid(), &start, NULL, e) < 0)
		return -1;
	n = (int)fmt_sn(line, sizeof line, "%s %d %llu\n", op, (int)getpid(),
			(unsigned long long)start);
	fmt_sn(tmp, sizeof tmp, ".%s.%d", BUSY_FILE, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return err_sys(e, "claim the state directory");
	if (write_all(fd, line, (size_t)n) < 0 || close(fd) < 0) {
		unlinkat(dirfd, tmp, 0);
		return err_sys(e, "claim the state directory");
	}
	if (renameat(dirfd, tmp, dirfd, BUSY_FILE) < 0) {
		err_sys(e, "claim the state directory");
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

void busy_release(int dirfd)
{
	uint64_t start;
	pid_t p;

	if (busy_read(dirfd, NULL, 0, &p, &start) == 0 && p == getpid())
		unlinkat(dirfd, BUSY_FILE, 0);
}
