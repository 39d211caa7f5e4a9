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

# import_detached ID [FLAG...]: `crbox restore -d --import` of $BUNDLE, work dir $IWORK,
# stdout /dev/null, stdin the caller's (for --import -). $TO_ROOT (default $ROOT/crbox) is
# the state root: another one stands for another machine.
import_detached() {
	local id=$1
	shift
	KNOWN_IDS+=("$id")
	"$CRBOX" --root "${TO_ROOT:-$ROOT/crbox}" --criu "$CRIU_BIN" restore -d --bundle "$BUNDLE" \
		--pid-file "$ROOT/$id.pid" --work-path "$IWORK" "$@" "$id" >/dev/null || return
	track_pid_file "$ROOT/$id.pid"
}

setup() {
	requires root criu
	fixture_setup
	CRIU_BIN=$(command -v criu)
	IWORK=$ROOT/iwork
}

# no_import_debris: no private import dir under $IWORK or the state root.
no_import_debris() {
	local d
	for d in "$IWORK"/crbox-import-* "$ROOT"/crbox/crbox-import-* "$ROOT"/crbox/crbox-export-*; do
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

# pack DIR: the members of an unpacked archive in DIR, manifest first, as a ustar stream.
pack() {
	tar -C "$1" --format=ustar -cf - manifest.json config.json checkpoint
}

# refused FILE TEXT: `restore --import FILE` fails with TEXT in its error, before CRIU ran
# (no restore.log), and leaves no import dir, state dir, process, mount or cgroup.
refused() {
	run import_detached ct --import - <"$1"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"$2"* ]]
	[ ! -e "$IWORK/restore.log" ]
	[ ! -e "$ROOT/crbox/ct" ]
	no_import_debris
	assert_no_leftovers ct
}

