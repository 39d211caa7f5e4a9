/* spec: load and validate config.json into struct spec (see spec.h). The checks mirror runc
 * 1.1's (process/cwd/args, root, namespace types, bind mounts) and OCI's field types; every
 * error names config.json and the JSON path of the offending value. */
#include "spec.h"
#include "buf.h"
#include "fmt.h"
#include "oci/spec_res.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

const struct spec_nstype spec_nstypes[SPEC_NS_N] = {
	{ "network", "NEWNET", "net", CLONE_NEWNET },
	{ "pid", "NEWPID", "pid", CLONE_NEWPID },
	{ "mount", "NEWNS", "mnt", CLONE_NEWNS },
	{ "uts", "NEWUTS", "uts", CLONE_NEWUTS },
	{ "ipc", "NEWIPC", "ipc", CLONE_NEWIPC },
	{ "user", "NEWUSER", "user", CLONE_NEWUSER },
	{ "cgroup", "NEWCGROUP", "cgroup", CLONE_NEWCGROUP },
	{ "time", "NEWTIME", "time", CLONE_NEWTIME },
};

const char *const spec_hook_names[SPEC_HOOK_N] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

const struct spec_nstype *spec_nstype_find(const char *oci)
{
	for (int i = 0; i < SPEC_NS_N; i++)
		if (!strcmp(spec_nstypes[i].oci, oci))
			return &spec_nstypes[i];
	return NULL;
}

char *spec_path_join(const char *base, const char *rel)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	const char *p, *q;
	int abs;

	if (base && *base)
		buf_adds(&in, base);
	if (rel && *rel) {
		if (in.len)
			buf_addc(&in, '/');
		buf_adds(&in, rel);
	}
	if (!in.len) {
		buf_free(&in);
		return xstrdup("");
	}
	abs = in.p[0] == '/';
	if (abs)
		buf_addc(&out, '/');
	size_t floor = out.len;      /* ".." never climbs above this (root or leading ".."s) */
	for (p = in.p; *p; p = q) {
		while (*p == '/')
			p++;
		for (q = p; *q && *q != '/'; q++)
			;
		size_t n = (size_t)(q - p);
		if (!n || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (out.len > floor) {
				while (out.len > floor && out.p[out.len - 1] != '/')
					out.len--;
				if (out.len > floor)
					out.len--;      /* the separator */
				out.p[out.len] = 0;
				continue;
			}
			if (abs)
				continue;
			if (out.len)
				buf_addc(&out, '/');
			buf_adds(&out, "..");
			floor = out.len;
			continue;
		}
		if (out.len && out.p[out.len - 1] != '/')
			buf_addc(&out, '/');
		buf_add(&out, p, n);
	}
	buf_free(&in);
	if (!out.len)
		buf_addc(&out, '.');
	return buf_take(&out);
}

/* Records a heap string as owned by s and returns it. */
static const char *own(struct spec *s, char *p)
{
	s->owned = xrealloc(s->owned, (s->nowned + 1) * sizeof *s->owned);
	s->owned[s->nowned++] = p;
	return p;
}

/* "config.json: <path of obj>.<key>: <msg>" for a required member that is missing. */
static int err_missing(const struct json_doc *d, int obj, const char *key, struct err *e,
		       const char *msg)
{
	struct err t;
	size_t n;

	json_err(d, obj, &t, "%s", "");
	n = strlen(t.msg);
	if (n >= 2 && t.msg[n - 2] == ':')
		t.msg[n -= 2] = 0;
	if (n >= 3 && !strcmp(t.msg + n - 3, ": ."))
		t.msg[n - 1] = 0;      /* the root: ".key", not "..key" */
	return err_set(e, EINVAL, "%s.%s: %s", t.msg, key, msg);
}

