#!/usr/bin/env bats
# dispatch: how the one binary finds its applet (first argument, or the name of an applet
# symlink made by --install), the top-level help and version, and unknown applets (runc's
# "No help topic" and exit status 3).

load helpers

setup() { cli_setup; }
teardown() { cli_teardown; }

@test "--version prints version, commit, spec and arch lines" {
	run --separate-stderr "$CRBOX" --version
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[0]}" =~ ^crbox\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	[[ "${lines[1]}" =~ ^commit:\ [^\ ]+$ ]]
	[[ "${lines[2]}" =~ ^spec:\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	# The architecture the binary was built for (CRBOX_ARCH: the one under test, default the
	# host's, as `make` names it).
	local want=${CRBOX_ARCH:-$(uname -m | sed 's/^armv[67].*/armhf/; s/^i[3-6]86$/i386/')}
	assert_eq "${lines[3]}" "arch: $want"
	[ -z "$stderr" ]
	run --separate-stderr "$CRBOX" -v
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "crbox version "* ]]
}

@test "--version after global flags with values still prints the version" {
	run --separate-stderr "$CRBOX" --root "$ROOT" --log-format json --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "crbox version "* ]]
}

@test "--help lists every applet of applets.h with its summary" {
	run --separate-stderr "$CRBOX" --help
	[ "$status" -eq 0 ]
	for s in NAME: USAGE: VERSION: COMMANDS: "GLOBAL OPTIONS:"; do
		grep -qx "$s" <<<"$output" || { echo "no $s section" >&2; return 1; }
	done
	n=0
	while IFS=$'\t' read -r name summary; do
		n=$((n + 1))
		grep -qE "^   $name +$(printf '%s' "$summary" | sed 's/[][\.*^$()+?{}|/]/\\&/g')\$" \
			<<<"$output" || { echo "missing: $name - $summary" >&2; return 1; }
	done < <(applet_list)
	[ "$n" -ge 10 ]
	# The global flags are listed in one aligned column.
	for f in --debug "--log value" "--log-format value" "--root value" "--criu value" \
		"--help, -h" "--version, -v"; do
		grep -qE "^   $f +[a-z]" <<<"$output" || { echo "missing global flag: $f" >&2; return 1; }
	done
	col=$(sed -n '/^GLOBAL OPTIONS:$/,$p' <<<"$output" | tail -n +2 |
		awk '{ match($0, /^   -[^ ].*[^ ]  +/); print RLENGTH }' | sort -u)
	[ "$(wc -l <<<"$col")" -eq 1 ]
}

@test "-h, no arguments and 'help' show the same top-level help" {
	run "$CRBOX" --help
	want=$output
	run "$CRBOX" -h
	[ "$status" -eq 0 ]
	assert_eq "$output" "$want"
	run "$CRBOX"
	[ "$status" -eq 0 ]
	assert_eq "$output" "$want"
	run "$CRBOX" help
	[ "$status" -eq 0 ]
	assert_eq "$output" "$want"
}

@test "the first argument names the applet" {
	run --separate-stderr "$CRBOX" restore --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NAME:" ]
	[[ "${lines[1]}" == "   crbox restore - "* ]]
	run --separate-stderr "$CRBOX" --root "$ROOT" state nosuch
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "container does not exist"
}

@test "'help APPLET' prints that applet's help" {
	run "$CRBOX" restore --help
	want=$output
	run "$CRBOX" help restore
	[ "$status" -eq 0 ]
	assert_eq "$output" "$want"
}

@test "unknown applet: No help topic, exit status 3" {
	run --separate-stderr "$CRBOX" nosuch
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	# runc's message ends in a newline (urfave prints it with Fprintln), quoted as \n.
	assert_eq "$(logmsg "$stderr")" "No help topic for 'nosuch'\\n"
	run --separate-stderr "$CRBOX" help nosuch
	[ "$status" -eq 3 ]
	assert_has "$stderr" "No help topic for 'nosuch'"
	run --separate-stderr "$CRBOX" --root "$ROOT" --debug nosuch
	[ "$status" -eq 3 ]
}

