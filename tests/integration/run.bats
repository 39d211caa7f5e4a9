#!/usr/bin/env bats
# run: crbox as the OCI runtime that makes containers: spec, create, start, run, with
# runc 1.1.5's flags, files, messages and exit codes; side by side with runc on the same
# bundles; the CVE-2019-5736 protection; and a container crbox made, checkpointed and
# restored by crbox alone (also with runc hidden from PATH) and restored by runc.

load helpers

# crbox_run_d ID [FLAG...]: `crbox run -d` of $BUNDLE, stdio /dev/null, pid file $ROOT/ID.pid.
crbox_run_d() {
	local id=$1
	shift
	KNOWN_IDS+=("$id")
	# stderr /dev/null (a host file on fd 2 could not be checkpointed); errors via --log
	if ! crbox --log "$ROOT/crbox-$id.log" run -d --bundle "$BUNDLE" --pid-file "$ROOT/$id.pid" \
		"$@" "$id" </dev/null >/dev/null 2>/dev/null; then
		cat "$ROOT/crbox-$id.log" >&2
		return 1
	fi
	track_pid_file "$ROOT/$id.pid"
}

# crbox_create ID [FLAG...]: `crbox create` of $BUNDLE, stdio /dev/null, pid file $ROOT/ID.pid.
crbox_create() {
	local id=$1
	shift
	KNOWN_IDS+=("$id")
	crbox create --bundle "$BUNDLE" --pid-file "$ROOT/$id.pid" "$@" "$id" </dev/null >/dev/null || return
	track_pid_file "$ROOT/$id.pid"
}

# out_of TOOL ID ARG...: a bundle $ROOT/TOOL-ID running ARG..., run in the foreground by TOOL;
# prints the container's stdout.
out_of() {
	local tool=$1 id=$2
	shift 2
	make_bundle "$ROOT/$tool-$id" "$@" >/dev/null
	KNOWN_IDS+=("$id")
	"$tool" run --bundle "$BUNDLE" "$id" </dev/null
}

msg() {
	sed -n 's/^time="[^"]*" level=error msg="\(.*\)"$/\1/p' <<<"$1" | sed 's/\\"/"/g'
}

@test "spec writes runc's config.json byte for byte, --rootless too, and refuses an existing file" {
	mkdir -p a/r b/r
	(cd a && command "$RUNC" spec && cd r && command "$RUNC" spec --rootless)
	(cd b && "$CRBOX" spec) && "$CRBOX" spec --bundle b/r --rootless
	cmp a/config.json b/config.json
	cmp a/r/config.json b/r/config.json
	run "$CRBOX" spec --bundle b
	[ "$status" -eq 1 ]
	[[ $output == *"File config.json exists. Remove it first"* ]]
}

@test "run in the foreground: output, exit status, 128+signal, nothing left" {
	make_bundle "$ROOT/b1" /bin/sh -c 'echo hello; exit 3'
	KNOWN_IDS+=(r1)
	run crbox run --bundle "$BUNDLE" r1 </dev/null
	[ "$status" -eq 3 ]
	[ "$output" = hello ]
	# killed by a signal: 128+9 (the init ignores its own SIGKILL in its pid namespace, so
	# it comes from outside)
	make_bundle "$ROOT/b2" /bin/sh -c 'echo ready; while :; do sleep 0.1; done'
	KNOWN_IDS+=(r2)
	"$CRBOX" --root "$ROOT/crbox" run --bundle "$BUNDLE" r2 </dev/null >"$ROOT/out2" &
	local rp=$! st=0
	for i in $(seq 50); do grep -q ready "$ROOT/out2" 2>/dev/null && break; sleep 0.1; done
	crbox kill r2 KILL
	wait $rp || st=$?
	[ "$st" -eq 137 ]
	assert_no_leftovers r1 r2
}

@test "run forwards signals to the init and --keep keeps the stopped container" {
	make_bundle "$ROOT/b" /bin/sh -c 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
	KNOWN_IDS+=(fw)
	"$CRBOX" --root "$ROOT/crbox" run --keep --bundle "$BUNDLE" fw </dev/null >"$ROOT/out" &
	local rp=$!
	for i in $(seq 50); do grep -q ready "$ROOT/out" 2>/dev/null && break; sleep 0.1; done
	kill -TERM $rp
	wait $rp || st=$?
	[ "${st:-0}" -eq 7 ]
	grep -q got-term "$ROOT/out"
	[ "$(status_of crbox fw)" = stopped ]
	crbox delete fw
	assert_no_leftovers fw
}

