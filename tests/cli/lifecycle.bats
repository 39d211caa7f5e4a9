#!/usr/bin/env bats
# lifecycle: state, list, kill, delete, ps, pause, resume without root or CRIU. Missing
# containers and usage errors are compared with runc (when installed). Containers are
# hand-written state dirs whose "init" is a sleep started by the test (no cgroups), so the
# status logic, the start-time check that protects a reused pid, list's table/json, delete's
# refusals and ps's filtering run against real processes.

load helpers

setup() {
	cli_setup
	RUNC=${RUNC:-$(command -v runc || true)}
	SLEEPS=()
}

teardown() {
	local p
	for p in "${SLEEPS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	cli_teardown
}

c() {
	"$CRBOX" --root "$ROOT" "$@"
}

# start_time PID: field 22 of /proc/PID/stat.
start_time() {
	local s
	s=$(cat "/proc/$1/stat") || return
	s=${s##*) }
	set -- $s
	echo "${20}"
}

# start_sleep: starts a sleep (its pid in SLEEP_PID), tracked for the teardown.
start_sleep() {
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	SLEEP_PID=$!
	SLEEPS+=("$SLEEP_PID")
}

# fake_state ID PID START [JQ-EXPR]: writes $ROOT/ID/state.json in crbox's format (no
# cgroups), optionally edited by JQ-EXPR.
fake_state() {
	local id=$1 pid=$2 st=$3 expr=${4:-.}
	mkdir -p "$ROOT/$id"
	chmod 711 "$ROOT/$id"
	jq -n --arg id "$id" --argjson pid "$pid" --argjson st "$st" \
		'{crbox_state_version: 1, id: $id, init_process_pid: $pid, init_process_start: $st,
		  created: "2026-01-02T03:04:05.123Z", bundle: "/b/\($id)", rootfs: "/b/\($id)/rootfs",
		  oci_version: "1.0.2-dev", annotations: {}, cgroup_paths: {}, namespace_paths: {},
		  config: {terminal: false, rootfs_readonly: false, namespaces: [], mounts: [],
		           masked_paths: [], readonly_paths: [], device_paths: [], poststop: []}}' |
		jq -c "$expr" >"$ROOT/$id/state.json"
}

# runc_vs_crbox ARG...: the same command line through runc and crbox (each with a private
# empty root): same status, same first stdout line, same logged message (program names
# normalised). Without runc the test is skipped from there on (it never passes untested).
runc_vs_crbox() {
	local rs cs ro co rm cm
	[ -n "$RUNC" ] || skip "runc not found: no comparison with runc"
	mkdir -p "$TMP/r-root" "$TMP/c-root"
	ro=$("$RUNC" --root "$TMP/r-root" "$@" 2>"$TMP/r.err") && rs=0 || rs=$?
	co=$("$CRBOX" --root "$TMP/c-root" "$@" 2>"$TMP/c.err") && cs=0 || cs=$?
	rm=$(logmsg "$(cat "$TMP/r.err")" | sed "s|$RUNC|PROG|g; s/\brunc\b/PROG/g")
	cm=$(logmsg "$(cat "$TMP/c.err")" | sed "s|$CRBOX|PROG|g")
	if [ "$rs" != "$cs" ] || [ "$(head -n 1 <<<"$ro")" != "$(head -n 1 <<<"$co")" ] ||
		[ "$rm" != "$cm" ]; then
		echo "argv: $*" >&2
		echo "runc : status $rs, stdout[0] '$(head -n 1 <<<"$ro")', msg '$rm'" >&2
		echo "crbox: status $cs, stdout[0] '$(head -n 1 <<<"$co")', msg '$cm'" >&2
		return 1
	fi
}

@test "missing container: runc's text and status for every lifecycle applet" {
	local a
	for a in state kill delete pause resume ps; do
		run -1 c "$a" nosuch
		assert_eq "$(logmsg "$output")" "container does not exist"
	done
	run -1 c kill nosuch KILL
	assert_eq "$(logmsg "$output")" "container does not exist"
	# delete --force of a missing container is quietly successful.
	run -0 c delete -f nosuch
	assert_eq "$output" ""
	run -0 c delete --force nosuch
	for a in "state nosuch" "kill nosuch" "kill -a nosuch 9" "delete nosuch" "delete -f nosuch" \
		"pause nosuch" "resume nosuch" "ps nosuch" "ps -f json nosuch" "ps --format=bad nosuch"; do
		runc_vs_crbox $a
	done
}

