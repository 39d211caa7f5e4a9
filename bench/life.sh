#!/usr/bin/env bash
# bench/life.sh: the container-lifecycle part of bench/run.sh: runc, crun and crbox side by
# side on the same bundles, iteration by iteration in rotating order. Started by run.sh as
#   unshare -m --propagation private bash bench/life.sh
# so that it can lazily unmount the cgroup2 mount (/sys/fs/cgroup/unified) in its own mount
# namespace (and any stray cgroup mount outside /sys/fs/cgroup): crun 1.8.1 refuses a hybrid host ("cgroups in hybrid mode not supported"), and
# every runtime runs the same way. Writes $TMP/life/res (raw), $TMP/life/report.md (tables)
# and $TMP/life/targets (#L lines for run.sh's targets table). Not meant to run alone.
# Inputs (environment, from run.sh): TMP TAG MEASURE CRBOX RUNC CRUN BUSYBOX OUTER_MNTNS
#   N (timed rounds) RSS_RUNS NSEQ NPAR NBATCH (seq/par rounds) NPRESENT LIFE_SCENS.
set -euo pipefail
L=$TMP/life
mkdir -p "$L"
log() { printf '[bench] %s\n' "$*" >&2; }

# Refuse to touch the host's mounts: this must be a mount namespace of its own.
[ "$(readlink /proc/self/ns/mnt)" != "$OUTER_MNTNS" ] ||
	{ log "life.sh: not in a private mount namespace; refusing to unmount"; exit 1; }
# Every cgroup2 mount goes, and so does any cgroup mount outside /sys/fs/cgroup (stray ones
# other programs on the host left, such as criu's cgroup yards): runtimes that look for the
# first mount of a kind would otherwise each find something else.
awk '{ split($0, h, " - "); split(h[2], t, " ") }
     t[1] == "cgroup2" || (t[1] == "cgroup" && index($5, "/sys/fs/cgroup/") != 1) {print $5}' \
	/proc/self/mountinfo | sort -r | while read -r m; do
	umount -l "$m" 2>/dev/null || log "life.sh: could not unmount $m"
done

RTS=(runc crun crbox)
bin_of() { case $1 in runc) echo "$RUNC" ;; crun) echo "$CRUN" ;; crbox) echo "$CRBOX" ;; esac; }
root_of() { echo "$L/root-$1"; }
# crbox exec joins the exec scenario as soon as it exists.
EXEC_RTS=(runc crun)
if "$CRBOX" exec --help >/dev/null 2>&1; then EXEC_RTS+=(crbox); fi

# ---- one shared read-only busybox rootfs, two config templates -----------------------------
R=$L/rootfs
mkdir -p "$R/bin" "$R"/{proc,sys,dev,tmp,etc,root,run}
cp "$BUSYBOX" "$R/bin/busybox"
for a in sh true sleep; do ln -sf busybox "$R/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
mkdir -p "$L/tpl"
(cd "$L/tpl" && "$RUNC" spec)
for kind in true sleep; do
	case $kind in
	true) args='["/bin/true"]' ;;
	sleep) args='["/bin/sleep","100000"]' ;;
	esac
	jq --argjson a "$args" --arg r "$R" \
		'.process.terminal = false | .process.args = $a | .root.path = $r
		 | .root.readonly = true | .linux.cgroupsPath = "@CG@"' \
		"$L/tpl/config.json" >"$L/tpl/$kind.json"
done
# bundle RT NAME KIND: $L/b/RT-NAME with its own cgroupsPath /$TAG-life/RT-NAME.
bundle() {
	local d=$L/b/$1-$2
	mkdir -p "$d"
	sed "s|@CG@|/$TAG-life/$1-$2|" "$L/tpl/$3.json" >"$d/config.json"
	echo "$d"
}

