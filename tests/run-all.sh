#!/usr/bin/env bash
# run-all.sh: runs every test layer (build, unit, cli, integration, fuzz, valgrind, cross), prints their TAP lines
# and a summary per layer, and ends with exactly one line "N passed, N failed, N skipped".
# Exit 1 if anything failed or nothing ran. Knobs (see tests/README.md): LAYERS, BATS_FILTER,
# FUZZ_TIME, BATS_TEST_TIMEOUT, UNIT_TIMEOUT, JOBS, CROSS_ARCHES, CROSS_JOBS.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

LAYERS=${LAYERS:-build unit cli integration engines conformance fuzz valgrind cross}
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

LP=0 LF=0 LS=0            # current layer
# Every result is also recorded as "STATUS<TAB>KEY" in $CHECKS; the final line counts each
# KEY once (a check that ran in several builds or layers, e.g. a unit test in the ASan and
# musl builds or a cli test again under valgrind, is one check: failed if it failed anywhere,
# else passed if it passed anywhere, else skipped).
CHECKS=$TMP/checks
: >"$CHECKS"

# check_key GROUP: the identity of GROUP's checks across builds/layers.
check_key() {
	local g=$1
	g=${g#build/}
	g=${g/#unit-asan\//unit/}
	g=${g/#unit-musl\//unit/}
	printf '%s' "$g"
}

record() {
	printf '%s\t%s\n' "$1" "$2" >>"$CHECKS"
}

# result ok|fail|skip NAME [DETAIL-FILE] [KEY]: one result of our own (builds, crashes, fuzz
# runs); KEY (default NAME) is its identity for the final count.
result() {
	record "$1" "${4:-$2}"
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
	local key line
	key=$(check_key "$name")
	while IFS= read -r line; do
		if [[ $line =~ ^not\ ok\ ([0-9]+) ]]; then
			record fail "$key|${BASH_REMATCH[1]}"
		elif [[ $line =~ ^ok\ ([0-9]+) ]]; then
			local num=${BASH_REMATCH[1]}
			if [[ $line =~ \#[[:space:]]*[Ss][Kk][Ii][Pp] ]]; then
				record skip "$key|$num"
			else
				record ok "$key|$num"
			fi
		fi
	done <"$file"
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
	local log=$TMP/make.log bare
	# bats 1.8 runs test bodies under set -e, which ignores a negated command: a bare
	# "! cmd" that is not a test's last line asserts nothing. Use "run ! cmd".
	bare=$(grep -nE '^[[:space:]]*![[:space:]]' tests/cli/*.bats tests/integration/*.bats)
	if [ -z "$bare" ]; then
		result ok "lint: no bare '! cmd' assertion in a bats file"
	else
		printf '%s\n' "$bare" >"$TMP/lint.log"
		result fail "lint: bare '! cmd' assertions assert nothing in bats" "$TMP/lint.log"
	fi
	# Code comments never point outside the repository (facts live in docs/).
	bare=$(grep -nE 'share[d]/reference|\.\./share[d]|https?://' core/*.[ch] core/*/*.[ch] applets/*.[ch])
	if [ -z "$bare" ]; then
		result ok "lint: no code comment points outside the repository"
	else
		printf '%s\n' "$bare" >"$TMP/lint.log"
		result fail "lint: code that points outside the repository" "$TMP/lint.log"
	fi
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

# cross: every architecture of CROSS_ARCHES (default aarch64 armhf i386 riscv64) whose cross
# compiler and qemu-user are installed (scripts/setup.sh installs them): build/<arch>/crbox
# built static and within the size budget, its unit tests (static musl, and the sanitizer
# build where the target has one) and the no-root CLI tests, all run under
# qemu-<arch>-static explicitly (no binfmt needed). CROSS_JOBS architectures at a time
# (default 2): each one's output goes to files and is counted once all are done.
CROSS_ARCHES=${CROSS_ARCHES:-aarch64 armhf i386 riscv64}
CROSS_JOBS=${CROSS_JOBS:-2}
CROSS_UNIT_TIMEOUT=${CROSS_UNIT_TIMEOUT:-120}

# cross_vars ARCH: sets triple and qemu from config.mk's table.
cross_vars() {
	triple=$(sed -n "s/^TRIPLE_$1 *= *//p" config.mk)
	qemu=$(sed -n "s/^QEMU_$1 *= *//p" config.mk)
}

# cross_run ARCH DIR: builds and runs everything for ARCH, results as files in DIR.
cross_run() {
	local a=$1 d=$2 triple qemu bin t env
	cross_vars "$a"
	mkdir -p "$d"
	make ARCH="$a" -j"$JOBS" all unit-bins >"$d/make.log" 2>&1
	echo $? >"$d/make.st"
	make ARCH="$a" size >"$d/size.log" 2>&1
	echo $? >"$d/size.st"
	bin=build/$a/crbox
	[ -x "$bin" ] || return 0
	file -b "$bin" >"$d/file.txt" 2>&1
	env=(env ASAN_OPTIONS=detect_leaks=0 CRBOX_TEST_EMULATOR="qemu-$qemu" CRBOX_TEST_NOEXEC=1)
	for t in build/"$a"/unit-musl/t_* build/"$a"/unit-asan/t_*; do
		[ -x "$t" ] || continue
		timeout "$CROSS_UNIT_TIMEOUT" "${env[@]}" "qemu-$qemu-static" -L "/usr/$triple" "$t" \
			>"$d/unit.$(basename "$(dirname "$t")").$(basename "$t").log" 2>&1
		echo $? >"$d/unit.$(basename "$(dirname "$t")").$(basename "$t").st"
	done
	# The CLI suite runs the arch binary through tests/tools/qemu-crbox, linked as "crbox" so
	# that the program names itself as the real one does.
	mkdir -p "build/$a/qemu"
	ln -sfn "$PWD/tests/tools/qemu-crbox" "build/$a/qemu/crbox"
	"${env[@]}" QEMU_CRBOX="$PWD/$bin" QEMU_CMD="$(command -v "qemu-$qemu-static")" \
		CRBOX="$PWD/build/$a/qemu/crbox" CRBOX_BIN="$PWD/$bin" CRBOX_ARCH="$a" \
		bats --tap tests/cli >"$d/cli.log" 2>&1
	echo $? >"$d/cli.st"
}

# cross_report ARCH DIR: the results of cross_run, counted.
cross_report() {
	local a=$1 d=$2 f name st
	if [ "$(cat "$d/make.st")" -ne 0 ]; then
		result fail "cross $a: make ARCH=$a" "$d/make.log"
	else
		result ok "cross $a: make ARCH=$a"
	fi
	if [ "$(cat "$d/size.st")" -eq 0 ]; then
		result ok "cross $a: make size: $(grep -o 'build/.*' "$d/size.log")"
	else
		result fail "cross $a: make size" "$d/size.log"
	fi
	[ -f "$d/file.txt" ] || return 0
	if grep -Eq 'statically linked|static-pie linked' "$d/file.txt"; then
		result ok "cross $a: static ($(cut -d, -f1-2 "$d/file.txt"))"
	else
		result fail "cross $a: not static: $(cat "$d/file.txt")"
	fi
	for f in "$d"/unit.*.log; do
		[ -e "$f" ] || continue
		name=${f#"$d"/unit.}
		name="$a/${name%.log}"
		name=${name/./\/}
		st=$(cat "${f%.log}.st")
		sed "s|^|$name: |" "$f"
		[ "$st" -eq 124 ] && result fail "$name: timed out after ${CROSS_UNIT_TIMEOUT}s" && st=0
		count_tap "$f" "$st" "$name"
	done
	if [ -f "$d/cli.log" ]; then
		echo "# tests/cli under qemu ($a)"
		cat "$d/cli.log"
		count_tap "$d/cli.log" "$(cat "$d/cli.st")" "cross $a: tests/cli"
	fi
}

# Podman + conmon and containerd + ctr driving crbox as their only runtime (tests/engines).
layer_engines() {
	[ "$(id -u)" = 0 ] || echo "# warning: not root; engine tests will skip"
	bats_layer tests/engines
}

# The OCI runtime-tools validation suite against crbox, program by program, compared with
# crun's failures here (tests/conformance/check.sh; built by scripts/build-conformance.sh).
layer_conformance() {
	local log=$TMP/conformance.log st
	if [ "$(id -u)" != 0 ]; then
		result skip "conformance: needs root"
		return 0
	fi
	if ! bash scripts/build-conformance.sh >"$log" 2>&1; then
		result fail "conformance: building the validation suite" "$log"
		return 0
	fi
	CONFORMANCE_OUT=$TMP/conformance.txt tests/conformance/check.sh "$PWD/build/crbox" 2>&1 |
		tee "$log"
	st=${PIPESTATUS[0]}
	count_tap "$log" "$st" "conformance"
}

layer_cross() {
	local a triple qemu todo=() running=0 start=$SECONDS
	for a in $CROSS_ARCHES; do
		cross_vars "$a"
		if [ -z "$triple" ]; then
			result fail "cross $a: not an architecture of config.mk"
		elif ! command -v "$triple-gcc" >/dev/null || ! command -v "qemu-$qemu-static" >/dev/null
		then
			result skip "cross $a: $triple-gcc or qemu-$qemu-static not installed (scripts/setup.sh)"
		else
			todo+=("$a")
		fi
	done
	[ ${#todo[@]} -gt 0 ] || return 0
	command -v bats >/dev/null || { result fail "bats is not installed"; return 0; }
	# The musl and protobuf-c sources are fetched once, before the parallel builds.
	for a in "${todo[@]}"; do
		make ARCH="$a" deps >"$TMP/cross-deps.log" 2>&1 ||
			result fail "cross $a: scripts/build-deps.sh" "$TMP/cross-deps.log"
	done
	for a in "${todo[@]}"; do
		cross_run "$a" "$TMP/cross-$a" &
		running=$((running + 1))
		if [ "$running" -ge "$CROSS_JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
	done
	wait
	for a in "${todo[@]}"; do
		cross_report "$a" "$TMP/cross-$a"
	done
	echo "# cross layer: $((SECONDS - start))s for ${todo[*]}"
}

# A fuzz target may name its sources and corpus in comment lines:
#   fuzz-src: core/json.c core/buf.c      (default: see fuzz_sources; "all" = that default)
#   fuzz-corpus: tests/data/json          (default: tests/data/<name without fuzz_>)
# directive KEY FILE: the text after "KEY:" on its first line in FILE, without a closing "*/".
directive() {
	sed -n "s/.*$1:[[:space:]]*//p" "$2" | head -n 1 | sed 's#[[:space:]]*\*/.*$##; s/[[:space:]]*$//'
}

# fuzz_sources FILE: the sources a fuzz target links: its fuzz-src: line (the word "all" there
# stands for all of core/ and vendor-proto/), else the core/ and vendor-proto/ files its
# header comment's build command names (brace lists expanded), else all
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
	# "all" in a fuzz-src: line stands for the default (every core/ and protobuf file).
	list=$(sed -E 's#(^| )all( |$)#\1core/*.c core/*/*.c vendor-proto/*.pb-c.c\2#' <<<"$list")
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
# crbox run of that test and the test passed; a test failing on its own under valgrind is a
# failure, except the few listed in vg_divergent (skipped, with the reason).
# vg_divergent FILE NAME: 0 for the cli tests that cannot pass under valgrind-crbox because
# they compare crbox's argv[0] (runc's argument-count wording, the runc comparisons) or where
# --install links lead: under valgrind those name build/glibc/crbox. Such a test that fails
# under valgrind is a skip with that reason; any other failure is a failure.
vg_divergent() {
	case "$1: $2" in
	"compare.bats: compare: "*) return 0 ;;
	"dispatch.bats: --install makes relative symlinks for every applet") return 0 ;;
	"flags.bats: state without arguments: Incorrect Usage. and runc's argument-count wording") return 0 ;;
	"lifecycle.bats: argument counts: runc's checkArgs wording (exactly / minimum / maximum)") return 0 ;;
	esac
	return 1
}

layer_valgrind() {
	local vg srcs=(tests/unit/t_*.c) src name bin log st targets=() files f logs n line num failed
	local supp=tests/valgrind.supp tname
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
			tname=${BASH_REMATCH[3]}
			name="valgrind cli $(basename "$f"): $tname"
			if [[ $line =~ \#[[:space:]]*[Ss][Kk][Ii][Pp] ]]; then
				result skip "$name" "" "$f|$num"
				continue
			fi
			n=$(cat "$logs/$num".*.log 2>/dev/null | grep -c '^==')
			# The same check as the cli layer's (one key): a failure here fails it.
			if [ "$n" -gt 0 ]; then
				cat "$logs/$num".*.log >"$logs/errors.txt"
				result fail "$name: memcheck errors" "$logs/errors.txt" "$f|$num"
			elif [ -n "$failed" ] && vg_divergent "$(basename "$f")" "$tname"; then
				result skip "$name: compares argv[0] or install paths, which name the glibc build under valgrind" "" "$f|$num"
			elif [ -n "$failed" ]; then
				result fail "$name: the test failed under valgrind" "" "$f|$num"
			else
				result ok "$name" "" "$f|$num"
			fi
		done <"$TMP/vg-bats.log"
		if ! grep -Eq '^(not )?ok' "$TMP/vg-bats.log"; then
			result fail "valgrind cli $(basename "$f"): bats ran no test" "$TMP/vg-bats.log"
		fi
	done
}

for layer in $LAYERS; do
	case $layer in
	build | unit | cli | integration | engines | conformance | fuzz | valgrind | cross) ;;
	*) echo "run-all: unknown layer '$layer'" >&2; exit 2 ;;
	esac
	layer_begin "$layer"
	"layer_$layer"
	layer_end "$layer"
done

read -r PASS FAIL SKIP < <(awk -F '\t' '
	{ r = ($1 == "fail") ? 3 : ($1 == "ok") ? 2 : 1; if (r > w[$2]) w[$2] = r }
	END { p = f = s = 0; for (k in w) { if (w[k] == 3) f++; else if (w[k] == 2) p++; else s++ }
	      print p, f, s }' "$CHECKS")
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ] && [ $((PASS + FAIL)) -gt 0 ]