/* Reads an optional array of strings into a heap array (NULL-terminated). */
static int str_array(const struct json_doc *d, int obj, const char *key, const char ***out,
		     size_t *n, struct err *e)
{
	int a = json_opt_arr(d, obj, key, e), i;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (a == -2)
		return -1;
	if (a < 0)
		return 0;
	*out = xcalloc((size_t)d->t[a].n + 1, sizeof **out);
	json_for_each(d, a, i)
		if (json_str(d, i, &(*out)[k++], e) < 0)
			return -1;
	*n = k;
	return 0;
}

static int get_u32(const struct json_doc *d, int obj, const char *key, uint32_t *out,
		   struct err *e)
{
	uint64_t v = *out;
	if (json_opt_u64(d, obj, key, &v, e) < 0)
		return -1;
	if (v > UINT32_MAX)
		return json_err(d, json_get(d, obj, key), e, "integer out of range");
	*out = (uint32_t)v;
	return 0;
}

static int has(const struct json_doc *d, int obj, const char *key)
{
	int i = json_get(d, obj, key);
	return i >= 0 && d->t[i].type != JSON_NULL;
}

static int load_process(struct spec *s, struct err *e)
{
	const struct json_doc *d = &s->doc;
	int p = json_opt_obj(d, 0, "process", e), u;

	if (p == -2)
		return -1;
	if (p < 0)
		return err_missing(d, 0, "process", e, "process property must not be empty");
	if (json_opt_bool(d, p, "terminal", &s->terminal, e) < 0)
		return -1;
	s->cwd = "";
	if (json_opt_str(d, p, "cwd", &s->cwd, e) < 0)
		return -1;
	if (!*s->cwd)
		return err_missing(d, p, "cwd", e, "Cwd property must not be empty");
	if (s->cwd[0] != '/')
		return json_err(d, json_get(d, p, "cwd"), e, "Cwd must be an absolute path");
	if (str_array(d, p, "args", &s->args, &s->nargs, e) < 0)
		return -1;
	if (!s->nargs)
		return err_missing(d, p, "args", e, "args must not be empty");
	u = json_opt_obj(d, p, "user", e);
	if (u == -2)
		return -1;
	if (u >= 0 && (get_u32(d, u, "uid", &s->uid, e) < 0 || get_u32(d, u, "gid", &s->gid, e) < 0))
		return -1;
	return 0;
}

static int load_root(struct spec *s, struct err *e)
{
	const struct json_doc *d = &s->doc;
	int r = json_opt_obj(d, 0, "root", e);
	const char *path = "";

	if (r == -2)
		return -1;
	if (r < 0)
		return err_missing(d, 0, "root", e, "root must be specified");
	if (json_opt_str(d, r, "path", &path, e) < 0 ||
	    json_opt_bool(d, r, "readonly", &s->root_readonly, e) < 0)
		return -1;
	if (!*path)
		return err_missing(d, r, "path", e, "root path must not be empty");
	s->root_path = path[0] == '/' ? path : own(s, spec_path_join(s->bundle, path));
	return 0;
}

static int has_opt(const struct spec_mount *m, const char *o)
{
	for (size_t i = 0; i < m->noptions; i++)
		if (!strcmp(m->options[i], o))
			return 1;
	return 0;
}

static int load_mounts(struct spec *s, struct err *e)
{
	const struct json_doc *d = &s->doc;
	int a = json_opt_arr(d, 0, "mounts", e), i;
	size_t k = 0;

	if (a == -2)
		return -1;
	if (a < 0)
		return 0;
	s->mounts = xcalloc((size_t)d->t[a].n + 1, sizeof *s->mounts);
	json_for_each(d, a, i) {
		struct spec_mount *m = &s->mounts[k++];
		s->nmounts = k;
		if (json_expect(d, i, JSON_OBJ, e) < 0)
			return -1;
		m->destination = m->type = m->source = "";
		if (json_opt_str(d, i, "destination", &m->destination, e) < 0 ||
		    json_opt_str(d, i, "type", &m->type, e) < 0 ||
		    json_opt_str(d, i, "source", &m->source, e) < 0 ||
		    str_array(d, i, "options", &m->options, &m->noptions, e) < 0)
			return -1;
		if (!*m->destination)
			return err_missing(d, i, "destination", e, "must not be empty");
		m->rbind = has_opt(m, "rbind");
		m->bind = m->rbind || has_opt(m, "bind") || !strcmp(m->type, "bind");
		if (m->bind && m->source[0] != '/')
			m->source = own(s, spec_path_join(s->bundle, m->source));
	}
	return 0;
}

