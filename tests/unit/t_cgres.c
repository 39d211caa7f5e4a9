/* cgroup resources without root: runc's v1 -> v2 conversions; linux.resources parsing (every
 * field, the errors that name it); cgroup_apply_limits on fake cgroupfs trees (plain files in
 * a temp dir): a pure v2 host's unified dir with every v2 file, and v1 hierarchies, each
 * read back; fields a version cannot express and controllers a host lacks are errors. */
#include "t.h"
#include "cgroup/cgroup.h"
#include "cgroup/convert.h"
#include "oci/spec_res.h"
#include "oci/spec_resw.h"
#include "cgroup/update.h"
#include "jsonw.h"
#include "cgroup/stats.h"
#include "cgroup/devrules.h"
#include "fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void conversions(void)
{
	struct err e;
	int64_t v;
	int ns;
	char b[48];

	T_INTEQ(cg_shares_to_weight(0), 0, "shares 0: unset");
	T_INTEQ(cg_shares_to_weight(2), 1, "shares 2 -> weight 1");
	T_INTEQ(cg_shares_to_weight(512), 20, "shares 512 -> 20");
	T_INTEQ(cg_shares_to_weight(1024), 39, "shares 1024 -> 39");
	T_INTEQ(cg_shares_to_weight(262144), 10000, "shares 262144 -> 10000");
	T_INTEQ(cg_shares_to_weight(1), 1, "shares 1: clamped to 1");
	T_INTEQ(cg_blkio_to_io_weight(0), 0, "blkio weight 0: unset");
	T_INTEQ(cg_blkio_to_io_weight(10), 1, "blkio 10 -> io 1");
	T_INTEQ(cg_blkio_to_io_weight(100), 910, "blkio 100 -> io 910");
	T_INTEQ(cg_blkio_to_io_weight(500), 4950, "blkio 500 -> io 4950");
	T_INTEQ(cg_blkio_to_io_weight(1000), 10000, "blkio 1000 -> io 10000");
	T_OK(cg_swap_to_v2(200, 100, &v, &ns, &e) == 0 && v == 100 && !ns, "swap 200, mem 100 -> 100");
	T_OK(cg_swap_to_v2(100, 100, &v, &ns, &e) == 0 && v == 0 && ns, "swap == mem -> 0 (no swap)");
	T_OK(cg_swap_to_v2(0, -1, &v, &ns, &e) == 0 && v == -1, "mem -1, swap unset -> max");
	T_OK(cg_swap_to_v2(-1, 100, &v, &ns, &e) == 0 && v == -1, "swap -1 -> max");
	T_OK(cg_swap_to_v2(0, 100, &v, &ns, &e) == 0 && v == 0 && !ns, "swap unset -> unset");
	T_OK(cg_swap_to_v2(200, 0, &v, &ns, &e) < 0 && strstr(e.msg, "without memory limit"),
	     "swap without memory: error");
	T_OK(cg_swap_to_v2(50, 100, &v, &ns, &e) < 0 && strstr(e.msg, ">= memory limit"),
	     "swap < memory: error");
	T_STREQ(cg_cpu_max(50000, 100000, b), "50000 100000", "cpu.max quota period");
	T_STREQ(cg_cpu_max(-1, 100000, b), "max 100000", "cpu.max -1 -> max");
	T_STREQ(cg_cpu_max(20000, 0, b), "20000", "cpu.max quota only");
	T_OK(cg_cpu_max(0, 0, b) == NULL, "cpu.max nothing set: NULL");
	T_STREQ(cg_v2_num(-1, b), "max", "v2 number -1 -> max");
	T_OK(cg_v2_num(0, b) == NULL, "v2 number 0 -> unset");
}

