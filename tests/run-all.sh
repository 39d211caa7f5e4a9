#!/usr/bin/env bash
# run-all.sh: runs every test layer (build, unit, cli, integration, fuzz, valgrind), prints their TAP lines
# and a summary per layer, and ends with exactly one line "N passed, N failed, N skipped".
# Exit 1 if anything failed or nothing ran. Knobs (see tests/README.md): LAYERS, BATS_FILTER,
# FUZZ_TIME, BATS_TEST_TIMEOUT, UNIT_TIMEOUT, JOBS.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

LAYERS=${LAYERS:-build unit cli integration fuzz valgrind}
FUZZ_DIR=${FUZZ_DIR:-tests/fuzz}
FUZZ_TIME=${FUZZ_TIME:-30}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}
VALGRIND_TIMEOUT=${VALGRIND_TIMEOUT:-900}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-600}
export CRIU_FAULT=${CRIU_FAULT:-130}
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

TMP=$(mktemp -d /tmp/crbox-run-all.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

PASS=0 FAIL=0 SKIP=0      # totals
LP=0 LF=0 LS=0            # current layer

# result ok|fail|skip NAME [DETAIL-FILE]: one result of our own (builds, crashes, fuzz runs).
result() {
	case $1 in
	ok) LP=$((LP + 1)); echo "ok - $2" ;;
	skip) LS=$((LS + 1)); echo "ok - $2 # skip" ;;
	*)
		LF=$((LF + 1))
		echo "not ok - $2"
		[ -n "${3:-}" ] && [ -s "$3" ] && tail -n 40 "$3" | sed 's/^/#   /'
		;;
	esac
	return 0
}