# ---- cleanup -----------------------------------------------------------------------------
# for_ids ONLY GLOB FN: FN RT BIN ROOT ID for every container (of runtime ONLY, or of all when
# empty) whose id matches GLOB.
for_ids() {
	local only=$1 glob=$2 fn=$3 rt b r id
	for rt in "${RTS[@]}"; do
		[ -z "$only" ] || [ "$rt" = "$only" ] || continue
		b=$(bin_of "$rt") r=$(root_of "$rt")
		[ -d "$r" ] || continue
		for id in $(ls "$r" 2>/dev/null); do
			# shellcheck disable=SC2254
			case $id in $glob) ;; *) continue ;; esac
			[ -d "$r/$id" ] && "$fn" "$rt" "$b" "$r" "$id"
		done
	done
	return 0
}
kill_one() { timeout 5 "$2" --root "$3" kill "$4" KILL </dev/null >/dev/null 2>&1 || true; }
delete_one() {
	timeout 20 "$2" --root "$3" delete -f "$4" </dev/null >/dev/null 2>&1 ||
		log "cleanup: $1 delete -f $4 failed"
}
# cleanup_life [RT GLOB]: kill and delete the containers (of RT whose id matches GLOB; all by
# default).
cleanup_life() {
	for_ids "${1:-}" "${2:-*}" kill_one
	sleep 0.3
	for_ids "${1:-}" "${2:-*}" delete_one
}
trap 'cleanup_life' EXIT

RES=$L/res      # scen pass rt it wall exit hwm rss rumax [step ms...] | scen pass rt it FAIL
declare -A BROKEN=()

# rec SCEN PASS RT IT [MEASURE-OPTS] -- STEPS...: one measured run; a failure is recorded,
# shown once, and that runtime sits out the rest of the scenario (a hang costs one timeout).
rec() {
	local sc=$1 pass=$2 rt=$3 it=$4 out=$L/m.out err=$L/m.err
	shift 4
	[ -z "${BROKEN[$sc.$rt]:-}" ] || return 0
	rm -f "$out"
	if "$MEASURE" -t 20 -o "$out" "$@" </dev/null >/dev/null 2>"$err" && [ -s "$out" ]; then
		echo "$sc $pass $rt $it $(cat "$out")" >>"$RES"
	else
		BROKEN[$sc.$rt]=1
		echo "$sc $pass $rt $it FAIL" >>"$RES"
		log "$rt failed in $sc ($pass $it); it sits out the rest of $sc:"
		tail -5 "$err" | sed 's/^/    /' >&2
		echo "$sc $rt $(tail -1 "$err" | tr -s ' \t' ' ' | cut -c1-160)" >>"$L/failures"
		case $sc in
		run | seq | par) cleanup_life "$rt" "$rt-run*" ;;
		csd | exec) cleanup_life "$rt" "$rt-$sc" ;;
		esac
	fi
}

# order IT RT...: the runtimes rotated by IT, so each takes every position equally often.
order() {
	local it=$1 k n
	shift
	n=$#
	local a=("$@")
	for k in $(seq 0 $((n - 1))); do echo "${a[$(((k + it) % n))]}"; done
}

# steps_* RT [K]: the measured command lines ("::" between steps).
steps_run() { local b r; b=$(bin_of "$1") r=$(root_of "$1"); echo "$b --root $r run --bundle $(bundle "$1" "run$2" true) $1-run$2"; }
steps_csd() {
	local b r d id=$1-csd
	b=$(bin_of "$1") r=$(root_of "$1") d=$(bundle "$1" csd sleep)
	echo "$b --root $r create --bundle $d $id :: $b --root $r start $id :: $b --root $r kill $id KILL :: @reap :: $b --root $r delete $id"
}
steps_exec() { local b r; b=$(bin_of "$1") r=$(root_of "$1"); echo "$b --root $r exec $1-exec /bin/true"; }
steps_many() {
	local rt=$1 n=$2 k s=""
	for k in $(seq 1 "$n"); do s+="${s:+ :: }$(steps_run "$rt" "$k")"; done
	echo "$s"
}

# start_sleepers RT COUNT PREFIX: COUNT detached sleeping containers (untimed set-up).
start_sleepers() {
	local rt=$1 n=$2 p=$3 b r k
	b=$(bin_of "$rt") r=$(root_of "$rt")
	for k in $(seq 1 "$n"); do
		"$b" --root "$r" run -d --bundle "$(bundle "$rt" "$p$k" sleep)" "$rt-$p$k" \
			</dev/null >/dev/null 2>"$L/err" || { log "$rt: run -d $rt-$p$k failed"; cat "$L/err" >&2; return 1; }
	done
}
stop_all() { cleanup_life; }

