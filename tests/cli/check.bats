#!/usr/bin/env bats
# check: `crbox check` without root or CRIU. The criu rows are driven by build/tools/fake-criu
# (a hand-encoded `criu swrk 3` stand-in, built by `make tools`): found/not found/not
# executable, VERSION floor and gitid rounding, FEATURE_CHECK answers, a criu that dies or
# answers garbage; plus --format json, option errors and the exit status rule.

load helpers

FAKE=$REPO/build/tools/fake-criu

setup() {
	cli_setup || return
	if [ ! -x "$FAKE" ]; then
		echo "no $FAKE (run make tools)" >&2
		return 1
	fi
}
teardown() { cli_teardown; }

# The line of row NAME in $output.
row() {
	grep -E "^(OK  |WARN|FAIL) $1: " <<<"$output"
}

@test "check --help exits 0 and documents --format and the image dry run" {
	run --separate-stderr "$CRBOX" check --help
	[ "$status" -eq 0 ]
	assert_has "$output" "crbox check - report whether checkpoint/restore can work on this host"
	assert_eq "$(option_labels "$output")" "$(printf '%s\n' "--bundle DIR, -b DIR" \
		"--format value, -f value" "--image-path DIR" "--import FILE" | sort)"
}

@test "check: criu not in PATH is a FAIL with exit status 1" {
	run --separate-stderr env PATH="$TMP" "$CRBOX" check
	[ "$status" -eq 1 ]
	assert_eq "$(row criu)" \
		"FAIL criu: criu not found: criu (not in PATH) (install CRIU 3.15 or later, or pass --criu PATH)"
	# Without a criu no version or feature rows are invented.
	[ -z "$(row 'criu version')" ]
	[ -z "$(row 'feature mem_track')" ]
}

@test "check: --criu names a missing file or a non-executable one" {
	run --separate-stderr "$CRBOX" --criu "$TMP/nope" check
	[ "$status" -eq 1 ]
	assert_has "$(row criu)" "FAIL criu: criu not found: $TMP/nope"
	: >"$TMP/criu"
	chmod 0644 "$TMP/criu"
	run --separate-stderr "$CRBOX" check --criu "$TMP/criu"
	[ "$status" -eq 1 ]
	assert_has "$(row criu)" "FAIL criu: criu not executable: $TMP/criu"
	# Found through PATH but not executable: named distinctly too.
	run --separate-stderr env PATH="$TMP" "$CRBOX" check
	[ "$status" -eq 1 ]
	assert_has "$(row criu)" "FAIL criu: criu not executable: $TMP/criu"
}

@test "check: VERSION and FEATURE_CHECK answers of a 4.1.1 criu" {
	run --separate-stderr env FAKE_CRIU_VERSION=4.1.1 "$CRBOX" --criu "$FAKE" check
	assert_eq "$(row criu)" "OK   criu: $FAKE"
	assert_eq "$(row 'criu version')" "OK   criu version: 4.1.1 (40101, minimum 3.15.0)"
	assert_eq "$(row 'feature mem_track')" "OK   feature mem_track: supported"
	assert_eq "$(row 'feature lazy_pages')" "OK   feature lazy_pages: supported"
	assert_eq "$(row 'feature pidfd_store')" "OK   feature pidfd_store: supported"
	[ -z "$(row 'criu lsm options')" ]
}

@test "check: criu is found through PATH by name" {
	mkdir "$TMP/bin"
	ln -s "$FAKE" "$TMP/bin/criu"
	run --separate-stderr env PATH="/nonexistent:$TMP/bin" "$CRBOX" check
	assert_eq "$(row criu)" "OK   criu: $TMP/bin/criu"
	assert_has "$(row 'criu version')" "OK   criu version: 4.1.1 (40101"
}

@test "check: criu older than 3.15 fails with both versions named" {
	run --separate-stderr env FAKE_CRIU_VERSION=3.14.2 "$CRBOX" --criu "$FAKE" check
	[ "$status" -eq 1 ]
	assert_eq "$(row 'criu version')" "FAIL criu version: criu too old: found 3.14.2 (31402), need at least 3.15.0 (31500) (upgrade CRIU to 3.15 or later)"
	[ -z "$(row 'feature mem_track')" ]
}

@test "check: a git build rounds up to the next minor (3.14.2+git counts as 3.15)" {
	run --separate-stderr env FAKE_CRIU_VERSION=3.14.2-v3.14-5-gabc "$CRBOX" --criu "$FAKE" check
	assert_eq "$(row 'criu version')" "OK   criu version: 3.14.2 git v3.14-5-gabc (31500, minimum 3.15.0)"
	assert_has "$(row 'criu lsm options')" "WARN criu lsm options: --lsm-profile and --lsm-mount-context need CRIU 3.16"
}

