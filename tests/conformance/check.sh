#!/usr/bin/env bash
# check.sh RUNTIME: the conformance layer. Runs every runtime-tools validation program against
# RUNTIME (tests/conformance/run.sh) and prints one TAP result per program. A program passes
# when RUNTIME fails no more of its points than Debian's crun 1.8.1 fails on this machine
# (tests/conformance/crun-baseline.txt, recorded by the same run.sh), not counting the points
# listed in tests/conformance/accepted.txt (where crbox does what runc 1.1.5 does on purpose).
# A program that exits non-zero counts as one failed point. The failures are listed under a
# failing result. The raw results go to $CONFORMANCE_OUT (default /tmp/crbox-conformance.txt);
# the last line is "# conformance: N points, N failed (crun: N failed)".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${CONFORMANCE_OUT:-/tmp/crbox-conformance.txt}
"$here/run.sh" "$1" >"$out"
fails() { grep -P "^\Q$1\E\t(not ok\t|exit\t[1-9])" "$2"; }
progs=$(cut -f1 "$out" | awk '!seen[$0]++')
n=$(printf '%s\n' "$progs" | grep -c .)
echo "1..$n"
i=0 total=0 tf=0 tc=0
for p in $progs; do
	i=$((i + 1))
	pts=$(awk -F'\t' -v p="$p" '$1 == p && $2 != "exit"' "$out" | wc -l)
	mine=$(fails "$p" "$out" | grep -vxFf <(grep -v '^#' "$here/accepted.txt") | grep -c .)
	all=$(fails "$p" "$out" | grep -c .)
	theirs=$(fails "$p" "$here/crun-baseline.txt" | grep -c .)
	total=$((total + pts)) tf=$((tf + all)) tc=$((tc + theirs))
	if [ "$mine" -le "$theirs" ]; then
		echo "ok $i - conformance $p ($pts points, $all failed, crun $theirs)"
	else
		echo "not ok $i - conformance $p ($pts points, $all failed, crun $theirs)"
	fi
	[ "$all" -gt 0 ] && fails "$p" "$out" | sed 's/^/#   /'
done
echo "# conformance: $total points, $tf failed (crun: $tc failed)"
