/* caps: the five capability sets of process.capabilities applied to the calling process
 * (see caps.h). */
#include "process/caps.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* <linux/capability.h>, which musl does not ship. */
#define CAP_V3 0x20080522
struct cap_hdr {
	uint32_t version;
	int pid;
};
struct cap_data {
	uint32_t effective, permitted, inheritable;
};

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

int caps_last_cap(void)
{
	char b[16] = "";
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC), n = 40;
	if (fd >= 0) {
		if (read(fd, b, sizeof b - 1) > 0)
			n = atoi(b);
		close(fd);
	}
	return n > 63 ? 63 : n;
}

int caps_drop_bounding(uint64_t keep, int last, struct err *e)
{
	int i;
	for (i = 0; i <= last; i++)
		if (!(keep >> i & 1) &&
		    prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
			return err_sys(e, "drop capability %s from the bounding set",
				       pspec_cap_name(i));
	return 0;
}

int caps_apply(const uint64_t caps[CAPSET_N], struct err *e)
{
	struct cap_hdr h = { CAP_V3, 0 };
	struct cap_data d[2];
	int k;
	uint64_t eff = caps[CAPSET_EFFECTIVE], perm = caps[CAPSET_PERMITTED],
		 inh = caps[CAPSET_INHERITABLE], amb = caps[CAPSET_AMBIENT];

	for (k = 0; k < 2; k++) {
		d[k].effective = (uint32_t)(eff >> (32 * k));
		d[k].permitted = (uint32_t)(perm >> (32 * k));
		d[k].inheritable = (uint32_t)(inh >> (32 * k));
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return err_sys(e, "capset");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (k = 0; k < 64; k++)   /* failures are tolerated, as runc warns and goes on */
		if (amb >> k & 1)
			prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, k, 0, 0);
	return 0;
}

