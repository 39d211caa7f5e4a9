#!/usr/bin/env bats
# check: `crbox check` against the real CRIU (root): the VERSION it reports over RPC is what
# `criu --version` prints, the FEATURE_CHECK answers agree with `criu check --feature`, the
# cgroup layout is the one in /proc/self/mountinfo, and on a host where CRIU works the
# report has no FAIL and exits 0.

load helpers

# The line of row NAME in $output.
row() {
	grep -E "^(OK  |WARN|FAIL) $1: " <<<"$output"
}

@test "check: criu found in PATH and its VERSION over RPC matches criu --version" {
	run "$CRBOX" check
	echo "$output"
	[ "$(row criu)" = "OK   criu: $(command -v criu)" ]
	ver=$(criu --version | sed -n 's/^Version: //p')
	[[ $ver =~ ^([0-9]+)\.([0-9]+)(\.([0-9]+))?$ ]]
	maj=${BASH_REMATCH[1]} min=${BASH_REMATCH[2]} sub=${BASH_REMATCH[4]:-0}
	# A release build (no GitID line): the number is not rounded up.
	[ -z "$(criu --version | grep '^GitID')" ]
	num=$((maj * 10000 + min * 100 + sub))
	[ "$(row 'criu version')" = "OK   criu version: $maj.$min.$sub ($num, minimum 3.15.0)" ]
}

@test "check: FEATURE_CHECK over RPC agrees with criu check --feature" {
	run "$CRBOX" check --format json
	json=$output
	for pair in mem_track:mem_dirty_track lazy_pages:uffd-noncoop pidfd_store:pidfd_store; do
		rpc=${pair%%:*} cli=${pair#*:}
		if criu check --feature "$cli" >/dev/null 2>&1; then want=OK; else want=WARN; fi
		got=$(jq -r --arg n "feature $rpc" '.[] | select(.name == $n) | .status' <<<"$json")
		echo "$rpc: rpc $got, criu check $want"
		[ "$got" = "$want" ]
	done
}

@test "check: the cgroup layout is the one mounted" {
	run "$CRBOX" check
	v1=$(awk '{for (i = 7; $i != "-"; i++); if ($(i+1) == "cgroup") print}' /proc/self/mountinfo |
		grep -cE '[ ,](cpu|memory|pids|devices|freezer|blkio|cpuset)(,|$)' || true)
	v2=$(awk '{for (i = 7; $i != "-"; i++); if ($(i+1) == "cgroup2") print $5}' /proc/self/mountinfo | head -1)
	if [ "$v1" -gt 0 ] && [ -n "$v2" ]; then
		[[ "$(row cgroups)" == "OK   cgroups: hybrid: v1 controllers "*"; cgroup2 at $v2" ]]
	elif [ "$v1" -gt 0 ]; then
		[[ "$(row cgroups)" == "OK   cgroups: v1: controllers "* ]]
	else
		[ "$(row cgroups)" = "OK   cgroups: v2: unified at $v2" ]
	fi
}

@test "check: no FAIL on a host where CRIU works, exit 0; rows are kernel-true" {
	run "$CRBOX" check
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(grep '^FAIL' <<<"$output")" ]
	[ "$(row ns_last_pid)" = "OK   ns_last_pid: /proc/sys/kernel/ns_last_pid present" ]
	[ "$(row privileges)" = "OK   privileges: root, uid 0, CAP_SYS_ADMIN and CAP_CHECKPOINT_RESTORE effective" ]
	if [ -r /proc/config.gz ] && command -v zcat >/dev/null; then
		for o in CONFIG_CHECKPOINT_RESTORE CONFIG_MEM_SOFT_DIRTY CONFIG_USERFAULTFD; do
			v=$(zcat /proc/config.gz | sed -n "s/^$o=//p")
			case $v in
			y) [ "$(row $o)" = "OK   $o: y" ] ;;
			m) [ "$(row $o)" = "OK   $o: m (module)" ] ;;
			*) [[ "$(row $o)" == "WARN $o: not set"* || "$(row $o)" == "FAIL $o: not set"* ]] ;;
			esac
		done
	fi
	[[ "$(row 'network lock')" == "OK   network lock: $(command -v iptables-restore) "* ]]
}

@test "check: --criu pointing at a missing binary fails before any RPC" {
	run "$CRBOX" --criu "$ROOT/no-criu" check
	[ "$status" -eq 1 ]
	[[ "$(row criu)" == "FAIL criu: criu not found: $ROOT/no-criu "* ]]
	[ -z "$(row 'criu version')" ]
}