@test "create leaves the init on exec.fifo; start runs it; state, ps, pause, resume, kill, delete" {
	make_bundle "$ROOT/b"
	crbox_create c1
	local pid
	pid=$(cat "$ROOT/c1.pid")
	# pid file: decimal, no newline
	[ "$(od -An -c "$ROOT/c1.pid" | tr -d ' \n')" = "$pid" ]
	[ "$(status_of crbox c1)" = created ]
	[ -p "$ROOT/crbox/c1/exec.fifo" ]
	[ "$(pid_of crbox c1)" = "$pid" ]
	# nothing runs yet: no counter
	sleep 0.3
	[ ! -e "$BUNDLE/rootfs/count" ]
	run crbox start c1
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	wait_count_above 1 >/dev/null
	[ "$(status_of crbox c1)" = running ]
	[ ! -e "$ROOT/crbox/c1/exec.fifo" ]
	run crbox start c1
	[ "$status" -eq 1 ]
	[[ $(msg "$output") == "cannot start an already running container" ]]
	crbox ps c1 | grep -q sleep
	crbox pause c1
	[ "$(status_of crbox c1)" = paused ]
	crbox resume c1
	crbox list | grep -q '^c1 '
	crbox kill c1 KILL
	for i in $(seq 30); do [ "$(status_of crbox c1)" = stopped ] && break; sleep 0.1; done
	[ "$(status_of crbox c1)" = stopped ]
	run crbox start c1
	[[ $(msg "$output") == "cannot start a container that has stopped" ]]
	crbox delete c1
	assert_no_leftovers c1
}

@test "delete of a created container kills it; delete --force of a running one; -f of a missing one exits 0" {
	make_bundle "$ROOT/b"
	crbox_create dc
	crbox delete dc
	assert_no_leftovers dc
	make_bundle "$ROOT/b2"
	crbox_run_d dr
	wait_count_above 1 >/dev/null
	run crbox delete dr
	[ "$status" -eq 1 ]
	[[ $(msg "$output") == "cannot delete container dr that is not stopped: running" ]]
	crbox delete --force dr
	assert_no_leftovers dr
	run crbox delete -f nosuch
	[ "$status" -eq 0 ]
}

@test "the init is in the container's cgroup in every hierarchy; with a cgroup namespace it sees its root" {
	# Without a cgroup namespace the parent writes the init's pid while the init mounts;
	# with one, stage 1 joins before it unshares. Both must end with the init inside.
	make_bundle "$ROOT/b"
	crbox_create g1
	local pid line n=0
	pid=$(cat "$ROOT/g1.pid")
	while IFS= read -r line; do
		[[ $line == *":$CG_PATH" ]] || { echo "not in $CG_PATH: $line"; return 1; }
		n=$((n + 1))
	done </proc/"$pid"/cgroup
	[ "$n" -ge 2 ]
	grep -qx "$pid" "/sys/fs/cgroup/pids$CG_PATH/cgroup.procs"
	# The v1 cgroup mount inside binds the init's own cgroup dirs.
	crbox start g1
	run crbox exec g1 cat /sys/fs/cgroup/pids/cgroup.procs
	[ "$status" -eq 0 ]
	grep -qx 1 <<<"$output"
	crbox delete -f g1
	assert_no_leftovers g1

	make_bundle "$ROOT/b2"
	set_cfg '.linux.namespaces += [{"type": "cgroup"}]'
	crbox_create g2
	pid=$(cat "$ROOT/g2.pid")
	n=0
	while IFS= read -r line; do
		[[ $line == *":$CG_PATH" ]] || { echo "not in $CG_PATH: $line"; return 1; }
		n=$((n + 1))
	done </proc/"$pid"/cgroup
	[ "$n" -ge 2 ]
	crbox start g2
	run crbox exec g2 cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	# Seen from inside, every hierarchy's path is the namespace's root.
	[ -z "$(grep -v ':/$' <<<"$output")" ]
	crbox delete -f g2
	assert_no_leftovers g2
}

