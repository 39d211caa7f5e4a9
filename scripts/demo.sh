#!/usr/bin/env bash
# The demo: runc checkpoints a counting busybox container, crbox restores it and the count
# carries on; crbox checkpoints it and restores it again; then crbox creates the container
# itself (run -d), checkpoints and restores it. Installs what is missing first.
# Run as root on Debian 12: bash scripts/demo.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
say() { printf '[demo] %s\n' "$*"; }

say "1/7 installing dependencies and building crbox"
bash "$here/scripts/setup.sh" >/dev/null
make -s -C "$here" >/dev/null
crbox=$here/build/crbox
export CRIU_FAULT=${CRIU_FAULT-130}   # hardware breakpoints do not fire in some VMs

work=$(mktemp -d /tmp/crbox-demo.XXXXXX)
id=crbox-demo-$$
cleanup() {
	"$crbox" --root "$work/crbox" delete -f "$id" >/dev/null 2>&1 || true
	runc --root "$work/runc" delete -f "$id" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

say "2/7 making a busybox container that counts (bundle in $work/bundle)"
mkdir -p "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -sf busybox "$work/bundle/rootfs/bin/$a"
done
cd "$work/bundle"
runc spec
jq '.root.readonly = false | .process.terminal = false | .process.args =
    ["/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /count.new; mv /count.new /count; sleep 0.1; done"]' \
	config.json > config.json.new && mv config.json.new config.json
# The counter renames a new file over /count, so a checkpoint never catches it empty.
count() { local v; v=$(cat "$work/bundle/rootfs/count" 2>/dev/null); echo "${v:-0}"; }
wait_above() { local n=$1 i; for i in $(seq 100); do [ "$(count)" -gt "$n" ] && return 0; sleep 0.1; done; return 1; }

say "3/7 runc runs it and checkpoints it"
runc --root "$work/runc" run -d "$id" </dev/null >/dev/null 2>&1
wait_above 10
runc --root "$work/runc" checkpoint --image-path "$work/img1" --work-path "$work/w1" "$id"
c1=$(count)

say "4/7 crbox restores it: count was $c1 at the checkpoint"
"$crbox" --root "$work/crbox" restore -d --image-path "$work/img1" "$id" </dev/null >/dev/null 2>&1
wait_above "$((c1 + 5))"
say "    count now $(count), carrying on from $c1 (pid $("$crbox" --root "$work/crbox" state "$id" | jq .pid))"

say "5/7 crbox checkpoints it and restores it again"
"$crbox" --root "$work/crbox" checkpoint --image-path "$work/img2" "$id"
c2=$(count)
"$crbox" --root "$work/crbox" restore -d --image-path "$work/img2" "$id" </dev/null >/dev/null 2>&1
wait_above "$((c2 + 5))"
say "    count was $c2 at the second checkpoint, now $(count)"

say "6/7 crbox makes a container itself (crbox run -d), checkpoints and restores it"
"$crbox" --root "$work/crbox" delete -f "$id"
rm -f "$work/bundle/rootfs/count"
"$crbox" --root "$work/crbox" run -d "$id" </dev/null >/dev/null 2>&1
wait_above 10
say "    created by crbox: pid $("$crbox" --root "$work/crbox" state "$id" | jq .pid), count $(count)"
"$crbox" --root "$work/crbox" checkpoint --image-path "$work/img3" "$id"
c3=$(count)
"$crbox" --root "$work/crbox" restore -d --image-path "$work/img3" "$id" </dev/null >/dev/null 2>&1
wait_above "$((c3 + 5))"
say "    count was $c3 at the checkpoint, now $(count)"

say "7/7 cleaning up"
"$crbox" --root "$work/crbox" delete -f "$id"
trap - EXIT
cleanup
say "done"
