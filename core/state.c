/* state: <root>/<id>/ state directories (create/open with flock, atomic state.json, safe
 * recursive removal, listing), state.json (de)serialization, the OCI status from
 * /proc/<pid>/stat, and the OCI state JSON runc prints (see state.h). */
#include "state.h"
#include "state/busy.h"
#include "proc.h"
#include "fmt.h"
#include "json.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>      /* renameat only (a plain syscall wrapper) */
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 8
#endif
#ifndef AT_NO_AUTOMOUNT
#define AT_NO_AUTOMOUNT 0x800
#endif

/* ---- struct state helpers ---- */

static char *dupn(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_kv(struct state_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void state_free(struct state *st)
{
	size_t i;

	free(st->id);
	free(st->created);
	free(st->bundle);
	free(st->rootfs);
	free(st->oci_version);
	free_kv(st->annotations, st->nannotations);
	free_kv(st->cgroup_paths, st->ncgroup_paths);
	free_kv(st->ns_paths, st->nns_paths);
	for (i = 0; i < 3; i++)
		free(st->ext_desc[i]);
	free(st->cgroups_path);
	for (i = 0; i < st->nnamespaces; i++) {
		free(st->namespaces[i].type);
		free(st->namespaces[i].path);
	}
	free(st->namespaces);
	for (i = 0; i < st->nmounts; i++) {
		free(st->mounts[i].destination);
		free(st->mounts[i].type);
		free(st->mounts[i].source);
	}
	free(st->mounts);
	free_strv(st->masked_paths, st->nmasked_paths);
	free_strv(st->readonly_paths, st->nreadonly_paths);
	free_strv(st->device_paths, st->ndevice_paths);
	for (i = 0; i < st->npoststop; i++) {
		free(st->poststop[i].path);
		free_strv(st->poststop[i].args, st->poststop[i].nargs);
		free_strv(st->poststop[i].env, st->poststop[i].nenv);
	}
	free(st->poststop);
	memset(st, 0, sizeof *st);
}

void state_kv_set(struct state_kv **kv, size_t *n, const char *key, const char *value)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*kv)[i].key, key)) {
			free((*kv)[i].value);
			(*kv)[i].value = xstrdup(value);
			return;
		}
	*kv = xrealloc(*kv, (*n + 1) * sizeof **kv);
	(*kv)[*n].key = xstrdup(key);
	(*kv)[*n].value = xstrdup(value);
	(*n)++;
}

