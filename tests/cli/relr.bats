#!/usr/bin/env bats
# relr: the static-pie binary relocates itself. On the architectures whose linker packs
# relative relocations (RELR_ARCHES in config.mk) crbox starts with start/start.c, which
# applies them; a binary whose relocations were not applied crashes at its first pointer.
# build/tools/loadaddr (make tools) runs crbox to its exit under ptrace and reads where its
# executable was mapped: working at two different addresses means both the kernel placed it
# at random (ASLR) and the start code relocated it; that test runs native ELF binaries only
# (not the cross layer's qemu wrapper nor the valgrind one). The RELR check reads the binary
# itself, also the one behind the qemu wrapper (QEMU_CRBOX).

load helpers

# is_elf FILE: FILE is an ELF binary (not a wrapper script).
is_elf() {
	[ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}

setup() {
	cli_setup
	LOADADDR=$REPO/build/tools/loadaddr
	# The binary itself: under the cross layer's qemu wrapper, the one it runs.
	BIN=${QEMU_CRBOX:-$CRBOX}
	is_elf "$BIN" || skip "$BIN is a wrapper, not the ELF binary"
	command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
	readelf -h "$BIN" | grep -q 'Type: *DYN' || skip "$BIN is not static-pie"
}
teardown() { cli_teardown; }

@test "static-pie: crbox works at different load addresses" {
	is_elf "$CRBOX" || skip "$CRBOX is a wrapper (an emulator's load address says nothing)"
	[ -x "$LOADADDR" ] || skip "no $LOADADDR (make tools)"
	[ "$(cat /proc/sys/kernel/randomize_va_space)" != 0 ] || skip "ASLR is off on this host"
	run "$CRBOX" --version
	[ "$status" -ne 126 ] || skip "this host cannot execute $CRBOX (another architecture)"
	local addrs=() i
	for i in 1 2 3; do
		run --separate-stderr "$LOADADDR" "$CRBOX" --version
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "crbox version "* ]]
		[[ "${lines[-1]}" =~ ^loadaddr\ 0x[0-9a-f]+$ ]]
		[ "${lines[-1]}" != "loadaddr 0x0" ]
		addrs+=("${lines[-1]}")
	done
	# Three 28-bit-or-more random placements: at least two differ.
	[ "$(printf '%s\n' "${addrs[@]}" | sort -u | wc -l)" -ge 2 ]
	# A command that builds and writes a whole JSON document (tables of pointers).
	cd "$TMP"
	run --separate-stderr "$LOADADDR" "$CRBOX" spec
	[ "$status" -eq 0 ]
	grep -q '"ociVersion"' config.json
}

@test "static-pie on x86_64 and i386: relative relocations are packed (RELR), none left as RELA" {
	local machine
	machine=$(readelf -h "$BIN" | sed -n 's/^ *Machine: *//p')
	case $machine in
	*X86-64* | *80386*) ;;
	*) skip "the linker packs relocations only for x86_64 and i386 (this is $machine)" ;;
	esac
	run readelf -d "$BIN"
	[ "$status" -eq 0 ]
	[[ "$output" == *"(RELR) "* ]]
	[[ "$output" == *"(RELRSZ) "* ]]
	# RELA and REL, if present at all, are empty.
	local left
	left=$(awk '$2 == "(RELASZ)" || $2 == "(RELSZ)" { n += $3 } END { print n + 0 }' <<<"$output")
	[ "$left" -eq 0 ]
}
