/* seccomp: the OCI linux.seccomp profile compiled to a classic BPF program without
 * libseccomp, with runc's verdicts (docs/seccomp.md), loaded with seccomp(2); and the
 * user-notification listener handed to the profile's listenerPath as runc hands it.
 *
 * Use (the container init and its parent):
 *   parent, before launching the init:  seccomp_compile_spec(spec, &prog, e)   (pure; errors
 *       name the field, so bad input fails before anything exists)
 *   init, last steps before execve (docs/seccomp.md "Where the runtime loads it"):
 *       seccomp_load(&prog, &listener_fd, e), then hand listener_fd to the parent
 *   parent, when prog.notify:  seccomp_listener_payload(...) + seccomp_send_listener(...) */
#ifndef CRBOX_SECCOMP_H
#define CRBOX_SECCOMP_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "json.h"
#include "buf.h"

struct spec;

/* Layout-compatible with the kernel's struct sock_filter. */
struct seccomp_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

/* seccomp(2) filter flags. */
#define SECCOMP_FLAG_TSYNC              1u
#define SECCOMP_FLAG_LOG                2u
#define SECCOMP_FLAG_SPEC_ALLOW         4u
#define SECCOMP_FLAG_NEW_LISTENER       8u
#define SECCOMP_FLAG_WAIT_KILLABLE_RECV 32u

struct seccomp_prog {
	struct seccomp_insn *insns;     /* NULL/0: the profile disables seccomp (absent/empty) */
	unsigned len;
	unsigned flags;                 /* for seccomp(2); NEW_LISTENER set when notify */
	int flags_default;              /* "flags" absent: SPEC_ALLOW is dropped where unsupported */
	int notify;                     /* a rule returns SCMP_ACT_NOTIFY */
	char *listener_path;            /* heap; "" when absent */
	char *listener_metadata;        /* heap; "" when absent */
	unsigned nskipped;              /* syscall names no table knows (skipped as runc does) */
};

/* Architecture ids of the syscall tables (seccomp_compile_arch's native). */
enum seccomp_arch_id {
	SECCOMP_ARCH_X86_64, SECCOMP_ARCH_X32, SECCOMP_ARCH_I386,
	SECCOMP_ARCH_AARCH64, SECCOMP_ARCH_ARM, SECCOMP_ARCH_RISCV64, SECCOMP_ARCH_N
};
/* The architecture crbox is built for. */
int seccomp_arch_native(void);
/* The libseccomp name ("SCMP_ARCH_X86_64") and AUDIT_ARCH value of an id. */
const char *seccomp_arch_name(int arch);
uint32_t seccomp_arch_audit(int arch);
/* The number of syscall `name` on `arch` (x32 with the x32 bit), or -1. */
long seccomp_syscall_nr(const char *name, int arch);
/* Table iteration for tests and tools: name i of seccomp_syscall_count(), and its version. */
unsigned seccomp_syscall_count(void);
const char *seccomp_syscall_name(unsigned i);
const char *seccomp_table_version(void);

/* Compiles the linux.seccomp object at token `obj` of d (obj < 0: absent: disabled). */
int seccomp_compile(const struct json_doc *d, int obj, struct seccomp_prog *out, struct err *e);
/* Same, for another native architecture (tests; the program is then not loadable here). */
int seccomp_compile_arch(const struct json_doc *d, int obj, int native, struct seccomp_prog *out,
                         struct err *e);
/* Finds .linux.seccomp in the spec's document and compiles it. */
int seccomp_compile_spec(const struct spec *s, struct seccomp_prog *out, struct err *e);
void seccomp_prog_free(struct seccomp_prog *p);

/* Loads p into the calling thread (nothing when p->len == 0). Without no_new_privs this
 * needs CAP_SYS_ADMIN. *listener_fd gets the notification fd when p->notify, else -1.
 * Errors: the kernel's refusal, or a requested flag the kernel lacks. */
int seccomp_load(const struct seccomp_prog *p, int *listener_fd, struct err *e);

/* The container state runc sends with the listener fd. */
struct seccomp_state {
	const char *oci_version;        /* runtime-spec version */
	const char *id, *status, *bundle;
	int pid;
	const char *const *annotations; /* key, value, key, value, ...; n pairs */
	size_t nannotations;
};
/* Appends runc's payload: {"ociVersion","fds":["seccompFd"],"pid","metadata","state":{..}}. */
void seccomp_listener_payload(struct buf *out, const struct seccomp_state *st, const char *metadata);
/* Connects to the AF_UNIX stream socket at path and sends payload with listener_fd in one
 * sendmsg (SCM_RIGHTS). */
int seccomp_send_listener(const char *path, int listener_fd, const char *payload, size_t len,
                          struct err *e);

#endif
