#!/usr/bin/env bats
# hostile: container ids and state directories an attacker (or a typo) could pass, without
# root or CRIU. Every applet that takes an id refuses ids with '/', '.', '..', the empty
# string, 1024 bytes, control characters, with exit status 1 and a message about the id, and
# writes nothing anywhere (the whole temp tree, root included, is listed before and after).
# A state directory that is a symlink is refused by every applet, and what it points to (a
# state.json naming a live process of ours) is neither read, signalled nor removed.

load helpers

setup() {
	cli_setup
	# The root is deep inside $TMP so that ids with ".." would still land inside $TMP.
	ROOT=$TMP/d1/d2/d3/root
	mkdir -p "$ROOT" "$TMP/cwd" "$TMP/bundle" "$TMP/images"
	touch "$ROOT/keep"
	cp "$REPO/tests/data/spec/ok/minimal.json" "$TMP/bundle/config.json"
	: >"$TMP/images/inventory.img"
	# pstree.img naming one task, pid 1 (CRIU's magics, one entry: field 1 = 1), and its
	# core image: enough for restore's image checks to pass.
	printf '\x19\x43\x56\x54\x30\x30\x27\x50\x02\x00\x00\x00\x08\x01' >"$TMP/images/pstree.img"
	: >"$TMP/images/core-1.img"
	echo '["/dev/null","/dev/null","/dev/null"]' >"$TMP/images/descriptors.json"
	cd "$TMP/cwd"
	SLEEP_PID=
}

teardown() {
	[ -n "$SLEEP_PID" ] && kill -9 "$SLEEP_PID" 2>/dev/null
	cd /
	cli_teardown
}

# tree: every path under $TMP with its type, size and mode, and the sha256 of every file;
# restore's cache of the criu version in the root (<root>/criu@version) is left out.
tree() {
	(cd "$TMP" && find . -path ./d1/d2/d3/root/criu@version -prune -o -printf '%p %y %s %m\n' |
		LC_ALL=C sort &&
		find . -path ./d1/d2/d3/root/criu@version -prune -o -type f -exec sha256sum {} + |
		LC_ALL=C sort)
}

# The ids every test below throws at every applet.
hostile_ids() {
	HOSTILE=("a/b" ".." "." "" "$(printf 'x%.0s' $(seq 1024))" $'a\nb' $'a\x01b' "../../../escape"
		"/abs" "../root" "d/../e" $'\x7f' "ct/")
}

# applet_cmdlines ID: CMDS, command lines ('|'-separated words) for every applet that takes
# an id, with every path flag pointing at a place in $TMP that must not appear.
applet_cmdlines() {
	local id=$1
	CMDS=(
		"restore|--bundle|$TMP/bundle|--image-path|$TMP/images|--work-path|$TMP/work|-d|$id"
		"restore|--bundle|$TMP/bundle|--image-path|$TMP/images|--pid-file|$TMP/pid|$id"
		"restore|--bundle|$TMP/bundle|--image-path|$TMP/images|$id"
		"checkpoint|--image-path|$TMP/ckpt|--work-path|$TMP/work|$id"
		"checkpoint|--leave-running|--image-path|$TMP/ckpt|$id"
		"state|$id"
		"kill|$id|KILL"
		"kill|$id"
		"delete|$id"
		"delete|-f|$id"
		"pause|$id"
		"resume|$id"
		"ps|$id"
		"ps|-f|json|$id"
	)
}

