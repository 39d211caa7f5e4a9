/* mount: criu-root and mountpoint preparation for restore (see mount.h). Mirrors runc's
 * Restore (criu-root) and prepareCriuRestoreMounts (runc libcontainer/criu_linux.go). */
#include "mount.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int mount_criu_root(const char *dir, const char *rootfs, char **out, struct err *e)
{
	char *path = fmt_alloc("%s/criu-root", dir);
	char real[PATH_MAX];

	*out = NULL;
	if (mkdir(path, 0755) < 0) {
		err_sys(e, "mkdir %s", path);
		free(path);
		return -1;
	}
	if (!realpath(path, real)) {
		err_sys(e, "resolve %s", path);
		rmdir(path);
		free(path);
		return -1;
	}
	if (mount(rootfs, real, NULL, MS_BIND | MS_REC, NULL) < 0) {
		err_sys(e, "bind mount %s on %s", rootfs, real);
		rmdir(path);
		free(path);
		return -1;
	}
	free(path);
	*out = xstrdup(real);
	return 0;
}

int mount_criu_root_undo(const char *path, struct err *e)
{
	if (!path)
		return 0;
	/* Unmount until nothing is mounted there any more (a failed run may have stacked). */
	while (umount2(path, MNT_DETACH) == 0)
		;
	if (rmdir(path) < 0 && errno != ENOENT)
		return err_sys(e, "remove %s", path);
	return 0;
}

/* dest lies strictly below one of the tmpfs destinations of the config. */
static int under_tmpfs(const struct spec *s, const char *dest)
{
	size_t i;
	for (i = 0; i < s->nmounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		size_t n = strlen(m->destination);
		if (strcmp(m->type, "tmpfs"))
			continue;
		while (n > 1 && m->destination[n - 1] == '/')
			n--;
		if (!strncmp(dest, m->destination, n) && dest[n] == '/' && dest[n + 1])
			return 1;
	}
	return 0;
}

int mount_prepare_restore(const char *root, const struct spec *s, struct err *e)
{
	char **binds = xcalloc(s->nmounts + 1, sizeof *binds);
	size_t nb = 0, i;
	int rc = 0;

	for (i = 0; i < s->nmounts && rc == 0; i++) {
		const struct spec_mount *m = &s->mounts[i];
		struct stat st;
		char *host = NULL;
		int isdir = 1;

		if (!strcmp(m->type, "cgroup") || under_tmpfs(s, m->destination))
			continue;
		if (m->bind && stat(m->source, &st) == 0 && !S_ISDIR(st.st_mode))
			isdir = 0;
		if (m->bind && stat(m->source, &st) < 0) {
			rc = err_sys(e, "bind mount source %s (for %s)", m->source, m->destination);
			break;
		}
		rc = isdir ? fs_mkdir_p_in_root(root, m->destination, 0755, &host, e)
			   : fs_create_file_in_root(root, m->destination, 0644, &host, e);
		if (rc < 0) {
			err_wrap(e, "create mountpoint for %s", m->destination);
			break;
		}
		if (m->bind) {
			if (mount(m->source, host, NULL, MS_BIND | MS_REC, NULL) < 0) {
				rc = err_sys(e, "bind mount %s on %s", m->source, host);
				free(host);
				break;
			}
			binds[nb++] = host;
		} else {
			free(host);
		}
	}
	while (nb > 0) {
		nb--;
		umount2(binds[nb], MNT_DETACH);
		free(binds[nb]);
	}
	free(binds);
	return rc;
}
