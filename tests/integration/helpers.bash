# tests/integration/helpers.bash: the fixture every integration test loads (`load helpers`).
# Per test: a temp dir $ROOT under /tmp, busybox bundles, runc as the reference runtime, crbox
# as the runtime under test, leftover checks, and a teardown that cleans up even when crbox
# is broken. Needs root, criu, runc, jq and /bin/busybox (busybox-static). See tests/README.md.
# A .bats file may define its own setup/teardown; they must call fixture_setup/fixture_teardown.

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CRBOX=${CRBOX:-$REPO/build/crbox}
RUNC=${RUNC:-runc}
RECVTTY=${RECVTTY:-$REPO/build/tools/recvtty}
BUSYBOX=${BUSYBOX:-/bin/busybox}
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
bats_require_minimum_version 1.5.0
# criu dump hangs at "Waiting for N to trap" on this kernel without it; criu inherits it from
# whichever runtime starts it.
export CRIU_FAULT=${CRIU_FAULT:-130}

# The default workload: the counter lives in the shell's memory; /count only shows it. A
# restore that restarted the process would start again from 1.
COUNTER_SCRIPT='i=0; while true; do i=$((i+1)); echo $i > /count; sleep 0.2; done'
# The pipes workload: answers every line on stdin with "ponG <line>" on stdout.
PONG_SCRIPT='while read x; do echo "ponG $x"; done'

# ---- skipping -----------------------------------------------------------------------------

# requires FEATURE...: skip the test unless every feature is present: root, criu,
# criu_feature:NAME (`criu check --feature NAME`). CI runs as root with criu.
requires() {
	local f
	for f in "$@"; do
		case $f in
		root) [ "$(id -u)" = 0 ] || skip "needs root" ;;
		criu) command -v criu >/dev/null 2>&1 || skip "needs criu" ;;
		criu_feature:*)
			criu check --feature "${f#criu_feature:}" >/dev/null 2>&1 ||
				skip "criu lacks feature ${f#criu_feature:}" ;;
		*) echo "requires: unknown feature $f" >&2; return 1 ;;
		esac
	done
}

# ---- per-test setup and teardown ----------------------------------------------------------

