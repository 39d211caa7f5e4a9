/* t_spec: config.json loading. Fixtures in tests/data/spec/: ok/ holds valid configs (one is
 * `runc spec` output, unchanged), bad/NAME.json must fail with the text in bad/NAME.err.
 * Each fixture is copied into a fresh bundle dir as config.json. Run from the repo root. */
#include "t.h"
#include "spec.h"
#include "buf.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (!b.p)
		buf_adds(&b, "");
	return buf_take(&b);
}

/* Makes <tmp>/<name>/config.json from a fixture; returns the bundle path (static). */
static const char *bundle_from(const char *name, const char *fixture)
{
	static char dir[512];
	char path[600];
	char *text = slurp(fixture);
	FILE *f;

	snprintf(dir, sizeof dir, "%s/%s", tmp, name);
	mkdir(dir, 0755);
	snprintf(path, sizeof path, "%s/config.json", dir);
	f = fopen(path, "wb");
	if (!f || !text) {
		printf("# cannot set up %s from %s\n", dir, fixture);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	free(text);
	return dir;
}

static char *join(const char *a, const char *b)
{
	char *r = malloc(strlen(a) + strlen(b) + 2);
	sprintf(r, "%s/%s", a, b);
	return r;
}

static void test_runc_spec(void)
{
	struct spec s;
	struct err e = { 0 };
	const char *bundle = bundle_from("runc", "tests/data/spec/ok/runc-spec.json");
	char *real = realpath(bundle, NULL), *root;
	int rc = spec_load(&s, bundle, &e);

	if (!T_OK(rc == 0, "runc spec output loads")) {
		printf("# %s\n", e.msg);
		free(real);
		return;
	}
	root = join(real, "rootfs");
	T_STREQ(s.bundle, real, "bundle is absolute and resolved");
	T_STREQ(s.oci_version, "1.0.2-dev", "ociVersion");
	T_STREQ(spec_rootfs(&s), root, "relative root.path joined with the bundle dir");
	T_INTEQ(s.root_readonly, 1, "root.readonly");
	T_INTEQ(s.terminal, 1, "process.terminal");
	T_STREQ(s.cwd, "/", "process.cwd");
	T_INTEQ(s.nargs, 1, "one arg");
	T_STREQ(s.args[0], "sh", "args[0]");
	T_OK(s.args[1] == NULL, "args NULL-terminated");
	T_STREQ(s.hostname, "runc", "hostname");
	T_INTEQ(s.nmounts, 7, "7 mounts");
	int binds = 0;
	for (size_t i = 0; i < s.nmounts; i++)
		binds += s.mounts[i].bind;
	T_INTEQ(binds, 0, "no bind mounts in the default spec");
	T_STREQ(s.mounts[1].destination, "/dev", "mounts[1].destination");
	T_STREQ(s.mounts[1].type, "tmpfs", "mounts[1].type");
	T_STREQ(s.mounts[1].source, "tmpfs", "mounts[1].source is not resolved (not a bind)");
	T_INTEQ(s.mounts[1].noptions, 4, "mounts[1] options");
	T_STREQ(s.mounts[1].options[3], "size=65536k", "mounts[1].options[3]");
	T_INTEQ(s.mounts[0].noptions, 0, "a mount without options");
	T_INTEQ(s.nnamespaces, 5, "5 namespaces");
	const char *order[] = { "pid", "network", "ipc", "uts", "mount" };
	int inorder = 1;
	for (size_t i = 0; i < 5 && i < s.nnamespaces; i++)
		inorder &= !strcmp(s.namespaces[i].type, order[i]) && !s.namespaces[i].path;
	T_OK(inorder, "namespaces in config order, without paths");
	T_OK(spec_has_ns(&s, "network") && !spec_has_ns(&s, "user") && !spec_has_ns(&s, "time"),
	     "spec_has_ns");
	const struct spec_ns *ns = spec_ns_find(&s, "mount");
	T_OK(ns && ns->nt && !strcmp(ns->nt->runc, "NEWNS") && !strcmp(ns->nt->proc, "mnt"),
	     "mount namespace maps to NEWNS and /proc/<pid>/ns/mnt");
	T_INTEQ(s.res.ndevices, 1, "one device cgroup rule");
	T_OK(s.res.ndevices == 1 && !s.res.devices[0].allow && s.res.devices[0].type == 'a' &&
	     s.res.devices[0].major == -1 && s.res.devices[0].minor == -1 &&
	     !strcmp(s.res.devices[0].access, "rwm"), "deny-all rule: type a, wildcards, rwm");
	T_OK(!s.res.has_mem_limit && !s.res.has_cpu_shares && !s.res.has_pids_limit,
	     "no resource limits set");
	T_INTEQ(s.nmasked_paths, 10, "maskedPaths");
	T_STREQ(s.masked_paths[9], "/proc/scsi", "maskedPaths[9]");
	T_INTEQ(s.nreadonly_paths, 5, "readonlyPaths");
	T_OK(!s.cgroups_path && !s.mount_label && !s.nannotations && !s.ndevices,
	     "absent fields stay empty");
	T_OK(spec_annotation(&s, "org.criu.config") == NULL, "absent annotation is NULL");
	spec_free(&s);
	free(root);
	free(real);
}

static void test_full(void)
{
	struct spec s;
	struct err e = { 0 };
	const char *bundle = bundle_from("full", "tests/data/spec/ok/full.json");
	char *real = realpath(bundle, NULL), *want, *parent;
	int rc = spec_load(&s, bundle, &e);

	if (!T_OK(rc == 0, "full config loads")) {
		printf("# %s\n", e.msg);
		free(real);
		return;
	}
	want = join(real, "rootfs");
	T_STREQ(s.root_path, want, "root.path ./rootfs/../rootfs is cleaned");
	free(want);
	T_INTEQ(s.root_readonly, 0, "readonly absent is 0");
	T_INTEQ(s.terminal, 0, "terminal false");
	T_INTEQ(s.uid, 1000, "process.user.uid");
	T_INTEQ(s.gid, 1001, "process.user.gid");
	T_INTEQ(s.nargs, 3, "3 args");
	T_STREQ(s.args[2], "while :; do sleep 1; done", "args[2]");
	T_INTEQ(s.nmounts, 6, "6 mounts");
	want = join(real, "conf");
	T_OK(s.mounts[2].bind && s.mounts[2].rbind, "rbind option makes a recursive bind");
	T_STREQ(s.mounts[2].source, want, "relative bind source joined with the bundle");
	free(want);
	T_OK(s.mounts[3].bind && !s.mounts[3].rbind, "type bind without options is a bind");
	T_STREQ(s.mounts[3].source, "/srv/data/", "absolute bind source kept as written");
	parent = strdup(real);
	*strrchr(parent, '/') = 0;
	want = join(*parent ? parent : "", "common/dir");
	T_OK(s.mounts[4].bind, "bind option with no type is a bind");
	T_STREQ(s.mounts[4].type, "", "absent type is empty");
	T_STREQ(s.mounts[4].source, want, "../common//dir resolved and cleaned");
	free(want);
	free(parent);
	T_OK(!s.mounts[5].bind && !strcmp(s.mounts[5].type, "cgroup"), "cgroup mount");
	T_STREQ(s.mounts[0].source, "proc", "non-bind source untouched");

	T_INTEQ(s.nnamespaces, 8, "all 8 namespace types");
	const struct spec_ns *net = spec_ns_find(&s, "network");
	T_OK(net && net->path && !strcmp(net->path, "/var/run/netns/crbox-test"), "netns path");
	T_OK(net && !strcmp(net->nt->runc, "NEWNET") && !strcmp(net->nt->proc, "net"),
	     "network -> NEWNET");
	const struct spec_ns *tns = spec_ns_find(&s, "time");
	T_OK(tns && !tns->path && !strcmp(tns->nt->runc, "NEWTIME"), "time ns, empty path is none");
	T_OK(spec_ns_find(&s, "NEWNET") == NULL, "lookup is by OCI name");
	T_STREQ(s.cgroups_path, "/crbox/test-full", "cgroupsPath");
	T_OK(s.res.has_mem_limit && s.res.mem_limit == 536870912, "memory.limit");
	T_OK(s.res.has_mem_reservation && s.res.mem_reservation == 268435456, "memory.reservation");
	T_OK(s.res.has_mem_swap && s.res.mem_swap == -1, "memory.swap -1");
	T_OK(s.res.has_cpu_shares && s.res.cpu_shares == 1024, "cpu.shares");
	T_OK(s.res.has_cpu_quota && s.res.cpu_quota == 100000, "cpu.quota");
	T_OK(s.res.has_cpu_period && s.res.cpu_period == 100000, "cpu.period");
	T_OK(s.res.cpu_cpus && !strcmp(s.res.cpu_cpus, "0-1"), "cpu.cpus");
	T_OK(s.res.cpu_mems && !strcmp(s.res.cpu_mems, "0"), "cpu.mems");
	T_OK(s.res.has_pids_limit && s.res.pids_limit == 32, "pids.limit");
	T_INTEQ(s.res.ndevices, 3, "3 device rules");
	T_OK(s.res.devices[1].allow && s.res.devices[1].type == 'c' && s.res.devices[1].major == 10 &&
	     s.res.devices[1].minor == 229 && !strcmp(s.res.devices[1].access, "rw"),
	     "device rule c 10:229 rw");
	T_OK(s.res.devices[2].type == 'b' && s.res.devices[2].major == 8 &&
	     s.res.devices[2].minor == -1, "absent minor is a wildcard");

	T_INTEQ(s.ndevices, 3, "3 devices");
	T_OK(!strcmp(s.devices[0].path, "/dev/fuse") && s.devices[0].type == 'c' &&
	     s.devices[0].major == 10 && s.devices[0].minor == 229 && s.devices[0].has_file_mode &&
	     s.devices[0].file_mode == 0666, "device /dev/fuse");
	T_OK(s.devices[1].type == 'b' && !s.devices[1].has_file_mode && s.devices[1].file_mode == 0666,
	     "device fileMode defaults to 0666");
	T_OK(s.devices[2].type == 'p' && s.devices[2].major == 0, "fifo device needs no numbers");
	T_INTEQ(s.nmasked_paths, 2, "maskedPaths");
	T_INTEQ(s.nreadonly_paths, 1, "readonlyPaths");
	T_STREQ(s.mount_label, "system_u:object_r:container_file_t:s0:c1,c2", "mountLabel");
	T_OK(s.nuid_mappings == 1 && s.uid_mappings[0].host_id == 100000 &&
	     s.uid_mappings[0].size == 65536, "uidMappings");
	T_OK(s.ngid_mappings == 1 && s.gid_mappings[0].host_id == 200000, "gidMappings");

	T_INTEQ(s.nhooks[SPEC_HOOK_PRESTART], 1, "1 prestart hook");
	T_INTEQ(s.nhooks[SPEC_HOOK_POSTSTOP], 2, "2 poststop hooks");
	T_INTEQ(s.nhooks[SPEC_HOOK_POSTSTART], 0, "no poststart hook");
	const struct spec_hook *h = s.hooks[SPEC_HOOK_POSTSTOP];
	T_OK(!strcmp(h[0].path, "/bin/sh") && h[0].nargs == 3 && !strcmp(h[0].args[2], "echo stopped")
	     && h[0].nenv == 2 && !strcmp(h[0].env[1], "B=2") && h[0].timeout == 5 && !h[0].env[2],
	     "poststop[0] path, args, env, timeout");
	T_OK(h[1].nargs == 0 && h[1].timeout == 0, "null args, no timeout");
	T_STREQ(spec_hook_names[SPEC_HOOK_CREATE_RUNTIME], "createRuntime", "hook names");

	T_INTEQ(s.nannotations, 3, "duplicate annotation key collapses");
	T_STREQ(s.annotations[0].key, "org.criu.config", "annotation order: first place kept");
	T_STREQ(s.annotations[0].value, "", "annotation: last value wins");
	T_STREQ(s.annotations[2].key, "com.example.b", "annotations in document order");
	T_STREQ(spec_annotation(&s, "com.example.b"), "x=y", "spec_annotation");
	spec_free(&s);
	free(real);
}

static void test_minimal(void)
{
	struct spec s;
	struct err e = { 0 };
	const char *bundle = bundle_from("minimal", "tests/data/spec/ok/minimal.json");
	int rc = spec_load(&s, bundle, &e);

	if (!T_OK(rc == 0, "minimal config loads")) {
		printf("# %s\n", e.msg);
		return;
	}
	T_STREQ(s.root_path, "/abs/rootfs", "absolute root.path kept");
	T_STREQ(s.oci_version, "", "absent ociVersion is empty");
	T_OK(!s.nmounts && !s.nnamespaces && !s.hostname && !s.terminal, "everything else empty");
	spec_free(&s);
	spec_free(&s);   /* safe twice: spec_free leaves an empty spec */
}

static void test_missing(void)
{
	struct spec s;
	struct err e = { 0 };
	char dir[512];

	snprintf(dir, sizeof dir, "%s/empty", tmp);
	mkdir(dir, 0755);
	T_OK(spec_load(&s, dir, &e) < 0, "missing config.json fails");
	T_STREQ(e.msg, "JSON specification file config.json not found", "runc's message");
	T_INTEQ(e.no, ENOENT, "e.no is ENOENT");
	spec_free(&s);
	snprintf(dir, sizeof dir, "%s/nonexistent", tmp);
	T_OK(spec_load(&s, dir, &e) < 0 && e.no == ENOENT && strstr(e.msg, "nonexistent"),
	     "missing bundle dir fails naming it");
}

static void test_symlinked_bundle(void)
{
	struct spec s;
	struct err e = { 0 };
	char link[512];
	const char *bundle = bundle_from("real", "tests/data/spec/ok/minimal.json");
	char *real = realpath(bundle, NULL);

	snprintf(link, sizeof link, "%s/link", tmp);
	symlink(real, link);
	T_OK(spec_load(&s, link, &e) == 0 && !strcmp(s.bundle, real),
	     "bundle through a symlink is resolved (runc's getwd)");
	spec_free(&s);
	free(real);
}

static void test_bad(void)
{
	DIR *d = opendir("tests/data/spec/bad");
	struct dirent *de;
	int n = 0;

	if (!T_OK(d != NULL, "tests/data/spec/bad exists"))
		return;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char fix[600], errf[600], name[300], label[700];
		struct spec s;
		struct err e = { 0 };
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(l - 5), de->d_name);
		snprintf(fix, sizeof fix, "tests/data/spec/bad/%s.json", name);
		snprintf(errf, sizeof errf, "tests/data/spec/bad/%s.err", name);
		char *want = slurp(errf);
		if (!want) {
			T_OK(0, errf);
			continue;
		}
		want[strcspn(want, "\n")] = 0;
		const char *bundle = bundle_from("bad", fix);
		int rc = spec_load(&s, bundle, &e);
		snprintf(label, sizeof label, "bad/%s: %s", name, want);
		if (!T_OK(rc < 0 && strstr(e.msg, want), label))
			printf("#   got: rc=%d \"%s\"\n", rc, rc < 0 ? e.msg : "");
		spec_free(&s);
		free(want);
		n++;
	}
	closedir(d);
	T_OK(n >= 40, "at least 40 bad fixtures ran");
}

