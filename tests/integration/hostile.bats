#!/usr/bin/env bats
# hostile: failures and races that need root and a real CRIU: a restore whose --pid-file
# cannot be written (after CRIU has restored the process: everything must be undone), and
# two restores of the same id racing each other (exactly one wins, the loser touches
# nothing of the winner's). The id and path checks that need no root are tests/cli/hostile.bats.

load helpers

# ckpt ID: runs the counter bundle with runc and checkpoints it into $IMAGES; prints the count.
ckpt() {
	runc_run_detached "$1"
	wait_count_above 3 >/dev/null
	runc_checkpoint "$1"
	[ "$(status_of runc "$1")" = absent ]
	read_count
}

# wait_rc FILE...: waits (60 s at most) until every FILE is non-empty (the parallel calls
# write their status last).
wait_rc() {
	local t f ok
	for t in $(seq 600); do
		ok=1
		for f in "$@"; do
			[ -s "$f" ] || ok=0
		done
		[ $ok = 1 ] && return 0
		sleep 0.1
	done
	echo "wait_rc: still running: $*" >&2
	return 1
}

@test "restore --pid-file in a missing directory: exit 1 naming the path, nothing left behind" {
	make_bundle "$BUNDLE"
	ckpt ct >/dev/null
	save_image_sums "$IMAGES" "$ROOT/sums"
	KNOWN_IDS+=(ct)
	run --separate-stderr crbox restore -d --bundle "$BUNDLE" --image-path "$IMAGES" \
		--work-path "$WORK" --pid-file "$ROOT/missing/dir/pid" ct </dev/null
	echo "$stderr"
	[ "$status" -eq 1 ]
	[[ $stderr == *"$ROOT/missing/dir/pid"* ]]
	[ ! -e "$ROOT/missing" ]
	[ "$(status_of crbox ct)" = absent ]
	assert_image_sums "$IMAGES" "$ROOT/sums"
	assert_no_leftovers ct
	# The same images restore fine afterwards: the failed attempt left no trace in the way.
	crbox_restore_detached ct
	[ "$(status_of crbox ct)" = running ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore --pid-file that is a directory: exit 1 naming the path, nothing left behind" {
	make_bundle "$BUNDLE"
	ckpt ct >/dev/null
	mkdir "$ROOT/piddir"
	KNOWN_IDS+=(ct)
	run --separate-stderr crbox restore -d --bundle "$BUNDLE" --image-path "$IMAGES" \
		--work-path "$WORK" --pid-file "$ROOT/piddir" ct </dev/null
	echo "$stderr"
	[ "$status" -eq 1 ]
	[[ $stderr == *"$ROOT/piddir"* ]]
	[ -d "$ROOT/piddir" ] && [ -z "$(ls -A "$ROOT/piddir")" ]
	# no temp file of the pid-file writer is left beside it
	[ -z "$(find "$ROOT" -maxdepth 1 -name '.piddir*')" ]
	[ "$(status_of crbox ct)" = absent ]
	assert_no_leftovers ct
}

@test "two parallel restores of one id from separate image copies: exactly one wins" {
	local round i rc1 rc2 win lose c v jobs_
	make_bundle "$BUNDLE"
	c=$(ckpt ct)
	KNOWN_IDS+=(ct)
	for round in 1 2 3; do
		for i in 1 2; do
			rm -rf "$ROOT/img$i" "$ROOT/work$i" "$ROOT/r$i".*
			cp -a "$IMAGES" "$ROOT/img$i"
		done
		rm -f "$BUNDLE/rootfs/count"
		jobs_=()
		for i in 1 2; do
			( "$CRBOX" --root "$ROOT/crbox" restore -d --bundle "$BUNDLE" \
				--image-path "$ROOT/img$i" --work-path "$ROOT/work$i" \
				--pid-file "$ROOT/r$i.pid" ct </dev/null >"$ROOT/r$i.out" 2>"$ROOT/r$i.err" &&
				r=0 || r=$?
			  echo "$r" >"$ROOT/r$i.rc" ) &
			jobs_+=($!)
		done
		# Only our two jobs: a bare `wait` would also wait for bats' own timeout watchdog.
		wait "${jobs_[@]}"
		wait_rc "$ROOT/r1.rc" "$ROOT/r2.rc"
		rc1=$(cat "$ROOT/r1.rc") rc2=$(cat "$ROOT/r2.rc")
		echo "round $round: rc $rc1 $rc2; r1: $(cat "$ROOT/r1.err"); r2: $(cat "$ROOT/r2.err")"
		if [ "$rc1" = 0 ] && [ "$rc2" = 1 ]; then
			win=1 lose=2
		elif [ "$rc1" = 1 ] && [ "$rc2" = 0 ]; then
			win=2 lose=1
		else
			echo "expected exactly one winner" >&2
			return 1
		fi
		track_pid_file "$ROOT/r$win.pid"
		grep -q 'container with given ID already exists' "$ROOT/r$lose.err"
		[ ! -e "$ROOT/r$lose.pid" ]
		# The winner's container runs and carries on counting from the checkpoint.
		[ "$(status_of crbox ct)" = running ]
		[ "$(pid_of crbox ct)" = "$(cat "$ROOT/r$win.pid")" ]
		v=$(wait_count_above 0)
		[ "$v" -gt "$c" ]
		crbox delete -f ct
		assert_no_leftovers ct
	done
}
