#!/usr/bin/env bash
# Runs each unit-test binary given and prints its TAP lines prefixed with the binary name.
# UNIT_RUNNER, when set, is a command line that runs each binary (qemu-<arch>-static for a
# cross build); UNIT_TIMEOUT (default 300) bounds each binary. Exit status: 1 if any binary
# failed, crashed or timed out.
rc=0
read -ra runner <<<"${UNIT_RUNNER:-}"
for t in "$@"; do
	out=$(timeout "${UNIT_TIMEOUT:-300}" "${runner[@]}" "$t" 2>&1); st=$?
	printf '%s\n' "$out" | sed "s|^|${t#build/}: |"
	if [ $st -eq 124 ]; then
		echo "${t#build/}: not ok - timed out after ${UNIT_TIMEOUT:-300}s"
		rc=1
	elif [ $st -ne 0 ]; then
		echo "${t#build/}: not ok - exited with status $st"
		rc=1
	fi
done
exit $rc
