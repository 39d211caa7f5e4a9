#!/usr/bin/env bats
# containerd 1.6 + ctr driving crbox as the runc shim's binary (`ctr run --runc-binary`), with a
# private containerd (tests/engines/lib.bash): run, exec, ps, pause/resume, kill, delete, start,
# container checkpoint/restore, task checkpoint, and a tty task.

load lib

setup_file() {
	engine_requires containerd ctr containerd-shim-runc-v2 criu
	engine_tmp
	export ET ENGINE_PATH
	containerd_setup
}

teardown_file() {
	containerd_cleanup
	engine_cleanup
}

setup() {
	engine_requires containerd ctr containerd-shim-runc-v2 criu
}

teardown() {
	containerd_cleanup_tasks
}

containerd_cleanup_tasks() {
	local t
	for t in $(cx task ls -q 2>/dev/null); do
		cx task kill -s 9 "$t" >/dev/null 2>&1 || true
	done
	sleep 0.3
	for t in $(cx task ls -q 2>/dev/null); do
		cx task delete -f "$t" >/dev/null 2>&1 || true
	done
	for t in $(cx container ls -q 2>/dev/null); do
		cx container rm "$t" >/dev/null 2>&1 || true
	done
	for t in $(cx image ls -q 2>/dev/null | grep -v '^docker.io/library/bb:1$'); do
		cx image rm "$t" >/dev/null 2>&1 || true
	done
}

RB() { echo --runc-binary "$ET/bin/crbox"; }
count() { cx task exec --exec-id "x$RANDOM$RANDOM" "$1" cat /count; }

@test "containerd: run -d, task exec, ps, pause, resume, kill, delete, start" {
	run cx run -d $(RB) docker.io/library/bb:1 t1 sh -c "$COUNTER"
	[ "$status" -eq 0 ]
	a=$(wait_above 1 count t1)
	[ "$a" -gt 1 ]
	run cx task exec --exec-id e1 t1 sh -c 'echo exec-ok; exit 4'
	[ "$status" -eq 4 ]
	[ "$output" = exec-ok ]
	run cx task ps t1
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 2 ]
	run cx task pause t1
	[ "$status" -eq 0 ]
	run cx task ls
	[[ "$output" == *PAUSED* ]]
	run cx task resume t1
	[ "$status" -eq 0 ]
	b=$(wait_above "$a" count t1)
	[ "$b" -gt "$a" ]
	run cx task kill -s 9 t1
	[ "$status" -eq 0 ]
	sleep 0.5
	run cx task ls
	[[ "$output" == *STOPPED* ]]
	run cx task delete t1
	[ "$status" -eq 0 ]
	run cx task start -d t1
	[ "$status" -eq 0 ]
	c=$(wait_above 0 count t1)
	[ "$c" -ge 1 ]
}

@test "containerd: container checkpoint --task --rw, then container restore --live --rw" {
	cx run -d $(RB) docker.io/library/bb:1 t2 sh -c "$COUNTER" >/dev/null
	a=$(wait_above 3 count t2)
	run cx container checkpoint --task --rw t2 bb/t2:ck
	[ "$status" -eq 0 ]
	cx task kill -s 9 t2 >/dev/null 2>&1 || true
	sleep 0.3
	cx task delete -f t2 >/dev/null 2>&1 || true
	cx container rm t2
	run cx container restore --live --rw t2 bb/t2:ck
	[ "$status" -eq 0 ]
	b=$(count t2)
	[ "$b" -ge "$a" ]
	c=$(wait_above "$b" count t2)
	[ "$c" -gt "$b" ]
}

@test "containerd: task checkpoint leaves the task running, also when paused first" {
	cx run -d $(RB) docker.io/library/bb:1 t3 sh -c "$COUNTER" >/dev/null
	a=$(wait_above 2 count t3)
	run cx task checkpoint t3
	[ "$status" -eq 0 ]
	run cx task ls
	[[ "$output" == *t3*RUNNING* ]]
	b=$(wait_above "$a" count t3)
	[ "$b" -gt "$a" ]
	# containerd 1.6 refuses a second checkpoint while the first one's content exists.
	cx image rm --sync $(cx image ls -q | grep checkpoint/t3) >/dev/null
	cx task pause t3
	run cx task checkpoint t3
	echo "$output"
	[ "$status" -eq 0 ]
	run cx task ls
	[[ "$output" == *t3*PAUSED* ]]
	cx task resume t3
	c=$(wait_above "$b" count t3)
	[ "$c" -gt "$b" ]
}

@test "containerd: run -t gives the task a terminal" {
	run script -qec "env TMPDIR=$ET/cd/tmp PATH=$ENGINE_PATH ctr -a $ET/cd/containerd.sock run --rm -t $(RB) docker.io/library/bb:1 t4 sh -c 'tty; stty size'" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == */dev/pts/0* ]]
}