has() { case " $LIFE_SCENS " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- the timed rounds -----------------------------------------------------------------------
if has run || has csd; then
	log "life: run-to-exit and create/start/kill/delete, 2 warm-up + $N timed rounds, $RSS_RUNS peak-RSS rounds"
	for it in $(seq -1 "$N"); do
		for rt in $(order "$it" "${RTS[@]}"); do
			# shellcheck disable=SC2046
			has run && rec run time "$rt" "$it" -- $(steps_run "$rt" "")
			has csd && rec csd time "$rt" "$it" -- $(steps_csd "$rt")
		done
	done
	for it in $(seq 1 "$RSS_RUNS"); do
		for rt in $(order "$it" "${RTS[@]}"); do
			has run && rec run rss "$rt" "$it" -m -- $(steps_run "$rt" "")
			has csd && rec csd rss "$rt" "$it" -m -- $(steps_csd "$rt")
		done
	done
fi

if has exec; then
	log "life: exec of /bin/true into a running container (${EXEC_RTS[*]}), $N rounds"
	for rt in "${EXEC_RTS[@]}"; do
		b=$(bin_of "$rt") r=$(root_of "$rt")
		"$b" --root "$r" run -d --bundle "$(bundle "$rt" exec sleep)" "$rt-exec" </dev/null >/dev/null
	done
	for it in $(seq -1 "$N"); do
		for rt in $(order "$it" "${EXEC_RTS[@]}"); do
			rec exec time "$rt" "$it" -- $(steps_exec "$rt")
		done
	done
	for it in $(seq 1 "$RSS_RUNS"); do
		for rt in $(order "$it" "${EXEC_RTS[@]}"); do
			rec exec rss "$rt" "$it" -m -- $(steps_exec "$rt")
		done
	done
	stop_all
fi

if has seq || has par; then
	log "life: $NSEQ containers run to exit in sequence, then $NPAR in parallel, $NBATCH rounds"
	for it in $(seq 0 "$NBATCH"); do
		for rt in $(order "$it" "${RTS[@]}"); do
			has seq && rec seq time "$rt" "$it" -- $(steps_many "$rt" "$NSEQ")
			has par && rec par time "$rt" "$it" -p -- $(steps_many "$rt" "$NPAR")
		done
	done
fi

if has state || has list; then
	log "life: state and list with $NPRESENT sleeping containers per runtime present, $N rounds"
	for rt in "${RTS[@]}"; do
		start_sleepers "$rt" "$NPRESENT" p || BROKEN[state.$rt]=1 BROKEN[list.$rt]=1
	done
	for it in $(seq -1 "$N"); do
		for rt in $(order "$it" "${RTS[@]}"); do
			b=$(bin_of "$rt") r=$(root_of "$rt")
			has state && rec state time "$rt" "$it" -- "$b" --root "$r" state "$rt-p$(((NPRESENT + 1) / 2))"
			has list && rec list time "$rt" "$it" -- "$b" --root "$r" list
		done
	done
	for it in $(seq 1 "$RSS_RUNS"); do
		for rt in $(order "$it" "${RTS[@]}"); do
			b=$(bin_of "$rt") r=$(root_of "$rt")
			has state && rec state rss "$rt" "$it" -m -- "$b" --root "$r" state "$rt-p$(((NPRESENT + 1) / 2))"
			has list && rec list rss "$rt" "$it" -m -- "$b" --root "$r" list
		done
	done
	stop_all
fi

# ---- kernel work: syscalls per container, strace -f -c over one run of each --------------
if has syscalls; then
	log "life: syscall counts (strace -f -c) of one run-to-exit and one create/start/kill/delete"
	for rt in "${RTS[@]}"; do
		for sc in run csd; do
			# shellcheck disable=SC2046
			strace -f -c -o "$L/strace-$sc-$rt" "$MEASURE" -t 20 -o /dev/null -- \
				$(if [ $sc = run ]; then steps_run "$rt" ""; else steps_csd "$rt"; fi) \
				</dev/null >/dev/null 2>"$L/err" || { log "strace $sc $rt failed"; cat "$L/err" >&2; cleanup_life "$rt"; }
		done
	done
	# The harness alone (measure running /bin/true), to subtract.
	strace -f -c -o "$L/strace-base" "$MEASURE" -o /dev/null -- "$R/bin/true" >/dev/null 2>&1 || true
fi

# ---- report ---------------------------------------------------------------------------------
# Quantiles over the timed rounds (it >= 1); ratios are per round (same it), then their median.
awk -v nseq="$NSEQ" -v npar="$NPAR" -v npresent="$NPRESENT" -v execrts="${EXEC_RTS[*]}" '
function sortn(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t } }
function q(a, n, p,   x, i, f) { if (!n) return -1; sortn(a, n); x = 1 + (n - 1) * p; i = int(x); f = x - i; return i < n ? a[i] + f * (a[i+1] - a[i]) : a[n] }
function cell(v, lo, hi, unit) { if (v < 0) return "n/a"; return sprintf("%.*f %s (%.*f–%.*f)", dig(v), v, unit, dig(v), lo, dig(v), hi) }
function dig(v) { return v >= 100 ? 0 : (v >= 10 ? 1 : 2) }
function stat(sc, rt, key,   n, i, a) { n = 0; for (i = 1; i <= 1000; i++) if ((sc, rt, i) in W) a[++n] = W[sc, rt, i] / div[sc]; S_med[key] = q(a, n, .5); S_lo[key] = q(a, n, .25); S_hi[key] = q(a, n, .75); S_n[key] = n }
function rstat(sc, x, y, key,   n, i, a) { n = 0; for (i = 1; i <= 1000; i++) if ((sc, x, i) in W && (sc, y, i) in W) a[++n] = W[sc, x, i] / W[sc, y, i]; R_med[key] = q(a, n, .5); R_lo[key] = q(a, n, .25); R_hi[key] = q(a, n, .75) }
function rcell(k) { return R_med[k] < 0 ? "n/a" : sprintf("**%.2f** (%.2f–%.2f)", R_med[k], R_lo[k], R_hi[k]) }
BEGIN { div["run"] = div["csd"] = div["exec"] = div["state"] = div["list"] = 1; div["seq"] = nseq; div["par"] = npar
	name["run"] = "`run` /bin/true to exit (removes it)"
	name["csd"] = "create + start + kill + delete (sleeping)"
	name["exec"] = "`exec` /bin/true into a running container"
	name["seq"] = sprintf("%d × `run` in sequence, per container", nseq)
	name["par"] = sprintf("%d × `run` in parallel, per container", npar)
	name["state"] = sprintf("`state` with %d containers present", npresent)
	name["list"] = sprintf("`list` with %d containers present", npresent)
	steps["csd"] = "create start kill reap delete" }
