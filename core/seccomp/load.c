/* seccomp/load.c: a compiled program loaded with seccomp(2), runc's flag handling
 * (docs/seccomp.md "Loading"). */
#include <errno.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "seccomp/internal.h"

#define SET_MODE_FILTER 1

struct fprog {
	unsigned short len;
	const struct seccomp_insn *filter;
};

static long sys_seccomp(unsigned op, unsigned flags, const void *arg)
{
	return syscall(SYS_seccomp, op, flags, arg);
}

/* A flag the kernel knows gives EFAULT for a NULL program; an unknown one EINVAL. */
static int flag_supported(unsigned f)
{
	return sys_seccomp(SET_MODE_FILTER, f, NULL) < 0 && errno == EFAULT;
}

int seccomp_load(const struct seccomp_prog *p, int *listener_fd, struct err *e)
{
	static const struct { unsigned f; const char *name; } names[] = {
		{ SECCOMP_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG" },
		{ SECCOMP_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW" },
		{ SECCOMP_FLAG_NEW_LISTENER, "SECCOMP_FILTER_FLAG_NEW_LISTENER" },
		{ SECCOMP_FLAG_WAIT_KILLABLE_RECV, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
	};
	unsigned flags = p->flags;
	if (listener_fd)
		*listener_fd = -1;
	if (!p->len)
		return 0;
	if (p->notify && !listener_fd)
		return err_set(e, EINVAL, "seccomp: the profile uses SCMP_ACT_NOTIFY but the caller takes no listener");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(flags & names[i].f) || flag_supported(names[i].f))
			continue;
		if (names[i].f == SECCOMP_FLAG_SPEC_ALLOW && p->flags_default) {
			flags &= ~names[i].f;
			continue;
		}
		return err_set(e, EINVAL, "seccomp: flag %s is not supported by this kernel", names[i].name);
	}
	struct fprog prog = { (unsigned short)p->len, p->insns };
	long r;
	if (!flags)
		r = prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &prog, 0, 0);
	else
		r = sys_seccomp(SET_MODE_FILTER, flags, &prog);
	if (r < 0)
		return err_sys(e, "seccomp: loading the filter (%u instructions, flags %u)", p->len, flags);
	if (p->notify && listener_fd)
		*listener_fd = (int)r;
	return 0;
}
