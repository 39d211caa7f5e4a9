/* t_interop: crun interop: --ext-mount-keys parsing, mountpoints-*.img keys read from
 * hand-built images (ext_key and the older root-held key), the restore map for crun's
 * masked-path and .empty-directory keys, the saved-netns test, and CRIU error headlines
 * (the benign rlimit line skipped, "No mapping for N" named with its mount and key). */
#include "t.h"
#include "interop/crun.h"
#include "buf.h"
#include "fmt.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];

static void pb_str(struct buf *b, int field, const char *s)
{
	buf_addc(b, (char)(field << 3 | 2));
	buf_addc(b, (char)strlen(s));
	buf_adds(b, s);
}

static void pb_int(struct buf *b, int field, unsigned v)
{
	if (field >= 16) {
		buf_addc(b, (char)((field << 3 | 0) | 0x80));
		buf_addc(b, (char)(field >> 4));
	} else
		buf_addc(b, (char)(field << 3));
	while (v >= 0x80) {
		buf_addc(b, (char)(v | 0x80));
		v >>= 7;
	}
	buf_addc(b, (char)v);
}

/* mnt_entry with fstype 1, mnt_id, mountpoint and an ext key (field 18) or a root + ext_mount. */
static void mnt(struct buf *img, unsigned id, const char *mp, const char *key, int old)
{
	struct buf m = BUF_INIT;
	unsigned char len[4];
	pb_int(&m, 1, 1);
	pb_int(&m, 2, id);
	pb_str(&m, 6, old && key ? key : "/");
	pb_str(&m, 7, mp);
	if (key && old)
		pb_int(&m, 13, 1);
	if (key && !old) {
		buf_addc(&m, (char)0x92);   /* field 18, wire type 2: (18 << 3 | 2) = 146 */
		buf_addc(&m, 0x01);
		buf_addc(&m, (char)strlen(key));
		buf_adds(&m, key);
	}
	len[0] = (unsigned char)m.len, len[1] = len[2] = len[3] = 0;
	buf_add(img, len, 4);
	buf_add(img, m.p, m.len);
	buf_free(&m);
}

