#!/usr/bin/env bats
# lifecycle: state, list, kill, delete, ps, pause and resume on containers crbox restored from
# runc checkpoints (root, real CRIU). Status transitions checked through `state`, signals
# reaching the right processes, a reused pid never signalled, concurrent calls serialized by
# the state lock, and the same commands through runc on runc's own container giving the same
# output shapes, messages and exit codes.

load helpers

# The workload: counts in /count, appends a line to /usr1 per SIGUSR1, has a long-lived
# background child (its pid in /bg).
WORKLOAD='trap "echo u >> /usr1" USR1; sleep 1000 & echo $! > /bg; i=0; while true; do i=$((i+1)); echo $i > /count; sleep 0.2; done'

# restored ID [CGPATH]: a bundle $ROOT/b-ID running WORKLOAD under runc, checkpointed, and
# restored by crbox (images $ROOT/img-ID, work dir $ROOT/wk-ID). Leaves BUNDLE set.
restored() {
	local id=$1
	make_bundle "$ROOT/b-$id" /bin/sh -c "$WORKLOAD"
	[ -z "${2:-}" ] || set_cgroups_path "$2"
	runc_run_detached "$id"
	wait_count_above 1 >/dev/null
	runc_checkpoint "$id" --image-path "$ROOT/img-$id" --work-path "$ROOT/wk-$id"
	crbox_restore_detached "$id" --image-path "$ROOT/img-$id" --work-path "$ROOT/wk-$id"
	[ "$(status_of crbox "$id")" = running ]
}

# freezer_state CGPATH: the v1 freezer state of the container's cgroup.
freezer_state() {
	cat "/sys/fs/cgroup/freezer$1/freezer.state"
}

# counter_stalled: the counter does not move for 0.8 s.
counter_stalled() {
	local a b
	a=$(read_count)
	sleep 0.8
	b=$(read_count)
	[ "$a" = "$b" ]
}

# wait_files N DIR: waits (30 s at most) until DIR/1.rc ... DIR/N.rc all exist (the parallel
# calls write them last).
wait_files() {
	local i t
	for t in $(seq 300); do
		for i in $(seq "$1"); do
			[ -s "$2/$i.rc" ] || break
		done
		[ -s "$2/$1.rc" ] && [ -s "$2/$i.rc" ] && return 0
		sleep 0.1
	done
	echo "wait_files: calls still running: $(ls "$2")" >&2
	return 1
}

msg() {
	sed -n 's/^time="[^"]*" level=error msg="\(.*\)"$/\1/p' <<<"$1" | sed 's/\\"/"/g'
}

