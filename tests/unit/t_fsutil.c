/* fsutil: clean/join, securejoin (absolute, relative, looping, escaping and chained links),
 * mkdir_p_in_root and create_file_in_root staying inside the root, rm_rf not following
 * links nor crossing mounts, mountpoint test, small-file read/write. Real files in a
 * temporary directory; the mount case needs root. */
#include "t.h"
#include "fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];

static char *P(const char *rel)
{
	static char b[8][512];
	static int i;
	i = (i + 1) % 8;
	snprintf(b[i], sizeof b[i], "%s/%s", tmp, rel);
	return b[i];
}

static int exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

static void clean_case(const char *in, const char *want)
{
	char *got = fs_clean(in), name[128];
	snprintf(name, sizeof name, "clean \"%s\" -> \"%s\"", in, want);
	T_STREQ(got, want, name);
	free(got);
}

/* securejoin of `unsafe` inside the rootfs must give in-root path `want`. */
static void sj_case(const char *root, const char *unsafe, const char *want)
{
	char *host = NULL, *inner = NULL, name[256], exp[600];
	struct err e;
	int r = fs_securejoin(root, unsafe, &host, &inner, &e);

	snprintf(name, sizeof name, "securejoin \"%s\" -> \"%s\"", unsafe, want);
	if (!T_OK(r == 0, name)) {
		printf("#   err: %s\n", e.msg);
		return;
	}
	T_STREQ(inner, want, name);
	snprintf(exp, sizeof exp, "%s%s", root, strcmp(want, "/") ? want : "");
	T_STREQ(host, exp, "  host path is the root plus the in-root path");
	free(host);
	free(inner);
}

