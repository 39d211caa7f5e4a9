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
