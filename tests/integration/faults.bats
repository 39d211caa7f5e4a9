#!/usr/bin/env bats
# Failure injection for crbox restore and checkpoint on real CRIU (runc 1.1.5 makes the
# images): criu missing/old/killed at every notification, corrupt images, a changed bundle,
# a foreign state dir, a read-only work dir, signals during and after a foreground restore.
# Every failure: exit 1, one clear line, images byte-identical, nothing left, and the
# pristine images restore afterwards. criu-wrap (tests/tools/criu-wrap.c) kills criu where
# CRIU's action scripts are not run (query-ext-files).

load helpers

FAKE_CRIU=${FAKE_CRIU:-$REPO/build/tools/fake-criu}
CRIU_WRAP=${CRIU_WRAP:-$REPO/build/tools/criu-wrap}

# The criu-wrap shim (an LD_PRELOAD library, so not built by `make tools`): built once per file.
setup_file() {
	export CRIU_WRAP_SHIM=$BATS_FILE_TMPDIR/criu-wrap.so
	${HOSTCC:-cc} -shared -fPIC -O1 -Wall -D_GNU_SOURCE -DCRIU_WRAP_SHIM \
		-o "$CRIU_WRAP_SHIM" "$REPO/tests/tools/criu-wrap.c"
}

# ckpt_runc ID: the counter bundle runs under runc and is checkpointed into $IMAGES; a pristine
# copy goes to $ROOT/pristine and the image sums to $ROOT/sums. Prints the last count.
ckpt_runc() {
	runc_run_detached "$1"
	wait_count_above 3 >/dev/null
	runc_checkpoint "$1"
	[ "$(status_of runc "$1")" = absent ]
	cp -a "$IMAGES" "$ROOT/pristine"
	save_image_sums "$IMAGES" "$ROOT/sums"
	read_count
}

# restored_from C: the counter carries on from C (a restarted one would begin at 1).
restored_from() {
	local c=$1 v
	rm -f "$BUNDLE/rootfs/count"
	v=$(wait_count_above 0)
	[ "$v" -gt "$c" ] || { echo "counter restarted: $v after $c" >&2; return 1; }
}

# no_stray_procs: no live process (zombies aside) names $ROOT on its command line: a crbox
# or a criu (`criu: restore --rpc -D $ROOT/images`) or an action script left running.
no_stray_procs() {
	local i p left
	for i in $(seq 25); do
		left=
		for p in $(pgrep -f -- "$ROOT/"); do
			[ "$p" = $$ ] && continue
			[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] && continue
			[ -r "/proc/$p/cmdline" ] || continue
			left+="$p: $(tr '\0' ' ' <"/proc/$p/cmdline")"$'\n'
		done
		[ -z "$left" ] && return 0
		sleep 0.2
	done
	echo "stray processes:" >&2
	printf '%s' "$left" >&2
	return 1
}

# failed_cleanly ID: after a failed restore: images untouched, no leftovers of any kind.
failed_cleanly() {
	assert_image_sums "$IMAGES" "$ROOT/sums"
	assert_no_leftovers "$1"
	no_stray_procs
}

