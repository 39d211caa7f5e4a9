/* t_seccomp.c: the seccomp compiler (core/seccomp) run through a classic-BPF interpreter:
 * the syscall table, profile validation, every operator at 64-bit boundaries, 32-bit
 * architectures, x32, the -ENOSYS stub, i386 socketcall, rule precedence, long programs
 * (jumps over 255 instructions) and the 4096-instruction limit. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "t.h"
#include "sc_interp.h"
#include "seccomp/seccomp.h"
#include "buf.h"

#define X86_64 0xc000003eu
#define I386   0x40000003u
#define ALLOW  0x7fff0000u
#define ERRNO(n) (0x00050000u | (n))

static struct seccomp_prog P;
static char errmsg[1024];

/* Compiles a linux.seccomp JSON text for arch native; 0 or -1 (errmsg). */
static int comp(const char *json, int native)
{
	struct json_doc d;
	struct err e;
	char *b = strdup(json);
	seccomp_prog_free(&P);
	errmsg[0] = 0;
	if (json_parse(&d, "config.json", b, strlen(b), &e) < 0) {
		snprintf(errmsg, sizeof errmsg, "%s", e.msg);
		free(b);
		return -1;
	}
	int rc = seccomp_compile_arch(&d, 0, native, &P, &e);
	if (rc < 0)
		snprintf(errmsg, sizeof errmsg, "%s", e.msg);
	json_free(&d);
	free(b);
	if (!rc && P.len)
		T_OK(sc_verify(P.insns, P.len), "the program passes the kernel's structural checks");
	return rc;
}

static uint32_t run(uint32_t arch, uint32_t nr, uint64_t a0, uint64_t a1)
{
	struct sc_data d;
	memset(&d, 0, sizeof d);
	d.arch = arch;
	d.nr = (int32_t)nr;
	d.args[0] = a0;
	d.args[1] = a1;
	return sc_interp(P.insns, P.len, &d);
}

static void test_table(void)
{
	T_INTEQ(seccomp_syscall_nr("read", SECCOMP_ARCH_X86_64), 0, "read is 0 on x86_64");
	T_INTEQ(seccomp_syscall_nr("read", SECCOMP_ARCH_X32), 0x40000000, "x32 numbers carry the x32 bit");
	T_INTEQ(seccomp_syscall_nr("socketcall", SECCOMP_ARCH_I386), 102, "socketcall is 102 on i386");
	T_INTEQ(seccomp_syscall_nr("socketcall", SECCOMP_ARCH_X86_64), -1, "no socketcall on x86_64");
	T_INTEQ(seccomp_syscall_nr("set_tls", SECCOMP_ARCH_ARM), 0xf0005, "arm's private set_tls");
	T_INTEQ(seccomp_syscall_nr("openat", SECCOMP_ARCH_AARCH64), 56, "openat is 56 on aarch64");
	T_INTEQ(seccomp_syscall_nr("riscv_flush_icache", SECCOMP_ARCH_RISCV64), 259, "riscv_flush_icache");
	T_INTEQ(seccomp_syscall_nr("mseal", SECCOMP_ARCH_X86_64), 462, "mseal (Linux 6.10) is known");
	T_INTEQ(seccomp_syscall_nr("no_such_call", SECCOMP_ARCH_X86_64), -1, "unknown name");
	T_OK(strtod(seccomp_table_version(), NULL) >= 6.12, "the table is from Linux 6.12 or newer");
	int sorted = 1;
	for (unsigned i = 1; i < seccomp_syscall_count(); i++)
		sorted &= strcmp(seccomp_syscall_name(i - 1), seccomp_syscall_name(i)) < 0;
	T_OK(sorted, "the table is sorted by name");
}