@test "kill --all reaches every process of the container" {
	make_bundle "$ROOT/b" /bin/sh -c 'sleep 1000 & echo $! > /bg; while :; do sleep 0.2; done'
	crbox_run_d ka
	for i in $(seq 30); do [ -s "$BUNDLE/rootfs/bg" ] && break; sleep 0.1; done
	local cgd=/sys/fs/cgroup/pids$CG_PATH
	[ "$(wc -l <"$cgd/cgroup.procs")" -ge 3 ]
	crbox kill --all ka KILL
	# (cgroup files have size 0: read them)
	for i in $(seq 30); do [ -z "$(cat "$cgd/cgroup.procs")" ] && break; sleep 0.1; done
	[ -z "$(cat "$cgd/cgroup.procs")" ]
	for i in $(seq 30); do [ "$(status_of crbox ka)" = stopped ] && break; sleep 0.1; done
	crbox delete ka
	assert_no_leftovers ka
}

@test "create leaves the init a child of a subreaper caller (as conmon), with nothing on stdout or stderr" {
	command -v python3 >/dev/null || skip "needs python3 (a subreaper caller)"
	make_bundle "$ROOT/b"
	KNOWN_IDS+=(sr)
	# The caller makes itself a child subreaper (PR_SET_CHILD_SUBREAPER = 36), runs create,
	# and reports the init's parent and what create wrote on stdout and stderr.
	OUTF=$ROOT/create.out run python3 -c 'import ctypes, os, subprocess, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
out = open(os.environ["OUTF"], "w+b")   # a file: the init keeps this stdout open
r = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=out, stderr=out)
out.seek(0)
pid = open(sys.argv[sys.argv.index("--pid-file") + 1]).read()
ppid = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()[1]
print(r.returncode, int(ppid) == os.getpid(), repr(out.read()))' \
		"$CRBOX" --root "$ROOT/crbox" create --bundle "$BUNDLE" --pid-file "$ROOT/sr.pid" sr
	track_pid_file "$ROOT/sr.pid"
	[ "$output" = "0 True b''" ]
	crbox delete -f sr
	assert_no_leftovers sr
}

@test "failed creates leave nothing and speak runc's words" {
	make_bundle "$ROOT/b" nosuchcmd
	KNOWN_IDS+=(f1 f2 f3 f4)
	run crbox create --bundle "$BUNDLE" f1 </dev/null
	[ "$status" -eq 1 ]
	[[ $(msg "$output") == *'unable to start container process: exec: "nosuchcmd": executable file not found in $PATH' ]]
	assert_no_leftovers f1
	set_cfg '.process.args = ["/etc"]'
	run crbox create --bundle "$BUNDLE" f2 </dev/null
	[[ $(msg "$output") == *'exec: "/etc": permission denied' ]]
	assert_no_leftovers f2
	set_cfg '.process.args = ["/bin/true"] | .process.cwd = "/etc/passwd"'
	run crbox create --bundle "$BUNDLE" f3 </dev/null
	[ "$status" -eq 1 ]
	[[ $(msg "$output") == *"chdir /etc/passwd: "* ]]
	assert_no_leftovers f3
	set_cfg '.process.cwd = "/" | .linux.sysctl = {"kernel.hostname": "x"}'
	run crbox create --bundle "$BUNDLE" f4 </dev/null
	[[ $(msg "$output") == *'sysctl "kernel.hostname" is not allowed as it conflicts with the OCI "hostname" field' ]]
	assert_no_leftovers f4
	run crbox create --bundle "$ROOT/nonexist" f5 </dev/null
	[ "$status" -eq 1 ]
	run crbox create --bundle "$BUNDLE" 'bad/id' </dev/null
	[[ $(msg "$output") == *"invalid container ID format" ]]
	make_bundle "$ROOT/b2"
	crbox_create dup
	run crbox create --bundle "$BUNDLE" dup </dev/null
	[[ $(msg "$output") == *"container with given ID already exists" ]]
	run crbox --systemd-cgroup create --bundle "$BUNDLE" sd </dev/null
	[ "$status" -eq 1 ]
	[[ $output == *cgroupfs* ]]
	make_bundle "$ROOT/b3" nosuchcmd
	run crbox --log-format json --log "$ROOT/log.json" create --bundle "$BUNDLE" f6 </dev/null
	[ "$status" -eq 1 ]
	jq -e 'select(.level == "error") | .msg | contains("executable file not found")' "$ROOT/log.json"
	crbox delete -f dup
}

