/* manifest: manifest.json written with jsonw and read back with the strict json reader. */
#include "archive/manifest.h"
#include "archive/tar.h"
#include "json.h"
#include "jsonw.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void manifest_add(struct manifest *m, const char *name, uint64_t size, const char *sha256)
{
	struct manifest_file *f;
	m->files = xrealloc(m->files, (m->nfiles + 1) * sizeof *m->files);
	f = &m->files[m->nfiles++];
	f->name = xstrdup(name);
	f->size = size;
	memcpy(f->sha256, sha256, SHA256_HEX - 1);
	f->sha256[SHA256_HEX - 1] = 0;
}

long manifest_find(const struct manifest *m, const char *name)
{
	size_t i;
	for (i = 0; i < m->nfiles; i++)
		if (!strcmp(m->files[i].name, name))
			return (long)i;
	return -1;
}

static void kstr_opt(struct jw *w, const char *k, const char *v)
{
	if (v)
		jw_kstr(w, k, v);
}

void manifest_write(const struct manifest *m, struct buf *b)
{
	struct jw w;
	size_t i;

	jw_init(&w, b, 2);
	jw_obj(&w);
	jw_ki64(&w, "crboxArchive", MANIFEST_VERSION);
	kstr_opt(&w, "id", m->id);
	kstr_opt(&w, "crbox", m->crbox);
	jw_key(&w, "criu");
	jw_obj(&w);
	kstr_opt(&w, "version", m->criu);
	jw_ki64(&w, "num", m->criu_num);
	jw_end(&w);
	kstr_opt(&w, "kernel", m->kernel);
	kstr_opt(&w, "arch", m->arch);
	kstr_opt(&w, "cgroup", m->cgroup);
	kstr_opt(&w, "cpuinfo", m->cpuinfo);
	jw_key(&w, "files");
	jw_arr(&w);
	for (i = 0; i < m->nfiles; i++) {
		jw_obj(&w);
		jw_kstr(&w, "name", m->files[i].name);
		jw_ku64(&w, "size", m->files[i].size);
		jw_kstr(&w, "sha256", m->files[i].sha256);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	buf_addc(b, '\n');
}

static char *dup_opt(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int hex64(const char *s)
{
	size_t i;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == 0;
}

int manifest_parse(struct manifest *m, char *buf, size_t len, struct err *e)
{
	struct json_doc d;
	const char *s = NULL;
	int64_t ver = 0;
	int files, c, i;

	memset(m, 0, sizeof *m);
	if (json_parse(&d, MANIFEST_NAME, buf, len, e) < 0)
		return -1;
	if (json_expect(&d, 0, JSON_OBJ, e) < 0)
		goto fail;
	if (json_get(&d, 0, "crboxArchive") < 0) {
		err_set(e, EINVAL, "%s: not a crbox archive manifest (no crboxArchive)",
			MANIFEST_NAME);
		goto fail;
	}
	if (json_opt_i64(&d, 0, "crboxArchive", &ver, e) < 0)
		goto fail;
	if (ver != MANIFEST_VERSION) {
		err_set(e, EINVAL, "%s: archive format %lld is not supported (this crbox reads %d)",
			MANIFEST_NAME, (long long)ver, MANIFEST_VERSION);
		goto fail;
	}
	m->version = (int)ver;
#define OPTSTR(key, field) do { s = NULL; if (json_opt_str(&d, 0, key, &s, e) < 0) goto fail; \
		m->field = dup_opt(s); } while (0)
	OPTSTR("id", id);
	OPTSTR("crbox", crbox);
	OPTSTR("kernel", kernel);
	OPTSTR("arch", arch);
	OPTSTR("cgroup", cgroup);
	OPTSTR("cpuinfo", cpuinfo);
#undef OPTSTR
	c = json_opt_obj(&d, 0, "criu", e);
	if (c == -2)
		goto fail;
	if (c >= 0) {
		s = NULL;
		if (json_opt_str(&d, c, "version", &s, e) < 0 ||
		    json_opt_i64(&d, c, "num", &m->criu_num, e) < 0)
			goto fail;
		m->criu = dup_opt(s);
	}
	files = json_opt_arr(&d, 0, "files", e);
	if (files == -2)
		goto fail;
	if (files == -1) {
		err_set(e, EINVAL, "%s: .files: missing", MANIFEST_NAME);
		goto fail;
	}
	if (d.t[files].n > MANIFEST_MAX_FILES) {
		json_err(&d, files, e, "more than %d files", MANIFEST_MAX_FILES);
		goto fail;
	}
	json_for_each(&d, files, i) {
		const char *name, *sha;
		uint64_t size;
		int k;
		char clean[TAR_NAME_MAX];
		if (json_expect(&d, i, JSON_OBJ, e) < 0 || json_req_str(&d, i, "name", &name, e) < 0 ||
		    json_req_str(&d, i, "sha256", &sha, e) < 0)
			goto fail;
		k = json_get(&d, i, "size");
		if (k < 0) {
			json_err(&d, i, e, "size: missing");
			goto fail;
		}
		if (json_u64(&d, k, &size, e) < 0)
			goto fail;
		if (strlen(name) >= sizeof clean) {
			json_err(&d, json_get(&d, i, "name"), e, "name too long");
			goto fail;
		}
		strcpy(clean, name);
		if (tar_name_clean(clean, e) < 0 || strcmp(clean, name) || !strcmp(name, ".") ||
		    !strcmp(name, MANIFEST_NAME)) {
			json_err(&d, json_get(&d, i, "name"), e, "bad member name \"%s\"", name);
			goto fail;
		}
		if (!hex64(sha)) {
			json_err(&d, json_get(&d, i, "sha256"), e, "not a SHA-256 in lowercase hex");
			goto fail;
		}
		if (manifest_find(m, name) >= 0) {
			json_err(&d, json_get(&d, i, "name"), e, "\"%s\" listed twice", name);
			goto fail;
		}
		manifest_add(m, name, size, sha);
	}
	if (m->cpuinfo && manifest_find(m, m->cpuinfo) < 0) {
		err_set(e, EINVAL, "%s: .cpuinfo names %s, which is not in .files", MANIFEST_NAME,
			m->cpuinfo);
		goto fail;
	}
	json_free(&d);
	return 0;
fail:
	json_free(&d);
	manifest_free(m);
	return -1;
}

void manifest_free(struct manifest *m)
{
	size_t i;
	for (i = 0; i < m->nfiles; i++)
		free(m->files[i].name);
	free(m->files);
	free(m->id);
	free(m->crbox);
	free(m->criu);
	free(m->kernel);
	free(m->arch);
	free(m->cgroup);
	free(m->cpuinfo);
	memset(m, 0, sizeof *m);
}
