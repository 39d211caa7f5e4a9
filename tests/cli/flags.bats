#!/usr/bin/env bats
# flags: the urfave/cli rules of runc as seen from the command line (usage errors on stdout,
# the logged error on stderr, exit status 1), the global flags, and the log formats.

load helpers

setup() { cli_setup; }
teardown() { cli_teardown; }

@test "unknown applet flag: Incorrect Usage with the help, logged error, status 1" {
	run --separate-stderr "$CRBOX" --root "$ROOT" restore --foo
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Incorrect Usage: flag provided but not defined: -foo" ]
	[ "${lines[1]}" = "NAME:" ]
	assert_has "$output" $'\nOPTIONS:\n'
	assert_eq "$(logmsg "$stderr")" "flag provided but not defined: -foo"
	[[ "$stderr" =~ ^time=\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?(Z|[+-][0-9:]{5})\"\ level=error\ msg= ]]
	# One dash or two, the message shows one.
	run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint -foo=1 x
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "flag provided but not defined: -foo"
}

@test "unknown global flag: 'Incorrect Usage.' form of the top level" {
	run --separate-stderr "$CRBOX" --foo
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Incorrect Usage. flag provided but not defined: -foo" ]
	[ "${lines[1]}" = "NAME:" ]
	assert_eq "$(logmsg "$stderr")" "flag provided but not defined: -foo"
	run --separate-stderr "$CRBOX" --root
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "flag needs an argument: -root"
}

@test "restore --lsm-mount-context without a value: flag needs an argument" {
	run --separate-stderr "$CRBOX" --root "$ROOT" restore --lsm-mount-context
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Incorrect Usage: flag needs an argument: -lsm-mount-context" ]
	assert_eq "$(logmsg "$stderr")" "flag needs an argument: -lsm-mount-context"
}

@test "bool flags take only =value, with Go's ParseBool spellings" {
	run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint -leave-running=maybe x
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" 'invalid boolean value "maybe" for -leave-running: parse error'
	run --separate-stderr "$CRBOX" --root "$ROOT" restore --detach=maybe x
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" 'invalid boolean value "maybe" for -detach: parse error'
	run --separate-stderr "$CRBOX" --root "$ROOT" delete -f=maybe x
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" 'invalid boolean value "maybe" for -f: parse error'
	# Good spellings get past the parser to the missing container.
	for v in 1 t T TRUE true True 0 f F FALSE false False; do
		run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint --leave-running="$v" nosuch
		[ "$status" -eq 1 ]
		assert_eq "$(logmsg "$stderr")" "container does not exist"
	done
	# A bool never eats the next word: here "nosuch" stays the container id.
	run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint --leave-running nosuch
	assert_eq "$(logmsg "$stderr")" "container does not exist"
}

@test "callers' spellings: -no-subreaper, --leave-running twice, --bundle after the id" {
	run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint --leave-running --leave-running nosuch
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "container does not exist"
	run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint nosuch --leave-running --image-path "$TMP/img"
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "container does not exist"
	run --separate-stderr "$CRBOX" --root "$ROOT" restore -no-subreaper --bundle "$TMP/nobundle" nosuch
	[ "$status" -eq 1 ]
	# Past the parser: no usage error, whatever restore then says about the bundle.
	[[ "$output" != "Incorrect Usage"* ]]
	[[ "$(logmsg "$stderr")" != "flag "* && "$(logmsg "$stderr")" != *"requires exactly"* ]]
	run --separate-stderr "$CRBOX" --root "$ROOT" restore nosuch --bundle "$TMP/nobundle"
	[ "$status" -eq 1 ]
	# Past the parser: no usage error, whatever restore then says about the bundle.
	[[ "$output" != "Incorrect Usage"* ]]
	[[ "$(logmsg "$stderr")" != "flag "* && "$(logmsg "$stderr")" != *"requires exactly"* ]]
}

@test "integer flags: Go base-0 syntax, runc's error text" {
	run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint --status-fd abc x
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = 'Incorrect Usage: invalid value "abc" for flag -status-fd: parse error' ]
	assert_eq "$(logmsg "$stderr")" 'invalid value "abc" for flag -status-fd: parse error'
	run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint --status-fd=08 x
	assert_eq "$(logmsg "$stderr")" 'invalid value "08" for flag -status-fd: parse error'
	run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint --status-fd 99999999999999999999 x
	assert_eq "$(logmsg "$stderr")" 'invalid value "99999999999999999999" for flag -status-fd: value out of range'
	run --separate-stderr "$CRBOX" --root "$ROOT" checkpoint --status-fd 0x3 nosuch
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "container does not exist"
}

@test "a name and its alias together: urfave's two-forms error" {
	run --separate-stderr "$CRBOX" --root "$ROOT" restore -b /1 --bundle /2 x
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Incorrect Usage: Cannot use two forms of the same flag: b bundle" ]
	assert_eq "$(logmsg "$stderr")" "Cannot use two forms of the same flag: b bundle"
}

@test "checkpoint --help and -h exit 0 with runc's help layout" {
	run --separate-stderr "$CRBOX" checkpoint --help
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${lines[0]}" = "NAME:" ]
	[ "${lines[1]}" = "   crbox checkpoint - checkpoint a running container" ]
	grep -qx "USAGE:" <<<"$output"
	grep -qx "OPTIONS:" <<<"$output"
	grep -qE '^   --image-path value +[a-z]' <<<"$output"
	grep -qE '^   --leave-running +[a-z]' <<<"$output"
	# One aligned column: every option line has its help text at the same offset.
	col=$(sed -n '/^OPTIONS:$/,$p' <<<"$output" | grep '^   -' |
		awk '{ match($0, /^   -[^ ].*[^ ]  +/); print RLENGTH }' | sort -u)
	[ "$(wc -l <<<"$col")" -eq 1 ]
	# urfave ends the OPTIONS section with a line of three spaces.
	[ "$("$CRBOX" checkpoint --help | tail -n 1 | od -An -tx1 | tr -d ' \n')" = "2020200a" ]
	want=$output
	run --separate-stderr "$CRBOX" checkpoint -h
	[ "$status" -eq 0 ]
	assert_eq "$output" "$want"
	# Help wins over the argument count, and may come after the id.
	run --separate-stderr "$CRBOX" checkpoint a b --help
	[ "$status" -eq 0 ]
	assert_eq "$output" "$want"
}

@test "state without arguments: Incorrect Usage. and runc's argument-count wording" {
	# runc names itself by os.Args[0] here, the path as run.
	run --separate-stderr "$CRBOX" --root "$ROOT" state
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Incorrect Usage." ]
	[ "${lines[1]}" = "NAME:" ]
	assert_eq "$(logmsg "$stderr")" "$CRBOX: \"state\" requires exactly 1 argument(s)"
	run --separate-stderr "$CRBOX" --root "$ROOT" state a b
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "$CRBOX: \"state\" requires exactly 1 argument(s)"
}

@test "-- ends the flags" {
	run --separate-stderr "$CRBOX" --root "$ROOT" state -- --foo
	[ "$status" -eq 1 ]
	[[ "$(logmsg "$stderr")" != *"flag provided"* ]]
	run --separate-stderr "$CRBOX" --root "$ROOT" -- state nosuch
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "container does not exist"
}

@test "--log-format json --log FILE writes JSON lines with level, msg and RFC 3339 time" {
	run --separate-stderr "$CRBOX" --root "$ROOT" --log-format json --log "$TMP/log.json" state nosuch
	[ "$status" -eq 1 ]
	[ -s "$TMP/log.json" ]
	# Every line is a JSON object with the three keys.
	while IFS= read -r line; do
		jq -e 'type == "object" and (.level | type) == "string" and (.msg | type) == "string"
			and (.time | type) == "string"' <<<"$line" >/dev/null
	done <"$TMP/log.json"
	last=$(tail -n 1 "$TMP/log.json")
	assert_eq "$(jq -r .level <<<"$last")" "error"
	assert_eq "$(jq -r .msg <<<"$last")" "container does not exist"
	t=$(jq -r .time <<<"$last")
	[[ "$t" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$ ]]
	# ... and a real instant, within a minute of now.
	now=$(date +%s)
	ts=$(date -d "$t" +%s)
	[ $((now - ts)) -ge 0 ] && [ $((now - ts)) -lt 60 ]
	# runc also prints the bare error on stderr when it logs to a file.
	assert_eq "$stderr" "container does not exist"
	# The file is appended to, not truncated.
	"$CRBOX" --root "$ROOT" --log-format json --log "$TMP/log.json" state nosuch 2>/dev/null || true
	[ "$(grep -c 'container does not exist' "$TMP/log.json")" -eq 2 ]
}

@test "--log-format json without --log writes the JSON line to stderr" {
	run --separate-stderr "$CRBOX" --root "$ROOT" --log-format json state nosuch
	[ "$status" -eq 1 ]
	assert_eq "$(jq -r .msg <<<"$stderr")" "container does not exist"
	assert_eq "$(jq -r .level <<<"$stderr")" "error"
}

@test "--log FILE in text format writes logrus text lines" {
	run --separate-stderr "$CRBOX" --root "$ROOT" --log "$TMP/log.txt" state nosuch
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$(cat "$TMP/log.txt")")" "container does not exist"
	assert_eq "$stderr" "container does not exist"
}

@test "--log-format bad: invalid log-format, status 1" {
	run --separate-stderr "$CRBOX" --root "$ROOT" --log-format bad state x
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	assert_eq "$(logmsg "$stderr")" "invalid log-format: bad"
	# Checked before the applet's own flags, as runc's Before hook runs first.
	run --separate-stderr "$CRBOX" --root "$ROOT" --log-format bad restore --foo
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "invalid log-format: bad"
	# ... and before the applet lookup.
	run --separate-stderr "$CRBOX" --log-format bad nosuch
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "invalid log-format: bad"
}

@test "global flags on the applet's command line" {
	run --separate-stderr "$CRBOX" state --root "$ROOT" nosuch
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "container does not exist"
	run --separate-stderr "$CRBOX" state nosuch --log-format=json --root="$ROOT"
	[ "$status" -eq 1 ]
	assert_eq "$(jq -r .msg <<<"$stderr")" "container does not exist"
	run --separate-stderr "$CRBOX" state --root="$ROOT" --log-format=bad nosuch
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "invalid log-format: bad"
}