static const char *full_res =
	"{\"memory\":{\"limit\":67108864,\"reservation\":33554432,\"swap\":134217728,"
	"\"kernel\":1,\"kernelTCP\":2,\"swappiness\":10,\"disableOOMKiller\":true,"
	"\"useHierarchy\":true},"
	"\"cpu\":{\"shares\":512,\"quota\":20000,\"burst\":1000,\"period\":100000,"
	"\"realtimeRuntime\":10000,\"realtimePeriod\":100000,\"cpus\":\"0\",\"mems\":\"0\","
	"\"idle\":0},"
	"\"pids\":{\"limit\":100},"
	"\"blockIO\":{\"weight\":200,\"leafWeight\":300,"
	"\"weightDevice\":[{\"major\":254,\"minor\":0,\"weight\":150}],"
	"\"throttleReadBpsDevice\":[{\"major\":254,\"minor\":0,\"rate\":1048576}],"
	"\"throttleWriteBpsDevice\":[{\"major\":254,\"minor\":0,\"rate\":2097152}],"
	"\"throttleReadIOPSDevice\":[{\"major\":254,\"minor\":0,\"rate\":100}],"
	"\"throttleWriteIOPSDevice\":[{\"major\":254,\"minor\":0,\"rate\":200}]},"
	"\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],"
	"\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\",\"priority\":5}]},"
	"\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}},"
	"\"unified\":{\"memory.oom.group\":\"1\"},"
	"\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
	"{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":237,\"access\":\"rw\"}]}";

/* Parses text as a resources object; the document stays alive in *d. */
static int parse(const char *text, struct json_doc *d, struct spec_resources *r, struct err *e)
{
	char *buf = strdup(text);
	memset(r, 0, sizeof *r);
	memset(d, 0, sizeof *d);
	if (json_parse(d, "config.json", buf, strlen(buf), e) < 0) {
		free(buf);
		return -1;
	}
	d->buf = buf;
	return spec_res_parse(d, 0, r, e);
}

static void parsing(void)
{
	struct json_doc d;
	struct spec_resources r;
	struct err e;
	static const struct { const char *json, *want; } bad[] = {
		{ "{\"devices\":[{\"allow\":true,\"type\":\"c\"}]}",
		  "device access at 0 field cannot be empty" },
		{ "{\"devices\":[{\"type\":\"c\",\"access\":\"r\"}]}", ".devices[0].allow: missing" },
		{ "{\"devices\":[{\"allow\":true,\"type\":\"x\",\"access\":\"r\"}]}",
		  "invalid device rule type" },
		{ "{\"blockIO\":{\"weight\":70000}}", ".blockIO.weight: integer out of range" },
		{ "{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}}",
		  "throttleReadBpsDevice[0].rate: missing" },
		{ "{\"hugepageLimits\":[{\"limit\":1}]}", ".hugepageLimits[0].pageSize: missing" },
		{ "{\"unified\":{\"../x\":\"1\"}}", "must be a file name" },
		{ "{\"network\":{\"classID\":-1}}", ".network.classID" },
		{ "{\"memory\":{\"limit\":\"1G\"}}", ".memory.limit: expected" },
		{ "{\"rdma\":{\"mlx\":{\"hcaHandles\":4294967296}}}", "out of range" },
	};
	size_t i;

	if (!T_OK(parse(full_res, &d, &r, &e) == 0, "every LinuxResources field parses"))
		printf("#   %s\n", e.msg);
	T_OK(r.present && r.has_mem_limit && r.mem_limit == 67108864 && r.mem_swap == 134217728 &&
	     r.has_mem_kernel && r.mem_kernel_tcp == 2 && r.mem_swappiness == 10 &&
	     r.disable_oom_killer && r.has_use_hierarchy && r.use_hierarchy, "  memory.*");
	T_OK(r.cpu_shares == 512 && r.cpu_quota == 20000 && r.cpu_burst == 1000 &&
	     r.cpu_period == 100000 && r.cpu_rt_runtime == 10000 && r.cpu_rt_period == 100000 &&
	     !strcmp(r.cpu_cpus, "0") && r.has_cpu_idle && r.cpu_idle == 0, "  cpu.*");
	T_OK(r.has_pids_limit && r.pids_limit == 100, "  pids.limit");
	T_OK(r.blkio_weight == 200 && r.blkio_leaf_weight == 300 && r.nblkio_weight_dev == 1 &&
	     r.blkio_weight_dev[0].weight == 150 && !r.blkio_weight_dev[0].has_leaf_weight &&
	     r.nblkio_throttle[SPEC_THR_READ_BPS] == 1 &&
	     r.blkio_throttle[SPEC_THR_WRITE_IOPS][0].rate == 200, "  blockIO.*");
	T_OK(r.nhugepages == 1 && !strcmp(r.hugepages[0].page_size, "2MB") &&
	     r.hugepages[0].limit == 4194304, "  hugepageLimits");
	T_OK(r.has_net_classid && r.net_classid == 1048577 && r.nnet_prios == 1 &&
	     !strcmp(r.net_prios[0].name, "eth0") && r.net_prios[0].priority == 5, "  network.*");
	T_OK(r.nrdma == 1 && !strcmp(r.rdma[0].device, "mlx5_1") && r.rdma[0].hca_handles == 3 &&
	     r.rdma[0].has_hca_objects && r.rdma[0].hca_objects == 10000, "  rdma");
	T_OK(r.nunified == 1 && !strcmp(r.unified[0].key, "memory.oom.group"), "  unified");
	T_OK(r.ndevices == 2 && r.devices[1].type == 'c' && r.devices[1].major == 10 &&
	     !strcmp(r.devices[1].access, "rw"), "  devices");
	spec_res_free(&r);
	json_free(&d);

	parse("{\"blockIO\":{\"weight\":200},\"network\":{\"classID\":7}}", &d, &r, &e);
	T_OK(r.blkio_weight == 200 && !r.has_blkio_leaf_weight && r.blkio_leaf_weight == 0 &&
	     r.net_classid == 7, "an absent optional number stays 0 (no value carried over)");
	spec_res_free(&r);
	json_free(&d);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char name[200];
		int rc = parse(bad[i].json, &d, &r, &e);
		snprintf(name, sizeof name, "refused: %s", bad[i].json);
		if (!T_OK(rc < 0 && strstr(e.msg, bad[i].want), name))
			printf("#   got: %s\n", rc < 0 ? e.msg : "(accepted)");
		spec_res_free(&r);
		json_free(&d);
	}
}

