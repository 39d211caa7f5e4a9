/* fuzz_spec: libFuzzer entry for the OCI spec loader (core/spec.c). spec_parse on the bytes;
 * when accepted, every field and getter is read (spec_ns_find, spec_has_ns, spec_annotation,
 * spec_rootfs, spec_path_join), the state subset is built (state_from_spec) and written
 * (state_to_json), and that must read back with state_parse and write the same bytes again.
 * fuzz-src: core/spec.c core/oci/spec_res.c core/state.c core/proc.c core/fsutil.c core/json.c core/jsonw.c core/buf.c core/fmt.c core/err.c
 * fuzz-corpus: tests/data/spec */
#include "spec.h"
#include "state.h"
#include <stdlib.h>
#include <string.h>

static volatile size_t sink;

static void touch(const char *s)
{
	if (s)
		sink += strlen(s);
}

static void touch_strv(const char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		touch(v[i]);
	if (v && v[n])
		abort();    /* arrays are NULL-terminated */
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct spec s;
	struct state st = { 0 }, st2;
	struct buf b = BUF_INIT, b2 = BUF_INIT;
	struct err e;
	char *copy = malloc(size ? size : 1);
	size_t i, k;

	memcpy(copy, data, size);
	if (spec_parse(&s, copy, size, size & 1 ? "/bundle" : "/b/../bundle/./x", &e) < 0) {
		if (strncmp(e.msg, "config.json", 11))
			abort();    /* every error names the file */
		spec_free(&s);  /* safe on a failed parse */
		free(copy);
		return 0;
	}
	touch(s.oci_version);
	touch(spec_rootfs(&s));
	if (s.root_path[0] != '/')
		abort();
	if (!s.nargs || !s.cwd || s.cwd[0] != '/')
		abort();
	touch_strv(s.args, s.nargs);
	touch(s.hostname);
	touch(s.cgroups_path);
	touch(s.mount_label);
	for (i = 0; i < s.nmounts; i++) {
		touch(s.mounts[i].destination);
		touch(s.mounts[i].type);
		touch(s.mounts[i].source);
		touch_strv(s.mounts[i].options, s.mounts[i].noptions);
	}
	for (i = 0; i < s.nnamespaces; i++) {
		const struct spec_ns *ns = spec_ns_find(&s, s.namespaces[i].type);
		if (!ns || !s.namespaces[i].nt || spec_nstype_find(ns->type) != ns->nt)
			abort();
		if (!spec_has_ns(&s, ns->type))
			abort();
		touch(ns->path);
	}
	for (k = 0; k < SPEC_NS_N; k++)
		if (!!spec_ns_find(&s, spec_nstypes[k].oci) != spec_has_ns(&s, spec_nstypes[k].oci))
			abort();
	spec_ns_find(&s, "bogus");
	for (i = 0; i < s.res.ndevices; i++)
		touch(s.res.devices[i].access);
	touch(s.res.cpu_cpus);
	touch(s.res.cpu_mems);
	for (i = 0; i < s.ndevices; i++)
		touch(s.devices[i].path);
	touch_strv(s.masked_paths, s.nmasked_paths);
	touch_strv(s.readonly_paths, s.nreadonly_paths);
	for (k = 0; k < SPEC_HOOK_N; k++)
		for (i = 0; i < s.nhooks[k]; i++) {
			touch(s.hooks[k][i].path);
			touch_strv(s.hooks[k][i].args, s.hooks[k][i].nargs);
			touch_strv(s.hooks[k][i].env, s.hooks[k][i].nenv);
		}
	for (i = 0; i < s.nannotations; i++) {
		const char *v = spec_annotation(&s, s.annotations[i].key);
		if (!v || strcmp(v, s.annotations[i].value))
			abort();    /* a key's lookup gives its (last) value */
	}
	spec_annotation(&s, "org.criu.config");
	for (i = 0; i < s.nmounts; i++) {
		char *p = spec_path_join(s.root_path, s.mounts[i].destination);
		touch(p);
		free(p);
	}

	/* config.json -> state.json -> back, byte for byte */
	state_from_spec(&st, &s, "fuzz-id");
	state_to_json(&st, &b);
	if (state_parse(&st2, b.p, b.len, &e) < 0)
		abort();    /* what we write from a valid config must read back */
	state_to_json(&st2, &b2);
	buf_reset(&b);          /* state_parse parsed b in place */
	state_to_json(&st, &b);
	if (b2.len != b.len || memcmp(b2.p, b.p, b.len))
		abort();
	state_free(&st2);
	state_free(&st);
	buf_free(&b);
	buf_free(&b2);
	spec_free(&s);
	free(copy);
	return 0;
}