static void put(const char *name, const void *p, size_t n)
{
	char path[400];
	int fd;
	snprintf(path, sizeof path, "%s/%s", tmp, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

int main(void)
{
	static const unsigned char magic[8] = { 0x19, 0x43, 0x56, 0x54, 0x51, 0x21, 0x19, 0x57 };
	struct buf img = BUF_INIT;
	struct mnt_key *k = NULL;
	struct err e;
	size_t n = 0;
	int dfd, rc;
	char empty[400];

	strcpy(tmp, "/tmp/t_interop.XXXXXX");
	if (!mkdtemp(tmp))
		return 1;
	dfd = open(tmp, O_RDONLY | O_DIRECTORY);

	T_INTEQ(interop_keys_parse(NULL, &e), 0, "default keys: runc");
	T_INTEQ(interop_keys_parse("crun", &e), 1, "crun keys");
	T_OK(interop_keys_parse("podman", &e) < 0, "other keys refused");
	T_STREQ(e.msg, "--ext-mount-keys podman: use runc (default) or crun", "keys message");

	buf_add(&img, magic, 8);
	mnt(&img, 130, "./", NULL, 0);
	mnt(&img, 134, "./proc/timer_list", "/proc/timer_list", 0);
	mnt(&img, 135, "./proc/acpi", "/run/crun/.empty-directory", 0);
	mnt(&img, 136, "./data", "/data", 1);
	put("mountpoints-13.img", img.p, img.len);
	rc = mnt_keys_read(dfd, &k, &n, &e);
	T_OK(rc == 0 && n == 4, "four mounts read");
	if (rc) printf("# %s\n", e.msg);
	T_OK(rc == 0 && k[1].mnt_id == 134 && !strcmp(k[1].mountpoint, "./proc/timer_list") &&
	     !strcmp(k[1].key, "/proc/timer_list"), "ext_key read");
	T_OK(rc == 0 && !strcmp(k[3].key, "/data"), "old root-held key read");
	T_OK(rc == 0 && !strcmp(k[0].key, ""), "internal mount has no key");
	mnt_keys_free(k, n);
	k = NULL;
	n = 0;
	T_OK(mnt_keys_parse((const unsigned char *)img.p, img.len - 3, "m.img", &k, &n, &e) < 0,
	     "a cut image is refused");
	mnt_keys_free(k, n);

	{
		CriuOpts o = CRIU_OPTS__INIT;
		char *masked[] = { "/proc/keys", "/proc/timer_list", "/dev/null" };
		snprintf(empty, sizeof empty, "%s/empty@dir", tmp);
		rc = interop_restore_mounts(&o, dfd, masked, 3, empty, &e);
		T_OK(rc == 0 && o.n_ext_mnt == 3, "two masked keys and one empty-dir key");
		if (rc || o.n_ext_mnt != 3) {
			printf("# rc %d n %zu %s\n", rc, o.n_ext_mnt, rc ? e.msg : "");
			return t_done();
		}
		T_OK(rc == 0 && !strcmp(o.ext_mnt[0]->key, "/proc/keys") &&
		     !strcmp(o.ext_mnt[0]->val, "/dev/null"), "masked path -> /dev/null");
		T_OK(rc == 0 && !strcmp(o.ext_mnt[2]->key, "/run/crun/.empty-directory") &&
		     !strcmp(o.ext_mnt[2]->val, empty), ".empty-directory -> crbox's empty dir");
		{
			struct stat sb;
			T_OK(stat(empty, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 0777) == 0555,
			     "empty dir made 0555");
		}
		swrk_opts_free(&o);
	}

	T_INTEQ(interop_saved_netns(dfd), 0, "no netdev image: no saved netns");
	put("netdev-9.img", "x", 1);
	T_INTEQ(interop_saved_netns(dfd), 1, "netdev image: saved netns");

	{
		static const char log[] =
			"(00.031673) Error (criu/util.c:1533): rlimit: Can't setup RLIMIT_NOFILE for self: Operation not permitted\n"
			"(00.032000) info\n"
			"(00.032974) Error (criu/mount.c:3130): mnt: No mapping for 134:(null) mountpoint\n"
			"(00.040000) Error (criu/cgroup.c:1998): cg: cgroupd: recv req error\n";
		static const char log2[] =
			"(00.031673) Error (criu/util.c:1533): rlimit: Can't setup RLIMIT_NOFILE for self: Operation not permitted\n"
			"(00.140591)     17: Error (criu/files-reg.c:2294): File . has bad mode 040755 (expect 040555)\n";
		put("restore.log", log, sizeof log - 1);
		err_set(&e, 0, "criu failed: type RESTORE errno 0: Error (criu/util.c:1533): rlimit: "
			"Can't setup RLIMIT_NOFILE for self: Operation not permitted");
		interop_criu_error(&e, dfd, "restore.log", dfd);
		T_STREQ(e.msg, "criu failed: type RESTORE errno 0: CRIU has no mapping for the external "
			"mount at /proc/timer_list (image key \"/proc/timer_list\"): the key was written "
			"by crun (it keys masked paths by their own path); this crbox maps the masked "
			"paths of config.json, so check that config.json is the one the container ran "
			"with", "No mapping named with its mount and key");
		put("restore.log", log2, sizeof log2 - 1);
		err_set(&e, 5, "criu failed: type RESTORE errno 0: Error (criu/util.c:1533): rlimit: "
			"Can't setup RLIMIT_NOFILE for self: Operation not permitted");
		interop_criu_error(&e, dfd, "restore.log", -1);
		T_STREQ(e.msg, "criu failed: type RESTORE errno 0: Error (criu/files-reg.c:2294): File . "
			"has bad mode 040755 (expect 040555)", "the rlimit line is skipped");
		T_INTEQ(e.no, 5, "errno kept");
		err_set(&e, 0, "something else");
		interop_criu_error(&e, dfd, "restore.log", -1);
		T_STREQ(e.msg, "something else", "other errors untouched");
	}
	buf_free(&img);
	close(dfd);
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "chmod -R u+w %s; rm -rf %s", tmp, tmp);
		if (system(cmd)) {}
	}
	return t_done();
}
