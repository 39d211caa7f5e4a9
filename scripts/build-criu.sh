#!/usr/bin/env bash
# Builds CRIU 4.1.1 from Debian trixie's source package and installs the criu binary to
# /usr/local/sbin. Debian 12's criu 3.17 fails on recent kernels ("Unexpected rt vDSO area
# bounds"). trixie is added as a deb-src entry only, on the mirror this machine already
# uses, pinned to priority 100 so that no installed package is upgraded from it.
# The built binary is cached in $CRBOX_CACHE (default /var/cache/crbox) and reused.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
ver=4.1.1
cache=${CRBOX_CACHE:-/var/cache/crbox}
bin=$cache/criu-$ver/criu
mkdir -p "$cache"

if [ ! -x "$bin" ]; then
	uri=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
	[ -n "$uri" ] || uri=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\/debian\) bookworm .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
	[ -n "$uri" ] || { echo "build-criu: no Debian mirror found in the apt sources" >&2; exit 1; }
	if [ ! -f /etc/apt/sources.list.d/crbox-trixie-src.list ]; then
		echo "deb-src $uri trixie main" > /etc/apt/sources.list.d/crbox-trixie-src.list
		printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/crbox-trixie
	fi
	echo "build-criu: installing build dependencies"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends libbsd-dev libcap-dev libgnutls28-dev \
		libnet1-dev libnftables-dev libnl-3-dev libprotobuf-c-dev libprotobuf-dev pkgconf \
		protobuf-c-compiler protobuf-compiler uuid-dev python3-protobuf build-essential \
		dpkg-dev >/dev/null
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	cd "$work"
	# The .dsc and the Debian diff are not served; the orig tarball is all we need.
	apt-get source --download-only "criu=$ver-1" >/dev/null 2>&1 || true
	tarball=$(ls criu_"$ver".orig.tar.* 2>/dev/null | head -1)
	[ -n "$tarball" ] || { echo "build-criu: could not download the criu $ver source" >&2; exit 1; }
	tar -xf "$tarball"
	cd criu-"$ver"
	echo "build-criu: building criu $ver (about a minute)"
	make -j"$(nproc)" criu >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
	mkdir -p "$cache/criu-$ver"
	install -m 0755 criu/criu "$bin"
	cp images/rpc.proto "$cache/criu-$ver/rpc.proto"
fi
install -m 0755 "$bin" /usr/local/sbin/criu
hash -r
echo "build-criu: installed $(/usr/local/sbin/criu --version | head -1) to /usr/local/sbin/criu"