@test "archive: every kind of tampering is refused before CRIU runs, naming the member" {
	make_bundle "$BUNDLE"
	start_restored ct
	crbox checkpoint --export "$ROOT/good.tar" ct
	mkdir "$ROOT/x"
	tar -C "$ROOT/x" -xf "$ROOT/good.tar"
	pages=$(cd "$ROOT/x" && ls checkpoint/pages-*.img | head -1)

	cp -a "$ROOT/x" "$ROOT/t1"
	printf '\377' | dd of="$ROOT/t1/$pages" bs=1 seek=100 conv=notrunc status=none
	pack "$ROOT/t1" >"$ROOT/t1.tar"
	refused "$ROOT/t1.tar" "$pages: SHA-256 mismatch"

	cp -a "$ROOT/x" "$ROOT/t2"
	rm "$ROOT/t2/checkpoint/inventory.img"
	pack "$ROOT/t2" >"$ROOT/t2.tar"
	refused "$ROOT/t2.tar" "checkpoint/inventory.img is missing"

	cp -a "$ROOT/x" "$ROOT/t3"
	echo extra >"$ROOT/t3/checkpoint/extra.img"
	pack "$ROOT/t3" >"$ROOT/t3.tar"
	refused "$ROOT/t3.tar" "unexpected file checkpoint/extra.img"

	cp -a "$ROOT/x" "$ROOT/t4"
	truncate -s 1 "$ROOT/t4/$pages"
	pack "$ROOT/t4" >"$ROOT/t4.tar"
	refused "$ROOT/t4.tar" "$pages: size 1, the manifest says"

	head -c $(( $(stat -c %s "$ROOT/good.tar") / 2 )) "$ROOT/good.tar" >"$ROOT/t5.tar"
	refused "$ROOT/t5.tar" "truncated archive"

	# Names that leave the directory, and links.
	cp -a "$ROOT/x" "$ROOT/t6"
	echo evil >"$ROOT/t6/evil"
	(cd "$ROOT/t6" && tar --format=ustar -cf - manifest.json --transform 's,^evil,../evil,' evil) >"$ROOT/t6.tar"
	refused "$ROOT/t6.tar" 'name leaves the archive'
	[ ! -e "$IWORK/evil" ] && [ ! -e "$ROOT/evil" ]

	(cd "$ROOT/t6" && tar -P --format=ustar -cf - manifest.json "$ROOT/t6/evil") >"$ROOT/t7.tar"
	refused "$ROOT/t7.tar" "absolute name"

	cp -a "$ROOT/x" "$ROOT/t8"
	ln -s /etc "$ROOT/t8/checkpoint/link"
	pack "$ROOT/t8" >"$ROOT/t8.tar"
	refused "$ROOT/t8.tar" "unexpected entry checkpoint/link"

	cp -a "$ROOT/x" "$ROOT/t9"
	echo '{"crboxArchive": 1, "files": [' >"$ROOT/t9/manifest.json"
	pack "$ROOT/t9" >"$ROOT/t9.tar"
	refused "$ROOT/t9.tar" "manifest.json: offset"

	gzip -c "$ROOT/good.tar" >"$ROOT/t10.tar.gz"
	sz=$(stat -c %s "$ROOT/t10.tar.gz")
	cp "$ROOT/t10.tar.gz" "$ROOT/t11.tar.gz"
	printf '\125' | dd of="$ROOT/t10.tar.gz" bs=1 seek=$((sz / 2)) conv=notrunc status=none
	refused "$ROOT/t10.tar.gz" "archive stdin: "
	# The gzip trailer's CRC-32 is checked too.
	printf '\125' | dd of="$ROOT/t11.tar.gz" bs=1 seek=$((sz - 6)) conv=notrunc status=none
	refused "$ROOT/t11.tar.gz" "gzip: CRC-32 mismatch"

	# A Podman-less random tar is not taken for a checkpoint.
	tar -C "$ROOT/x" --format=ustar -cf "$ROOT/t11.tar" config.json
	refused "$ROOT/t11.tar" "not a checkpoint archive"

	# --keep-image: an existing DIR is refused; a DIR made for a tampered archive is removed.
	mkdir "$ROOT/kept"
	run import_detached ct --import "$ROOT/good.tar" --keep-image "$ROOT/kept"
	[ "$status" -eq 1 ] && [[ $output == *"--keep-image $ROOT/kept: File exists"* ]]
	rmdir "$ROOT/kept"
	run import_detached ct --import "$ROOT/t1.tar" --keep-image "$ROOT/kept"
	[ "$status" -eq 1 ] && [ ! -e "$ROOT/kept" ]

	# And the untouched archive still restores. (The dump may have caught the counter between
	# truncating /count and writing it: then the base is 0.)
	c=$(read_count 2>/dev/null || echo 0)
	import_detached ct --import "$ROOT/good.tar" --keep-image "$ROOT/kept"
	carries_on "$c" >/dev/null
	[ -f "$ROOT/kept/checkpoint/inventory.img" ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "archive: --print-stats on checkpoint and restore prints Podman-shaped JSON" {
	make_bundle "$BUNDLE"
	start_restored ct
	crbox_checkpoint ct --print-stats >"$ROOT/cs.json"
	jq . "$ROOT/cs.json"
	jq -e '(keys == ["container_statistics", "crbox_checkpoint_duration"]) and
		.crbox_checkpoint_duration > 0 and (.container_statistics | length) == 1 and
		.container_statistics[0].Id == "ct" and
		.container_statistics[0].runtime_checkpoint_duration > 0 and
		.container_statistics[0].runtime_checkpoint_duration <= .crbox_checkpoint_duration and
		(.container_statistics[0].criu_statistics | (.freezing_time | type) == "number" and
		 .frozen_time > 0 and .memdump_time >= 0 and .memwrite_time >= 0 and
		 .pages_scanned > 0 and .pages_written > 0)' "$ROOT/cs.json"
	c=$(read_count)
	KNOWN_IDS+=(ct)
	crbox restore -d --bundle "$BUNDLE" --image-path "$IMAGES" --work-path "$WORK" \
		--pid-file "$ROOT/ct.pid" --print-stats ct >"$ROOT/rs.json"
	track_pid_file "$ROOT/ct.pid"
	jq . "$ROOT/rs.json"
	jq -e '.crbox_restore_duration > 0 and .container_statistics[0].Id == "ct" and
		.container_statistics[0].runtime_restore_duration > 0 and
		(.container_statistics[0].criu_statistics | .forking_time >= 0 and
		 .restore_time > 0 and has("pages_restored"))' "$ROOT/rs.json"
	carries_on "$c" >/dev/null
	crbox delete -f ct
	assert_no_leftovers ct
}

# leftovers_of_check: what `crbox check` must not leave in /tmp.
check_tmp() {
	ls -d /tmp/crbox-check-* /tmp/crbox-import-* 2>/dev/null | sort
}

@test "archive: check --image-path/--import says OK where the restore works" {
	make_bundle "$BUNDLE"
	start_restored ct
	crbox checkpoint --image-path "$IMAGES" --export "$ROOT/ct.tar" ct
	before=$(check_tmp)
	run "$CRBOX" check --image-path "$IMAGES" --bundle "$BUNDLE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *FAIL* ]]
	grep -q '^OK   images: ' <<<"$output"
	grep -q '^OK   criu version: .*images written by' <<<"$output"
	grep -q '^OK   cpu: CRIU.s CPUINFO_CHECK accepts this CPU' <<<"$output"
	grep -q '^OK   bind mounts: ' <<<"$output"
	grep -q '^OK   memory: ' <<<"$output"
	grep -q "^OK   kernel features: .*time namespaces" <<<"$output"
	run "$CRBOX" check --import "$ROOT/ct.tar" --bundle "$BUNDLE" --format json
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e 'all(.[]; .status != "FAIL") and any(.[]; .name == "archive" and .status == "OK")
		and any(.[]; .name == "cgroup layout" and .status == "OK")' <<<"$output"
	[ "$(check_tmp)" = "$before" ]
	# And the prediction holds.
	c=$(read_count)
	import_detached ct --import "$ROOT/ct.tar"
	carries_on "$c" >/dev/null
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "archive: check says FAIL for a missing bind source, a missing netns path, an old criu" {
	make_bundle "$BUNDLE"
	mkdir "$ROOT/src"
	set_cfg '.mounts += [{"destination": "/data", "type": "bind", "source": "'"$ROOT/src"'", "options": ["rbind"]}]'
	start_restored ct
	crbox checkpoint --image-path "$IMAGES" --export "$ROOT/ct.tar" ct
	before=$(check_tmp)

	rmdir "$ROOT/src"
	run "$CRBOX" check --image-path "$IMAGES" --bundle "$BUNDLE"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "^FAIL bind mount: source $ROOT/src of the mount at /data is missing" <<<"$output"
	run crbox_restore_detached ct --image-path "$IMAGES"
	[ "$status" -ne 0 ]
	assert_no_leftovers ct
	mkdir "$ROOT/src"

	cp "$BUNDLE/config.json" "$ROOT/config.saved"
	set_cfg '.linux.namespaces |= map(if .type == "network" then .path = "/run/netns/crbox-it-none" else . end)'
	run "$CRBOX" check --import "$ROOT/ct.tar" --bundle "$BUNDLE"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "^FAIL namespace: network namespace path /run/netns/crbox-it-none does not exist" <<<"$output"
	run crbox_restore_detached ct --image-path "$IMAGES"
	[ "$status" -ne 0 ]
	assert_no_leftovers ct
	cp "$ROOT/config.saved" "$BUNDLE/config.json"

	# A CRIU below 3.15, and one older than the CRIU that wrote the archive (fake criu).
	[ -x "$REPO/build/tools/fake-criu" ] || skip "make tools first (build/tools/fake-criu)"
	run env FAKE_CRIU_VERSION=3.14.2 "$CRBOX" --criu "$REPO/build/tools/fake-criu" check --image-path "$IMAGES" --bundle "$BUNDLE"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "^FAIL criu version: criu too old: found 3.14.2" <<<"$output"
	v=$(criu --version | sed -n 's/^Version: //p')
	run env FAKE_CRIU_VERSION=3.15.0 "$CRBOX" --criu "$REPO/build/tools/fake-criu" check --import "$ROOT/ct.tar" --bundle "$BUNDLE"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -q "^FAIL criu version: 3.15.0 here is older than $v, which wrote the images" <<<"$output"
	run env FAKE_CRIU_VERSION=3.15.0 "$CRBOX" --criu "$REPO/build/tools/fake-criu" restore -d \
		--bundle "$BUNDLE" --work-path "$IWORK" --import "$ROOT/ct.tar" ct
	[ "$status" -ne 0 ]
	[ "$(check_tmp)" = "$before" ]
	no_import_debris
	assert_no_leftovers ct
}

# podman ARG...: Debian's Podman 4.3 with runc and private storage under $ROOT (vfs: no
# storage mounts), cgroupfs, file events and no network, as this host needs. Its runtime gets
# only PATH from podman, so CRIU_FAULT reaches criu through a wrapper first in PATH.
podman_() {
	PATH=$ROOT/wrap:$PATH command podman --root "$ROOT/pstore" --runroot "$ROOT/prun" \
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
		--runtime "$(command -v runc)" "$@"
}

@test "archive: a Podman 4.3 export (zstd) restores with crbox alone, rootfs diff applied" {
	command -v podman >/dev/null || skip "podman not installed (scripts/setup.sh installs it)"
	mkdir -p "$ROOT/wrap" "$ROOT/img/bin" "$ROOT/img/tmp"
	printf '#!/bin/sh\nCRIU_FAULT=130 exec %s "$@"\n' "$(command -v criu)" >"$ROOT/wrap/criu"
	chmod +x "$ROOT/wrap/criu"
	cp /bin/busybox "$ROOT/img/bin/"
	for a in sh sleep echo cat; do ln -s busybox "$ROOT/img/bin/$a"; done
	tar -C "$ROOT/img" -cf "$ROOT/img.tar" .
	podman_ import "$ROOT/img.tar" localhost/crbox-it:1 >/dev/null
	# The host's hard limits are below Podman's defaults (NOFILE 20000 here).
	podman_ run -d --name pc --network none --ulimit nofile="$(ulimit -Hn):$(ulimit -Hn)" \
		--ulimit nproc=1024:1024 localhost/crbox-it:1 \
		sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/c; sleep 0.1; done' >/dev/null
	sleep 1.5
	podman_ container checkpoint --export "$ROOT/pc.tar.zst" pc
	# The far side has only the image and the archive: the container is gone from Podman.
	mkdir -p "$ROOT/pb/rootfs"
	podman_ create --name tmpc localhost/crbox-it:1 sh >/dev/null
	podman_ export tmpc | tar -C "$ROOT/pb/rootfs" -x
	podman_ rm -f tmpc pc >/dev/null
	[ ! -e "$ROOT/pb/rootfs/tmp/c" ]
	c=$(tar -xOf <(zstd -dc "$ROOT/pc.tar.zst") rootfs-diff.tar | tar -xOf - tmp/c)

	# The dry run agrees: restorable, Podman's bind sources will get stand-ins.
	run "$CRBOX" check --import "$ROOT/pc.tar.zst" --bundle "$ROOT/pb"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^WARN bind mount: Podman's source .* of the mount at /etc/hostname is missing" <<<"$output"
	grep -q "^OK   rootfs: $ROOT/pb/rootfs present" <<<"$output"
	[ ! -e "$ROOT/pb/config.json" ]
	KNOWN_IDS+=(pc)
	"$CRBOX" --root "$ROOT/crbox" restore -d --bundle "$ROOT/pb" --work-path "$IWORK" \
		--pid-file "$ROOT/pc.pid" --import "$ROOT/pc.tar.zst" pc </dev/null >/dev/null
	track_pid_file "$ROOT/pc.pid"
	[ "$(status_of crbox pc)" = running ]
	# The spec was written into the bundle with root.path there; Podman's own bind sources
	# (hostname, hosts, .containerenv, the shm dir) got stand-ins.
	[ "$(jq -r .root.path "$ROOT/pb/config.json")" = "$ROOT/pb/rootfs" ]
	[ -d "$ROOT/pb/.crbox-podman" ]
	jq -r '.mounts[] | select(.type == "bind") | .source' "$ROOT/pb/config.json" | while read -r s; do
		[ -e "$s" ]
	done
	# The counter carries on from the value in the archive's rootfs diff.
	v=$(cat "$ROOT/pb/rootfs/tmp/c")
	[ "$v" -ge "$c" ]
	sleep 1
	v2=$(cat "$ROOT/pb/rootfs/tmp/c")
	[ "$v2" -gt "$v" ] && [ "$v2" -le $((c + 40)) ]
	no_import_debris
	crbox delete -f pc
	podman_ rmi -f localhost/crbox-it:1 >/dev/null 2>&1 || true
	assert_no_leftovers pc
}

@test "interop: --ext-mount-keys crun writes crun's masked-file keys; crbox maps them, runc cannot" {
	make_bundle "$BUNDLE"
	start_restored ct
	run crbox_checkpoint ct --ext-mount-keys podman
	[ "$status" -eq 1 ]
	[[ $output == *"--ext-mount-keys podman: use runc (default) or crun"* ]]
	[ "$(status_of crbox ct)" = running ]
	crbox_checkpoint ct --ext-mount-keys crun --image-path "$ROOT/crun-keys"
	# runc 1.1 maps only /dev/null: CRIU finds no mapping for the masked files' crun keys.
	run runc_restore_detached ct --image-path "$ROOT/crun-keys" --work-path "$ROOT/rw"
	[ "$status" -ne 0 ]
	grep -q "No mapping for" "$ROOT/rw/restore.log"
	runc delete -f ct 2>/dev/null || true
	assert_no_leftovers ct
	# crbox maps every masked path: the counter carries on.
	c=$(read_count)
	crbox_restore_detached ct --image-path "$ROOT/crun-keys" --work-path "$ROOT/cw"
	carries_on "$c" >/dev/null
	crbox delete -f ct
	assert_no_leftovers ct
	# Without the masked paths in config.json, the error names the mount and its key, and
	# the headline is not CRIU's benign rlimit line.
	set_cfg '.linux.maskedPaths = []'
	run crbox_restore_detached ct --image-path "$ROOT/crun-keys" --work-path "$ROOT/cw2"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *'CRIU has no mapping for the external mount at /proc/'*'(image key \"/proc/'*'the key was written by crun'* ]]
	[[ $output != *'level=error msg="criu failed: type RESTORE errno 0: Error (criu/util.c:'*'rlimit'* ]]
	assert_no_leftovers ct
}
