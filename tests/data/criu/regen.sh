#!/bin/sh
# Regenerates the golden .bin files from the .txtpb files with Google's protoc (not protoc-c),
# so the bytes come from an encoder independent of the protobuf-c code t_criu checks.
# Run from anywhere; needs protoc. Files whose name ends in -resp are criu_resp, others criu_req.
set -e
cd "$(dirname "$0")"
P=../../../vendor-proto
for f in *.txtpb; do
	case $f in *-resp.txtpb) m=criu_resp ;; *) m=criu_req ;; esac
	grep -v '^#' "$f" | protoc -I"$P" --encode=$m "$P/criu-rpc.proto" > "${f%.txtpb}.bin"
done