static int load_namespaces(struct spec *s, int lx, struct err *e)
{
	const struct json_doc *d = &s->doc;
	int a = json_opt_arr(d, lx, "namespaces", e), i;
	size_t k = 0;

	if (a == -2)
		return -1;
	if (a < 0)
		return 0;
	s->namespaces = xcalloc((size_t)d->t[a].n + 1, sizeof *s->namespaces);
	json_for_each(d, a, i) {
		struct spec_ns *ns = &s->namespaces[k];
		if (json_expect(d, i, JSON_OBJ, e) < 0 ||
		    json_req_str(d, i, "type", &ns->type, e) < 0 ||
		    json_opt_str(d, i, "path", &ns->path, e) < 0)
			return -1;
		ns->nt = spec_nstype_find(ns->type);
		if (!ns->nt)
			return json_err(d, json_get(d, i, "type"), e, "unknown namespace type \"%s\"",
					ns->type);
		if (ns->path && !*ns->path)
			ns->path = NULL;
		for (size_t j = 0; j < k; j++)
			if (s->namespaces[j].nt == ns->nt)
				return json_err(d, json_get(d, i, "type"), e,
						"duplicated namespace type \"%s\"", ns->type);
		s->nnamespaces = ++k;
	}
	return 0;
}

static int load_devices(struct spec *s, int lx, struct err *e)
{
	const struct json_doc *d = &s->doc;
	int a = json_opt_arr(d, lx, "devices", e), i;
	size_t k = 0;

	if (a == -2)
		return -1;
	if (a < 0)
		return 0;
	s->devices = xcalloc((size_t)d->t[a].n + 1, sizeof *s->devices);
	json_for_each(d, a, i) {
		struct spec_device *v = &s->devices[k];
		const char *type;
		if (json_expect(d, i, JSON_OBJ, e) < 0 ||
		    json_req_str(d, i, "path", &v->path, e) < 0 ||
		    json_req_str(d, i, "type", &type, e) < 0)
			return -1;
		if (!*v->path)
			return json_err(d, json_get(d, i, "path"), e, "must not be empty");
		if (strlen(type) != 1 || !strchr("cbup", type[0]))
			return json_err(d, json_get(d, i, "type"), e, "invalid device type \"%s\"",
					type);
		v->type = type[0];
		if (v->type != 'p') {
			if (!has(d, i, "major"))
				return err_missing(d, i, "major", e, "missing");
			if (!has(d, i, "minor"))
				return err_missing(d, i, "minor", e, "missing");
		}
		v->file_mode = 0666;
		v->has_file_mode = has(d, i, "fileMode");
		if (json_opt_i64(d, i, "major", &v->major, e) < 0 ||
		    json_opt_i64(d, i, "minor", &v->minor, e) < 0 ||
		    get_u32(d, i, "fileMode", &v->file_mode, e) < 0 ||
		    get_u32(d, i, "uid", &v->uid, e) < 0 || get_u32(d, i, "gid", &v->gid, e) < 0)
			return -1;
		if (v->major < 0 || v->minor < 0)
			return json_err(d, json_get(d, i, v->major < 0 ? "major" : "minor"), e,
					"invalid device number");
		s->ndevices = ++k;
	}
	return 0;
}

