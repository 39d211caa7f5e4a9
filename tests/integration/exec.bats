#!/usr/bin/env bats
# exec, features, ps --format json: crbox side by side with runc 1.1.5 on the same rootfs
# (two bundles that differ only in cgroupsPath), for containers crbox created and ones it
# restored.

load helpers

# two_ctrs: a crbox container "c" and a runc container "r", each running the counter loop,
# from twin bundles ($ROOT/bc and $ROOT/br). Extra jq edits in $1 apply to both configs.
two_ctrs() {
	local edit=${1:-.}
	make_bundle "$ROOT/br" || return
	set_cgroups_path "$CG_PATH-runc"
	set_cfg "$edit"
	runc_run_detached r || return
	make_bundle "$ROOT/bc" || return
	set_cfg "$edit"
	crbox --log "$ROOT/crbox-c.log" run -d --bundle "$BUNDLE" --pid-file "$ROOT/c.pid" c \
		</dev/null >/dev/null 2>&1 || { cat "$ROOT/crbox-c.log" >&2; return 1; }
	KNOWN_IDS+=(c)
	track_pid_file "$ROOT/c.pid"
}


msg() {
	sed -n 's/^time="[^"]*" level=error msg="\(.*\)"$/\1/p' <<<"$1" | sed 's/\\"/"/g'
}

# same EXEC-FLAG... -- CMD...: `exec FLAGS r CMD` with runc and `exec FLAGS c CMD` with
# crbox; their exit status and output must be equal.
same() {
	local flags=() cmd rs ro
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	ro=$(runc exec "${flags[@]}" r "$@" </dev/null 2>&1) && rs=0 || rs=$?
	run crbox exec "${flags[@]}" c "$@" </dev/null
	if [ "$status" != "$rs" ] || [ "$output" != "$ro" ]; then
		echo "exec ${flags[*]} $*: runc ($rs):" >&2
		echo "$ro" >&2
		echo "crbox ($status):" >&2
		echo "$output" >&2
		return 1
	fi
}

@test "exec: id, pwd, env and capabilities as runc, for each flag" {
	two_ctrs
	same -- id
	same -- pwd
	same -- env
	same -- grep ^Cap /proc/self/status
	same --cwd /etc -- pwd
	same --env A=1 --env PATH=/bin:/usr/bin --env B=2 --env A=3 -- env
	same -u 1000:1000 -- id
	same -u 1000 -g 10 -g 20 -- id
	same --cap CAP_SYS_ADMIN --cap CAP_NET_ADMIN -- grep ^Cap /proc/self/status
	same -u 1000 --cap CAP_SYS_ADMIN -- grep ^Cap /proc/self/status
	same --no-new-privs -- grep ^NoNewPrivs /proc/self/status
	same -- grep ^NoNewPrivs /proc/self/status
	same -- sh -c 'exit 42'
	same -- nosuchcmd
	same --cwd /etc -- echo ok
	[ "$output" = ok ]
	same -- sh -c 'ulimit -n; cat /proc/self/oom_score_adj; hostname; ls /proc/self/fd'
}

@test "exec refusals: stopped, paused (unless --ignore-paused), empty args, -t -d without a socket" {
	two_ctrs
	run runc exec r
	[ "$status" -eq 255 ]
	[ "$(msg "$output")" = "exec failed: process args cannot be empty" ]
	run crbox exec c
	[ "$status" -eq 255 ]
	[ "$(msg "$output")" = "exec failed: process args cannot be empty" ]
	run crbox exec
	[ "$status" -eq 1 ]
	[[ $output == *'exec\" requires a minimum of 1 argument(s)'* ]]
	for t in runc crbox; do
		id=r; [ $t = crbox ] && id=c
		run $t exec -t -d $id true
		[ "$status" -eq 255 ]
		[ "$(msg "$output")" = "exec failed: cannot allocate tty if $t will detach without setting console socket" ]
		echo '{"args":[],"cwd":"/"}' >"$ROOT/empty-$t.json"
		run $t exec -p "$ROOT/empty-$t.json" $id
		[ "$status" -eq 255 ]
		[[ $output == *"args"* ]]
		$t pause $id
		run $t exec $id true
		[ "$status" -eq 255 ]
		[ "$(msg "$output")" = "exec failed: cannot exec in a paused container (use --ignore-paused to override)" ]
		# --ignore-paused: not refused; the new process joins the frozen cgroup and runs
		# once the container is resumed
		bin=$RUNC; [ $t = crbox ] && bin=$CRBOX
		"$bin" --root "$ROOT/$t" exec -d --ignore-paused --pid-file "$ROOT/ip-$t.pid" $id \
			sh -c 'echo x >/tmp/ip' </dev/null >/dev/null 2>"$ROOT/ip-$t.err" &
		local xp=$!
		sleep 1
		$t resume $id
		wait $xp
		[ ! -s "$ROOT/ip-$t.err" ]
		for i in $(seq 50); do $t exec $id test -f /tmp/ip && break; sleep 0.1; done
		$t exec $id test -f /tmp/ip
		$t kill $id KILL
		for i in $(seq 50); do [ "$(status_of $t $id)" = stopped ] && break; sleep 0.1; done
		run $t exec $id true
		[ "$status" -eq 255 ]
		[ "$(msg "$output")" = "exec failed: cannot exec in a stopped container" ]
	done
	run crbox exec nosuch true
	[ "$status" -eq 255 ]
	[ "$(msg "$output")" = "exec failed: container does not exist" ]
}