# error_says TEXT: $output has a level=error line containing TEXT.
error_says() {
	if ! grep 'level=error' <<<"$output" | grep -qF -- "$1"; then
		echo "no error line saying '$1' in:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

# restores_again ID C: a fresh copy of the pristine images restores and carries on from C.
restores_again() {
	rm -rf "$ROOT/again" && cp -a "$ROOT/pristine" "$ROOT/again"
	crbox_restore_detached "$1" --image-path "$ROOT/again"
	restored_from "$2"
	[ "$(status_of crbox "$1")" = running ]
	crbox delete -f "$1"
	assert_no_leftovers "$1"
}

# restore_fails ID [FLAG...]: `crbox restore -d` of $BUNDLE from $IMAGES must exit 1 within
# 30 s (a hang fails the test with 124); sets output/status.
restore_fails() {
	local id=$1
	shift
	KNOWN_IDS+=("$id")
	run -1 timeout 30 "$CRBOX" --root "$ROOT/crbox" "${CRBOX_GLOBAL[@]}" restore -d \
		--image-path "$IMAGES" --bundle "$BUNDLE" "$@" "$id" </dev/null
}
CRBOX_GLOBAL=()

# use_action_script: config.json names a CRIU config whose action script logs every action
# to $ROOT/actions, SIGKILLs criu at $KILL_AT and sleeps $SLEEP_S seconds at $SLEEP_AT.
use_action_script() {
	cat >"$ROOT/action.sh" <<-EOF
	#!/bin/sh
	echo "\$CRTOOLS_SCRIPT_ACTION" >>"$ROOT/actions"
	if [ "\$CRTOOLS_SCRIPT_ACTION" = "\${KILL_AT:-}" ]; then
		echo "killed at \$CRTOOLS_SCRIPT_ACTION" >>"$ROOT/mark"
		kill -9 \$PPID
	fi
	if [ "\$CRTOOLS_SCRIPT_ACTION" = "\${SLEEP_AT:-}" ] && [ ! -e "$ROOT/slept" ]; then
		: >"$ROOT/slept"
		sleep "\${SLEEP_S:-4}"
	fi
	exit 0
	EOF
	chmod +x "$ROOT/action.sh"
	printf 'action-script=%s\n' "$ROOT/action.sh" >"$ROOT/criu.conf"
	set_cfg --arg f "$ROOT/criu.conf" '.annotations["org.criu.config"] = $f'
}

# ---- criu itself -------------------------------------------------------------------------

@test "faults: criu missing, not executable, dying or too old: exit 1 before anything exists" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	CRBOX_GLOBAL=(--criu "$ROOT/no/criu")
	restore_fails ct
	error_says "criu not found: $ROOT/no/criu"
	failed_cleanly ct

	: >"$ROOT/criu" && chmod 0644 "$ROOT/criu"
	CRBOX_GLOBAL=(--criu "$ROOT/criu")
	restore_fails ct
	error_says "criu not executable: $ROOT/criu"
	failed_cleanly ct

	# A CRIU that answers VERSION with 3.10.0 (criu swrk, hand-encoded by fake-criu).
	CRBOX_GLOBAL=(--criu "$FAKE_CRIU")
	FAKE_CRIU_VERSION=3.10.0 restore_fails ct
	error_says "criu too old: found 3.10.0"
	error_says "need at least 3.15.0"
	failed_cleanly ct
	# A git build counts as the next minor (runc's rule): 3.13.0-git is 3.14.0, still too old.
	FAKE_CRIU_VERSION=3.13.0-deadbeef restore_fails ct
	error_says "criu too old: found 3.13.0 git deadbeef (31400)"
	failed_cleanly ct

	# One that dies on the VERSION request, one that answers garbage.
	FAKE_CRIU_MODE=die restore_fails ct
	error_says "criu protocol error: unexpected EOF (criu died: killed by signal 9)"
	failed_cleanly ct
	FAKE_CRIU_MODE=garbage restore_fails ct
	error_says "criu protocol error: cannot decode the response"
	failed_cleanly ct
	CRBOX_GLOBAL=()

	restores_again ct "$c"
}