static int load_idmaps(struct spec *s, int lx, const char *key, struct spec_idmap **out,
		       size_t *n, struct err *e)
{
	const struct json_doc *d = &s->doc;
	int a = json_opt_arr(d, lx, key, e), i;
	static const char *const f[3] = { "containerID", "hostID", "size" };

	if (a == -2)
		return -1;
	if (a < 0)
		return 0;
	*out = xcalloc((size_t)d->t[a].n + 1, sizeof **out);
	json_for_each(d, a, i) {
		struct spec_idmap *m = &(*out)[*n];
		uint32_t *v[3] = { &m->container_id, &m->host_id, &m->size };
		if (json_expect(d, i, JSON_OBJ, e) < 0)
			return -1;
		for (int j = 0; j < 3; j++) {
			if (!has(d, i, f[j]))
				return err_missing(d, i, f[j], e, "missing");
			if (get_u32(d, i, f[j], v[j], e) < 0)
				return -1;
		}
		(*n)++;
	}
	return 0;
}

static int load_linux(struct spec *s, struct err *e)
{
	const struct json_doc *d = &s->doc;
	int lx = json_opt_obj(d, 0, "linux", e);

	if (lx == -2)
		return -1;
	if (lx < 0)
		return 0;
	if (load_namespaces(s, lx, e) < 0 ||
	    json_opt_str(d, lx, "cgroupsPath", &s->cgroups_path, e) < 0 ||
	    spec_res_parse(d, json_opt_obj(d, lx, "resources", e), &s->res, e) < 0 ||
	    load_devices(s, lx, e) < 0 ||
	    str_array(d, lx, "maskedPaths", &s->masked_paths, &s->nmasked_paths, e) < 0 ||
	    str_array(d, lx, "readonlyPaths", &s->readonly_paths, &s->nreadonly_paths, e) < 0 ||
	    json_opt_str(d, lx, "mountLabel", &s->mount_label, e) < 0 ||
	    load_idmaps(s, lx, "uidMappings", &s->uid_mappings, &s->nuid_mappings, e) < 0 ||
	    load_idmaps(s, lx, "gidMappings", &s->gid_mappings, &s->ngid_mappings, e) < 0)
		return -1;
	s->res.linux_devices = s->devices, s->res.nlinux_devices = s->ndevices;
	return 0;
}

static int load_hooks(struct spec *s, struct err *e)
{
	const struct json_doc *d = &s->doc;
	int h = json_opt_obj(d, 0, "hooks", e);

	if (h == -2)
		return -1;
	if (h < 0)
		return 0;
	for (int kind = 0; kind < SPEC_HOOK_N; kind++) {
		int a = json_opt_arr(d, h, spec_hook_names[kind], e), i;
		if (a == -2)
			return -1;
		if (a < 0)
			continue;
		s->hooks[kind] = xcalloc((size_t)d->t[a].n + 1, sizeof *s->hooks[kind]);
		json_for_each(d, a, i) {
			struct spec_hook *k = &s->hooks[kind][s->nhooks[kind]];
			int64_t t = 0;
			if (json_expect(d, i, JSON_OBJ, e) < 0 ||
			    json_req_str(d, i, "path", &k->path, e) < 0 ||
			    str_array(d, i, "args", &k->args, &k->nargs, e) < 0 ||
			    str_array(d, i, "env", &k->env, &k->nenv, e) < 0 ||
			    json_opt_i64(d, i, "timeout", &t, e) < 0)
				return -1;
			if (!*k->path)
				return json_err(d, json_get(d, i, "path"), e, "must not be empty");
			if (has(d, i, "timeout") && (t <= 0 || t > INT_MAX))
				return json_err(d, json_get(d, i, "timeout"), e,
						"timeout must be greater than zero");
			k->timeout = (int)t;
			s->nhooks[kind]++;
		}
	}
	return 0;
}

static int load_annotations(struct spec *s, struct err *e)
{
	const struct json_doc *d = &s->doc;
	int o = json_opt_obj(d, 0, "annotations", e), i;

	if (o == -2)
		return -1;
	if (o < 0)
		return 0;
	s->annotations = xcalloc((size_t)d->t[o].n + 1, sizeof *s->annotations);
	json_for_each(d, o, i) {
		const char *v;
		size_t j;
		if (memchr(d->t[i].key, 0, d->t[i].keylen))
			return json_err(d, i, e, "key contains a NUL character");
		if (json_str(d, i, &v, e) < 0)
			return -1;
		for (j = 0; j < s->nannotations; j++)
			if (!strcmp(s->annotations[j].key, d->t[i].key))
				break;
		s->annotations[j].key = d->t[i].key;
		s->annotations[j].value = v;
		if (j == s->nannotations)
			s->nannotations++;
	}
	return 0;
}

