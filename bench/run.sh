#!/usr/bin/env bash
# bench/run.sh: crbox against runc 1.1.x and crun, side by side, on one machine in one run.
# Restore/checkpoint (crbox and runc): restore -d and checkpoint wall time (alternating, pair
# by pair), CRIU's own time from its logs, each runtime's overhead and peak RSS, for
# containers of 0, 64 and 512 MiB resident and with 1 and 20 bind mounts. Lifecycle (runc,
# crun, crbox, bench/life.sh): run to exit, create/start/kill/delete, exec, N in sequence and
# in parallel, state and list with N present, peak RSS, syscall counts. Then start-up and
# binary size. Prints markdown on stdout.
# Usage (root): bench/run.sh [--write] [--quick] [-n N] [--rss-runs R] [--version-runs V]
#       [--seq N] [--par N] [--present N] [--only S,..] | --render
#   --write  also writes docs/benchmarks.md; --render only rewrites it from the last results
#   (build/bench/last-results.md), after an edit of bench/benchmarks.md.in;
#   -n timed pairs/rounds per scenario (default 30);
#   --quick  a smoke run of about a minute (few rounds, 10 containers); --only restore
#   scenarios (small mem64 mem512 mnt20) and/or lifecycle ones (run csd exec seq par state
#   list syscalls), comma-separated; "none" for neither.
# Environment: CRBOX (default build/crbox), RUNC (runc), CRUN (crun), CRIU_FAULT (default
# 130). See README.md.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CMDLINE="bench/run.sh $*"
N=30 RSS_RUNS=3 VERSION_RUNS=200 WRITE=0 ONLY="" QUICK=0
NSEQ=100 NPAR=20 NPRESENT=100 NBATCH=5 RENDER=0
while [ $# -gt 0 ]; do
	case $1 in
	--write) WRITE=1 ;;
	--quick) QUICK=1 N=3 RSS_RUNS=1 VERSION_RUNS=20 NSEQ=10 NPAR=5 NPRESENT=10 NBATCH=1 ;;
	-n) N=$2; shift ;;
	--rss-runs) RSS_RUNS=$2; shift ;;
	--version-runs) VERSION_RUNS=$2; shift ;;
	--seq) NSEQ=$2; shift ;;
	--par) NPAR=$2; shift ;;
	--present) NPRESENT=$2; shift ;;
	--only) ONLY=$2; shift ;;
	--render) RENDER=1 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
	*) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
# render_doc: docs/benchmarks.md = the template's head, the kept results, the template's rest.
render_doc() {
	{
		sed -n '/^<!-- head -->$/,/^<!-- results -->$/p' "$REPO/bench/benchmarks.md.in" | sed '1d;$d'
		cat "$REPO/build/bench/last-results.md"
		sed -n '/^<!-- results -->$/,$p' "$REPO/bench/benchmarks.md.in" | sed '1d'
	} >"$REPO/docs/benchmarks.md"
}
if [ "$RENDER" = 1 ]; then
	[ -s "$REPO/build/bench/last-results.md" ] ||
		{ echo "run.sh: no build/bench/last-results.md (run the bench first)" >&2; exit 1; }
	render_doc
	echo "run.sh: wrote docs/benchmarks.md from build/bench/last-results.md" >&2
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "run.sh: run as root (criu needs it)" >&2; exit 1; }
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
export CRIU_FAULT=${CRIU_FAULT-130}   # criu dump hangs on this VM without it (see README.md)
CRBOX=${CRBOX:-$REPO/build/crbox}
RUNC=${RUNC:-$(command -v runc)}
CRUN=${CRUN:-$(command -v crun || echo crun)}
BUSYBOX=${BUSYBOX:-/bin/busybox}
for t in jq musl-gcc cc criu strip strace unshare "$RUNC" "$CRUN" "$BUSYBOX"; do
	command -v "$t" >/dev/null || { echo "run.sh: $t is missing (bash scripts/setup.sh)" >&2; exit 1; }