static void test_errors(void)
{
	static const struct { const char *json, *want, *name; } bad[] = {
		{ "{\"defaultAction\":\"SCMP_ACT_NOPE\"}", "unknown seccomp action", "unknown action" },
		{ "{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "cannot be the default", "NOTIFY default" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"write\"],\"action\":\"SCMP_ACT_NOTIFY\"}],\"listenerPath\":\"/x\"}",
		  "write syscall", "NOTIFY on write" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
		  "listenerPath: required", "NOTIFY without listenerPath" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\",\"errnoRet\":1}]}",
		  "errnoRet is only valid", "errnoRet on KILL" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_VAX\"]}", "unknown architecture", "unknown arch" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_NOPE\"]}", "unknown seccomp flag", "unknown flag" },
		{ "{\"defaultAction\":\"SCMP_ACT_KILL\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  "out of range", "argument index 6" },
		{ "{\"defaultAction\":\"SCMP_ACT_KILL\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_XX\"}]}]}",
		  "unknown seccomp operator", "unknown operator" },
		{ "{\"defaultAction\":\"SCMP_ACT_KILL\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
		  "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  "same conditions", "same conditions, two actions (libseccomp's EEXIST)" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":5000}", "above 4095", "errno above 4095" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = comp(bad[i].json, SECCOMP_ARCH_X86_64);
		T_OK(rc < 0 && strstr(errmsg, bad[i].want) && strstr(errmsg, "config.json: .") == errmsg, bad[i].name);
		if (rc == 0 || !strstr(errmsg, bad[i].want))
			printf("#   message: %s\n", errmsg);
	}
	T_OK(comp("{}", SECCOMP_ARCH_X86_64) == 0 && P.len == 0, "no defaultAction and no syscalls: disabled");
	T_OK(comp("{\"defaultAction\":\"\",\"syscalls\":[]}", SECCOMP_ARCH_X86_64) == 0 && P.len == 0, "empty: disabled");
}

static void test_flags(void)
{
	comp("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", SECCOMP_ARCH_X86_64);
	T_INTEQ(P.flags, SECCOMP_FLAG_SPEC_ALLOW, "flags absent: SPEC_ALLOW");
	T_OK(P.flags_default, "flags absent is recorded");
	comp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[]}", SECCOMP_ARCH_X86_64);
	T_INTEQ(P.flags, 0, "flags []: none");
	comp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}",
	     SECCOMP_ARCH_X86_64);
	T_INTEQ(P.flags, SECCOMP_FLAG_LOG, "TSYNC ignored, WAIT_KILLABLE_RECV only with a listener");
	comp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],\"listenerPath\":\"/l\",\"listenerMetadata\":\"m\","
	     "\"syscalls\":[{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", SECCOMP_ARCH_X86_64);
	T_INTEQ(P.flags, SECCOMP_FLAG_NEW_LISTENER | SECCOMP_FLAG_WAIT_KILLABLE_RECV, "NOTIFY adds NEW_LISTENER");
	T_OK(P.notify && !strcmp(P.listener_path, "/l") && !strcmp(P.listener_metadata, "m"), "listener path and metadata");
	T_INTEQ(run(X86_64, 39, 0, 0), 0x7fc00000u, "getpid -> USER_NOTIF");
}