@test "state, list and ps on a restored container" {
	restored ct
	local pid
	pid=$(cat "$ROOT/ct.pid")
	run -0 crbox state ct
	state=$output
	[ "$(jq -c 'keys_unsorted' <<<"$state")" = \
		'["ociVersion","id","pid","status","bundle","rootfs","created","owner"]' ]
	[ "$(jq -r '[.id, .pid, .status, .bundle, .rootfs, .owner] | @tsv' <<<"$state")" = \
		"$(printf 'ct\t%s\trunning\t%s\t%s\t' "$pid" "$BUNDLE" "$BUNDLE/rootfs")" ]
	[ "$(jq -r .ociVersion <<<"$state")" = "$(get_cfg .ociVersion)" ]
	[[ $(jq -r .created <<<"$state") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$ ]]
	# No trailing newline, as runc.
	[ "$(crbox state ct | tail -c 1)" = "}" ]

	run -0 crbox list
	[ "${lines[0]}" = "ID          PID         STATUS      BUNDLE$(printf '%*s' $((${#BUNDLE} + 3 - 6)) '')CREATED$(printf '%*s' $(($(jq -r '.created | length' <<<"$state") + 3 - 7)) '')OWNER" ]
	read -r f_id f_pid f_st f_b f_cr f_ow <<<"${lines[1]}"
	[ "$f_id $f_pid $f_st $f_b $f_cr $f_ow" = "ct $pid running $BUNDLE $(jq -r .created <<<"$state") root" ]
	run -0 crbox list -q
	[ "$output" = ct ]
	run -0 crbox list --format json
	[ "$(jq -c '.[0]' <<<"$output")" = "$(jq -c '.owner = "root"' <<<"$state")" ]

	# ps: the pids of the cgroup (init, the background sleep, maybe a sleep 0.2).
	run -0 crbox ps --format json ct
	pids=$output
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$pids"
	[ "$(jq -c 'sort' <<<"$pids")" = "$(sort -n "/sys/fs/cgroup/pids$CG_PATH/cgroup.procs" | jq -sc .)" ] ||
		[ "$(jq length <<<"$pids")" -ge 2 ]
	run -0 crbox ps ct
	[ "${lines[0]}" = "$(ps -ef | head -n 1)" ]
	awk 'NR > 1 {print $2}' <<<"$output" | grep -qx "$pid"
	# Every line listed is a process of the container.
	for p in $(awk 'NR > 1 {print $2}' <<<"$output"); do
		grep -qx "$p" "/sys/fs/cgroup/pids$CG_PATH/cgroup.procs" || [ ! -d "/proc/$p" ]
	done
	run -0 crbox ps ct -o pid,args
	[[ $output == *"$pid /bin/sh -c"* ]]
	[[ $output == *"sleep 1000"* ]]
	# The counter kept its memory across the restore and is still running.
	wait_count_above "$(read_count)" >/dev/null

	run -0 crbox delete -f ct
	assert_no_leftovers ct
}

@test "status transitions: running -> paused -> running -> stopped, each checked by state" {
	restored ct
	local pid
	pid=$(cat "$ROOT/ct.pid")
	run -1 crbox resume ct
	[ "$(msg "$output")" = "container not paused" ]

	run -0 crbox pause ct
	[ "$(crbox state ct | jq -c '[.status, .pid]')" = "[\"paused\",$pid]" ]
	[ "$(freezer_state "$CG_PATH")" = FROZEN ]
	counter_stalled
	run -1 crbox pause ct
	[ "$(msg "$output")" = "container not running" ]
	run -1 crbox delete ct
	[ "$(msg "$output")" = "cannot delete container ct that is not stopped: paused" ]
	run -0 crbox list
	[[ ${lines[1]} == "ct          $pid"*" paused "* ]]

	run -0 crbox resume ct
	[ "$(crbox state ct | jq -r .status)" = running ]
	[ "$(freezer_state "$CG_PATH")" = THAWED ]
	wait_count_above "$(read_count)" >/dev/null
	run -1 crbox delete ct
	[ "$(msg "$output")" = "cannot delete container ct that is not stopped: running" ]

	# The init is pid 1 of its namespace: SIGTERM without a handler is ignored; KILL is not.
	run -0 crbox kill ct
	sleep 0.3
	[ "$(status_of crbox ct)" = running ]
	run -0 crbox kill ct KILL
	for i in $(seq 50); do
		[ "$(status_of crbox ct)" = stopped ] && break
		sleep 0.1
	done
	[ "$(crbox state ct | jq -c '[.status, .pid]')" = '["stopped",0]' ]
	run -1 crbox kill ct
	[ "$(msg "$output")" = "container not running" ]
	run -1 crbox pause ct
	[ "$(msg "$output")" = "container not running" ]
	run -0 crbox delete ct
	[ "$output" = "" ]
	[ "$(status_of crbox ct)" = absent ]
	assert_no_leftovers ct
}