static void test_join(void)
{
	static const char *cases[][3] = {
		{ "/a/b", "../c", "/a/c" },
		{ "/a", "../../..", "/" },
		{ "a", "../../b", "../b" },
		{ "", "", "" },
		{ "/", "x/./y//", "/x/y" },
		{ "/bundle", "rootfs", "/bundle/rootfs" },
		{ "/bundle", "", "/bundle" },
		{ "a/..", "..", ".." },
		{ "../..", "x", "../../x" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char label[128];
		char *r = spec_path_join(cases[i][0], cases[i][1]);
		snprintf(label, sizeof label, "join(\"%s\", \"%s\")", cases[i][0], cases[i][1]);
		T_STREQ(r, cases[i][2], label);
		free(r);
	}
}

static void test_parse_buffer(void)
{
	char text[] = "{\"process\":{\"cwd\":\"/\",\"args\":[\"a\\u0062c\"]},\"root\":{\"path\":\"r\"},"
		      "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}]}}";
	struct spec s;
	struct err e = { 0 };

	T_OK(spec_parse(&s, text, strlen(text), "/b", &e) == 0, "spec_parse from a buffer");
	T_STREQ(s.args[0], "abc", "escapes are decoded");
	T_STREQ(s.root_path, "/b/r", "root joined with the given bundle");
	T_STREQ(spec_ns_find(&s, "network")->path, "/proc/1/ns/net", "ns path");
	spec_free(&s);
	T_OK(spec_nstype_find("time") && spec_nstype_find("time")->clone == 0x80, "CLONE_NEWTIME");
	T_OK(!spec_nstype_find("net"), "\"net\" is not an OCI type");
}

int main(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/t_spec.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_runc_spec();
	test_full();
	test_minimal();
	test_missing();
	test_symlinked_bundle();
	test_bad();
	test_join();
	test_parse_buffer();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return t_done();
}