/* Every operator on a 64-bit argument at its boundaries. */
static void test_ops64(void)
{
	static const struct { const char *op; uint64_t v, v2; uint64_t in; int match; } c[] = {
		{ "EQ", 0x100000005ull, 0, 0x100000005ull, 1 }, { "EQ", 0x100000005ull, 0, 5, 0 },
		{ "EQ", 0xffffffffull, 0, 0xffffffffffffffffull, 0 }, { "EQ", 0xffffffffull, 0, 0xffffffffull, 1 },
		{ "NE", 0x100000005ull, 0, 5, 1 }, { "NE", 0x100000005ull, 0, 0x100000005ull, 0 },
		{ "NE", 5, 0, 0x100000005ull, 1 },
		{ "GT", 0x100000000ull, 0, 0x100000000ull, 0 }, { "GT", 0x100000000ull, 0, 0x100000001ull, 1 },
		{ "GT", 0x100000000ull, 0, 0x200000000ull, 1 }, { "GT", 0x100000000ull, 0, 0xffffffffull, 0 },
		{ "GT", 0, 0, ~0ull, 1 },
		{ "GE", 0x100000000ull, 0, 0x100000000ull, 1 }, { "GE", 0x100000000ull, 0, 0xffffffffull, 0 },
		{ "GE", 7, 0, 6, 0 }, { "GE", 7, 0, 7, 1 },
		{ "LT", 0x100000000ull, 0, 0xffffffffull, 1 }, { "LT", 0x100000000ull, 0, 0x100000000ull, 0 },
		{ "LT", 7, 0, 0x100000000ull, 0 }, { "LT", 7, 0, 6, 1 },
		{ "LE", 7, 0, 7, 1 }, { "LE", 7, 0, 8, 0 }, { "LE", 0x100000007ull, 0, 0x100000007ull, 1 },
		{ "LE", 0x100000007ull, 0, 0x100000008ull, 0 }, { "LE", 0x100000007ull, 0, 0xffffffffull, 1 },
		/* MASKED_EQ: value is the mask, valueTwo the datum */
		{ "MASKED_EQ", 0x7e020000ull, 0, 0x10, 1 }, { "MASKED_EQ", 0x7e020000ull, 0, 0x20000, 0 },
		{ "MASKED_EQ", 0xff00000000ull, 0x1200000000ull, 0x12000000ffull, 1 },
		{ "MASKED_EQ", 0xff00000000ull, 0x1200000000ull, 0x1300000000ull, 0 },
		{ "MASKED_EQ", 0, 5, 12345, 1 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char j[512], name[160];
		snprintf(j, sizeof j, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"lseek\"],"
		         "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":77,\"args\":[{\"index\":1,\"value\":%llu,"
		         "\"valueTwo\":%llu,\"op\":\"SCMP_CMP_%s\"}]}]}",
		         (unsigned long long)c[i].v, (unsigned long long)c[i].v2, c[i].op);
		comp(j, SECCOMP_ARCH_X86_64);
		snprintf(name, sizeof name, "%s %#llx/%#llx on %#llx: %s", c[i].op, (unsigned long long)c[i].v,
		         (unsigned long long)c[i].v2, (unsigned long long)c[i].in, c[i].match ? "match" : "no match");
		T_INTEQ(run(X86_64, 8, 0, c[i].in), c[i].match ? ERRNO(77) : ALLOW, name);
	}
}

/* 32-bit architectures compare the low word only. */
static void test_32bit(void)
{
	comp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"lseek\"],\"action\":\"SCMP_ACT_ERRNO\","
	     "\"args\":[{\"index\":2,\"value\":4294967297,\"op\":\"SCMP_CMP_EQ\"}]}]}", SECCOMP_ARCH_I386);
	struct sc_data d;
	memset(&d, 0, sizeof d);
	d.arch = I386;
	d.nr = 19;
	d.args[2] = 1;
	T_INTEQ(sc_interp(P.insns, P.len, &d), ERRNO(1), "i386: EQ 0x100000001 matches 1 (low word)");
	T_INTEQ(run(X86_64, 8, 0, 0), 0, "native i386 filter: x86_64 is a bad architecture (KILL)");
}