$5 == "FAIL" { F[$1, $3] = 1; next }
$2 == "time" && $4 >= 1 { W[$1, $3, $4] = $5; seen[$1] = 1
	for (k = 10; k <= NF; k++) { ST[$1, $3, k - 9, ++STn[$1, $3, k - 9]] = $k } }
$2 == "rss" { H[$1, $3, ++Hn[$1, $3]] = $7 }
END {
	nsc = split("run csd exec seq par state list", SC, " ")
	print "| scenario | runc | crun | crbox | crbox/crun | crbox/runc | crun/runc |"
	print "|---|--:|--:|--:|--:|--:|--:|"
	for (s = 1; s <= nsc; s++) {
		sc = SC[s]; if (!(sc in seen) && !((sc, "crbox") in F)) continue
		line = "| " name[sc]
		for (r = 1; r <= 3; r++) { rt = r == 1 ? "runc" : (r == 2 ? "crun" : "crbox")
			stat(sc, rt, rt)
			if ((sc, rt) in F) line = line " | fails"
			else if (sc == "exec" && index(" " execrts " ", " " rt " ") == 0) line = line " | no `exec` yet"
			else line = line " | " cell(S_med[rt], S_lo[rt], S_hi[rt], "ms") }
		rstat(sc, "crbox", "crun", "a"); rstat(sc, "crbox", "runc", "b"); rstat(sc, "crun", "runc", "c")
		print line " | " rcell("a") " | " rcell("b") " | " rcell("c") " |"
		printf "#L time %s %.4f %.4f %.4f %.3f %.3f %.3f\n", sc, R_med["a"], R_med["b"], R_med["c"], S_med["crbox"], S_med["crun"], S_med["runc"] > targets
	}
	print ""
	print "Step by step, create + start + kill + delete (medians, ms; *reap* = from `kill` returning to the"
	print "container init reaped by the harness, its subreaper):"
	print ""
	print "| runtime | create | start | kill | reap | delete |"
	print "|---|--:|--:|--:|--:|--:|"
	for (r = 1; r <= 3; r++) { rt = r == 1 ? "runc" : (r == 2 ? "crun" : "crbox")
		if (!STn["csd", rt, 1]) continue
		line = "| " rt
		for (k = 1; k <= 5; k++) { n = STn["csd", rt, k]; delete a; for (i = 1; i <= n; i++) a[i] = ST["csd", rt, k, i]; line = line sprintf(" | %.2f", q(a, n, .5)) }
		print line " |" }
	print ""
	print "Peak RSS (VmHWM) of the runtime process alone, KiB, median of the peak-RSS rounds (worst):"
	print ""
	print "| scenario | runc | crun | crbox |"
	print "|---|--:|--:|--:|"
	for (s = 1; s <= nsc; s++) { sc = SC[s]; line = "| " name[sc]; any = 0
		for (r = 1; r <= 3; r++) { rt = r == 1 ? "runc" : (r == 2 ? "crun" : "crbox"); n = Hn[sc, rt]
			if (!n) { line = line " | –"; continue }
			any = 1; delete a; for (i = 1; i <= n; i++) a[i] = H[sc, rt, i]
			med = q(a, n, .5); mx = a[n]; line = line sprintf(" | %d (%d)", med, mx)
			if (rt == "crbox" && mx > worst) worst = mx }
		if (any) print line " |" }
	printf "#L rss %d\n", worst > targets
}' targets="$L/targets" "$RES" >"$L/report.md"