# run_cmd LINE: runs crbox --root $ROOT with LINE's '|'-separated words (an id may hold
# any byte but '|' and NUL).
run_cmd() {
	local IFS='|'
	local -a w
	read -r -d '' -a w <<<"$1" || true
	# read keeps the here-string's newline on the last word: drop it.
	w[${#w[@]} - 1]=${w[${#w[@]} - 1]%$'\n'}
	run --separate-stderr "$CRBOX" --root "$ROOT" "${w[@]}"
}

@test "hostile ids: every applet exits 1 naming the id problem, and writes nothing" {
	local id cmd before after msg n=0
	hostile_ids
	before=$(tree)
	for id in "${HOSTILE[@]}"; do
		applet_cmdlines "$id"
		for cmd in "${CMDS[@]}"; do
			run_cmd "$cmd"
			msg=$(logmsg "$stderr")
			if [ "$status" -ne 1 ] || ! grep -qi 'container id' <<<"$msg"; then
				printf 'command: %q\nstatus %s\nstderr: %q\n' "$cmd" "$status" "$stderr" >&2
				return 1
			fi
			# One message: a control character in the id must not forge a second log line.
			[ "$(grep -c 'level=' <<<"$stderr")" -eq 1 ] || {
				printf 'command: %q\nstderr: %q\n' "$cmd" "$stderr" >&2
				return 1
			}
			n=$((n + 1))
		done
	done
	after=$(tree)
	assert_eq "$after" "$before"
	[ "$n" -eq $((${#HOSTILE[@]} * ${#CMDS[@]})) ]
}

@test "hostile ids: the messages say what is wrong" {
	run --separate-stderr "$CRBOX" --root "$ROOT" restore --bundle "$TMP/bundle" "a/b"
	[ "$status" -eq 1 ]
	assert_has "$(logmsg "$stderr")" "invalid container id: character 0x2f at offset 1"
	run --separate-stderr "$CRBOX" --root "$ROOT" restore --bundle "$TMP/bundle" ""
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "invalid container id: the id is empty"
	run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint "$(printf 'x%.0s' $(seq 1024))"
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "invalid container id: longer than 255 bytes"
	run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint ".."
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "invalid container id: .."
	run --separate-stderr "$CRBOX" --root "$ROOT" restore $'a\x01b'
	[ "$status" -eq 1 ]
	assert_has "$(logmsg "$stderr")" "character 0x01 at offset 1 is not allowed"
	# runc's texts for the lifecycle applets
	run --separate-stderr "$CRBOX" --root "$ROOT" state $'a\nb'
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "invalid container ID format"
	run --separate-stderr "$CRBOX" --root "$ROOT" kill "" KILL
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "container id cannot be empty"
}

@test "hostile ids with a missing root: the root is not created" {
	local id cmd before
	hostile_ids
	rm -rf "$ROOT"
	before=$(tree)
	for id in "${HOSTILE[@]}"; do
		applet_cmdlines "$id"
		for cmd in "${CMDS[@]}"; do
			run_cmd "$cmd"
			[ "$status" -eq 1 ]
		done
	done
	[ ! -e "$ROOT" ]
	assert_eq "$(tree)" "$before"
}

@test "an id that is a valid name never reaches outside the root either" {
	# "..x" and ".x" are valid ids: they must be entries of the root, not parents of it.
	local before
	before=$(tree)
	for id in "..x" ".x" "...";  do
		run --separate-stderr "$CRBOX" --root "$ROOT" state "$id"
		[ "$status" -eq 1 ]
		assert_eq "$(logmsg "$stderr")" "container does not exist"
		# runc's rule: delete -f of a missing container succeeds (and removes nothing)
		run --separate-stderr "$CRBOX" --root "$ROOT" delete -f "$id"
		[ "$status" -eq 0 ]
	done
	assert_eq "$(tree)" "$before"
}

# A target dir holding a valid crbox state.json whose init is a live sleep of ours.
make_target() {
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	SLEEP_PID=$!
	local s
	s=$(cat "/proc/$SLEEP_PID/stat")
	s=${s##*) }
	set -- $s
	mkdir -p "$TMP/target"
	jq -n --argjson pid "$SLEEP_PID" --argjson st "${20}" \
		'{crbox_state_version: 1, id: "ct", init_process_pid: $pid, init_process_start: $st,
		  created: "2026-01-02T03:04:05.123Z", bundle: "/b", rootfs: "/b/rootfs",
		  oci_version: "1.0.2-dev", annotations: {}, cgroup_paths: {}, namespace_paths: {},
		  config: {terminal: false, rootfs_readonly: false, namespaces: [], mounts: [],
		           masked_paths: [], readonly_paths: [], device_paths: [], poststop: []}}' \
		>"$TMP/target/state.json"
	echo keep >"$TMP/target/keep"
}

@test "a state dir that is a symlink is refused by every applet; its target is untouched" {
	local cmd before
	make_target
	# The same state dir as a real directory works (the fixture is valid) ...
	cp -a "$TMP/target" "$ROOT/real"
	jq -c '.id = "real"' "$TMP/target/state.json" >"$ROOT/real/state.json"
	run --separate-stderr "$CRBOX" --root "$ROOT" state real
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = running ]
	rm -rf "$ROOT/real"
	# ... but through a symlink it is not followed.
	ln -s "$TMP/target" "$ROOT/ct"
	before=$(tree)
	applet_cmdlines ct
	for cmd in "${CMDS[@]}"; do
		run_cmd "$cmd"
		if [ "$status" -ne 1 ]; then
			printf 'command: %q\nstatus %s\nstderr: %q\n' "$cmd" "$status" "$stderr" >&2
			return 1
		fi
		case $cmd in
		restore*) assert_eq "$(logmsg "$stderr")" "container with given ID already exists" ;;
		*) assert_eq "$(logmsg "$stderr")" "state directory ct is not a directory" ;;
		esac
		kill -0 "$SLEEP_PID"
	done
	assert_eq "$(tree)" "$before"
	[ -L "$ROOT/ct" ]
	# list skips it
	run --separate-stderr "$CRBOX" --root "$ROOT" list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	kill -0 "$SLEEP_PID"
}

@test "a state.json that is a symlink is not followed" {
	local cmd
	make_target
	mkdir -m 711 "$ROOT/ct"
	ln -s "$TMP/target/state.json" "$ROOT/ct/state.json"
	local before
	before=$(tree)
	for cmd in "state|ct" "kill|ct|KILL" "pause|ct" "resume|ct" "ps|ct" "checkpoint|ct"; do
		run_cmd "$cmd"
		[ "$status" -eq 1 ]
		kill -0 "$SLEEP_PID"
	done
	assert_eq "$(tree)" "$before"
	# delete -f refuses too (it cannot tell whose container that is), and removes nothing
	run --separate-stderr "$CRBOX" --root "$ROOT" delete -f ct
	[ "$status" -eq 1 ]
	assert_has "$(logmsg "$stderr")" "state.json"
	assert_eq "$(tree)" "$before"
	[ "$(cat "$TMP/target/keep")" = keep ]
	[ -f "$TMP/target/state.json" ]
	kill -0 "$SLEEP_PID"
}

@test "a root that is a file, and a root path through a file, are refused without writing" {
	local before
	: >"$TMP/file"
	before=$(tree)
	run --separate-stderr "$CRBOX" --root "$TMP/file" state ct
	[ "$status" -eq 1 ]
	run --separate-stderr "$CRBOX" --root "$TMP/file/sub" restore --bundle "$TMP/bundle" \
		--image-path "$TMP/images" ct
	[ "$status" -eq 1 ]
	[ -n "$(logmsg "$stderr")" ]
	assert_eq "$(tree)" "$before"
}