@test "kill by name and number reaches the init; --all reaches every process" {
	restored ct
	local pid hbg n s
	pid=$(cat "$ROOT/ct.pid")
	# The background sleep's host pid: the container's pid of it is namespaced, so find it in
	# the cgroup as the child of the init running sleep 1000.
	hbg=$(ps -o pid=,ppid=,args= --ppid "$pid" | awk '$3 == "sleep" && $4 == 1000 {print $1}')
	[ -n "$hbg" ]
	# One signal at a time: pending signals of one kind coalesce.
	n=0
	for s in USR1 SIGUSR1 10 usr1; do
		run -0 crbox kill ct "$s"
		n=$((n + 1))
		for i in $(seq 30); do
			[ "$(wc -l 2>/dev/null <"$BUNDLE/rootfs/usr1")" = "$n" ] && break
			sleep 0.1
		done
		[ "$(wc -l <"$BUNDLE/rootfs/usr1")" = "$n" ]
	done
	# Without --all only the init got them: the background sleep is alive.
	kill -0 "$hbg"
	# --all TERM: the sleeps die; the init (pid 1, no TERM handler) stays.
	run -0 crbox kill --all ct TERM
	for i in $(seq 30); do
		[ -d "/proc/$hbg" ] || break
		sleep 0.1
	done
	[ ! -d "/proc/$hbg" ] || [ "$(awk '{print $3}' "/proc/$hbg/stat")" = Z ]
	[ "$(status_of crbox ct)" = running ]
	# --all on a paused container signals but leaves it paused; KILL thaws so they die.
	run -0 crbox pause ct
	run -0 crbox kill -a ct USR1
	[ "$(status_of crbox ct)" = paused ]
	run -0 crbox resume ct
	run -0 crbox kill -a ct 9
	for i in $(seq 50); do
		[ "$(status_of crbox ct)" = stopped ] && break
		sleep 0.1
	done
	[ "$(status_of crbox ct)" = stopped ]
	[ -z "$(cat "/sys/fs/cgroup/pids$CG_PATH/cgroup.procs")" ]
	run -0 crbox ps -f json ct
	[ "$output" = null ]
	run -0 crbox delete ct
	assert_no_leftovers ct
}

@test "delete -f of a running and of a paused restored container" {
	restored ct
	run -0 crbox delete -f ct
	[ "$output" = "" ]
	[ "$(status_of crbox ct)" = absent ]
	assert_no_leftovers ct

	restored ct2 "$CG_PATH-2"
	run -0 crbox pause ct2
	run -0 crbox delete --force ct2
	[ "$(status_of crbox ct2)" = absent ]
	run -0 crbox delete -f ct2
	run -1 crbox delete ct2
	[ "$(msg "$output")" = "container does not exist" ]
	assert_no_leftovers ct ct2
}

@test "a reused pid is never signalled: kill refuses a stranger with a wrong start time" {
	restored ct
	local pid st
	pid=$(cat "$ROOT/ct.pid")
	run -0 crbox kill ct KILL
	for i in $(seq 50); do
		[ "$(status_of crbox ct)" = stopped ] && break
		sleep 0.1
	done
	# A live unrelated process takes the init's place in state.json (same start time as the
	# dead init, which is not the stranger's).
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	stranger=$!
	track_pid "$stranger"
	sst=$(__starttime "$stranger")
	f=$ROOT/crbox/ct/state.json
	ist=$(jq -r .init_process_start "$f")
	[ "$ist" != "$sst" ]
	jq -c --argjson p "$stranger" '.init_process_pid = $p' "$f" >"$f.new" && mv "$f.new" "$f"
	[ "$(crbox state ct | jq -c '[.status, .pid]')" = '["stopped",0]' ]
	for s in TERM KILL 9; do
		run -1 crbox kill ct "$s"
		[ "$(msg "$output")" = "container not running" ]
	done
	run -1 crbox pause ct
	kill -0 "$stranger"
	[ "$(__starttime "$stranger")" = "$sst" ]
	# delete -f destroys the container but not the stranger (not in its cgroup, wrong start).
	run -0 crbox delete -f ct
	sleep 0.3
	kill -0 "$stranger"
	[ "$(__starttime "$stranger")" = "$sst" ]
	kill -9 "$stranger"
	wait "$stranger" 2>/dev/null || true
	assert_no_leftovers ct
}

