/* archive: export (hash, then write) and import (extract beneath a private dir, verify). */
#include "archive/archive.h"
#include "archive/extract.h"
#include "archive/podman.h"
#include "archive/stream.h"
#include "archive/tar.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_MAX (4u << 20)

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int hash_fd(int fd, const char *name, uint64_t *size, char *hex, struct err *e)
{
	char chunk[65536];
	struct sha256 s;
	ssize_t n;
	sha256_init(&s);
	*size = 0;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, "read %s", name);
		sha256_update(&s, chunk, (size_t)n);
		*size += (uint64_t)n;
	}
	sha256_final_hex(&s, hex);
	return 0;
}

/* The image dir's entries, sorted; only regular files. */
static int list_images(int dfd, const char *path, char ***names, size_t *n, struct err *e)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *de;
	if (!d)
		return err_sys(e, "image path %s", path);
	rewinddir(d);   /* a dup shares the offset of earlier reads */
	*names = NULL;
	*n = 0;
	while ((de = readdir(d))) {
		struct stat sb;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			closedir(d);
			return err_sys(e, "image path %s: %s", path, de->d_name);
		}
		if (!S_ISREG(sb.st_mode)) {
			closedir(d);
			return err_set(e, EINVAL, "image path %s: %s is not a regular file (an "
					"export holds one full checkpoint: no parent images)", path,
				       de->d_name);
		}
		*names = xrealloc(*names, (*n + 1) * sizeof **names);
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof **names, cmp_str);
	return 0;
}