@test "a missing cwd is created; env, hostname, user ids, groups, umask, rlimits, oom, NNP" {
	make_bundle "$ROOT/b" /bin/sh -c 'pwd; echo $FOO; hostname; id -u; id -g; id -G; umask; ulimit -n; cat /proc/self/oom_score_adj; grep NoNewPrivs /proc/self/status; echo HOME=$HOME; cat /proc/sys/kernel/domainname'
	set_cfg '.process.cwd = "/new/dir" | .process.env += ["FOO=bar"] | .hostname = "h1"
		| .process.user = {"uid": 1000, "gid": 1001, "additionalGids": [5, 6], "umask": 63}
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 1000, "soft": 900}]
		| .process.oomScoreAdj = 100 | .domainname = "dom1"'
	KNOWN_IDS+=(en)
	run crbox run --bundle "$BUNDLE" en </dev/null
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /new/dir ]
	[ "${lines[1]}" = bar ]
	[ "${lines[2]}" = h1 ]
	[ "${lines[3]}" = 1000 ]
	[ "${lines[4]}" = 1001 ]
	[ "${lines[5]}" = "1001 5 6" ]
	[ "${lines[6]}" = 0077 ]
	[ "${lines[7]}" = 900 ]
	[ "${lines[8]}" = 100 ]
	[[ ${lines[9]} == *"1" ]]
	[ "${lines[10]}" = HOME=/ ]
	[ "${lines[11]}" = dom1 ]
}

@test "capabilities from /proc/self/status match runc's for the same config" {
	local script='grep ^Cap /proc/self/status'
	a=$(out_of runc cr /bin/sh -c "$script")
	b=$(out_of crbox cc /bin/sh -c "$script")
	[ "$a" = "$b" ]
	# all five sets given by name
	make_bundle "$ROOT/b5" /bin/sh -c "$script"
	set_cfg '.process.capabilities = {"bounding": ["CAP_KILL","CAP_CHOWN","CAP_SYS_ADMIN"],
		"effective": ["CAP_KILL","CAP_CHOWN"], "permitted": ["CAP_KILL","CAP_CHOWN"],
		"inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]}'
	KNOWN_IDS+=(r5 c5)
	a=$(runc run --bundle "$BUNDLE" r5 </dev/null)
	b=$(crbox run --bundle "$BUNDLE" c5 </dev/null)
	[ "$a" = "$b" ]
	[[ $b == *"CapAmb:	0000000000000020"* ]]
	# the same config for a non-root process user
	set_cfg '.process.user = {"uid": 1000, "gid": 1000}'
	KNOWN_IDS+=(r6 c6)
	a=$(runc run --bundle "$BUNDLE" r6 </dev/null)
	b=$(crbox run --bundle "$BUNDLE" c6 </dev/null)
	echo "runc: $a" >&2
	echo "crbox: $b" >&2
	[ "$a" = "$b" ]
}

@test "user namespace: maps written by the parent, seen from inside" {
	make_bundle "$ROOT/b" /bin/sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
	set_cfg '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .mounts |= map(select(.type != "cgroup" and .type != "sysfs"))'
	chown -R 100000:200000 "$BUNDLE/rootfs"
	chmod 755 "$ROOT"
	KNOWN_IDS+=(un)
	run crbox run --bundle "$BUNDLE" un </dev/null
	[ "$status" -eq 0 ]
	[[ $(echo ${lines[0]}) == "0 100000 65536" ]]
	[[ $(echo ${lines[1]}) == "0 200000 65536" ]]
	[ "${lines[2]}" = 0 ]
	assert_no_leftovers un
}

