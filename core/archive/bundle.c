/* bundle: export/import glue for the checkpoint and restore applets. */
#include "archive/bundle.h"
#include "archive/host.h"
#include "archive/podman.h"
#include "spec.h"
#include "archive/stream.h"
#include "fmt.h"
#include "fsutil.h"
#include "json.h"
#include "jsonw.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

int ckpt_export_prepare(struct ckpt_export *x, const char *root, int pre_dump, int lazy,
			const char **image_path, struct err *e)
{
	if (!x->out) {
		if (x->compress)
			return err_set(e, EINVAL, "--compress needs --export");
		return 0;
	}
	if (pre_dump || lazy)
		return err_set(e, EINVAL, "--export cannot be used with --%s: the archive must "
				     "hold a whole checkpoint", pre_dump ? "pre-dump" : "lazy-pages");
	if (strcmp(x->out, "-") && access(x->out, F_OK) == 0)
		return err_set(e, EEXIST, "--export %s: file exists", x->out);
	if (x->compress) {
		char *p;
		if (strcmp(x->compress, "gzip") && strcmp(x->compress, "zstd"))
			return err_set(e, EINVAL, "--compress %s: unknown (gzip or zstd)",
				       x->compress);
		if (!(p = prog_find(x->compress)))
			return err_set(e, ENOENT, "--compress %s: %s not found in PATH",
				       x->compress, x->compress);
		free(p);
	}
	if (!*image_path || !**image_path) {
		x->tmp_images = archive_tmpdir(root, "export", e);
		if (!x->tmp_images)
			return -1;
		*image_path = x->tmp_images;
	}
	return 0;
}

