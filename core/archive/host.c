/* host: uname, cgroup layout and CRIU's cpuinfo requests. */
#include "archive/host.h"
#include "buf.h"
#include "cgroup/cgroup.h"
#include "fmt.h"
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

const char *host_cgroup_layout(void)
{
	struct cgroup_layout l;
	struct err e;
	const char *s = "none";
	if (cgroup_layout(&l, &e) < 0)
		return s;
	s = l.mode == CGROUP_V1 ? "v1" : l.mode == CGROUP_V2 ? "v2" : "hybrid";
	cgroup_layout_free(&l);
	return s;
}

void host_facts(struct manifest *m, const struct swrk_version *v)
{
	struct utsname u;
	m->crbox = xstrdup(CRBOX_VERSION);
	if (v) {
		m->criu = fmt_alloc("%d.%d.%d", v->major, v->minor, v->sublevel);
		m->criu_num = v->num;
	}
	if (uname(&u) == 0) {
		m->kernel = xstrdup(u.release);
		m->arch = xstrdup(u.machine);
	}
	m->cgroup = xstrdup(host_cgroup_layout());
}

int host_cpuinfo(const char *criu, int imgfd, int workfd, int check, struct err *e)
{
	CriuOpts opts = CRIU_OPTS__INIT;
	CriuReq req = CRIU_REQ__INIT;
	struct swrk sw = SWRK_INIT;
	int rc;

	opts.images_dir_fd = imgfd;
	opts.has_work_dir_fd = 1;
	opts.work_dir_fd = workfd;
	opts.log_file = "cpuinfo.log";
	opts.has_log_level = 1;
	opts.log_level = 4;
	req.type = check ? CRIU_REQ_TYPE__CPUINFO_CHECK : CRIU_REQ_TYPE__CPUINFO_DUMP;
	req.opts = &opts;
	if (swrk_start(&sw, criu, NULL, NULL, 0, e) < 0)
		return -1;
	rc = swrk_call(&sw, &req, NULL, NULL, NULL, e);
	if (rc < 0) {
		swrk_abort(&sw, 0);
		if (check && strstr(e->msg, "criu failed"))
			return err_set(e, EXDEV, "CPU is not compatible with the checkpoint's (%s)",
				       e->msg);
		return err_wrap(e, "CPUINFO_%s", check ? "CHECK" : "DUMP");
	}
	return swrk_finish(&sw, 0, e);
}