/* ---- fake cgroupfs trees ---- */

static void mkfile(const char *dir, const char *name, const char *content)
{
	char *p = fs_join(dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, content, strlen(content)) < 0)
			perror("write");
		close(fd);
	}
	free(p);
}

static char *rd(const char *dir, const char *name)
{
	static char out[256];
	char *p = fs_join(dir, name);
	int fd = open(p, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, out, sizeof out - 1) : -1;
	out[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
	free(p);
	return out;
}

static const char *const v2_files[] = {
	"memory.max", "memory.low", "memory.swap.max", "memory.oom.group", "cpu.weight",
	"cpu.max", "cpu.max.burst", "cpu.idle", "io.bfq.weight", "io.max", "cpuset.cpus",
	"cpuset.mems", "pids.max", "hugetlb.2MB.max", "rdma.max",
};

static void fake_v2(const char *tmp)
{
	struct cgroup_paths p = { 0 };
	struct json_doc d;
	struct spec_resources r;
	struct err e;
	char *dir = fs_join(tmp, "v2");
	size_t i;

	mkdir(dir, 0755);
	mkfile(dir, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma\n");
	for (i = 0; i < sizeof v2_files / sizeof v2_files[0]; i++)
		mkfile(dir, v2_files[i], "");
	cgroup_paths_set(&p, "", dir);

	parse(full_res, &d, &r, &e);
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "memory.kernel: not supported on "
							    "cgroup v2"),
	     "v2: memory.kernel refused by name");
	/* Drop what v2 cannot express, one field at a time, checking each error. */
	r.has_mem_kernel = 0;
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "memory.kernelTCP"), "v2: kernelTCP refused");
	r.has_mem_kernel_tcp = 0;
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "disableOOMKiller"), "v2: disableOOMKiller refused");
	r.has_disable_oom_killer = 0;
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "swappiness"), "v2: swappiness refused");
	r.has_mem_swappiness = 0;
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "cpu.realtimeRuntime"), "v2: realtime refused");
	r.has_cpu_rt_runtime = r.has_cpu_rt_period = 0;
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "blockIO.leafWeight"), "v2: leafWeight refused");
	r.has_blkio_leaf_weight = 0;
	r.blkio_leaf_weight = 0;
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "network.classID: not supported on cgroup v2"),
	     "v2: network.classID refused");
	r.has_net_classid = 0;
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "network.priorities"), "v2: priorities refused");
	r.nnet_prios = 0;
	if (!T_OK(cgroup_apply_limits(&p, &r, &e) == 0, "v2: the rest applies"))
		printf("#   %s\n", e.msg);
	T_STREQ(rd(dir, "memory.max"), "67108864", "  memory.max");
	T_STREQ(rd(dir, "memory.low"), "33554432", "  memory.low");
	T_STREQ(rd(dir, "memory.swap.max"), "67108864", "  memory.swap.max = swap - limit");
	T_STREQ(rd(dir, "cpu.weight"), "20", "  cpu.weight from shares 512");
	T_STREQ(rd(dir, "cpu.max"), "20000 100000", "  cpu.max");
	T_STREQ(rd(dir, "cpu.max.burst"), "1000", "  cpu.max.burst");
	T_STREQ(rd(dir, "cpu.idle"), "0", "  cpu.idle");
	T_STREQ(rd(dir, "cpuset.cpus"), "0", "  cpuset.cpus");
	T_STREQ(rd(dir, "pids.max"), "100", "  pids.max");
	T_STREQ(rd(dir, "io.bfq.weight"), "254:0 150", "  io.bfq.weight (weight, then the device line)");
	T_STREQ(rd(dir, "io.max"), "254:0 wiops=200", "  io.max (last throttle written)");
	T_STREQ(rd(dir, "hugetlb.2MB.max"), "4194304", "  hugetlb.2MB.max");
	T_STREQ(rd(dir, "rdma.max"), "mlx5_1 hca_handle=3 hca_object=10000", "  rdma.max");
	T_STREQ(rd(dir, "memory.oom.group"), "1", "  unified memory.oom.group written as given");

	/* io.weight with the conversion when BFQ is absent; no per-device weight then. */
	{
		char *f = fs_join(dir, "io.bfq.weight");
		unlink(f);
		free(f);
		mkfile(dir, "io.weight", "");
		T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "need the BFQ"),
		     "v2 without BFQ: weightDevice refused");
		r.nblkio_weight_dev = 0;
		T_OK(cgroup_apply_limits(&p, &r, &e) == 0, "v2 without BFQ: applies");
		T_STREQ(rd(dir, "io.weight"), "1920", "  io.weight = 1 + (200-10)*9999/990");
	}
	/* A controller the dir does not offer; an unknown unified key. */
	mkfile(dir, "cgroup.controllers", "cpu memory pids\n");
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "the cpuset controller is not "
							    "available"),
	     "v2: controller not in cgroup.controllers: error naming it");
	mkfile(dir, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma\n");
	r.unified[0].key = "foo.bar";
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "controller \"foo\" not available"),
	     "v2: unified key of a missing controller");
	spec_res_free(&r);
	json_free(&d);
	cgroup_paths_free(&p);
	free(dir);
}