# fixture_setup: creates $ROOT (under /tmp) and the per-test names, and cds into $ROOT.
# Sets ROOT, TAG (unique word), CG_PATH (default cgroupsPath), IMAGES, WORK, BUNDLE.
fixture_setup() {
	ROOT=$(mktemp -d /tmp/crbox-it.XXXXXX)
	TAG=crbox-it-${ROOT##*.}
	CG_PATH=/$TAG
	IMAGES=$ROOT/images
	WORK=$ROOT/work
	BUNDLE=$ROOT/bundle
	CONSOLE_SOCKET=$ROOT/tty.sock
	KNOWN_IDS=()
	CG_PATHS=()
	BUNDLES=()
	: >"$ROOT/pids"
	# criu-root mounts that exist already (another runtime's); new ones are leftovers.
	CRIU_ROOTS_BEFORE=$(__criu_root_mounts)
	cd "$ROOT" || return
}

setup() {
	requires root criu
	fixture_setup
}

teardown() {
	fixture_teardown
}

# fixture_teardown: kills and deletes everything the test started, unmounts what is left under
# $ROOT, removes the test's cgroups and $ROOT. Never fails the test.
fixture_teardown() {
	[ -n "${ROOT:-}" ] && [ -d "$ROOT" ] || return 0
	cd / || true
	__teardown || true
}

__teardown() {
	local id ids=() p pass m left
	[ -f "$ROOT/recvtty.pid" ] && kill -9 "$(cat "$ROOT/recvtty.pid")" 2>/dev/null
	__thaw_test_cgroups
	ids=("${KNOWN_IDS[@]}")
	for id in "$ROOT"/crbox/* "$ROOT"/runc/*; do
		[ -d "$id" ] && ids+=("${id##*/}")
	done
	for id in $(printf '%s\n' "${ids[@]}" | sort -u); do
		[ -x "$CRBOX" ] && timeout 20 "$CRBOX" --root "$ROOT/crbox" delete -f "$id" \
			</dev/null >/dev/null 2>&1
		timeout 20 "$RUNC" --root "$ROOT/runc" delete -f "$id" </dev/null >/dev/null 2>&1
	done
	for pass in 1 2 3 4 5; do
		__thaw_test_cgroups
		left=$(__test_pids)
		[ -z "$left" ] && break
		kill -9 $left 2>/dev/null
		sleep 0.2
	done
	# Deepest first, lazily: a busy mount must not stop the cleanup.
	for m in $(__mounts_under "$ROOT" | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	__rmdir_test_cgroups
	if [ -n "$(__mounts_under "$ROOT")" ]; then
		echo "teardown: mounts left under $ROOT; not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$ROOT"
}

# ---- bundles ------------------------------------------------------------------------------

# A busybox rootfs built once per bats run and copied per bundle.
__rootfs_template() {
	local t=${BATS_RUN_TMPDIR:-$ROOT}/busybox-rootfs a
	if [ ! -x "$t/bin/busybox" ]; then
		rm -rf "$t.tmp"
		mkdir -p "$t.tmp/bin" || return
		cp "$BUSYBOX" "$t.tmp/bin/busybox" || return
		for a in $("$BUSYBOX" --list); do
			[ -e "$t.tmp/bin/$a" ] || ln -s busybox "$t.tmp/bin/$a"
		done
		mkdir -p "$t.tmp"/{proc,sys,dev,tmp,etc,root,run,var,usr}
		ln -s ../bin "$t.tmp/usr/bin"
		ln -s bin "$t.tmp/sbin"
		echo 'root:x:0:0:root:/root:/bin/sh' >"$t.tmp/etc/passwd"
		echo 'root:x:0:' >"$t.tmp/etc/group"
		mv "$t.tmp" "$t" || return
	fi
	echo "$t"
}

# make_bundle DIR [ARG...]: a bundle with a busybox rootfs and `runc spec`'s config.json, edited:
# terminal=false, writable root, cgroupsPath=$CG_PATH, process.args=ARGs (default: the counter
# loop). Sets BUNDLE=DIR.
make_bundle() {
	local dir=${1:?make_bundle DIR [ARG...]} tmpl args a
	shift
	[ $# -gt 0 ] || set -- /bin/sh -c "$COUNTER_SCRIPT"
	tmpl=$(__rootfs_template) || return
	mkdir -p "$dir" || return
	cp -a "$tmpl" "$dir/rootfs" || return
	(cd "$dir" && command "$RUNC" spec) || return
	BUNDLE=$dir
	BUNDLES+=("$dir")
	# Not `jq --args`: jq would take an argument like -c as its own option.
	args=$(for a in "$@"; do jq -n --arg v "$a" '$v'; done | jq -sc .) || return
	set_cfg --argjson a "$args" --arg cg "$CG_PATH" \
		'.process.terminal = false | .root.readonly = false | .process.args = $a
		 | .linux.cgroupsPath = $cg'
	CG_PATHS+=("$CG_PATH")
}

# make_pong_bundle DIR: make_bundle with the "ponG" stdin/stdout loop (for the pipes helpers).
make_pong_bundle() {
	make_bundle "$1" /bin/sh -c "$PONG_SCRIPT"
}

# set_cfg [JQ-OPTION...] EXPR: edits $BUNDLE/config.json in place with jq.
set_cfg() {
	local cfg=$BUNDLE/config.json
	jq "$@" "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
}

# get_cfg [JQ-OPTION...] EXPR: prints jq -r EXPR of $BUNDLE/config.json.
get_cfg() {
	jq -r "$@" "$BUNDLE/config.json"
}

# set_cgroups_path PATH: sets .linux.cgroupsPath and tracks PATH for the leftover checks and
# the teardown.
set_cgroups_path() {
	set_cfg --arg cg "$1" '.linux.cgroupsPath = $cg'
	CG_PATHS+=("$1")
}

# ---- the two runtimes ---------------------------------------------------------------------

# crbox ARG...: the binary under test with the per-test state root.
crbox() {
	"$CRBOX" --root "$ROOT/crbox" "$@"
}

# runc ARG...: the reference runtime with the per-test state root.
runc() {
	command "$RUNC" --root "$ROOT/runc" "$@"
}

# runc_run_detached ID [RUN-FLAG...]: `runc run -d` of $BUNDLE, stdio /dev/null, pid file
# $ROOT/ID.pid. runc's own errors go to $ROOT/runc-run-ID.log and are shown on failure.
runc_run_detached() {
	local id=$1
	shift
	KNOWN_IDS+=("$id")
	if ! command "$RUNC" --root "$ROOT/runc" --log "$ROOT/runc-run-$id.log" run -d \
		--bundle "$BUNDLE" --pid-file "$ROOT/$id.pid" "$@" "$id" \
		</dev/null >/dev/null 2>/dev/null; then
		cat "$ROOT/runc-run-$id.log" >&2
		return 1
	fi
	track_pid_file "$ROOT/$id.pid"
}

# setup_pipes: three anonymous pipes for a container's stdio. The container's ends are
# CT_IN (read), CT_OUT and CT_ERR (write); the test's ends are IN_W, OUT_R and ERR_R.
setup_pipes() {
	__pipe CT_IN IN_W
	__pipe OUT_R CT_OUT
	__pipe ERR_R CT_ERR
}

# __pipe RVAR WVAR: opens an anonymous pipe in this shell; stores the fds in RVAR and WVAR.
__pipe() {
	local anon r w
	# A process substitution is an anonymous pipe; opening its /proc link twice gives both
	# ends (the write end first: opening a pipe for reading waits for a writer).
	exec {anon}< <(:)
	exec {w}>"/proc/self/fd/$anon" {r}<"/proc/self/fd/$anon" {anon}<&-
	printf -v "$1" %s "$r"
	printf -v "$2" %s "$w"
}

# runc_run_with_pipes ID [RUN-FLAG...]: setup_pipes (unless done), then `runc run -d` of
# $BUNDLE (make_pong_bundle) with the container's stdio on the pipes.
runc_run_with_pipes() {
	local id=$1
	shift
	[ -n "${IN_W:-}" ] || setup_pipes
	KNOWN_IDS+=("$id")
	if ! command "$RUNC" --root "$ROOT/runc" --log "$ROOT/runc-run-$id.log" run -d \
		--bundle "$BUNDLE" --pid-file "$ROOT/$id.pid" "$@" "$id" \
		<&"$CT_IN" >&"$CT_OUT" 2>&"$CT_ERR"; then
		cat "$ROOT/runc-run-$id.log" >&2
		return 1
	fi
	track_pid_file "$ROOT/$id.pid"
}

# pipes_ping WORD [TIMEOUT]: writes WORD to the container's stdin and expects "ponG WORD" as
# the next line of its stdout within TIMEOUT seconds (default 10).
pipes_ping() {
	local line
	echo "$1" >&"$IN_W" || return
	if ! read -r -t "${2:-10}" -u "$OUT_R" line; then
		echo "pipes_ping: no answer to '$1' on stdout" >&2
		return 1
	fi
	if [ "$line" != "ponG $1" ]; then
		echo "pipes_ping: got '$line', expected 'ponG $1'" >&2
		return 1
	fi
}

# pipes_stderr: prints what the container wrote to stderr so far (non-blocking).
pipes_stderr() {
	local line
	while read -r -t 0.2 -u "$ERR_R" line; do
		printf '%s\n' "$line"
	done
	return 0
}

# __default_paths ARG...: sets __dflt to --image-path/--work-path defaults for the flags given.
__default_paths() {
	local a img=1 wrk=1
	for a in "$@"; do
		case $a in
		--image-path | --image-path=* | -image-path | -image-path=*) img=0 ;;
		--work-path | --work-path=* | -work-path | -work-path=*) wrk=0 ;;
		esac
	done
	__dflt=()
	[ $img = 1 ] && __dflt+=(--image-path "$IMAGES")
	[ $wrk = 1 ] && __dflt+=(--work-path "$WORK")
	return 0
}