const char *state_kv_get(const struct state_kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

static char **dup_strv(const char *const *v, size_t n)
{
	char **r = xcalloc(n + 1, sizeof *r);
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

void state_from_spec(struct state *st, const struct spec *s, const char *id)
{
	size_t i;

	if (id && !st->id)
		st->id = xstrdup(id);
	st->bundle = xstrdup(s->bundle);
	st->rootfs = xstrdup(s->root_path);
	st->oci_version = xstrdup(s->oci_version);
	for (i = 0; i < s->nannotations; i++)
		state_kv_set(&st->annotations, &st->nannotations, s->annotations[i].key,
			     s->annotations[i].value);
	st->terminal = s->terminal;
	st->rootfs_readonly = s->root_readonly;
	st->cgroups_path = dupn(s->cgroups_path);
	st->namespaces = xcalloc(s->nnamespaces + 1, sizeof *st->namespaces);
	for (i = 0; i < s->nnamespaces; i++) {
		st->namespaces[i].type = xstrdup(s->namespaces[i].type);
		st->namespaces[i].path = dupn(s->namespaces[i].path);
	}
	st->nnamespaces = s->nnamespaces;
	st->mounts = xcalloc(s->nmounts + 1, sizeof *st->mounts);
	for (i = 0; i < s->nmounts; i++) {
		st->mounts[i].destination = xstrdup(s->mounts[i].destination);
		st->mounts[i].type = xstrdup(s->mounts[i].type);
		st->mounts[i].source = xstrdup(s->mounts[i].source);
		st->mounts[i].bind = s->mounts[i].bind;
	}
	st->nmounts = s->nmounts;
	st->masked_paths = dup_strv(s->masked_paths, s->nmasked_paths);
	st->nmasked_paths = s->nmasked_paths;
	st->readonly_paths = dup_strv(s->readonly_paths, s->nreadonly_paths);
	st->nreadonly_paths = s->nreadonly_paths;
	st->device_paths = xcalloc(s->ndevices + 1, sizeof *st->device_paths);
	for (i = 0; i < s->ndevices; i++)
		st->device_paths[i] = xstrdup(s->devices[i].path);
	st->ndevice_paths = s->ndevices;
	const struct spec_hook *h = s->hooks[SPEC_HOOK_POSTSTOP];
	st->npoststop = s->nhooks[SPEC_HOOK_POSTSTOP];
	st->poststop = xcalloc(st->npoststop + 1, sizeof *st->poststop);
	for (i = 0; i < st->npoststop; i++) {
		st->poststop[i].path = xstrdup(h[i].path);
		st->poststop[i].args = dup_strv(h[i].args, h[i].nargs);
		st->poststop[i].nargs = h[i].nargs;
		st->poststop[i].env = dup_strv(h[i].env, h[i].nenv);
		st->poststop[i].nenv = h[i].nenv;
		st->poststop[i].has_env = h[i].env != NULL;
		st->poststop[i].timeout = h[i].timeout;
	}
}

/* ---- directories and locks ---- */

int state_id_ok(const char *id, struct err *e)
{
	if (!id || !*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, ".."))
		return err_set(e, EINVAL, "invalid container id \"%s\"", id ? id : "");
	return 0;
}

int state_root_open(const char *root, int create, struct err *e)
{
	int fd;

	if (!root || !*root)
		return err_set(e, EINVAL, "empty state root");
	if (create) {
		char *p = xstrdup(root);
		for (char *s = p + 1;; s++) {
			if (*s && *s != '/')
				continue;
			char c = *s;
			*s = 0;
			if (mkdir(p, 0700) < 0 && errno != EEXIST) {
				err_sys(e, "mkdir %s", p);
				free(p);
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
		free(p);
	}
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, "open %s", root);
	return fd;
}

static int lock_fd(int fd, enum state_lock lock, const char *id, struct err *e)
{
	int op = lock == STATE_LOCK_EX ? LOCK_EX : LOCK_SH;

	if (lock == STATE_LOCK_NONE)
		return 0;
	while (flock(fd, op) < 0)
		if (errno != EINTR)
			return err_sys(e, "lock state directory %s", id);
	return 0;
}

int state_create(int rootfd, const char *id, struct err *e)
{
	int fd;

	if (state_id_ok(id, e) < 0)
		return -1;
	if (mkdirat(rootfd, id, 0711) < 0) {
		if (errno == EEXIST)
			return err_set(e, EEXIST, "container with given ID already exists");
		return err_sys(e, "mkdir state directory %s", id);
	}
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err_sys(e, "open state directory %s", id);
		unlinkat(rootfd, id, AT_REMOVEDIR);
		return -1;
	}
	if (fchmod(fd, 0711) < 0) {
		err_sys(e, "chmod state directory %s", id);
		goto fail;
	}
	if (lock_fd(fd, STATE_LOCK_EX, id, e) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	unlinkat(rootfd, id, AT_REMOVEDIR);
	return -1;
}

int state_open(int rootfd, const char *id, enum state_lock lock, struct err *e)
{
	struct stat sb;

	if (state_id_ok(id, e) < 0)
		return -1;
	/* A directory destroyed while we waited for its lock has no links left: reopen, in
	 * case the id was created again meanwhile. */
	for (int tries = 0; tries < 8; tries++) {
		int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				return err_set(e, ENOENT, "container does not exist");
			if (errno == ELOOP || errno == ENOTDIR)
				return err_set(e, ENOTDIR, "state directory %s is not a directory", id);
			return err_sys(e, "open state directory %s", id);
		}
		if (lock_fd(fd, lock, id, e) < 0) {
			close(fd);
			return -1;
		}
		if (fstat(fd, &sb) < 0) {
			err_sys(e, "stat state directory %s", id);
			close(fd);
			return -1;
		}
		if (sb.st_nlink > 0)
			return fd;
		close(fd);
	}
	return err_set(e, ENOENT, "container does not exist");
}

/* ---- state.json ---- */

static void jw_strv(struct jw *w, const char *k, char *const *v, size_t n)
{
	jw_key(w, k);
	jw_arr(w);
	for (size_t i = 0; i < n; i++)
		jw_str(w, v[i]);
	jw_end(w);
}

static void jw_kvobj(struct jw *w, const char *k, const struct state_kv *kv, size_t n)
{
	jw_key(w, k);
	jw_obj(w);
	for (size_t i = 0; i < n; i++)
		jw_kstr(w, kv[i].key, kv[i].value);
	jw_end(w);
}

void state_to_json(const struct state *st, struct buf *b)
{
	struct jw w;
	size_t i;

	jw_init(&w, b, 0);
	jw_obj(&w);
	jw_ki64(&w, "crbox_state_version", STATE_VERSION);
	jw_kstr(&w, "id", st->id ? st->id : "");
	jw_ki64(&w, "init_process_pid", st->pid);
	jw_ku64(&w, "init_process_start", st->start_time);
	jw_kstr(&w, "created", st->created ? st->created : "");
	jw_kstr(&w, "bundle", st->bundle ? st->bundle : "");
	jw_kstr(&w, "rootfs", st->rootfs ? st->rootfs : "");
	jw_kstr(&w, "oci_version", st->oci_version ? st->oci_version : "");
	jw_kvobj(&w, "annotations", st->annotations, st->nannotations);
	jw_kvobj(&w, "cgroup_paths", st->cgroup_paths, st->ncgroup_paths);
	jw_kvobj(&w, "namespace_paths", st->ns_paths, st->nns_paths);
	if (st->ext_desc[0] && st->ext_desc[1] && st->ext_desc[2])
		jw_strv(&w, "external_descriptors", st->ext_desc, 3);
	jw_key(&w, "config");
	jw_obj(&w);
	jw_kbool(&w, "terminal", st->terminal);
	jw_kbool(&w, "rootfs_readonly", st->rootfs_readonly);
	if (st->cgroups_path)
		jw_kstr(&w, "cgroups_path", st->cgroups_path);
	jw_key(&w, "namespaces");
	jw_arr(&w);
	for (i = 0; i < st->nnamespaces; i++) {
		jw_obj(&w);
		jw_kstr(&w, "type", st->namespaces[i].type);
		if (st->namespaces[i].path)
			jw_kstr(&w, "path", st->namespaces[i].path);
		jw_end(&w);
	}
	jw_end(&w);
	jw_key(&w, "mounts");
	jw_arr(&w);
	for (i = 0; i < st->nmounts; i++) {
		jw_obj(&w);
		jw_kstr(&w, "destination", st->mounts[i].destination);
		jw_kstr(&w, "type", st->mounts[i].type);
		jw_kstr(&w, "source", st->mounts[i].source);
		jw_kbool(&w, "bind", st->mounts[i].bind);
		jw_end(&w);
	}
	jw_end(&w);
	jw_strv(&w, "masked_paths", st->masked_paths, st->nmasked_paths);
	jw_strv(&w, "readonly_paths", st->readonly_paths, st->nreadonly_paths);
	jw_strv(&w, "device_paths", st->device_paths, st->ndevice_paths);
	jw_key(&w, "poststop");
	jw_arr(&w);
	for (i = 0; i < st->npoststop; i++) {
		const struct state_hook *h = &st->poststop[i];
		jw_obj(&w);
		jw_kstr(&w, "path", h->path);
		jw_strv(&w, "args", h->args, h->nargs);
		if (h->has_env)
			jw_strv(&w, "env", h->env, h->nenv);
		if (h->timeout)
			jw_ki64(&w, "timeout", h->timeout);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
}

int state_write(int dirfd, const struct state *st, struct err *e)
{
	struct buf b = BUF_INIT;
	struct timespec ts;
	char tmp[64];
	int fd = -1, rc = -1;

	state_to_json(st, &b);
	for (int tries = 0; fd < 0; tries++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		fmt_sn(tmp, sizeof tmp, "state-%d-%lx.tmp", (int)getpid(),
		       (unsigned long)(ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 30) ^ tries));
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && (errno != EEXIST || tries == 16)) {
			err_sys(e, "create %s", tmp);
			goto out;
		}
	}
	if (fchmod(fd, 0600) < 0 || write_all(fd, b.p, b.len) < 0) {
		err_sys(e, "write %s", tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		err_sys(e, "write %s", tmp);
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, "state.json") < 0) {
		err_sys(e, "rename %s to state.json", tmp);
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
out:
	buf_free(&b);
	return rc;
}

static int rd_str(const struct json_doc *d, int obj, const char *key, char **out, int req,
		  struct err *e)
{
	const char *s = NULL;
	if (req ? json_req_str(d, obj, key, &s, e) < 0 : json_opt_str(d, obj, key, &s, e) < 0)
		return -1;
	*out = dupn(s);
	return 0;
}

static int rd_strv(const struct json_doc *d, int obj, const char *key, char ***out, size_t *n,
		   struct err *e)
{
	int a = json_opt_arr(d, obj, key, e), i;
	if (a == -2)
		return -1;
	*out = xcalloc(a < 0 ? 1 : (size_t)d->t[a].n + 1, sizeof **out);
	if (a < 0)
		return 0;
	json_for_each(d, a, i) {
		const char *s;
		if (json_str(d, i, &s, e) < 0)
			return -1;
		(*out)[(*n)++] = xstrdup(s);
	}
	return 0;
}

static int rd_kv(const struct json_doc *d, int obj, const char *key, struct state_kv **kv,
		 size_t *n, struct err *e)
{
	int o = json_opt_obj(d, obj, key, e), i;
	if (o == -2)
		return -1;
	if (o < 0)
		return 0;
	json_for_each(d, o, i) {
		const char *v;
		if (memchr(d->t[i].key, 0, d->t[i].keylen))
			return json_err(d, i, e, "key contains a NUL character");
		if (json_str(d, i, &v, e) < 0)
			return -1;
		state_kv_set(kv, n, d->t[i].key, v);
	}
	return 0;
}

static int rd_config(const struct json_doc *d, int c, struct state *st, struct err *e)
{
	int a, i;

	if (json_opt_bool(d, c, "terminal", &st->terminal, e) < 0 ||
	    json_opt_bool(d, c, "rootfs_readonly", &st->rootfs_readonly, e) < 0 ||
	    rd_str(d, c, "cgroups_path", &st->cgroups_path, 0, e) < 0)
		return -1;
	if ((a = json_opt_arr(d, c, "namespaces", e)) == -2)
		return -1;
	st->namespaces = xcalloc(a < 0 ? 1 : (size_t)d->t[a].n + 1, sizeof *st->namespaces);
	if (a >= 0)
		json_for_each(d, a, i) {
			struct state_ns *ns = &st->namespaces[st->nnamespaces++];
			if (json_expect(d, i, JSON_OBJ, e) < 0 ||
			    rd_str(d, i, "type", &ns->type, 1, e) < 0 ||
			    rd_str(d, i, "path", &ns->path, 0, e) < 0)
				return -1;
			if (!spec_nstype_find(ns->type))
				return json_err(d, json_get(d, i, "type"), e,
						"unknown namespace type \"%s\"", ns->type);
		}
	if ((a = json_opt_arr(d, c, "mounts", e)) == -2)
		return -1;
	st->mounts = xcalloc(a < 0 ? 1 : (size_t)d->t[a].n + 1, sizeof *st->mounts);
	if (a >= 0)
		json_for_each(d, a, i) {
			struct state_mount *m = &st->mounts[st->nmounts++];
			if (json_expect(d, i, JSON_OBJ, e) < 0 ||
			    rd_str(d, i, "destination", &m->destination, 1, e) < 0 ||
			    rd_str(d, i, "type", &m->type, 1, e) < 0 ||
			    rd_str(d, i, "source", &m->source, 1, e) < 0 ||
			    json_opt_bool(d, i, "bind", &m->bind, e) < 0)
				return -1;
		}
	if (rd_strv(d, c, "masked_paths", &st->masked_paths, &st->nmasked_paths, e) < 0 ||
	    rd_strv(d, c, "readonly_paths", &st->readonly_paths, &st->nreadonly_paths, e) < 0 ||
	    rd_strv(d, c, "device_paths", &st->device_paths, &st->ndevice_paths, e) < 0)
		return -1;
	if ((a = json_opt_arr(d, c, "poststop", e)) == -2)
		return -1;
	st->poststop = xcalloc(a < 0 ? 1 : (size_t)d->t[a].n + 1, sizeof *st->poststop);
	if (a >= 0)
		json_for_each(d, a, i) {
			struct state_hook *h = &st->poststop[st->npoststop++];
			int64_t t = 0;
			if (json_expect(d, i, JSON_OBJ, e) < 0 ||
			    rd_str(d, i, "path", &h->path, 1, e) < 0 ||
			    rd_strv(d, i, "args", &h->args, &h->nargs, e) < 0 ||
			    rd_strv(d, i, "env", &h->env, &h->nenv, e) < 0 ||
			    json_opt_i64(d, i, "timeout", &t, e) < 0)
				return -1;
			h->has_env = json_get(d, i, "env") >= 0;
			if (t < 0 || t > 0x7fffffff)
				return json_err(d, json_get(d, i, "timeout"), e, "out of range");
			h->timeout = (int)t;
		}
	return 0;
}

static int rd_state(const struct json_doc *d, struct state *st, struct err *e)
{
	int64_t ver = -1, pid = -1;
	int i, c;

	if (json_expect(d, 0, JSON_OBJ, e) < 0)
		return -1;
	if ((i = json_get(d, 0, "crbox_state_version")) < 0)
		return json_err(d, 0, e, "not a crbox state file (no crbox_state_version)");
	if (json_i64(d, i, &ver, e) < 0)
		return -1;
	if (ver != STATE_VERSION)
		return json_err(d, i, e, "unsupported state version %lld (this crbox reads %d)",
				(long long)ver, STATE_VERSION);
	if (rd_str(d, 0, "id", &st->id, 1, e) < 0)
		return -1;
	if (state_id_ok(st->id, e) < 0)
		return json_err(d, json_get(d, 0, "id"), e, "invalid container id");
	if ((i = json_get(d, 0, "init_process_pid")) < 0)
		return json_err(d, 0, e, "init_process_pid missing");
	if (json_i64(d, i, &pid, e) < 0)
		return -1;
	if (pid < 0 || pid > 0x7fffffff)
		return json_err(d, i, e, "pid out of range");
	st->pid = (int)pid;
	if ((i = json_get(d, 0, "init_process_start")) < 0)
		return json_err(d, 0, e, "init_process_start missing");
	if (json_u64(d, i, &st->start_time, e) < 0 ||
	    rd_str(d, 0, "created", &st->created, 1, e) < 0 ||
	    rd_str(d, 0, "bundle", &st->bundle, 1, e) < 0 ||
	    rd_str(d, 0, "rootfs", &st->rootfs, 1, e) < 0 ||
	    rd_str(d, 0, "oci_version", &st->oci_version, 0, e) < 0 ||
	    rd_kv(d, 0, "annotations", &st->annotations, &st->nannotations, e) < 0 ||
	    rd_kv(d, 0, "cgroup_paths", &st->cgroup_paths, &st->ncgroup_paths, e) < 0 ||
	    rd_kv(d, 0, "namespace_paths", &st->ns_paths, &st->nns_paths, e) < 0)
		return -1;
	if (!st->oci_version)
		st->oci_version = xstrdup("");
	int a = json_opt_arr(d, 0, "external_descriptors", e);
	if (a == -2)
		return -1;
	if (a >= 0) {
		int k = 0;
		if (d->t[a].n != 3)
			return json_err(d, a, e, "expected 3 strings, got %d values", d->t[a].n);
		json_for_each(d, a, i) {
			const char *s;
			if (json_str(d, i, &s, e) < 0)
				return -1;
			st->ext_desc[k++] = xstrdup(s);
		}
	}
	c = json_opt_obj(d, 0, "config", e);
	if (c == -2)
		return -1;
	if (c < 0) {
		st->namespaces = xcalloc(1, sizeof *st->namespaces);
		st->mounts = xcalloc(1, sizeof *st->mounts);
		st->masked_paths = xcalloc(1, sizeof *st->masked_paths);
		st->readonly_paths = xcalloc(1, sizeof *st->readonly_paths);
		st->device_paths = xcalloc(1, sizeof *st->device_paths);
		st->poststop = xcalloc(1, sizeof *st->poststop);
		return 0;
	}
	return rd_config(d, c, st, e);
}

/* Reads a whole file opened with O_NOFOLLOW relative to dirfd. */
static char *read_small(int dirfd, const char *name, size_t *len, struct err *e)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	ssize_t r;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return err_sys(e, "open %s", name), NULL;
	for (;;) {
		r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_sys(e, "read %s", name);
			goto fail;
		}
		if (!r)
			break;
		buf_add(&b, chunk, (size_t)r);
		if (b.len > JSON_MAX_SIZE) {
			err_set(e, EFBIG, "%s: too large", name);
			goto fail;
		}
	}
	close(fd);
	*len = b.len;
	if (!b.p)
		buf_addc(&b, 0), b.len = 0;
	return buf_take(&b);