static void fake_v1(const char *tmp)
{
	static const char *const ctrls[] = { "memory", "cpu", "cpuset", "pids", "blkio" };
	struct cgroup_paths p = { 0 };
	struct json_doc d;
	struct spec_resources r;
	struct err e;
	char *dir[5];
	size_t i;

	for (i = 0; i < 5; i++) {
		char *base = fs_join(tmp, ctrls[i]);
		dir[i] = base;
		mkdir(base, 0755);
		cgroup_paths_set(&p, ctrls[i], base);
	}
	mkfile(dir[0], "memory.limit_in_bytes", "9223372036854771712");
	for (i = 0; i < 7; i++)
		mkfile(dir[0], (const char *[]){ "memory.memsw.limit_in_bytes",
			"memory.soft_limit_in_bytes", "memory.kmem.limit_in_bytes",
			"memory.kmem.tcp.limit_in_bytes", "memory.oom_control", "memory.use_hierarchy",
			"memory.swappiness" }[i], "");
	for (i = 0; i < 8; i++)
		mkfile(dir[1], (const char *[]){ "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us",
			"cpu.cfs_burst_us", "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.idle",
			"cpu.stat" }[i], "");
	mkfile(dir[2], "cpuset.cpus", "");
	mkfile(dir[2], "cpuset.mems", "");
	mkfile(dir[3], "pids.max", "");
	for (i = 0; i < 7; i++)
		mkfile(dir[4], (const char *[]){ "blkio.bfq.weight", "blkio.bfq.weight_device",
			"blkio.leaf_weight", "blkio.throttle.read_bps_device",
			"blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device",
			"blkio.throttle.write_iops_device" }[i], "");

	parse(full_res, &d, &r, &e);
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "hugepageLimits: cannot set "
							    "hugetlb limit"),
	     "v1 without a hugetlb hierarchy: error naming the field");
	r.nhugepages = 0;
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "network.classID"),
	     "v1 without net_cls: error");
	r.has_net_classid = 0;
	r.nnet_prios = 0;
	r.nrdma = 0;
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "cannot use unified on cgroup v1"),
	     "v1: unified refused with runc's message");
	r.nunified = 0;
	r.mem_kernel = 0;
	if (!T_OK(cgroup_apply_limits(&p, &r, &e) == 0, "v1: the rest applies"))
		printf("#   %s\n", e.msg);
	T_STREQ(rd(dir[0], "memory.limit_in_bytes"), "67108864", "  memory.limit_in_bytes");
	T_STREQ(rd(dir[0], "memory.memsw.limit_in_bytes"), "134217728", "  memory.memsw (swap as is)");
	T_STREQ(rd(dir[0], "memory.soft_limit_in_bytes"), "33554432", "  soft limit");
	T_STREQ(rd(dir[0], "memory.kmem.tcp.limit_in_bytes"), "2", "  kmem.tcp");
	T_STREQ(rd(dir[0], "memory.oom_control"), "1", "  oom_control");
	T_STREQ(rd(dir[0], "memory.swappiness"), "10", "  swappiness");
	T_STREQ(rd(dir[1], "cpu.shares"), "512", "  cpu.shares (v1: no conversion)");
	T_STREQ(rd(dir[1], "cpu.cfs_quota_us"), "20000", "  cfs_quota_us");
	T_STREQ(rd(dir[1], "cpu.cfs_burst_us"), "1000", "  cfs_burst_us");
	T_STREQ(rd(dir[1], "cpu.rt_runtime_us"), "10000", "  rt_runtime_us");
	T_STREQ(rd(dir[4], "blkio.bfq.weight"), "200", "  blkio.bfq.weight (BFQ: no conversion)");
	T_STREQ(rd(dir[4], "blkio.bfq.weight_device"), "254:0 150", "  blkio.bfq.weight_device");
	T_STREQ(rd(dir[4], "blkio.leaf_weight"), "300", "  blkio.leaf_weight");
	T_STREQ(rd(dir[4], "blkio.throttle.write_iops_device"), "254:0 200", "  throttle line");
	/* kernel memory the kernel ignores: read back, refused */
	mkfile(dir[0], "memory.kmem.limit_in_bytes", "");
	r.mem_kernel = 1 << 20;
	T_OK(cgroup_apply_limits(&p, &r, &e) == 0, "v1: kmem limit that reads back: ok");
	r.mem_swappiness = 101;
	T_OK(cgroup_apply_limits(&p, &r, &e) < 0 && strstr(e.msg, "valid range is 0-100"),
	     "v1: swappiness 101 refused");
	spec_res_free(&r);
	json_free(&d);
	cgroup_paths_free(&p);
	for (i = 0; i < 5; i++)
		free(dir[i]);
}