# runc_checkpoint ID [FLAG...]: `runc checkpoint`, images in $IMAGES and work dir $WORK unless
# the flags name others.
runc_checkpoint() {
	local id=$1 __dflt
	shift
	__default_paths "$@"
	runc checkpoint "${__dflt[@]}" "$@" "$id"
}

# runc_restore_detached ID [FLAG...]: `runc restore -d` of $BUNDLE from $IMAGES (work dir
# $WORK) with stdio /dev/null, pid file $ROOT/ID.pid.
runc_restore_detached() {
	local id=$1 __dflt
	shift
	__default_paths "$@"
	KNOWN_IDS+=("$id")
	runc restore -d --bundle "$BUNDLE" --pid-file "$ROOT/$id.pid" "${__dflt[@]}" "$@" "$id" \
		</dev/null >/dev/null || return
	track_pid_file "$ROOT/$id.pid"
}

# runc_restore_with_pipes ID [FLAG...]: like runc_restore_detached, stdio on the pipes.
runc_restore_with_pipes() {
	local id=$1 __dflt
	shift
	__default_paths "$@"
	KNOWN_IDS+=("$id")
	if ! command "$RUNC" --root "$ROOT/runc" --log "$ROOT/runc-restore-$id.log" restore -d \
		--bundle "$BUNDLE" --pid-file "$ROOT/$id.pid" "${__dflt[@]}" "$@" "$id" \
		<&"$CT_IN" >&"$CT_OUT" 2>&"$CT_ERR"; then
		cat "$ROOT/runc-restore-$id.log" >&2
		return 1
	fi
	track_pid_file "$ROOT/$id.pid"
}