fail:
	close(fd);
	buf_free(&b);
	return NULL;
}

int state_parse(struct state *st, char *buf, size_t len, struct err *e)
{
	struct json_doc d;
	int rc;

	memset(st, 0, sizeof *st);
	if (json_parse(&d, "state.json", buf, len, e) < 0)
		return -1;
	rc = rd_state(&d, st, e);
	json_free(&d);
	if (rc < 0)
		state_free(st);
	return rc;
}

int state_read(int dirfd, struct state *st, struct err *e)
{
	size_t len = 0;
	char *buf;
	int rc;

	memset(st, 0, sizeof *st);
	buf = read_small(dirfd, "state.json", &len, e);
	if (!buf) {
		if (e->no == ENOENT)
			err_set(e, ENOENT, "container does not exist");
		return -1;
	}
	rc = state_parse(st, buf, len, e);
	free(buf);
	return rc;
}

/* ---- removal ---- */

/* The kernel's struct statx, only the parts used here (layout is ABI). */
struct st_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad0;
	uint64_t ino, size, blocks, attributes_mask;
	uint64_t times[8];
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t mnt_id;
	uint64_t spare[13];
};
#define ST_STATX_MNT_ID 0x1000u

/* The mount id of dirfd/name (name "" for dirfd itself), or 0 when the kernel cannot say. */
static uint64_t mnt_id(int dirfd, const char *name)
{
	struct st_statx sx;
	int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (*name ? 0 : AT_EMPTY_PATH);

	memset(&sx, 0, sizeof sx);
	if (syscall(SYS_statx, dirfd, name, flags, ST_STATX_MNT_ID, &sx) < 0 ||
	    !(sx.mask & ST_STATX_MNT_ID))
		return 0;
	return sx.mnt_id;
}

