/* copyup: runc's "tmpcopyup" for tmpfs mounts: the directory's content is copied into the
 * new tmpfs before the tmpfs covers it. The tmpfs is made detached (fsopen/fsmount), filled
 * through its own fd from an fd of the covered directory, then moved onto it, so no path is
 * looked up and nothing half-filled is ever visible. Files, directories, symlinks, fifos and
 * device nodes are copied with their mode and owner; nothing is followed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "rootfs/internal.h"
#include "sys/mnt.h"

#define MAX_DEPTH 128

static int copy_file(int sfd, int dfd, const char *name, const struct stat *sb, struct err *e)
{
	char buf[16384];
	int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return err_sys(e, "tmpcopyup: open %s", name);
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     sb->st_mode & 07777);
	if (out < 0) {
		close(in);
		return err_sys(e, "tmpcopyup: create %s", name);
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	close(out);
	return n < 0 ? err_sys(e, "tmpcopyup: copy %s", name) : 0;
}

static int copy_dir(int sfd, int dfd, int depth, struct err *e)
{
	DIR *d;
	struct dirent *de;
	int rc = 0, dup_fd;

	if (depth > MAX_DEPTH)
		return err_set(e, ELOOP, "tmpcopyup: directories nested too deep");
	dup_fd = dup(sfd);
	if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		if (dup_fd >= 0)
			close(dup_fd);
		return err_sys(e, "tmpcopyup: read directory");
	}
	while (rc == 0 && (de = readdir(d))) {
		const char *n = de->d_name;
		struct stat sb;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (fstatat(sfd, n, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = err_sys(e, "tmpcopyup: stat %s", n);
			break;
		}
		if (S_ISDIR(sb.st_mode)) {
			int s2, d2;
			if (mkdirat(dfd, n, 0700) < 0) {
				rc = err_sys(e, "tmpcopyup: mkdir %s", n);
				break;
			}
			s2 = openat(sfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			d2 = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			rc = s2 < 0 || d2 < 0 ? err_sys(e, "tmpcopyup: open %s", n)
					      : copy_dir(s2, d2, depth + 1, e);
			if (s2 >= 0)
				close(s2);
			if (d2 >= 0)
				close(d2);
		} else if (S_ISREG(sb.st_mode)) {
			rc = copy_file(sfd, dfd, n, &sb, e);
		} else if (S_ISLNK(sb.st_mode)) {
			char t[4096];
			ssize_t l = readlinkat(sfd, n, t, sizeof t - 1);
			if (l < 0)
				rc = err_sys(e, "tmpcopyup: readlink %s", n);
			else {
				t[l] = 0;
				if (symlinkat(t, dfd, n) < 0)
					rc = err_sys(e, "tmpcopyup: symlink %s", n);
			}
		} else if (mknodat(dfd, n, sb.st_mode, sb.st_rdev) < 0) {
			rc = err_sys(e, "tmpcopyup: mknod %s", n);
		}
		if (rc == 0 && fchownat(dfd, n, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno != EINVAL)
			rc = err_sys(e, "tmpcopyup: chown %s", n);
		if (rc == 0 && !S_ISLNK(sb.st_mode) &&
		    fchmodat(dfd, n, sb.st_mode & 07777, 0) < 0)
			rc = err_sys(e, "tmpcopyup: chmod %s", n);
	}
	closedir(d);
	return rc;
}

int rootfs_tmpfs_copyup(struct rootfs_ctx *c, struct rmount *r, int target, struct err *e)
{
	char p[32];
	char *data = rootfs_label_data(c, r->o.data);
	int m, src, dst = -1, rc = -1;

	m = mnt_fs_detached(r->source, "tmpfs", r->flags, data, r->dest, e);
	free(data);
	if (m < 0)
		return -1;
	src = open(mnt_fdpath(p, target), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src < 0) {
		err_sys(e, "tmpcopyup: open %s", r->dest);
		goto out;
	}
	dst = openat(m, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dst < 0) {
		err_sys(e, "tmpcopyup: open the new tmpfs");
		goto out;
	}
	if (copy_dir(src, dst, 0, e) < 0)
		goto out;
	rc = mnt_move(m, target, r->dest, e);
out:
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	close(m);
	return rc;
}