@test "faults: criu SIGKILLed at each restore notification: exit 1, nothing left" {
	make_bundle "$BUNDLE"
	use_action_script
	c=$(ckpt_runc ct)
	for act in pre-restore setup-namespaces post-setup-namespaces post-restore \
		network-unlock pre-resume post-resume; do
		rm -f "$ROOT/mark" "$ROOT/actions"
		KILL_AT=$act restore_fails ct
		# The kill happened exactly there (the action script ran in criu, our parent).
		[ "$(cat "$ROOT/mark")" = "killed at $act" ]
		error_says "criu protocol error: unexpected EOF (criu died: killed by signal 9)"
		error_says "full CRIU log: $ROOT/crbox/restore@ct.log"
		failed_cleanly ct
		[ "$(status_of crbox ct)" = absent ]
	done
	# Every restore notification reaches CRIU's action scripts in swrk mode (the last run
	# went up to post-resume).
	for act in pre-restore setup-namespaces post-setup-namespaces post-restore \
		network-unlock pre-resume post-resume; do
		grep -qx -- "$act" "$ROOT/actions"
	done
	# With --work-path, CRIU's cgroup yard (mounted in the work dir) must go too.
	for act in setup-namespaces post-restore post-resume; do
		rm -f "$ROOT/mark"
		KILL_AT=$act restore_fails ct --work-path "$ROOT/wr"
		[ "$(cat "$ROOT/mark")" = "killed at $act" ]
		error_says "criu protocol error: unexpected EOF (criu died: killed by signal 9)"
		error_says "full CRIU log: $ROOT/wr/restore.log"
		failed_cleanly ct
		left=$(ls -A "$ROOT/wr" | grep -vE '^(restore.log|stats-restore)$' || true)
		[ -z "$left" ] || { echo "left in the work dir: $left" >&2; false; }
	done
	set_cfg 'del(.annotations["org.criu.config"])'
	restores_again ct "$c"
}

@test "faults: criu SIGKILLed at each dump notification: container stays running and thawed" {
	make_bundle "$BUNDLE"
	use_action_script
	runc_run_detached ct
	wait_count_above 3 >/dev/null
	runc_checkpoint ct --image-path "$ROOT/seed"
	# crbox records config.json's CRIU config at restore; checkpoint uses it.
	crbox_restore_detached ct --image-path "$ROOT/seed"
	pid=$(pid_of crbox ct)
	# query-ext-files never reaches action scripts: criu-wrap kills criu as it sends it.
	for act in pre-dump network-lock query-ext-files post-dump; do
		rm -rf "$ROOT/mark" "$IMAGES"
		if [ $act = query-ext-files ]; then
			run -1 timeout 30 env CRIU_WRAP_KILL_AT=$act CRIU_WRAP_MARK="$ROOT/mark" \
				"$CRBOX" --root "$ROOT/crbox" --criu "$CRIU_WRAP" checkpoint \
				--image-path "$IMAGES" --work-path "$WORK" ct </dev/null
		else
			KILL_AT=$act run -1 timeout 30 "$CRBOX" --root "$ROOT/crbox" checkpoint \
				--image-path "$IMAGES" --work-path "$WORK" ct </dev/null
		fi
		[ "$(cat "$ROOT/mark")" = "killed at $act" ]
		error_says "criu protocol error: unexpected EOF (criu died: killed by signal 9)"
		error_says "full CRIU log: $WORK/dump.log"
		[ "$(status_of crbox ct)" = running ]
		[ "$(pid_of crbox ct)" = "$pid" ]
		[ "$(cat "/sys/fs/cgroup/freezer$CG_PATH/freezer.state")" = THAWED ]
		grep -q State:.*[RS] "/proc/$pid/status"
		wait_count_above "$(read_count)" >/dev/null
		no_stray_procs
	done
	# Action scripts saw the other dump notifications, never query-ext-files.
	grep -qx network-lock "$ROOT/actions"
	grep -qx post-dump "$ROOT/actions"
	run ! grep -qx query-ext-files "$ROOT/actions"
	# A later checkpoint succeeds and its images restore.
	c0=$(read_count)
	crbox_checkpoint ct --image-path "$ROOT/final"
	[ "$(status_of crbox ct)" = absent ]
	assert_images "$ROOT/final"
	c=$(read_count)
	[ "$c" -ge "$c0" ]
	crbox_restore_detached ct --image-path "$ROOT/final"
	restored_from "$c"
	crbox delete -f ct
	assert_no_leftovers ct
	no_stray_procs
}

# ---- images ------------------------------------------------------------------------------