static const char *stubprof =
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
	"\"syscalls\":[{\"names\":[\"read\",\"write\",\"socket\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	"{\"names\":[\"openat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";

static void test_arch_stub(void)
{
	comp(stubprof, SECCOMP_ARCH_X86_64);
	T_INTEQ(run(X86_64, 0, 0, 0), ALLOW, "read allowed");
	T_INTEQ(run(X86_64, 2, 0, 0), ERRNO(1), "open: default EPERM");
	T_INTEQ(run(X86_64, 257, 0, 0), ERRNO(1), "openat: max of the stub (257)");
	T_INTEQ(run(X86_64, 258, 0, 0), ERRNO(38), "258: above the highest named number: ENOSYS");
	T_INTEQ(run(X86_64, 0x40000000, 0, 0), 0, "x32 read without x32 listed: KILL");
	T_INTEQ(run(X86_64, 0xffffffff, 0, 0), ERRNO(1), "nr -1: the default action");
	T_INTEQ(run(X86_64, 0x80000000u, 0, 0), ERRNO(38), "0x80000000: ENOSYS from the stub");
	T_INTEQ(run(I386, 3, 0, 0), ALLOW, "i386 read allowed");
	T_INTEQ(run(I386, 359, 0, 0), ALLOW, "i386 socket allowed");
	T_INTEQ(run(I386, 102, 1, 0), ALLOW, "i386 socketcall(SYS_SOCKET) allowed");
	T_INTEQ(run(I386, 102, 3, 0), ERRNO(1), "i386 socketcall(SYS_CONNECT) denied");
	T_INTEQ(run(I386, 400, 0, 0), ERRNO(38), "i386 400: ENOSYS");
	T_INTEQ(run(0xc00000b7u, 0, 0, 0), 0, "aarch64 (not listed): KILL");
	/* without architectures runc 1.1.5 has no stub */
	comp("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}", SECCOMP_ARCH_X86_64);
	T_INTEQ(run(X86_64, 300, 0, 0), ERRNO(1), "no architectures: no -ENOSYS stub");
	T_INTEQ(run(I386, 3, 0, 0), 0, "native only: i386 is a bad architecture");
	/* x32 listed: one block */
	comp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
	     SECCOMP_ARCH_X86_64);
	T_INTEQ(run(X86_64, 0x40000000, 0, 0), ERRNO(1), "x32 read denied");
	T_INTEQ(run(X86_64, 0, 0, 0), ERRNO(1), "x86_64 read denied");
	T_INTEQ(run(X86_64, 0x40000001, 0, 0), ALLOW, "x32 write allowed");
}

static void test_precedence(void)
{
	const char *h = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[";
	char j[2048];
#define A0(op, v) "{\"index\":0,\"value\":" #v ",\"op\":\"SCMP_CMP_" #op "\"}"
#define A1(op, v) "{\"index\":1,\"value\":" #v ",\"op\":\"SCMP_CMP_" #op "\"}"
#define RULE(e, args) "{\"names\":[\"lseek\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":" #e ",\"args\":[" args "]}"
	snprintf(j, sizeof j, "%s%s,%s]}", h, RULE(11, ""), RULE(12, ""));
	comp(j, SECCOMP_ARCH_X86_64);
	T_INTEQ(run(X86_64, 8, 0, 0), ERRNO(11), "two unconditional rules: the first wins");
	snprintf(j, sizeof j, "%s%s,%s]}", h, RULE(11, A0(EQ, 1)), RULE(12, ""));
	comp(j, SECCOMP_ARCH_X86_64);
	T_INTEQ(run(X86_64, 8, 1, 0), ERRNO(12), "conditional then unconditional: the unconditional one");
	snprintf(j, sizeof j, "%s%s,%s]}", h, RULE(12, ""), RULE(11, A0(EQ, 1)));
	comp(j, SECCOMP_ARCH_X86_64);
	T_INTEQ(run(X86_64, 8, 1, 0), ERRNO(12), "unconditional then conditional: the conditional one is dropped");
	snprintf(j, sizeof j, "%s%s]}", h, RULE(13, A0(EQ, 1) "," A0(EQ, 2)));
	comp(j, SECCOMP_ARCH_X86_64);
	T_OK(run(X86_64, 8, 1, 0) == ERRNO(13) && run(X86_64, 8, 2, 0) == ERRNO(13) && run(X86_64, 8, 3, 0) == ALLOW,
	     "a repeated index: the conditions are OR'd");
	snprintf(j, sizeof j, "%s%s]}", h, RULE(14, A0(EQ, 1) "," A1(EQ, 2)));
	comp(j, SECCOMP_ARCH_X86_64);
	T_OK(run(X86_64, 8, 1, 2) == ERRNO(14) && run(X86_64, 8, 1, 3) == ALLOW && run(X86_64, 8, 0, 2) == ALLOW,
	     "different indexes: the conditions are AND'd");
	/* overlapping rules: libseccomp's order (observed with 2.5.4) */
	snprintf(j, sizeof j, "%s%s,%s]}", h, RULE(1, A0(EQ, 1)), RULE(2, A0(LE, 5)));
	comp(j, SECCOMP_ARCH_X86_64);
	T_OK(run(X86_64, 8, 1, 0) == ERRNO(1) && run(X86_64, 8, 3, 0) == ERRNO(2), "EQ before LE");
	snprintf(j, sizeof j, "%s%s,%s]}", h, RULE(1, A0(GE, 3)), RULE(2, A0(LE, 5)));
	comp(j, SECCOMP_ARCH_X86_64);
	T_INTEQ(run(X86_64, 8, 4, 0), ERRNO(2), "LE before GE");
	snprintf(j, sizeof j, "%s%s,%s]}", h, RULE(1, A0(EQ, 1)), RULE(2, A1(EQ, 1)));
	comp(j, SECCOMP_ARCH_X86_64);
	T_OK(run(X86_64, 8, 1, 1) == ERRNO(2) && run(X86_64, 8, 1, 0) == ERRNO(1), "the higher argument first");
	snprintf(j, sizeof j, "%s%s,%s]}", h, RULE(2, A1(EQ, 1) "," A0(EQ, 5)), RULE(1, A0(EQ, 1)));
	comp(j, SECCOMP_ARCH_X86_64);
	T_OK(run(X86_64, 8, 1, 1) == ERRNO(1) && run(X86_64, 8, 5, 1) == ERRNO(2), "AND rule and a one-condition rule");
	/* the same action on a rule equal to the default is skipped */
	comp("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"},"
	     "{\"names\":[\"read\",\"no_such_call\"],\"action\":\"SCMP_ACT_ALLOW\"}]}", SECCOMP_ARCH_X86_64);
	T_INTEQ(run(X86_64, 0, 0, 0), ALLOW, "a rule equal to the default action is skipped");
	T_INTEQ(P.nskipped, 1, "an unknown name is skipped");
}