@test "namespaces joined by path and a time namespace with offsets" {
	make_bundle "$ROOT/b"
	crbox_run_d host
	local pid
	pid=$(cat "$ROOT/host.pid")
	make_bundle "$ROOT/b2" /bin/sh -c 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts; cat /proc/uptime'
	set_cfg --arg p "/proc/$pid/ns" '.linux.namespaces |= map(if .type == "network" or .type == "uts" then .path = ($p + "/" + (if .type == "network" then "net" else "uts" end)) else . end)
		| .linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0}, "monotonic": {"secs": 0, "nanosecs": 0}}
		| del(.hostname)'
	set_cgroups_path "$CG_PATH-jn"   # its own cgroup: its end must not kill "host"
	KNOWN_IDS+=(jn)
	run crbox run --bundle "$BUNDLE" jn </dev/null
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink /proc/$pid/ns/net)" ]
	[ "${lines[1]}" = "$(readlink /proc/$pid/ns/uts)" ]
	up=${lines[2]%%.*}
	[ "$up" -gt 86400 ]
	crbox delete -f host
}

@test "terminal: the pty master arrives on --console-socket; fd 0-2 are the container's pty" {
	make_bundle "$ROOT/b" /bin/sh -c 'tty; readlink /proc/self/fd/0; sleep 1; echo done'
	set_cfg '.process.terminal = true'
	start_recvtty --mode capture "$ROOT/tty.out"
	crbox_run_d tt --console-socket "$CONSOLE_SOCKET"
	for i in $(seq 50); do grep -q done "$ROOT/tty.out" 2>/dev/null && break; sleep 0.1; done
	grep -q '/dev/pts/0' "$ROOT/tty.out"
	grep -q done "$ROOT/tty.out"
	# without a socket, create refuses in runc's words
	run crbox create --bundle "$BUNDLE" t2 </dev/null
	[ "$status" -eq 1 ]
	[[ $(msg "$output") == *"cannot allocate tty if"*"will detach without setting console socket" ]]
	crbox delete -f tt
}