/* update: runc's merge rules, RAMInBytes, and the record's JSON round trip. */
static void update_rules(void)
{
	struct json_doc d, d2;
	struct spec_resources cur, back;
	struct cgroup_update u;
	struct err e;
	struct buf b = BUF_INIT;
	struct jw w;
	int64_t v;
	int warn;

	T_OK(cgroup_ram_in_bytes("100m", &v, &e) == 0 && v == 100 << 20, "RAMInBytes 100m");
	T_OK(cgroup_ram_in_bytes("1.5g", &v, &e) == 0 && v == 1610612736, "RAMInBytes 1.5g");
	T_OK(cgroup_ram_in_bytes("512 KiB", &v, &e) == 0 && v == 512 << 10, "RAMInBytes 512 KiB");
	T_OK(cgroup_ram_in_bytes("1024", &v, &e) == 0 && v == 1024, "RAMInBytes 1024");
	T_OK(cgroup_ram_in_bytes("abc", &v, &e) < 0 && !strcmp(e.msg, "invalid size: 'abc'"),
	     "RAMInBytes abc: invalid size: 'abc'");
	T_OK(cgroup_ram_in_bytes("1.2.3m", &v, &e) < 0, "RAMInBytes 1.2.3m refused");
	T_OK(cgroup_ram_in_bytes("-1", &v, &e) < 0, "RAMInBytes -1 refused (the caller maps -1)");

	parse(full_res, &d, &cur, &e);
	memset(&u, 0, sizeof u);
	u.r.has_pids_limit = 1;
	u.r.pids_limit = 60;
	u.r.has_cpu_quota = 1;
	u.r.cpu_quota = 40000;
	u.r.has_mem_kernel = 1;
	u.r.mem_kernel = 1;
	warn = cgroup_update_merge(&cur, &u);
	T_OK(warn == CG_UPD_WARN_KMEM, "merge: kernel memory asked -> warning bit");
	T_OK(cur.pids_limit == 60 && cur.has_mem_limit && cur.mem_limit == 0 &&
	     cur.cpu_shares == 0 && !strcmp(cur.cpu_cpus, "") && cur.blkio_weight == 0,
	     "merge (flags): runc's fields replaced, absent ones by 0");
	T_OK(cur.cpu_quota == 40000 && cur.cpu_period == 100000,
	     "merge: quota alone keeps the old period");
	T_OK(cur.nunified == 0, "merge: unified absent -> cleared");
	T_OK(cur.nhugepages == 1 && cur.mem_swappiness == 10 && cur.ndevices == 2 &&
	     cur.has_net_classid, "merge (flags): other fields and devices kept");
	spec_res_free(&u.r);

	memset(&u, 0, sizeof u);
	u.from_file = 1;
	parse("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}],"
	      "\"devices\":[{\"allow\":true,\"access\":\"rwm\"}],\"memory\":{\"swappiness\":5}}",
	      &d2, &u.r, &e);
	warn = cgroup_update_merge(&cur, &u);
	T_OK(warn == CG_UPD_WARN_DEVICES, "merge (-r): device rules asked -> warning bit");
	T_OK(cur.nhugepages == 1 && cur.hugepages[0].limit == 0 && cur.mem_swappiness == 5 &&
	     cur.ndevices == 2 && !cur.devices[0].allow,
	     "merge (-r): other given fields replaced, devices kept");
	spec_res_free(&u.r);

	jw_init(&w, &b, 0);
	spec_res_write(&w, &cur);
	buf_addc(&b, 0);
	if (getenv("T_DEBUG"))
		printf("# %s\n", b.p);
	memset(&back, 0, sizeof back);
	{
		struct json_doc d3;
		T_OK(json_parse(&d3, "resources.json", b.p, b.len - 1, &e) == 0 &&
		     spec_res_parse(&d3, 0, &back, &e) == 0, "record: written JSON parses back");
		/* (the -r merge had no cpu: quota and period both went to 0, runc's rule) */
		T_OK(back.has_cpu_quota && back.cpu_quota == 0 && back.cpu_burst == 1000 &&
		     back.has_mem_limit &&
		     back.mem_limit == 0 && back.nhugepages == 1 && back.ndevices == 2 &&
		     back.nrdma == 1 && back.rdma[0].hca_objects == 10000 &&
		     back.nblkio_throttle[SPEC_THR_WRITE_IOPS] == 1 && back.has_disable_oom_killer,
		     "record: round trip keeps every field");

		spec_res_free(&back);
		json_free(&d3);
	}
	buf_free(&b);
	spec_res_free(&cur);
	json_free(&d);
	json_free(&d2);
}