@test "faults: corrupt images are refused within seconds, naming the file" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	pages=$(cd "$IMAGES" && ls pages-*.img | head -1)
	pagemap=$(cd "$IMAGES" && ls pagemap-*.img | head -1)
	for fault in pages inventory descriptors pstree pagemap; do
		rm -rf "$IMAGES" && cp -a "$ROOT/pristine" "$IMAGES"
		case $fault in
		pages) truncate -s 4096 "$IMAGES/$pages"; want="image $pages is truncated" ;;
		inventory) rm "$IMAGES/inventory.img"; want="holds no checkpoint (no inventory.img)" ;;
		descriptors) head -c 300 /dev/urandom | tr -d '\0' >"$IMAGES/descriptors.json"
			want="descriptors.json" ;;
		pstree) truncate -s 10 "$IMAGES/pstree.img"; want="image pstree.img is corrupt" ;;
		pagemap) # Cut the file in the middle of its last entry.
			truncate -s $(($(stat -c %s "$IMAGES/$pagemap") - 3)) "$IMAGES/$pagemap"
			want="image $pagemap is corrupt" ;;
		esac
		save_image_sums "$IMAGES" "$ROOT/sums"
		start=$SECONDS
		restore_fails ct
		[ $((SECONDS - start)) -le 20 ]
		error_says "$want"
		[ "$(grep -c 'level=error' <<<"$output")" -eq 1 ]
		failed_cleanly ct
		# Refused before anything was created: no CRIU log either.
		[ ! -e "$ROOT/crbox/restore@ct.log" ]
	done
	save_image_sums "$ROOT/pristine" "$ROOT/sums"
	restores_again ct "$c"
}

# ---- the bundle and the host -------------------------------------------------------------

@test "faults: a bind-mount source removed since the checkpoint" {
	make_bundle "$BUNDLE"
	mkdir -p "$ROOT/data"
	echo hello >"$ROOT/data/file"
	set_cfg --arg s "$ROOT/data" \
		'.mounts += [{destination: "/data", type: "bind", source: $s, options: ["rbind"]}]'
	c=$(ckpt_runc ct)
	mv "$ROOT/data" "$ROOT/data.away"
	restore_fails ct
	error_says "$ROOT/data"
	failed_cleanly ct
	[ ! -e "$ROOT/data" ]
	mv "$ROOT/data.away" "$ROOT/data"
	restores_again ct "$c"
}

@test "faults: a state dir that is not crbox's is refused and left alone" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	mkdir -p "$ROOT/crbox/ct"
	echo mine >"$ROOT/crbox/ct/note"
	restore_fails ct
	error_says "container with given ID already exists"
	[ "$(grep -c 'level=error' <<<"$output")" -eq 1 ]
	[ "$(cat "$ROOT/crbox/ct/note")" = mine ]
	[ "$(ls -A "$ROOT/crbox/ct")" = note ]
	assert_image_sums "$IMAGES" "$ROOT/sums"
	assert_no_leftovers
	no_stray_procs
	rm -rf "$ROOT/crbox/ct"
	restores_again ct "$c"
}

@test "faults: a read-only work dir" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	mkdir -p "$ROOT/ro"
	mount --bind "$ROOT/ro" "$ROOT/ro"
	mount -o remount,bind,ro "$ROOT/ro"
	restore_fails ct --work-path "$ROOT/ro"
	error_says "work path $ROOT/ro is not writable: Read-only file system"
	[ "$(grep -c 'level=error' <<<"$output")" -eq 1 ]
	# Refused before criu ran: none of CRIU's own stderr lines.
	[ "$(grep -vc '^time=' <<<"$output")" -eq 0 ]
	umount "$ROOT/ro"
	[ -z "$(ls -A "$ROOT/ro")" ]
	failed_cleanly ct
	restores_again ct "$c"
}

# ---- signals to a foreground restore -----------------------------------------------------