@test "preserve-fds and LISTEN_FDS reach the process; nothing else does (fd hygiene)" {
	# The init execs sleep, so its fd table is exactly what crbox handed over (a shell
	# would show its own pipeline fds). fds 7 and 9 are leaked on purpose, as conmon leaks.
	make_bundle "$ROOT/b" /bin/sleep 1000
	echo preserved >"$ROOT/p.txt"
	crbox_run_d pf --preserve-fds 1 3<"$ROOT/p.txt" 7<"$ROOT/p.txt" 9>"$ROOT/x"
	local pid
	pid=$(cat "$ROOT/pf.pid")
	[ "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]
	[ "$(readlink "/proc/$pid/fd/3")" = "$ROOT/p.txt" ]
	crbox_run_d hy 3<"$ROOT/p.txt" 7<"$ROOT/p.txt"
	pid=$(cat "$ROOT/hy.pid")
	[ "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" = "0 1 2 " ]
	# LISTEN_FDS=1 for our own pid: fd 3 passed, LISTEN_FDS=1 and LISTEN_PID=1 inside
	KNOWN_IDS+=(lf)
	env LISTEN_FDS=1 bash -c 'LISTEN_PID=$$ exec "$0" --root "$1" run -d --pid-file "$3" --bundle "$2" lf' \
		"$CRBOX" "$ROOT/crbox" "$BUNDLE" "$ROOT/lf.pid" 3<"$ROOT/p.txt" 7<"$ROOT/p.txt" </dev/null >/dev/null 2>&1
	track_pid_file "$ROOT/lf.pid"
	pid=$(cat "$ROOT/lf.pid")
	[ "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]
	tr '\0' '\n' <"/proc/$pid/environ" | grep -qx LISTEN_FDS=1
	tr '\0' '\n' <"/proc/$pid/environ" | grep -qx LISTEN_PID=1
	crbox delete -f pf
	crbox delete -f hy
	crbox delete -f lf
	assert_no_leftovers pf hy lf
}

@test "hooks: every kind, runc's order, the state on stdin" {
	make_bundle "$ROOT/b" /bin/sh -c 'echo process >> /hooklog'
	local log=$BUNDLE/rootfs/hooklog
	cat >"$ROOT/hook.sh" <<-EOF
	#!/bin/sh
	st=\$(cat)
	echo "\$1 \$(echo "\$st" | jq -r '.status + " " + .id')" >> $log
	EOF
	chmod +x "$ROOT/hook.sh"
	# startContainer runs in the container after the pivot: its path is the container's.
	printf '#!/bin/sh\ncat >/dev/null\necho startContainer >> /hooklog\n' >"$BUNDLE/rootfs/sc.sh"
	chmod +x "$BUNDLE/rootfs/sc.sh"
	set_cfg --arg h "$ROOT/hook.sh" '.hooks = {
		"prestart": [{"path": $h, "args": ["hook", "prestart"]}],
		"createRuntime": [{"path": $h, "args": ["hook", "createRuntime"]}],
		"createContainer": [{"path": $h, "args": ["hook", "createContainer"]}],
		"startContainer": [{"path": "/sc.sh"}],
		"poststart": [{"path": $h, "args": ["hook", "poststart"]}],
		"poststop": [{"path": $h, "args": ["hook", "poststop"]}]}'
	crbox_create hk
	[ "$(cut -d' ' -f1 "$log" | tr '\n' ' ')" = "prestart createRuntime createContainer " ]
	crbox start hk
	for i in $(seq 30); do grep -q poststart "$log" && grep -q process "$log" && break; sleep 0.1; done
	crbox delete -f hk
	cat "$log" >&2
	[ "$(cut -d' ' -f1 "$log" | grep -v process | tr '\n' ' ')" = "prestart createRuntime createContainer startContainer poststart poststop " ]
	grep -q "^prestart creating hk" "$log"
	grep -q "^poststop stopped hk" "$log"
	# a failing hook fails create and leaves nothing
	make_bundle "$ROOT/b2"
	set_cfg '.hooks = {"createRuntime": [{"path": "/bin/false"}]}'
	KNOWN_IDS+=(hf)
	run crbox create --bundle "$BUNDLE" hf </dev/null
	[ "$status" -eq 1 ]
	assert_no_leftovers hf
}

@test "--no-pivot, --no-new-keyring and a read-only root" {
	make_bundle "$ROOT/b" /bin/sh -c 'touch /x 2>&1 && echo writable; cat /proc/self/mountinfo | head -1'
	set_cfg '.root.readonly = true'
	KNOWN_IDS+=(np)
	run crbox run --no-pivot --no-new-keyring --bundle "$BUNDLE" np </dev/null
	[ "$status" -eq 0 ]
	[[ $output == *"Read-only file system"* ]]
	assert_no_leftovers np
}

@test "side by side with runc: state JSON, /dev listing, masked and readonly paths" {
	local script='ls -l /dev | awk "{print \$1, \$NF}"; echo ---; cat /proc/kcore 2>&1 | head -c 10 | wc -c; touch /proc/sys/x 2>&1; mount | grep -c " /proc/sys "; true'
	a=$(out_of runc sr /bin/sh -c "$script")
	b=$(out_of crbox sc /bin/sh -c "$script")
	echo "runc: $a" >&2
	echo "crbox: $b" >&2
	[ "$a" = "$b" ]
	make_bundle "$ROOT/s1"
	runc_run_detached x1
	make_bundle "$ROOT/s2"
	crbox_run_d x2
	a=$(runc state x1 | jq -S 'del(.pid, .created, .id, .bundle, .rootfs)')
	b=$(crbox state x2 | jq -S 'del(.pid, .created, .id, .bundle, .rootfs)')
	[ "$a" = "$b" ]
	runc delete -f x1
	crbox delete -f x2
}

@test "CVE-2019-5736: the init runs from a sealed memfd; the host binary cannot be reached" {
	make_bundle "$ROOT/b"
	local sum
	sum=$(sha256sum <"$CRBOX")
	crbox_create cv
	local pid
	pid=$(cat "$ROOT/cv.pid")
	[[ $(readlink "/proc/$pid/exe") == "/memfd:crbox (deleted)" ]]
	# While it runs crbox, its exe cannot be opened for writing (text busy)...
	run nsenter -t "$pid" -m -p /bin/sh -c 'echo pwned >> /proc/1/exe; echo rc=$?'
	[ "${lines[1]}" = rc=1 ]
	# ...and the CVE's trick, a handle kept until the init has exec'd the user process,
	# then reopened for writing, meets the seals instead of the host binary.
	exec {h}<"/proc/$pid/exe"
	crbox start cv
	if ! wait_count_above 0 20 >/dev/null; then
		crbox state cv >&2; ps -o pid,stat,args --ppid "$pid" -p "$pid" >&2
		false
	fi
	[[ $(readlink "/proc/$pid/exe") != *crbox* ]]
	local size
	size=$(stat -L -c %s "/proc/self/fd/$h")
	run sh -c "echo pwned >> /proc/self/fd/$h"
	[ "$status" -ne 0 ]
	run sh -c "echo pwned > /proc/self/fd/$h"
	[ "$status" -ne 0 ]
	[ "$(stat -L -c %s "/proc/self/fd/$h")" = "$size" ]
	exec {h}<&-
	[ "$(sha256sum <"$CRBOX")" = "$sum" ]
	crbox delete -f cv
}

@test "a container crbox made is checkpointed and restored by crbox (also without runc in PATH), and by runc" {
	requires criu
	make_bundle "$ROOT/b"
	crbox_run_d cr
	local n
	n=$(wait_count_above 2)
	crbox_checkpoint cr
	assert_images "$IMAGES"
	[ "$(status_of crbox cr)" = absent ]
	# restore with runc hidden: a PATH without it
	local nopath=$ROOT/nopath
	mkdir -p "$nopath"
	local d f
	for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
		for f in "$d"/*; do
			[ -x "$f" ] && [ ! -e "$nopath/${f##*/}" ] && ln -s "$f" "$nopath/${f##*/}"
		done
	done
	rm -f "$nopath/runc"
	[ -z "$(env PATH="$nopath" sh -c "command -v runc")" ]
	PATH=$nopath run "$CRBOX" --root "$ROOT/crbox" restore -d --bundle "$BUNDLE" --image-path "$IMAGES" --work-path "$WORK" --pid-file "$ROOT/cr.pid" cr </dev/null
	[ "$status" -eq 0 ]
	track_pid_file "$ROOT/cr.pid"
	[ "$(status_of crbox cr)" = running ]
	m=$(wait_count_above "$n")
	[ "$m" -gt "$n" ]
	# again: checkpoint by crbox, restore by runc
	crbox_checkpoint cr --image-path "$ROOT/img2" --work-path "$ROOT/wk2"
	runc_restore_detached cr --image-path "$ROOT/img2" --work-path "$ROOT/wk2"
	[ "$(status_of runc cr)" = running ]
	wait_count_above "$m" >/dev/null
	runc delete -f cr
	assert_no_leftovers cr
}

@test "NOTIFY_SOCKET: /run/notify in the container; start forwards READY=1 with MAINPID" {
	command -v python3 >/dev/null || skip "needs python3 (the host-side notify listener)"
	make_bundle "$ROOT/b" /bin/sh -c 'echo "$NOTIFY_SOCKET" > /nsenv; ls -ld /run/notify > /nsdir; sleep 1000'
	local host=$ROOT/host-notify.sock
	python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(30)
open(sys.argv[2], "w").write(s.recv(4096).decode())' "$host" "$ROOT/got" &
	local lp=$!
	for i in $(seq 50); do [ -S "$host" ] && break; sleep 0.1; done
	NOTIFY_SOCKET=$host crbox_create ns
	NOTIFY_SOCKET=$host "$CRBOX" --root "$ROOT/crbox" start ns &
	local sp=$!
	# The container's process writes READY=1 to /run/notify/notify.sock; the same socket is
	# <state>/notify/notify.sock on the host.
	local sock=$ROOT/crbox/ns/notify/notify.sock
	for i in $(seq 50); do [ -S "$sock" ] && [ -s "$BUNDLE/rootfs/nsenv" ] && break; sleep 0.1; done
	[ "$(cat "$BUNDLE/rootfs/nsenv")" = /run/notify/notify.sock ]
	python3 -c 'import socket,sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"STATUS=x\nREADY=1\n", sys.argv[1])' "$sock"
	wait $sp
	wait $lp
	[ "$(cat "$ROOT/got")" = "READY=1
MAINPID=$(cat "$ROOT/ns.pid")" ]
	crbox delete -f ns
	assert_no_leftovers ns
}

@test "sysctl written in the container's namespaces; personality LINUX32; an AppArmor profile without AppArmor is a clear error" {
	make_bundle "$ROOT/b" /bin/sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni; uname -m'
	set_cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}
		| .linux.personality = {"domain": "LINUX32"}'
	KNOWN_IDS+=(sy ap)
	run crbox run --bundle "$BUNDLE" sy </dev/null
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 1234 ]
	[[ ${lines[2]} == i?86 ]]
	[ "$(cat /proc/sys/kernel/shmmni)" != 1234 ]
	if [ ! -d /sys/kernel/security/apparmor ]; then
		set_cfg '.process.apparmorProfile = "crbox-test"'
		run crbox run --bundle "$BUNDLE" ap </dev/null
		[ "$status" -eq 1 ]
		[[ $(msg "$output") == *'apparmor profile "crbox-test" specified but AppArmor is not enabled on the host' ]]
		assert_no_leftovers ap
	fi
}