@test "20 parallel state/kill/list/delete calls serialize; state is valid JSON or absent" {
	restored ct
	local i
	mkdir "$ROOT/par"
	for i in $(seq 20); do
		case $((i % 4)) in
		0) cmd=(state ct) ;;
		1) cmd=(kill ct 0) ;;
		2) cmd=(list --format json) ;;
		3) if [ "$i" -gt 10 ]; then cmd=(delete -f ct); else cmd=(state ct); fi ;;
		esac
		echo "${cmd[*]}" >"$ROOT/par/$i.cmd"
		( crbox "${cmd[@]}" >"$ROOT/par/$i.out" 2>"$ROOT/par/$i.err" && r=0 || r=$?
		  echo "$r" >"$ROOT/par/$i.rc" ) &
	done
	wait_files 20 "$ROOT/par"
	for i in $(seq 20); do
		cmd=$(cat "$ROOT/par/$i.cmd") rc=$(cat "$ROOT/par/$i.rc") out=$(cat "$ROOT/par/$i.out")
		err=$(msg "$(cat "$ROOT/par/$i.err")")
		case $cmd in
		state*)
			if [ "$rc" = 0 ]; then
				jq -e '.id == "ct" and (.status == "running" or .status == "stopped")' <<<"$out" >/dev/null
			else
				[ "$rc" = 1 ] && [ "$err" = "container does not exist" ]
			fi ;;
		kill*) [ "$rc" = 0 ] || { [ "$rc" = 1 ] && [ "$err" = "container does not exist" ]; } ;;
		list*) [ "$rc" = 0 ] && [ -z "$(cat "$ROOT/par/$i.err")" ] && jq . <<<"$out" >/dev/null ;;
		delete*) [ "$rc" = 0 ] && [ -z "$(cat "$ROOT/par/$i.err")" ] ;;
		esac || { echo "call $i ($cmd): rc $rc, out '$out', err '$(cat "$ROOT/par/$i.err")'" >&2; false; }
	done
	[ "$(status_of crbox ct)" = absent ]
	assert_no_leftovers ct
}

@test "20 parallel pause/resume calls serialize: successes alternate" {
	restored ct
	local i np=0 nr=0
	mkdir "$ROOT/par"
	for i in $(seq 20); do
		if [ $((i % 2)) = 0 ]; then a=pause; else a=resume; fi
		# (a subshell inherits set -e: keep the status explicitly)
		( crbox "$a" ct 2>"$ROOT/par/$i.err" && r=0 || r=$?; echo "$a $r" >"$ROOT/par/$i.rc" ) &
	done
	wait_files 20 "$ROOT/par"
	for i in $(seq 20); do
		read -r a rc <"$ROOT/par/$i.rc"
		err=$(msg "$(cat "$ROOT/par/$i.err")")
		if [ "$rc" = 0 ]; then
			if [ "$a" = pause ]; then np=$((np + 1)); else nr=$((nr + 1)); fi
		elif [ "$a" = pause ]; then
			[ "$err" = "container not running" ]
		else
			[ "$err" = "container not paused" ]
		fi
	done
	# Each success changed the status, so pauses and resumes alternate from "running".
	[ $((np - nr)) = 0 ] || [ $((np - nr)) = 1 ]
	[ "$np" -ge 1 ]
	if [ $((np - nr)) = 1 ]; then want=paused; else want=running; fi
	[ "$(status_of crbox ct)" = "$want" ]
	run -0 crbox delete -f ct
	assert_no_leftovers ct
}

# both ARG...: runs ARG... (with the id "ct") through runc on runc's container and through
# crbox on the restored one; sets R_RC/C_RC, R_OUT/C_OUT, R_MSG/C_MSG.
both() {
	R_OUT=$(runc "$@" 2>"$ROOT/r.err") && R_RC=0 || R_RC=$?
	C_OUT=$(crbox "$@" 2>"$ROOT/c.err") && C_RC=0 || C_RC=$?
	R_MSG=$(msg "$(cat "$ROOT/r.err")")
	C_MSG=$(msg "$(cat "$ROOT/c.err")")
}

# same ARG...: both, then the exit codes and error messages must be equal.
same() {
	both "$@"
	if [ "$R_RC" != "$C_RC" ] || [ "$R_MSG" != "$C_MSG" ]; then
		echo "$*: runc rc $R_RC msg '$R_MSG'; crbox rc $C_RC msg '$C_MSG'" >&2
		return 1
	fi
}