/* 1 if the directory dirfd/name is a mount point (another mount than dirfd's). */
static int is_mountpoint(int dirfd, const char *name, const struct stat *parent)
{
	struct stat sb;
	uint64_t a = mnt_id(dirfd, ""), b = mnt_id(dirfd, name);

	if (a && b)
		return a != b;
	return fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && sb.st_dev != parent->st_dev;
}

/* Lists the names in directory fd (through a fresh open file description). */
static int list_names(int fd, char ***names, size_t *n, int dirs_only, struct err *e)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *dir;

	*names = NULL;
	*n = 0;
	if (dfd < 0)
		return err_sys(e, "open directory");
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return err_sys(e, "open directory");
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (dirs_only) {
			struct stat sb;
			if (de->d_type == DT_UNKNOWN) {
				if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
				    !S_ISDIR(sb.st_mode))
					continue;
			} else if (de->d_type != DT_DIR) {
				continue;
			}
		}
		*names = xrealloc(*names, (*n + 1) * sizeof **names);
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	if (errno) {
		err_sys(e, "read directory");
		closedir(dir);
		state_list_free(*names, *n);
		*names = NULL;
		*n = 0;
		return -1;
	}
	closedir(dir);
	return 0;
}

static int rm_tree(int fd, const char *path, int depth, struct err *e);

