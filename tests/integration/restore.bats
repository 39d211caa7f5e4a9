#!/usr/bin/env bats
# crbox restore of checkpoints made by Debian's runc, on real CRIU: every behaviour of the
# restore issue, each failure path with its exit status, message and leftover check.

load helpers

# ckpt_runc ID: runs the counter bundle with runc and checkpoints it; prints the last count.
ckpt_runc() {
	runc_run_detached "$1"
	wait_count_above 3 >/dev/null
	runc_checkpoint "$1"
	[ "$(status_of runc "$1")" = absent ]
	read_count
}

# restored_from C: the counter carries on from C (it would restart at 1 otherwise).
restored_from() {
	local c=$1 v
	rm -f "$BUNDLE/rootfs/count"
	v=$(wait_count_above 0)
	[ "$v" -gt "$c" ] || { echo "counter restarted: $v after $c" >&2; return 1; }
	[ "$v" -le $((c + 10)) ]
}

@test "restore: a runc checkpoint restores with crbox -d and the counter carries on" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	save_image_sums "$IMAGES" "$ROOT/sums"
	crbox_restore_detached ct
	restored_from "$c"
	[ "$(status_of crbox ct)" = running ]
	pid=$(pid_of crbox ct)
	# --pid-file: the restored init's pid, written without a newline.
	[ "$(cat "$ROOT/ct.pid")" = "$pid" ]
	[ "$(tail -c 1 "$ROOT/ct.pid" | od -An -c | tr -d ' ')" != '\n' ]
	# The restored init is in the container's cgroup and a new time namespace is recorded.
	grep -q ":/$TAG\$" "/proc/$pid/cgroup"
	state=$(cat "$ROOT/crbox/ct/state.json")
	[ "$(jq -r '.namespace_paths.NEWTIME' <<<"$state")" = "/proc/$pid/ns/time" ]
	[ "$(jq -r '.init_process_start' <<<"$state")" = "$(cut -d' ' -f22 <"/proc/$pid/stat")" ]
	# Images are never written by restore; the log is in the state dir instead.
	assert_image_sums "$IMAGES" "$ROOT/sums"
	[ ! -e "$IMAGES/restore.log" ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore: the restore symlink and the crbox applet behave the same" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	mkdir "$ROOT/bin"
	"$CRBOX" --install "$ROOT/bin"
	[ "$(readlink "$ROOT/bin/restore")" != "" ]
	"$ROOT/bin/restore" --root "$ROOT/crbox" -d --image-path "$IMAGES" --bundle "$BUNDLE" ct \
		</dev/null >/dev/null
	KNOWN_IDS+=(ct)
	restored_from "$c"
	"$ROOT/bin/delete" --root "$ROOT/crbox" -f ct
	assert_no_leftovers ct
}

@test "restore: stdio pipes from descriptors.json are re-plumbed" {
	make_pong_bundle "$BUNDLE"
	runc_run_with_pipes ct
	pipes_ping before
	runc_checkpoint ct
	grep -q 'pipe:' "$IMAGES/descriptors.json"
	crbox_restore_with_pipes ct
	pipes_ping after
	pipes_ping again
	[ -z "$(pipes_stderr)" ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore: a terminal container's pty master arrives on --console-socket" {
	make_bundle "$BUNDLE" /bin/sh -c 'while read x; do echo "got $x"; done'
	set_cfg '.process.terminal = true'
	start_recvtty --mode capture "$ROOT/console" --send 'hello\n' --payload-file "$ROOT/payload"
	runc_run_detached ct --console-socket "$CONSOLE_SOCKET"
	for i in $(seq 50); do grep -q 'got hello' "$ROOT/console" && break; sleep 0.1; done
	runc_checkpoint ct
	crbox_restore_detached ct --console-socket "$CONSOLE_SOCKET"
	for i in $(seq 50); do [ "$(grep -c 'got hello' "$ROOT/console")" -ge 2 ] && break; sleep 0.1; done
	[ "$(grep -c 'got hello' "$ROOT/console")" -eq 2 ]
	[ "$(sed -n 2p "$ROOT/payload")" = orphan-pts-master ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore: -d of a terminal container without --console-socket fails before anything" {
	make_bundle "$BUNDLE"
	set_cfg '.process.terminal = true'
	mkdir -p "$IMAGES" && : >"$IMAGES/inventory.img"
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"cannot allocate tty if crbox will detach without setting console socket"* ]]
	run -1 crbox restore --console-socket "$ROOT/x.sock" --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"cannot use console socket"* ]]
	[ ! -e "$ROOT/crbox/ct" ]
}