@test "check: unsupported features are WARN rows with a hint" {
	run --separate-stderr env FAKE_CRIU_FEATURES=lazy_pages "$CRBOX" --criu "$FAKE" check
	assert_eq "$(row 'feature mem_track')" \
		"WARN feature mem_track: not supported (--pre-dump and --parent-path tracking unavailable (no soft-dirty))"
	assert_eq "$(row 'feature lazy_pages')" "OK   feature lazy_pages: supported"
	assert_has "$(row 'feature pidfd_store')" "WARN feature pidfd_store: not supported ("
}

@test "check: a criu that dies or answers garbage is a FAIL naming what happened" {
	run --separate-stderr env FAKE_CRIU_MODE=die "$CRBOX" --criu "$FAKE" check
	[ "$status" -eq 1 ]
	assert_has "$(row 'criu version')" \
		"FAIL criu version: criu protocol error: unexpected EOF (criu died: killed by signal 9)"
	run --separate-stderr env FAKE_CRIU_MODE=garbage "$CRBOX" --criu "$FAKE" check
	[ "$status" -eq 1 ]
	assert_has "$(row 'criu version')" \
		"FAIL criu version: criu protocol error: cannot decode the response (3 bytes)"
	run --separate-stderr env FAKE_CRIU_MODE=noversion "$CRBOX" --criu "$FAKE" check
	[ "$status" -eq 1 ]
	assert_has "$(row 'criu version')" "FAIL criu version: criu too old: "
}

@test "check: the exit status is 1 exactly when a FAIL row is printed" {
	run --separate-stderr "$CRBOX" --criu "$FAKE" check
	if grep -q '^FAIL ' <<<"$output"; then
		[ "$status" -eq 1 ]
	else
		[ "$status" -eq 0 ]
	fi
	# Every line is a row.
	[ -z "$(grep -vE '^(OK  |WARN|FAIL) [^:]+: ' <<<"$output")" ]
}

@test "check --format json: an array of {name, status, detail, hint} matching the text rows" {
	run --separate-stderr "$CRBOX" --criu "$FAKE" check --format json
	json=$output
	jq -e 'type == "array" and length > 5 and
	       all(.[]; (keys == ["detail", "hint", "name", "status"]) and
	                (.status | IN("OK", "WARN", "FAIL")) and (.name | type == "string") and
	                (.hint == null or (.hint | type == "string")))' <<<"$json"
	jq -e '.[] | select(.name == "criu version") | .status == "OK" and
	       (.detail | startswith("4.1.1 (40101"))' <<<"$json"
	run --separate-stderr "$CRBOX" --criu "$FAKE" check
	text=$(sed -E 's/^(OK|WARN|FAIL) +([^:]+):.*/\1 \2/' <<<"$output")
	assert_eq "$(jq -r '.[] | "\(.status) \(.name)"' <<<"$json")" "$text"
	# -f is the short name.
	run --separate-stderr "$CRBOX" --criu "$FAKE" check -f json
	jq -e 'type == "array"' <<<"$output"
}

@test "check --format with another value is an error" {
	run --separate-stderr "$CRBOX" check --format xml
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	assert_eq "$(logmsg "$stderr")" "invalid format option: xml (use text or json)"
	run --separate-stderr "$CRBOX" check extra
	[ "$status" -eq 1 ]
}

@test "check: the architecture row says whether CRIU has a port for this machine" {
	run --separate-stderr "$CRBOX" --criu "$FAKE" check
	local built=${CRBOX_ARCH:-$(uname -m | sed 's/^armv[67].*/armhf/; s/^i[3-6]86$/i386/')}
	local r
	r=$(row architecture)
	[[ "$r" =~ ^(OK\ \ |FAIL)\ architecture:\ ([a-z0-9_]+):\ CRIU\ has\ (a|no)\ port ]]
	[[ "$r" == *"(crbox built for $built)"* ]]
	# The machine as crbox sees it (qemu-user reports the emulated one): no CRIU on i386.
	if [ "${BASH_REMATCH[2]}" = i386 ]; then
		[[ "$r" == "FAIL "* ]] && [ "$status" -eq 1 ]
	else
		[[ "$r" == "OK   "* ]]
	fi
}

@test "check: reports the host's LSMs (for apparmorProfile / selinuxLabel)" {
	run --separate-stderr env PATH="$TMP" "$CRBOX" check
	row lsm
	[[ "$(row lsm)" =~ ^OK\ \ \ lsm:\ AppArmor\ (enabled|no),\ SELinux\ (enabled|no) ]]
}