static void test_actions(void)
{
	comp("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":["
	     "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_TRAP\"},{\"names\":[\"write\"],\"action\":\"SCMP_ACT_LOG\"},"
	     "{\"names\":[\"open\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":9},{\"names\":[\"close\"],\"action\":\"SCMP_ACT_KILL\"},"
	     "{\"names\":[\"stat\"],\"action\":\"SCMP_ACT_KILL_THREAD\"},{\"names\":[\"fstat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":4095}]}",
	     SECCOMP_ARCH_X86_64);
	T_INTEQ(run(X86_64, 0, 0, 0), 0x00030000u, "TRAP");
	T_INTEQ(run(X86_64, 1, 0, 0), 0x7ffc0000u, "LOG");
	T_INTEQ(run(X86_64, 2, 0, 0), 0x7ff00009u, "TRACE with errnoRet");
	T_INTEQ(run(X86_64, 3, 0, 0), 0u, "KILL is KILL_THREAD");
	T_INTEQ(run(X86_64, 4, 0, 0), 0u, "KILL_THREAD");
	T_INTEQ(run(X86_64, 5, 0, 0), ERRNO(4095), "ERRNO 4095");
	T_INTEQ(run(X86_64, 6, 0, 0), 0x80000000u, "default KILL_PROCESS");
}