done
make -s -C "$REPO" all bench >/dev/null
# The revision the numbers belong to (docs/benchmarks.md itself does not count).
REV="$(git -C "$REPO" rev-parse --short=12 HEAD) ($(git -C "$REPO" status --porcelain --untracked-files=no -- . ':!docs/benchmarks.md' |
	grep -q . && echo 'with uncommitted changes' || echo clean))"
# hyperfine times the start-up; installed here when missing (Debian has it), else a plain loop.
if ! command -v hyperfine >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null 2>&1; } || true
fi

TMP=$(mktemp -d /tmp/crbox-bench.XXXXXX)
TAG=crbox-bench-${TMP##*.}
SCEN_ALL="small mem64 mem512 mnt20"
LIFE_ALL="run csd exec seq par state list syscalls"
IDS=()
log() { printf '[bench] %s\n' "$*" >&2; }

# ---- cleanup: containers of both runtimes, processes, mounts, cgroups, $TMP ----------------
cleanup() {
	local id m d pass
	cd /
	for id in "${IDS[@]}"; do
		timeout 30 "$CRBOX" --root "$TMP/crbox" delete -f "$id" </dev/null >/dev/null 2>&1 || true
		timeout 30 "$RUNC" --root "$TMP/runc" delete -f "$id" </dev/null >/dev/null 2>&1 || true
	done
	for pass in 1 2 3; do
		for d in /sys/fs/cgroup/*/"$TAG"-* /sys/fs/cgroup/"$TAG"-*; do
			[ -d "$d" ] || continue
			[ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
			find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
		done
		sleep 0.2
		for d in /sys/fs/cgroup/*/"$TAG"-* /sys/fs/cgroup/"$TAG"-*; do
			[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
		done
	done
	for m in $(awk -v d="$TMP" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo |
		sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	if awk -v d="$TMP" 'index($5, d "/") == 1 {f=1} END {exit !f}' /proc/self/mountinfo; then
		log "mounts left under $TMP; not removing it"
	else
		[ -n "${KEEP:-}" ] || rm -rf --one-file-system "$TMP"
	fi
	for d in /sys/fs/cgroup/*/"$TAG"-* /sys/fs/cgroup/"$TAG"-*; do
		[ -d "$d" ] && log "cgroup left: $d"
	done
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- tools: the timing/RSS harness and the memory workload (make bench) -------------------
cp "$REPO/build/bench/measure" "$REPO/build/bench/hog" "$TMP/"
MEASURE=$TMP/measure

# A busybox rootfs, copied per scenario.
mkrootfs() {
	local r=$1 a
	mkdir -p "$r/bin" "$r"/{proc,sys,dev,tmp,etc,root,run,var,mnt}
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	cp "$TMP/hog" "$r/bin/hog"
}

# make_bundle SCENARIO MIB BINDS: bundle in $TMP/SC/bundle; workload: the busybox counter
# (MIB=0) or hog MIB; BINDS bind mounts of host dirs at /mnt/bK.
make_bundle() {
	local sc=$1 mib=$2 binds=$3 b=$TMP/$1/bundle args mounts k
	mkdir -p "$b"
	mkrootfs "$b/rootfs"
	(cd "$b" && "$RUNC" spec)
	if [ "$mib" = 0 ]; then
		args='["/bin/sh","-c","i=0; : > /ready; while true; do i=$((i+1)); echo $i > /count; sleep 0.2; done"]'
	else
		args="[\"/bin/hog\",\"$mib\"]"
	fi
	mounts=$(for k in $(seq 0 $((binds - 1))); do
		mkdir -p "$TMP/$sc/binds/b$k"
		jq -n --arg s "$TMP/$sc/binds/b$k" --arg d "/mnt/b$k" \
			'{destination: $d, type: "bind", source: $s, options: ["rbind", "rw"]}'
	done | jq -s .)
	jq --argjson a "$args" --argjson m "$mounts" --arg cg "/$TAG-$sc" \
		'.process.terminal = false | .root.readonly = false | .process.args = $a
		 | .mounts += $m | .linux.cgroupsPath = $cg' "$b/config.json" >"$b/config.json.new"
	mv "$b/config.json.new" "$b/config.json"
}

# criu_ms LOG: the last timestamp CRIU wrote in LOG (seconds since it set up its log for the
# request), in ms.
criu_ms() {
	awk '/^\([0-9]+\.[0-9]+\)/ {t = substr($1, 2, length($1) - 2)} END {printf "%.3f", t * 1000}' "$1"
}

status_of() {
	local out
	out=$("$@" 2>/dev/null) || { echo absent; return 0; }
	jq -r .status <<<"$out"
}

RES=$TMP/results   # scenario pass runtime op iter wall_ms criu_ms exit hwm_kb ru_maxrss_kb
touch "$RES" "$TMP/imgsize" "$TMP/targets"

# op SC PASS RT OP ITER: one timed restore -d or checkpoint by RT (crbox|runc). PASS is time
# (unperturbed) or rss (under measure -m). Records a line in $RES; fails loudly on error.
op() {
	local sc=$1 pass=$2 rt=$3 kind=$4 it=$5 bin root id=bench-$1 d=$TMP/$1 m=() line w img
	case $rt in crbox) bin=$CRBOX ;; runc) bin=$RUNC ;; esac
	root=$TMP/$rt
	[ "$pass" = rss ] && m=(-m)
	w=$d/w/$rt-$kind-$pass-$it
	mkdir -p "$d/w"
	rm -f "$d/m.out"
	if [ "$kind" = restore ]; then
		"$MEASURE" "${m[@]}" -o "$d/m.out" -- "$bin" --root "$root" restore -d \
			--bundle "$d/bundle" --image-path "$d/base" --work-path "$w" "$id" \
			</dev/null >/dev/null 2>"$d/err" || {
			log "$rt restore failed ($sc):"; cat "$d/err" >&2; tail -5 "$w/restore.log" >&2; exit 1; }
		[ "$(status_of "$bin" --root "$root" state "$id")" = running ] ||
			{ log "$rt restore ($sc): container not running"; exit 1; }
		line="$(cat "$d/m.out") $(criu_ms "$w/restore.log")"
	else
		img=$d/ck-$rt
		rm -rf "$img"
		"$MEASURE" "${m[@]}" -o "$d/m.out" -- "$bin" --root "$root" checkpoint \
			--image-path "$img" --work-path "$w" "$id" </dev/null >/dev/null 2>"$d/err" || {
			log "$rt checkpoint failed ($sc):"; cat "$d/err" >&2; tail -5 "$w/dump.log" >&2; exit 1; }
		[ -s "$img/inventory.img" ] || { log "$rt checkpoint ($sc): no image"; exit 1; }
		[ "$(status_of "$bin" --root "$root" state "$id")" = absent ] ||
			{ log "$rt checkpoint ($sc): container still there"; exit 1; }
		line="$(cat "$d/m.out") $(criu_ms "$w/dump.log")"
		rm -rf "$img"
	fi
	rm -rf "$w"
	# measure: wall exit hwm rss ru_maxrss; then criu_ms
	set -- $line
	echo "$sc $pass $rt $kind $it $1 $6 $2 $3 $5" >>"$RES"
}

# One restore + checkpoint cycle by each runtime; the order alternates with ITER.
cycle() {
	local sc=$1 pass=$2 it=$3 a=runc b=crbox
	[ $((it % 2)) = 1 ] && { a=crbox; b=runc; }
	op "$sc" "$pass" "$a" restore "$it"; op "$sc" "$pass" "$a" checkpoint "$it"
	sync
	op "$sc" "$pass" "$b" restore "$it"; op "$sc" "$pass" "$b" checkpoint "$it"
	sync
}

scenario() {
	local sc=$1 mib binds id=bench-$1 i d=$TMP/$1
	case $sc in
	small) mib=0 binds=1 ;;
	mem64) mib=64 binds=1 ;;
	mem512) mib=512 binds=1 ;;
	mnt20) mib=0 binds=20 ;;
	esac
	log "$sc: ${mib} MiB, $binds bind mount(s): runc run + runc checkpoint"
	make_bundle "$sc" "$mib" "$binds"
	IDS+=("$id")
	# The container's stdio is runc's: /dev/null (a file outside the rootfs would not dump).
	"$RUNC" --root "$TMP/runc" --log "$d/run.log" run -d --bundle "$d/bundle" "$id" \
		</dev/null >/dev/null 2>/dev/null || { cat "$d/run.log" >&2; exit 1; }
	for i in $(seq 300); do
		[ -e "$d/bundle/rootfs/ready" ] && [ -e "$d/bundle/rootfs/count" ] && break
		sleep 0.1
	done
	[ -e "$d/bundle/rootfs/ready" ] || { log "$sc: workload did not start"; exit 1; }
	sleep 0.5
	"$RUNC" --root "$TMP/runc" checkpoint --image-path "$d/base" --work-path "$d/basew" "$id" \
		2>"$d/err" || { cat "$d/err" >&2; exit 1; }
	printf '%s %s\n' "$sc" "$(du -sm "$d/base" | cut -f1)" >>"$TMP/imgsize"
	log "$sc: warm-up, then $RN timed pairs, then $RSS_RUNS peak-RSS pairs"
	cycle "$sc" warm 0
	for i in $(seq 1 "$RN"); do
		cycle "$sc" time "$i"
	done
	for i in $(seq 1 "$RSS_RUNS"); do
		cycle "$sc" rss "$i"
	done
}

SCENS=$SCEN_ALL LIFE_SCENS=$LIFE_ALL
[ "$QUICK" = 1 ] && SCENS=small
if [ -n "$ONLY" ]; then
	SCENS="" LIFE_SCENS=""
	for sc in ${ONLY//,/ }; do
		case " $SCEN_ALL " in *" $sc "*) SCENS+="${SCENS:+ }$sc"; continue ;; esac
		case " $LIFE_ALL " in *" $sc "*) LIFE_SCENS+="${LIFE_SCENS:+ }$sc"; continue ;; esac
		[ "$sc" = none ] || { echo "run.sh: unknown scenario $sc" >&2; exit 2; }
	done
fi
RN=$N
[ "$QUICK" = 1 ] && RN=2
START=$SECONDS
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
cd "$TMP"
for sc in $SCENS; do
	scenario "$sc"
done

# ---- the container lifecycle: runc, crun, crbox (bench/life.sh, in a private mount ns) -----
if [ -n "$LIFE_SCENS" ]; then
	TMP=$TMP TAG=$TAG MEASURE=$MEASURE CRBOX=$CRBOX RUNC=$RUNC CRUN=$CRUN BUSYBOX=$BUSYBOX \
	N=$N RSS_RUNS=$RSS_RUNS NSEQ=$NSEQ NPAR=$NPAR NBATCH=$NBATCH NPRESENT=$NPRESENT \
	LIFE_SCENS=$LIFE_SCENS OUTER_MNTNS=$(readlink /proc/self/ns/mnt) \
		unshare -m --propagation private bash "$REPO/bench/life.sh"
fi

# ---- start-up, RSS of --version, size -------------------------------------------------------
log "start-up: --version, $VERSION_RUNS runs each"
VTOOL="plain loop (bench/measure.c)"
if command -v hyperfine >/dev/null; then
	VTOOL="hyperfine $(hyperfine --version | awk '{print $2}') -N --warmup 20"
	hyperfine -N --warmup 20 --runs "$VERSION_RUNS" --export-json "$TMP/hf.json" \
		"$RUNC --version" "$CRBOX --version" "$CRUN --version" >/dev/null 2>&1
	V_RUNC=$(jq '.results[0].median * 1000' "$TMP/hf.json")
	V_CRBOX=$(jq '.results[1].median * 1000' "$TMP/hf.json")
	V_CRUN=$(jq '.results[2].median * 1000' "$TMP/hf.json")
else
	"$MEASURE" -n "$VERSION_RUNS" -o "$TMP/v-runc" -- "$RUNC" --version >/dev/null
	"$MEASURE" -n "$VERSION_RUNS" -o "$TMP/v-crbox" -- "$CRBOX" --version >/dev/null
	"$MEASURE" -n "$VERSION_RUNS" -o "$TMP/v-crun" -- "$CRUN" --version >/dev/null
	V_CRUN=$(cut -d' ' -f1 "$TMP/v-crun" | sort -n | awk '{a[NR]=$1} END {print (a[int((NR+1)/2)]+a[int(NR/2)+1])/2}')
	V_RUNC=$(cut -d' ' -f1 "$TMP/v-runc" | sort -n | awk '{a[NR]=$1} END {print (a[int((NR+1)/2)]+a[int(NR/2)+1])/2}')
	V_CRBOX=$(cut -d' ' -f1 "$TMP/v-crbox" | sort -n | awk '{a[NR]=$1} END {print (a[int((NR+1)/2)]+a[int(NR/2)+1])/2}')
fi
"$MEASURE" -m -n 5 -o "$TMP/vm-runc" -- "$RUNC" --version >/dev/null
"$MEASURE" -m -n 5 -o "$TMP/vm-crbox" -- "$CRBOX" --version >/dev/null
VM_RUNC=$(cut -d' ' -f3 "$TMP/vm-runc" | sort -n | tail -1)
VM_CRBOX=$(cut -d' ' -f3 "$TMP/vm-crbox" | sort -n | tail -1)
"$MEASURE" -m -n 5 -o "$TMP/vm-crun" -- "$CRUN" --version >/dev/null
VM_CRUN=$(cut -d' ' -f3 "$TMP/vm-crun" | sort -n | tail -1)
strip -s -o "$TMP/crun.stripped" "$CRUN" 2>/dev/null || cp "$CRUN" "$TMP/crun.stripped"
SZ_CRUN_FILE=$(stat -c %s "$CRUN")
SZ_CRUN=$(stat -c %s "$TMP/crun.stripped")
if readelf -l "$CRUN" | grep -q INTERP; then CRUN_LINK=dynamic; else CRUN_LINK=static; fi
CRUN_LIBS="$(ldd "$CRUN" 2>/dev/null | awk '$1 ~ /^lib/ {n++} END {print n + 0}') shared libraries"
strip -s -o "$TMP/runc.stripped" "$RUNC" 2>/dev/null || cp "$RUNC" "$TMP/runc.stripped"
SZ_CRBOX=$(stat -c %s "$CRBOX")
SZ_RUNC_FILE=$(stat -c %s "$RUNC")
SZ_RUNC=$(stat -c %s "$TMP/runc.stripped")
if readelf -l "$RUNC" | grep -q INTERP; then RUNC_LINK=dynamic; else RUNC_LINK=static; fi
ELAPSED=$((SECONDS - START))
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ---------------------------------------------------------------------------------
# stats: awk over $RES, one row per scenario and op. Medians; the ratio is the median of the
# per-pair ratios crbox/runc (same iteration).
TABLE=$(awk -v scens="$SCENS" '
function med(arr, n,   i, j, t) {
	for (i = 2; i <= n; i++) { t = arr[i]; for (j = i - 1; j >= 1 && arr[j] > t; j--) arr[j+1] = arr[j]; arr[j+1] = t }
	return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
{ sc=$1; pass=$2; rt=$3; op=$4; it=$5; wall=$6; criu=$7; hwm=$9
  k = sc SUBSEP op
  if (pass == "time") {
	W[k, rt, it] = wall; C[k, rt, it] = criu; its[k, it] = 1
  } else if (pass == "rss") {
	n = ++NR_[k, rt]; H[k, rt, n] = hwm
  }
}
END {
	ns = split(scens, S, " ")
	printf "| scenario | op | runc wall | crbox wall | crbox/runc | runc CRIU | crbox CRIU | runc overhead | crbox overhead | runc peak RSS | crbox peak RSS |\n"
	printf "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
	for (s = 1; s <= ns; s++) for (o = 1; o <= 2; o++) {
		op = o == 1 ? "restore" : "checkpoint"; k = S[s] SUBSEP op
		n = 0; delete wr; delete wc; delete cr; delete cc; delete orr; delete oc; delete ra; delete fl
		for (it = 1; it <= 1000; it++) {
			if (!((k, it) in its)) continue
			n++
			wr[n] = W[k, "runc", it]; wc[n] = W[k, "crbox", it]
			cr[n] = C[k, "runc", it]; cc[n] = C[k, "crbox", it]
			orr[n] = wr[n] - cr[n]; oc[n] = wc[n] - cc[n]; ra[n] = wc[n] / wr[n]; fl[n] = cr[n] / wr[n]
		}
		if (!n) continue
		delete hr; delete hc
		for (i = 1; i <= NR_[k, "runc"]; i++) hr[i] = H[k, "runc", i]
		for (i = 1; i <= NR_[k, "crbox"]; i++) hc[i] = H[k, "crbox", i]
		printf "| %s | %s | %.1f ms | %.1f ms | **%.2f** | %.1f ms | %.1f ms | %.1f ms | **%.1f ms** | %.1f MiB | **%.2f MiB** |\n", \
			S[s], op, med(wr, n), med(wc, n), med(ra, n), med(cr, n), med(cc, n), med(orr, n), med(oc, n), \
			med(hr, NR_[k, "runc"]) / 1024, med(hc, NR_[k, "crbox"]) / 1024
		# machine-readable line for the target check
		printf "#T %s %s %.3f %.3f %.4f %.3f %d %.4f\n", S[s], op, med(oc, n), med(orr, n), med(ra, n), med(wc, n), n, med(fl, n) > "/dev/stderr"
	}
}' "$RES" 2>"$TMP/targets")
MAXHWM=$(awk '$2 == "rss" && $3 == "crbox" {if ($9 > m) m = $9} END {print m + 0}' "$RES")
MAXHWM_RUNC=$(awk '$2 == "rss" && $3 == "runc" {if ($9 > m) m = $9} END {print m + 0}' "$RES")
RUMAX_CRBOX=$(awk '$2 == "rss" && $3 == "crbox" {if ($10 > m) m = $10} END {print m + 0}' "$RES")

tv() { awk -v s="$1" -v o="$2" -v f="$3" '$1 == "#T" && $2 == s && $3 == o {print $f}' "$TMP/targets"; }
lv() { awk -v s="$1" -v f="$2" '$1 == "#L" && $2 == "time" && $3 == s {print $f}' "$TMP/life/targets" 2>/dev/null; }
yes_no() { awk -v v="$1" -v l="$2" 'BEGIN {print (v != "" && v >= 0 && v <= l) ? "met" : "**missed**"}'; }
TARGETS=""
# life_target SCEN LABEL MAX-VS-CRUN [MAX-VS-RUNC]
life_target() {
	local a b
	a=$(lv "$1" 4) b=$(lv "$1" 5)
	if [ -z "$a" ] || awk -v v="$a" 'BEGIN {exit !(v < 0)}'; then
		TARGETS+="| crbox/crun, $2 | ≤ $3 | not measured (crbox fails or lacks it: see below) | **missed** |"$'\n'
		return 0
	fi
	TARGETS+="| crbox/crun, $2, median of round ratios | ≤ $3 | $(printf %.2f "$a") (crbox $(printf %.1f "$(lv "$1" 7)") ms, crun $(printf %.1f "$(lv "$1" 8)") ms) | $(yes_no "$a" "$3") |"$'\n'
	if [ -n "${4:-}" ]; then
		TARGETS+="| crbox/runc, $2, median of round ratios | ≤ $4 | $(printf %.2f "$b") (runc $(printf %.1f "$(lv "$1" 9)") ms) | $(yes_no "$b" "$4") |"$'\n'
	fi
	return 0
}
if [ -s "$TMP/life/targets" ]; then
	grep -q ' run ' "$TMP/life/targets" && life_target run "\`run\` /bin/true to exit" 0.8 0.5
	grep -q ' csd ' "$TMP/life/targets" && life_target csd "create + start + kill + delete" 0.8 0.5
	grep -q ' exec ' "$TMP/life/targets" && life_target exec "\`exec\` /bin/true" 0.8
fi
if grep -q '^#T small ' "$TMP/targets"; then
	o=$(tv small restore 4); r=$(tv small restore 6); c=$(tv small checkpoint 6)
	TARGETS+="| crbox restore overhead (wall − CRIU log), small, median | ≤ 8 ms | $(printf %.1f "$o") ms (runc: $(printf %.1f "$(tv small restore 5)") ms) | $(yes_no "$o" 8) |"$'\n'
	TARGETS+="| crbox/runc restore wall, small, median of pair ratios | ≤ 0.85 | $(printf %.2f "$r") (zero-overhead floor: $(printf %.2f "$(tv small restore 9)")) | $(yes_no "$r" 0.85) |"$'\n'
	TARGETS+="| crbox/runc checkpoint wall, small, median of pair ratios | ≤ 0.85 | $(printf %.2f "$c") (zero-overhead floor: $(printf %.2f "$(tv small checkpoint 9)")) | $(yes_no "$c" 0.85) |"$'\n'
fi
LIFEHWM=$(awk '$1 == "#L" && $2 == "rss" {print $3}' "$TMP/life/targets" 2>/dev/null || true)
if [ -n "$LIFEHWM" ] && [ "$LIFEHWM" -gt "$MAXHWM" ]; then MAXHWM=$LIFEHWM; fi
TARGETS+="| crbox peak RSS (VmHWM), worst run of any scenario and op | ≤ 1024 KiB | $MAXHWM KiB (runc: $MAXHWM_RUNC KiB on restore/checkpoint) | $(yes_no "$MAXHWM" 1024) |"$'\n'
TARGETS+="| crbox static stripped binary | ≤ 409600 B | $SZ_CRBOX B ($((SZ_CRBOX / 1024)) KiB) | $(yes_no "$SZ_CRBOX" 409600) |"

LIFE_MD=""
if [ -s "$TMP/life/report.md" ]; then
	LIFE_MD=$(cat <<EOF
### Container lifecycle: runc, crun and crbox, $N rounds in rotating order

All three runtimes run inside one private mount namespace from which the cgroup2 mount
(\`/sys/fs/cgroup/unified\`) was lazily unmounted (\`unshare -m --propagation private\`, then
\`umount -l\`): crun 1.8.1 refuses this hybrid host otherwise. Cells: median (25th–75th
percentile) of the timed rounds; ratios: median (25th–75th percentile) of the per-round
ratios. $NSEQ in sequence and $NPAR in parallel: $NBATCH rounds, time per container (total / count).

$(cat "$TMP/life/report.md")
EOF
)
fi
RESTORE_MD=""
if [ -n "$SCENS" ]; then
	IMGSZ=$(awk '{printf "%s%s %s MiB", (NR > 1 ? ", " : ""), $1, $2}' "$TMP/imgsize")
	RESTORE_MD=$(cat <<EOF
### Restore -d and checkpoint (crbox and runc), $RN alternating pairs per scenario (medians)

$TABLE

Scenarios: \`small\` = busybox counter, 1 bind mount; \`mem64\`/\`mem512\` = \`hog\` holding
64/512 MiB resident, 1 bind mount; \`mnt20\` = busybox counter, 20 bind mounts. Image sizes
(runc's checkpoint): $IMGSZ. *CRIU* = last timestamp in restore.log/dump.log; *overhead* =
wall − CRIU. Peak RSS: median VmHWM of the runtime process alone over $RSS_RUNS runs under
\`measure -m\` (worst wait4 ru_maxrss of crbox in those runs, which includes criu: $RUMAX_CRBOX KiB).
These run in the host's mount namespace (crun takes no part: Debian's crun is built without CRIU).
EOF
)
fi
REPORT=$(cat <<EOF
### Targets

| target | goal | measured | |
|---|---|---|---|
$TARGETS

$LIFE_MD

$RESTORE_MD

### Start-up and size

| | runc | crun | crbox | crbox/crun | crbox/runc |
|---|--:|--:|--:|--:|--:|
| \`--version\` wall, median of $VERSION_RUNS ($VTOOL) | $(printf %.2f "$V_RUNC") ms | $(printf %.2f "$V_CRUN") ms | $(printf %.2f "$V_CRBOX") ms | $(awk -v a="$V_CRBOX" -v b="$V_CRUN" 'BEGIN {printf "%.2f", a / b}') | $(awk -v a="$V_CRBOX" -v b="$V_RUNC" 'BEGIN {printf "%.2f", a / b}') |
| \`--version\` peak RSS (VmHWM) | $VM_RUNC KiB | $VM_CRUN KiB | $VM_CRBOX KiB | $(awk -v a="$VM_CRBOX" -v b="$VM_CRUN" 'BEGIN {printf "%.3f", a / b}') | $(awk -v a="$VM_CRBOX" -v b="$VM_RUNC" 'BEGIN {printf "%.3f", a / b}') |
| binary as installed | $SZ_RUNC_FILE B ($RUNC_LINK) | $SZ_CRUN_FILE B ($CRUN_LINK) | $SZ_CRBOX B (static) | | |
| stripped (\`strip -s\`) | $SZ_RUNC B | $SZ_CRUN B | $SZ_CRBOX B | $(awk -v a="$SZ_CRBOX" -v b="$SZ_CRUN" 'BEGIN {printf "%.3f", a / b}') | $(awk -v a="$SZ_CRBOX" -v b="$SZ_RUNC" 'BEGIN {printf "%.3f", a / b}') |

crun's shared libraries are not in its size: it loads $CRUN_LIBS (\`ldd\`).

Run time of the whole bench: ${ELAPSED} s; load average (1/5/15 min) at the start: $LOAD_START,
at the end: $LOAD_END.
EOF
)
printf '%s\n' "$REPORT"

machine() {
	echo "- CPU: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) vCPUs;" \
		"RAM: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "- Kernel: $(uname -sr) ($(. /etc/os-release && echo "$PRETTY_NAME"));" \
		"/tmp on $(df -T /tmp | awk 'NR == 2 {print $2}')"
	echo "- runc: $("$RUNC" --version | head -1) ($("$RUNC" --version | sed -n 's/^go: //p'));" \
		"crun: $("$CRUN" --version | head -1 | sed 's/crun version //');" \
		"criu: $(criu --version | head -1 | sed 's/Version: //'); crbox: $REV"
	echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ); CRIU_FAULT=$CRIU_FAULT"
}
# The results with their command and machine, kept for --render.
mkdir -p "$REPO/build/bench"
{
	echo "Command: \`$CMDLINE\` (as root, from the repository root)."
	echo
	machine
	echo
	printf '%s\n' "$REPORT"
} >"$REPO/build/bench/last-results.md"
log "results kept in build/bench/last-results.md (bench/run.sh --render rewrites the doc from them)"
if [ "$WRITE" = 1 ]; then
	render_doc
	log "wrote docs/benchmarks.md"
fi