/* events --stats on fake trees: runc's key order, omitempty, v1 ticks, v2 mapping. */
static void stats(const char *tmp)
{
	struct cgroup_paths p = { 0 };
	struct buf b = BUF_INIT;
	struct jw w;
	struct err e;
	char *v2 = fs_join(tmp, "st2"), *acct = fs_join(tmp, "acct"), *mem = fs_join(tmp, "mem");
	char *pids = fs_join(tmp, "pids");

	mkdir(v2, 0755);
	mkfile(v2, "cgroup.controllers", "cpu memory pids io\n");
	mkfile(v2, "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 3\n"
	       "nr_throttled 1\nthrottled_usec 7\n");
	mkfile(v2, "memory.current", "4096\n");
	mkfile(v2, "memory.max", "max\n");
	mkfile(v2, "memory.swap.current", "0\n");
	mkfile(v2, "memory.swap.max", "max\n");
	mkfile(v2, "memory.stat", "file 8192\nanon 4096\n");
	mkfile(v2, "pids.current", "3\n");
	mkfile(v2, "pids.max", "50\n");
	mkfile(v2, "io.stat", "254:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n");
	cgroup_paths_set(&p, "", v2);
	jw_init(&w, &b, 0);
	T_OK(cgroup_stats_write(&p, &w, &e) == 0, "stats v2: written");
	buf_addc(&b, 0);
	T_STREQ(b.p,
		"{\"cpu\":{\"usage\":{\"total\":1500000,\"kernel\":500000,\"user\":1000000},"
		"\"throttling\":{\"periods\":3,\"throttledPeriods\":1,\"throttledTime\":7000}},"
		"\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
		"\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
		"\"memory_pressure\":0,\"sched_load_balance\":0,\"sched_relax_domain_level\":0},"
		"\"memory\":{\"cache\":8192,\"usage\":{\"limit\":18446744073709551615,\"usage\":4096,"
		"\"failcnt\":0},\"swap\":{\"limit\":18446744073709551615,\"usage\":4096,\"failcnt\":0},"
		"\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0},"
		"\"raw\":{\"anon\":4096,\"file\":8192}},\"pids\":{\"current\":3,\"limit\":50},"
		"\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":254,\"op\":\"Read\",\"value\":10},"
		"{\"major\":254,\"op\":\"Write\",\"value\":20}],\"ioServicedRecursive\":[{\"major\":254,"
		"\"op\":\"Read\",\"value\":1},{\"major\":254,\"op\":\"Write\",\"value\":2}]},"
		"\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}",
		"stats v2: runc's shape (usec -> ns, swap = memory + swap, io.stat -> entries)");
	cgroup_paths_free(&p);
	buf_free(&b);

	mkdir(acct, 0755);
	mkdir(mem, 0755);
	mkdir(pids, 0755);
	mkfile(acct, "cpuacct.usage", "300\n");
	mkfile(acct, "cpuacct.usage_percpu", "100 200 \n");
	mkfile(acct, "cpuacct.usage_all", "cpu user system\n0 60 40\n1 150 50\n");
	mkfile(acct, "cpuacct.stat", "user 2\nsystem 1\n");
	mkfile(mem, "memory.stat", "total_cache 5\ncache 16384\n");
	mkfile(mem, "memory.limit_in_bytes", "9223372036854771712\n");
	mkfile(mem, "memory.usage_in_bytes", "761856\n");
	mkfile(mem, "memory.max_usage_in_bytes", "2252800\n");
	mkfile(mem, "memory.failcnt", "0\n");
	mkfile(pids, "pids.current", "2\n");
	mkfile(pids, "pids.max", "max\n");
	cgroup_paths_set(&p, "cpuacct", acct);
	cgroup_paths_set(&p, "memory", mem);
	cgroup_paths_set(&p, "pids", pids);
	jw_init(&w, &b, 0);
	T_OK(cgroup_stats_write(&p, &w, &e) == 0, "stats v1: written");
	buf_addc(&b, 0);
	T_STREQ(b.p,
		"{\"cpu\":{\"usage\":{\"total\":300,\"percpu\":[100,200],\"percpu_kernel\":[40,50],"
		"\"percpu_user\":[60,150],\"kernel\":10000000,\"user\":20000000},\"throttling\":{}},"
		"\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
		"\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
		"\"memory_pressure\":0,\"sched_load_balance\":0,\"sched_relax_domain_level\":0},"
		"\"memory\":{\"cache\":16384,\"usage\":{\"limit\":9223372036854771712,\"usage\":761856,"
		"\"max\":2252800,\"failcnt\":0},\"swap\":{\"limit\":0,\"failcnt\":0},\"kernel\":{"
		"\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0},\"raw\":{"
		"\"cache\":16384,\"total_cache\":5}},\"pids\":{\"current\":2},\"blkio\":{},"
		"\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}",
		"stats v1: runc's shape (ticks -> ns, pids.max max -> no limit, missing parts empty)");
	cgroup_paths_free(&p);
	buf_free(&b);
	free(v2);
	free(acct);
	free(mem);
	free(pids);
}

