#!/usr/bin/env bash
# test.sh: the one test command (README, CI). As root on Debian 12: installs what the tests
# need (scripts/setup.sh, idempotent), then runs tests/run-all.sh, whose first layer builds
# (make, make tools, make size; a failed build counts as a failed test) before the unit, CLI,
# integration and fuzz layers. The last line of output is "N passed, N failed, N skipped";
# the exit status is non-zero if anything failed. Knobs: see tests/README.md.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

if ! bash scripts/setup.sh; then
	echo "not ok - scripts/setup.sh failed"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
exec bash tests/run-all.sh
