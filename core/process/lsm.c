/* process/lsm.c: AppArmor/SELinux exec labels through /proc/thread-self/attr, and the host's
 * LSMs for `crbox check`. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "process/lsm.h"
#include "fmt.h"

static int read_small(const char *root, const char *path, char *buf, size_t cap)
{
	char p[4096];
	fmt_sn(p, sizeof p, "%s%s", root ? root : "", path);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

void lsm_probe(const char *root, struct lsm_info *out)
{
	char b[16], p[4096];
	memset(out, 0, sizeof *out);
	out->apparmor = read_small(root, "/sys/module/apparmor/parameters/enabled", b, sizeof b) == 0 &&
	                b[0] == 'Y';
	fmt_sn(p, sizeof p, "%s/sys/fs/selinux/enforce", root ? root : "");
	out->selinux = access(p, F_OK) == 0;
	if (read_small(root, "/sys/kernel/security/lsm", out->active, sizeof out->active) < 0)
		out->active[0] = 0;
}

/* Writes s to the first of the attr files that exists; the kernel takes it in one write. */
static int write_attr(const char *root, const char *const *files, const char *s, const char *what,
                      struct err *e)
{
	char p[4096];
	int fd = -1;
	for (int i = 0; files[i] && fd < 0; i++) {
		fmt_sn(p, sizeof p, "%s/proc/thread-self/attr/%s", root ? root : "", files[i]);
		fd = open(p, O_WRONLY | O_CLOEXEC);
		if (fd < 0 && errno != ENOENT)
			return err_sys(e, "%s: opening %s", what, p);
	}
	if (fd < 0)
		return err_set(e, ENOENT, "%s: %s: the kernel has no such attribute (is the LSM enabled?)", what, p);
	size_t len = strlen(s);
	ssize_t n = write(fd, s, len);
	int saved = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = n < 0 ? saved : EIO;
		return err_sys(e, "%s: writing %s", what, p);
	}
	return 0;
}

int lsm_apparmor_exec(const char *root, const char *profile, struct err *e)
{
	static const char *const files[] = { "apparmor/exec", "exec", NULL };
	char buf[4096];
	if (!profile || !*profile)
		return 0;
	fmt_sn(buf, sizeof buf, "exec %s", profile);
	return write_attr(root, files, buf, "apparmor profile", e);
}

int lsm_selinux_exec(const char *root, const char *label, struct err *e)
{
	static const char *const files[] = { "exec", NULL };
	if (!label || !*label)
		return 0;
	return write_attr(root, files, label, "selinux label", e);
}
