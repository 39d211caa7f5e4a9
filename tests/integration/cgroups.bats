#!/usr/bin/env bats
# cgroups on restore: a runc-made checkpoint of a busybox container with CAP_MKNOD, restored
# by crbox in the soft, full and ignore --manage-cgroups-mode, with the spec's device rules
# enforced (proved from inside the container with mknod + open of /dev/loop-control, c
# 10:237, and /dev/null), devices.list read back on v1, every limit of the spec read back
# from the kernel, and fields this host cannot honour refused by name with nothing left.

load helpers

# The workload: every 0.2 s the counter, then mknod + open of c 10:237 and of c 1:3, the
# outcome written to /devtest as "<count> <loop-control result> <null result>".
DEV_SCRIPT='i=0; while true; do i=$((i+1)); echo $i > /count
rm -f /dev/lc /dev/nl
if mknod /dev/lc c 10 237 2>/dev/null; then
  if (: <>/dev/lc) 2>/dev/null; then r=open-ok; else r=open-denied; fi
else r=mknod-denied; fi
if mknod /dev/nl c 1 3 2>/dev/null && (echo x >/dev/nl) 2>/dev/null; then n=null-ok; else n=null-denied; fi
echo "$i $r $n" > /devtest; sleep 0.2; done'

# dev_bundle: the device workload bundle with CAP_MKNOD in every capability set.
dev_bundle() {
	make_bundle "$BUNDLE" /bin/sh -c "$DEV_SCRIPT"
	set_cfg '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
}

# ckpt_runc ID: runc runs the bundle and checkpoints it; prints the last count.
ckpt_runc() {
	runc_run_detached "$1"
	wait_count_above 3 >/dev/null
	runc_checkpoint "$1"
	[ "$(status_of runc "$1")" = absent ]
	read_count
}

# ckpt_runc_as ID: ckpt_runc for a second container of the same bundle (its own count file
# is shared; only the checkpoint matters).
ckpt_runc_as() {
	runc_run_detached "$1"
	sleep 1
	runc_checkpoint "$1"
	[ "$(status_of runc "$1")" = absent ]
}