# crbox_checkpoint ID [FLAG...]: `crbox checkpoint`, same defaults as runc_checkpoint.
crbox_checkpoint() {
	local id=$1 __dflt
	shift
	__default_paths "$@"
	crbox checkpoint "${__dflt[@]}" "$@" "$id"
}

# crbox_restore_detached ID [FLAG...]: `crbox restore -d`, same defaults and stdio as
# runc_restore_detached.
crbox_restore_detached() {
	local id=$1 __dflt
	shift
	__default_paths "$@"
	KNOWN_IDS+=("$id")
	crbox restore -d --bundle "$BUNDLE" --pid-file "$ROOT/$id.pid" "${__dflt[@]}" "$@" "$id" \
		</dev/null >/dev/null || return
	track_pid_file "$ROOT/$id.pid"
}

# crbox_restore_with_pipes ID [FLAG...]: `crbox restore -d` with stdio on the pipes; crbox's
# stderr is the container's stderr pipe (read it with pipes_stderr).
crbox_restore_with_pipes() {
	local id=$1 __dflt
	shift
	__default_paths "$@"
	KNOWN_IDS+=("$id")
	crbox restore -d --bundle "$BUNDLE" --pid-file "$ROOT/$id.pid" "${__dflt[@]}" "$@" "$id" \
		<&"$CT_IN" >&"$CT_OUT" 2>&"$CT_ERR" || return
	track_pid_file "$ROOT/$id.pid"
}

# status_of TOOL ID: prints the container's status from `TOOL state` (runc or crbox), or
# "absent" when state exits non-zero.
status_of() {
	local out
	out=$("$1" state "$2" 2>/dev/null) || { echo absent; return 0; }
	jq -r .status <<<"$out"
}

# pid_of TOOL ID: prints .pid from `TOOL state ID`.
pid_of() {
	"$1" state "$2" | jq -r .pid
}

# ---- the counter workload -----------------------------------------------------------------