static int rm_entry(int fd, const char *path, const char *name, const struct stat *self,
		    int depth, struct err *e)
{
	struct stat sb;
	char mp[64];
	int sub, rc, tries;

	if (fstatat(fd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, "stat %s/%s", path, name);
	}
	if (!S_ISDIR(sb.st_mode)) {
		if (unlinkat(fd, name, 0) < 0 && errno != ENOENT)
			return err_sys(e, "remove %s/%s", path, name);
		return 0;
	}
	/* Never descend into a mount (a leftover criu-root is the container's rootfs). */
	for (tries = 0; is_mountpoint(fd, name, self); tries++) {
		fmt_sn(mp, sizeof mp, "/proc/self/fd/%d/", fd);
		char *full = fmt_alloc("%s%s", mp, name);
		rc = umount2(full, MNT_DETACH | UMOUNT_NOFOLLOW);
		free(full);
		if (rc < 0 || tries == 32)
			return err_sys(e, "%s/%s is a mount point; unmount", path, name);
	}
	if (depth >= 64)
		return err_set(e, ELOOP, "%s/%s: directories nested too deep", path, name);
	sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return err_sys(e, "open %s/%s", path, name);
	char *subpath = fmt_alloc("%s/%s", path, name);
	rc = rm_tree(sub, subpath, depth + 1, e);
	free(subpath);
	close(sub);
	if (rc < 0)
		return -1;
	if (unlinkat(fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return err_sys(e, "remove %s/%s", path, name);
	return 0;
}

/* Empties directory fd (path is for messages). */
static int rm_tree(int fd, const char *path, int depth, struct err *e)
{
	struct stat self;
	char **names;
	size_t n, i;
	int rc = 0;

	if (fstat(fd, &self) < 0)
		return err_sys(e, "stat %s", path);
	if (list_names(fd, &names, &n, 0, e) < 0)
		return err_wrap(e, "%s", path);
	for (i = 0; i < n && rc == 0; i++)
		rc = rm_entry(fd, path, names[i], &self, depth, e);
	state_list_free(names, n);
	return rc;
}

int state_destroy(int rootfd, const char *id, int dirfd, struct err *e)
{
	struct stat a, b;
	int fd = dirfd, rc = -1;

	if (state_id_ok(id, e) < 0)
		return -1;
	if (fd < 0) {
		fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				return 0;
			return err_sys(e, "open state directory %s", id);
		}
	}
	if (fstat(fd, &a) < 0) {
		err_sys(e, "stat state directory %s", id);
		goto out;
	}
	if (fstatat(rootfd, id, &b, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			rc = 0;        /* removed already (by whoever held the lock before us) */
		else
			err_sys(e, "stat state directory %s", id);
		goto out;
	}
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		err_set(e, EBUSY, "state directory %s was replaced; not removing it", id);
		goto out;
	}
	if (rm_tree(fd, id, 0, e) < 0)
		goto out;
	if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		err_sys(e, "remove state directory %s", id);
		goto out;
	}
	rc = 0;
out:
	if (fd != dirfd)
		close(fd);
	return rc;
}

