# helpers.bash: shared setup of the CLI contract tests (tests/cli/*.bats). They run the built
# binary (build/crbox, or $CRBOX) without root and without CRIU, each test in its own
# temporary directory with a private --root, so nothing on the host is touched.
bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
CRBOX=${CRBOX:-$REPO/build/crbox}

cli_setup() {
	if [ ! -x "$CRBOX" ]; then
		echo "no crbox binary at $CRBOX (run make first)" >&2
		return 1
	fi
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/crbox-cli.XXXXXX")
	ROOT=$TMP/root
}

cli_teardown() {
	[ -n "$TMP" ] && rm -rf "$TMP"
}

# The applets of applets/applets.h, as "name<TAB>summary" lines.
applet_list() {
	sed -n 's/^APPLET(\([a-z]*\), *"\(.*\)")$/\1\t\2/p' "$REPO/applets/applets.h"
}

# The msg="..." values of logrus text lines (level=error) in $1, unquoted.
logmsg() {
	sed -n 's/^time="[^"]*" level=error msg="\(.*\)"$/\1/p' <<<"$1" | sed 's/\\"/"/g'
}

# The left column of an OPTIONS section ("--bundle value, -b value"), one per line, sorted.
option_labels() {
	sed -n '/^OPTIONS:$/,$p' <<<"$1" | grep '^   -' | sed 's/^   //; s/  .*//' | sort
}

# Fails with both strings shown when they differ.
assert_eq() {
	if [ "$1" != "$2" ]; then
		printf 'got:      %q\nexpected: %q\n' "$1" "$2" >&2
		return 1
	fi
}

# Fails unless $1 contains $2.
assert_has() {
	if [[ "$1" != *"$2"* ]]; then
		printf 'output:   %q\nlacks:    %q\n' "$1" "$2" >&2
		return 1
	fi
}