@test "restore: foreground restore propagates the exit status and forwards SIGTERM" {
	make_bundle "$BUNDLE" /bin/sh -c "trap 'exit 7' TERM; $COUNTER_SCRIPT"
	c=$(ckpt_runc ct)
	KNOWN_IDS+=(ct)
	"$CRBOX" --root "$ROOT/crbox" restore --image-path "$IMAGES" --work-path "$WORK" \
		--bundle "$BUNDLE" ct </dev/null >/dev/null 2>"$ROOT/fg.err" &
	fg=$!
	restored_from "$c"
	pid=$(pid_of crbox ct)
	# The init is crbox's child (CRIU's rst_sibling).
	[ "$(awk '{print $4}' "/proc/$pid/stat")" = "$fg" ]
	# CRIU is done: crbox holds no fd of the image or work dir while it waits (they would
	# pin those filesystems for the container's whole life).
	for i in $(seq 50); do [ "$(status_of crbox ct)" = running ] && break; sleep 0.1; done
	held=$(ls -l "/proc/$fg/fd" | grep -E -- "-> ($IMAGES|$WORK)\$" || true)
	[ -z "$held" ] || { echo "still open: $held" >&2; false; }
	kill -TERM "$fg"
	st=0
	wait "$fg" || st=$?
	[ "$st" -eq 7 ]
	[ "$(status_of crbox ct)" = absent ]
	assert_no_leftovers ct
}

@test "restore: foreground restore exits 128+signal when the init is killed" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	KNOWN_IDS+=(ct)
	"$CRBOX" --root "$ROOT/crbox" restore --image-path "$IMAGES" --bundle "$BUNDLE" ct \
		</dev/null >/dev/null 2>&1 &
	fg=$!
	restored_from "$c"
	kill -KILL "$(pid_of crbox ct)"
	st=0
	wait "$fg" || st=$?
	[ "$st" -eq 137 ]
	assert_no_leftovers ct
}

@test "restore: bind mount, nested bind mount and a destination behind a symlink" {
	make_bundle "$BUNDLE"
	mkdir -p "$ROOT/bind1" "$ROOT/bind2" "$ROOT/bind3" "$BUNDLE/rootfs/real/conf"
	echo one >"$ROOT/bind1/file"
	echo three >"$ROOT/bind3/file"
	ln -s /real/conf "$BUNDLE/rootfs/conf"
	set_cfg --arg b1 "$ROOT/bind1" --arg b2 "$ROOT/bind2" --arg b3 "$ROOT/bind3" \
		'.mounts += [{destination: "/test", type: "bind", source: $b1, options: ["rbind"]},
		             {destination: "/test/for/nested", type: "bind", source: $b2, options: ["rbind"]},
		             {destination: "/conf", type: "bind", source: $b3, options: ["bind"]}]'
	c=$(ckpt_runc ct)
	# The nested mountpoint lived inside bind1: restore must make it again.
	rm -rf "$ROOT/bind1/test" "$ROOT/bind1/for"
	crbox_restore_detached ct --debug 2>"$ROOT/debug.log" || { cat "$ROOT/debug.log" >&2; false; }
	restored_from "$c"
	pid=$(pid_of crbox ct)
	[ "$(cat "/proc/$pid/root/test/file")" = one ]
	[ "$(cat "/proc/$pid/root/real/conf/file")" = three ]
	grep -q ' /test/for/nested ' "/proc/$pid/mountinfo"
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore: an external network namespace keeps its inode" {
	ns=crbox-it-${ROOT##*.}
	ip netns add "$ns"
	set_cfg_ns() { set_cfg --arg p "/var/run/netns/$ns" '(.linux.namespaces[] | select(.type == "network")) |= {type: "network", path: $p}'; }
	make_bundle "$BUNDLE"
	set_cfg_ns
	want=$(readlink "/var/run/netns/$ns" 2>/dev/null || stat -L -c 'net:[%i]' "/var/run/netns/$ns")
	c=$(ckpt_runc ct)
	crbox_restore_detached ct
	restored_from "$c"
	pid=$(pid_of crbox ct)
	[ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$(stat -L -c %i "/var/run/netns/$ns")" ]
	crbox delete -f ct
	ip netns del "$ns"
	assert_no_leftovers ct
}

@test "restore: --manage-cgroups-mode ignore restores into a new cgroupsPath under a new id" {
	make_bundle "$BUNDLE"
	set_cfg '.linux.resources.pids.limit = 100'
	c=$(ckpt_runc ct)
	old=$CG_PATH
	set_cgroups_path "/$TAG-new"
	crbox_restore_detached ct2 --manage-cgroups-mode ignore
	restored_from "$c"
	pid=$(pid_of crbox ct2)
	grep -q "pids:/$TAG-new\$" "/proc/$pid/cgroup"
	[ "$(cat "/sys/fs/cgroup/pids/$TAG-new/pids.max")" = 100 ]
	[ ! -d "/sys/fs/cgroup/pids$old" ]
	crbox delete -f ct2
	assert_no_leftovers ct ct2
}

@test "restore: every --manage-cgroups-mode value reaches CRIU; a bad one is refused" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	cp -a "$IMAGES" "$ROOT/pristine"
	for m in soft full ignore; do
		rm -rf "$IMAGES" && cp -a "$ROOT/pristine" "$IMAGES"
		crbox_restore_detached ct --manage-cgroups-mode "$m"
		[ "$(status_of crbox ct)" = running ]
		crbox delete -f ct
	done
	# strict refuses to restore into cgroup dirs that exist, and the runtime has just
	# created the container's (runc main behaves the same): the mode is sent, CRIU's reason
	# is reported, and nothing is left.
	for m in strict; do
		rm -rf "$IMAGES" && cp -a "$ROOT/pristine" "$IMAGES"
		run -1 crbox --debug restore -d --image-path "$IMAGES" --bundle "$BUNDLE" --manage-cgroups-mode "$m" ct
		[[ $output == *"manage_cgroups_mode $m"* ]]
		[[ $output == *"Abort restore of existing cgroups"* ]]
		assert_no_leftovers ct
	done
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" --manage-cgroups-mode bogus ct
	[[ $output == *'invalid manage-cgroups-mode value \"bogus\"'* ]]
	assert_no_leftovers ct
}

