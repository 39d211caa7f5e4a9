#!/usr/bin/env bats
# 00-fixture.bats: proves the fixture and the host with runc alone (no crbox): a counter
# container survives runc checkpoint/restore with its in-memory state, and a pipes container
# answers on its new stdio after a restore. Every crbox integration test builds on this.

load helpers

@test "fixture: busybox bundle and counter workload run under runc" {
	make_bundle "$ROOT/bundle"
	[ "$(get_cfg .process.terminal)" = false ]
	[ "$(get_cfg .linux.cgroupsPath)" = "$CG_PATH" ]
	[ -x "$BUNDLE/rootfs/bin/sh" ]

	runc_run_detached ct
	[ "$(status_of runc ct)" = running ]
	c1=$(wait_count_above 2)
	c2=$(wait_count_above "$c1")
	[ "$c2" -gt "$c1" ]
	# The container is in its cgroup in every hierarchy.
	pid=$(cat "$ROOT/ct.pid")
	grep -q ":$CG_PATH\$" "/proc/$pid/cgroup"
	[ -n "$(__test_cgroup_dirs)" ]
	__rootfs_pids | grep -qx "$pid"

	runc delete -f ct
	assert_no_leftovers ct
}

@test "runc checkpoint/restore keeps the counter's in-memory state" {
	make_bundle "$ROOT/bundle"
	runc_run_detached ct
	wait_count_above 5 >/dev/null

	runc_checkpoint ct
	# Checkpointed means gone: runc state exits 1, no process, no cgroup, no state dir.
	run runc state ct
	[ "$status" -eq 1 ]
	assert_no_leftovers ct
	assert_images "$IMAGES"
	[ -s "$WORK/dump.log" ]
	# No CRIU error but the one this host always logs (hard RLIMIT_NOFILE without
	# CAP_SYS_RESOURCE). The old bare '! grep' here asserted nothing.
	errs=$(grep Error "$WORK/dump.log" | grep -v "rlimit: Can't setup RLIMIT_NOFILE" || true)
	[ -z "$errs" ] || { echo "$errs" >&2; false; }

	# The last value the process wrote; it is frozen now.
	saved=$(read_count)
	sleep 0.5
	[ "$(read_count)" = "$saved" ]
	save_image_sums "$IMAGES" "$ROOT/sums"

	# A restarted process would write 1 first; a restored one continues from its memory.
	rm "$BUNDLE/rootfs/count"
	runc_restore_detached ct
	[ "$(status_of runc ct)" = running ]
	first=$(read_count)
	[ "$first" -gt "$saved" ]
	[ "$first" -le $((saved + 3)) ]
	wait_count_above "$((first + 2))" >/dev/null
	[ -s "$WORK/restore.log" ]
	# restore reads the images, it does not change them.
	assert_image_sums "$IMAGES" "$ROOT/sums"

	# The restored init is the pid in the pid file and is in the configured cgroup.
	pid=$(cat "$ROOT/ct.pid")
	[ "$(pid_of runc ct)" = "$pid" ]
	grep -q ":$CG_PATH\$" "/proc/$pid/cgroup"

	runc delete -f ct
	assert_no_leftovers ct
}

@test "runc checkpoint/restore twice in a row" {
	make_bundle "$ROOT/bundle"
	runc_run_detached ct
	last=$(wait_count_above 2)
	for round in 1 2; do
		runc_checkpoint ct --image-path "$ROOT/img$round" --work-path "$ROOT/work$round"
		[ "$(status_of runc ct)" = absent ]
		assert_images "$ROOT/img$round"
		saved=$(read_count)
		[ "$saved" -ge "$last" ]
		rm "$BUNDLE/rootfs/count"
		runc_restore_detached ct --image-path "$ROOT/img$round" --work-path "$ROOT/work$round"
		last=$(read_count)
		[ "$last" -gt "$saved" ]
		[ "$last" -le $((saved + 3)) ]
	done
	runc delete -f ct
	assert_no_leftovers ct
}

