#!/usr/bin/env bash
# Builds the OCI runtime-tools validation suite (the `validation/*` programs and
# `runtimetest`) offline, from Debian trixie's source package
# golang-github-opencontainers-runtime-tools (bookworm's binary package leaves them out), in
# GOPATH mode with Debian's Go 1.19 and the -dev packages of its imports. The one import
# Debian does not package, a small TAP helper library, is replaced by crbox's stand-in in
# tests/conformance/tap-go. Output: $CRBOX_CACHE/rtt/bin (default /var/cache/crbox), reused
# when present. The trixie deb-src entry is the one scripts/build-criu.sh adds (same mirror
# as the machine's apt sources, pinned to priority 100).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${CRBOX_CACHE:-/var/cache/crbox}
out=$cache/rtt/bin
stamp=$out/.built-$(sha256sum "$repo/tests/conformance/tap-go/tap.go" | cut -c1-12)
[ -f "$stamp" ] && { echo "build-conformance: cached in $out"; exit 0; }

pkgs=(golang-go golang-github-blang-semver-dev golang-github-google-uuid-dev
      golang-github-hashicorp-go-multierror-dev golang-github-mrunalp-fileutils-dev
      golang-github-opencontainers-specs-dev golang-github-opencontainers-selinux-dev
      golang-github-sirupsen-logrus-dev golang-github-stretchr-testify-dev golang-gocapability-dev
      golang-github-urfave-cli-dev golang-github-xeipuuv-gojsonschema-dev golang-golang-x-sys-dev
      dpkg-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -f /etc/apt/sources.list.d/crbox-trixie-src.list ]; then
	uri=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
	[ -n "$uri" ] || uri=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\/debian\) bookworm .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
	[ -n "$uri" ] || { echo "build-conformance: no Debian mirror found in the apt sources" >&2; exit 1; }
	echo "deb-src $uri trixie main" >/etc/apt/sources.list.d/crbox-trixie-src.list
	printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >/etc/apt/preferences.d/crbox-trixie
	apt-get update -qq
fi

src=$cache/rtt/src
if ! ls "$src"/golang-github-opencontainers-runtime-tools-*/validation >/dev/null 2>&1; then
	mkdir -p "$src"
	cd "$src"
	# The .dsc and the Debian diff may not be served; the orig tarball is all we need.
	apt-get source --download-only golang-github-opencontainers-runtime-tools >/dev/null 2>&1 || true
	tarball=$(ls golang-github-opencontainers-runtime-tools_*.orig.tar.* 2>/dev/null | head -1)
	[ -n "$tarball" ] || { echo "build-conformance: could not download the runtime-tools source" >&2; exit 1; }
	tar -xf "$tarball"
fi
tree=$(ls -d "$src"/golang-github-opencontainers-runtime-tools-*/ | head -1)

gp=$cache/rtt/gopath
rm -rf "$gp"
mkdir -p "$gp/src/github.com/opencontainers" "$gp/src/github.com/mndrix"
ln -s "${tree%/}" "$gp/src/github.com/opencontainers/runtime-tools"
cp -r "$repo/tests/conformance/tap-go" "$gp/src/github.com/mndrix/tap-go"
# Debian packages gocapability under its old import path.
if [ ! -d /usr/share/gocode/src/github.com/syndtr/gocapability ]; then
	mkdir -p "$gp/src/github.com/syndtr"
	ln -s /usr/share/gocode/src/github.com/syndtr/gocapability "$gp/src/github.com/syndtr/gocapability"
fi
rm -rf "$out"
mkdir -p "$out"
export GO111MODULE=off GOPATH=$gp:/usr/share/gocode GOFLAGS= CGO_ENABLED=0 GOCACHE=$cache/rtt/gocache
cd "$gp/src/github.com/opencontainers/runtime-tools"
echo "build-conformance: building runtimetest and the validation programs"
go build -o "$out/runtimetest" ./cmd/runtimetest
n=0
for d in validation/*/; do
	name=$(basename "$d")
	[ "$name" = util ] && continue
	ls "$d"*.go >/dev/null 2>&1 || continue
	go build -o "$out/$name.t" "./$d"
	n=$((n + 1))
done
# The suite unpacks this rootfs into every bundle it makes.
cp rootfs-amd64.tar.gz "$out/"
touch "$stamp"
echo "build-conformance: $n validation programs in $out"
