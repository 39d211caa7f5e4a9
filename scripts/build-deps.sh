#!/usr/bin/env bash
# build-deps.sh: the third-party pieces a crbox build links, taken from Debian bookworm at
# build time and cached under $CRBOX_CACHE (default /var/cache/crbox); nothing of them is
# committed. The Makefile calls it; scripts/setup.sh calls it ahead of time.
#
#   build-deps.sh protobuf-c    -> prints the unpacked protobuf-c 1.4.1 source directory
#                                  (the Makefile compiles protobuf-c/protobuf-c.c with the
#                                  musl toolchain of each architecture)
#   build-deps.sh musl ARCH     -> prints a directory holding musl 1.2.3 for ARCH (include/,
#                                  lib/ with crt*.o and libc.a) and musl-gcc.specs, which
#                                  turns Debian's gcc-<triple> cross compiler into a musl one
#
# musl is the host's installed musl-dev for the host's architecture; for the others it comes
# from Debian's multiarch musl-dev:<arch> binary package where bookworm has one (arm64,
# armhf, i386), otherwise it is built from Debian's musl source package (riscv64 is not a
# bookworm architecture). Packages are fetched through a private apt state under the
# cache (its own lists, no `dpkg --add-architecture`): adding foreign architectures to the
# machine makes every later `apt-get update` fail when the security mirror's armhf/i386
# indexes are out of sync, as they were here.
set -euo pipefail
cache=${CRBOX_CACHE:-/var/cache/crbox}
MUSL_VER=1.2.3 MUSL_DEB=1.2.3-1
PBC_VER=1.4.1 PBC_DEB=1.4.1-1

work=
die() { echo "build-deps: $*" >&2; exit 1; }

# The Debian mirror this machine uses (as scripts/build-criu.sh finds it).
mirror() {
	local uri
	uri=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
	[ -n "$uri" ] || uri=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\/debian\) bookworm .*/\2/p' \
		/etc/apt/sources.list 2>/dev/null | head -1)
	[ -n "$uri" ] || die "no Debian mirror found in the apt sources"
	echo "$uri"
}

# papt ARGS...: apt-get on the private state in $cache/apt (bookworm main, binaries for the
# foreign architectures, sources). Its lists are fetched once, then reused.
papt() {
	local d=$cache/apt
	local o=(-o "Dir::State::Lists=$d/lists" -o "Dir::Etc::SourceList=$d/sources.list"
		-o Dir::Etc::SourceParts=/nonexistent -o "Dir::Cache=$d/cache"
		-o Dir::State::status=/dev/null -o APT::Sandbox::User=root
		-o APT::Architectures::=arm64 -o APT::Architectures::=armhf
		-o APT::Architectures::=i386 -o APT::Architectures::=amd64)
	if [ ! -f "$d/lists.ok" ]; then
		mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
		printf 'deb [arch=amd64,arm64,armhf,i386] %s bookworm main\ndeb-src %s bookworm main\n' \
			"$(mirror)" "$(mirror)" >"$d/sources.list"
		apt-get "${o[@]}" update -qq >&2 || die "apt-get update of the private lists failed"
		touch "$d/lists.ok"
	fi
	apt-get "${o[@]}" "$@"
}

# fetch_src PKG VERSION: the unpacked Debian source package in $cache/src/PKG-VERSION.
fetch_src() {
	local pkg=$1 ver=$2 dir=$cache/src/$1-${2%-*} work
	if [ ! -f "$dir/.ok" ]; then
		work=$(mktemp -d "$cache/src/.tmp.XXXXXX")
		(cd "$work" && papt source --download-only "$pkg=$ver" >/dev/null 2>&1) ||
			die "could not download the $pkg $ver source package"
		rm -rf "$dir"
		if command -v dpkg-source >/dev/null && [ -f "$work/${pkg}_$ver.dsc" ]; then
			dpkg-source --no-check -x "$work/${pkg}_$ver.dsc" "$dir" >/dev/null ||
				die "could not unpack $pkg $ver"
		else
			mkdir -p "$dir"
			tar -xf "$work/${pkg}_${ver%-*}".orig.tar.* -C "$dir" --strip-components=1 ||
				die "could not unpack $pkg $ver"
		fi
		rm -rf "$work"
		touch "$dir/.ok"
	fi
	echo "$dir"
}

