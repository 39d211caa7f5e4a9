#!/usr/bin/env bash
# run.sh RUNTIME [PROGRAM...]: runs the OCI runtime-tools validation programs (built by
# scripts/build-conformance.sh) against RUNTIME and writes one line per TAP point to stdout:
#   PROGRAM<TAB>ok|not ok|skip<TAB>DESCRIPTION
# and a last line per program "PROGRAM<TAB>exit<TAB>STATUS". Each program gets
# CONFORMANCE_TIMEOUT seconds (default 60). Runs in the programs' directory, where they expect
# runtimetest and the rootfs tarball.
set -uo pipefail
rt=$1
shift
bin=${CRBOX_CACHE:-/var/cache/crbox}/rtt/bin
cd "$bin" || exit 1
progs=("$@")
[ ${#progs[@]} -gt 0 ] || mapfile -t progs < <(ls ./*.t | sed 's|^\./||; s|\.t$||')
for p in "${progs[@]}"; do
	out=$(RUNTIME=$rt timeout -k 5 "${CONFORMANCE_TIMEOUT:-60}" "./$p.t" 2>/dev/null)
	st=$?
	printf '%s\n' "$out" | awk -v p="$p" '
		/^ok [0-9]+ # SKIP/ { sub(/^ok [0-9]+ # SKIP ?/, ""); printf "%s\tskip\t%s\n", p, $0; next }
		/^ok [0-9]+/ { sub(/^ok [0-9]+( - )?/, ""); printf "%s\tok\t%s\n", p, $0; next }
		/^not ok [0-9]+/ { sub(/^not ok [0-9]+( - )?/, ""); printf "%s\tnot ok\t%s\n", p, $0; next }'
	printf '%s\texit\t%s\n' "$p" "$st"
done