if has syscalls && [ -s "$L/strace-run-crbox" ]; then
	# parse FILE: "name calls errors" per syscall, and "total calls errors".
	parse() { awk '$1 ~ /^[0-9.]+$/ && NF >= 5 { if (NF == 6) print $6, $4, $5; else print $5, $4, 0 }' "$1"; }
	for f in "$L"/strace-*; do parse "$f" >"$f.p"; done
	{
		echo
		echo "Kernel work per container: system calls counted by \`strace -f -c\` over one run of the"
		echo "scenario (the runtime and every process it starts, up to the container's own \`/bin/true\` or"
		echo "\`sleep\`), less the harness's own calls (\`measure\` running \`/bin/true\`). *procs* = clone,"
		echo "clone3, fork and vfork; *mount API* = mount, umount2, pivot_root, open_tree, move_mount,"
		echo "fsopen, fsconfig, fsmount, mount_setattr; *fs* = openat(2), open, (new)fstat(at), statx, readlink(at), fcntl,"
		echo "read, write, close, getdents64; *errors* = calls that failed."
		echo
		echo "| scenario | runtime | syscalls | errors | procs | execve | mount API | fs | futex | mmap/munmap/mprotect | other |"
		echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
		for sc in run csd; do
			for rt in "${RTS[@]}"; do
				f=$L/strace-$sc-$rt.p
				[ -s "$f" ] || continue
				awk -v sc="$sc" -v rt="$rt" -v base="$L/strace-base.p" '
				BEGIN { while ((getline l < base) > 0) { split(l, x, " "); B[x[1]] = x[2]; BE[x[1]] = x[3] } }
				{ n = $2 - B[$1]; e = $3 - BE[$1]; if ($1 == "total") { T = n; E = e; next }
				  if ($1 ~ /^(clone|clone3|fork|vfork)$/) P += n
				  else if ($1 == "execve") X += n
				  else if ($1 ~ /^(mount|umount2|pivot_root|open_tree|move_mount|fsopen|fsconfig|fsmount|mount_setattr)$/) M += n
				  else if ($1 ~ /^(openat|openat2|open|newfstatat|statx|readlink|readlinkat|read|write|close|getdents64|fstat|lstat|stat|fcntl)$/) Fs += n
				  else if ($1 == "futex") FU += n
				  else if ($1 ~ /^(mmap|munmap|mprotect)$/) MM += n
				  else O += n }
				END { printf "| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %d |\n", sc, rt, T, E, P, X, M, Fs, FU, MM, O }' "$f"
			done
		done
		echo
		echo "The 12 most frequent calls of crbox and crun (run-to-exit), with runc's count alongside:"
		echo
		echo "| syscall | crbox | crun | runc |"
		echo "|---|--:|--:|--:|"
		awk 'FNR == 1 { k++ } $1 != "total" { C[$1, k] = $2; N[$1] = 1; if (k <= 2) S[$1] += $2 }
			END { for (n in N) if (n in S) print S[n], n, C[n, 1] + 0, C[n, 2] + 0, C[n, 3] + 0 }' \
			"$L/strace-run-crbox.p" "$L/strace-run-crun.p" "$L/strace-run-runc.p" |
			sort -k1,1nr | head -12 | awk '{printf "| %s | %d | %d | %d |\n", $2, $3, $4, $5}'
	} >>"$L/report.md"
fi
if [ -s "$L/failures" ]; then
	{
		echo
		echo "Failures (the runtime sat out the rest of that scenario):"
		echo
		sed 's/^\([^ ]*\) \([^ ]*\) \(.*\)/- `\1`, \2: `\3`/' "$L/failures"
	} >>"$L/report.md"
fi
log "life: done"
