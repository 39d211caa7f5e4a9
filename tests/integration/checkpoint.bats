#!/usr/bin/env bats
# crbox checkpoint of containers crbox restored, on real CRIU: images go back to runc 1.1.5
# and to crbox, every flag that can work here works, the ones that cannot fail exactly, and a
# failed checkpoint leaves the container running and thawed.

load helpers

# start_restored ID: runc runs the counter bundle and checkpoints it; crbox restores it.
start_restored() {
	runc_run_detached "$1"
	wait_count_above 3 >/dev/null
	runc_checkpoint "$1" --image-path "$ROOT/seed"
	crbox_restore_detached "$1" --image-path "$ROOT/seed"
	wait_count_above "$(read_count)" >/dev/null
}

# carries_on C: the counter moves on from C after a restore, without restarting.
carries_on() {
	local v
	rm -f "$BUNDLE/rootfs/count"
	v=$(wait_count_above 0)
	[ "$v" -gt "$1" ] || { echo "counter restarted: $v after $1" >&2; return 1; }
	echo "$v"
}

@test "checkpoint: crbox images restore with runc, and the cycle runc/crbox holds three times" {
	make_bundle "$BUNDLE"
	runc_run_detached ct
	last=$(wait_count_above 3)
	for round in 1 2 3; do
		img=$ROOT/img-$round
		runc_checkpoint ct --image-path "$img-a"
		[ "$(status_of runc ct)" = absent ]
		c=$(read_count); [ "$c" -ge "$last" ]
		crbox_restore_detached ct --image-path "$img-a"
		last=$(carries_on "$c")
		crbox_checkpoint ct --image-path "$img-b"
		[ "$(status_of crbox ct)" = absent ]
		c=$(read_count); [ "$c" -ge "$last" ]
		assert_images "$img-b"
		runc_restore_detached ct --image-path "$img-b"
		last=$(carries_on "$c")
	done
	# And crbox's images restore with crbox too.
	runc_checkpoint ct --image-path "$ROOT/img-x"
	crbox_restore_detached ct --image-path "$ROOT/img-x"
	c=$(read_count)
	crbox_checkpoint ct --image-path "$ROOT/img-y"
	crbox_restore_detached ct --image-path "$ROOT/img-y"
	carries_on "$c"
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "checkpoint: the container is destroyed afterwards; --leave-running keeps it" {
	make_bundle "$BUNDLE"
	start_restored ct
	pid=$(pid_of crbox ct)
	crbox_checkpoint ct --leave-running --image-path "$ROOT/lr"
	[ "$(status_of crbox ct)" = running ]
	[ "$(pid_of crbox ct)" = "$pid" ]
	wait_count_above "$(read_count)" >/dev/null
	crbox_checkpoint ct
	run -1 crbox state ct
	[[ $output == *"container does not exist"* ]]
	# The init is gone: no process, or a zombie its new parent has not reaped yet (kill -0
	# succeeds on a zombie; the bare '! kill -0' here asserted nothing before).
	st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
	[ "$st" = gone ] || [ "$st" = Z ] || { echo "init $pid is still $st" >&2; false; }
	assert_no_leftovers ct
	# The images of the leave-running dump restore as well.
	crbox_restore_detached ct --image-path "$ROOT/lr"
	[ "$(status_of crbox ct)" = running ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "checkpoint: descriptors.json records the restored container's stdio pipes" {
	make_pong_bundle "$BUNDLE"
	runc_run_with_pipes ct
	pipes_ping one
	runc_checkpoint ct --image-path "$ROOT/seed"
	crbox_restore_with_pipes ct --image-path "$ROOT/seed"
	pipes_ping two
	crbox_checkpoint ct
	grep -q 'pipe:' "$IMAGES/descriptors.json"
	runc_restore_with_pipes ct
	pipes_ping three
	runc delete -f ct
	assert_no_leftovers ct
}

@test "checkpoint: flags that work here are accepted and reach CRIU" {
	make_bundle "$BUNDLE"
	start_restored ct
	for f in --tcp-established --ext-unix-sk --shell-job --file-locks --auto-dedup \
		--link-remap --tcp-skip-in-flight "--empty-ns network" "--manage-cgroups-mode soft" \
		"--network-lock iptables"; do
		rm -rf "$IMAGES"
		crbox_checkpoint ct --leave-running $f
		[ "$(status_of crbox ct)" = running ]
		assert_images "$IMAGES"
	done
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "checkpoint: --manage-cgroups-mode ignore on both sides moves the container to a new cgroup" {
	make_bundle "$BUNDLE"
	start_restored ct
	old=$CG_PATH
	crbox_checkpoint ct --manage-cgroups-mode ignore
	[ ! -d "/sys/fs/cgroup/pids$old" ]
	set_cgroups_path "/$TAG-moved"
	crbox_restore_detached ct2 --manage-cgroups-mode ignore
	pid=$(pid_of crbox ct2)
	grep -q "pids:/$TAG-moved\$" "/proc/$pid/cgroup"
	crbox delete -f ct2
	assert_no_leftovers ct ct2
}

@test "checkpoint: an external network namespace round-trips through crbox" {
	ns=crbox-it-${ROOT##*.}
	ip netns add "$ns"
	make_bundle "$BUNDLE"
	set_cfg --arg p "/var/run/netns/$ns" \
		'(.linux.namespaces[] | select(.type == "network")) |= {type: "network", path: $p}'
	start_restored ct
	crbox_checkpoint ct
	grep -q . "$IMAGES/inventory.img"
	crbox_restore_detached ct
	pid=$(pid_of crbox ct)
	[ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$(stat -L -c %i "/var/run/netns/$ns")" ]
	crbox delete -f ct
	ip netns del "$ns"
	assert_no_leftovers ct
}

@test "checkpoint: a paused container can be checkpointed" {
	make_bundle "$BUNDLE"
	start_restored ct
	crbox pause ct
	[ "$(status_of crbox ct)" = paused ]
	crbox_checkpoint ct --leave-running
	crbox resume ct
	[ "$(status_of crbox ct)" = running ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "checkpoint: --pre-dump fails exactly when the kernel has no soft-dirty tracking" {
	make_bundle "$BUNDLE"
	start_restored ct
	if criu check --feature mem_dirty_track >/dev/null 2>&1; then
		crbox_checkpoint ct --pre-dump --image-path "$ROOT/parent"
		[ "$(status_of crbox ct)" = running ]
		crbox_checkpoint ct --parent-path ../parent
		[ -L "$IMAGES/parent" ]
	else
		run -1 crbox checkpoint --pre-dump --image-path "$ROOT/parent" ct
		[[ $output == *"CRIU is missing features: mem_track"* ]]
		[ "$(status_of crbox ct)" = running ]
	fi
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "checkpoint: bad --parent-path, --page-server, --status-fd and --empty-ns are refused" {
	make_bundle "$BUNDLE"
	start_restored ct
	run -1 crbox checkpoint --parent-path /abs ct
	[[ $output == *"--parent-path must be relative"* ]]
	run -1 crbox checkpoint --image-path "$IMAGES" --parent-path ../nope ct
	[[ $output == *"invalid --parent-path"* ]]
	run -1 crbox checkpoint --page-server nocolon ct
	[[ $output == *"Use --page-server ADDRESS:PORT to specify page server"* ]]
	run -1 crbox checkpoint --page-server 127.0.0.1:notaport ct
	[[ $output == *"Invalid port number"* ]]
	run -1 crbox checkpoint --lazy-pages --status-fd 99 ct
	[[ $output == *"invalid --status-fd argument 99"* ]]
	run -1 crbox checkpoint --empty-ns pid ct
	[[ $output == *'namespace \"pid\" is not supported'* ]]
	[ "$(status_of crbox ct)" = running ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "checkpoint: a missing or stopped container is refused" {
	run -1 crbox checkpoint nope
	[[ $output == *"container does not exist"* ]]
	make_bundle "$BUNDLE"
	start_restored ct
	kill -9 "$(pid_of crbox ct)"
	sleep 0.5
	run -1 crbox checkpoint ct
	[[ $output == *"Container cannot be checkpointed in stopped state"* ]]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "checkpoint: criu killed in the middle leaves the container running and thawed" {
	make_bundle "$BUNDLE"
	cat >"$ROOT/kill.sh" <<-'EOF'
	#!/bin/sh
	[ "$CRTOOLS_SCRIPT_ACTION" = network-lock ] && kill -9 $PPID
	exit 0
	EOF
	chmod +x "$ROOT/kill.sh"
	printf 'action-script=%s\n' "$ROOT/kill.sh" >"$ROOT/criu.conf"
	runc_run_detached ct
	wait_count_above 3 >/dev/null
	runc_checkpoint ct --image-path "$ROOT/seed"
	# crbox records the config at restore: its next checkpoint uses this CRIU config.
	set_cfg --arg f "$ROOT/criu.conf" '.annotations["org.criu.config"] = $f'
	crbox_restore_detached ct --image-path "$ROOT/seed"
	run -1 timeout 60 "$CRBOX" --root "$ROOT/crbox" checkpoint --image-path "$IMAGES" ct
	[[ $output == *criu* ]]
	[ "$(status_of crbox ct)" = running ]
	[ "$(cat "/sys/fs/cgroup/freezer$CG_PATH/freezer.state")" = THAWED ]
	wait_count_above "$(read_count)" >/dev/null
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "checkpoint: a signal while CRIU is stuck with the tasks frozen ends crbox at once, container running and thawed" {
	make_bundle "$BUNDLE"
	# CRIU stuck at post-dump with the container frozen, as a dump waiting on a dead page
	# server is; the sleeper is ours to kill afterwards.
	cat >"$ROOT/stall.sh" <<-EOF
	#!/bin/sh
	[ "\$CRTOOLS_SCRIPT_ACTION" = post-dump ] || exit 0
	exec >/dev/null 2>&1 3>&- </dev/null
	echo \$\$ >>"$ROOT/stalled"
	exec sleep 60
	EOF
	chmod +x "$ROOT/stall.sh"
	printf 'action-script=%s\n' "$ROOT/stall.sh" >"$ROOT/criu.conf"
	runc_run_detached ct
	wait_count_above 3 >/dev/null
	runc_checkpoint ct --image-path "$ROOT/seed"
	set_cfg --arg f "$ROOT/criu.conf" '.annotations["org.criu.config"] = $f'
	crbox_restore_detached ct --image-path "$ROOT/seed"
	for sig in TERM INT HUP QUIT; do
		rm -f "$ROOT/stalled"
		"$CRBOX" --root "$ROOT/crbox" checkpoint --image-path "$ROOT/img-$sig" ct \
			</dev/null >"$ROOT/ck-$sig.log" 2>&1 &
		ck=$!
		for i in $(seq 300); do [ -s "$ROOT/stalled" ] && break; sleep 0.1; done
		[ -s "$ROOT/stalled" ]
		# state answers at once: no lock is held behind a running dump.
		st=$(timeout 5 "$CRBOX" --root "$ROOT/crbox" state ct | jq -r .status)
		[ "$st" = running ] || [ "$st" = paused ]
		kill -"$sig" "$ck"
		# Gone within a second (two, for a loaded machine), with a non-zero status.
		for i in $(seq 20); do kill -0 "$ck" 2>/dev/null || break; sleep 0.1; done
		run kill -0 "$ck"
		[ "$status" -ne 0 ] || { kill -9 "$ck"; false; }
		st=0; wait "$ck" || st=$?
		[ "$st" -ne 0 ]
		grep -q "interrupted" "$ROOT/ck-$sig.log"
		kill -9 "$(cat "$ROOT/stalled")" 2>/dev/null || true
		[ "$(status_of crbox ct)" = running ]
		wait_count_above "$(read_count)" >/dev/null
	done
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "checkpoint: --lazy-pages with --page-server and --status-fd: migrates, or fails as CRIU says" {
	make_bundle "$BUNDLE"
	start_restored ct
	port=$((20000 + RANDOM % 20000))
	mkfifo "$ROOT/status"
	# (bats runs subshells with errexit: keep the status explicitly.)
	( exec 3>&-; st=0; "$CRBOX" --root "$ROOT/crbox" checkpoint --lazy-pages --page-server "127.0.0.1:$port" \
		--status-fd 3 --work-path "$ROOT/w" --image-path "$IMAGES" ct \
		3>"$ROOT/status" >"$ROOT/ck.log" 2>&1 || st=$?; echo "$st" >"$ROOT/ck.rc" ) &
	# CRIU says it is ready by a single NUL byte on the status fd.
	[ "$(timeout 20 od -An -c "$ROOT/status" | tr -d ' \n')" = '\0' ]
	[ -e "$IMAGES/inventory.img" ]
	criu lazy-pages --page-server --address 127.0.0.1 --port "$port" -D "$IMAGES" \
		>"$ROOT/lazy.log" 2>&1 3>&- &
	lazy=$!
	sleep 0.5
	KNOWN_IDS+=(ct2)
	# The copy runs beside the original until the pages have moved: its own cgroup.
	set_cgroups_path "/$TAG-lazy"
	rst=0
	timeout 20 "$CRBOX" --root "$ROOT/crbox" restore -d --lazy-pages --image-path "$IMAGES" \
		--work-path "$IMAGES" --bundle "$BUNDLE" ct2 </dev/null >"$ROOT/rst.log" 2>&1 || rst=$?
	# Once the restore has ended either way, the daemon has nothing more to pull.
	for i in $(seq 50); do [ -s "$ROOT/ck.rc" ] && break; sleep 0.2; done
	kill "$lazy" 2>/dev/null || true
	for i in $(seq 100); do [ -s "$ROOT/ck.rc" ] && break; sleep 0.2; done
	# A dump still waiting for its page server is interrupted: crbox must abort it cleanly.
	if [ ! -s "$ROOT/ck.rc" ]; then
		pkill -TERM -f "checkpoint --lazy-pages --page-server 127.0.0.1:$port" || true
		for i in $(seq 100); do [ -s "$ROOT/ck.rc" ] && break; sleep 0.2; done
	fi
	if [ "$(cat "$ROOT/ck.rc")" = 0 ]; then
		[ "$rst" = 0 ]
		[ "$(status_of crbox ct2)" = running ]
		[ "$(status_of crbox ct)" = absent ]
	else
		# CRIU 4.1.1 fails the page transfer on this kernel ("page-pipe: splice ... Bad file
		# descriptor"): the error is CRIU's, the source container keeps running, and the lazy
		# restore (whose CRIU then waits forever) is aborted by timeout's SIGTERM and leaves
		# nothing behind.
		grep -q "Lazy pages transfer FAILED" "$ROOT/ck.log"
		[ "$(status_of crbox ct)" = running ]
		[ "$rst" != 0 ]
		[ "$(status_of crbox ct2)" = absent ]
		lazy_failed=1
	fi
	crbox delete -f ct2 || true
	crbox delete -f ct
	assert_no_leftovers ct ct2
	# The failure path is checked above, but the migration itself did not run: say so.
	[ -z "${lazy_failed:-}" ] ||
		skip "CRIU fails the lazy page transfer on this host: the migration path did not run"
}
