#!/usr/bin/env bats
# Seccomp: crbox's compiler (core/seccomp) against runc's libseccomp on the real kernel.
# Each profile is loaded once by runc (linux.seccomp) and once by crbox (seccomp-tool run,
# inside an otherwise identical runc container without linux.seccomp, until `crbox run`
# exists); the same static probe then makes a grid of system calls (seccomp-tool cases) and
# prints what each gave (errno, trap, signal, ok). The outputs must be equal. Second check:
# both loaded filters read back with PTRACE_SECCOMP_GET_FILTER and run through a BPF
# interpreter over a grid of inputs (seccomp-tool cmp).
load helpers

TOOL=$REPO/build/tools/seccomp-tool
DATA=$REPO/tests/data/seccomp
CAPS='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]'

setup() {
	requires root
	[ -x "$TOOL" ] || skip "needs build/tools/seccomp-tool (make tools)"
	command -v musl-gcc >/dev/null || skip "needs musl-gcc"
	[ "$(uname -m)" = x86_64 ] || skip "the probe is x86_64 code"
	fixture_setup
	PROBE=${BATS_RUN_TMPDIR:-$ROOT}/seccomp-probe
	[ -x "$PROBE" ] || musl-gcc -static -O2 -o "$PROBE" "$REPO/tests/tools/seccomp-probe.c"
}

teardown() {
	fixture_teardown
}

# podman_profile: Podman's default profile (containers-common) as Podman sends it for a
# container with runc's default capabilities on amd64.
podman_profile() {
	local f=/usr/share/containers/seccomp.json
	[ -f "$f" ] || skip "needs $f (golang-github-containers-common)"
	jq --argjson caps "$CAPS" --arg arch amd64 -f "$DATA/podman2oci.jq" "$f" >"$ROOT/podman.json"
	echo "$ROOT/podman.json"
}

# bundle_for DIR PROFILE [crbox|runc] ARG...: a busybox bundle running ARGs with the probe,
# the tool and the profile inside; runc: linux.seccomp = PROFILE; crbox: no linux.seccomp and
# the process wrapped in `seccomp-tool run /profile.json --`.
bundle_for() {
	local dir=$1 prof=$2 who=$3
	shift 3
	if [ "$who" = crbox ]; then
		make_bundle "$dir" /seccomp-tool run /profile.json -- "$@"
	else
		make_bundle "$dir" "$@"
	fi
	cp "$PROBE" "$dir/rootfs/probe"
	cp "$TOOL" "$dir/rootfs/seccomp-tool"
	cp "$prof" "$dir/rootfs/profile.json"
	[ -f "$ROOT/cases" ] && cp "$ROOT/cases" "$dir/rootfs/cases"
	set_cfg --argjson caps "$CAPS" '.process.noNewPrivileges = true
		| .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
		| del(.linux.cgroupsPath)'
	if [ "$who" = runc ]; then
		set_cfg --slurpfile p "$prof" '.linux.seccomp = $p[0]'
	fi
}

# probe_with PROFILE WHO: the probe's output under WHO's filter, in $ROOT/out.WHO.
probe_with() {
	local prof=$1 who=$2
	bundle_for "$ROOT/b-$who" "$prof" "$who" /probe /cases
	KNOWN_IDS+=("$TAG-$who")
	timeout 600 "$RUNC" --root "$ROOT/runc" run --bundle "$ROOT/b-$who" "$TAG-$who" \
		</dev/null >"$ROOT/out.$who" 2>"$ROOT/err.$who" || {
		echo "runc run ($who) failed:" >&2
		cat "$ROOT/err.$who" >&2
		return 1
	}
}

# dump_with PROFILE WHO: the filters of a paused probe under WHO's filter, in $ROOT/dump.WHO.
dump_with() {
	local prof=$1 who=$2 pid
	bundle_for "$ROOT/d-$who" "$prof" "$who" /probe --pause
	runc_run_detached "$TAG-d$who"
	pid=$(cat "$ROOT/$TAG-d$who.pid")
	# seccomp-tool run execs the probe: wait until the pid runs the probe itself
	for _ in $(seq 50); do
		[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$ROOT/d-$who/rootfs/probe")" ] && break
		sleep 0.1
	done
	"$TOOL" dump "$pid" "$ROOT/dump.$who" >"$ROOT/dumplen.$who"
}