@test "restore: --empty-ns network gives an empty network namespace; other names are refused" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	cp -a "$IMAGES" "$ROOT/pristine"
	# crbox, like runc, always asks CRIU for an empty network namespace (empty_ns has
	# CLONE_NEWNET; t_crop checks the request), so the flag changes nothing here: with or
	# without it the namespace holds only lo, DOWN, as a new namespace does. (The old check
	# passed when ls failed.)
	for flag in "" network; do
		rm -rf "$IMAGES" && cp -a "$ROOT/pristine" "$IMAGES"
		crbox_restore_detached ct ${flag:+--empty-ns "$flag"}
		restored_from "$c"
		pid=$(pid_of crbox ct)
		run -0 nsenter -t "$pid" -n ip -o link show
		[ "${#lines[@]}" -eq 1 ]
		[[ $output == "1: lo: <LOOPBACK> "*"state DOWN"* ]]
		crbox delete -f ct
	done
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" --empty-ns ipc ct
	[[ $output == *'namespace \"ipc\" is not supported'* ]]
	assert_no_leftovers ct
}

@test "restore: the same image restores again after a delete" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	crbox_restore_detached ct
	restored_from "$c"
	crbox delete -f ct
	crbox_restore_detached ct
	restored_from "$c"
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore: prestart and createRuntime hooks run with the restored pid" {
	make_bundle "$BUNDLE"
	cat >"$ROOT/hook.sh" <<-EOF
	#!/bin/sh
	cat >"$ROOT/hook-\$1.json"
	EOF
	chmod +x "$ROOT/hook.sh"
	set_cfg --arg h "$ROOT/hook.sh" \
		'.hooks = {prestart: [{path: $h, args: ["hook", "prestart"]}],
		           createRuntime: [{path: $h, args: ["hook", "createRuntime"]}]}'
	c=$(ckpt_runc ct)
	rm -f "$ROOT"/hook-*.json
	crbox_restore_detached ct
	restored_from "$c"
	pid=$(pid_of crbox ct)
	[ "$(jq -r .pid "$ROOT/hook-prestart.json")" = "$pid" ]
	[ "$(jq -r .id "$ROOT/hook-createRuntime.json")" = ct ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore: hooks run with no lock held: crbox state, list and kill on the same id work from a hook" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	# (runc ran the bundle without these hooks; they only meet crbox.)
	cat >"$ROOT/hook.sh" <<-EOF
	#!/bin/sh
	cat >"$ROOT/hook-\$1.json"
	C="$CRBOX --root $ROOT/crbox"
	if [ "\$1" = prestart ]; then
		\$C state ct >"$ROOT/hook-state.out" 2>&1; echo "state \$?" >>"$ROOT/hook-rc"
		\$C list -q >"$ROOT/hook-list.out" 2>&1; echo "list \$?" >>"$ROOT/hook-rc"
		\$C kill ct 0 >"$ROOT/hook-kill.out" 2>&1; echo "kill \$?" >>"$ROOT/hook-rc"
		\$C delete -f ct >"$ROOT/hook-delete.out" 2>&1; echo "delete \$?" >>"$ROOT/hook-rc"
	else
		\$C state ct >"$ROOT/hook-\$1-state.out" 2>&1; echo "\$1 state \$?" >>"$ROOT/hook-rc"
	fi
	exit 0
	EOF
	chmod +x "$ROOT/hook.sh"
	# A timeout, so a deadlock fails the restore instead of hanging the test. (kill sends
	# signal 0: a real signal to a task CRIU is still restoring breaks CRIU.)
	set_cfg --arg h "$ROOT/hook.sh" \
		'.hooks = {prestart: [{path: $h, args: ["hook", "prestart"], timeout: 20}],
		           poststop: [{path: $h, args: ["hook", "poststop"], timeout: 20}]}'
	rm -f "$ROOT"/hook-*
	timeout 60 "$CRBOX" --root "$ROOT/crbox" restore -d --bundle "$BUNDLE" --image-path "$IMAGES" --pid-file "$ROOT/ct.pid" ct </dev/null >"$ROOT/rst.out" 2>&1 || { cat "$ROOT/rst.out" "$ROOT"/hook-* >&2; false; }
	KNOWN_IDS+=(ct)
	track_pid_file "$ROOT/ct.pid"
	restored_from "$c"
	pid=$(pid_of crbox ct)
	cat "$ROOT/hook-rc" >&2
	grep -qx "state 0" "$ROOT/hook-rc"
	grep -qx "list 0" "$ROOT/hook-rc"
	grep -qx "kill 0" "$ROOT/hook-rc"
	# delete refuses a container a restore is still making, even with -f.
	grep -qx "delete 1" "$ROOT/hook-rc"
	grep -q "container is busy: restore by pid" "$ROOT/hook-delete.out"
	[ "$(jq -r .status "$ROOT/hook-state.out")" = creating ]
	[ "$(jq -r .pid "$ROOT/hook-state.out")" = "$pid" ]
	grep -qx ct "$ROOT/hook-list.out"
	# The hook's stdin is runc's specs.State: compact, the runtime's ociVersion.
	[ "$(jq -c '[keys_unsorted[]] - ["annotations"]' "$ROOT/hook-prestart.json")" = \
		'["ociVersion","id","status","pid","bundle"]' ]
	[ "$(jq -r .ociVersion "$ROOT/hook-prestart.json")" = 1.0.2-dev ]
	[ "$(jq -r .status "$ROOT/hook-prestart.json")" = creating ]
	[ "$(wc -l <"$ROOT/hook-prestart.json")" -eq 0 ]
	[ "$(status_of crbox ct)" = running ]
	# poststop runs once the state dir is gone (runc's order), with no lock held.
	crbox delete -f ct
	grep -qx "poststop state 1" "$ROOT/hook-rc"
	grep -q "container does not exist" "$ROOT/hook-poststop-state.out"
	[ "$(jq -c '[keys_unsorted[]] - ["annotations"]' "$ROOT/hook-poststop.json")" = \
		'["ociVersion","id","status","bundle"]' ]
	assert_no_leftovers ct
}

