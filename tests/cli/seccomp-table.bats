#!/usr/bin/env bats
# The generated syscall table (core/seccomp/syscalls.c) against libseccomp's: every name
# libseccomp 2.5.4 knows (Debian's `seccomp` package, scmp_sys_resolver) must have the same
# number on each architecture, or be absent on both; crbox may know syscalls newer than
# libseccomp's table (names it does not know at all, or numbers above its highest one on that
# architecture). Candidate names:
# our table plus the identifiers in libseccomp's shared library.
load helpers

TOOL=$REPO/build/tools/seccomp-tool

setup() {
	command -v scmp_sys_resolver >/dev/null || skip "needs scmp_sys_resolver (Debian package seccomp)"
	[ -x "$TOOL" ] || skip "needs build/tools/seccomp-tool (make tools)"
	cli_setup
}

teardown() {
	cli_teardown
}

check_arch() {
	local ours=$1 lib=$2 name nr want max bad=0 n=0 newer=0
	"$TOOL" table "$ours" >"$TMP/ours"
	lso=$(ldconfig -p 2>/dev/null | sed -n 's/.*libseccomp.so.2 .*=> //p' | head -1)
	{ cut -d' ' -f1 "$TMP/ours"; [ -n "$lso" ] && strings "$lso" | grep -E '^[a-z_][a-z0-9_]+$'; } |
		sort -u >"$TMP/names"
	while read -r name; do
		echo "$name $(scmp_sys_resolver -a "$lib" "$name" 2>/dev/null)"
	done <"$TMP/names" >"$TMP/lib"
	# libseccomp's highest number on this arch
	max=$(awk '$2 >= 0 {print $2}' "$TMP/lib" | sort -n | tail -1)
	while read -r name want; do
		[ -n "$want" ] || continue
		nr=$(awk -v n="$name" '$1 == n {print $2}' "$TMP/ours")
		n=$((n + 1))
		# i386 socket/ipc calls: libseccomp resolves them to pseudo numbers and adds both the
		# direct call and the socketcall/ipc form (tests/integration/seccomp.bats probes both)
		if [ "$lib" = x86 ] && [ "$want" -lt -100 ] && [ "$want" -gt -300 ] && [ -n "$nr" ]; then
			continue
		fi
		# the kernel's table has map_shadow_stack as "common" (x32 too); libseccomp 2.5.4 as
		# x86_64 only
		[ "$lib $name" = "x32 map_shadow_stack" ] && [ -n "$nr" ] && continue
		if [ "$want" -ge 0 ] 2>/dev/null; then
			[ "$nr" = "$want" ] || { echo "$lib $name: libseccomp $want, crbox ${nr:-absent}"; bad=$((bad + 1)); }
		elif [ -n "$nr" ]; then
			# -1: a name libseccomp does not know at all (newer, e.g. uretprobe in a hole)
			if [ "$want" = -1 ] || { [ "$nr" -gt "$max" ] && [ "$nr" -lt $((max + 200)) ]; }; then
				newer=$((newer + 1))
			else
				echo "$lib $name: libseccomp absent ($want), crbox $nr"
				bad=$((bad + 1))
			fi
		fi
	done <"$TMP/lib"
	echo "# $lib: $n names checked, $newer newer than libseccomp (max $max), $bad wrong" >&3
	[ "$bad" -eq 0 ]
}

@test "seccomp table: x86_64 agrees with libseccomp" { check_arch X86_64 x86_64; }
@test "seccomp table: x32 agrees with libseccomp" { check_arch X32 x32; }
@test "seccomp table: i386 agrees with libseccomp" { check_arch X86 x86; }
@test "seccomp table: aarch64 agrees with libseccomp" { check_arch AARCH64 aarch64; }
@test "seccomp table: arm agrees with libseccomp" { check_arch ARM arm; }
@test "seccomp table: riscv64 agrees with libseccomp" { check_arch RISCV64 riscv64; }