# count_tap FILE STATUS NAME: adds FILE's TAP results to the layer. A non-zero STATUS without a
# "not ok" line, and every planned test without a result, counts as a failure.
count_tap() {
	local file=$1 st=$2 name=$3 p f s plan missing
	p=$(grep -Ec '^ok( |$)' "$file")
	s=$(grep -Eic '^ok( |$).*#[[:space:]]*skip' "$file")
	p=$((p - s))
	f=$(grep -Ec '^not ok' "$file")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$file" | head -n 1)
	LP=$((LP + p)) LF=$((LF + f)) LS=$((LS + s))
	if [ -n "$plan" ] && [ $((p + f + s)) -lt "$plan" ]; then
		missing=$((plan - p - f - s))
		result fail "$name: $missing planned test(s) without a result"
		LF=$((LF + missing - 1))
	elif [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		result fail "$name: exited with status $st and no failing test"
	fi
	return 0
}

layer_begin() {
	LP=0 LF=0 LS=0
	echo "=== layer $1"
}

layer_end() {
	echo "=== layer $1: pass $LP, fail $LF, skip $LS"
	PASS=$((PASS + LP)) FAIL=$((FAIL + LF)) SKIP=$((SKIP + LS))
}

# make_step NAME MAKE-ARG...: one build result.
make_step() {
	local name=$1 log=$TMP/make.log
	shift
	if make "$@" >"$log" 2>&1; then
		result ok "$name"
	else
		result fail "$name" "$log"
	fi
}

layer_build() {
	local log=$TMP/make.log
	make_step "make (build/crbox)" -j"$JOBS"
	make_step "make tools" -j"$JOBS" tools
	make_step "make bench (bench/ programs; timing is never a test)" -j"$JOBS" bench
	if make size >"$log" 2>&1; then
		result ok "make size: $(grep -o 'build/crbox: .*' "$log")"
	else
		result fail "make size" "$log"
	fi
}

layer_unit() {
	local srcs=(tests/unit/t_*.c) src name kind bin log st
	[ -e "${srcs[0]}" ] || { echo "# no unit tests"; return 0; }
	local targets=()
	for src in "${srcs[@]}"; do
		name=$(basename "$src" .c)
		targets+=("build/unit-asan/$name" "build/unit-musl/$name")
	done
	# Build in parallel first; the per-target make below reports each failure on its own.
	make -k -j"$JOBS" "${targets[@]}" >/dev/null 2>&1
	for bin in "${targets[@]}"; do
		log=$TMP/unit.log
		if ! make "$bin" >"$log" 2>&1; then
			result fail "build $bin" "$log"
			continue
		fi
		timeout "$UNIT_TIMEOUT" "$bin" >"$log" 2>&1
		st=$?
		sed "s|^|${bin#build/}: |" "$log"
		if [ $st -eq 77 ] && ! grep -Eq '^(not )?ok' "$log"; then
			result skip "${bin#build/}: exit status 77"
			continue
		fi
		[ $st -eq 124 ] && result fail "${bin#build/}: timed out after ${UNIT_TIMEOUT}s"
		[ $st -eq 124 ] && st=0
		count_tap "$log" "$st" "${bin#build/}"
	done
}

# bats_layer DIR: every DIR/*.bats file through `bats --tap`.
bats_layer() {
	local files=("$1"/*.bats) f log st filter=()
	[ -e "${files[0]}" ] || { echo "# no tests in $1"; return 0; }
	[ -n "${BATS_FILTER:-}" ] && filter=(-f "$BATS_FILTER")
	if ! command -v bats >/dev/null; then
		result fail "bats is not installed"
		return 0
	fi
	for f in "${files[@]}"; do
		log=$TMP/bats.log
		echo "# $f"
		bats --tap "${filter[@]}" "$f" 2>&1 | tee "$log"
		st=${PIPESTATUS[0]}
		count_tap "$log" "$st" "$f"
	done
}

layer_cli() {
	[ -x build/crbox ] || echo "# warning: build/crbox does not exist"
	bats_layer tests/cli
}

layer_integration() {
	[ "$(id -u)" = 0 ] || echo "# warning: not root; integration tests will skip"
	bats_layer tests/integration
}

# A fuzz target may name its sources and corpus in comment lines:
#   fuzz-src: core/json.c core/buf.c      (default: see fuzz_sources)
#   fuzz-corpus: tests/data/json          (default: tests/data/<name without fuzz_>)
# directive KEY FILE: the text after "KEY:" on its first line in FILE, without a closing "*/".
directive() {
	sed -n "s/.*$1:[[:space:]]*//p" "$2" | head -n 1 | sed 's#[[:space:]]*\*/.*$##; s/[[:space:]]*$//'
}

# fuzz_sources FILE: the sources a fuzz target links: its fuzz-src: line, else the core/ and
# vendor-proto/ files its header comment's build command names (brace lists expanded), else all
# of core/*.c, core/*/*.c and vendor-proto/*.pb-c.c.
fuzz_sources() {
	local list hdr tok inner part parts
	list=$(directive fuzz-src "$1")
	if [ -z "$list" ]; then
		hdr=$(sed '/\*\//q' "$1" | sed 's/^[[:space:]]*\**[[:space:]]*//; s/^\/\*//' | tr -d '\n')
		for tok in $(grep -oE '(core|vendor-proto)/(\{[^}]*\}|[A-Za-z0-9_.-]+)\.c' <<<"$hdr"); do
			if [[ $tok == *'{'* ]]; then
				inner=${tok#*\{}
				IFS=, read -ra parts <<<"${inner%\}*}"
				for part in "${parts[@]}"; do
					list+=" ${tok%%\{*}${part// /}.c"
				done
			else
				list+=" $tok"
			fi
		done
	fi
	[ -n "$list" ] || list="core/*.c core/*/*.c vendor-proto/*.pb-c.c"
	# shellcheck disable=SC2086 # globs and duplicates: each file once
	printf '%s\n' $list | awk '!seen[$0]++' | tr '\n' ' '
}

layer_fuzz() {
	local srcs=("$FUZZ_DIR"/fuzz_*.c) src name list corpus bin log work st stats
	[ -e "${srcs[0]}" ] || { echo "# no fuzz targets"; return 0; }
	mkdir -p build/fuzz build/include/protobuf-c
	[ -f build/include/protobuf-c/protobuf-c.h ] || make build/include/protobuf-c/protobuf-c.h \
		>/dev/null 2>&1
	for src in "${srcs[@]}"; do
		name=$(basename "$src" .c)
		bin=build/fuzz/$name
		log=$TMP/fuzz.log
		list=$(fuzz_sources "$src")
		corpus=$(directive fuzz-corpus "$src")
		[ -n "$corpus" ] || corpus=tests/data/${name#fuzz_}
		# shellcheck disable=SC2086 # $list is a list of globs
		if ! clang -std=gnu11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
			-fno-sanitize-recover=undefined -I. -Icore -Ivendor-proto -Ibuild/include \
			-DCRBOX_VERSION='"fuzz"' -DCRBOX_COMMIT='"fuzz"' -DCRBOX_OCI_VERSION='"1.0.2-dev"' \
			-o "$bin" "$src" $list -lprotobuf-c >"$log" 2>&1; then
			result fail "fuzz build $name" "$log"
			continue
		fi
		work=$TMP/corpus-$name
		mkdir -p "$work" "$TMP/artifacts-$name"
		[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
		"$bin" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$TMP/artifacts-$name/" "$work" >"$log" 2>&1
		st=$?
		stats=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
		if [ $st -eq 0 ]; then
			result ok "fuzz $name: ${FUZZ_TIME}s, ${stats:-?} runs, corpus $corpus"
		else
			result fail "fuzz $name: exit status $st (artifacts: $(ls "$TMP/artifacts-$name"))" \
				"$log"
			grep -E '==ERROR|^SUMMARY|deadly signal' "$log" | head -n 5 | sed 's/^/#   /'
			# Keep the crashing input where CI logs can point at it.
			mkdir -p build/fuzz/crashes
			cp "$TMP/artifacts-$name"/* build/fuzz/crashes/ 2>/dev/null
		fi
	done
}

# valgrind: every unit test built without sanitizers (build/unit-plain/) under memcheck with
# leak checks, one result per binary; then the cli suite with CRBOX pointing at
# tests/tools/valgrind-crbox (the glibc build of crbox under memcheck, no leak checks: the
# applets leave freeing to exit), one result per bats test: memcheck found no error in any
# crbox run of that test. A test failing on its own under valgrind is noted, not counted
# (the cli layer counts it; argv[0]-sensitive texts differ under valgrind).
layer_valgrind() {
	local vg srcs=(tests/unit/t_*.c) src name bin log st targets=() files f logs n line num failed
	local supp=tests/valgrind.supp
	vg=$(command -v valgrind) || { result skip "valgrind is not installed"; return 0; }
	for src in "${srcs[@]}"; do
		[ -e "$src" ] && targets+=("build/unit-plain/$(basename "$src" .c)")
	done
	make -k -j"$JOBS" "${targets[@]}" build/glibc/crbox >/dev/null 2>&1
	for bin in "${targets[@]}"; do
		log=$TMP/vg-unit.log
		if ! make "$bin" >"$log" 2>&1; then
			result fail "build $bin" "$log"
			continue
		fi
		rm -f "$TMP"/vg-unit.*.vglog
		timeout "$VALGRIND_TIMEOUT" "$vg" -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect --suppressions="$supp" \
			--log-file="$TMP/vg-unit.%p.vglog" "$bin" >"$log" 2>&1
		st=$?
		name="valgrind ${bin#build/}: $(grep -Ec '^(not )?ok' "$log") checks"
		if [ $st -eq 77 ] && ! grep -Eq '^(not )?ok' "$log"; then
			result skip "valgrind ${bin#build/}: exit status 77"
		elif [ $st -eq 99 ] || grep -qs '^==' "$TMP"/vg-unit.*.vglog; then
			cat "$TMP"/vg-unit.*.vglog >"$log.errors"
			result fail "$name: memcheck errors" "$log.errors"
		elif [ $st -eq 124 ]; then
			result fail "$name: timed out after ${VALGRIND_TIMEOUT}s"
		elif [ $st -ne 0 ] || grep -q '^not ok' "$log"; then
			result fail "$name: exit status $st under valgrind" "$log"
		else
			result ok "$name, no memcheck errors or leaks"
		fi
	done
	if ! make build/glibc/crbox >"$TMP/vg-make.log" 2>&1; then
		result fail "build build/glibc/crbox" "$TMP/vg-make.log"
		return 0
	fi
	command -v bats >/dev/null || { result fail "bats is not installed"; return 0; }
	files=(tests/cli/*.bats)
	for f in "${files[@]}"; do
		[ -e "$f" ] || continue
		logs=$TMP/vg-cli-$(basename "$f" .bats)
		mkdir -p "$logs"
		echo "# $f under valgrind"
		VG_CRBOX=$PWD/build/glibc/crbox VG_LOGS=$logs VG_VALGRIND=$vg VG_SUPP=$PWD/$supp \
			CRBOX=$PWD/tests/tools/valgrind-crbox bats --tap "$f" >"$TMP/vg-bats.log" 2>&1
		while IFS= read -r line; do
			[[ $line =~ ^(not\ )?ok\ ([0-9]+)\ (.*)$ ]] || continue
			failed=${BASH_REMATCH[1]} num=${BASH_REMATCH[2]}
			name="valgrind cli $(basename "$f"): ${BASH_REMATCH[3]}"
			if [[ $line =~ \#[[:space:]]*[Ss][Kk][Ii][Pp] ]]; then
				result skip "$name"
				continue
			fi
			n=$(cat "$logs/$num".*.log 2>/dev/null | grep -c '^==')
			if [ "$n" -gt 0 ]; then
				cat "$logs/$num".*.log >"$logs/errors.txt"
				result fail "$name: memcheck errors" "$logs/errors.txt"
			else
				result ok "$name"
				[ -n "$failed" ] && echo "#   (the test itself failed under valgrind)"
			fi
		done <"$TMP/vg-bats.log"
		if ! grep -Eq '^(not )?ok' "$TMP/vg-bats.log"; then
			result fail "valgrind cli $(basename "$f"): bats ran no test" "$TMP/vg-bats.log"
		fi
	done
}

for layer in $LAYERS; do
	case $layer in
	build | unit | cli | integration | fuzz | valgrind) ;;
	*) echo "run-all: unknown layer '$layer'" >&2; exit 2 ;;
	esac
	layer_begin "$layer"
	"layer_$layer"
	layer_end "$layer"
done

echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ] && [ $((PASS + FAIL)) -gt 0 ]