int ckpt_export_finish(struct ckpt_export *x, const char *criu, int rootfd, const char *id,
		       const char *image_path, const char *bundle, struct err *e)
{
	struct manifest m;
	struct archive_src src;
	struct swrk_version v;
	struct err e2;
	char *config = bundle ? fmt_alloc("%s/config.json", bundle) : NULL;
	int rc, imgfd;

	memset(&m, 0, sizeof m);
	host_facts(&m, swrk_version_cached(criu, rootfd, &v, &e2) == 0 ? &v : NULL);
	m.id = xstrdup(id);
	imgfd = open(image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (imgfd < 0) {
		manifest_free(&m);
		free(config);
		return err_sys(e, "image path %s", image_path);
	}
	/* The source CPU's description, for CPUINFO_CHECK on the target (best effort: an
	 * archive without it is still restorable; check says so). */
	if (faccessat(imgfd, CPUINFO_IMG, F_OK, 0) == 0 ||
	    host_cpuinfo(criu, imgfd, imgfd, 0, &e2) == 0)
		m.cpuinfo = fmt_alloc("%s/%s", ARCHIVE_IMAGES, CPUINFO_IMG);
	close(imgfd);
	src.out = x->out;
	src.compress = x->compress;
	src.image_path = image_path;
	src.config_path = config && access(config, F_OK) == 0 ? config : NULL;
	src.m = &m;
	rc = archive_export(&src, e);
	if (rc < 0 && x->tmp_images)
		err_wrap(e, "the checkpoint is kept in %s", x->tmp_images);
	manifest_free(&m);
	free(config);
	return rc;
}

void ckpt_export_done(struct ckpt_export *x, int failed)
{
	struct err e;
	if (x->tmp_images && !failed)
		fs_rm_rf_at(AT_FDCWD, x->tmp_images, &e);
	free(x->tmp_images);
	x->tmp_images = NULL;
}

struct repl {
	int *tok;
	char **val;
	size_t n;
};

static void copy(const struct json_doc *d, int i, int path_tok, int root_obj, const char *rootfs,
		 const struct repl *rp, struct jw *w)
{
	const struct json_tok *t = &d->t[i];
	size_t k;
	int c;
	if (i == path_tok) {
		jw_str(w, rootfs);
		return;
	}
	for (k = 0; k < rp->n; k++)
		if (rp->tok[k] == i) {
			jw_str(w, rp->val[k]);
			return;
		}
	switch (t->type) {
	case JSON_NULL:
		jw_null(w);
		break;
	case JSON_BOOL:
		jw_bool(w, t->b);
		break;
	case JSON_NUM:
		jw_raw(w, t->s, t->slen);
		break;
	case JSON_STR:
		jw_strn(w, t->s, t->slen);
		break;
	case JSON_ARR:
		jw_arr(w);
		json_for_each(d, i, c)
			copy(d, c, path_tok, root_obj, rootfs, rp, w);
		jw_end(w);
		break;
	case JSON_OBJ:
		jw_obj(w);
		json_for_each(d, i, c) {
			jw_key(w, d->t[c].key);
			copy(d, c, path_tok, root_obj, rootfs, rp, w);
		}
		if (i == root_obj && path_tok < 0)
			jw_kstr(w, "path", rootfs);
		jw_end(w);
		break;
	}
}

/* Bind mounts (type "bind" or an option bind/rbind) whose source fix replaces. */
static void find_binds(const struct json_doc *d, config_bind_fn fix, void *ud, struct repl *rp)
{
	int mounts = json_get(d, 0, "mounts"), m;
	size_t idx = 0;
	if (!fix || mounts < 0 || d->t[mounts].type != JSON_ARR)
		return;
	json_for_each(d, mounts, m) {
		int src, dst, typ, opts, o, bind = 0;
		char *v;
		if (d->t[m].type != JSON_OBJ) {
			idx++;
			continue;
		}
		src = json_get(d, m, "source");
		dst = json_get(d, m, "destination");
		typ = json_get(d, m, "type");
		opts = json_get(d, m, "options");
		if (typ >= 0 && d->t[typ].type == JSON_STR && !strcmp(d->t[typ].s, "bind"))
			bind = 1;
		if (opts >= 0 && d->t[opts].type == JSON_ARR)
			json_for_each(d, opts, o)
				if (d->t[o].type == JSON_STR && (!strcmp(d->t[o].s, "bind") ||
								 !strcmp(d->t[o].s, "rbind")))
					bind = 1;
		if (bind && src >= 0 && dst >= 0 && d->t[src].type == JSON_STR &&
		    d->t[dst].type == JSON_STR && (v = fix(ud, idx, d->t[dst].s, d->t[src].s))) {
			rp->tok = xrealloc(rp->tok, (rp->n + 1) * sizeof *rp->tok);
			rp->val = xrealloc(rp->val, (rp->n + 1) * sizeof *rp->val);
			rp->tok[rp->n] = src;
			rp->val[rp->n++] = v;
		}
		idx++;
	}
}

int config_set_root(char *src, size_t n, const char *rootfs, config_bind_fn fix, void *ud,
		    struct buf *out, struct err *e)
{
	struct json_doc d;
	struct jw w;
	struct repl rp = { NULL, NULL, 0 };
	int root, path = -1, k;
	size_t i;

	if (json_parse(&d, ARCHIVE_CONFIG, src, n, e) < 0)
		return -1;
	if (json_expect(&d, 0, JSON_OBJ, e) < 0)
		goto fail;
	for (k = 0; k < d.nt; k++) {
		int depth = 0, p = k;
		while ((p = d.t[p].parent) >= 0)
			depth++;
		if (depth >= JSONW_MAX_DEPTH - 1) {
			json_err(&d, k, e, "nested too deeply");
			goto fail;
		}
	}
	root = json_get(&d, 0, "root");
	if (root >= 0 && json_expect(&d, root, JSON_OBJ, e) < 0)
		goto fail;
	if (root >= 0)
		path = json_get(&d, root, "path");
	find_binds(&d, fix, ud, &rp);
	jw_init(&w, out, 2);
	if (root < 0) {
		/* No root object at all: add one. */
		int c;
		jw_obj(&w);
		json_for_each(&d, 0, c) {
			jw_key(&w, d.t[c].key);
			copy(&d, c, -1, -2, rootfs, &rp, &w);
		}
		jw_key(&w, "root");
		jw_obj(&w);
		jw_kstr(&w, "path", rootfs);
		jw_end(&w);
		jw_end(&w);
	} else {
		copy(&d, 0, path, root, rootfs, &rp, &w);
	}
	buf_addc(out, '\n');
	for (i = 0; i < rp.n; i++)
		free(rp.val[i]);
	free(rp.tok);
	free(rp.val);
	json_free(&d);
	return 0;
fail:
	json_free(&d);
	return -1;
}

/* Podman's bind sources live in its own storage (hostname, hosts, .containerenv, the shm
 * dir): where they are missing, stand-ins are made in B/.crbox-podman. */
struct podfix {
	struct rst_import *ri;
	const char *hostname;
	char *shm;
	int failed;
};

static char *podman_bind(void *ud, size_t idx, const char *dest, const char *src)
{
	struct podfix *pf = ud;
	const char *base = strrchr(dest, '/');
	char *p;
	int isdir = !strcmp(dest, "/dev/shm");
	struct stat sb;

	if (stat(src, &sb) == 0)
		return NULL;
	base = base && base[1] ? base + 1 : "mount";
	if (mkdir(pf->ri->binds_dir, 0700) < 0 && errno != EEXIST) {
		pf->failed = 1;
		return NULL;
	}
	p = fmt_alloc("%s/%zu-%s", pf->ri->binds_dir, idx, base[0] == '.' ? base + 1 : base);
	if (isdir) {
		if (mkdir(p, 0755) < 0)
			pf->failed = 1;
		free(pf->shm);
		pf->shm = xstrdup(p);
	} else {
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			pf->failed = 1;
		else {
			if (!strcmp(dest, "/etc/hostname") && pf->hostname)
				fmt_fd(fd, "%s\n", pf->hostname);
			else if (!strcmp(dest, "/etc/hosts"))
				fmt_fd(fd, "127.0.0.1\tlocalhost\n::1\tlocalhost\n");
			close(fd);
		}
	}
	return p;
}

static int apply_bundle(struct rst_import *ri, const char *bundle, struct err *e)
{
	char cwd[4096];
	char *b, *cfg, *rootfs;
	struct buf src = BUF_INIT, out = BUF_INIT;
	int fd, rc = -1;

	if (!getcwd(cwd, sizeof cwd))
		return err_sys(e, "getcwd");
	b = bundle && *bundle ? (bundle[0] == '/' ? fs_clean(bundle) : fs_join(cwd, bundle))
			      : xstrdup(cwd);
	cfg = fmt_alloc("%s/config.json", b);
	rootfs = fmt_alloc("%s/rootfs", b);
	if (access(cfg, F_OK) == 0 || !ri->im.config) {
		/* The bundle's own config wins; restore reports a missing one. A Podman
		 * archive's rootfs changes still go onto that config's rootfs. */
		struct spec s;
		rc = 0;
		if (ri->im.kind == ARCHIVE_PODMAN && access(cfg, F_OK) == 0) {
			rc = spec_load(&s, b, e);
			if (rc == 0)
				rc = podman_apply_rootfs(ri->im.dir, spec_rootfs(&s), e);
			spec_free(&s);
		}
		goto out;
	}
	if (fs_read_file(ri->im.config, JSON_MAX_SIZE, &src, e) < 0)
		goto out;
	if (ri->im.kind == ARCHIVE_PODMAN) {
		struct podfix pf = { ri, NULL, NULL, 0 };
		struct buf hn = BUF_INIT;
		struct json_doc d;
		const char *h = NULL;
		/* The hostname, for the /etc/hostname stand-in (a copy: parsing is in place). */
		buf_add(&hn, src.p, src.len);
		if (json_parse(&d, ARCHIVE_CONFIG, hn.p, hn.len, e) == 0) {
			if (json_opt_str(&d, 0, "hostname", &h, e) == 0 && h)
				pf.hostname = h;
		}
		ri->binds_dir = fmt_alloc("%s/.crbox-podman", b);
		rc = config_set_root(src.p, src.len, rootfs, podman_bind, &pf, &out, e);
		json_free(&d);
		buf_free(&hn);
		if (rc == 0 && pf.failed)
			rc = err_sys(e, "stand-ins for Podman's bind sources in %s", ri->binds_dir);
		if (rc == 0 && pf.shm)
			rc = podman_apply_shm(ri->im.dir, pf.shm, e);
		if (rc == 0)
			rc = podman_apply_rootfs(ri->im.dir, rootfs, e);
		free(pf.shm);
		if (rc < 0)
			goto out;
		rc = -1;
	} else if (config_set_root(src.p, src.len, rootfs, NULL, NULL, &out, e) < 0) {
		goto out;
	}
	fd = open(cfg, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		err_sys(e, "write the archive's config to %s", cfg);
		goto out;
	}
	if (write_all(fd, out.p, out.len) < 0 || close(fd) < 0) {
		err_sys(e, "write %s", cfg);
		unlink(cfg);
		goto out;
	}
	ri->wrote_config = cfg;
	cfg = NULL;
	rc = 0;
out:
	buf_free(&src);
	buf_free(&out);
	free(b);
	free(cfg);
	free(rootfs);
	return rc;
}

int rst_import(struct rst_import *ri, const char *src, const char *work_path,
	       const char *root, const char *keep_dir, const char *bundle,
	       const char **image_path, struct err *e)
{
	memset(ri, 0, sizeof *ri);
	if (*image_path && **image_path)
		return err_set(e, EINVAL, "--import and --image-path cannot be used together");
	if (archive_import(&ri->im, src, work_path && *work_path ? work_path : root, keep_dir,
			   e) < 0)
		return -1;
	{
		/* The manifest's machine must be this one: CRIU cannot cross architectures. */
		struct utsname u;
		if (ri->im.m.arch && uname(&u) == 0 && strcmp(u.machine, ri->im.m.arch)) {
			err_set(e, EXDEV, "archive %s was made on %s; this host is %s", src,
				ri->im.m.arch, u.machine);
			rst_import_done(ri, 0);
			return -1;
		}
	}
	if (apply_bundle(ri, bundle, e) < 0) {
		rst_import_done(ri, 0);
		return -1;
	}
	*image_path = ri->im.image_path;
	return 0;
}

void rst_import_done(struct rst_import *ri, int ok)
{
	struct err e;
	if (!ok && ri->wrote_config)
		unlink(ri->wrote_config);
	if (!ok && ri->binds_dir)
		fs_rm_rf_at(AT_FDCWD, ri->binds_dir, &e);
	free(ri->binds_dir);
	ri->binds_dir = NULL;
	free(ri->wrote_config);
	ri->wrote_config = NULL;
	if (ri->im.dir)
		archive_import_done(&ri->im, ok);
}