# norm_state JSON: the state with the values that differ by nature normalised.
norm_state() {
	jq -c '.pid = (if .pid > 0 then "PID" else .pid end) | .bundle = "B" | .rootfs = "R"
		| .created = (.created | test("^[0-9-]{10}T[0-9:]{8}(\\.[0-9]+)?Z$"))' <<<"$1"
}

# same_state: `state ct` of both, normalised, must be byte-equal in shape.
same_state() {
	same state ct
	[ "$(norm_state "$R_OUT")" = "$(norm_state "$C_OUT")" ] ||
		{ echo "state: runc $R_OUT / crbox $C_OUT" >&2; return 1; }
	[ "$(jq -c 'keys_unsorted' <<<"$R_OUT")" = "$(jq -c 'keys_unsorted' <<<"$C_OUT")" ]
	# Same indentation and no trailing newline on both sides.
	[ "$(sed 's/: .*//' <<<"$R_OUT")" = "$(sed 's/: .*//' <<<"$C_OUT")" ]
}

@test "runc and crbox agree: outputs, messages and exit codes across the same states" {
	restored ct
	local cbundle=$BUNDLE
	# runc's own container with the same id in its own root, another bundle and cgroup.
	make_bundle "$ROOT/b-runc" /bin/sh -c "$WORKLOAD"
	set_cgroups_path "$CG_PATH-runc"
	runc_run_detached ct

	# running
	same_state
	[ "$(jq -r .status <<<"$C_OUT")" = running ]
	same pause nosuch
	same resume ct
	same delete ct
	same kill ct FOO
	same kill ct 100
	same kill ct -5
	same kill ct 0
	same kill ct cont
	same ps -f json ct
	[ "$(jq type <<<"$R_OUT")" = "$(jq type <<<"$C_OUT")" ]
	same ps ct
	[ "$(head -n 1 <<<"$R_OUT")" = "$(head -n 1 <<<"$C_OUT")" ]
	same ps ct -o pid
	same ps ct -o comm
	same list --format xml
	both list
	[ "$R_RC" = 0 ] && [ "$C_RC" = 0 ]
	[ "$(head -n 1 <<<"$R_OUT" | tr -s ' ')" = "$(head -n 1 <<<"$C_OUT" | tr -s ' ')" ]
	# The table columns: the same fields, each column starting where the widest cell + 3
	# (min 12) ends.
	[ "$(sed -n 2p <<<"$R_OUT" | awk '{print $1, $3, $6}')" = "$(sed -n 2p <<<"$C_OUT" | awk '{print $1, $3, $6}')" ]
	both list --format json
	[ "$(jq -c 'map(keys_unsorted)' <<<"$R_OUT")" = "$(jq -c 'map(keys_unsorted)' <<<"$C_OUT")" ]
	[ "$(jq -c '.[0].owner' <<<"$R_OUT")" = "$(jq -c '.[0].owner' <<<"$C_OUT")" ]
	both list -q
	[ "$R_OUT" = "$C_OUT" ]

	# paused
	same pause ct
	same_state
	[ "$(jq -r .status <<<"$C_OUT")" = paused ]
	same pause ct
	same delete ct
	same resume ct
	same resume ct

	# stopped
	same kill ct KILL
	for i in $(seq 50); do
		[ "$(status_of crbox ct)" = stopped ] && [ "$(status_of runc ct)" = stopped ] && break
		sleep 0.1
	done
	same_state
	[ "$(jq -c '[.status, .pid]' <<<"$C_OUT")" = '["stopped",0]' ]
	same kill ct
	same kill ct KILL
	same kill --all ct 9
	same pause ct
	same resume ct
	same ps -f json ct
	[ "$R_OUT" = null ] && [ "$C_OUT" = null ]
	same ps ct
	[ "$R_OUT" = "$C_OUT" ]
	same delete ct
	same delete ct
	same delete -f ct
	same state ct
	[ "$C_MSG" = "container does not exist" ]
	assert_no_leftovers ct
}
