#!/usr/bin/env bats
# Podman 4.3 + conmon driving crbox as its only runtime (tests/engines/lib.bash): every step a
# new user takes, from `podman import` to checkpoint/restore and export/import.

load lib

setup_file() {
	engine_requires podman conmon criu
	engine_tmp
	export ET ENGINE_PATH
	podman_setup
}

teardown_file() {
	podman_cleanup
	engine_cleanup
}

setup() {
	engine_requires podman conmon criu
}

teardown() {
	pm rm -af -t 0 >/dev/null 2>&1 || true
}

count() { pm exec "$1" cat /count; }

@test "podman: the runtime is crbox, and runc is nowhere on its PATH" {
	run pm info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
	[ "$status" -eq 0 ]
	[ "$output" = "crbox $ET/bin/crbox" ]
	run -127 env PATH="$ENGINE_PATH" sh -c "command -v runc || command -v crun"
	[ "$status" -ne 0 ]
}

@test "podman: run --rm prints the command's output and exit status" {
	run pm run --rm localhost/bb:1 sh -c 'echo hello; id -u'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = 0 ]
	run pm run --rm localhost/bb:1 sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run -127 pm run --rm localhost/bb:1 /nosuchcmd
	[ "$status" -eq 127 ]
}

@test "podman: run -d, exec, ps/top, pause/unpause, stop, start, rm -f" {
	run pm run -d --name c1 localhost/bb:1 sh -c "$COUNTER"
	[ "$status" -eq 0 ]
	v=$(wait_above 1 count c1)
	[ "$v" -gt 1 ]
	run pm exec c1 sh -c 'echo in-$(hostname)'
	[ "$status" -eq 0 ]
	[[ "$output" == in-* ]]
	run pm exec c1 sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run pm ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == *"c1 Up"* ]]
	run pm top c1
	[ "$status" -eq 0 ]
	[[ "$output" == *"sh -c"* ]]
	run pm pause c1
	[ "$status" -eq 0 ]
	run pm inspect -f '{{.State.Status}}' c1
	[ "$output" = paused ]
	a=$(pm unpause c1 >/dev/null; count c1)
	b=$(wait_above "$a" count c1)
	[ "$b" -gt "$a" ]
	run pm stop -t 1 c1
	[ "$status" -eq 0 ]
	run pm inspect -f '{{.State.Status}}' c1
	[ "$output" = exited ]
	run pm start c1
	[ "$status" -eq 0 ]
	v=$(wait_above 1 count c1)
	[ "$v" -gt 1 ]
	run pm rm -f c1
	[ "$status" -eq 0 ]
	run pm ps -a --format '{{.Names}}'
	[[ "$output" != *c1* ]]
}

@test "podman: run -t gives the container a terminal" {
	run script -qec "env PATH=$ENGINE_PATH CONTAINERS_CONF=$ET/pm/containers.conf CONTAINERS_STORAGE_CONF=$ET/pm/storage.conf podman run --rm -t localhost/bb:1 sh -c 'tty; stty size'" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == */dev/pts/0* ]]
}

@test "podman: container checkpoint, then restore: the counter carries on; exec into it; restart it" {
	pm run -d --name cr localhost/bb:1 sh -c "$COUNTER" >/dev/null
	a=$(wait_above 3 count cr)
	run pm container checkpoint cr
	[ "$status" -eq 0 ]
	run pm inspect -f '{{.State.Status}}' cr
	[ "$output" = exited ]
	run pm container restore cr
	[ "$status" -eq 0 ]
	b=$(count cr)
	[ "$b" -ge "$a" ]
	c=$(wait_above "$b" count cr)
	[ "$c" -gt "$b" ]
	run pm exec cr sh -c 'echo exec-ok'
	[ "$output" = exec-ok ]
	run pm restart -t 1 cr
	[ "$status" -eq 0 ]
	v=$(wait_above 0 count cr)
	[ "$v" -ge 1 ]
}

@test "podman: checkpoint --leave-running keeps the container running" {
	pm run -d --name lr localhost/bb:1 sh -c "$COUNTER" >/dev/null
	a=$(wait_above 2 count lr)
	run pm container checkpoint --leave-running lr
	[ "$status" -eq 0 ]
	run pm inspect -f '{{.State.Status}}' lr
	[ "$output" = running ]
	b=$(wait_above "$a" count lr)
	[ "$b" -gt "$a" ]
}

@test "podman: checkpoint --export then restore --import --name new" {
	pm run -d --name ex localhost/bb:1 sh -c "$COUNTER" >/dev/null
	a=$(wait_above 3 count ex)
	run pm container checkpoint --export="$ET/ex.tar.gz" ex
	[ "$status" -eq 0 ]
	[ -s "$ET/ex.tar.gz" ]
	run pm container restore --import="$ET/ex.tar.gz" --name new
	[ "$status" -eq 0 ]
	b=$(count new)
	[ "$b" -ge "$a" ]
	c=$(wait_above "$b" count new)
	[ "$c" -gt "$b" ]
}
