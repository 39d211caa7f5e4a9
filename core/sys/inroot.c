/* inroot: path resolution below a root fd (see inroot.h; rules in docs/rootfs.md). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "sys/inroot.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"

int inroot_force_walker;

struct inroot_how {                 /* struct open_how (linux/openat2.h) */
	unsigned long long flags, mode, resolve;
};
#define IR_RESOLVE_NO_MAGICLINKS 0x02
#define IR_RESOLVE_IN_ROOT       0x10

enum { CR_NONE, CR_DIR, CR_FILE };

char *inroot_fd_path(int fd, struct err *e)
{
	char link[64], buf[PATH_MAX];
	ssize_t n;

	fmt_sn(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof buf - 1);
	if (n < 0) {
		err_sys(e, "readlink %s", link);
		return NULL;
	}
	buf[n] = 0;
	return xstrdup(buf);
}

/* The fd must refer to the root or something below it (a walker result raced by a rename
 * that moved a directory out of the root would not). Skipped when /proc is not there. */
static int check_under(int rootfd, int fd, const char *path, struct err *e)
{
	struct err e2;
	char *r = inroot_fd_path(rootfd, &e2), *p = r ? inroot_fd_path(fd, &e2) : NULL;
	int ok = 1;

	if (r && p) {
		size_t n = strlen(r);
		if (n == 1)
			n = 0;
		ok = !strncmp(p, r, n) && (p[n] == 0 || p[n] == '/');
	}
	free(r);
	free(p);
	if (!ok)
		return err_set(e, EXDEV, "%s: resolved outside the root (raced)", path);
	return 0;
}

/* The directory stack of the walk: fds[0] is the root (not owned), fds[1..] are owned. */
struct stack {
	int *fds;
	size_t n, cap;
};

static void push(struct stack *s, int fd)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->fds = xrealloc(s->fds, s->cap * sizeof *s->fds);
	}
	s->fds[s->n++] = fd;
}

static void pop_to(struct stack *s, size_t n)
{
	while (s->n > n)
		close(s->fds[--s->n]);
}

/* Next component of *p (skipping slashes) into name; 0 at the end. */
static int next_comp(const char **p, char *name, size_t cap)
{
	const char *s = *p, *t;
	while (*s == '/')
		s++;
	if (!*s) {
		*p = s;
		return 0;
	}
	t = s;
	while (*t && *t != '/')
		t++;
	if ((size_t)(t - s) >= cap)
		return -1;
	memcpy(name, s, t - s);
	name[t - s] = 0;
	*p = t;
	return 1;
}

static int rest_empty(const char *p)
{
	while (*p == '/')
		p++;
	return !*p;
}

/* The walker. create: CR_NONE (everything must exist), CR_DIR (missing components become
 * directories), CR_FILE (missing intermediates become directories, a missing last one an
 * empty file). nofollow: a final symlink is not followed (its O_PATH is returned). Returns
 * an O_PATH fd of the result. */
static int walk(int rootfd, const char *path, int create, mode_t mode, int nofollow,
		struct err *e)
{
	struct stack st = { 0 };
	struct buf rem = BUF_INIT;   /* what is left to resolve */
	char name[NAME_MAX + 1];
	const char *p;
	int links = 0, fd = -1, r;
	size_t off = 0;

