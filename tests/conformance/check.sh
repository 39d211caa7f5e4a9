#!/usr/bin/env bash
# check.sh RUNTIME: the conformance layer. Runs every runtime-tools validation program against
# RUNTIME (tests/conformance/run.sh) and prints one TAP result per program: ok when every point
# RUNTIME fails, and a non-zero exit, also fails for Debian's crun 1.8.1 on this machine
# (tests/conformance/crun-baseline.txt, recorded by tests/conformance/report.sh; the causes
# are in docs/conformance.md); not ok, listing the extra failures, otherwise. The raw results
# go to $CONFORMANCE_OUT (default /tmp/crbox-conformance.txt).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${CONFORMANCE_OUT:-/tmp/crbox-conformance.txt}
"$here/run.sh" "$1" >"$out"
progs=$(cut -f1 "$out" | awk '!seen[$0]++')
n=$(printf '%s\n' "$progs" | grep -c .)
echo "1..$n"
i=0
for p in $progs; do
	i=$((i + 1))
	pts=$(awk -F'\t' -v p="$p" '$1 == p && $2 != "exit"' "$out" | wc -l)
	# Failures of this program that the baseline does not have (multiset difference).
	extra=$(grep -P "^\Q$p\E\t(not ok\t|exit\t[1-9])" "$out" | sort |
		comm -23 - <(grep -P "^\Q$p\E\t" "$here/crun-baseline.txt" | sort))
	if [ -z "$extra" ]; then
		echo "ok $i - conformance $p ($pts points)"
	else
		echo "not ok $i - conformance $p ($pts points)"
		printf '%s\n' "$extra" | sed 's/^/#   /'
	fi
done
