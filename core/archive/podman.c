/* podman: reading Podman/CRI-O checkpoint archives and applying their rootfs changes. */
#include "archive/podman.h"
#include "archive/archive.h"
#include "archive/extract.h"
#include "archive/manifest.h"
#include "archive/stream.h"
#include "buf.h"
#include "fmt.h"
#include "fsutil.h"
#include "json.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* renameat only */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int podman_import(struct tarr *r, struct tar_ent *ent, int dfd, struct err *e)
{
	int rc = 1, n = 0;

	for (; rc == 1; rc = tarr_next(r, ent, e), n++) {
		if (ent->type != TAR_DIR && ent->type != TAR_FILE)
			return err_set(e, EINVAL, "archive %s: entry %s: only files and directories "
					     "are accepted", r->name, ent->name);
		if (extract_entry(dfd, r, ent, 0, NULL, e) < 0)
			return err_wrap(e, "archive %s", r->name);
	}
	if (rc < 0)
		return -1;
	if (faccessat(dfd, PODMAN_SPEC, F_OK, AT_SYMLINK_NOFOLLOW) < 0 ||
	    faccessat(dfd, "checkpoint/inventory.img", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(e, EINVAL, "archive %s: not a checkpoint archive crbox knows (no %s "
				     "first, and not a Podman export: no %s and checkpoint/)", r->name,
			       MANIFEST_NAME, PODMAN_SPEC);
	if (renameat(dfd, PODMAN_SPEC, dfd, ARCHIVE_CONFIG) < 0)
		return err_sys(e, "rename %s", PODMAN_SPEC);
	return 0;
}

static ssize_t plain_rd(void *ud, void *p, size_t n, struct err *e)
{
	ssize_t k;
	do
		k = read(*(int *)ud, p, n);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return err_sys(e, "read");
	return k;
}

/* Extracts the tar dir/name into target (replacing what is there). A missing tar is fine. */
static int apply_tar(const char *dir, const char *name, const char *target, struct err *e)
{
	char *p = fmt_alloc("%s/%s", dir, name);
	struct tar_ent *ent = xmalloc(sizeof *ent);
	struct tarr r;
	int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), tfd = -1, rc;

	if (fd < 0) {
		rc = errno == ENOENT ? 0 : err_sys(e, "%s", p);
		goto out;
	}
	tfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0) {
		rc = err_sys(e, "%s", target);
		goto out;
	}
	tarr_init(&r, plain_rd, &fd, name);
	while ((rc = tarr_next(&r, ent, e)) == 1)
		if (extract_entry(tfd, &r, ent, EXTRACT_LINKS | EXTRACT_REPLACE, NULL, e) < 0) {
			rc = err_wrap(e, "%s", name);
			break;
		}
out:
	if (fd >= 0)
		close(fd);
	if (tfd >= 0)
		close(tfd);
	free(ent);
	free(p);
	return rc;
}

static int apply_deleted(const char *dir, const char *rootfs, struct err *e)
{
	char *p = fmt_alloc("%s/%s", dir, PODMAN_DELETED);
	struct json_doc d;
	int rc = 0, i, rfd = -1;

	if (access(p, F_OK) < 0) {
		free(p);
		return 0;
	}
	if (json_load(&d, AT_FDCWD, p, PODMAN_DELETED, e) < 0) {
		free(p);
		return -1;
	}
	free(p);
	if (d.t[0].type == JSON_NULL)
		goto out;
	if (json_expect(&d, 0, JSON_ARR, e) < 0) {
		rc = -1;
		goto out;
	}
	rfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		rc = err_sys(e, "%s", rootfs);
		goto out;
	}
	json_for_each(&d, 0, i) {
		const char *s;
		char name[TAR_NAME_MAX], *slash;
		int pfd;
		if (json_str(&d, i, &s, e) < 0 || strlen(s) >= sizeof name) {
			rc = err_set(e, EINVAL, "%s: bad entry", PODMAN_DELETED);
			break;
		}
		strcpy(name, s[0] == '/' ? s + 1 : s);
		if (tar_name_clean(name, e) < 0) {
			rc = err_wrap(e, "%s", PODMAN_DELETED);
			break;
		}
		if (!strcmp(name, "."))
			continue;
		slash = strrchr(name, '/');
		if (slash)
			*slash = 0;
		pfd = beneath_dir(rfd, slash ? name : ".", 0, e);
		if (pfd < 0) {
			if (e->no == ENOENT)
				continue;       /* already gone */
			rc = err_wrap(e, "%s", PODMAN_DELETED);
			break;
		}
		rc = fs_rm_rf_at(pfd, slash ? slash + 1 : name, e);
		close(pfd);
		if (rc < 0)
			break;
	}
out:
	if (rfd >= 0)
		close(rfd);
	json_free(&d);
	return rc;
}

int podman_apply_rootfs(const char *dir, const char *rootfs, struct err *e)
{
	if (access(rootfs, F_OK) < 0)
		return err_sys(e, "rootfs %s (a Podman archive holds only the changes to the "
				  "image's root file system: put the image's files there first)",
			       rootfs);
	if (apply_tar(dir, PODMAN_DIFF, rootfs, e) < 0)
		return -1;
	return apply_deleted(dir, rootfs, e);
}

int podman_apply_shm(const char *dir, const char *shm_dir, struct err *e)
{
	return apply_tar(dir, PODMAN_SHM, shm_dir, e);
}