@test "restore: the org.criu.config annotation names CRIU's config file" {
	make_bundle "$BUNDLE"
	echo "log-file=from-annotation.log" >"$ROOT/criu.conf"
	set_cfg --arg f "$ROOT/criu.conf" '.annotations["org.criu.config"] = $f'
	c=$(ckpt_runc ct)
	crbox_restore_detached ct --work-path "$ROOT/w2"
	restored_from "$c"
	[ -f "$ROOT/w2/from-annotation.log" ]
	[ ! -f "$ROOT/w2/restore.log" ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore: --lsm-profile, --tcp-close and --network-lock reach CRIU or fail clearly" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	cp -a "$IMAGES" "$ROOT/pristine"
	# --lsm-profile reaches CRIU: on a kernel without AppArmor CRIU refuses it by name.
	if [ -d /sys/kernel/security/apparmor ]; then
		skip "AppArmor is enabled here: CRIU would apply the profile, not refuse it"
	fi
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" \
		--lsm-profile apparmor:crbox-test ct
	[[ $output == *"apparmor LSM specified but apparmor not supported by kernel"* ]]
	assert_no_leftovers ct
	rm -rf "$IMAGES" && cp -a "$ROOT/pristine" "$IMAGES"
	crbox_restore_detached ct --tcp-close --network-lock skip
	restored_from "$c"
	crbox delete -f ct
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" --network-lock bogus ct
	[[ $output == *'invalid --network-lock value \"bogus\"'* ]]
	assert_no_leftovers ct
}

@test "restore: --lazy-pages with a criu lazy-pages daemon serving the images" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	# The daemon serves pages from the image dir and listens in it (lazy-pages.socket), so
	# that is the restore's work dir, as in runc's own test.
	criu lazy-pages -D "$IMAGES" -v4 -o "$ROOT/lazy.log" 3>&- &
	lazy=$!
	for i in $(seq 50); do [ -S "$IMAGES/lazy-pages.socket" ] && break; sleep 0.1; done
	crbox_restore_detached ct --lazy-pages --work-path "$IMAGES"
	restored_from "$c"
	for i in $(seq 50); do grep -q "UFFD transferred pages" "$ROOT/lazy.log" && break; sleep 0.1; done
	grep -q "UFFD transferred pages" "$ROOT/lazy.log"
	kill "$lazy" 2>/dev/null || true
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore: --lazy-pages without a lazy-pages server fails cleanly" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	save_image_sums "$IMAGES" "$ROOT/sums"
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" --lazy-pages --work-path "$WORK" ct
	[[ $output == *criu* ]]
	assert_image_sums "$IMAGES" "$ROOT/sums"
	assert_no_leftovers ct
}