/* Many conditional rules: jumps longer than 255 instructions, and the 4096 limit. */
static void test_long(void)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[");
	for (int i = 0; i < 300; i++)
		buf_addf(&b, "%s{\"names\":[\"lseek\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":%d,\"args\":"
		         "[{\"index\":1,\"value\":%d,\"op\":\"SCMP_CMP_EQ\"}]}", i ? "," : "", i % 4000 + 1, i * 3);
	buf_adds(&b, "]}");
	T_OK(comp(b.p, SECCOMP_ARCH_X86_64) == 0 && P.len > 1000, "300 rules on one syscall compile");
	int ok = 1;
	for (int i = 0; i < 300; i++)
		ok &= run(X86_64, 8, 0, (uint64_t)i * 3) == ERRNO((uint32_t)(i % 4000 + 1)) &&
		      run(X86_64, 8, 0, (uint64_t)i * 3 + 1) == ALLOW;
	T_OK(ok, "every one of them decides its value");
	buf_reset(&b);
	buf_adds(&b, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[");
	for (int i = 0; i < 1000; i++)
		buf_addf(&b, "%s{\"names\":[\"lseek\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":"
		         "[{\"index\":1,\"value\":%d,\"op\":\"SCMP_CMP_GT\"},{\"index\":2,\"value\":%d,\"op\":\"SCMP_CMP_LT\"}]}",
		         i ? "," : "", i, i);
	buf_adds(&b, "]}");
	T_OK(comp(b.p, SECCOMP_ARCH_X86_64) < 0 && strstr(errmsg, "limit of 4096"), "over 4096 instructions: a clear error");
	printf("# %s\n", errmsg);
	buf_free(&b);
}

static void test_payload(void)
{
	struct buf b = BUF_INIT;
	const char *ann[] = { "a", "b" };
	struct seccomp_state st = { "1.0.2-dev", "c1", "creating", "/bundle", 42, ann, 1 };
	seccomp_listener_payload(&b, &st, "meta");
	T_STREQ(b.p, "{\"ociVersion\":\"1.0.2-dev\",\"fds\":[\"seccompFd\"],\"pid\":42,\"metadata\":\"meta\","
	        "\"state\":{\"ociVersion\":\"1.0.2-dev\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,"
	        "\"bundle\":\"/bundle\",\"annotations\":{\"a\":\"b\"}}}", "runc's listener payload");
	buf_free(&b);
}

/* Loads P in a child (no_new_privs, so no root needed) and returns what getppid gave there
 * (-errno), or 1000 + the signal that killed it. */
static long load_and_call(long nr)
{
	int p[2];
	long r = -9999;
	if (pipe(p) < 0)
		return r;
	pid_t pid = fork();
	if (!pid) {
		struct err e;
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (seccomp_load(&P, NULL, &e) < 0)
			_exit(3);
		long v = syscall(nr);
		v = v < 0 ? -errno : v;
		if (write(p[1], &v, sizeof v) != sizeof v)
			_exit(4);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &r, sizeof r) != sizeof r)
		r = -9999;
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		r = 1000 + WTERMSIG(st);
	return r;
}

static void test_kernel(void)
{
	if (t_emulator()) {
		/* qemu-user runs the target's system calls as the host's, so a filter for the
		 * target architecture never sees them: the kernel half cannot run there. */
		t_skip("seccomp filters in the kernel", "qemu-user does not run a foreign filter");
		return;
	}
	comp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
	     "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":77},{\"names\":[\"getpgrp\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}",
	     seccomp_arch_native());
	T_INTEQ(load_and_call(SYS_getppid), -77, "the kernel takes the program: getppid gets errno 77");
	T_INTEQ(load_and_call(SYS_getpid) > 0, 1, "getpid allowed");
#ifdef SYS_getpgrp
	T_INTEQ(load_and_call(SYS_getpgrp), 1000 + SIGSYS, "getpgrp: killed (SIGSYS)");
#endif
	struct err e;
	int fd;
	comp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"]}", seccomp_arch_native());
	if (syscall(SYS_seccomp, 1, 2, NULL) < 0 && errno == EFAULT)
		T_INTEQ(load_and_call(SYS_getppid) > 0, 1, "flags LOG: loads");
	else
		T_OK(1, "flags LOG: loads # skip seccomp(2) unavailable here (valgrind)");
	comp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x\",\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
	     seccomp_arch_native());
	T_OK(seccomp_load(&P, NULL, &e) < 0 && strstr(e.msg, "takes no listener"), "NOTIFY without a listener fd pointer: error");
	struct seccomp_prog none;
	memset(&none, 0, sizeof none);
	T_OK(seccomp_load(&none, &fd, &e) == 0 && fd == -1, "an empty program loads nothing");
	T_OK(seccomp_send_listener("/nonexistent/crbox.sock", 0, "{}", 2, &e) < 0 &&
	     strstr(e.msg, "listenerPath /nonexistent/crbox.sock"), "no agent: the error names listenerPath");
	T_OK(seccomp_send_listener("", 0, "{}", 2, &e) < 0 && strstr(e.msg, "not set"), "empty listenerPath");
}

int main(void)
{
	test_table();
	test_errors();
	test_flags();
	test_ops64();
	test_32bit();
	test_arch_stub();
	test_precedence();
	test_actions();
	test_long();
	test_payload();
	test_kernel();
	seccomp_prog_free(&P);
	return t_done();
}