@test "exec: exit status, signal forwarding, 128+signal, -d with --pid-file written before return" {
	two_ctrs
	run crbox exec c sh -c 'exit 7'
	[ "$status" -eq 7 ]
	# foreground: a TERM to crbox reaches the process
	"$CRBOX" --root "$ROOT/crbox" exec c sh -c 'trap "echo got-term; exit 9" TERM; echo ready; while :; do sleep 0.1; done' \
		</dev/null >"$ROOT/fw.out" &
	local xp=$! st=0
	for i in $(seq 50); do grep -q ready "$ROOT/fw.out" && break; sleep 0.1; done
	# CVE-2019-5736: exec runs from a sealed memfd copy, as create does
	[[ $(readlink /proc/$xp/exe) == /memfd:* ]]
	kill -TERM $xp
	wait $xp || st=$?
	[ "$st" -eq 9 ]
	grep -q got-term "$ROOT/fw.out"
	# killed by a signal: 128+9
	"$CRBOX" --root "$ROOT/crbox" exec c sh -c 'echo ready; exec sleep 100' </dev/null >"$ROOT/k.out" &
	xp=$! st=0
	for i in $(seq 50); do grep -q ready "$ROOT/k.out" && break; sleep 0.1; done
	kill -KILL "$(pgrep -P $xp)"
	wait $xp || st=$?
	[ "$st" -eq 137 ]
	# -d: the pid file exists when exec returns, names the process, and it is ours (a child
	# of the caller until it exits; here the caller was crbox, now gone)
	crbox exec -d --pid-file "$ROOT/d.pid" c sleep 100
	[ -s "$ROOT/d.pid" ]
	local p; p=$(cat "$ROOT/d.pid")
	[ "$(tr '\0' ' ' </proc/$p/cmdline)" = "sleep 100 " ]
	[ "$(readlink /proc/$(cat "$ROOT/c.pid")/ns/pid)" = "$(readlink /proc/$p/ns/pid)" ]
	# relative --pid-file as runc: relative to the caller's cwd
	(cd "$ROOT" && crbox exec -d --pid-file rel.pid c true)
	[ -s "$ROOT/rel.pid" ]
	# the exec'd process is in the container's cgroups
	diff <(cat /proc/$(cat "$ROOT/c.pid")/cgroup) <(cat /proc/$p/cgroup)
}

@test "exec -t via --console-socket, and -p process.json (its terminal wins over -t)" {
	[ -x "$RECVTTY" ] || make -C "$REPO" tools >/dev/null
	two_ctrs
	start_recvtty --mode capture "$ROOT/console" --payload-file "$ROOT/payload"
	crbox exec -t -d --console-socket "$CONSOLE_SOCKET" c sh -c 'tty; echo term=$TERM; sleep 1'
	for i in $(seq 50); do grep -q '/dev/pts/' "$ROOT/console" && break; sleep 0.1; done
	grep -q '^/dev/pts/[0-9]' "$ROOT/console"
	[ "$(head -1 "$ROOT/payload")" = /dev/ptmx ]
	# process.json as conmon passes it: terminal false in the file, -t on the command line
	jq '.process | .args = ["sh","-c","test -t 0 && echo tty || echo notty; echo $X"] | .env += ["X=fromfile"] | .terminal = false' \
		"$ROOT/bc/config.json" >"$ROOT/p.json"
	run crbox exec -p "$ROOT/p.json" --tty c
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'notty\nfromfile')" ]
	# go-runc: --process - (stdin)
	run crbox exec --process - c <"$ROOT/p.json"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'notty\nfromfile')" ]
	# the same with runc
	run runc exec -p "$ROOT/p.json" --tty r
	[ "$output" = "$(printf 'notty\nfromfile')" ]
	# conmon's form: --process FILE (terminal true) --detach --pid-file, the pty to the socket
	jq '.process | .args = ["sh","-c","test -t 0 && echo conmon-tty; sleep 1"] | .terminal = true' \
		"$ROOT/bc/config.json" >"$ROOT/pt.json"
	crbox exec --process "$ROOT/pt.json" --detach --pid-file "$ROOT/pt.pid" \
		--console-socket "$CONSOLE_SOCKET" c
	[ -s "$ROOT/pt.pid" ]
	for i in $(seq 50); do grep -q conmon-tty "$ROOT/console" && break; sleep 0.1; done
	grep -q conmon-tty "$ROOT/console"
}

