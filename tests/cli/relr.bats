#!/usr/bin/env bats
# relr: the static-pie binary relocates itself. On the architectures whose linker packs
# relative relocations (RELR_ARCHES in config.mk) crbox starts with start/start.c, which
# applies them; a binary whose relocations were not applied crashes at its first pointer.
# build/tools/loadaddr (make tools) runs crbox to its exit under ptrace and reads where its
# executable was mapped: working at two different addresses means both the kernel placed it
# at random (ASLR) and the start code relocated it. Native ELF binaries only (not under the
# cross layer's qemu wrapper or the valgrind one).

load helpers

setup() {
	cli_setup
	LOADADDR=$REPO/build/tools/loadaddr
	[ "$(head -c 4 "$CRBOX" | od -An -c | tr -d ' ')" = '177ELF' ] ||
		skip "$CRBOX is a wrapper, not the ELF binary"
	command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
	readelf -h "$CRBOX" | grep -q 'Type: *DYN' || skip "$CRBOX is not static-pie"
}
teardown() { cli_teardown; }

@test "static-pie: crbox works at different load addresses" {
	[ -x "$LOADADDR" ] || skip "no $LOADADDR (make tools)"
	[ "$(cat /proc/sys/kernel/randomize_va_space)" != 0 ] || skip "ASLR is off on this host"
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
	machine=$(readelf -h "$CRBOX" | sed -n 's/^ *Machine: *//p')
	case $machine in
	*X86-64* | *80386*) ;;
	*) skip "the linker packs relocations only for x86_64 and i386 (this is $machine)" ;;
	esac
	run readelf -d "$CRBOX"
	[ "$status" -eq 0 ]
	[[ "$output" == *"(RELR) "* ]]
	[[ "$output" == *"(RELRSZ) "* ]]
	# RELA/REL, if present at all, are empty.
	if [[ "$output" =~ \((RELA|REL)SZ\)\ +([0-9]+) ]]; then
		[ "${BASH_REMATCH[2]}" -eq 0 ]
	fi
}
