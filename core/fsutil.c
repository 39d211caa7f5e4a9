/* fsutil: securejoin, rootfs-confined mkdir/create, rm -rf without following links or
 * crossing mounts, mountpoint test, small-file read/write (see fsutil.h). */
#include "fsutil.h"
#include "sys/inroot.h"
#include "fmt.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* statx(2) by hand: musl 1.2.3 has no wrapper and glibc's names would clash. */
struct fs_statx_ts {
	int64_t sec;
	uint32_t nsec;
	int32_t pad;
};
struct fs_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad0;
	uint64_t ino, size, blocks, attributes_mask;
	struct fs_statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t mnt_id;
	uint64_t spare[13];
};
#define FS_STATX_TYPE 0x1u
#define FS_STATX_MNT_ID 0x1000u
#define FS_STATX_ATTR_MOUNT_ROOT 0x2000u
#ifndef SYS_statx
#define SYS_statx 332
#endif

static int fs_statx(int dirfd, const char *name, int flags, unsigned mask, struct fs_statx *st)
{
	memset(st, 0, sizeof *st);
	return (int)syscall(SYS_statx, dirfd, name, flags, mask, st);
}

/* Mount-root test of dirfd/name (no final symlink followed): 1, 0, or -1 with errno. */
static int mount_root_at(int dirfd, const char *name)
{
	struct fs_statx sx, px;
	struct stat st, pst;
	char *parent;
	int r;

	if (fs_statx(dirfd, name, AT_SYMLINK_NOFOLLOW, FS_STATX_TYPE | FS_STATX_MNT_ID, &sx) == 0) {
		if (sx.attributes_mask & FS_STATX_ATTR_MOUNT_ROOT)
			return !!(sx.attributes & FS_STATX_ATTR_MOUNT_ROOT);
	} else if (errno != ENOSYS) {
		return -1;
	}
	parent = fmt_alloc("%s/..", name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fstatat(dirfd, parent, &pst, 0) < 0) {
		free(parent);
		return -1;
	}
	r = st.st_dev != pst.st_dev || st.st_ino == pst.st_ino;
	if (!r && (sx.mask & FS_STATX_MNT_ID) &&
	    fs_statx(dirfd, parent, 0, FS_STATX_MNT_ID, &px) == 0 && (px.mask & FS_STATX_MNT_ID))
		r = sx.mnt_id != px.mnt_id;
	free(parent);
	return r;
}

int fs_is_mountpoint(const char *path, struct err *e)
{
	int r = mount_root_at(AT_FDCWD, path);
	if (r < 0)
		return err_sys(e, "stat %s", path);
	return r;
}

char *fs_clean(const char *path)
{
	size_t n = strlen(path), w = 0, i = 0, dotdot;
	int rooted = path[0] == '/';
	char *out = xmalloc(n + 2);

	if (rooted)
		out[w++] = '/';
	dotdot = w;   /* ".." never backtracks over this prefix */
	while (i < n) {
		size_t s;
		if (path[i] == '/') {
			i++;
			continue;
		}
		for (s = i; i < n && path[i] != '/'; i++)
			;
		if (i - s == 1 && path[s] == '.')
			continue;
		if (i - s == 2 && path[s] == '.' && path[s + 1] == '.') {
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
			continue;
		}
		if ((rooted && w != 1) || (!rooted && w != 0))
			out[w++] = '/';
		memcpy(out + w, path + s, i - s);
		w += i - s;
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = 0;
	return out;
}

char *fs_join(const char *a, const char *b)
{
	char *t, *r;
	if (!*a && !*b)
		return xstrdup("");
	if (!*a)
		return fs_clean(b);
	if (!*b)
		return fs_clean(a);
	t = fmt_alloc("%s/%s", a, b);
	r = fs_clean(t);
	free(t);
	return r;
}

/* Drops the last component of the in-root path in b ("" is the root). */
static void pop_component(struct buf *b)
{
	while (b->len > 0 && b->p[b->len - 1] != '/')
		b->len--;
	if (b->len > 0)
		b->len--;
	if (b->p)
		b->p[b->len] = 0;
}

int fs_securejoin(const char *rootfs, const char *unsafe_path, char **host, char **inner,
		  struct err *e)
{
	struct buf cur = BUF_INIT;     /* resolved in-root path: "" or "/a/b" */
	char *rest = xstrdup(unsafe_path), *p = rest;
	int links = 0, rc = -1;

	while (*p) {
		char *c, *full, *target, *nrest;
		size_t clen, tcap = 256;
		struct stat st;
		ssize_t tn;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		while (*p && *p != '/')
			p++;
		clen = (size_t)(p - c);
		if (clen == 1 && c[0] == '.')
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			pop_component(&cur);
			continue;
		}
		full = fmt_alloc("%s%s/%.*s", rootfs, cur.p ? cur.p : "", (int)clen, c);
		if (lstat(full, &st) < 0) {
			if (errno != ENOENT && errno != ENOTDIR) {
				err_sys(e, "securejoin: lstat %s", full);
				free(full);
				goto out;
			}
			st.st_mode = S_IFREG;   /* missing: joined lexically */
		}
		if (!S_ISLNK(st.st_mode)) {
			buf_addc(&cur, '/');
			buf_add(&cur, c, clen);
			free(full);
			continue;
		}
		if (++links > FS_MAXSYMLINKS) {
			err_set(e, ELOOP, "securejoin %s in %s: too many levels of symbolic links",
				unsafe_path, rootfs);
			free(full);
			goto out;
		}
		for (;;) {
			target = xmalloc(tcap);
			tn = readlink(full, target, tcap);
			if (tn < 0) {
				err_sys(e, "securejoin: readlink %s", full);
				free(target);
				free(full);
				goto out;
			}
			if ((size_t)tn < tcap)
				break;
			free(target);
			tcap *= 2;
		}
		target[tn] = 0;
		free(full);
		if (target[0] == '/')
			buf_reset(&cur);
		nrest = fmt_alloc("%s/%s", target, p);
		free(target);
		free(rest);
		rest = p = nrest;
	}
	if (host) {
		char *t = fmt_alloc("%s/%s", rootfs, cur.p ? cur.p : "");
		*host = fs_clean(t);
		free(t);
	}
	if (inner)
		*inner = xstrdup(cur.len ? cur.p : "/");
	rc = 0;
out:
	free(rest);
	buf_free(&cur);
	return rc;
}