# equivalent PROFILE: runc and crbox give the same results on every probe and the same
# verdicts on the interpreter grid.
equivalent() {
	local prof=$1
	"$TOOL" cases "$prof" | awk '!seen[$0]++' >"$ROOT/cases"
	probe_with "$prof" runc
	probe_with "$prof" crbox
	local n
	n=$(wc -l <"$ROOT/out.runc")
	[ "$n" -eq "$(wc -l <"$ROOT/cases")" ] || { echo "runc: $n results for $(wc -l <"$ROOT/cases") cases" >&2; return 1; }
	diff -u "$ROOT/out.runc" "$ROOT/out.crbox" >&2 || return 1
	echo "# $n probes equal; verdicts: $(awk -F' = ' '{print $2}' "$ROOT/out.runc" | sort | uniq -c | sort -rn | head -8 | awk '{printf "%s %s %s; ", $1, $2, $3}')" >&3
	dump_with "$prof" runc
	dump_with "$prof" crbox
	echo "# loaded filter: runc $(cat "$ROOT/dumplen.runc"), crbox $(cat "$ROOT/dumplen.crbox")" >&3
	run "$TOOL" cmp "$ROOT/dump.runc" "$ROOT/dump.crbox" "$prof"
	echo "# interpreter: ${lines[-1]}" >&3
	[ "$status" -eq 0 ] || { printf '%s\n' "${lines[@]}" >&2; return 1; }
}

@test "seccomp: Podman's default profile: crbox's verdicts equal runc's" {
	equivalent "$(podman_profile)"
}

@test "seccomp: every operator, action, errnoRet, multi-condition rules, an unknown name" {
	equivalent "$DATA/all-ops.json"
}

@test "seccomp: defaultAction ALLOW (no -ENOSYS stub; x32 is a bad architecture)" {
	equivalent "$DATA/allow.json"
}

@test "seccomp: defaultAction ERRNO with the native architecture only" {
	equivalent "$DATA/errno.json"
}

@test "seccomp: SCMP_ACT_NOTIFY: the listener fd and state reach listenerPath; an agent answers" {
	local agent=$REPO/build/tools/seccomp-agent
	[ -x "$agent" ] || skip "needs build/tools/seccomp-agent (make tools)"
	mkdir -p "$ROOT/agent"
	"$agent" "$ROOT/agent/sock" "$ROOT/states" "$ROOT/agent.pid" &
	for _ in $(seq 50); do [ -S "$ROOT/agent/sock" ] && break; sleep 0.1; done
	track_pid_file "$ROOT/agent.pid"
	jq -n --arg l "$ROOT/agent/sock" '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $l,
		listenerMetadata: "crbox-test", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		syscalls: [{names: ["getpriority"], action: "SCMP_ACT_NOTIFY"}]}' >"$ROOT/notify.json"
	printf '64 140 5 0 0 0 0 0\n64 140 0x1234 0 0 0 0 0\n64 140 0x7 0 0 0 0 0\n32 96 9 0 0 0 0 0\n64 39 0 0 0 0 0 0\n' >"$ROOT/cases"
	probe_with "$ROOT/notify.json" runc
	# crbox's side runs inside the container: the agent's directory is bind-mounted there
	bundle_for "$ROOT/b-crbox" "$ROOT/notify.json" crbox /probe /cases
	set_cfg --arg d "$ROOT/agent" '.mounts += [{destination: $d, type: "bind", source: $d, options: ["bind"]}]'
	KNOWN_IDS+=("$TAG-crbox")
	"$RUNC" --root "$ROOT/runc" run --bundle "$ROOT/b-crbox" "$TAG-crbox" </dev/null \
		>"$ROOT/out.crbox" 2>"$ROOT/err.crbox" || { cat "$ROOT/err.crbox" >&2; false; }
	cat "$ROOT/out.runc" >&2
	diff -u "$ROOT/out.runc" "$ROOT/out.crbox" >&2
	grep -q '^64 0x8c 0x5 .* = -105$' "$ROOT/out.crbox"
	grep -q '^64 0x8c 0x1234 .* = -22$' "$ROOT/out.crbox"    # continued: the kernel's EINVAL
	grep -q '^32 0x60 0x9 .* = -109$' "$ROOT/out.crbox"
	grep -q '^64 0x27 .* = ok$' "$ROOT/out.crbox"
	[ "$(wc -l <"$ROOT/states")" -eq 2 ]
	run jq -r '[.ociVersion, (.fds | join(",")), .metadata, .state.status, (.pid > 0), (.state.pid == .pid)] | join(" ")' "$ROOT/states"
	echo "$output" >&2
	[ "${lines[0]}" = "1.0.2-dev seccompFd crbox-test creating true true" ]
	[ "${lines[1]}" = "1.0.2-dev seccompFd crbox-test creating true true" ]
}
