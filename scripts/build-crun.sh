#!/usr/bin/env bash
# Builds crun 1.21 with CRIU support (for the crun <-> crbox interop tests) from Debian
# trixie's source packages, into a private prefix: libcriu from criu 4.1.1, then crun
# linked against it (RUNPATH), nothing in system paths. Reuses the deb-src entry that
# build-criu.sh adds. Cached in $CRBOX_CACHE/crun-1.21 (default /var/cache/crbox); prints
# the crun path. Facts: docs/crun-interop.md.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
criu_ver=4.1.1
crun_ver=1.21
cache=${CRBOX_CACHE:-/var/cache/crbox}
prefix=$cache/crun-$crun_ver
if [ -x "$prefix/bin/crun" ] && "$prefix/bin/crun" --version 2>/dev/null | grep -q '+CRIU'; then
	echo "$prefix/bin/crun"
	exit 0
fi
if [ ! -f /etc/apt/sources.list.d/crbox-trixie-src.list ]; then
	uri=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
	[ -n "$uri" ] || uri=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\/debian\) bookworm .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
	[ -n "$uri" ] || { echo "build-crun: no Debian mirror found in the apt sources" >&2; exit 1; }
	echo "deb-src $uri trixie main" > /etc/apt/sources.list.d/crbox-trixie-src.list
	printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/crbox-trixie
	apt-get update -qq
fi
echo "build-crun: installing build dependencies" >&2
apt-get install -y -qq --no-install-recommends build-essential pkgconf libprotobuf-c-dev \
	protobuf-c-compiler libyajl-dev libseccomp-dev libcap-dev libsystemd-dev gperf \
	go-md2man python3 >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# Only the orig tarballs are served (no .dsc / debian tarball): that is all we need.
apt-get source --download-only "criu=$criu_ver-1" >/dev/null 2>&1 || true
apt-get source --download-only "crun=$crun_ver-1" >/dev/null 2>&1 || true
ct=$(ls criu_"$criu_ver".orig.tar.* 2>/dev/null | head -1)
rt=$(ls crun_"$crun_ver".orig.tar.* 2>/dev/null | head -1)
[ -n "$ct" ] && [ -n "$rt" ] || { echo "build-crun: could not download the sources" >&2; exit 1; }
tar -xf "$ct"
tar -xf "$rt"
echo "build-crun: building libcriu $criu_ver" >&2
(cd criu-"$criu_ver" && make -j"$(nproc)" lib >"$work/criu.log" 2>&1 &&
	make install-lib PREFIX="$prefix" LIBDIR="$prefix/lib" SKIP_PIP_INSTALL=1 \
		>>"$work/criu.log" 2>&1) || { tail -30 "$work/criu.log" >&2; exit 1; }
echo "build-crun: building crun $crun_ver" >&2
(cd crun-"$crun_ver" && ./configure --prefix="$prefix" PKG_CONFIG_PATH="$prefix/lib/pkgconfig" \
	CPPFLAGS="-I$prefix/include" LDFLAGS="-L$prefix/lib -Wl,-rpath,$prefix/lib" \
	>"$work/crun.log" 2>&1 && make -j"$(nproc)" >>"$work/crun.log" 2>&1) ||
	{ tail -30 "$work/crun.log" >&2; exit 1; }
mkdir -p "$prefix/bin"
install -s crun-"$crun_ver"/crun "$prefix/bin/crun"
"$prefix/bin/crun" --version | grep -q '+CRIU' || { echo "build-crun: crun built without CRIU" >&2; exit 1; }
echo "$prefix/bin/crun"