@test "invalid ids: runc's 'invalid container ID format' and empty-id texts" {
	local a id
	for a in state kill delete pause resume ps; do
		for id in ../x a/b .. .; do
			run -1 c "$a" "$id"
			assert_eq "$(logmsg "$output")" "invalid container ID format"
			runc_vs_crbox "$a" "$id"
		done
		run -1 c "$a" ""
		assert_eq "$(logmsg "$output")" "container id cannot be empty"
		runc_vs_crbox "$a" ""
	done
	# -f does not hide a bad id.
	run -1 c delete -f ../x
	assert_eq "$(logmsg "$output")" "invalid container ID format"
	# ',' is a valid id character for runc ([\w+-\.] is a range from '+' to '.').
	for a in state kill delete pause resume ps; do
		run -1 c "$a" a,b
		assert_eq "$(logmsg "$output")" "container does not exist"
	done
}

@test "argument counts: runc's checkArgs wording (exactly / minimum / maximum)" {
	run -1 c kill
	assert_eq "$(head -n 1 <<<"$output")" "Incorrect Usage."
	assert_eq "$(logmsg "$output" | sed "s|$CRBOX|PROG|")" 'PROG: "kill" requires a minimum of 1 argument(s)'
	run -1 c kill a b c
	assert_eq "$(logmsg "$output" | sed "s|$CRBOX|PROG|")" 'PROG: "kill" requires a maximum of 2 argument(s)'
	run -1 c ps
	assert_eq "$(logmsg "$output" | sed "s|$CRBOX|PROG|")" 'PROG: "ps" requires a minimum of 1 argument(s)'
	run -1 c list x
	assert_eq "$(logmsg "$output" | sed "s|$CRBOX|PROG|")" 'PROG: "list" requires exactly 0 argument(s)'
	local a
	for a in state delete pause resume; do
		run -1 c "$a"
		assert_eq "$(logmsg "$output" | sed "s|$CRBOX|PROG|")" "PROG: \"$a\" requires exactly 1 argument(s)"
		run -1 c "$a" x y
		assert_eq "$(logmsg "$output" | sed "s|$CRBOX|PROG|")" "PROG: \"$a\" requires exactly 1 argument(s)"
	done
	for a in "kill" "kill a b c" "ps" "list x" "state" "state a b" "delete a b" "pause" \
		"resume a b" "kill --nope x" "list --format" "delete -f=maybe x"; do
		runc_vs_crbox $a
	done
}

@test "list on a missing root: header only, json null, -q nothing; the root is not created" {
	run -0 --separate-stderr c list
	assert_eq "$output" "ID          PID         STATUS      BUNDLE      CREATED     OWNER"
	assert_eq "$stderr" ""
	run -0 c list --format json
	assert_eq "$output" "null"
	run -0 c list -q
	assert_eq "$output" ""
	[ ! -e "$ROOT" ]
	run -1 c list --format xml
	assert_eq "$(logmsg "$output")" "invalid format option"
	# -q is checked before the format, as in runc.
	run -0 c list -q --format xml
	runc_vs_crbox list
	runc_vs_crbox list -f json
	runc_vs_crbox list --format xml
	runc_vs_crbox list --quiet --format xml
}

@test "state of a live init: runc's key order, 2-space indent, no trailing newline" {
	start_sleep
	fake_state c1 "$SLEEP_PID" "$(start_time "$SLEEP_PID")" '.annotations = {"z": "1", "a": "x<y"}'
	c state c1 >"$TMP/out"
	[ "$(tail -c 1 "$TMP/out")" = "}" ]
	expected=$(printf '{\n  "ociVersion": "1.0.2-dev",\n  "id": "c1",\n  "pid": %d,\n  "status": "running",\n  "bundle": "/b/c1",\n  "rootfs": "/b/c1/rootfs",\n  "created": "2026-01-02T03:04:05.123Z",\n  "annotations": {\n    "a": "x\\u003cy",\n    "z": "1"\n  },\n  "owner": ""\n}' "$SLEEP_PID")
	assert_eq "$(cat "$TMP/out")" "$expected"
	# No annotations: the key is left out.
	fake_state c2 "$SLEEP_PID" "$(start_time "$SLEEP_PID")"
	run -0 c state c2
	assert_eq "$(jq -c 'keys_unsorted' <<<"$output")" \
		'["ociVersion","id","pid","status","bundle","rootfs","created","owner"]'
}

