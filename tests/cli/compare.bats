#!/usr/bin/env bats
# compare: the same command lines through runc (the reference, when installed) and crbox,
# for the usage-error and missing-container paths that need neither root nor CRIU. Both get
# a private empty --root. Compared: exit status, the first stdout line ("Incorrect Usage..."),
# and the logged error message with the program name normalised (runc -> crbox, and the
# path each was run as -> PROG).

load helpers

setup() {
	cli_setup
	RUNC=${RUNC:-$(command -v runc || true)}
	[ -n "$RUNC" ] || skip "runc is not installed"
}
teardown() { cli_teardown; }

# Runs argv through both programs; fails with a side-by-side report on any difference.
same() {
	local rs ro re cs co ce rm cm
	mkdir -p "$TMP/r-root" "$TMP/c-root"
	ro=$(cd "$TMP" && "$RUNC" --root "$TMP/r-root" "$@" 2>"$TMP/r.err") && rs=0 || rs=$?
	co=$(cd "$TMP" && "$CRBOX" --root "$TMP/c-root" "$@" 2>"$TMP/c.err") && cs=0 || cs=$?
	re=$(cat "$TMP/r.err")
	ce=$(cat "$TMP/c.err")
	# Program names: runc says os.Args[0] in some messages, the path we ran.
	rm=$(logmsg "$re" | sed "s|$RUNC|PROG|g; s/\brunc\b/crbox/g")
	cm=$(logmsg "$ce" | sed "s|$CRBOX|PROG|g")
	if [ "$rs" != "$cs" ] || [ "$(head -n 1 <<<"$ro" | sed 's/\brunc\b/crbox/g')" != "$(head -n 1 <<<"$co")" ] ||
		[ "$rm" != "$cm" ]; then
		echo "argv: $*" >&2
		echo "runc : status $rs, stdout[0] $(head -n 1 <<<"$ro"), msg $rm" >&2
		echo "crbox: status $cs, stdout[0] $(head -n 1 <<<"$co"), msg $cm" >&2
		return 1
	fi
}

@test "compare: top level" {
	same --foo
	same --root
	same --debug=maybe state x
	same --log-format bad state x
	same --log-format bad nosuch
	same nosuch
	same help nosuch
	same -- state nosuch
	same -h --help
}

@test "compare: restore usage errors" {
	same restore
	same restore a b
	same restore --foo
	same restore --foo=1 x
	same restore --lsm-mount-context
	same restore -lsm-mount-context
	same restore x --foo
	same restore -d x --bundle /tmp
	same restore --detach=maybe x
	same restore -d=yes x
	same restore -b /1 --bundle /2 x
	same restore -h --help
	same restore ---foo x
	same restore -=x y
	same restore --help=maybe
	same restore --empty-ns
	same restore x -- --bundle
}

@test "compare: checkpoint usage errors and a missing container" {
	same checkpoint
	same checkpoint --foo
	same checkpoint -leave-running=maybe
	same checkpoint --status-fd abc x
	same checkpoint --status-fd= x
	same checkpoint --status-fd=08 x
	same checkpoint --status-fd 99999999999999999999 x
	same checkpoint --leave-running x y
	same checkpoint nosuch
	same checkpoint --leave-running --leave-running nosuch
	same checkpoint nosuch --leave-running --image-path "$TMP/img"
	same checkpoint --status-fd 0x3 nosuch
	same checkpoint --pre-dump=true nosuch
	same checkpoint --page-server
}

@test "compare: state" {
	same state
	same state a b
	same state --foo
	same state nosuch
	same state -- nosuch
}

@test "compare: kill" {
	same kill
	same kill a b c
	same kill --foo x
	same kill --all=maybe x
	same kill -a --all x
	same kill nosuch
	same kill nosuch KILL
	same kill -a nosuch 9
}

@test "compare: delete" {
	same delete
	same delete --force
	same delete -f=maybe x
	same delete -f --force x
	same delete nosuch
	same delete --force nosuch
	same delete a b
}

@test "compare: pause, resume, ps, list" {
	same pause
	same pause nosuch
	same resume
	same resume nosuch
	same ps
	same ps nosuch
	same ps --format=bad nosuch
	same list --foo
	same list a
}

@test "compare: every runc option of an applet is accepted by crbox (same --help label)" {
	# crbox may add options (runc main's, e.g. --tcp-skip-in-flight); it may not drop one.
	for a in checkpoint restore state kill delete pause resume ps list; do
		r=$(option_labels "$("$RUNC" "$a" --help)")
		c=$(option_labels "$("$CRBOX" "$a" --help)")
		missing=$(comm -23 <(echo "$r") <(echo "$c"))
		if [ -n "$missing" ]; then
			echo "options of runc $a missing or shown differently in crbox $a:" >&2
			echo "$missing" >&2
			return 1
		fi
	done
}