# ---- failure paths: exit 1, one clear message, nothing left behind ----

@test "restore fails cleanly: missing image dir (and creates none)" {
	make_bundle "$BUNDLE"
	run -1 crbox restore -d --image-path "$ROOT/nope" --bundle "$BUNDLE" ct
	[[ $output == *"image path $ROOT/nope does not exist"* ]]
	[ ! -e "$ROOT/nope" ]
	assert_no_leftovers ct
}

@test "restore fails cleanly: corrupt images (truncated pages, no inventory, bad descriptors)" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	cp -a "$IMAGES" "$ROOT/pristine"
	pages=$(ls "$IMAGES"/pages-*.img | head -1)
	truncate -s 4096 "$pages"
	save_image_sums "$IMAGES" "$ROOT/sums"
	run -1 timeout 20 "$CRBOX" --root "$ROOT/crbox" restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"$(basename "$pages") is truncated"* ]]
	assert_image_sums "$IMAGES" "$ROOT/sums"
	assert_no_leftovers ct

	rm -rf "$IMAGES" && cp -a "$ROOT/pristine" "$IMAGES" && rm "$IMAGES/inventory.img"
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"no inventory.img"* ]]

	rm -rf "$IMAGES" && cp -a "$ROOT/pristine" "$IMAGES" && echo '{garbage' >"$IMAGES/descriptors.json"
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"descriptors.json"* ]]
	assert_no_leftovers ct

	# The untouched images still restore.
	rm -rf "$IMAGES" && cp -a "$ROOT/pristine" "$IMAGES"
	crbox_restore_detached ct
	restored_from "$c"
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore fails cleanly: criu missing or not executable" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	run -1 crbox --criu /nonexistent/criu restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"criu not found"* ]]
	PATH=/nonexistent run -1 "$CRBOX" --root "$ROOT/crbox" restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"criu not found"* ]]
	: >"$ROOT/criu" && chmod 0644 "$ROOT/criu"
	run -1 crbox --criu "$ROOT/criu" restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"not executable"* ]]
	assert_no_leftovers ct
}

