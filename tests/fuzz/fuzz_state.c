/* fuzz_state: libFuzzer entry for the state.json reader (core/state.c). state_parse on the
 * bytes; when accepted, the state is written back (state_to_json), which must read back and
 * write the same bytes again; the OCI state JSON is rendered for every status, and every
 * key/value list is looked up by each of its keys.
 * fuzz-src: core/state.c core/spec.c core/oci/spec_res.c core/proc.c core/fsutil.c core/json.c core/jsonw.c core/buf.c core/fmt.c core/err.c
 * fuzz-corpus: tests/data/state */
#include "state.h"
#include <stdlib.h>
#include <string.h>

static void kv_check(const struct state_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = state_kv_get(kv, n, kv[i].key);
		if (!v || strcmp(v, kv[i].value))
			abort();
		for (size_t j = i + 1; j < n; j++)
			if (!strcmp(kv[i].key, kv[j].key))
				abort();    /* keys are unique */
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char *const status[] = { "created", "running", "paused", "stopped" };
	struct state st, st2;
	struct buf b = BUF_INIT, b2 = BUF_INIT;
	struct err e;
	char *copy = malloc(size ? size : 1);
	size_t i;

	memcpy(copy, data, size);
	if (state_parse(&st, copy, size, &e) < 0) {
		if (strncmp(e.msg, "state.json: ", 12))
			abort();    /* every error names the file */
		free(copy);
		return 0;
	}
	free(copy);             /* the state holds copies */
	if (!st.id || state_id_ok(st.id, &e) < 0 || !st.created || !st.bundle || !st.rootfs ||
	    !st.oci_version)
		abort();
	kv_check(st.annotations, st.nannotations);
	kv_check(st.cgroup_paths, st.ncgroup_paths);
	kv_check(st.ns_paths, st.nns_paths);
	for (i = 0; i < st.nnamespaces; i++)
		if (!spec_nstype_find(st.namespaces[i].type))
			abort();
	if (!st.namespaces || !st.mounts || !st.masked_paths || !st.readonly_paths ||
	    !st.device_paths || !st.poststop || st.masked_paths[st.nmasked_paths] ||
	    st.readonly_paths[st.nreadonly_paths] || st.device_paths[st.ndevice_paths])
		abort();
	for (i = 0; i < st.npoststop; i++)
		if (!st.poststop[i].path || st.poststop[i].args[st.poststop[i].nargs] ||
		    st.poststop[i].env[st.poststop[i].nenv] || st.poststop[i].timeout < 0)
			abort();

	state_to_json(&st, &b);
	if (state_parse(&st2, b.p, b.len, &e) < 0)
		abort();    /* what we write must read back */
	state_to_json(&st2, &b2);
	buf_reset(&b);
	state_to_json(&st, &b);
	if (b.len != b2.len || memcmp(b.p, b2.p, b.len))
		abort();    /* and say the same */
	for (i = 0; i < sizeof status / sizeof status[0]; i++) {
		buf_reset(&b);
		state_oci_json(&st, status[i], &b);
		struct json_doc d;
		if (json_parse(&d, "oci", b.p, b.len, &e) < 0)
			abort();
		json_free(&d);
	}
	state_free(&st2);
	state_free(&st);
	buf_free(&b);
	buf_free(&b2);
	return 0;
}