int main(void)
{
	struct err e;
	char *root, *outside, *host = NULL, *s;
	struct stat st;
	struct buf b = BUF_INIT;
	int r, fd;

	umask(022);
	clean_case("", ".");
	clean_case("/", "/");
	clean_case("a//b/./../c", "a/c");
	clean_case("../a", "../a");
	clean_case("/../a", "/a");
	clean_case("a/..", ".");
	clean_case("a/../..", "..");
	clean_case("/a/b/", "/a/b");
	clean_case("./x/../../y/", "../y");
	s = fs_join("/sys/fs/cgroup/cpu", "/a/../b");
	T_STREQ(s, "/sys/fs/cgroup/cpu/b", "join cleans an absolute second part");
	free(s);
	s = fs_join("", "");
	T_STREQ(s, "", "join of two empty strings is empty");
	free(s);

	snprintf(tmp, sizeof tmp, "/tmp/t_fsutil.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	root = strdup(P("rootfs"));
	outside = strdup(P("outside"));
	mkdir(root, 0755);
	mkdir(outside, 0755);
	mkdir(P("rootfs/real"), 0755);
	mkdir(P("rootfs/real/conf"), 0755);
	mkdir(P("rootfs/etc"), 0755);
	symlink("/real/conf", P("rootfs/conf"));          /* absolute: re-rooted */
	symlink("real/conf", P("rootfs/rel"));            /* relative */
	symlink("../../../../../etc", P("rootfs/up"));    /* climbs: stops at the root */
	symlink("/etc", P("rootfs/abs_etc"));
	symlink("loop2", P("rootfs/loop1"));
	symlink("loop1", P("rootfs/loop2"));
	symlink("c2", P("rootfs/c1"));                    /* chain: c1 -> c2 -> /c3 -> real */
	symlink("/c3", P("rootfs/c2"));
	symlink("real", P("rootfs/c3"));
	symlink("../..", P("rootfs/real/back"));
	symlink("/missing/dir", P("rootfs/dangling"));
	symlink(outside, P("rootfs/evil"));               /* host path, absolute */
	symlink("self", P("rootfs/self"));

	sj_case(root, "/", "/");
	sj_case(root, "", "/");
	sj_case(root, "/conf", "/real/conf");
	sj_case(root, "conf/x/y", "/real/conf/x/y");
	sj_case(root, "/rel", "/real/conf");
	sj_case(root, "/up/passwd", "/etc/passwd");
	sj_case(root, "../../../etc/./shadow", "/etc/shadow");
	sj_case(root, "/abs_etc", "/etc");
	sj_case(root, "/c1/conf", "/real/conf");
	sj_case(root, "/real/back/x", "/x");
	sj_case(root, "/dangling/sub", "/missing/dir/sub");
	sj_case(root, "/nope/../conf", "/real/conf");
	r = fs_securejoin(root, "/loop1/x", &host, NULL, &e);
	T_OK(r == -1 && e.no == ELOOP, "a symlink loop fails with ELOOP");
	r = fs_securejoin(root, "/self", &host, NULL, &e);
	T_OK(r == -1 && e.no == ELOOP, "a self-referencing symlink fails with ELOOP");
	T_OK(strstr(e.msg, "/self") != NULL, "  the message names the path");

	/* mkdir_p_in_root: an absolute host-path link is re-rooted, never followed out. */
	r = fs_mkdir_p_in_root(root, "/evil/sub/deeper", 0755, &host, &e);
	T_OK(r == 0, "mkdir_p_in_root through a link to a host dir succeeds");
	T_OK(!exists(P("outside/sub")), "  nothing was created outside the root");
	{
		char want[600];
		snprintf(want, sizeof want, "%s%s/sub/deeper", root, outside);
		T_STREQ(host, want, "  the dir was made at the re-rooted target");
		T_OK(stat(want, &st) == 0 && S_ISDIR(st.st_mode), "  and it is a directory");
	}
	free(host);
	host = NULL;
	r = fs_mkdir_p_in_root(root, "../../../../escape", 0755, &host, &e);
	T_OK(r == 0 && exists(P("rootfs/escape")) && !exists(P("escape")),
	     "mkdir_p_in_root of ../../escape stays in the root");
	free(host);
	host = NULL;
	fd = open(P("rootfs/afile"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	r = fs_mkdir_p_in_root(root, "/afile/sub", 0755, NULL, &e);
	T_OK(r == -1 && (e.no == ENOTDIR || e.no == EEXIST), "mkdir_p_in_root below a file fails");
	T_OK(strstr(e.msg, "afile") != NULL, "  the message names the path");
	r = fs_mkdir_p_in_root(root, "/conf/new", 0700, NULL, &e);
	T_OK(r == 0 && stat(P("rootfs/real/conf/new"), &st) == 0 && (st.st_mode & 0777) == 0700,
	     "mkdir_p_in_root follows an in-root link and applies the mode");

	/* create_file_in_root */
	r = fs_create_file_in_root(root, "/evil/f/file.conf", 0644, &host, &e);
	T_OK(r == 0, "create_file_in_root succeeds");
	T_OK(!exists(P("outside/f")), "  nothing was created outside the root");
	T_OK(host && stat(host, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0,
	     "  it made an empty regular file");
	T_INTEQ(st.st_mode & 0777, 0644, "  with mode 0644");
	free(host);
	host = NULL;
	r = fs_create_file_in_root(root, "/evil/f/file.conf", 0644, NULL, &e);
	T_OK(r == 0, "create_file_in_root on an existing file is fine");
	r = fs_create_file_in_root(root, "/real", 0644, NULL, &e);
	T_OK(r == 0, "create_file_in_root on an existing directory is fine (a mountpoint)");
	r = fs_create_file_in_root(root, "/", 0644, NULL, &e);
	T_OK(r == -1, "create_file_in_root of the root fails");

	/* rm_rf: links are removed, never followed. */
	mkdir(P("victim"), 0755);
	mkdir(P("victim/sub"), 0755);
	mkdir(P("victim/sub/subsub"), 0700);
	fd = open(P("victim/sub/subsub/f"), O_CREAT | O_WRONLY, 0600);
	close(fd);
	fd = open(P("outside/keep"), O_CREAT | O_WRONLY, 0600);
	close(fd);
	symlink(outside, P("victim/dirlink"));
	symlink(P("outside/keep"), P("victim/sub/filelink"));
	r = fs_rm_rf_at(AT_FDCWD, P("victim"), &e);
	T_OK(r == 0, "rm_rf of a tree succeeds");
	T_OK(!exists(P("victim")), "  the tree is gone");
	T_OK(exists(P("outside/keep")) && exists(outside), "  link targets are untouched");
	T_OK(fs_rm_rf_at(AT_FDCWD, P("victim"), &e) == 0, "rm_rf of a missing name is success");
	{
		int dfd = open(tmp, O_RDONLY | O_DIRECTORY);
		fd = open(P("single"), O_CREAT | O_WRONLY, 0600);
		close(fd);
		T_OK(fs_rm_rf_at(dfd, "single", &e) == 0 && !exists(P("single")),
		     "rm_rf relative to a dir fd removes a file");
		close(dfd);
	}

	/* mountpoints */
	T_INTEQ(fs_is_mountpoint("/", &e), 1, "/ is a mount point");
	T_INTEQ(fs_is_mountpoint("/proc", &e), 1, "/proc is a mount point");
	T_INTEQ(fs_is_mountpoint(P("rootfs/real"), &e), 0, "a plain dir is not a mount point");
	T_INTEQ(fs_is_mountpoint(P("nonexistent"), &e), -1, "a missing path is an error");
	if (geteuid() == 0) {
		mkdir(P("mnt"), 0755);
		mkdir(P("mnt/m"), 0755);
		r = mount("tmpfs", P("mnt/m"), "tmpfs", 0, "size=64k");
		if (T_OK(r == 0, "mount a tmpfs for the mount tests")) {
			fd = open(P("mnt/m/inside"), O_CREAT | O_WRONLY, 0600);
			close(fd);
			T_INTEQ(fs_is_mountpoint(P("mnt/m"), &e), 1, "a tmpfs mount is a mount point");
			r = fs_rm_rf_at(AT_FDCWD, P("mnt"), &e);
			T_OK(r == -1 && e.no == EBUSY, "rm_rf refuses to descend into a mount");
			T_OK(exists(P("mnt/m/inside")), "  the mount's contents are untouched");
			umount2(P("mnt/m"), MNT_DETACH);
		}
		/* A bind mount on the same file system (same st_dev) is detected too. */
		mkdir(P("bindsrc"), 0755);
		mkdir(P("mnt2"), 0755);
		mkdir(P("mnt2/b"), 0755);
		fd = open(P("bindsrc/precious"), O_CREAT | O_WRONLY, 0600);
		close(fd);
		if (T_OK(mount(P("bindsrc"), P("mnt2/b"), NULL, MS_BIND, NULL) == 0, "bind mount")) {
			T_INTEQ(fs_is_mountpoint(P("mnt2/b"), &e), 1, "a same-fs bind is a mount point");
			r = fs_rm_rf_at(AT_FDCWD, P("mnt2"), &e);
			T_OK(r == -1 && e.no == EBUSY, "rm_rf refuses a same-fs bind mount");
			umount2(P("mnt2/b"), MNT_DETACH);
		}
		T_OK(exists(P("bindsrc/precious")), "  the bind source is untouched");
	} else {
		printf("ok %d - # SKIP mount tests need root\n", ++t_n);
	}

	/* small files */
	fd = open(P("knob"), O_CREAT | O_WRONLY, 0600);
	close(fd);
	T_OK(fs_write_str(P("knob"), "12345\n", &e) == 0, "write_str to an existing file");
	T_OK(fs_read_file(P("knob"), 100, &b, &e) == 0 && !strcmp(b.p, "12345\n"),
	     "read_file reads it back");
	buf_free(&b);
	T_OK(fs_read_file(P("knob"), 3, &b, &e) == -1 && e.no == EFBIG, "read_file enforces max");
	buf_free(&b);
	s = fs_read_str("/proc/self/stat", 8192, &e);
	T_OK(s && strlen(s) > 20, "read_str reads a /proc file (st_size 0)");
	free(s);
	T_OK(fs_read_str(P("missing"), 10, &e) == NULL && e.no == ENOENT &&
	     strstr(e.msg, "missing") != NULL, "a missing file fails naming the path");
	T_OK(fs_write_str(P("missing"), "1", &e) == -1 && e.no == ENOENT &&
	     strstr(e.msg, "missing") != NULL && !exists(P("missing")),
	     "write_str does not create files and names the path");
	fd = open(P("empty"), O_CREAT | O_WRONLY, 0600);
	close(fd);
	s = fs_read_str(P("empty"), 10, &e);
	T_OK(s && !*s, "read_str of an empty file is \"\"");
	free(s);

	/* fs_mkdir_p */
	T_OK(fs_mkdir_p(P("p/q//r/"), 0755, &e) == 0 && exists(P("p/q/r")), "mkdir_p makes parents");
	T_OK(fs_mkdir_p(P("p/q/r"), 0755, &e) == 0, "mkdir_p of an existing dir is fine");
	T_OK(fs_mkdir_p(P("knob/x"), 0755, &e) == -1 && e.no == ENOTDIR, "mkdir_p below a file fails");

	fs_rm_rf_at(AT_FDCWD, tmp, &e);
	T_OK(!exists(tmp), "cleanup removed the temporary tree");
	free(root);
	free(outside);
	return t_done();
}
