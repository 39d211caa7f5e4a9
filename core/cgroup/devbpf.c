/* cgroup/devbpf: device rules -> BPF_PROG_TYPE_CGROUP_DEVICE, and bpf(2) load/attach (see
 * devbpf.h). The instruction layout and the bpf_attr offsets are in docs/cgroups.md. */
#include "cgroup/devbpf.h"
#include "cgroup/internal.h"
#include "buf.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Opcodes (class | op | source) and registers. */
enum {
	LDX_W_MEM = 0x61, ALU_AND_K = 0x54, ALU_RSH_K = 0x74, ALU_MOV_K = 0xb4,
	ALU_MOV_X = 0xbc, JNE_K = 0x55, JNE_X = 0x5d, EXIT = 0x95,
};
enum { R0, R1, R2, R3, R4, R5 };
enum { DEV_BLOCK = 1, DEV_CHAR = 2 };

static uint8_t regs(int dst, int src)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (uint8_t)(dst << 4 | src);
#else
	return (uint8_t)(src << 4 | dst);
#endif
}

static int reg_dst(uint8_t r)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return r >> 4;
#else
	return r & 15;
#endif
}

static int reg_src(uint8_t r)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return r & 15;
#else
	return r >> 4;
#endif
}

static void emit(struct cg_bpf_prog *p, uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	p->insn = xrealloc(p->insn, (p->n + 1) * sizeof *p->insn);
	p->insn[p->n].code = code;
	p->insn[p->n].regs = regs(dst, src);
	p->insn[p->n].off = off;
	p->insn[p->n].imm = imm;
	p->n++;
}

void cg_devbpf_free(struct cg_bpf_prog *p)
{
	free(p->insn);
	p->insn = NULL;
	p->n = 0;
}

int cg_devbpf_build(const struct cg_devemu *m, struct cg_bpf_prog *p, struct err *e)
{
	struct cg_devrule *rules = NULL;
	size_t n = 0, i;

	p->insn = NULL;
	p->n = 0;
	cg_devemu_rules(m, &rules, &n);
	emit(p, LDX_W_MEM, R2, R1, 0, 0);     /* r2 = ctx->access_type */
	emit(p, ALU_AND_K, R2, 0, 0, 0xffff); /* w2 &= 0xffff: device type */
	emit(p, LDX_W_MEM, R3, R1, 0, 0);
	emit(p, ALU_RSH_K, R3, 0, 0, 16);     /* w3 >>= 16: access */
	emit(p, LDX_W_MEM, R4, R1, 4, 0);     /* major */
	emit(p, LDX_W_MEM, R5, R1, 8, 0);     /* minor */
	for (i = 0; i < n; i++) {
		const struct cg_devrule *r = &rules[i];
		size_t start = p->n, k;
		char s[64];
		if (r->type == 'a') {
			if (i != 0 || r->allow != m->default_allow)
				goto internal;
			continue;
		}
		if (r->allow == m->default_allow)
			goto internal;
		if (r->type != 'b' && r->type != 'c') {
			cg_devbpf_free(p);
			free(rules);
			return err_set(e, EINVAL, "invalid device type '%c'", r->type);
		}
		if (r->major > INT32_MAX || r->minor > INT32_MAX) {
			cg_devbpf_free(p);
			free(rules);
			return err_set(e, EINVAL, "device rule %s: number too large",
				       cg_dev_rule_str(r, s));
		}
		/* Jump offsets are filled below, once the block's end is known. */
		emit(p, JNE_K, R2, 0, 0, r->type == 'b' ? DEV_BLOCK : DEV_CHAR);
		if (r->perms != CG_DEV_RWM) {
			emit(p, ALU_MOV_X, R1, R3, 0, 0);
			emit(p, ALU_AND_K, R1, 0, 0, (int32_t)r->perms);
			emit(p, JNE_X, R1, R3, 0, 0);
		}
		if (r->major >= 0)
			emit(p, JNE_K, R4, 0, 0, (int32_t)r->major);
		if (r->minor >= 0)
			emit(p, JNE_K, R5, 0, 0, (int32_t)r->minor);
		emit(p, ALU_MOV_K, R0, 0, 0, r->allow ? 1 : 0);
		emit(p, EXIT, 0, 0, 0, 0);
		for (k = start; k < p->n; k++)
			if (p->insn[k].code == JNE_K || p->insn[k].code == JNE_X)
				p->insn[k].off = (int16_t)(p->n - k - 1);
	}
	emit(p, ALU_MOV_K, R0, 0, 0, m->default_allow ? 1 : 0);
	emit(p, EXIT, 0, 0, 0, 0);
	free(rules);
	return 0;
internal:
	{
		char s[64];
		err_set(e, EINVAL, "[internal error] emulated cgroupv2 devices ruleset had a bad "
			"rule at %zu (%s)", i, cg_dev_rule_str(&rules[i], s));
	}
	cg_devbpf_free(p);
	free(rules);
	return -1;
}