@test "run with a terminal in the foreground proxies the pty" {
	make_bundle "$ROOT/b" /bin/sh -c 'tty; echo out-of-pty'
	set_cfg '.process.terminal = true'
	KNOWN_IDS+=(tf)
	run crbox run --bundle "$BUNDLE" tf </dev/null
	[ "$status" -eq 0 ]
	[[ $output == *"/dev/pts/0"* ]]
	[[ $output == *"out-of-pty"* ]]
	assert_no_leftovers tf
}

@test "a hook past its timeout fails create, which leaves nothing" {
	make_bundle "$ROOT/b"
	set_cfg '.hooks = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "10"], "timeout": 1}]}'
	KNOWN_IDS+=(to)
	local t0=$SECONDS
	run crbox create --bundle "$BUNDLE" to </dev/null
	[ "$status" -eq 1 ]
	[ $((SECONDS - t0)) -lt 8 ]
	[[ $(msg "$output") == *"prestart"*"timeout"* ]]
	assert_no_leftovers to
}

@test "run --no-subreaper in the foreground still returns the container's status; run -d runs poststart" {
	make_bundle "$ROOT/b" /bin/sh -c 'exit 5'
	KNOWN_IDS+=(ns1)
	run crbox run --no-subreaper --bundle "$BUNDLE" ns1 </dev/null
	[ "$status" -eq 5 ]
	make_bundle "$ROOT/b2"
	set_cfg --arg f "$ROOT/poststart" '.hooks = {"poststart": [{"path": "/bin/sh", "args": ["sh", "-c", "cat > \($f)"]}]}'
	crbox_run_d ps1
	[ "$(jq -r '.status + " " + .id' "$ROOT/poststart")" = "running ps1" ]
	[ "$(jq -r .pid "$ROOT/poststart")" = "$(cat "$ROOT/ps1.pid")" ]
	crbox delete -f ps1
	assert_no_leftovers ns1 ps1
}

@test "without a mount namespace the init only chroots, and start still reaches exec.fifo" {
	make_bundle "$ROOT/b"
	set_cfg '.linux.namespaces = [.linux.namespaces[] | select(.type != "mount")] | .mounts = []'
	crbox_create nm1
	[ "$(status_of crbox nm1)" = created ]
	run crbox start nm1
	[ "$status" -eq 0 ]
	wait_count_above 1 >/dev/null
	[ "$(status_of crbox nm1)" = running ]
	# the counter writes to the bundle's rootfs: the chroot is the rootfs
	[ -s "$BUNDLE/rootfs/count" ]
	crbox delete -f nm1
	assert_no_leftovers nm1
}

@test "a seccomp profile that refuses getcwd, loaded before the user switch, does not break the cwd check" {
	make_bundle "$ROOT/b" /bin/sh -c 'cd /tmp 2>/dev/null; echo started'
	set_cfg '.process.noNewPrivileges = false | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["getcwd"], action: "SCMP_ACT_ERRNO"}]}'
	KNOWN_IDS+=(gc1)
	run crbox run --bundle "$BUNDLE" gc1 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = started ]
	assert_no_leftovers gc1
}