@test "runc checkpoint/restore re-plumbs stdio pipes" {
	make_pong_bundle "$ROOT/bundle"
	setup_pipes
	runc_run_with_pipes ct
	pipes_ping before

	runc_checkpoint ct
	[ "$(status_of runc ct)" = absent ]
	assert_images "$IMAGES"
	# The dumped stdio are the pipes.
	jq -e '.[0] | startswith("pipe:[")' "$IMAGES/descriptors.json"
	jq -e '.[1] | startswith("pipe:[")' "$IMAGES/descriptors.json"

	runc_restore_with_pipes ct
	[ "$(status_of runc ct)" = running ]
	pipes_ping Ping
	pipes_ping again
	[ -z "$(pipes_stderr)" ]

	runc delete -f ct
	assert_no_leftovers ct
}

@test "runc checkpoint --leave-running keeps the container and its counter" {
	make_bundle "$ROOT/bundle"
	runc_run_detached ct
	c=$(wait_count_above 2)
	runc_checkpoint ct --leave-running
	[ "$(status_of runc ct)" = running ]
	assert_images "$IMAGES"
	wait_count_above "$((c + 2))" >/dev/null
	# The same id cannot be restored while it exists.
	run runc_restore_detached ct
	[ "$status" -ne 0 ]
	[[ "$output" == *"already exists"* ]]
	runc delete -f ct
	assert_no_leftovers ct
}

@test "leftover checks see a live container, a mount and a cgroup" {
	make_bundle "$ROOT/bundle"
	runc_run_detached ct
	# A running container is a leftover (process, cgroup and state dir).
	run assert_no_leftovers ct
	[ "$status" -ne 0 ]
	[[ "$output" == *"process "* ]]
	[[ "$output" == *"cgroup "* ]]
	[[ "$output" == *"state dir $ROOT/runc/ct"* ]]
	runc delete -f ct
	assert_no_leftovers ct

	mkdir "$ROOT/m"
	mount -t tmpfs none "$ROOT/m"
	run assert_no_leftovers
	[ "$status" -ne 0 ]
	[[ "$output" == *"mount $ROOT/m"* ]]
	umount "$ROOT/m"
	assert_no_leftovers

	# A criu-root mounted outside $ROOT (a runtime that ignored --root) is noticed too.
	mkdir -p "$ROOT-x/criu-root"
	mount -t tmpfs none "$ROOT-x/criu-root"
	run assert_no_leftovers
	umount "$ROOT-x/criu-root"
	rm -r "$ROOT-x"
	[ "$status" -ne 0 ]
	[[ "$output" == *"mount $ROOT-x/criu-root (a criu-root outside"* ]]
	assert_no_leftovers

	# The image checksums notice a changed file.
	mkdir "$ROOT/imgs" && echo a >"$ROOT/imgs/x.img"
	save_image_sums "$ROOT/imgs" "$ROOT/sums"
	assert_image_sums "$ROOT/imgs" "$ROOT/sums"
	echo b >"$ROOT/imgs/x.img"
	run assert_image_sums "$ROOT/imgs" "$ROOT/sums"
	[ "$status" -ne 0 ]
}

@test "recvtty receives the console of a terminal container, and again after restore" {
	[ -x "$RECVTTY" ] || make -C "$REPO" tools >/dev/null
	make_bundle "$ROOT/bundle" /bin/sh -c 'while read x; do echo "got $x"; done'
	set_cfg '.process.terminal = true'
	start_recvtty --mode capture "$ROOT/console" --send 'hello\n' --payload-file "$ROOT/payload"
	runc_run_detached ct --console-socket "$CONSOLE_SOCKET"
	for i in $(seq 50); do grep -q 'got hello' "$ROOT/console" && break; sleep 0.1; done
	grep -q 'got hello' "$ROOT/console"
	[ "$(wc -l <"$ROOT/payload")" -eq 1 ]

	runc_checkpoint ct
	[ "$(status_of runc ct)" = absent ]
	runc_restore_detached ct --console-socket "$CONSOLE_SOCKET"
	[ "$(status_of runc ct)" = running ]
	# The restored shell gets the line recvtty writes into the new master.
	for i in $(seq 50); do [ "$(grep -c 'got hello' "$ROOT/console")" -ge 2 ] && break; sleep 0.1; done
	[ "$(grep -c 'got hello' "$ROOT/console")" -eq 2 ]
	# runc 1.1.5 names the master /dev/ptmx on run and orphan-pts-master on restore.
	[ "$(wc -l <"$ROOT/payload")" -eq 2 ]
	[ "$(sed -n 2p "$ROOT/payload")" = orphan-pts-master ]

	runc delete -f ct
	assert_no_leftovers ct
}
