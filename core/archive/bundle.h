/* bundle: the glue between checkpoint/restore and archives. On checkpoint, --export's
 * checks before the dump and the export after it; on restore, --import's extraction and the
 * bundle rule: B/config.json is used when present, else the archive's config is written
 * there with root.path set to B/rootfs. */
#ifndef CRBOX_ARCHIVE_BUNDLE_H
#define CRBOX_ARCHIVE_BUNDLE_H
#include "archive/archive.h"
#include "buf.h"
#include "criu.h"
#include "err.h"

struct ckpt_export {
	const char *out, *compress;
	char *tmp_images;            /* private image dir when --image-path was not given */
};
/* Checks --export/--compress before anything is dumped: the destination must not exist,
 * the compressor must be found, no --pre-dump or --lazy-pages. When image_path is NULL a
 * private image dir under root is made and returned in *image_path. 0 or -1. */
int ckpt_export_prepare(struct ckpt_export *x, const char *root, int pre_dump, int lazy,
			const char **image_path, struct err *e);
/* After a successful dump: CPUINFO_DUMP into the images, the manifest (host facts with
 * CRIU's version, cached in the state root rootfd; id) and the archive with bundle's
 * config.json when it exists. 0 or -1. */
int ckpt_export_finish(struct ckpt_export *x, const char *criu, int rootfd, const char *id,
		       const char *image_path, const char *bundle, struct err *e);
/* Removes the private image dir; failed set: keeps it (the only copy of a checkpoint whose
 * export failed; ckpt_export_finish names it in its error). */
void ckpt_export_done(struct ckpt_export *x, int failed);

struct rst_import {
	struct archive_import im;
	char *wrote_config;          /* B/config.json written from the archive */
	char *binds_dir;             /* B/.crbox-podman: stand-ins for Podman's bind sources */
};
/* Imports src under work_path (or root) into keep_dir or a private dir, then applies the
 * bundle rule for bundle (NULL: the current directory). *image_path gets the imported
 * images. 0 or -1, nothing left behind on failure. */
int rst_import(struct rst_import *ri, const char *src, const char *work_path,
	       const char *root, const char *keep_dir, const char *bundle,
	       const char **image_path, struct err *e);
/* After the restore: removes the imported dir (unless --keep-image), and on failure the
 * config.json it wrote. */
void rst_import_done(struct rst_import *ri, int ok);

/* Called for each bind mount of the config: returns a heap replacement source, or NULL to
 * keep it. */
typedef char *(*config_bind_fn)(void *ud, size_t idx, const char *dest, const char *src);
/* Copies config JSON src[0..n) into out with root.path set to rootfs (added if absent) and,
 * when fix is not NULL, bind-mount sources replaced as fix says. */
int config_set_root(char *src, size_t n, const char *rootfs, config_bind_fn fix, void *ud,
		    struct buf *out, struct err *e);

#endif
