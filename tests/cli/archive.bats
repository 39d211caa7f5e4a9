#!/usr/bin/env bats
# The archive flags without root or CRIU: flag combinations refused up front, and
# `restore --import` verifying an archive (made here with tar, jq and sha256sum, the format
# of docs/archive.md) before anything else: tampering refused naming the member, nothing
# left under --work-path or the state root. The valgrind layer runs these too.

load helpers

setup() {
	cli_setup
	mkdir -p "$TMP/a/checkpoint" "$TMP/w"
	printf 'CRIU' >"$TMP/a/checkpoint/inventory.img"
	printf '["/dev/null","/dev/null","/dev/null"]' >"$TMP/a/checkpoint/descriptors.json"
	echo '{}' >"$TMP/a/config.json"
	manifest "$TMP/a"
}

teardown() {
	cli_teardown
}

# manifest DIR: DIR/manifest.json for the files under DIR.
manifest() {
	(cd "$1" && find config.json checkpoint -type f | sort | while read -r f; do
		printf '{"name":"%s","size":%s,"sha256":"%s"}\n' "$f" "$(stat -c %s "$f")" \
			"$(sha256sum "$f" | cut -d' ' -f1)"
	done | jq -s '{crboxArchive: 1, files: .}' >manifest.json)
}

pack() {
	tar -C "$1" --format=ustar -cf - manifest.json config.json checkpoint
}

# imports ARCHIVE: restore --import of it; sets status/output; checks nothing is left.
imports() {
	run --separate-stderr "$CRBOX" --root "$ROOT" restore --work-path "$TMP/w" \
		--bundle "$TMP" --import "$1" ct
	[ -z "$(ls -A "$TMP/w")" ]
	[ ! -e "$ROOT" ] || [ -z "$(ls -A "$ROOT" | grep -v '^criu@version$')" ]
}

@test "archive flags: --keep-image needs --import; --import excludes --image-path" {
	run --separate-stderr "$CRBOX" --root "$ROOT" restore --keep-image "$TMP/k" ct
	[ "$status" -eq 1 ]
	[ "$(logmsg "$stderr")" = "--keep-image needs --import" ]
	run --separate-stderr "$CRBOX" --root "$ROOT" restore --import "$TMP/x.tar" --image-path "$TMP" ct
	[ "$status" -eq 1 ]
	[ "$(logmsg "$stderr")" = "--import and --image-path cannot be used together" ]
	run --separate-stderr "$CRBOX" check --import "$TMP/x.tar" --image-path "$TMP"
	[ "$status" -eq 1 ]
	[ "$(logmsg "$stderr")" = "--image-path and --import cannot be used together" ]
	[ ! -e "$TMP/k" ]
}

@test "archive: a missing archive and a non-archive are refused, nothing left" {
	imports "$TMP/none.tar"
	[ "$status" -eq 1 ]
	[ "$(logmsg "$stderr")" = "open archive $TMP/none.tar: No such file or directory" ]
	echo hello >"$TMP/text"
	imports "$TMP/text"
	[ "$status" -eq 1 ]
	[[ $(logmsg "$stderr") == *"truncated archive"* ]]
}

@test "archive: every member is verified against the manifest before anything runs" {
	cp -a "$TMP/a" "$TMP/b"
	printf 'CRIX' >"$TMP/b/checkpoint/inventory.img"
	pack "$TMP/b" >"$TMP/flip.tar"
	imports "$TMP/flip.tar"
	[ "$status" -eq 1 ]
	[ "$(logmsg "$stderr")" = "archive $TMP/flip.tar: checkpoint/inventory.img: SHA-256 mismatch (altered or damaged)" ]

	cp -a "$TMP/a" "$TMP/c"
	echo x >"$TMP/c/checkpoint/extra.img"
	pack "$TMP/c" >"$TMP/extra.tar"
	imports "$TMP/extra.tar"
	[ "$(logmsg "$stderr")" = "archive $TMP/extra.tar: unexpected file checkpoint/extra.img (not in the manifest)" ]

	cp -a "$TMP/a" "$TMP/d"
	rm "$TMP/d/checkpoint/descriptors.json"
	pack "$TMP/d" >"$TMP/missing.tar"
	imports "$TMP/missing.tar"
	[ "$(logmsg "$stderr")" = "archive $TMP/missing.tar: checkpoint/descriptors.json is missing (listed in the manifest)" ]

	# gzip-compressed, read by the built-in inflater: the same verification.
	gzip -c "$TMP/flip.tar" >"$TMP/flip.tar.gz"
	imports "$TMP/flip.tar.gz"
	[ "$(logmsg "$stderr")" = "archive $TMP/flip.tar.gz: checkpoint/inventory.img: SHA-256 mismatch (altered or damaged)" ]

	# --keep-image DIR made for a refused archive is removed again.
	run --separate-stderr "$CRBOX" --root "$ROOT" restore --bundle "$TMP" \
		--import "$TMP/flip.tar" --keep-image "$TMP/kept" ct
	[ "$status" -eq 1 ]
	[ ! -e "$TMP/kept" ]
}

@test "archive: the intact archive passes verification (and fails later, at the images)" {
	pack "$TMP/a" | {
		run --separate-stderr "$CRBOX" --root "$ROOT" restore --work-path "$TMP/w" \
			--bundle "$TMP" --import - ct
		echo "$stderr"
		[ "$status" -eq 1 ]
		# Past the archive: the images themselves are judged (inventory.img is fake).
		[[ $(logmsg "$stderr") != *archive* ]]
	}
	[ -z "$(ls -A "$TMP/w")" ]
	# No config.json in the bundle: the archive's was written there and removed again.
	[ ! -e "$TMP/config.json" ]
}

@test "archive: an archive made on another machine type is refused, nothing left" {
	jq '.arch = "sparc64"' "$TMP/a/manifest.json" >"$TMP/m" && mv "$TMP/m" "$TMP/a/manifest.json"
	pack "$TMP/a" >"$TMP/sparc.tar"
	imports "$TMP/sparc.tar"
	[ "$status" -eq 1 ]
	# "this host" is the machine crbox sees (under qemu-user: the emulated one)
	[[ "$(logmsg "$stderr")" == "archive $TMP/sparc.tar was made on sparc64; this host is "* ]]
	[[ "$(logmsg "$stderr")" != *"this host is sparc64" ]]
}
