/* t_lsm.c: process/lsm against a fake /proc and /sys tree. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "t.h"
#include "process/lsm.h"

static char root[] = "/tmp/t_lsm.XXXXXX";

static void mk(const char *rel, const char *content)
{
	char p[512], cmd[600];
	snprintf(p, sizeof p, "%s%s", root, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", p);
	if (system(cmd) != 0)
		return;
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (content && write(fd, content, strlen(content)) < 0)
			perror("write");
		close(fd);
	}
}

static const char *slurp(const char *rel)
{
	static char b[512];
	char p[512];
	snprintf(p, sizeof p, "%s%s", root, rel);
	int fd = open(p, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof b - 1);
	if (fd >= 0)
		close(fd);
	b[n < 0 ? 0 : n] = 0;
	return b;
}

int main(void)
{
	struct lsm_info li;
	struct err e;
	char cmd[600];
	if (!mkdtemp(root))
		return 1;
	lsm_probe(root, &li);
	T_OK(!li.apparmor && !li.selinux && !li.active[0], "empty tree: no LSM");
	T_OK(lsm_apparmor_exec(root, "", &e) == 0 && lsm_selinux_exec(root, NULL, &e) == 0,
	     "empty labels do nothing");
	T_OK(lsm_apparmor_exec(root, "p1", &e) < 0 && strstr(e.msg, "apparmor profile") &&
	     strstr(e.msg, "no such attribute"), "no attr file: a clear error");

	mk("/sys/module/apparmor/parameters/enabled", "Y\n");
	mk("/sys/kernel/security/lsm", "lockdown,capability,landlock,yama,apparmor\n");
	mk("/proc/thread-self/attr/exec", "");
	lsm_probe(root, &li);
	T_OK(li.apparmor && !li.selinux, "apparmor enabled, no selinuxfs");
	T_STREQ(li.active, "lockdown,capability,landlock,yama,apparmor", "the active LSM list");
	T_OK(lsm_apparmor_exec(root, "crbox-default", &e) == 0, "apparmor: older attr/exec");
	T_STREQ(slurp("/proc/thread-self/attr/exec"), "exec crbox-default", "\"exec <profile>\" written");
	mk("/proc/thread-self/attr/apparmor/exec", "");
	T_OK(lsm_apparmor_exec(root, "p2", &e) == 0, "apparmor: attr/apparmor/exec preferred");
	T_STREQ(slurp("/proc/thread-self/attr/apparmor/exec"), "exec p2", "written to attr/apparmor/exec");

	mk("/sys/fs/selinux/enforce", "1");
	lsm_probe(root, &li);
	T_OK(li.selinux, "selinuxfs present");
	T_OK(lsm_selinux_exec(root, "system_u:system_r:container_t:s0:c1,c2", &e) == 0, "selinux label");
	T_STREQ(slurp("/proc/thread-self/attr/exec"), "system_u:system_r:container_t:s0:c1,c2", "label written");

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
