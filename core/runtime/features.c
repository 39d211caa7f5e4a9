/* features: the JSON `features` prints, runc 1.1's shape (docs/runtime.md, "features"),
 * filled from this build's own tables: the mount options mountopt_parse knows, the
 * capabilities pspec knows, the namespaces spec knows. */
#include "runtime/features.h"
#include "seccomp/seccomp.h"
#include "process/pspec.h"
#include "rootfs/mountopt.h"
#include "fmt.h"
#include "jsonw.h"
#include "spec.h"
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void strarr(struct jw *w, const char *key, const char *const *v, size_t n)
{
	size_t i;
	jw_key(w, key);
	jw_arr(w);
	for (i = 0; i < n; i++)
		jw_str(w, v[i]);
	jw_end(w);
}

void rt_features_json(struct buf *b, const char *version, const char *commit)
{
	const char *opts[128], *ns[SPEC_NS_N];
	char *caps[64];
	size_t nopts = mountopt_known(opts, 128), i, nns = 0, ncaps = 0;
	struct jw w;

	qsort(opts, nopts, sizeof *opts, cmp);
	for (i = 0; i < SPEC_NS_N; i++)
		ns[nns++] = spec_nstypes[i].oci;
	qsort(ns, nns, sizeof *ns, cmp);
	for (i = 0; i < 64 && pspec_cap_name((int)i); i++)
		caps[ncaps++] = fmt_alloc("CAP_%s", pspec_cap_name((int)i));
	jw_init(&w, b, 4);
	jw_obj(&w);
	jw_kstr(&w, "ociVersionMin", "1.0.0");
	jw_kstr(&w, "ociVersionMax", CRBOX_OCI_VERSION);
	strarr(&w, "hooks", spec_hook_names, SPEC_HOOK_N);
	strarr(&w, "mountOptions", opts, nopts);
	jw_key(&w, "linux");
	jw_obj(&w);
	strarr(&w, "namespaces", ns, nns);
	strarr(&w, "capabilities", (const char *const *)caps, ncaps);
	for (i = 0; i < ncaps; i++)
		free(caps[i]);
	jw_key(&w, "cgroup");
	jw_obj(&w);
	jw_kbool(&w, "v1", 1);
	jw_kbool(&w, "v2", 1);
	jw_kbool(&w, "systemd", 0);      /* --systemd-cgroup is refused */
	jw_kbool(&w, "systemdUser", 0);
	jw_end(&w);
	/* What core/seccomp compiles (sorted, as runc lists them); archs: the tables it has. */
	{
		static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
			"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
			"SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP" };
		static const char *const ops[] = { "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
			"SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE" };
		const char *archs[SECCOMP_ARCH_N], *t;
		size_t na = 0, j, k;
		for (j = 0; j < SECCOMP_ARCH_N; j++) {
			archs[na] = seccomp_arch_name((int)j);
			for (k = na; k > 0 && strcmp(archs[k - 1], archs[k]) > 0; k--) {
				t = archs[k];
				archs[k] = archs[k - 1];
				archs[k - 1] = t;
			}
			na++;
		}
		jw_key(&w, "seccomp");
		jw_obj(&w);
		jw_kbool(&w, "enabled", 1);
		strarr(&w, "actions", actions, sizeof actions / sizeof *actions);
		strarr(&w, "operators", ops, sizeof ops / sizeof *ops);
		strarr(&w, "archs", archs, na);
		jw_end(&w);
	}
	/* The labels are written to /proc/thread-self/attr when the host has the LSM. */
	jw_key(&w, "apparmor");
	jw_obj(&w);
	jw_kbool(&w, "enabled", 1);
	jw_end(&w);
	jw_key(&w, "selinux");
	jw_obj(&w);
	jw_kbool(&w, "enabled", 1);
	jw_end(&w);
	jw_end(&w);
	jw_key(&w, "annotations");
	jw_obj(&w);
	jw_kstr(&w, "crbox.commit", commit);
	jw_kstr(&w, "crbox.version", version);
	jw_kstr(&w, "org.opencontainers.runc.checkpoint.enabled", "true");
	jw_end(&w);
	jw_end(&w);
	buf_adds(b, "\n");
}