	push(&st, rootfd);
	buf_adds(&rem, path);
	for (;;) {
		struct stat sb;
		int last;

		p = rem.p + off;
		r = next_comp(&p, name, sizeof name);
		if (r < 0) {
			err_set(e, ENAMETOOLONG, "%s: component too long", path);
			goto fail;
		}
		if (r == 0)
			break;
		off = p - rem.p;
		last = rest_empty(p);
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			if (st.n > 1)
				pop_to(&st, st.n - 1);
			continue;
		}
		fd = openat(st.fds[st.n - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create != CR_NONE) {
			if (last && create == CR_FILE) {
				int w = openat(st.fds[st.n - 1], name,
					       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
				if (w < 0 && errno != EEXIST) {
					err_sys(e, "create %s", path);
					goto fail;
				}
				if (w >= 0)
					close(w);
			} else if (mkdirat(st.fds[st.n - 1], name, mode) < 0 && errno != EEXIST) {
				err_sys(e, "mkdir %s (component %s)", path, name);
				goto fail;
			}
			fd = openat(st.fds[st.n - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0) {
			err_sys(e, "open %s (component %s)", path, name);
			goto fail;
		}
		if (fstat(fd, &sb) < 0) {
			err_sys(e, "stat %s (component %s)", path, name);
			goto fail;
		}
		if (S_ISLNK(sb.st_mode) && !(last && nofollow)) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
			struct buf nr = BUF_INIT;
			close(fd);
			fd = -1;
			if (n < 0) {
				err_sys(e, "readlink %s (component %s)", path, name);
				goto fail;
			}
			if (++links > INROOT_MAXSYMLINKS) {
				err_set(e, ELOOP, "%s: too many levels of symbolic links", path);
				goto fail;
			}
			target[n] = 0;
			if (target[0] == '/')
				pop_to(&st, 1);
			buf_adds(&nr, target);
			buf_addc(&nr, '/');
			buf_adds(&nr, p);
			buf_free(&rem);
			rem = nr;
			off = 0;
			continue;
		}
		if (last) {
			if (create == CR_DIR && !S_ISDIR(sb.st_mode)) {
				err_set(e, ENOTDIR, "mkdir %s: not a directory", path);
				goto fail;
			}
			if (create == CR_FILE && S_ISDIR(sb.st_mode)) {
				err_set(e, EISDIR, "create %s: is a directory", path);
				goto fail;
			}
			break;
		}
		if (!S_ISDIR(sb.st_mode)) {
			err_set(e, ENOTDIR, "open %s: component %s is not a directory", path, name);
			goto fail;
		}
		push(&st, fd);
		fd = -1;
	}
	if (fd < 0) {
		/* The path ended on a directory of the stack (or the root). */
		fd = openat(st.fds[st.n - 1], ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			err_sys(e, "open %s", path);
			goto fail;
		}
		if (create == CR_FILE) {
			err_set(e, EISDIR, "create %s: is a directory", path);
			goto fail;
		}
	}
	pop_to(&st, 1);
	free(st.fds);
	buf_free(&rem);
	if (check_under(rootfd, fd, path, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	pop_to(&st, 1);
	free(st.fds);
	buf_free(&rem);
	return -1;
}

static int openat2_in_root(int rootfd, const char *path, int flags)
{
	struct inroot_how how = { (unsigned long long)(flags | O_CLOEXEC), 0,
				  IR_RESOLVE_IN_ROOT | IR_RESOLVE_NO_MAGICLINKS };
	int i, fd = -1;

	/* EAGAIN: a rename raced the lookup; retry a few times (the kernel asks for it). */
	for (i = 0; i < 32; i++) {
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
		if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	return fd;
}

int inroot_open(int rootfd, const char *path, int flags, struct err *e)
{
	int fd, pfd;

	if (flags & O_CREAT)
		return err_set(e, EINVAL, "open %s: O_CREAT is not for inroot_open", path);
	if (!inroot_force_walker) {
		fd = openat2_in_root(rootfd, path, flags);
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS && errno != EPERM)
			return err_sys(e, "open %s", path);
	}
	pfd = walk(rootfd, path, CR_NONE, 0, !!(flags & O_NOFOLLOW), e);
	if (pfd < 0 || (flags & O_PATH))
		return pfd;
	/* Reopen the resolved object with the real flags through its O_PATH fd. */
	{
		char link[64];
		fmt_sn(link, sizeof link, "/proc/self/fd/%d", pfd);
		fd = open(link, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
		if (fd < 0)
			err_sys(e, "open %s", path);
		close(pfd);
		return fd;
	}
}

int inroot_mkdir_p(int rootfd, const char *path, mode_t mode, struct err *e)
{
	return walk(rootfd, path, CR_DIR, mode, 0, e);
}

int inroot_create_file(int rootfd, const char *path, mode_t mode, struct err *e)
{
	return walk(rootfd, path, CR_FILE, mode, 0, e);
}

int inroot_validate_root(const char *rootfs, struct err *e)
{
	char real[PATH_MAX];
	struct stat sb;
	char *clean;
	int ok;

	if (stat(rootfs, &sb) < 0)
		return err_sys(e, "invalid rootfs: stat %s", rootfs);
	if (!S_ISDIR(sb.st_mode))
		return err_set(e, ENOTDIR, "invalid rootfs: %s: not a directory", rootfs);
	if (!realpath(rootfs, real))
		return err_sys(e, "invalid rootfs: %s", rootfs);
	clean = fs_clean(rootfs);
	ok = rootfs[0] == '/' && !strcmp(clean, real);
	free(clean);
	if (!ok)
		return err_set(e, EINVAL, "invalid rootfs: %s: not an absolute path, or a symlink",
			       rootfs);
	return 0;
}
