#!/usr/bin/env bats
# Checkpoint images between crun and crbox (issue 17, docs/crun-interop.md): crun 1.21 built
# with CRIU by scripts/build-crun.sh (cached; CRBOX_CRUN=path uses another build), run in a
# mount namespace that hides the cgroup2 controller list (crun refuses hybrid hosts
# otherwise). Set CRBOX_BUILD_CRUN=0 to skip instead of building. Chains: crun -> crbox, crbox -> crun, crun -> crbox -> runc, runc -> crbox -> crun,
# with the default `runc spec` masked paths (/proc/keys and /proc/timer_list are files here).

load helpers

setup() {
	requires root criu
	fixture_setup
	if [ -z "${CRBOX_CRUN:-}" ]; then
		local cache=${CRBOX_CACHE:-/var/cache/crbox}
		CRBOX_CRUN=$cache/crun-1.21/bin/crun
		if [ ! -x "$CRBOX_CRUN" ]; then
			# Built once at test time (about 3 minutes), then cached.
			[ "${CRBOX_BUILD_CRUN:-1}" != 0 ] ||
				skip "crun with CRIU not built (scripts/build-crun.sh; CRBOX_BUILD_CRUN=0)"
			CRBOX_CRUN=$(bash "$REPO/scripts/build-crun.sh") || skip "crun build failed"
		fi
	fi
	"$CRBOX_CRUN" --version | grep -q '+CRIU' || skip "$CRBOX_CRUN has no CRIU support"
}

# crun ARG...: crun with the per-test root, cgroup2's controller list hidden, criu from the
# PATH (libcriu runs `criu` by name) with CRIU_FAULT inherited.
crun() {
	local ctl=/sys/fs/cgroup/unified/cgroup.controllers
	if [ -e "$ctl" ]; then
		PATH=/usr/local/sbin:$PATH unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' \
			sh "$ctl" "$CRBOX_CRUN" --root "$ROOT/crun" "$@"
	else
		PATH=/usr/local/sbin:$PATH "$CRBOX_CRUN" --root "$ROOT/crun" "$@"
	fi
}

crun_run() {
	KNOWN_IDS+=("$1")
	# stdio /dev/null: a host file as the container's stdio makes every CRIU dump fail.
	crun run -d --bundle "$BUNDLE" --pid-file "$ROOT/$1.pid" "$1" </dev/null >/dev/null 2>/dev/null ||
		{ echo "crun run $1 failed" >&2; return 1; }
	track_pid_file "$ROOT/$1.pid"
}

crun_checkpoint() {
	mkdir -p "$1.work"
	crun checkpoint --image-path "$1" --work-path "$1.work" "$2" || { grep -E "Error|rror" "$1.work/dump.log" | head -20 >&2; return 1; }
}

crun_restore() {
	KNOWN_IDS+=("$2")
	mkdir -p "$1.rwork"
	crun restore -d --bundle "$BUNDLE" --image-path "$1" --work-path "$1.rwork" \
		--pid-file "$ROOT/$2.pid" "$2" </dev/null >/dev/null 2>"$ROOT/crun-restore.err" ||
		{ cat "$ROOT/crun-restore.err" "$1.rwork/restore.log" >&2; return 1; }
	track_pid_file "$ROOT/$2.pid"
}

carries_on() {
	local v
	rm -f "$BUNDLE/rootfs/count"
	v=$(wait_count_above 0)
	[ "$v" -gt "$1" ] || { echo "counter restarted: $v after $1" >&2; return 1; }
	echo "$v"
}

@test "crun: crun -> crbox -> runc: crun's masked-path keys and saved netns are mapped" {
	make_bundle "$BUNDLE"
	crun_run ct
	wait_count_above 3 >/dev/null
	crun_checkpoint "$ROOT/i1" ct
	ls "$ROOT/i1"/netdev-*.img >/dev/null    # crun saved the network namespace
	c=$(read_count)
	crbox_restore_detached ct --image-path "$ROOT/i1" --work-path "$ROOT/w1"
	c=$(carries_on "$c")
	crbox_checkpoint ct --image-path "$ROOT/i2" --work-path "$ROOT/w2"
	c=$(read_count)
	runc_restore_detached ct --image-path "$ROOT/i2" --work-path "$ROOT/w3"
	carries_on "$c" >/dev/null
	runc delete -f ct
	crun delete -f ct 2>/dev/null || true
	assert_no_leftovers ct
}

@test "crun: runc -> crbox -> crun with --ext-mount-keys crun" {
	make_bundle "$BUNDLE"
	runc_run_detached ct
	wait_count_above 3 >/dev/null
	runc_checkpoint ct --image-path "$ROOT/i1"
	crbox_restore_detached ct --image-path "$ROOT/i1" --work-path "$ROOT/w1"
	wait_count_above "$(read_count)" >/dev/null
	crbox_checkpoint ct --image-path "$ROOT/i2" --work-path "$ROOT/w2" --ext-mount-keys crun
	c=$(read_count)
	crun_restore "$ROOT/i2" ct
	carries_on "$c" >/dev/null
	crun delete -f ct
	assert_no_leftovers ct
}