# devtest_after C: waits for a /devtest line written after count C; prints "R N".
devtest_after() {
	local c=$1 line end=$((SECONDS + 10))
	while [ $SECONDS -le $end ]; do
		line=$(cat "$BUNDLE/rootfs/devtest" 2>/dev/null)
		set -- $line
		if [ $# = 3 ] && [ "$1" -gt "$c" ]; then
			echo "$2 $3"
			return 0
		fi
		sleep 0.1
	done
	echo "devtest_after: no result after count $c (last: '$line')" >&2
	return 1
}

# v1_devices_list: the container's devices.list, sorted (empty on a host without v1 devices).
v1_devices_list() {
	[ -d /sys/fs/cgroup/devices ] || return 0
	sort "/sys/fs/cgroup/devices$CG_PATH/devices.list"
}

# The effective list runc's rules give: the default allow-list (plus EXTRA lines), sorted.
expected_list() {
	{
		printf '%s\n' 'b *:* m' 'c *:* m' 'c 1:3 rwm' 'c 1:5 rwm' 'c 1:7 rwm' 'c 1:8 rwm' \
			'c 1:9 rwm' 'c 5:0 rwm' 'c 5:2 rwm' 'c 10:200 rwm' 'c 136:* rwm'
		[ $# = 0 ] || printf '%s\n' "$@"
	} | sort
}

# restore_modes WANT [LIST-LINE...]: restores the checkpoint in $ROOT/pristine with each of
# soft, full and ignore; checks the device result inside (WANT) and devices.list on v1.
restore_modes() {
	local want=$1 m c got
	shift
	for m in soft full ignore; do
		rm -rf "$IMAGES" && cp -a "$ROOT/pristine" "$IMAGES"
		c=$(read_count)
		rm -f "$BUNDLE/rootfs/devtest"
		crbox_restore_detached ct --manage-cgroups-mode "$m"
		got=$(devtest_after "$c")
		[ "$got" = "$want" ] || { echo "mode $m: got '$got', want '$want'" >&2; return 1; }
		pid=$(pid_of crbox ct)
		grep -q ":/$TAG\$" "/proc/$pid/cgroup"
		if [ -d /sys/fs/cgroup/devices ]; then
			grep -q "devices:/$TAG\$" "/proc/$pid/cgroup"
			diff <(v1_devices_list) <(expected_list "$@") ||
				{ echo "mode $m: devices.list differs" >&2; return 1; }
		fi
		crbox delete -f ct
	done
}

@test "cgroups: the spec's deny-all keeps a restored container off /dev/loop-control (soft, full, ignore)" {
	requires root criu
	dev_bundle
	c=$(ckpt_runc ct)
	# runc itself enforced the same rules before the checkpoint.
	[ "$(cut -d' ' -f2- "$BUNDLE/rootfs/devtest")" = "open-denied null-ok" ]
	cp -a "$IMAGES" "$ROOT/pristine"
	restore_modes "open-denied null-ok"
	assert_no_leftovers ct
}

@test "cgroups: a device the spec allows can be opened after restore (soft, full, ignore)" {
	requires root criu
	dev_bundle
	set_cfg '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "rw"}]'
	c=$(ckpt_runc ct)
	[ "$(cut -d' ' -f2- "$BUNDLE/rootfs/devtest")" = "open-ok null-ok" ]
	cp -a "$IMAGES" "$ROOT/pristine"
	restore_modes "open-ok null-ok" 'c 10:237 rw'
	assert_no_leftovers ct
}

@test "cgroups: a checkpoint made without device rules gets the restoring spec's rules" {
	requires root criu
	# runc ran it allowing everything; the bundle restored by crbox denies all: the rules
	# come from the spec at restore, whatever the image or CRIU's mode holds.
	dev_bundle
	set_cfg '.linux.resources.devices = [{"allow": true, "access": "rwm"}]'
	c=$(ckpt_runc ct)
	[ "$(cut -d' ' -f2- "$BUNDLE/rootfs/devtest")" = "open-ok null-ok" ]
	cp -a "$IMAGES" "$ROOT/pristine"
	set_cfg '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	restore_modes "open-denied null-ok"
	assert_no_leftovers ct
}

@test "cgroups: restore into an existing cgroup that allows everything still gets the rules" {
	requires root criu
	dev_bundle
	c=$(ckpt_runc ct)
	# A pre-made cgroup (all hierarchies) inherits the root's "a *:* rwm"; CRIU's soft mode
	# leaves existing dirs alone.
	for m in $(__cgroup_mounts); do mkdir -p "$m$CG_PATH"; done
	[ "$(cat /sys/fs/cgroup/devices$CG_PATH/devices.list)" = "a *:* rwm" ]
	rm -f "$BUNDLE/rootfs/devtest"
	crbox_restore_detached ct --manage-cgroups-mode soft
	[ "$(devtest_after "$c")" = "open-denied null-ok" ]
	diff <(v1_devices_list) <(expected_list)
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "cgroups: every limit the spec sets reads back from the kernel after restore" {
	requires root criu
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	# The restoring bundle sets every resource this hybrid host can honour.
	set_cfg '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432,
		"swap": 134217728, "kernelTCP": 16777216, "swappiness": 10, "disableOOMKiller": true}
	  | .linux.resources.cpu = {"shares": 512, "quota": 20000, "period": 100000, "burst": 1000,
		"realtimeRuntime": 10000, "realtimePeriod": 100000, "cpus": "0", "mems": "0", "idle": 0}
	  | .linux.resources.pids = {"limit": 77}
	  | .linux.resources.blockIO = {"weight": 200,
		"throttleReadBpsDevice": [{"major": 254, "minor": 0, "rate": 1048576}],
		"throttleWriteBpsDevice": [{"major": 254, "minor": 0, "rate": 2097152}],
		"throttleReadIOPSDevice": [{"major": 254, "minor": 0, "rate": 100}],
		"throttleWriteIOPSDevice": [{"major": 254, "minor": 0, "rate": 200}]}
	  | .linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	crbox_restore_detached ct
	wait_count_above "$c" >/dev/null
	m=/sys/fs/cgroup/memory$CG_PATH cpu=/sys/fs/cgroup/cpu$CG_PATH
	[ "$(cat $m/memory.limit_in_bytes)" = 67108864 ]
	[ "$(cat $m/memory.soft_limit_in_bytes)" = 33554432 ]
	[ "$(cat $m/memory.memsw.limit_in_bytes)" = 134217728 ]
	[ "$(cat $m/memory.kmem.tcp.limit_in_bytes)" = 16777216 ]
	[ "$(cat $m/memory.swappiness)" = 10 ]
	grep -qx 'oom_kill_disable 1' $m/memory.oom_control
	[ "$(cat $cpu/cpu.shares)" = 512 ]
	[ "$(cat $cpu/cpu.cfs_quota_us)" = 20000 ]
	[ "$(cat $cpu/cpu.cfs_period_us)" = 100000 ]
	[ "$(cat $cpu/cpu.cfs_burst_us)" = 1000 ]
	[ "$(cat $cpu/cpu.rt_runtime_us)" = 10000 ]
	[ "$(cat $cpu/cpu.rt_period_us)" = 100000 ]
	[ "$(cat $cpu/cpu.idle)" = 0 ]
	[ "$(cat /sys/fs/cgroup/cpuset$CG_PATH/cpuset.cpus)" = 0 ]
	[ "$(cat /sys/fs/cgroup/cpuset$CG_PATH/cpuset.mems)" = 0 ]
	[ "$(cat /sys/fs/cgroup/pids$CG_PATH/pids.max)" = 77 ]
	b=/sys/fs/cgroup/blkio$CG_PATH
	[ "$(cat $b/blkio.bfq.weight)" = 200 ]
	[ "$(cat $b/blkio.throttle.read_bps_device)" = "254:0 1048576" ]
	[ "$(cat $b/blkio.throttle.write_bps_device)" = "254:0 2097152" ]
	[ "$(cat $b/blkio.throttle.read_iops_device)" = "254:0 100" ]
	[ "$(cat $b/blkio.throttle.write_iops_device)" = "254:0 200" ]
	# hugetlb exists only in cgroup2 here: set in the unified dir (hybrid).
	[ "$(cat /sys/fs/cgroup/unified$CG_PATH/hugetlb.2MB.max)" = 4194304 ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "cgroups: fields this host cannot honour fail the restore by name, nothing left" {
	requires root criu
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	cp -a "$IMAGES" "$ROOT/pristine"
	while read -r field jqexpr want; do
		rm -rf "$IMAGES" && cp -a "$ROOT/pristine" "$IMAGES"
		cp "$BUNDLE/config.json" "$ROOT/config.orig"
		set_cfg "$jqexpr"
		run crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
		[ "$status" -eq 1 ] || { echo "$field: status $status: $output" >&2; return 1; }
		[[ $output == *"$field"*"$want"* ]] || { echo "$field: $output" >&2; return 1; }
		assert_no_leftovers ct
		cp "$ROOT/config.orig" "$BUNDLE/config.json"
	done <<'EOF2'
network.classID .linux.resources.network={"classID":1048577} net_cls
network.priorities .linux.resources.network={"priorities":[{"name":"lo","priority":1}]} net_prio
unified .linux.resources.unified={"memory.high":"max"} v1
memory.kernel .linux.resources.memory={"kernel":67108864} ignores
hugepageLimits .linux.resources.hugepageLimits=[{"pageSize":"3MB","limit":1}] unsupported
devices .linux.resources.devices=[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","access":"rwm"},{"allow":false,"type":"c","major":1,"minor":3,"access":"r"}] punch
EOF2
}

# ---- update -------------------------------------------------------------------------------

# restored_ct: the counter bundle (pids 100, memory 64M) checkpointed by runc and restored
# by crbox as "ct".
restored_ct() {
	make_bundle "$BUNDLE"
	set_cfg '.linux.resources.pids = {"limit": 100} | .linux.resources.memory = {"limit": 67108864}'
	c=$(ckpt_runc ct)
	crbox_restore_detached ct
	wait_count_above "$c" >/dev/null
}

@test "update: -r - and flags change the kernel's limits as runc's do; resources.json records them" {
	requires root criu
	restored_ct
	m=/sys/fs/cgroup/memory$CG_PATH cpu=/sys/fs/cgroup/cpu$CG_PATH p=/sys/fs/cgroup/pids$CG_PATH
	echo '{"memory":{"limit":104857600},"pids":{"limit":50}}' | crbox update -r - ct
	[ "$(cat $m/memory.limit_in_bytes)" = 104857600 ]
	[ "$(cat $p/pids.max)" = 50 ]
	# The flag form leaves absent fields alone in the kernel (0 = do not write).
	crbox update --pids-limit 60 ct
	[ "$(cat $p/pids.max)" = 60 ]
	[ "$(cat $m/memory.limit_in_bytes)" = 104857600 ]
	crbox update --cpu-quota 30000 --cpu-period 100000 --cpu-share 256 --cpuset-cpus 0 \
		--memory 200m --memory-reservation 100m --memory-swap 300M --blkio-weight 300 \
		--cpu-rt-period 100000 --cpu-rt-runtime 5000 --pids-limit 70 ct
	[ "$(cat $cpu/cpu.cfs_quota_us)" = 30000 ]
	[ "$(cat $cpu/cpu.cfs_period_us)" = 100000 ]
	[ "$(cat $cpu/cpu.shares)" = 256 ]
	[ "$(cat $cpu/cpu.rt_runtime_us)" = 5000 ]
	[ "$(cat /sys/fs/cgroup/cpuset$CG_PATH/cpuset.cpus)" = 0 ]
	[ "$(cat $m/memory.limit_in_bytes)" = 209715200 ]
	[ "$(cat $m/memory.soft_limit_in_bytes)" = 104857600 ]
	[ "$(cat $m/memory.memsw.limit_in_bytes)" = 314572800 ]
	[ "$(cat /sys/fs/cgroup/blkio$CG_PATH/blkio.bfq.weight)" = 300 ]
	[ "$(cat $p/pids.max)" = 70 ]
	# quota alone keeps the recorded period (runc's rule)
	crbox update --cpu-quota 40000 ct
	[ "$(cat $cpu/cpu.cfs_quota_us)" = 40000 ]
	r=$(cat "$ROOT/crbox/ct/resources.json")
	[ "$(jq -c .cpu <<<"$r")" = '{"shares":0,"quota":40000,"period":100000,"realtimeRuntime":0,"realtimePeriod":0,"cpus":"","mems":""}' ]
	[ "$(jq -c '[.memory.limit, .pids.limit, .blockIO.weight]' <<<"$r")" = '[0,0,0]' ]
	# the device rules from the spec are still in the record, and untouched in the kernel
	[ "$(jq -c '.devices[0]' <<<"$r")" = '{"allow":false,"type":"a","access":"rwm"}' ]
	grep -qx 'c 1:3 rwm' /sys/fs/cgroup/devices$CG_PATH/devices.list
	run ! grep -q '^a ' /sys/fs/cgroup/devices$CG_PATH/devices.list
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "update: the same flags give the same kernel values as runc update" {
	requires root criu
	make_bundle "$BUNDLE"
	runc_run_detached rc
	rcg=$CG_PATH
	set_cgroups_path "/$TAG-crbox"
	ckpt_runc_as ct
	crbox_restore_detached ct
	flags=(--cpu-quota 25000 --cpu-period 50000 --cpu-share 300 --memory 150m
		--memory-reservation 75m --memory-swap 250m --pids-limit 33 --blkio-weight 400)
	runc update "${flags[@]}" rc
	crbox update "${flags[@]}" ct
	for f in cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.shares \
		memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes \
		memory/memory.memsw.limit_in_bytes pids/pids.max blkio/blkio.bfq.weight; do
		a=$(cat "/sys/fs/cgroup/${f%%/*}$rcg/${f#*/}")
		b=$(cat "/sys/fs/cgroup/${f%%/*}/$TAG-crbox/${f#*/}")
		[ "$a" = "$b" ] || { echo "$f: runc $a, crbox $b" >&2; return 1; }
	done
	echo '{"cpu":{"shares":500},"pids":{"limit":44}}' >"$ROOT/res.json"
	runc update -r "$ROOT/res.json" rc
	crbox update -r "$ROOT/res.json" ct
	[ "$(cat /sys/fs/cgroup/pids$rcg/pids.max)" = "$(cat /sys/fs/cgroup/pids/$TAG-crbox/pids.max)" ]
	[ "$(cat /sys/fs/cgroup/cpu$rcg/cpu.shares)" = "$(cat /sys/fs/cgroup/cpu/$TAG-crbox/cpu.shares)" ]
	runc delete -f rc
	crbox delete -f ct
	assert_no_leftovers ct rc
}

@test "update: refusals name the flag or field; a stopped container is not running" {
	requires root criu
	restored_ct
	run -1 crbox update --memory abc ct
	[[ $output == *"invalid value for memory: invalid size: 'abc'"* ]]
	run -1 crbox update --cpu-period x ct
	[[ $output == *"invalid value for cpu-period"* ]]
	run -1 crbox update --l3-cache-schema 'L3:0=f' ct
	[[ $output == *"Intel RDT/CAT: l3 cache schema is not enabled"* ]]
	run -1 crbox update -r - ct <<<'{"unified":{"memory.high":"max"}}'
	[[ $output == *"cannot use unified on cgroup v1"* ]]
	run -1 crbox update -r - ct <<<'{"memory":{"limit":"x"}}'
	[[ $output == *"memory.limit: expected"* ]]
	run -0 crbox update --kernel-memory 10m --pids-limit 80 ct
	[[ $output == *"Kernel memory settings are ignored and will be removed"* ]]
	[ "$(cat /sys/fs/cgroup/pids$CG_PATH/pids.max)" = 80 ]
	run -1 crbox update --pids-limit 5 nosuch
	[[ $output == *"container does not exist"* ]]
	crbox kill ct KILL
	for i in $(seq 50); do [ "$(status_of crbox ct)" = stopped ] && break; sleep 0.1; done
	run -1 crbox update --pids-limit 5 ct
	[[ $output == *"container not running"* ]]
	crbox delete ct
	assert_no_leftovers ct
}

# ---- events -------------------------------------------------------------------------------

# shape JSON: the key paths of an events line, minus what depends on the workload's history
# (memory.cache and the blkio entries are omitted by runc when zero; raw is compared apart).
# (The throttling counters are left out: runc omits them while they are 0, as crbox does, so
# whether they appear depends on whether the container was ever throttled.)
shape() {
	jq -r 'del(.id, .data.memory.cache, .data.memory.raw, .data.blkio, .data.cpu.throttling)
		| paths | map(tostring) | join(".")' <<<"$1"
}

@test "events --stats: runc's JSON shape, key by key, next to a runc container of the same bundle" {
	requires root criu
	make_bundle "$BUNDLE"
	set_cfg '.linux.resources.pids = {"limit": 90} | .linux.resources.memory = {"limit": 67108864}
		| .linux.resources.cpu = {"quota": 50000, "period": 100000, "cpus": "0"}'
	runc_run_detached rc
	rcg=$CG_PATH
	set_cgroups_path "/$TAG-crbox"
	ckpt_runc_as ct
	crbox_restore_detached ct
	sleep 1
	r=$(runc events --stats rc)
	c=$(crbox events --stats ct)
	[ "$(jq -r .type <<<"$c")" = stats ] && [ "$(jq -r .id <<<"$c")" = ct ]
	diff <(shape "$r") <(shape "$c")
	diff <(jq -r '.data.memory.raw | keys[]' <<<"$r") <(jq -r '.data.memory.raw | keys[]' <<<"$c")
	# the values set by the spec agree
	for q in .data.pids.limit .data.memory.usage.limit .data.cpuset.cpus .data.cpuset.mems \
		.data.cpuset.sched_relax_domain_level '.data.cpu.usage.percpu | length' \
		'.data.blkio | keys - ["ioServiceBytesRecursive", "ioServicedRecursive"] | length'; do
		[ "$(jq -c "$q" <<<"$r")" = "$(jq -c "$q" <<<"$c")" ] || { echo "$q differs" >&2; return 1; }
	done
	[ "$(jq '.data.cpu.usage.total > 0' <<<"$c")" = true ]
	runc delete -f rc
	crbox delete -f ct
	assert_no_leftovers ct rc
}

@test "events: --interval streams stats; an OOM is reported; the stream ends when the cgroup goes" {
	requires root criu
	# The counter, plus a memory hog started when /hog exists (it gets OOM-killed; the
	# shell goes on). memory+swap = memory: no swapping instead of the OOM.
	make_bundle "$BUNDLE" /bin/sh -c 'i=0; while true; do i=$((i+1)); echo $i > /count;
		if [ -e /hog ]; then rm -f /hog; tail /dev/zero; fi; sleep 0.2; done'
	set_cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	c=$(ckpt_runc ct)
	crbox_restore_detached ct
	wait_count_above "$c" >/dev/null
	crbox events --interval 300ms ct >"$ROOT/events.out" 2>"$ROOT/events.err" &
	evpid=$!
	track_pid "$evpid"
	sleep 1.5
	[ "$(grep -c '"type":"stats"' "$ROOT/events.out")" -ge 3 ]
	touch "$BUNDLE/rootfs/hog"
	for i in $(seq 100); do grep -q '"type":"oom"' "$ROOT/events.out" && break; sleep 0.1; done
	grep -qx '{"type":"oom","id":"ct"}' "$ROOT/events.out"
	# every line is one JSON object
	jq -e . "$ROOT/events.out" >/dev/null
	crbox delete -f ct
	for i in $(seq 50); do kill -0 "$evpid" 2>/dev/null || break; sleep 0.1; done
	run ! kill -0 "$evpid"
	wait "$evpid"
	assert_no_leftovers ct
}

@test "events: refusals (bad interval, stopped container, unknown id)" {
	requires root criu
	restored_ct
	run -1 crbox events --interval 0s ct
	[[ $output == *"duration interval must be greater than 0"* ]]
	run -1 crbox events --interval bogus ct
	[[ $output == *'invalid value \"bogus\" for flag -interval: time: invalid duration'* ]]
	run -1 crbox events --stats nosuch
	[[ $output == *"container does not exist"* ]]
	crbox kill ct KILL
	for i in $(seq 50); do [ "$(status_of crbox ct)" = stopped ] && break; sleep 0.1; done
	run -1 crbox events --stats ct
	[[ $output == *"container with id ct is not running"* ]]
	crbox delete ct
	assert_no_leftovers ct
}
