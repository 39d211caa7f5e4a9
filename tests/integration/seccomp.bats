#!/usr/bin/env bats
# Seccomp: crbox's compiler (core/seccomp) against runc's libseccomp on the real kernel.
# Each profile is loaded once by runc and once by crbox, each running the same bundle with
# linux.seccomp set (`runc run` / `crbox run`); the same static probe then makes a grid of
# system calls (seccomp-tool cases) and prints what each gave (errno, trap, signal, ok). The
# outputs must be equal. Second check:
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

# bundle_for DIR PROFILE [crbox|runc] ARG...: a busybox bundle running ARGs with the probe
# and linux.seccomp = PROFILE, for either runtime.
bundle_for() {
	local dir=$1 prof=$2 who=$3
	shift 3
	make_bundle "$dir" "$@"
	cp "$PROBE" "$dir/rootfs/probe"
	cp "$TOOL" "$dir/rootfs/seccomp-tool"
	cp "$prof" "$dir/rootfs/profile.json"
	[ -f "$ROOT/cases" ] && cp "$ROOT/cases" "$dir/rootfs/cases"
	set_cfg --argjson caps "$CAPS" --argjson nnp "${SC_NNP:-true}" '.process.noNewPrivileges = $nnp
		| .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
		| del(.linux.cgroupsPath)'
	set_cfg --slurpfile p "$prof" '.linux.seccomp = $p[0]'
}

# rt WHO: the runtime binary of WHO (runc or crbox).
rt() { if [ "$1" = crbox ]; then echo "$CRBOX"; else echo "$RUNC"; fi; }

# probe_with PROFILE WHO: the probe's output under WHO's filter, in $ROOT/out.WHO.
probe_with() {
	local prof=$1 who=$2
	bundle_for "$ROOT/b-$who" "$prof" "$who" /probe /cases
	KNOWN_IDS+=("$TAG-$who")
	# stdin and stdout are pipes for both: runc's foreground run gives the container pipes of
	# its own, crbox passes its stdio through (the probe's grid includes lseek on fd 0).
	: | timeout 600 "$(rt "$who")" --root "$ROOT/$who" run --bundle "$ROOT/b-$who" "$TAG-$who" \
		2>"$ROOT/err.$who" | cat >"$ROOT/out.$who"
	[ "${PIPESTATUS[1]}" -eq 0 ] || {
		echo "$who run failed:" >&2
		cat "$ROOT/err.$who" >&2
		return 1
	}
}

# dump_with PROFILE WHO: the filters of a paused probe under WHO's filter, in $ROOT/dump.WHO.
dump_with() {
	local prof=$1 who=$2 pid
	bundle_for "$ROOT/d-$who" "$prof" "$who" /probe --pause
	KNOWN_IDS+=("$TAG-d$who")
	"$(rt "$who")" --root "$ROOT/$who" run -d --bundle "$BUNDLE" --pid-file "$ROOT/$TAG-d$who.pid" \
		"$TAG-d$who" </dev/null >/dev/null 2>"$ROOT/err-d.$who" || { cat "$ROOT/err-d.$who" >&2; return 1; }
	track_pid_file "$ROOT/$TAG-d$who.pid"
	pid=$(cat "$ROOT/$TAG-d$who.pid")
	# wait until the pid runs the probe itself
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

@test "seccomp: without noNewPrivileges (the filter is loaded before the capabilities drop)" {
	SC_NNP=false
	"$TOOL" cases "$(podman_profile)" | awk '!seen[$0]++' >"$ROOT/cases"
	probe_with "$ROOT/podman.json" runc
	probe_with "$ROOT/podman.json" crbox
	[ "$(wc -l <"$ROOT/out.runc")" -eq "$(wc -l <"$ROOT/cases")" ]
	diff -u "$ROOT/out.runc" "$ROOT/out.crbox" >&2
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
	probe_with "$ROOT/notify.json" crbox
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