# read_count [BUNDLE]: prints the counter's last value (from rootfs/count); fails after 2 s
# without a number.
read_count() {
	local f=${1:-$BUNDLE}/rootfs/count v i
	for i in $(seq 20); do
		v=$(cat "$f" 2>/dev/null)
		if [[ $v =~ ^[0-9]+$ ]]; then
			echo "$v"
			return 0
		fi
		sleep 0.1
	done
	echo "read_count: no number in $f" >&2
	return 1
}

# wait_count_above N [TIMEOUT]: waits (default 10 s) until the counter exceeds N; prints it.
wait_count_above() {
	local n=$1 t=${2:-10} v end
	end=$((SECONDS + t))
	while [ $SECONDS -le $end ]; do
		v=$(cat "$BUNDLE/rootfs/count" 2>/dev/null)
		if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt "$n" ]; then
			echo "$v"
			return 0
		fi
		sleep 0.1
	done
	echo "wait_count_above: counter still '${v:-}' (want > $n) after ${t}s" >&2
	return 1
}

# ---- console ------------------------------------------------------------------------------

# start_recvtty [RECVTTY-FLAG...]: starts build/tools/recvtty on $CONSOLE_SOCKET (default
# mode null) and waits until it listens. Killed by the teardown.
start_recvtty() {
	local i
	[ $# -gt 0 ] || set -- --mode null
	"$RECVTTY" --pid-file "$ROOT/recvtty.pid" "$@" "$CONSOLE_SOCKET" \
		</dev/null >"$ROOT/recvtty.out" 2>&1 3>&- &
	for i in $(seq 50); do
		[ -s "$ROOT/recvtty.pid" ] && [ -S "$CONSOLE_SOCKET" ] && return 0
		sleep 0.1
	done
	echo "start_recvtty: $RECVTTY did not start" >&2
	cat "$ROOT/recvtty.out" >&2
	return 1
}

# ---- pids, mounts, cgroups ----------------------------------------------------------------

__starttime() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	set -- $s
	echo "${20}"
}

# track_pid PID: remembers PID (with its start time) as belonging to this test.
track_pid() {
	local st
	st=$(__starttime "$1") || return 0
	echo "$1 $st" >>"$ROOT/pids"
}

# track_pid_file FILE: track_pid of the pid in FILE (if any).
track_pid_file() {
	local p
	p=$(cat "$1" 2>/dev/null) || return 0
	[[ $p =~ ^[0-9]+$ ]] && track_pid "$p"
	return 0
}

# Every mounted cgroup hierarchy (v1 controllers, named ones, unified).
__cgroup_mounts() {
	awk '$0 ~ / - cgroup2? / {print $5}' /proc/self/mountinfo
}

# Directories of the test's cgroups (all of CG_PATHS) that exist, in any hierarchy.
__test_cgroup_dirs() {
	local m p n
	for m in $(__cgroup_mounts); do
		for p in "${CG_PATHS[@]}"; do
			case $p in
			/*) [ -d "$m$p" ] && echo "$m$p" ;;
			'') ;;
			*) # Relative paths land below the runtime's own cgroup: find them by name.
				n=${p##*/}
				find "$m" -maxdepth 6 -type d -name "$n" 2>/dev/null |
					while read -r d; do
						[[ $d == */$p ]] && echo "$d"
					done ;;
			esac
		done
	done | sort -u
}