@test "exec --cgroup into a sub-cgroup (missing one refused), --preserve-fds, fd hygiene" {
	two_ctrs
	local cg; cg=$(jq -r '.cgroup_paths.memory // .cgroup_paths[""]' "$ROOT/crbox/c/state.json")
	[ -d "$cg" ]
	mkdir "$cg/sub"
	[ -d "/sys/fs/cgroup/unified$CG_PATH" ] && mkdir -p "/sys/fs/cgroup/unified$CG_PATH/sub"
	for d in /sys/fs/cgroup/*/"${CG_PATH#/}"; do
		[ -d "$d" ] && mkdir -p "$d/sub" || continue
		if [ -f "$d/cpuset.cpus" ]; then
			cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
		fi
	done
	run crbox exec --cgroup sub c cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[[ $output == *"memory:$CG_PATH/sub"* ]] || [[ $output == *"memory:/sub"* ]]
	run crbox exec --cgroup memory:nosuch c true
	[ "$status" -eq 255 ]
	[[ $output == *"error adding pid"* ]]
	grep -qi "no such file or directory" <<<"$output"
	# only 0-2 (+ N with --preserve-fds) reach the process, whatever the caller leaks
	run crbox exec c ls /proc/self/fd 5>/dev/null 6>/dev/null
	[ "$output" = "$(runc exec r ls /proc/self/fd 5>/dev/null 6>/dev/null)" ]
	[ "$(echo $output)" = "0 1 2 3" ]    # 3: ls's own directory fd
	echo preserved >"$ROOT/pf"
	run crbox exec --preserve-fds 1 c cat /proc/self/fd/3 3<"$ROOT/pf"
	[ "$output" = preserved ]
	run crbox exec --preserve-fds 1 c ls /proc/self/fd 3<"$ROOT/pf" 4</dev/null
	[ "$(echo $output)" = "0 1 2 3 4" ]
	for d in /sys/fs/cgroup/*/"${CG_PATH#/}"/sub /sys/fs/cgroup/*/*/"${CG_PATH#/}"/sub; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	true
}

@test "exec into a container crbox restored" {
	make_bundle "$ROOT/b"
	KNOWN_IDS+=(rc)
	crbox run -d --bundle "$BUNDLE" --pid-file "$ROOT/rc.pid" rc </dev/null >/dev/null 2>/dev/null
	track_pid_file "$ROOT/rc.pid"
	local before; before=$(crbox exec rc sh -c 'readlink /proc/self/ns/mnt; grep ^Cap /proc/self/status')
	crbox_checkpoint rc
	crbox_restore_detached rc
	[ "$(status_of crbox rc)" = running ]
	run crbox exec rc sh -c 'echo $PATH; id; pwd; grep ^Cap /proc/self/status'
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "uid=0(root) gid=0(root)"* ]]
	[ "${lines[2]}" = / ]
	[ "$(crbox exec rc readlink /proc/1/exe)" = /bin/busybox ]
	[ "$(grep ^Cap <<<"$before")" = "$(crbox exec rc grep ^Cap /proc/self/status)" ]
	[ "$(crbox exec rc readlink /proc/self/ns/mnt)" = "$(readlink /proc/$(cat "$ROOT/rc.pid")/ns/mnt)" ]
	crbox delete -f rc
	assert_no_leftovers rc
}