@test "stopped: a dead init gives status stopped and pid 0; kill, pause, resume refuse" {
	start_sleep
	local p=$SLEEP_PID st
	st=$(start_time "$p")
	fake_state c1 "$p" "$st"
	kill -9 "$p"
	wait "$p" 2>/dev/null || true
	run -0 c state c1
	assert_eq "$(jq -c '[.status, .pid]' <<<"$output")" '["stopped",0]'
	run -1 c kill c1
	assert_eq "$(logmsg "$output")" "container not running"
	run -1 c kill c1 KILL
	assert_eq "$(logmsg "$output")" "container not running"
	# --all on a stopped container without cgroups: nothing to signal, success (runc too).
	run -0 c kill --all c1 9
	run -1 c pause c1
	assert_eq "$(logmsg "$output")" "container not running"
	run -1 c resume c1
	assert_eq "$(logmsg "$output")" "container not paused"
	run -0 c ps -f json c1
	assert_eq "$output" "null"
	# A stopped container is deleted without -f; the dir is gone.
	run -0 c delete c1
	assert_eq "$output" ""
	[ ! -e "$ROOT/c1" ]
	run -1 c state c1
	assert_eq "$(logmsg "$output")" "container does not exist"
}

@test "a reused pid is never signalled: wrong start time means stopped, the process lives" {
	start_sleep
	local p=$SLEEP_PID st
	st=$(start_time "$p")
	# The same pid with another start time: the recorded init is gone, this is a stranger.
	fake_state c1 "$p" "$((st - 1))"
	run -0 c state c1
	assert_eq "$(jq -c '[.status, .pid]' <<<"$output")" '["stopped",0]'
	local s
	for s in TERM KILL 9 SIGKILL; do
		run -1 c kill c1 "$s"
		assert_eq "$(logmsg "$output")" "container not running"
	done
	run -1 c pause c1
	run -0 c delete c1
	run -0 c list -q
	assert_eq "$output" ""
	kill -0 "$p"
	assert_eq "$(start_time "$p")" "$st"
	# delete -f of such a state dir does not kill the stranger either.
	fake_state c2 "$p" "$((st + 7))"
	run -0 c delete -f c2
	[ ! -e "$ROOT/c2" ]
	sleep 0.2
	kill -0 "$p"
	assert_eq "$(start_time "$p")" "$st"
}

@test "kill: default SIGTERM, names, numbers; bad signals with runc's texts" {
	start_sleep
	local p=$SLEEP_PID
	fake_state c1 "$p" "$(start_time "$p")"
	run -1 c kill c1 FOO
	assert_eq "$(logmsg "$output")" 'unknown signal "FOO"'
	run -1 c kill c1 100
	assert_eq "$(logmsg "$output")" "unable to signal init: invalid argument"
	run -1 c kill c1 -5
	assert_eq "$(logmsg "$output")" "unable to signal init: invalid argument"
	run -0 c kill c1 0
	run -0 c kill c1 sigcont
	run -0 c kill c1 CONT
	run -0 c kill c1 18
	kill -0 "$p"
	# The default is SIGTERM: the sleep dies of it.
	run -0 c kill c1
	wait "$p" 2>/dev/null && s=0 || s=$?
	assert_eq "$s" "$((128 + 15))"
	run -0 c state c1
	assert_eq "$(jq -r .status <<<"$output")" stopped
	# By name and by number.
	start_sleep
	fake_state c2 "$SLEEP_PID" "$(start_time "$SLEEP_PID")"
	run -0 c kill c2 KILL
	wait "$SLEEP_PID" 2>/dev/null && s=0 || s=$?
	assert_eq "$s" "$((128 + 9))"
	start_sleep
	fake_state c3 "$SLEEP_PID" "$(start_time "$SLEEP_PID")"
	run -0 c kill c3 10
	wait "$SLEEP_PID" 2>/dev/null && s=0 || s=$?
	assert_eq "$s" "$((128 + 10))"
}

@test "delete: a running container is refused without -f, killed and removed with -f" {
	start_sleep
	local p=$SLEEP_PID
	fake_state c1 "$p" "$(start_time "$p")"
	run -1 c delete c1
	assert_eq "$(logmsg "$output")" "cannot delete container c1 that is not stopped: running"
	kill -0 "$p"
	[ -d "$ROOT/c1" ]
	run -0 c delete -f c1
	assert_eq "$output" ""
	wait "$p" 2>/dev/null && s=0 || s=$?
	assert_eq "$s" "$((128 + 9))"
	[ ! -e "$ROOT/c1" ]
}

