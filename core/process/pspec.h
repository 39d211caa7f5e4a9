/* pspec: the parts of config.json the container set-up applies that spec.h does not read:
 * process.env/capabilities/rlimits/noNewPrivileges/user extras/oomScoreAdj/consoleSize/
 * apparmorProfile/selinuxLabel, linux.sysctl/timeOffsets/personality, domainname. Read from
 * the parsed document a struct spec keeps (s->doc), so strings point into it. Errors name
 * the field ("config.json: .process.rlimits[0].type: unknown rlimit RLIMIT_X"). */
#ifndef CRBOX_PROCESS_PSPEC_H
#define CRBOX_PROCESS_PSPEC_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "spec.h"

enum { CAPSET_BOUNDING, CAPSET_EFFECTIVE, CAPSET_INHERITABLE, CAPSET_PERMITTED, CAPSET_AMBIENT,
       CAPSET_N };
extern const char *const pspec_capset_names[CAPSET_N];

struct pspec_rlimit {
	int resource;                   /* RLIMIT_* */
	uint64_t soft, hard;
};

struct pspec {
	const char **env;               /* NULL-terminated too */
	size_t nenv;
	int has_caps;                   /* process.capabilities present */
	uint64_t caps[CAPSET_N];        /* bit n = capability n */
	struct pspec_rlimit *rlimits;
	size_t nrlimits;
	int nnp;
	int has_umask;
	uint32_t umask;
	uint32_t *gids;                 /* process.user.additionalGids */
	size_t ngids;
	int has_oom;
	int oom_score_adj;
	unsigned console_h, console_w;  /* process.consoleSize, 0 when absent */
	const char *apparmor, *selinux; /* NULL when absent or "" */
	const char *domainname;         /* NULL when absent */
	struct spec_kv *sysctl;         /* linux.sysctl, document order */
	size_t nsysctl;
	int has_personality;
	unsigned long personality;      /* PER_LINUX or PER_LINUX32 */
	int has_timens;                 /* linux.timeOffsets present */
	int64_t mono_s, mono_ns, boot_s, boot_ns;
};

/* Reads the fields above from s->doc. 0 or -1. Free with pspec_free. */
int pspec_load(struct pspec *p, const struct spec *s, struct err *e);
void pspec_free(struct pspec *p);

/* "CAP_CHOWN" -> 0 ... "CAP_CHECKPOINT_RESTORE" -> 40; -1 if unknown. */
int pspec_cap_number(const char *name);
const char *pspec_cap_name(int n);
/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 if unknown. */
int pspec_rlimit_number(const char *name);

/* runc's sysctl validation against the config's namespaces: IPC keys need a new ipc ns,
 * net.* a network ns that is not the host's, kernel.domainname a uts ns, user.* a user ns;
 * kernel.hostname and anything else are refused, in runc's words. 0 or -1. */
int pspec_sysctl_check(const struct pspec *p, const struct spec *s, struct err *e);

#endif
