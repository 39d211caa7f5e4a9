/* crun: mountpoints-*.img keys (CRIU's mnt_entry: mnt_id = 2, root = 6, mountpoint = 7,
 * ext_mount = 13, ext_key = 18) and the restore-side mapping. */
#include "interop/crun.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include "state.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMG_COMMON_MAGIC 0x54564319u
#define EMPTY_DIR_KEY ".empty-directory"
#define RLIMIT_LINE "rlimit: Can't setup RLIMIT_NOFILE"

int interop_keys_parse(const char *s, struct err *e)
{
	if (!s || !strcmp(s, "runc"))
		return 0;
	if (!strcmp(s, "crun"))
		return 1;
	return err_set(e, EINVAL, "--ext-mount-keys %s: use runc (default) or crun", s);
}

static int varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	int shift = 0;
	*v = 0;
	while (*p < end && shift < 64) {
		unsigned char c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
}

/* One mnt_entry. */
static int entry(const unsigned char *p, const unsigned char *end, struct mnt_key *k)
{
	char *root = NULL;
	int ext = 0;

	memset(k, 0, sizeof *k);
	while (p < end) {
		uint64_t key, v;
		if (varint(&p, end, &key) < 0)
			goto bad;
		switch (key & 7) {
		case 0:
			if (varint(&p, end, &v) < 0)
				goto bad;
			if ((key >> 3) == 2)
				k->mnt_id = (uint32_t)v;
			else if ((key >> 3) == 13)
				ext = v != 0;
			break;
		case 2: {
			char **dst = NULL;
			if (varint(&p, end, &v) < 0 || v > (uint64_t)(end - p))
				goto bad;
			if ((key >> 3) == 6)
				dst = &root;
			else if ((key >> 3) == 7)
				dst = &k->mountpoint;
			else if ((key >> 3) == 18)
				dst = &k->key;
			if (dst) {
				free(*dst);
				*dst = xstrndup((const char *)p, (size_t)v);
			}
			p += v;
			break;
		}
		case 1:
			if (end - p < 8)
				goto bad;
			p += 8;
			break;
		case 5:
			if (end - p < 4)
				goto bad;
			p += 4;
			break;
		default:
			goto bad;
		}
	}
	/* Older CRIU kept an external mount's key in root. */
	if (!k->key)
		k->key = xstrdup(ext && root ? root : "");
	if (!k->mountpoint)
		k->mountpoint = xstrdup("");
	free(root);
	return 0;
bad:
	free(root);
	free(k->mountpoint);
	free(k->key);
	k->mountpoint = k->key = NULL;
	return -1;
}

int mnt_keys_parse(const unsigned char *p, size_t len, const char *name, struct mnt_key **out,
		   size_t *n, struct err *e)
{
	size_t off;
	if (len < 4)
		return err_set(e, EINVAL, "image %s is corrupt: too short", name);
	off = le32(p) == IMG_COMMON_MAGIC ? 8 : 4;
	if (len < off)
		return err_set(e, EINVAL, "image %s is corrupt: too short", name);
	while (off < len) {
		uint32_t l;
		if (len - off < 4)
			return err_set(e, EINVAL, "image %s is corrupt: truncated entry", name);
		l = le32(p + off);
		off += 4;
		if (l > len - off)
			return err_set(e, EINVAL, "image %s is corrupt: entry cut short", name);
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		if (entry(p + off, p + off + l, &(*out)[*n]) < 0)
			return err_set(e, EINVAL, "image %s is corrupt: bad mount entry", name);
		(*n)++;
		off += l;
	}
	return 0;
}

int mnt_keys_read(int imgfd, struct mnt_key **out, size_t *n, struct err *e)
{
	DIR *d = fdopendir(dup(imgfd));
	struct dirent *de;
	int rc = 0;

	if (d)
		rewinddir(d);   /* a dup shares the offset of earlier reads */
	*out = NULL;
	*n = 0;
	if (!d)
		return err_sys(e, "read the image directory");
	while (rc == 0 && (de = readdir(d))) {
		struct buf b = BUF_INIT;
		char *path;
		if (strncmp(de->d_name, "mountpoints-", 12))
			continue;
		path = fmt_alloc("/proc/self/fd/%d/%s", imgfd, de->d_name);
		rc = fs_read_file(path, 64u << 20, &b, e);
		if (rc == 0)
			rc = mnt_keys_parse((const unsigned char *)b.p, b.len, de->d_name, out, n, e);
		buf_free(&b);
		free(path);
	}
	closedir(d);
	return rc;
}

void mnt_keys_free(struct mnt_key *k, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		free(k[i].mountpoint);
		free(k[i].key);
	}
	free(k);
}

static int is_empty_dir_key(const char *k)
{
	const char *b = strrchr(k, '/');
	return b && !strcmp(b + 1, EMPTY_DIR_KEY);
}