@test "delete: a state dir without state.json is removed (runc's aborted-create rule)" {
	mkdir -p "$ROOT/half"
	run -1 c state half
	assert_eq "$(logmsg "$output")" "container does not exist"
	run -1 c delete half
	assert_eq "$(logmsg "$output")" "container does not exist"
	[ ! -e "$ROOT/half" ]
	mkdir -p "$ROOT/half"
	run -0 c delete -f half
	assert_eq "$output" ""
	[ ! -e "$ROOT/half" ]
}

@test "list: table layout, json with owner, -q; broken entries on stderr; files ignored" {
	start_sleep
	local p=$SLEEP_PID me
	me=$(id -un)
	fake_state a1 "$p" "$(start_time "$p")" '.bundle = "/a/much/longer/bundle/path"'
	fake_state b2 "$p" 1
	mkdir -p "$ROOT/broken" "$ROOT/empty"
	echo '{bad' >"$ROOT/broken/state.json"
	echo log >"$ROOT/restore@a1.log"
	ln -s a1 "$ROOT/link"
	run -0 --separate-stderr c list
	expected="ID          PID         STATUS      BUNDLE                       CREATED                    OWNER
a1          $p$(printf '%*s' $((12 - ${#p})) '')running     /a/much/longer/bundle/path   2026-01-02T03:04:05.123Z   $me
b2          0           stopped     /b/b2                        2026-01-02T03:04:05.123Z   $me"
	assert_eq "$output" "$expected"
	assert_has "$stderr" "load container broken: "
	assert_has "$stderr" "load container empty: container does not exist"
	[[ $stderr != *link* && $stderr != *restore@* ]]
	run -0 --separate-stderr c list -q
	assert_eq "$output" $'a1\nb2'
	run -0 --separate-stderr c list --format json
	assert_eq "$(jq -c '[.[] | [.id, .pid, .status, .owner, .bundle]]' <<<"$output")" \
		"[[\"a1\",$p,\"running\",\"$me\",\"/a/much/longer/bundle/path\"],[\"b2\",0,\"stopped\",\"$me\",\"/b/b2\"]]"
	# Compact, one line, newline-terminated.
	assert_eq "$(wc -l <<<"$output")" 1
	c list --format json 2>/dev/null | tail -c 1 | od -An -c | grep -q '\\n'
	# The same objects as `state`, except the owner.
	assert_eq "$(jq -c '.[0] | del(.owner)' <<<"$output")" "$(c state a1 | jq -c 'del(.owner)')"
}

@test "list: OWNER is the state dir's uid name, or #uid when /etc/passwd has none" {
	[ "$(id -u)" = 0 ] || skip "chown needs root"
	fake_state o1 1 1
	chown 4242777 "$ROOT/o1"
	fake_state o2 1 1
	chown 0 "$ROOT/o2"
	run -0 c list --format json
	assert_eq "$(jq -c '[.[].owner]' <<<"$output")" '["#4242777","root"]'
	run -0 c list
	assert_has "$(sed -n 2p <<<"$output")" "   #4242777"
}

@test "ps: json pids from the cgroup (none recorded: null); the table needs the host's ps" {
	start_sleep
	fake_state c1 "$SLEEP_PID" "$(start_time "$SLEEP_PID")"
	run -0 c ps --format json c1
	assert_eq "$output" "null"
	run -1 c ps --format xml c1
	assert_eq "$(logmsg "$output")" "invalid format option"
	if command -v ps >/dev/null; then
		# No pids: only ps's header is kept.
		run -0 c ps c1
		assert_eq "$output" "$(ps -ef | head -n 1)"
		run -0 c ps c1 -o pid,comm
		assert_eq "$output" "$(ps -o pid,comm | head -n 1)"
		# Everything after the id goes to ps, even what looks like crbox's own flags.
		run -1 c ps c1 --format json
		assert_has "$(logmsg "$output")" "exit status 1: "
		run -1 c ps c1 -o comm
		assert_eq "$(logmsg "$output")" "couldn't find PID field in ps output"
	fi
	run -1 env PATH=/nonexistent "$CRBOX" --root "$ROOT" ps c1
	assert_has "$(logmsg "$output")" 'exec: "ps": executable file not found in $PATH'
}