@test "restore never runs a criu from the cwd or the bundle through '.' or empty PATH entries" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	# A trap: a `criu` in the bundle (restore's cwd after its chdir) and in the caller's cwd.
	printf '#!/bin/sh\ntouch "%s/ran-$(basename "$PWD")"\nexit 1\n' "$ROOT" >"$BUNDLE/criu"
	chmod 0755 "$BUNDLE/criu"
	mkdir -p "$ROOT/cwd" && cp "$BUNDLE/criu" "$ROOT/cwd/criu"
	real=$(dirname "$(command -v criu)")
	(cd "$ROOT/cwd" && PATH=".::$real:/usr/sbin:/usr/bin:/sbin:/bin" \
		"$CRBOX" --root "$ROOT/crbox" restore -d --bundle "$BUNDLE" --image-path "$IMAGES" \
		--pid-file "$ROOT/ct.pid" ct </dev/null >/dev/null)
	KNOWN_IDS+=(ct)
	track_pid_file "$ROOT/ct.pid"
	run ls "$ROOT"
	[[ $output != *ran-* ]]
	restored_from "$c"
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore fails cleanly: an id that already exists is left alone" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	cp -a "$IMAGES" "$ROOT/pristine"
	crbox_restore_detached ct
	pid=$(pid_of crbox ct)
	run -1 crbox restore -d --image-path "$ROOT/pristine" --bundle "$BUNDLE" ct
	[[ $output == *"container with given ID already exists"* ]]
	[ "$(status_of crbox ct)" = running ]
	[ "$(pid_of crbox ct)" = "$pid" ]
	crbox delete -f ct
	assert_no_leftovers ct
}

@test "restore fails cleanly: a bad config.json names the field" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	cp "$BUNDLE/config.json" "$ROOT/good.json"
	set_cfg '.linux.namespaces[0].type = 7'
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"config.json: .linux.namespaces[0].type"* ]]
	echo '{"ociVersion": ' >"$BUNDLE/config.json"
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"config.json"* ]]
	rm "$BUNDLE/config.json"
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"JSON specification file config.json not found"* ]]
	assert_no_leftovers ct
}

@test "restore refuses a cgroup that holds someone else's process, and leaves that process alone" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	save_image_sums "$IMAGES" "$ROOT/sums"
	# A process of someone else's in the container's devices cgroup (the one crbox lists).
	d=/sys/fs/cgroup/devices$CG_PATH
	mkdir -p "$d"
	sleep 1000 </dev/null >/dev/null 2>&1 &
	other=$!
	echo "$other" >"$d/cgroup.procs"
	run -1 crbox restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"container's cgroup is not empty: 1 process(es) found"* ]]
	# It is still alive and still there; no criu and no state are left.
	kill -0 "$other"
	grep -qx "$other" "$d/cgroup.procs"
	run pgrep -f "criu swrk"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/crbox/ct" ]
	assert_image_sums "$IMAGES" "$ROOT/sums"
	kill -9 "$other"
	wait "$other" 2>/dev/null || true
	rmdir "$d"
	assert_no_leftovers ct
}

@test "restore fails cleanly: criu killed in the middle of a restore" {
	make_bundle "$BUNDLE"
	c=$(ckpt_runc ct)
	save_image_sums "$IMAGES" "$ROOT/sums"
	# A criu wrapper that is SIGKILLed as soon as it reports post-setup-namespaces: the
	# wrapper execs the real criu with an action script that kills its caller.
	cat >"$ROOT/kill.sh" <<-'EOF'
	#!/bin/sh
	[ "$CRTOOLS_SCRIPT_ACTION" = post-setup-namespaces ] && kill -9 $PPID
	exit 0
	EOF
	chmod +x "$ROOT/kill.sh"
	printf 'action-script=%s\n' "$ROOT/kill.sh" >"$ROOT/criu.conf"
	set_cfg --arg f "$ROOT/criu.conf" '.annotations["org.criu.config"] = $f'
	run -1 timeout 60 "$CRBOX" --root "$ROOT/crbox" restore -d --image-path "$IMAGES" --bundle "$BUNDLE" ct
	[[ $output == *"criu"* ]]
	assert_image_sums "$IMAGES" "$ROOT/sums"
	assert_no_leftovers ct
	# And the images still restore afterwards.
	set_cfg 'del(.annotations["org.criu.config"])'
	crbox_restore_detached ct
	restored_from "$c"
	crbox delete -f ct
	assert_no_leftovers ct
}
