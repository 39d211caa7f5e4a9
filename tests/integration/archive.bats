#!/usr/bin/env bats
# Checkpoints that travel (issue 17): `checkpoint --export` and `restore --import` over a pipe,
# plain, gzip (built-in inflater) and zstd; every kind of tampering refused before CRIU runs
# with nothing left behind; --print-stats; the crbox archive format made by hand from a runc
# checkpoint (docs/archive.md) restores too.

load helpers

# start_restored ID: runc runs the counter bundle and checkpoints it; crbox restores it.
start_restored() {
	runc_run_detached "$1"
	wait_count_above 3 >/dev/null
	runc_checkpoint "$1" --image-path "$ROOT/seed"
	crbox_restore_detached "$1" --image-path "$ROOT/seed"
	wait_count_above "$(read_count)" >/dev/null
}

# carries_on C: the counter moves on from C after a restore, without restarting.
carries_on() {
	local v
	rm -f "$BUNDLE/rootfs/count"
	v=$(wait_count_above 0)
	[ "$v" -gt "$1" ] || { echo "counter restarted: $v after $1" >&2; return 1; }
	echo "$v"
}

# import_detached ID [FLAG...]: `crbox restore -d --import` of $BUNDLE, work dir $WORK,
# stdout /dev/null, stdin the caller's (for --import -). $TO_ROOT (default $ROOT/crbox) is
# the state root: another one stands for another machine.
import_detached() {
	local id=$1
	shift
	KNOWN_IDS+=("$id")
	"$CRBOX" --root "${TO_ROOT:-$ROOT/crbox}" --criu "$CRIU_BIN" restore -d --bundle "$BUNDLE" \
		--pid-file "$ROOT/$id.pid" --work-path "$WORK" "$@" "$id" >/dev/null || return
	track_pid_file "$ROOT/$id.pid"
}

setup() {
	requires root criu
	fixture_setup
	CRIU_BIN=$(command -v criu)
}

# no_import_debris: no private import dir under $WORK or the state root.
no_import_debris() {
	local d
	for d in "$WORK"/crbox-import-* "$ROOT"/crbox/crbox-import-* "$ROOT"/crbox/crbox-export-*; do
		[ -e "$d" ] && { echo "debris: $d" >&2; return 1; }
	done
	return 0
}

# archive_of_images DIR CONFIG: a crbox archive written with tar, jq and sha256sum alone, as
# docs/archive.md describes it (manifest.json first, config.json, checkpoint/*).
archive_of_images() {
	local dir=$1 cfg=$2 t
	t=$(mktemp -d "$ROOT/mk.XXXXXX")
	mkdir "$t/checkpoint"
	cp -a "$dir"/. "$t/checkpoint/"
	cp "$cfg" "$t/config.json"
	(cd "$t" && find config.json checkpoint -type f | sort | while read -r f; do
		printf '{"name":"%s","size":%s,"sha256":"%s"}\n' "$f" "$(stat -c %s "$f")" \
			"$(sha256sum "$f" | cut -d' ' -f1)"
	done | jq -s '{crboxArchive: 1, files: .}' >manifest.json)
	tar -C "$t" --format=ustar -cf - manifest.json config.json checkpoint
	rm -rf "$t"
}

@test "archive: export to a pipe, import from it: the counter carries on (crbox-made)" {
	make_bundle "$BUNDLE"
	start_restored ct
	c=$(read_count)
	# The far end is another state root, as on another machine.
	crbox checkpoint --work-path "$WORK" --export - ct | TO_ROOT=$ROOT/far import_detached ct --import -
	[ "$(status_of crbox ct)" = absent ]
	[ "$("$CRBOX" --root "$ROOT/far" state ct | jq -r .status)" = running ]
	carries_on "$c"
	no_import_debris
	[ -z "$(ls -A "$ROOT/far" | grep -v '^ct$' | grep -v '@')" ]
	# No image dir was left where --image-path would default to.
	[ ! -e "$ROOT/checkpoint" ]
	"$CRBOX" --root "$ROOT/far" delete -f ct
	assert_no_leftovers ct
	[ ! -e "$ROOT/far/ct" ]
}

@test "archive: gzip (built-in inflater) and zstd archives round-trip through files" {
	make_bundle "$BUNDLE"
	start_restored ct
	crbox checkpoint --export "$ROOT/ct.tar.gz" --compress gzip ct
	[ "$(head -c 2 "$ROOT/ct.tar.gz" | od -An -tx1 | tr -d ' ')" = 1f8b ]
	c=$(read_count)
	# crbox inflates with its own code (CRIU itself still runs tar/gzip for tmpfs mounts,
	# so PATH cannot be emptied here; t_archive tests the inflater alone).
	import_detached ct --import "$ROOT/ct.tar.gz"
	carries_on "$c" >/dev/null
	if command -v zstd >/dev/null; then
		crbox checkpoint --export "$ROOT/ct.tar.zst" --compress zstd ct
		c=$(read_count)
		import_detached ct --import - <"$ROOT/ct.tar.zst"
		carries_on "$c" >/dev/null
	fi
	no_import_debris
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "archive: a runc checkpoint packed by hand per docs/archive.md restores over a pipe" {
	make_bundle "$BUNDLE"
	runc_run_detached ct
	wait_count_above 3 >/dev/null
	runc_checkpoint ct
	c=$(read_count)
	archive_of_images "$IMAGES" "$BUNDLE/config.json" | import_detached ct --import -
	carries_on "$c" >/dev/null
	no_import_debris
	crbox delete -f ct
	assert_no_leftovers ct
}