/* ---- listing ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list(int rootfd, char ***ids, size_t *n, struct err *e)
{
	if (list_names(rootfd, ids, n, 1, e) < 0)
		return err_wrap(e, "list state root");
	if (*n)
		qsort(*ids, *n, sizeof **ids, cmp_str);
	return 0;
}

void state_list_free(char **ids, size_t n)
{
	free_strv(ids, n);
}

/* ---- status ---- */

int state_alive(const struct state *st)
{
	return proc_alive(st->pid, st->start_time);
}

const char *state_status(const struct state *st, int dirfd, int frozen)
{
	char op[32];

	if (dirfd >= 0 && busy_held(dirfd, op, sizeof op, NULL) && !strcmp(op, "restore"))
		return "creating";
	if (frozen)
		return "paused";
	if (!state_alive(st))
		return "stopped";
	if (dirfd >= 0 && faccessat(dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return "created";
	return "running";
}

/* ---- time ---- */

void state_time_format(const struct timespec *ts, char *out, size_t cap)
{
	struct tm tm;
	char frac[12];
	time_t sec = ts->tv_sec;
	long ns = ts->tv_nsec;
	int k;

	if (!gmtime_r(&sec, &tm)) {
		fmt_sn(out, cap, "%s", "0001-01-01T00:00:00Z");
		return;
	}
	frac[0] = 0;
	if (ns > 0 && ns < 1000000000L) {
		frac[0] = '.';
		for (k = 9; k >= 1; k--, ns /= 10)
			frac[k] = (char)('0' + ns % 10);
		for (k = 9; frac[k] == '0'; k--)
			;
		frac[k + 1] = 0;
	}
	fmt_sn(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1,
	       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

void state_time_now(char *out, size_t cap)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	state_time_format(&ts, out, cap);
}

/* ---- OCI state ---- */

/* "annotations": {...} with the keys sorted (Go marshals a map so); nothing when empty. */
static void jw_annotations(struct jw *w, const struct state *st)
{
	const struct state_kv **v;
	size_t i, j;

	if (!st->nannotations)
		return;
	v = xcalloc(st->nannotations, sizeof *v);
	for (i = 0; i < st->nannotations; i++) {
		for (j = i; j > 0 && strcmp(v[j - 1]->key, st->annotations[i].key) > 0; j--)
			v[j] = v[j - 1];
		v[j] = &st->annotations[i];
	}
	jw_key(w, "annotations");
	jw_obj(w);
	for (i = 0; i < st->nannotations; i++)
		jw_kstr(w, v[i]->key, v[i]->value);
	jw_end(w);
	free(v);
}

void state_oci_jw(struct jw *w, const struct state *st, const char *status, const char *owner)
{
	jw_obj(w);
	jw_kstr(w, "ociVersion", st->oci_version ? st->oci_version : "");
	jw_kstr(w, "id", st->id ? st->id : "");
	jw_ki64(w, "pid", status && !strcmp(status, "stopped") ? 0 : st->pid);
	jw_kstr(w, "status", status ? status : "");
	jw_kstr(w, "bundle", st->bundle ? st->bundle : "");
	jw_kstr(w, "rootfs", st->rootfs ? st->rootfs : "");
	jw_kstr(w, "created", st->created ? st->created : "");
	jw_annotations(w, st);
	jw_kstr(w, "owner", owner ? owner : "");
	jw_end(w);
}

void state_oci_json(const struct state *st, const char *status, struct buf *b)
{
	struct jw w;
	jw_init(&w, b, 2);
	state_oci_jw(&w, st, status, "");
}

void state_hook_json(const struct state *st, const char *status, struct buf *b)
{
	struct jw w;
	jw_init(&w, b, 0);
	jw_obj(&w);
	jw_kstr(&w, "ociVersion", CRBOX_OCI_VERSION);
	jw_kstr(&w, "id", st->id ? st->id : "");
	jw_kstr(&w, "status", status);
	if (st->pid > 0 && strcmp(status, "stopped"))
		jw_ki64(&w, "pid", st->pid);
	jw_kstr(&w, "bundle", st->bundle ? st->bundle : "");
	jw_annotations(&w, st);
	jw_end(&w);
}
