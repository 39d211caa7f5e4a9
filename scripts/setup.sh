#!/usr/bin/env bash
# Installs everything crbox needs to build and test on Debian 12, idempotently:
# build tools (musl, protobuf-c, the cross compilers and qemu-user of `make ARCH=`, with
# musl and protobuf-c sources cached by build-deps.sh), test fixtures (runc, busybox-static,
# bats, iptables)
# and a CRIU >= 4 whose `criu check` passes on this kernel. When the distro's criu is
# older or fails its check, CRIU is built from Debian trixie's source package (see
# scripts/build-criu.sh) and the build is cached under $CRBOX_CACHE.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "setup: run as root (apt-get and criu need it)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
here=$(cd "$(dirname "$0")" && pwd)

pkgs=(build-essential musl-tools musl-dev libprotobuf-c-dev protobuf-c-compiler
      bats jq runc busybox-static iptables iproute2 clang libclang-rt-14-dev valgrind util-linux
      procps libcap2-bin kmod file dpkg-dev zstd gzip podman
      python3  # run.bats: the NOTIFY_SOCKET listener and a subreaper caller
      # seccomp tests only: scmp_sys_resolver (the table check), libseccomp-dev (the
      # bench/seccomp-libseccomp.c measurement), Podman's default profile (seccomp.json)
      seccomp libseccomp-dev golang-github-containers-common)
# The engine layer (tests/engines): Podman with conmon, containerd with ctr and its runc
# shim, all driving crbox; crun is the peer runtime of the conformance baseline and bench.
pkgs+=(conmon containerd crun)
pkgs+=(strace hyperfine)   # bench/run.sh: syscall counts, start-up
# Cross builds (make ARCH=...) and the cross test layer: Debian's cross compilers with their
# glibc (for the sanitizer unit tests), and qemu-user to run the results without binfmt.
pkgs+=(qemu-user-static
       gcc-aarch64-linux-gnu libc6-dev-arm64-cross
       gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
       gcc-i686-linux-gnu libc6-dev-i386-cross
       gcc-riscv64-linux-gnu libc6-dev-riscv64-cross)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Third-party sources and the cross musl, fetched (or built) once into the cache, so that
# builds and tests need no network afterwards (scripts/build-deps.sh).
"$here/build-deps.sh" protobuf-c >/dev/null
for arch in x86_64 aarch64 armhf i386 riscv64; do
	"$here/build-deps.sh" musl "$arch" >/dev/null
done

criu_ok() {
	command -v criu >/dev/null 2>&1 || return 1
	local v; v=$(criu --version 2>/dev/null | sed -n 's/^Version: *\([0-9]*\).*/\1/p')
	[ -n "$v" ] && [ "$v" -ge 4 ] || return 1
	criu check >/dev/null 2>&1
}
if ! criu_ok; then
	# Prefer the distro package when it is new enough to have a chance here.
	cand=$(apt-cache policy criu 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9]*\).*/\1/p')
	if [ -n "$cand" ] && [ "$cand" != "(none)" ] && [ "$cand" -ge 4 ] 2>/dev/null; then
		apt-get install -y -qq --no-install-recommends criu >/dev/null || true
	fi
	criu_ok || "$here/build-criu.sh"
	criu_ok || { echo "setup: criu still fails 'criu check'" >&2; criu check >&2 || true; exit 1; }
fi
# The OCI runtime-tools validation suite (the conformance layer), built once and cached.
"$here/build-conformance.sh" >/dev/null
echo "setup: ok ($(criu --version | head -1), $(runc --version | head -1))"