__thaw_test_cgroups() {
	local d
	for d in $(__test_cgroup_dirs); do
		[ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
		[ -f "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
	done
	return 0
}

__rmdir_test_cgroups() {
	local d
	for d in $(__test_cgroup_dirs); do
		find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	return 0
}

# Pids of processes whose root directory is one of this test's bundle rootfs.
__rootfs_pids() {
	local keys=() b k
	for b in "${BUNDLES[@]}"; do
		k=$(stat -L -c '%d:%i' "$b/rootfs" 2>/dev/null) && keys+=("$k")
	done
	[ ${#keys[@]} -gt 0 ] || return 0
	stat -L -c '%n %d:%i' /proc/[0-9]*/root 2>/dev/null | while read -r n k; do
		for b in "${keys[@]}"; do
			if [ "$k" = "$b" ]; then
				n=${n#/proc/}
				echo "${n%/root}"
			fi
		done
	done
}

# Pids of tracked processes still alive with the same start time.
__tracked_pids() {
	local p st
	[ -f "$ROOT/pids" ] || return 0
	while read -r p st; do
		[ "$(__starttime "$p")" = "$st" ] && echo "$p"
	done <"$ROOT/pids"
	return 0
}

# Every live process of this test: tracked, in its cgroups, or rooted in its bundles.
__test_pids() {
	{
		__tracked_pids
		__rootfs_pids
		local d
		for d in $(__test_cgroup_dirs); do
			cat "$d/cgroup.procs" 2>/dev/null
		done
	} | grep -v "^$$\$" | sort -un
}

# Mount points named criu-root anywhere.
__criu_root_mounts() {
	awk '$5 ~ /\/criu-root$/ {print $5}' /proc/self/mountinfo | sort -u
}

# __mounts_under DIR: mount points at or below DIR (mountinfo field 5).
__mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo
}

# ---- assertions ---------------------------------------------------------------------------

# assert_no_leftovers [ID...]: fails (listing each problem) if, after up to 3 s, any process of
# the test is alive (a tracked pid, e.g. from $ROOT/ID.pid, a process in a test cgroup or one
# whose root is a test bundle's rootfs), anything is mounted under $ROOT (including
# criu-root), a directory of any test cgroupsPath exists in any hierarchy (v1 and unified), or
# a state dir $ROOT/crbox/ID or $ROOT/runc/ID exists. A criu-root mounted anywhere since
# fixture_setup counts too.
assert_no_leftovers() {
	local i probs
	for i in $(seq 15); do
		probs=$(__leftovers "$@")
		[ -z "$probs" ] && return 0
		sleep 0.2
	done
	echo "leftovers:" >&2
	printf '%s\n' "$probs" >&2
	return 1
}

__leftovers() {
	local id p d m
	for id in "$@"; do
		[ -e "$ROOT/crbox/$id" ] && echo "state dir $ROOT/crbox/$id exists"
		[ -e "$ROOT/runc/$id" ] && echo "state dir $ROOT/runc/$id exists"
	done
	for p in $(__test_pids); do
		[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] && continue
		echo "process $p is alive: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	for m in $(__mounts_under "$ROOT"); do
		echo "mount $m"
	done
	for m in $(comm -13 <(echo "${CRIU_ROOTS_BEFORE:-}") <(__criu_root_mounts)); do
		[[ $m == "$ROOT"/* ]] || echo "mount $m (a criu-root outside \$ROOT)"
	done
	for d in $(__test_cgroup_dirs); do
		echo "cgroup $d"
	done
}

# image_sums DIR: sha256sum of every file below DIR, relative names, sorted.
image_sums() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# save_image_sums DIR FILE: records image_sums DIR in FILE.
save_image_sums() {
	image_sums "$1" >"$2"
}

# assert_image_sums DIR FILE: fails (showing the diff) unless DIR matches the sums in FILE.
assert_image_sums() {
	local now
	now=$(image_sums "$1") || return
	if [ "$now" != "$(cat "$2")" ]; then
		echo "images in $1 changed:" >&2
		diff <(cat "$2") <(printf '%s\n' "$now") >&2
		return 1
	fi
}

# assert_images DIR: fails unless DIR holds a CRIU dump plus runc's descriptors.json.
assert_images() {
	local f
	for f in inventory.img pstree.img descriptors.json; do
		[ -s "$1/$f" ] || { echo "assert_images: $1/$f missing" >&2; return 1; }
	done
	jq -e 'type == "array" and length == 3' "$1/descriptors.json" >/dev/null ||
		{ echo "assert_images: bad descriptors.json: $(cat "$1/descriptors.json")" >&2; return 1; }
}