/* spec_load's one-line hook: linux.resources parsed in full, linux.devices passed along. */
static void through_spec(void)
{
	static const char cfg[] =
		"{\"ociVersion\":\"1.0.2\",\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]},"
		"\"root\":{\"path\":\"rootfs\"},\"linux\":{\"devices\":[{\"path\":\"/dev/null\","
		"\"type\":\"c\",\"major\":1,\"minor\":3}],\"resources\":{\"devices\":[{\"allow\":"
		"false,\"access\":\"rwm\"}],\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}]}}}";
	struct spec sp;
	struct cg_devemu m;
	struct err e;
	char *buf = strdup(cfg);

	memset(&sp, 0, sizeof sp);
	if (!T_OK(spec_parse(&sp, buf, strlen(buf), "/b", &e) == 0, "spec_parse with resources"))
		printf("#   %s\n", e.msg);
	T_OK(sp.res.present && sp.res.nhugepages == 1 && sp.res.ndevices == 1,
	     "  linux.resources parsed by spec_res");
	T_OK(sp.res.nlinux_devices == 1 && !strcmp(sp.res.linux_devices[0].path, "/dev/null"),
	     "  linux.devices reachable from the resources");
	T_OK(cg_devemu_for(&m, &sp.res, &e) == 0 && m.n == 10,
	     "  /dev/null's default rule left out (10 of 11 defaults)");
	cg_devemu_free(&m);
	spec_free(&sp);
	free(buf);
	buf = strdup("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]},"
		     "\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":[]}}");
	T_OK(spec_parse(&sp, buf, strlen(buf), "/b", &e) < 0 && strstr(e.msg, ".linux.resources"),
	     "linux.resources of the wrong type: refused by name");
	spec_free(&sp);
	free(buf);
}

int main(void)
{
	char tmp[] = "/tmp/crbox-tcgres.XXXXXX";
	struct err e;

	conversions();
	parsing();
	update_rules();
	through_spec();
	if (!mkdtemp(tmp))
		return 1;
	fake_v2(tmp);
	fake_v1(tmp);
	stats(tmp);
	fs_rm_rf_at(AT_FDCWD, tmp, &e);
	return t_done();
}
