#!/usr/bin/env bash
# Runs each unit-test binary given and prints its TAP lines prefixed with the binary name.
# UNIT_RUNNER, when set, is a command line that runs each binary (qemu-<arch>-static for a
# cross build). Exit status: 1 if any binary failed or crashed.
rc=0
read -ra runner <<<"${UNIT_RUNNER:-}"
for t in "$@"; do
	out=$("${runner[@]}" "$t" 2>&1); st=$?
	printf '%s\n' "$out" | sed "s|^|${t#build/}: |"
	if [ $st -ne 0 ]; then
		echo "${t#build/}: not ok - exited with status $st"
		rc=1
	fi
done
exit $rc