int archive_export(const struct archive_src *x, struct err *e)
{
	struct manifest *m = x->m;
	struct buf cfg = BUF_INIT, man = BUF_INIT;
	struct aout out;
	struct tarw w;
	char **names = NULL, hex[SHA256_HEX];
	size_t n = 0, i;
	int dfd, rc = -1, opened = 0;
	uint64_t size;
	void (*oldpipe)(int);

	dfd = open(x->image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, "image path %s", x->image_path);
	if (x->config_path) {
		if (fs_read_file(x->config_path, MANIFEST_MAX, &cfg, e) < 0)
			goto out;
		sha256_hex(cfg.p, cfg.len, hex);
		manifest_add(m, ARCHIVE_CONFIG, cfg.len, hex);
	}
	if (list_images(dfd, x->image_path, &names, &n, e) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		char *mn = fmt_alloc("%s/%s", ARCHIVE_IMAGES, names[i]);
		int fd = openat(dfd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		int hrc = fd < 0 ? err_sys(e, "%s/%s", x->image_path, names[i])
				 : hash_fd(fd, names[i], &size, hex, e);
		if (fd >= 0)
			close(fd);
		if (hrc == 0)
			manifest_add(m, mn, size, hex);
		free(mn);
		if (hrc < 0)
			goto out;
	}
	manifest_write(m, &man);
	oldpipe = signal(SIGPIPE, SIG_IGN);   /* a dead reader is an EPIPE error, not death */
	if (aout_open(&out, x->out, x->compress, e) < 0) {
		signal(SIGPIPE, oldpipe);
		goto out;
	}
	opened = 1;
	w.fd = out.fd;
	w.off = 0;
	if (tarw_mem(&w, MANIFEST_NAME, 0600, man.p, man.len, 0, e) < 0)
		goto write_out;
	if (x->config_path && tarw_mem(&w, ARCHIVE_CONFIG, 0600, cfg.p, cfg.len, 0, e) < 0)
		goto write_out;
	if (tarw_dir(&w, ARCHIVE_IMAGES, 0700, 0, e) < 0)
		goto write_out;
	for (i = 0; i < n; i++) {
		char *mn = fmt_alloc("%s/%s", ARCHIVE_IMAGES, names[i]);
		long k = manifest_find(m, mn);
		int fd = openat(dfd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		int wrc = fd < 0 ? err_sys(e, "%s/%s", x->image_path, names[i])
				 : tarw_file(&w, mn, 0600, m->files[k].size, 0, fd, hex, e);
		if (fd >= 0)
			close(fd);
		if (wrc == 0 && strcmp(hex, m->files[k].sha256))
			wrc = err_set(e, EIO, "%s/%s changed while it was being exported",
				      x->image_path, names[i]);
		free(mn);
		if (wrc < 0)
			goto write_out;
	}
	if (tarw_finish(&w, e) < 0)
		goto write_out;
	rc = 0;
write_out:
	if (rc < 0 && e->no == EPIPE)
		err_wrap(e, "export %s", !strcmp(x->out, "-") ? "to stdout" : x->out);
	if (aout_close(&out, rc < 0, e) < 0)
		rc = -1;
	opened = 0;
	signal(SIGPIPE, oldpipe);
out:
	(void)opened;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_free(&cfg);
	buf_free(&man);
	close(dfd);
	return rc;
}

char *archive_tmpdir(const char *base, const char *what, struct err *e)
{
	char *p;
	if (fs_mkdir_p(base, 0700, e) < 0)
		return NULL;
	p = fmt_alloc("%s/crbox-%s-XXXXXX", base, what);
	if (!mkdtemp(p)) {
		err_sys(e, "mkdtemp %s", p);
		free(p);
		return NULL;
	}
	return p;
}

static char *absolute(const char *p)
{
	char cwd[4096];
	if (p[0] == '/' || !getcwd(cwd, sizeof cwd))
		return fs_clean(p);
	return fs_join(cwd, p);
}

/* The crbox format: manifest first, then exactly its members. */
static int import_crbox(struct archive_import *im, struct tarr *r, struct tar_ent *ent,
			int dfd, struct err *e)
{
	struct buf b = BUF_INIT;
	char chunk[65536], hex[SHA256_HEX];
	unsigned char *seen = NULL;
	ssize_t k;
	size_t i;
	int rc;

	if (ent->size > MANIFEST_MAX)
		return err_set(e, EFBIG, "%s: %s too large", r->name, MANIFEST_NAME);
	while ((k = tarr_read(r, chunk, sizeof chunk, e)) > 0)
		buf_add(&b, chunk, (size_t)k);
	if (k < 0 || manifest_parse(&im->m, b.p ? b.p : "", b.len, e) < 0) {
		buf_free(&b);
		return err_wrap(e, "archive %s", r->name);
	}
	buf_free(&b);
	seen = xcalloc(im->m.nfiles + 1, 1);
	while ((rc = tarr_next(r, ent, e)) == 1) {
		long f = manifest_find(&im->m, ent->name);
		if (ent->type == TAR_DIR && f < 0) {
			/* Only directories that hold listed members. */
			size_t l = strlen(ent->name);
			for (i = 0; i < im->m.nfiles; i++)
				if (!strncmp(im->m.files[i].name, ent->name, l) &&
				    im->m.files[i].name[l] == '/')
					break;
			if (i == im->m.nfiles) {
				rc = err_set(e, EINVAL, "archive %s: unexpected directory %s (not in "
						     "the manifest)", r->name, ent->name);
				break;
			}
			if (extract_entry(dfd, r, ent, 0, NULL, e) < 0) {
				rc = -1;
				break;
			}
			continue;
		}
		if (f < 0 || ent->type != TAR_FILE) {
			rc = err_set(e, EINVAL, "archive %s: unexpected %s %s (not in the manifest)",
				     r->name, ent->type == TAR_FILE ? "file" : "entry", ent->name);
			break;
		}
		if (seen[f]) {
			rc = err_set(e, EINVAL, "archive %s: %s appears twice", r->name, ent->name);
			break;
		}
		seen[f] = 1;
		if (ent->size != im->m.files[f].size) {
			rc = err_set(e, EINVAL, "archive %s: %s: size %llu, the manifest says %llu",
				     r->name, ent->name, (unsigned long long)ent->size,
				     (unsigned long long)im->m.files[f].size);
			break;
		}
		if (extract_entry(dfd, r, ent, 0, hex, e) < 0) {
			rc = err_wrap(e, "archive %s", r->name);
			break;
		}
		if (strcmp(hex, im->m.files[f].sha256)) {
			rc = err_set(e, EINVAL, "archive %s: %s: SHA-256 mismatch (altered or damaged)",
				     r->name, ent->name);
			break;
		}
	}
	if (rc == 0)
		for (i = 0; i < im->m.nfiles; i++)
			if (!seen[i]) {
				rc = err_set(e, EINVAL, "archive %s: %s is missing (listed in the "
						     "manifest)", r->name, im->m.files[i].name);
				break;
			}
	free(seen);
	if (rc < 0)
		return -1;
	im->kind = ARCHIVE_CRBOX;
	return 0;
}

int archive_import(struct archive_import *im, const char *src, const char *base,
		   const char *keep_dir, struct err *e)
{
	struct ain in;
	struct tarr r;
	struct tar_ent *ent = xmalloc(sizeof *ent);
	int dfd = -1, rc = -1, base_made = 0;

	memset(im, 0, sizeof *im);
	if (!keep_dir && access(base, F_OK) < 0)
		base_made = 1;       /* removed again if the import fails */
	if (ain_open(&in, src, e) < 0) {
		free(ent);
		return -1;
	}
	if (keep_dir) {
		im->dir = absolute(keep_dir);
		if (mkdir(im->dir, 0700) < 0) {
			err_sys(e, "--keep-image %s", keep_dir);
			free(im->dir);
			im->dir = NULL;
			goto out;
		}
		im->keep = 1;
	} else {
		char *abase = absolute(base);
		im->dir = archive_tmpdir(abase, "import", e);
		free(abase);
		if (!im->dir)
			goto out;
	}
	dfd = open(im->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0) {
		err_sys(e, "%s", im->dir);
		goto out;
	}
	tarr_init(&r, ain_read, &in, in.name);
	rc = tarr_next(&r, ent, e);
	if (rc == 0)
		rc = err_set(e, EINVAL, "archive %s is empty", in.name);
	if (rc < 0)
		goto out;
	if (!strcmp(ent->name, MANIFEST_NAME) && ent->type == TAR_FILE)
		rc = import_crbox(im, &r, ent, dfd, e);
	else
		rc = podman_import(&r, ent, dfd, e);
	if (rc == 0 && !im->kind)
		im->kind = ARCHIVE_PODMAN;
	if (rc == 0 && ain_close(&in, 1, e) < 0)
		rc = err_wrap(e, "archive %s", src);
	if (rc < 0)
		goto out;
	im->image_path = fmt_alloc("%s/%s", im->dir, ARCHIVE_IMAGES);
	if (faccessat(dfd, ARCHIVE_IMAGES, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = err_set(e, EINVAL, "archive %s holds no %s/ directory", src, ARCHIVE_IMAGES);
		goto out;
	}
	if (faccessat(dfd, ARCHIVE_CONFIG, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		im->config = fmt_alloc("%s/%s", im->dir, ARCHIVE_CONFIG);
	rc = 0;
out:
	ain_close(&in, 0, e);
	if (dfd >= 0)
		close(dfd);
	free(ent);
	if (rc < 0) {
		archive_import_done(im, 0);
		if (base_made)
			rmdir(base);
	}
	return rc;
}

void archive_import_done(struct archive_import *im, int ok)
{
	if (im->dir && !(im->keep && ok)) {
		struct err e2;
		fs_rm_rf_at(AT_FDCWD, im->dir, &e2);
	}
	free(im->dir);
	free(im->image_path);
	free(im->config);
	manifest_free(&im->m);
	memset(im, 0, sizeof *im);
}