int fs_mkdir_p(const char *path, mode_t mode, struct err *e)
{
	char *p = xstrdup(path), *s;
	struct stat st;
	int rc = 0;

	for (s = p + 1;; s++) {
		char save = *s;
		if (*s && *s != '/')
			continue;
		*s = 0;
		if (mkdir(p, mode) < 0) {
			if (errno != EEXIST) {
				rc = err_sys(e, "mkdir %s", p);
				break;
			}
			if (stat(p, &st) < 0) {
				rc = err_sys(e, "stat %s", p);
				break;
			}
			if (!S_ISDIR(st.st_mode)) {
				rc = err_set(e, ENOTDIR, "mkdir %s: not a directory", p);
				break;
			}
		}
		*s = save;
		if (!save)
			break;
		while (s[1] == '/')
			s++;
		if (!s[1])
			break;
	}
	free(p);
	return rc;
}

/* Both _in_root helpers are sys/inroot.c's walker started from an fd of rootfs; the host
 * path they hand back is for messages and for CRIU's path-based options only: nothing may
 * be mounted onto it (mount onto the fd instead, as core/mount.c does). */
static int in_root(const char *rootfs, const char *dest, mode_t mode, int file, char **host,
		   struct err *e)
{
	int rfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (rfd < 0)
		return err_sys(e, "open %s", rootfs);
	fd = file ? inroot_create_file(rfd, dest, mode, e) : inroot_mkdir_p(rfd, dest, mode, e);
	close(rfd);
	if (fd < 0 && file && e->no == EISDIR && strcmp(dest, "/") && *dest)
		return 0;   /* an existing directory is a fine mountpoint */
	if (fd < 0)
		return -1;
	if (host && !(*host = inroot_fd_path(fd, e))) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int fs_mkdir_p_in_root(const char *rootfs, const char *dest, mode_t mode, char **host,
		       struct err *e)
{
	return in_root(rootfs, dest, mode, 0, host, e);
}

int fs_create_file_in_root(const char *rootfs, const char *dest, mode_t mode, char **host,
			   struct err *e)
{
	return in_root(rootfs, dest, mode, 1, host, e);
}

/* rm -rf helper: shown is the path used in messages. */
static int rm_rf(int at, const char *name, const char *shown, int depth, struct err *e)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fd, r;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, "stat %s", shown);
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(at, name, 0) < 0 && errno != ENOENT)
			return err_sys(e, "remove %s", shown);
		return 0;
	}
	if (depth > 256)
		return err_set(e, ELOOP, "remove %s: directory tree too deep", shown);
	r = mount_root_at(at, name);
	if (r < 0)
		return err_sys(e, "stat %s", shown);
	if (r)
		return err_set(e, EBUSY, "remove %s: is a mount point, not descending into it",
			       shown);
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, "open %s", shown);
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_sys(e, "opendir %s", shown);
	}
	for (;;) {
		char *sub;
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				err_sys(e, "readdir %s", shown);
				closedir(d);
				return -1;
			}
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = fmt_alloc("%s/%s", shown, de->d_name);
		r = rm_rf(dirfd(d), de->d_name, sub, depth + 1, e);
		free(sub);
		if (r < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	if (unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return err_sys(e, "remove %s", shown);
	return 0;
}

int fs_rm_rf_at(int dirfd, const char *name, struct err *e)
{
	return rm_rf(dirfd, name, name, 0, e);
}

int fs_read_file(const char *path, size_t max, struct buf *b, struct err *e)
{
	char chunk[4096];
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_sys(e, "open %s", path);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_sys(e, "read %s", path);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			close(fd);
			return err_set(e, EFBIG, "read %s: file larger than %zu bytes", path, max);
		}
		buf_add(b, chunk, (size_t)n);
	}
	close(fd);
	if (!b->p)
		buf_add(b, "", 0);
	return 0;
}

char *fs_read_str(const char *path, size_t max, struct err *e)
{
	struct buf b = BUF_INIT;
	if (fs_read_file(path, max, &b, e) < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

int fs_write_str(const char *path, const char *s, struct err *e)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return err_sys(e, "open %s", path);
	do
		n = write(fd, s, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err_sys(e, "write %s", path);
		close(fd);
		return -1;
	}
	if ((size_t)n != len) {
		close(fd);
		return err_set(e, EIO, "write %s: short write", path);
	}
	if (close(fd) < 0 && errno != EINTR)
		return err_sys(e, "write %s", path);
	return 0;
}