static int load_all(struct spec *s, struct err *e)
{
	const struct json_doc *d = &s->doc;

	if (json_expect(d, 0, JSON_OBJ, e) < 0)
		return -1;
	s->oci_version = "";
	if (json_opt_str(d, 0, "ociVersion", &s->oci_version, e) < 0 ||
	    json_opt_str(d, 0, "hostname", &s->hostname, e) < 0)
		return -1;
	if (load_process(s, e) < 0 || load_root(s, e) < 0 || load_mounts(s, e) < 0 ||
	    load_linux(s, e) < 0 || load_hooks(s, e) < 0 || load_annotations(s, e) < 0)
		return -1;
	return 0;
}

int spec_parse(struct spec *s, char *buf, size_t len, const char *bundle_abs, struct err *e)
{
	memset(s, 0, sizeof *s);
	s->bundle = xstrdup(bundle_abs);
	if (json_parse(&s->doc, "config.json", buf, len, e) < 0 || load_all(s, e) < 0) {
		spec_free(s);
		return -1;
	}
	return 0;
}

int spec_load(struct spec *s, const char *bundle_dir, struct err *e)
{
	int fd;

	memset(s, 0, sizeof *s);
	s->bundle = realpath(bundle_dir, NULL);
	if (!s->bundle)
		return err_sys(e, "bundle %s", bundle_dir);
	fd = open(s->bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err_sys(e, "open bundle %s", s->bundle);
		goto fail;
	}
	/* json_load follows symlinks, as runc's os.Open does. */
	if (json_load(&s->doc, fd, "config.json", "config.json", e) < 0) {
		if (e->no == ENOENT)
			err_set(e, ENOENT, "JSON specification file config.json not found");
		close(fd);
		goto fail;
	}
	close(fd);
	if (load_all(s, e) < 0)
		goto fail;
	return 0;
fail:
	spec_free(s);
	return -1;
}

void spec_free(struct spec *s)
{
	size_t i;

	for (i = 0; i < s->nowned; i++)
		free(s->owned[i]);
	free(s->owned);
	free(s->bundle);
	free(s->args);
	for (i = 0; i < s->nmounts; i++)
		free(s->mounts[i].options);
	free(s->mounts);
	free(s->namespaces);
	spec_res_free(&s->res);
	free(s->devices);
	free(s->masked_paths);
	free(s->readonly_paths);
	free(s->uid_mappings);
	free(s->gid_mappings);
	for (int k = 0; k < SPEC_HOOK_N; k++) {
		for (i = 0; i < s->nhooks[k]; i++) {
			free(s->hooks[k][i].args);
			free(s->hooks[k][i].env);
		}
		/* a hook that failed validation may hold arrays past nhooks */
		if (s->hooks[k]) {
			free(s->hooks[k][s->nhooks[k]].args);
			free(s->hooks[k][s->nhooks[k]].env);
		}
		free(s->hooks[k]);
	}
	free(s->annotations);
	json_free(&s->doc);
	memset(s, 0, sizeof *s);
}

const struct spec_ns *spec_ns_find(const struct spec *s, const char *type)
{
	for (size_t i = 0; i < s->nnamespaces; i++)
		if (!strcmp(s->namespaces[i].type, type))
			return &s->namespaces[i];
	return NULL;
}

int spec_has_ns(const struct spec *s, const char *type)
{
	return spec_ns_find(s, type) != NULL;
}

const char *spec_annotation(const struct spec *s, const char *key)
{
	for (size_t i = 0; i < s->nannotations; i++)
		if (!strcmp(s->annotations[i].key, key))
			return s->annotations[i].value;
	return NULL;
}

const char *spec_rootfs(const struct spec *s)
{
	return s->root_path;
}
