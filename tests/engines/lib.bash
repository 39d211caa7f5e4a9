# tests/engines/lib.bash: the fixture of the engine layer (Podman + conmon, containerd + ctr).
# Each test file gets a private engine: its own root, run root, state, socket, TMPDIR and
# config under one temp dir ($ET), torn down afterwards. The runtime under test is
# $ENGINE_RUNTIME (default: this tree's build/crbox). It is installed for the engine under the
# name "crbox" through a small wrapper in $ET/bin, which only adds CRIU_FAULT=130 to the
# environment (Podman runs the runtime for checkpoint with nothing but PATH and
# XDG_RUNTIME_DIR, and criu hangs in this VM without it) and execs the runtime. runc is
# registered nowhere and hidden from the engine's PATH.

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ENGINE_RUNTIME=${ENGINE_RUNTIME:-$REPO/build/crbox}
BUSYBOX=${BUSYBOX:-/bin/busybox}
bats_require_minimum_version 1.5.0

COUNTER='i=0; while true; do i=$((i+1)); echo $i > /count; sleep 0.2; done'

engine_requires() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "needs $t"
	done
}

# engine_tmp: the private directory of this test file, its PATH without runc, the runtime
# wrapper and a busybox rootfs ($ET/rootfs).
engine_tmp() {
	ET=$(mktemp -d /tmp/crbox-eng.XXXXXX)
	mkdir -p "$ET/bin" "$ET/tmp" "$ET/rootfs/bin" "$ET/rootfs/etc"
	# A PATH directory holding every tool the engines need, without runc or crun.
	local d f
	for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
		[ -d "$d" ] || continue
		for f in "$d"/*; do
			case ${f##*/} in runc | crun | crbox) continue ;; esac
			[ -e "$ET/bin/${f##*/}" ] || ln -s "$f" "$ET/bin/${f##*/}"
		done
	done
	rm -f "$ET/bin/runc" "$ET/bin/crun"
	cat >"$ET/bin/crbox" <<-EOF
	#!/bin/sh
	CRIU_FAULT=130 exec "$ENGINE_RUNTIME" "\$@"
	EOF
	chmod 0755 "$ET/bin/crbox"
	cp "$BUSYBOX" "$ET/rootfs/bin/busybox"
	for f in sh ls cat echo sleep true false id ps top seq env pwd kill stty tty hostname; do
		ln -s busybox "$ET/rootfs/bin/$f"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$ET/rootfs/etc/passwd"
	echo 'root:x:0:' >"$ET/rootfs/etc/group"
	ENGINE_PATH=$ET/bin
}