@test "features: runc 1.1's shape, this build's tables" {
	run "$CRBOX" features
	[ "$status" -eq 0 ]
	local f=$output
	jq -e . <<<"$f" >/dev/null
	# key order and 4-space indentation as runc's encoder
	[ "$(jq -c 'keys_unsorted' <<<"$f")" = '["ociVersionMin","ociVersionMax","hooks","mountOptions","linux","annotations"]' ]
	[ "$(jq -c '.linux|keys_unsorted' <<<"$f")" = '["namespaces","capabilities","cgroup","seccomp","apparmor","selinux"]' ]
	[ "$(sed -n 2p <<<"$f")" = '    "ociVersionMin": "1.0.0",' ]
	"$CRBOX" features | tail -c1 | od -c | grep -q '\\n'
	[ "$(jq -c .hooks <<<"$f")" = "$(command "$RUNC" features | jq -c .hooks)" ]
	# mount options: sorted, every one of runc's except the ones crbox does not parse
	[ "$(jq -c .mountOptions <<<"$f")" = "$(jq -c '.mountOptions|sort' <<<"$f")" ]
	[ -z "$(comm -13 <(jq -r '.mountOptions[]' <<<"$f") <(command "$RUNC" features | jq -r '.mountOptions[]') | grep -vx 'acl\|noacl')" ]
	# capabilities: CAP_CHOWN..CAP_CHECKPOINT_RESTORE in numeric order, as runc
	[ "$(jq -c .linux.capabilities <<<"$f")" = "$(command "$RUNC" features | jq -c .linux.capabilities)" ]
	[ "$(jq -c .linux.namespaces <<<"$f")" = '["cgroup","ipc","mount","network","pid","time","user","uts"]' ]
	[ "$(jq -c .linux.cgroup <<<"$f")" = '{"v1":true,"v2":true,"systemd":false,"systemdUser":false}' ]
	# seccomp: every action and operator runc (libseccomp) lists; the architectures of our tables
	[ "$(jq .linux.seccomp.enabled <<<"$f")" = true ]
	[ "$(jq -c .linux.seccomp.actions <<<"$f")" = "$(command "$RUNC" features | jq -c .linux.seccomp.actions)" ]
	[ "$(jq -c .linux.seccomp.operators <<<"$f")" = "$(command "$RUNC" features | jq -c .linux.seccomp.operators)" ]
	[ "$(jq -c .linux.seccomp.archs <<<"$f")" = '["SCMP_ARCH_AARCH64","SCMP_ARCH_ARM","SCMP_ARCH_RISCV64","SCMP_ARCH_X32","SCMP_ARCH_X86","SCMP_ARCH_X86_64"]' ]
	[ "$(jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]' <<<"$f")" = true ]
	[ "$(jq -r '.annotations["crbox.version"]' <<<"$f")" = "$("$CRBOX" --version | sed -n 's/.* version //p')" ]
	run "$CRBOX" features extra
	[ "$status" -eq 1 ]
}

@test "ps --format json: the pids of the cgroup, nothing else on stdout or stderr" {
	two_ctrs
	crbox exec -d --pid-file "$ROOT/x.pid" c sleep 100
	local out err
	out=$(crbox ps --format json c 2>"$ROOT/ps.err")
	[ ! -s "$ROOT/ps.err" ]
	jq -e 'type == "array"' <<<"$out" >/dev/null
	[ "$(jq -c 'sort' <<<"$out")" = "$(jq -c 'sort' <<<"[$(cat "$ROOT/c.pid"),$(cat "$ROOT/x.pid")]")" ] || \
		jq -e --argjson a "$(cat "$ROOT/c.pid")" --argjson b "$(cat "$ROOT/x.pid")" 'index($a) != null and index($b) != null' <<<"$out"
	[ "$(runc ps --format json r | jq length)" -ge 1 ]
}

@test "exec -t in the foreground proxies the caller's terminal" {
	command -v script >/dev/null || skip "script(1) is not installed"
	two_ctrs
	# script gives crbox a tty on stdin/stdout; the process sees its own pty
	run script -qec "$CRBOX --root $ROOT/crbox exec -t c sh -c 'test -t 0 && tty; exit 5'" /dev/null
	[ "$status" -eq 5 ]
	[[ $output == *"/dev/pts/"* ]]
	run script -qec "$RUNC --root $ROOT/runc exec -t r sh -c 'test -t 0 && tty; exit 5'" /dev/null
	[ "$status" -eq 5 ]
	[[ $output == *"/dev/pts/"* ]]
}

@test "exec flag errors in runc's words: -u names, negative or bad -g, relative --cwd, unknown --cap" {
	two_ctrs
	local a rs ro
	for a in "-u nobody" "-u 1:x" "-g -1" "--cwd rel" "-g abc" "--additional-gids x" "--cap CAP_BOGUS"; do
		ro=$(runc exec $a r true 2>&1) && rs=0 || rs=$?
		run crbox exec $a c true
		[ "$status" -eq "$rs" ]
		[ "$(msg "$output")" = "$(msg "$ro")" ] || { echo "$a: $ro // $output" >&2; false; }
		[ "$(grep -c 'level=warning' <<<"$output")" = "$(grep -c 'level=warning' <<<"$ro")" ]
	done
}