@test "--install makes relative symlinks for every applet" {
	mkdir "$TMP/bin"
	run --separate-stderr "$CRBOX" --install "$TMP/bin"
	[ "$status" -eq 0 ]
	# CRBOX_BIN: the binary behind a wrapper such as tests/tools/qemu-crbox.
	real=$(readlink -f "${CRBOX_BIN:-$CRBOX}")
	n=0
	while IFS=$'\t' read -r name summary; do
		n=$((n + 1))
		[ -L "$TMP/bin/$name" ]
		target=$(readlink "$TMP/bin/$name")
		[[ "$target" != /* ]] || { echo "absolute link: $name -> $target" >&2; return 1; }
		assert_eq "$(readlink -f "$TMP/bin/$name")" "$real"
	done < <(applet_list)
	assert_eq "$(find "$TMP/bin" -mindepth 1 | wc -l)" "$n"
	# The links stay valid when the tree moves (they are relative): only if the binary
	# moves with them, so check the relative target resolves from the link's directory.
	(cd "$TMP/bin" && [ -x "$(readlink restore)" ])
}

@test "an applet symlink dispatches by its name" {
	mkdir "$TMP/bin"
	"$CRBOX" --install "$TMP/bin"
	if [ -n "${CRBOX_BIN:-}" ]; then
		# Behind a wrapper (qemu-user without binfmt cannot run the links' target directly),
		# the links point at the wrapper, which passes the link's name on as argv[0].
		for l in "$TMP"/bin/*; do ln -sfn "$CRBOX" "$l"; done
	fi
	run --separate-stderr "$TMP/bin/restore" --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NAME:" ]
	[[ "${lines[1]}" == *" restore - restore a container from a previous checkpoint" ]]
	via_mux=$("$CRBOX" restore --help)
	assert_eq "$output" "$via_mux"
	run --separate-stderr "$TMP/bin/checkpoint" --help
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *" checkpoint - checkpoint a running container" ]]
	# Global flags are taken on the applet's own command line.
	run --separate-stderr "$TMP/bin/state" --root "$ROOT" nosuch
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "container does not exist"
	run --separate-stderr "$TMP/bin/state" nosuch --root "$ROOT"
	[ "$status" -eq 1 ]
	assert_eq "$(logmsg "$stderr")" "container does not exist"
	# A symlink under another name that is no applet acts as the multiplexer.
	ln -s "$(readlink -f "$CRBOX")" "$TMP/bin/other"
	run --separate-stderr "$TMP/bin/other" --help
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "   other - checkpoint and restore OCI containers with CRIU" ]
}

@test "--install again over its own links succeeds" {
	mkdir "$TMP/bin"
	run "$CRBOX" --install "$TMP/bin"
	[ "$status" -eq 0 ]
	before=$(cd "$TMP/bin" && for f in *; do echo "$f $(readlink "$f")"; done)
	run "$CRBOX" --install="$TMP/bin"
	[ "$status" -eq 0 ]
	after=$(cd "$TMP/bin" && for f in *; do echo "$f $(readlink "$f")"; done)
	assert_eq "$after" "$before"
}

@test "--install refuses to overwrite a regular file" {
	mkdir "$TMP/bin"
	echo keep >"$TMP/bin/state"
	run --separate-stderr "$CRBOX" --install "$TMP/bin"
	[ "$status" -eq 1 ]
	assert_has "$stderr" "$TMP/bin/state"
	[ ! -L "$TMP/bin/state" ]
	assert_eq "$(cat "$TMP/bin/state")" "keep"
	# The other applets are still installed.
	[ -L "$TMP/bin/restore" ]
}

@test "--install refuses to replace a symlink to something else" {
	mkdir "$TMP/bin"
	ln -s /bin/true "$TMP/bin/kill"
	ln -s nowhere "$TMP/bin/delete"
	run --separate-stderr "$CRBOX" --install "$TMP/bin"
	[ "$status" -eq 1 ]
	assert_has "$stderr" "$TMP/bin/kill"
	assert_has "$stderr" "$TMP/bin/delete"
	assert_eq "$(readlink "$TMP/bin/kill")" "/bin/true"
	assert_eq "$(readlink "$TMP/bin/delete")" "nowhere"
}

@test "--install into a missing directory fails" {
	run --separate-stderr "$CRBOX" --install "$TMP/none"
	[ "$status" -eq 1 ]
	assert_has "$stderr" "$TMP/none"
	run --separate-stderr "$CRBOX" --install
	[ "$status" -eq 1 ]
	assert_has "$stderr" "flag needs an argument: -install"
}