# fg_restore ID: starts a foreground `crbox restore` of $BUNDLE from $IMAGES in the
# background (stdio /dev/null, messages in $ROOT/fg.err); sets FG to its pid.
fg_restore() {
	KNOWN_IDS+=("$1")
	"$CRBOX" --root "$ROOT/crbox" restore --image-path "$IMAGES" --work-path "$WORK" \
		--bundle "$BUNDLE" "$1" </dev/null >/dev/null 2>"$ROOT/fg.err" &
	FG=$!
	track_pid "$FG"
}

# fg_wait: waits (30 s at most) for the foreground crbox; sets ST to its exit status.
fg_wait() {
	local i
	ST=0
	for i in $(seq 300); do
		kill -0 "$FG" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$FG" 2>/dev/null; then
		echo "foreground crbox $FG still running after 30 s" >&2
		kill -9 "$FG"
	fi
	wait "$FG" || ST=$?
}

@test "faults: SIGINT or SIGTERM during a foreground restore aborts it: exit 1, nothing left" {
	make_bundle "$BUNDLE"
	use_action_script
	c=$(ckpt_runc ct)
	for sig in INT TERM; do
		rm -f "$ROOT/slept" "$ROOT/actions"
		# criu sleeps in the action script at setup-namespaces: the restored tasks exist,
		# the container is not complete.
		SLEEP_AT=setup-namespaces SLEEP_S=5 fg_restore ct
		for i in $(seq 100); do [ -e "$ROOT/slept" ] && break; sleep 0.1; done
		[ -e "$ROOT/slept" ]
		kill -$sig "$FG"
		fg_wait
		output=$(cat "$ROOT/fg.err")
		[ "$ST" -eq 1 ] || { echo "exit $ST: $output" >&2; false; }
		error_says "restore interrupted by signal $(kill -l $sig)"
		[ "$(grep -c 'level=error' <<<"$output")" -le 2 ]
		failed_cleanly ct
		[ "$(status_of crbox ct)" = absent ]
	done
	set_cfg 'del(.annotations["org.criu.config"])'
	restores_again ct "$c"
}

@test "faults: SIGINT or SIGTERM after a foreground restore goes to the init; crbox exits with its status" {
	# The init is the pid namespace's init: it only gets signals it has a handler for.
	make_bundle "$BUNDLE" /bin/sh -c "trap 'exit 3' INT; trap 'exit 4' TERM; $COUNTER_SCRIPT"
	c=$(ckpt_runc ct)
	for sig in INT TERM; do
		rm -rf "$IMAGES" && cp -a "$ROOT/pristine" "$IMAGES"
		fg_restore ct
		restored_from "$c"
		[ "$(status_of crbox ct)" = running ]
		kill -$sig "$FG"
		fg_wait
		case $sig in INT) [ "$ST" -eq 3 ] ;; TERM) [ "$ST" -eq 4 ] ;; esac
		[ -z "$(grep 'level=error' "$ROOT/fg.err")" ]
		assert_no_leftovers ct
		no_stray_procs
	done
	# An init without a handler for the signal ignores it (pid namespace init): after
	# SIGTERM crbox keeps waiting. busybox sh -c catches SIGINT itself and then exits 130:
	# crbox exits 130 too.
	make_bundle "$ROOT/b2"
	IMAGES=$ROOT/img2
	runc_run_detached ct2
	wait_count_above 3 >/dev/null
	runc_checkpoint ct2
	c=$(read_count)
	fg_restore ct2
	restored_from "$c"
	kill -TERM "$FG"
	sleep 1
	kill -0 "$FG" || { fg_wait; echo "crbox exited $ST: $(cat "$ROOT/fg.err")" >&2; false; }
	[ "$(status_of crbox ct2)" = running ]
	kill -INT "$FG"
	fg_wait
	[ "$ST" -eq 130 ]
	[ -z "$(grep 'level=error' "$ROOT/fg.err")" ]
	assert_no_leftovers ct ct2
	no_stray_procs
}