engine_cleanup() {
	[ -n "${ET:-}" ] && [ -d "$ET" ] || return 0
	local m
	# Unmount whatever the engine left mounted below $ET, deepest first.
	for m in $(awk -v p="$ET/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$ET"
}

# ---- Podman ---------------------------------------------------------------------------------

# podman_setup: containers.conf and storage.conf for a private Podman that uses crbox alone.
podman_setup() {
	# Podman's default RLIMIT_NOFILE and RLIMIT_NPROC (1048576) exceed this machine's hard
	# limits, and raising a hard limit needs CAP_SYS_RESOURCE, which the sandbox lacks. The
	# runtime that Podman starts sees at most 32768 processes as its hard RLIMIT_NPROC (measured
	# here with a runtime wrapper reading /proc/self/limits), whatever the shell has.
	local nofile nproc
	nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
	[ "$nproc" = unlimited ] && nproc=32768
	[ "$nproc" -gt 32768 ] && nproc=32768
	[ "$nofile" = unlimited ] && nofile=1048576
	mkdir -p "$ET/pm"
	cat >"$ET/pm/containers.conf" <<-EOF
	[containers]
	default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
	netns = "none"
	log_driver = "k8s-file"
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	events_logfile_path = "$ET/pm/events.log"
	lock_type = "file"
	runtime = "crbox"
	runtime_supports_json = ["crbox"]
	tmp_dir = "$ET/pm/tmp"
	static_dir = "$ET/pm/static"
	volume_path = "$ET/pm/volumes"
	conmon_env_vars = ["PATH=$ENGINE_PATH", "CRIU_FAULT=130"]
	[engine.runtimes]
	crbox = ["$ET/bin/crbox"]
	EOF
	cat >"$ET/pm/storage.conf" <<-EOF
	[storage]
	driver = "vfs"
	graphroot = "$ET/pm/root"
	runroot = "$ET/pm/runroot"
	EOF
	tar -C "$ET/rootfs" -cf "$ET/rootfs.tar" .
	pm import "$ET/rootfs.tar" localhost/bb:1 >/dev/null
}

# pm ARGS...: the private Podman.
pm() {
	CONTAINERS_CONF=$ET/pm/containers.conf CONTAINERS_STORAGE_CONF=$ET/pm/storage.conf \
		PATH=$ENGINE_PATH timeout "${PM_TIMEOUT:-120}" podman "$@"
}

podman_cleanup() {
	[ -d "${ET:-}/pm" ] || return 0
	pm rm -af -t 0 >/dev/null 2>&1 || true
	pm system reset -f >/dev/null 2>&1 || true
}

# ---- containerd -----------------------------------------------------------------------------

# containerd_setup: a private containerd (own root, state, socket, TMPDIR), the busybox image.
containerd_setup() {
	mkdir -p "$ET/cd/tmp"
	cat >"$ET/cd/config.toml" <<-EOF
	version = 2
	root = "$ET/cd/root"
	state = "$ET/cd/state"
	[grpc]
	  address = "$ET/cd/containerd.sock"
	[ttrpc]
	  address = ""
	[debug]
	  address = ""
	[metrics]
	  address = ""
	[plugins."io.containerd.grpc.v1.cri"]
	  disable_cgroup = true
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$ET/cd/opt"
	EOF
	TMPDIR=$ET/cd/tmp PATH=$ENGINE_PATH containerd --config "$ET/cd/config.toml" \
		>"$ET/cd/log" 2>&1 &
	echo $! >"$ET/cd/pid"
	local i
	for i in $(seq 50); do
		[ -S "$ET/cd/containerd.sock" ] && break
		sleep 0.1
	done
	"$REPO/tests/engines/mkoci.sh" "$ET/rootfs" "$ET/bb-oci.tar" docker.io/library/bb:1
	cx image import "$ET/bb-oci.tar" >/dev/null
}

# cx ARGS...: ctr against the private containerd.
cx() {
	TMPDIR=$ET/cd/tmp PATH=$ENGINE_PATH timeout "${CX_TIMEOUT:-120}" \
		ctr -a "$ET/cd/containerd.sock" "$@"
}

containerd_cleanup() {
	[ -f "${ET:-}/cd/pid" ] || return 0
	local t
	for t in $(cx task ls -q 2>/dev/null); do
		cx task kill -s 9 "$t" >/dev/null 2>&1 || true
		sleep 0.2
		cx task delete -f "$t" >/dev/null 2>&1 || true
	done
	for t in $(cx container ls -q 2>/dev/null); do
		cx container rm "$t" >/dev/null 2>&1 || true
	done
	kill "$(cat "$ET/cd/pid")" 2>/dev/null || true
	sleep 0.3
	pkill -f "containerd-shim-runc-v2 -namespace default -address $ET/cd/" 2>/dev/null || true
}

# wait_count_above PATH-READER N: retries up to 5 s until the counter read by the command
# (which prints it) is above N; prints the last value.
wait_above() {
	local n=$1 v=0 i
	shift
	for i in $(seq 50); do
		v=$("$@" 2>/dev/null | tr -dc 0-9)
		[ -n "$v" ] && [ "$v" -gt "$n" ] && break
		sleep 0.1
	done
	echo "${v:-0}"
}
