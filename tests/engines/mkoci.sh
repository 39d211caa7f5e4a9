#!/usr/bin/env bash
# mkoci.sh ROOTFS-DIR OUT.tar NAME: writes an OCI image archive (image layout in a tar) holding
# ROOTFS-DIR as one uncompressed layer, tagged NAME, for `ctr image import` and `podman load`.
set -euo pipefail
src=$1 out=$2 name=$3
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mkdir -p "$w/blobs/sha256"
blob() { # blob FILE -> prints "digest size", moves FILE into blobs/
	local d s
	d=$(sha256sum "$1" | cut -d' ' -f1); s=$(stat -c %s "$1")
	mv "$1" "$w/blobs/sha256/$d"
	echo "$d $s"
}
tar -C "$src" --numeric-owner --owner=0 --group=0 --sort=name -cf "$w/layer" .
read -r ld ls < <(blob "$w/layer")
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
printf '{"architecture":"%s","os":"linux","config":{"Cmd":["sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
	"$arch" "$ld" >"$w/config"
read -r cd cs < <(blob "$w/config")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
	"$cd" "$cs" "$ld" "$ls" >"$w/manifest"
read -r md ms < <(blob "$w/manifest")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
	"$md" "$ms" "$name" "${name##*:}" >"$w/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$w/oci-layout"
tar -C "$w" -cf "$out" oci-layout index.json blobs