int interop_restore_mounts(CriuOpts *o, int imgfd, char *const *masked, size_t nmasked,
			   const char *empty_dir, struct err *e)
{
	struct mnt_key *k = NULL;
	size_t n = 0, i, j;
	int made = 0;

	for (i = 0; i < nmasked; i++)
		if (strcmp(masked[i], "/dev/null"))
			swrk_opts_add_ext_mnt(o, masked[i], "/dev/null");
	if (mnt_keys_read(imgfd, &k, &n, e) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_empty_dir_key(k[i].key))
			continue;
		for (j = 0; j < i; j++)
			if (!strcmp(k[j].key, k[i].key))
				break;
		if (j < i)
			continue;
		if (!made && mkdir(empty_dir, 0555) < 0 && errno != EEXIST) {
			err_sys(e, "create %s for crun's %s mounts", empty_dir, EMPTY_DIR_KEY);
			mnt_keys_free(k, n);
			return -1;
		}
		made = 1;
		swrk_opts_add_ext_mnt(o, k[i].key, empty_dir);
	}
	mnt_keys_free(k, n);
	return 0;
}

int interop_saved_netns(int imgfd)
{
	DIR *d = fdopendir(dup(imgfd));
	struct dirent *de;
	int found = 0;
	if (d)
		rewinddir(d);   /* a dup shares the offset of earlier reads */
	while (d && !found && (de = readdir(d)))
		found = !strncmp(de->d_name, "netdev-", 7);
	if (d)
		closedir(d);
	return found;
}

int interop_restore(CriuOpts *o, int imgfd, const struct state *st, int empty_ns_given,
		    const char *root, struct err *e)
{
	char *empty = fmt_alloc("%s/empty@dir", root);
	size_t i;
	int rc = interop_restore_mounts(o, imgfd, st->masked_paths, st->nmasked_paths, empty, e);

	free(empty);
	if (rc < 0 || empty_ns_given || !interop_saved_netns(imgfd))
		return rc;
	for (i = 0; i < st->nnamespaces; i++)
		if (!strcmp(st->namespaces[i].type, "network") && st->namespaces[i].path)
			return 0;
	o->has_empty_ns = 0;
	o->empty_ns = 0;
	return 0;
}

/* "(00.031673)      1: Error (criu/x.c:1): text" -> "text" (the part CRIU's cr_errmsg holds
 * starts at "Error"). */
static const char *from_error(const char *line)
{
	const char *p = strstr(line, "Error");
	return p ? p : line;
}

void interop_criu_error(struct err *e, int logdir, const char *log, int imgfd)
{
	struct buf lines = BUF_INIT;
	char *head = strstr(e->msg, "criu failed: type "), *msg, *colon, *line, *next;
	const char *pick = NULL;
	char *nomap = NULL, *prefix;
	int no = e->no;

	if (!head)
		return;
	colon = strstr(head, " errno ");
	colon = colon ? strstr(colon, ": ") : NULL;
	if (!colon)
		return;
	msg = colon + 2;
	if (swrk_log_errors(logdir, log, &lines, 50) < 0)
		lines.len = 0;
	for (line = lines.p; lines.len && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (strstr(line, RLIMIT_LINE))
			continue;
		if (!pick)
			pick = from_error(line);
		if (!nomap && strstr(line, "No mapping for "))
			nomap = strstr(line, "No mapping for ");
	}
	prefix = xstrndup(e->msg, (size_t)(msg - e->msg));   /* "...criu failed: type T errno N: " */
	if (nomap && imgfd >= 0) {
		struct mnt_key *k = NULL;
		size_t n = 0, i;
		unsigned long id = strtoul(nomap + 15, NULL, 10);
		struct err e2;
		if (mnt_keys_read(imgfd, &k, &n, &e2) == 0)
			for (i = 0; i < n; i++) {
				const char *mp = k[i].mountpoint;
				if (k[i].mnt_id != id)
					continue;
				if (mp[0] == '.' && mp[1] == '/')
					mp++;
				err_set(e, no, "%sCRIU has no mapping for the external mount at %s "
					"(image key \"%s\")%s", prefix, mp, k[i].key,
					is_empty_dir_key(k[i].key) || (strcmp(k[i].key, "/dev/null") &&
								       !strcmp(k[i].key, mp))
					? ": the key was written by crun (it keys masked paths by "
					  "their own path); this crbox maps the masked paths of "
					  "config.json, so check that config.json is the one the "
					  "container ran with" : "");
				pick = NULL;
				break;
			}
		mnt_keys_free(k, n);
	}
	if (pick && strstr(msg, RLIMIT_LINE))
		err_set(e, no, "%s%s", prefix, pick);
	free(prefix);
	buf_free(&lines);
}
