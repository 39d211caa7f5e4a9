/* extract: component-by-component creation beneath a directory fd. */
#include "archive/extract.h"
#include "archive/sha256.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* openat2(2) (Linux 5.6): defined here, musl's headers do not carry it. */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
struct crbox_open_how {
	uint64_t flags, mode, resolve;
};
#define C_RESOLVE_NO_MAGICLINKS 0x02
#define C_RESOLVE_NO_SYMLINKS 0x04
#define C_RESOLVE_BENEATH 0x08

static int have_openat2 = 1;

/* One component (no '/') of dirfd, never through a symlink. */
static int open_beneath(int dirfd, const char *name, int flags)
{
	if (have_openat2) {
		struct crbox_open_how how;
		long fd;
		memset(&how, 0, sizeof how);
		how.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW);
		how.resolve = C_RESOLVE_BENEATH | C_RESOLVE_NO_SYMLINKS | C_RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, dirfd, name, &how, sizeof how);
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return (int)fd;
		have_openat2 = 0;   /* old kernel or a seccomp filter: O_NOFOLLOW walk */
	}
	return openat(dirfd, name, flags | O_CLOEXEC | O_NOFOLLOW);
}

int beneath_dir(int dirfd, const char *rel, int create, struct err *e)
{
	char *copy = xstrdup(rel), *p = copy, *slash;
	int fd = dup(dirfd);

	if (fd < 0) {
		free(copy);
		return err_sys(e, "dup");
	}
	while (*p) {
		int nfd;
		slash = strchr(p, '/');
		if (slash)
			*slash = 0;
		if (strcmp(p, ".")) {
			nfd = open_beneath(fd, p, O_RDONLY | O_DIRECTORY);
			if (nfd < 0 && errno == ENOENT && create) {
				if (mkdirat(fd, p, 0700) < 0 && errno != EEXIST)
					goto fail;
				nfd = open_beneath(fd, p, O_RDONLY | O_DIRECTORY);
			}
			if (nfd < 0)
				goto fail;
			close(fd);
			fd = nfd;
		}
		if (!slash)
			break;
		p = slash + 1;
	}
	free(copy);
	return fd;
fail:
	{
		struct stat sb;
		int no = errno;
		if (fstatat(fd, p, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode))
			err_set(e, ELOOP, "%s: a symlink where a directory is expected", rel);
		else {
			errno = no;
			err_sys(e, "%s", rel);
		}
	}
	close(fd);
	free(copy);
	return -1;
}

/* Splits name into its parent's fd (created) and the base name pointer. */
static int parent_of(int dirfd, const char *name, const char **base, struct err *e)
{
	const char *slash = strrchr(name, '/');
	char *dir;
	int fd;

	if (!slash) {
		*base = name;
		fd = dup(dirfd);
		return fd < 0 ? err_sys(e, "dup") : fd;
	}
	*base = slash + 1;
	dir = xstrndup(name, (size_t)(slash - name));
	fd = beneath_dir(dirfd, dir, 1, e);
	free(dir);
	return fd;
}

static int file(int pfd, const char *base, struct tarr *r, const struct tar_ent *ent,
		char *hex, struct err *e)
{
	char chunk[65536];
	struct sha256 s;
	ssize_t n;
	int fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			(ent->mode & 0777) | 0600);

	if (fd < 0)
		return err_sys(e, "create %s", ent->name);
	sha256_init(&s);
	while ((n = tarr_read(r, chunk, sizeof chunk, e)) > 0) {
		sha256_update(&s, chunk, (size_t)n);
		if (write_all(fd, chunk, (size_t)n) < 0) {
			err_sys(e, "write %s", ent->name);
			close(fd);
			return -1;
		}
	}
	if (n < 0) {
		close(fd);
		return err_wrap(e, "%s", ent->name);
	}
	if (fchmod(fd, ent->mode & 07777) < 0 || close(fd) < 0)
		return err_sys(e, "%s", ent->name);
	if (hex)
		sha256_final_hex(&s, hex);
	return 0;
}

int extract_entry(int dirfd, struct tarr *r, const struct tar_ent *ent, int flags, char *hex,
		  struct err *e)
{
	const char *base;
	int pfd, rc = 0;

	if (!strcmp(ent->name, "."))
		return 0;
	if (ent->type == TAR_OTHER)
		return err_set(e, EINVAL, "entry %s: type '%c' (device, fifo ...) not accepted",
			       ent->name, ent->typeflag ? ent->typeflag : '0');
	if ((ent->type == TAR_SYMLINK || ent->type == TAR_HARDLINK) && !(flags & EXTRACT_LINKS))
		return err_set(e, EINVAL, "entry %s: links are not accepted in this archive",
			       ent->name);
	pfd = parent_of(dirfd, ent->name, &base, e);
	if (pfd < 0)
		return err_wrap(e, "entry %s", ent->name);
	if (flags & EXTRACT_REPLACE) {
		struct stat sb;
		if (fstatat(pfd, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !(S_ISDIR(sb.st_mode) && ent->type == TAR_DIR) &&
		    unlinkat(pfd, base, S_ISDIR(sb.st_mode) ? AT_REMOVEDIR : 0) < 0) {
			close(pfd);
			return err_sys(e, "replace %s", ent->name);
		}
	}
	switch (ent->type) {
	case TAR_DIR:
		if (mkdirat(pfd, base, (ent->mode & 07777) | 0700) < 0) {
			struct stat sb;
			if (errno != EEXIST || fstatat(pfd, base, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISDIR(sb.st_mode))
				rc = err_sys(e, "mkdir %s", ent->name);
		}
		break;
	case TAR_FILE:
		rc = file(pfd, base, r, ent, hex, e);
		break;
	case TAR_SYMLINK:
		/* The link is created, never followed: later entries cannot go through it. */
		if (symlinkat(ent->link, pfd, base) < 0)
			rc = err_sys(e, "symlink %s", ent->name);
		break;
	case TAR_HARDLINK: {
		const char *tbase;
		int tfd = parent_of(dirfd, ent->link, &tbase, e);
		struct stat sb;
		if (tfd < 0) {
			rc = err_wrap(e, "hard link %s", ent->name);
			break;
		}
		if (fstatat(tfd, tbase, &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(sb.st_mode))
			rc = err_set(e, EINVAL, "hard link %s: target %s is not a regular file "
					     "extracted before it", ent->name, ent->link);
		else if (linkat(tfd, tbase, pfd, base, 0) < 0)
			rc = err_sys(e, "link %s", ent->name);
		close(tfd);
		break;
	}
	}
	close(pfd);
	return rc;
}
