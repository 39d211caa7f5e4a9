#!/usr/bin/env bash
# Installs everything crbox needs to build and test on Debian 12, idempotently:
# build tools (musl, protobuf-c), test fixtures (runc, busybox-static, bats, iptables)
# and a CRIU >= 4 whose `criu check` passes on this kernel. When the distro's criu is
# older or fails its check, CRIU is built from Debian trixie's source package (see
# scripts/build-criu.sh) and the build is cached under $CRBOX_CACHE.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "setup: run as root (apt-get and criu need it)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
here=$(cd "$(dirname "$0")" && pwd)

pkgs=(build-essential musl-tools musl-dev libprotobuf-c-dev protobuf-c-compiler
      bats jq runc busybox-static iptables iproute2 clang libclang-rt-14-dev valgrind util-linux
      procps libcap2-bin kmod file)
pkgs+=(crun strace hyperfine)   # bench/run.sh: the lifecycle comparison, syscall counts, start-up
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

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
echo "setup: ok ($(criu --version | head -1), $(runc --version | head -1))"