# specs DIR: a gcc specs file that compiles and links against the musl in DIR (as Debian's
# musl-gcc does for the host), static and static-pie capable.
specs() {
	cat <<EOF
%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem $1/include -isystem include%s %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem $1/include -isystem include%s

*link_libgcc:
-L$1/lib -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
%{static-pie: $1/lib/rcrt1.o; !shared: $1/lib/Scrt1.o} $1/lib/crti.o crtbeginS.o%s

*endfile:
crtendS.o%s $1/lib/crtn.o

*link:
-nostdlib %{shared:-shared} %{static:-static} %{static-pie:-static -pie --no-dynamic-linker -z text} %{rdynamic:-export-dynamic}

EOF
}

# musl ARCH: musl for ARCH in $cache/musl-$MUSL_VER-ARCH.
musl() {
	local arch=$1 deb triple mdir dir src
	case $arch in
	aarch64) deb=arm64 triple=aarch64-linux-gnu mdir=aarch64-linux-musl ;;
	armhf) deb=armhf triple=arm-linux-gnueabihf mdir=arm-linux-musleabihf ;;
	i386) deb=i386 triple=i686-linux-gnu mdir=i386-linux-musl ;;
	riscv64) deb= triple=riscv64-linux-gnu mdir=riscv64-linux-musl ;;
	x86_64) deb=amd64 triple=x86_64-linux-gnu mdir=x86_64-linux-musl ;;
	*) die "unknown architecture '$arch' (aarch64, armhf, i386, riscv64, x86_64)" ;;
	esac
	dir=$cache/musl-$MUSL_VER-$arch
	if [ ! -f "$dir/.ok" ]; then
		mkdir -p "$cache"
		work=$(mktemp -d "$cache/.musl.XXXXXX")
		trap 'rm -rf "${work:-}"' EXIT
		if [ -n "$deb" ] && [ "$deb" = "$(dpkg --print-architecture 2>/dev/null)" ] &&
			[ -f "/usr/lib/$mdir/libc.a" ] && [ -f "/usr/lib/$mdir/rcrt1.o" ]; then
			# The host's own musl-dev (scripts/setup.sh installs it): used in place.
			mkdir -p "$work/out"
			ln -s "/usr/include/$mdir" "$work/out/include"
			ln -s "/usr/lib/$mdir" "$work/out/lib"
		elif [ -n "$deb" ]; then
			(cd "$work" && papt download "musl-dev:$deb=$MUSL_DEB" >/dev/null 2>&1) ||
				die "could not download musl-dev:$deb $MUSL_DEB"
			dpkg-deb -x "$work"/musl-dev_*.deb "$work/root"
			mkdir -p "$work/out"
			mv "$work/root/usr/include/$mdir" "$work/out/include"
			mv "$work/root/usr/lib/$mdir" "$work/out/lib"
		else
			command -v "$triple-gcc" >/dev/null || die "$triple-gcc is not installed"
			src=$(fetch_src musl "$MUSL_DEB")
			cp -a "$src" "$work/src"
			echo "build-deps: building musl $MUSL_VER for $arch (about a minute)" >&2
			(cd "$work/src" && ./configure --target="$triple" CROSS_COMPILE="$triple-" \
				--prefix="$work/out" --disable-shared >"$work/log" 2>&1 &&
				make -j"$(nproc)" >>"$work/log" 2>&1 && make install >>"$work/log" 2>&1) ||
				{ tail -20 "$work/log" >&2; die "musl build for $arch failed"; }
		fi
		rm -rf "$dir"
		mv "$work/out" "$dir"
		[ -L "$dir/lib" ] || rm -f "$dir/lib/musl-gcc.specs"
		specs "$dir" >"$dir/musl-gcc.specs"
		touch "$dir/.ok"
	fi
	echo "$dir"
}

mkdir -p "$cache/src" 2>/dev/null || die "cannot create $cache (set CRBOX_CACHE to a writable directory)"
case ${1:-} in
protobuf-c) fetch_src protobuf-c "$PBC_DEB" ;;
musl) musl "${2:-}" ;;
*) die "usage: build-deps.sh protobuf-c | musl ARCH" ;;
esac