int cg_devbpf_eval(const struct cg_bpf_prog *p, char type, unsigned access, uint32_t major,
		   uint32_t minor)
{
	uint64_t r[11] = { 0 };
	uint32_t ctx[3] = { (uint32_t)(access << 16 | (type == 'b' ? DEV_BLOCK : DEV_CHAR)),
			    major, minor };
	size_t pc = 0, steps = 0;

	while (pc < p->n && steps++ < 4096) {
		const struct cg_bpf_insn *in = &p->insn[pc];
		int d = reg_dst(in->regs), s = reg_src(in->regs);
		pc++;
		switch (in->code) {
		case LDX_W_MEM:
			if (s != R1 || in->off < 0 || in->off > 8 || in->off % 4)
				return -1;
			r[d] = ctx[in->off / 4];
			break;
		case ALU_AND_K: r[d] = (uint32_t)r[d] & (uint32_t)in->imm; break;
		case ALU_RSH_K: r[d] = (uint32_t)r[d] >> in->imm; break;
		case ALU_MOV_K: r[d] = (uint32_t)in->imm; break;
		case ALU_MOV_X: r[d] = (uint32_t)r[s]; break;
		case JNE_K:
			if (r[d] != (uint64_t)(int64_t)in->imm)
				pc += (size_t)in->off;
			break;
		case JNE_X:
			if (r[d] != r[s])
				pc += (size_t)in->off;
			break;
		case EXIT: return r[0] == 1 ? 1 : r[0] == 0 ? 0 : -1;
		default: return -1;
		}
	}
	return -1;
}

/* ---- bpf(2) ---- */

enum {
	BPF_PROG_LOAD_ = 5, BPF_PROG_ATTACH_ = 8, BPF_PROG_DETACH_ = 9,
	BPF_PROG_GET_FD_BY_ID_ = 13, BPF_PROG_QUERY_ = 16,
	PROG_TYPE_CGROUP_DEVICE = 15, ATTACH_CGROUP_DEVICE = 6,
	F_ALLOW_MULTI = 2, F_REPLACE = 4,
};

static long sys_bpf(int cmd, unsigned char attr[144])
{
	long r;
	do
		r = syscall(SYS_bpf, cmd, attr, 144);
	while (r < 0 && errno == EINTR);
	return r;
}

static void put32(unsigned char *a, size_t off, uint32_t v) { memcpy(a + off, &v, 4); }
static void put64(unsigned char *a, size_t off, uint64_t v) { memcpy(a + off, &v, 8); }
static uint32_t get32(const unsigned char *a, size_t off) { uint32_t v; memcpy(&v, a + off, 4); return v; }

static int prog_load(const struct cg_bpf_prog *p, struct err *e)
{
	static const char license[] = "Apache";
	unsigned char a[144];
	size_t logsz = 8192;
	int fd;

	memset(a, 0, sizeof a);
	put32(a, 0, PROG_TYPE_CGROUP_DEVICE);
	put32(a, 4, (uint32_t)p->n);
	put64(a, 8, (uint64_t)(uintptr_t)p->insn);
	put64(a, 16, (uint64_t)(uintptr_t)license);
	fd = (int)sys_bpf(BPF_PROG_LOAD_, a);
	if (fd >= 0)
		return fd;
	/* Again with the verifier's log, growing the buffer on ENOSPC, for the message. */
	for (;;) {
		char *log = xcalloc(1, logsz);
		int err0;
		put32(a, 24, 1);
		put32(a, 28, (uint32_t)logsz);
		put64(a, 32, (uint64_t)(uintptr_t)log);
		fd = (int)sys_bpf(BPF_PROG_LOAD_, a);
		err0 = errno;
		if (fd >= 0) {
			free(log);
			return fd;
		}
		if (err0 == ENOSPC && logsz < (1u << 20)) {
			free(log);
			logsz *= 4;
			continue;
		}
		errno = err0;
		err_sys(e, "BPF_PROG_LOAD (cgroup device filter, %zu instructions)%s%s", p->n,
			*log ? ": verifier: " : "", log);
		free(log);
		return -1;
	}
}

/* The ids of the device programs attached to the dir fd; *ids heap. */
static int query(int dfd, uint32_t **ids, uint32_t *n, struct err *e)
{
	uint32_t cap = 64;

	*ids = NULL;
	for (;;) {
		unsigned char a[144];
		memset(a, 0, sizeof a);
		*ids = xrealloc(*ids, cap * sizeof **ids);
		put32(a, 0, (uint32_t)dfd);
		put32(a, 4, ATTACH_CGROUP_DEVICE);
		put64(a, 16, (uint64_t)(uintptr_t)*ids);
		put32(a, 24, cap);
		if (sys_bpf(BPF_PROG_QUERY_, a) == 0) {
			*n = get32(a, 24);
			return 0;
		}
		if (errno == ENOSPC && get32(a, 24) > cap && cap < 65536) {
			cap = get32(a, 24);
			continue;
		}
		free(*ids);
		*ids = NULL;
		return err_sys(e, "BPF_PROG_QUERY (BPF_CGROUP_DEVICE)");
	}
}

