/* t_inroot: resolution below a root fd with hostile symlinks, "..", absolute links, loops;
 * once through openat2 and once through the O_PATH walker. No root needed. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "t.h"
#include "sys/inroot.h"
#include "fmt.h"
#include "fsutil.h"

static char top[256], root[300];

static void mk(void)
{
	char p[512];
	fmt_sn(top, sizeof top, "/tmp/t_inroot.%d", (int)getpid());
	fmt_sn(root, sizeof root, "%s/root", top);
	fmt_sn(p, sizeof p, "%s/root/a/b", top);
	fs_mkdir_p(p, 0755, &(struct err){ 0 });
	fmt_sn(p, sizeof p, "%s/outside", top);
	mkdir(p, 0755);
	fmt_sn(p, sizeof p, "%s/outside/secret", top);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	fmt_sn(p, sizeof p, "%s/root/a/b/file", top);
	close(open(p, O_CREAT | O_WRONLY, 0644));
#define LN(t, n) do { fmt_sn(p, sizeof p, "%s/root/%s", top, n); symlink(t, p); } while (0)
	LN("/a", "etc");
	LN("../../..", "up");
	LN("/../../etc", "esc");
	LN("loop2", "loop1");
	LN("loop1", "loop2");
	LN("a/../../../outside", "dotdot");
	LN("/made/here", "dang");
	LN(top, "abs_host");
}

static int same(int fd, const char *rel)
{
	struct stat a, b;
	char p[512];
	fmt_sn(p, sizeof p, "%s/%s", root, rel);
	return fd >= 0 && fstat(fd, &a) == 0 && lstat(p, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

static int exists(const char *rel)
{
	char p[512];
	struct stat b;
	fmt_sn(p, sizeof p, "%s/%s", top, rel);
	return lstat(p, &b) == 0;
}

static void run(int walker)
{
	struct err e;
	int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;
	const char *m = walker ? "walker" : "openat2";
	char name[128];

	inroot_force_walker = walker;
#define NAME(s) (fmt_sn(name, sizeof name, "%s: %s", m, s), name)
	fd = inroot_open(rfd, "a/b/file", O_RDONLY, &e);
	T_OK(same(fd, "a/b/file"), NAME("plain path"));
	close(fd);
	fd = inroot_open(rfd, "/etc/b/file", O_PATH, &e);
	T_OK(same(fd, "a/b/file"), NAME("absolute link restarts at the root"));
	close(fd);
	fd = inroot_open(rfd, "up/a", O_PATH, &e);
	T_OK(same(fd, "a"), NAME("../../.. stops at the root"));
	close(fd);
	fd = inroot_open(rfd, "up/outside/secret", O_RDONLY, &e);
	T_OK(fd < 0 && e.no == ENOENT, NAME("no escape through ..: ENOENT"));
	fd = inroot_open(rfd, "dotdot/secret", O_RDONLY, &e);
	T_OK(fd < 0 && e.no == ENOENT, NAME("no escape through a/../../..: ENOENT"));
	fd = inroot_open(rfd, "/../../../outside", O_PATH, &e);
	T_OK(fd < 0 && e.no == ENOENT, NAME("leading .. clamped"));
	fd = inroot_open(rfd, "abs_host/outside/secret", O_PATH, &e);
	T_OK(fd < 0 && e.no == ENOENT, NAME("absolute host path link resolves inside"));
	fd = inroot_open(rfd, "loop1", O_PATH, &e);
	T_OK(fd < 0 && e.no == ELOOP, NAME("symlink loop: ELOOP"));
	fd = inroot_open(rfd, "etc", O_PATH | O_NOFOLLOW, &e);
	T_OK(same(fd, "etc"), NAME("O_PATH|O_NOFOLLOW gives the link"));
	close(fd);
	fd = inroot_open(rfd, "/", O_PATH, &e);
	T_OK(same(fd, "."), NAME("/ is the root"));
	close(fd);

	fd = inroot_mkdir_p(rfd, walker ? "up/w/x" : "up/o/x", 0755, &e);
	T_OK(fd >= 0 && same(fd, walker ? "w/x" : "o/x"), NAME("mkdir_p through ../.. lands inside"));
	T_OK(!exists(walker ? "../w" : "../o") && !exists(walker ? "w" : "o"), NAME("nothing created outside"));
	close(fd);
	fd = inroot_mkdir_p(rfd, "esc/m", 0755, &e);
	T_OK(fd >= 0 && same(fd, "a/m"), NAME("mkdir_p through /../../etc -> /a"));
	close(fd);
	fd = inroot_mkdir_p(rfd, "a/b/file/x", 0755, &e);
	T_OK(fd < 0 && e.no == ENOTDIR, NAME("mkdir_p below a file: ENOTDIR"));
	fd = inroot_mkdir_p(rfd, "a/b/file", 0755, &e);
	T_OK(fd < 0 && e.no == ENOTDIR, NAME("mkdir_p onto a file: ENOTDIR"));
	fd = inroot_create_file(rfd, walker ? "dang" : "etc/f2", 0644, &e);
	T_OK(fd >= 0 && same(fd, walker ? "made/here" : "a/f2"),
	     NAME("create_file follows a dangling link inside"));
	close(fd);
	fd = inroot_create_file(rfd, "a/b", 0644, &e);
	T_OK(fd < 0 && e.no == EISDIR, NAME("create_file on a directory: EISDIR"));
	fd = inroot_create_file(rfd, "a/b/file", 0644, &e);
	T_OK(same(fd, "a/b/file"), NAME("create_file on an existing file"));
	close(fd);
	fd = inroot_create_file(rfd, "abs_host/outside/new", 0644, &e);
	{
		char *fp = fd >= 0 ? inroot_fd_path(fd, &e) : NULL;
		T_OK(fp && !exists("outside/new") && !strncmp(fp, root, strlen(root)) &&
		     fp[strlen(root)] == '/',
		     NAME("create_file through a host-absolute link stays inside"));
		free(fp);
	}
	close(fd);
	close(rfd);
}

static void validate(void)
{
	struct err e;
	char p[600];

	T_OK(inroot_validate_root(root, &e) == 0, "validate: a plain directory");
	fmt_sn(p, sizeof p, "%s/up", root);
	T_OK(inroot_validate_root(p, &e) < 0 && strstr(e.msg, "not an absolute path, or a symlink"),
	     "validate: a symlink is refused");
	fmt_sn(p, sizeof p, "%s/a/b/file", root);
	T_OK(inroot_validate_root(p, &e) < 0 && e.no == ENOTDIR, "validate: a file is refused");
	fmt_sn(p, sizeof p, "%s/nope", root);
	T_OK(inroot_validate_root(p, &e) < 0 && e.no == ENOENT &&
	     !strncmp(e.msg, "invalid rootfs: stat ", 21), "validate: a missing path is refused");
	fmt_sn(p, sizeof p, "%s/a/../a", root);
	T_OK(inroot_validate_root(p, &e) == 0, "validate: .. that cleans to the same path is fine");
	fmt_sn(p, sizeof p, "%s/up/../a", root);
	T_OK(inroot_validate_root(p, &e) < 0, "validate: .. after a symlink is refused");
}

int main(void)
{
	char cmd[600];
	mk();
	run(0);
	run(1);
	validate();
	fmt_sn(cmd, sizeof cmd, "rm -rf %s", top);
	T_OK(system(cmd) == 0, "cleanup");
	return t_done();
}