static int fd_by_id(uint32_t id)
{
	unsigned char a[144];
	memset(a, 0, sizeof a);
	put32(a, 0, id);
	return (int)sys_bpf(BPF_PROG_GET_FD_BY_ID_, a);
}

static int attach(int dfd, int pfd, int replace_fd)
{
	unsigned char a[144];
	memset(a, 0, sizeof a);
	put32(a, 0, (uint32_t)dfd);
	put32(a, 4, (uint32_t)pfd);
	put32(a, 8, ATTACH_CGROUP_DEVICE);
	put32(a, 12, F_ALLOW_MULTI | (replace_fd >= 0 ? F_REPLACE : 0));
	if (replace_fd >= 0)
		put32(a, 16, (uint32_t)replace_fd);
	return (int)sys_bpf(BPF_PROG_ATTACH_, a);
}

static int detach(int dfd, int pfd)
{
	unsigned char a[144];
	memset(a, 0, sizeof a);
	put32(a, 0, (uint32_t)dfd);
	put32(a, 4, (uint32_t)pfd);
	put32(a, 8, ATTACH_CGROUP_DEVICE);
	return (int)sys_bpf(BPF_PROG_DETACH_, a);
}

int cg_devbpf_count(const char *dir, struct err *e)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint32_t *ids, n;
	int r;

	if (dfd < 0)
		return err_sys(e, "open %s", dir);
	r = query(dfd, &ids, &n, e);
	close(dfd);
	if (r < 0)
		return -1;
	free(ids);
	return (int)n;
}

int cg_devbpf_attach(const char *dir, const struct cg_bpf_prog *p, struct err *e)
{
	struct rlimit inf = { RLIM_INFINITY, RLIM_INFINITY };
	uint32_t *ids = NULL, n = 0, i;
	int *old = NULL, nold = 0, dfd, pfd = -1, rc = -1, k;


	setrlimit(RLIMIT_MEMLOCK, &inf);   /* best effort: kernels before 5.11 charge memlock */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, "cannot get dir FD for %s", dir);
	if (query(dfd, &ids, &n, e) < 0)
		goto out;
	old = xcalloc(n + 1, sizeof *old);
	for (i = 0; i < n; i++) {
		int fd = fd_by_id(ids[i]);
		if (fd >= 0)
			old[nold++] = fd;
		else if (errno != EPERM && errno != EACCES && errno != ENOENT) {
			err_sys(e, "BPF_PROG_GET_FD_BY_ID %u", ids[i]);
			goto out;
		}
	}
	pfd = prog_load(p, e);
	if (pfd < 0)
		goto out;
	/* One old program: swap it atomically. Kernels without BPF_F_REPLACE say EINVAL. */
	if (nold == 1) {
		if (attach(dfd, pfd, old[0]) == 0) {
			rc = 0;
			goto out;
		}
		/* EINVAL: no BPF_F_REPLACE here; ENOENT: someone detached it meanwhile. */
		if (errno != EINVAL && errno != ENOENT) {
			err_sys(e, "failed to call BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, "
				"BPF_F_ALLOW_MULTI|BPF_F_REPLACE)");
			goto out;
		}
	}
	/* Attach first, detach the old ones after: never a moment without a filter. */
	if (attach(dfd, pfd, -1) < 0) {
		err_sys(e, "failed to call BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI)");
		goto out;
	}
	for (k = 0; k < nold; k++)
		if (detach(dfd, old[k]) < 0 && errno != ENOENT) {
			err_sys(e, "failed to call BPF_PROG_DETACH (BPF_CGROUP_DEVICE) on old filter "
				"program");
			goto out;
		}
	rc = 0;
out:
	for (k = 0; k < nold; k++)
		close(old[k]);
	free(old);
	free(ids);
	if (pfd >= 0)
		close(pfd);
	close(dfd);
	return rc;
}

int cg_devices_v2(const char *dir, const struct spec_resources *r, struct err *e)
{
	struct cg_devemu m;
	struct cg_bpf_prog p;
	int rc;
	size_t i;

	if (cg_devemu_for(&m, r, e) < 0)
		return -1;
	rc = cg_devbpf_build(&m, &p, e);
	cg_devemu_free(&m);
	if (rc < 0)
		return -1;
	rc = cg_devbpf_attach(dir, &p, e);
	cg_devbpf_free(&p);
	if (rc < 0) {
		/* runc's canSkipEBPFError: nothing to enforce when every rule allows rwm. */
		for (i = 0; i < r->ndevices; i++)
			if (!r->devices[i].allow || strlen(r->devices[i].access) != 3)
				return -1;
		return 0;
	}
	return 0;
}
