#!/usr/bin/env bats
# The container file system made by core/rootfs (docs/rootfs.md), checked from inside through
# build/tools/rootfs-probe (which runs rootfs_prepare/pivot/finalize on a bundle, then execs a
# command), side by side with runc 1.1.5 on the same bundle; and the restore mountpoint race
# (a symlink swapped in must not redirect a bind out of the root).

load helpers

PROBE=${PROBE:-$REPO/build/tools/rootfs-probe}

setup() {
	requires root
	[ -x "$PROBE" ] || skip "needs build/tools/rootfs-probe (make tools)"
	command -v "$RUNC" >/dev/null 2>&1 || skip "needs runc"
	fixture_setup
	make_bundle "$ROOT/bundle" true
}

teardown() {
	fixture_teardown
}

probe() {
	"$PROBE" "$@"
}

# mountinfo on stdin -> "root mountpoint options fstype source superoptions", sizes and the
# cgroup dirs (which depend on the cgroup each runtime put the process in) left out.
norm_mountinfo() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break;
	       r = ($(i+1) == "cgroup") ? "-" : $4;
	       print r, $5, $6, $(i+1), $(i+2), $(i+3) }' | sed 's/size=[0-9]*k/size=N/'
}

runc_out() {
	KNOWN_IDS+=("$TAG")
	runc run --bundle "$BUNDLE" "$TAG" </dev/null
}

@test "rootfs: /proc/self/mountinfo is runc's for the same bundle" {
	set_cfg '.process.args = ["cat", "/proc/self/mountinfo"]'
	runc_out | norm_mountinfo >"$ROOT/runc.mi"
	probe "$BUNDLE" cat /proc/self/mountinfo | norm_mountinfo >"$ROOT/probe.mi"
	[ -s "$ROOT/probe.mi" ]
	diff -u "$ROOT/runc.mi" "$ROOT/probe.mi"
}

@test "rootfs: the /dev listing is runc's, with the ptmx and fd links" {
	set_cfg '.process.args = ["ls", "-ln", "/dev", "/dev/pts"]'
	runc_out | sed -E 's/ [A-Z][a-z]{2} +[0-9]+ +[0-9:]+ / /' >"$ROOT/runc.dev"
	probe "$BUNDLE" ls -ln /dev /dev/pts | sed -E 's/ [A-Z][a-z]{2} +[0-9]+ +[0-9:]+ / /' >"$ROOT/probe.dev"
	grep -q 'null' "$ROOT/probe.dev"
	diff -u "$ROOT/runc.dev" "$ROOT/probe.dev"
	run probe "$BUNDLE" sh -c 'for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done'
	[ "$status" -eq 0 ]
	[ "$output" = "pts/ptmx
/proc/self/fd
/proc/self/fd/0
/proc/self/fd/1
/proc/self/fd/2" ]
	# The ptmx link leads to this container's own devpts instance.
	run probe "$BUNDLE" sh -c 'stat -L -c "%t:%T" /dev/ptmx; grep " /dev/pts " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "5:2" ]]
	[[ "$output" == *"devpts devpts rw,gid=5,mode=620,ptmxmode=666"* ]]
}

@test "rootfs: every mount type with its options" {
	mkdir -p "$ROOT/src/sub" "$ROOT/rsrc/inner"
	echo hello >"$ROOT/src/file"
	mount -t tmpfs -o size=1m sub "$ROOT/rsrc/inner"
	set_cfg '.mounts += [
	  {"destination": "/t1", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=700", "nodev"]},
	  {"destination": "/b", "type": "bind", "source": "'"$ROOT"'/src", "options": ["bind", "ro", "nosuid"]},
	  {"destination": "/f", "type": "none", "source": "'"$ROOT"'/src/file", "options": ["bind"]},
	  {"destination": "/rr", "type": "bind", "source": "'"$ROOT"'/rsrc", "options": ["rbind", "rro"]},
	  {"destination": "/sh", "type": "bind", "source": "'"$ROOT"'/src", "options": ["rbind", "rshared"]},
	  {"destination": "/cg2", "type": "cgroup2", "source": "cgroup2", "options": ["nosuid", "noexec", "nodev"]},
	  {"destination": "/ro-tmp", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "noexec", "noatime"]}]'
	run probe "$BUNDLE" cat /proc/self/mountinfo
	umount "$ROOT/rsrc/inner"
	[ "$status" -eq 0 ]
	mi=$output
	grep -E '^[0-9]+ [0-9]+ [0-9:]+ / /t1 rw,nodev,relatime - tmpfs tmpfs rw,size=1024k,mode=700' <<<"$mi"
	grep -E ' /b ro,nosuid,relatime - ' <<<"$mi"
	grep -E '/file /f rw,relatime - ' <<<"$mi"
	grep -E ' /rr ro,relatime - ' <<<"$mi"
	grep -E ' /rr/inner ro,relatime - tmpfs sub rw,size=1024k' <<<"$mi"
	grep -E ' /sh rw,relatime shared:[0-9]+ - ' <<<"$mi"
	grep -E ' /cg2 rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 ' <<<"$mi"
	grep -E ' /ro-tmp ro,noexec,noatime - tmpfs tmpfs ro' <<<"$mi"
	grep -E ' /proc rw,relatime - proc proc ' <<<"$mi"
	grep -E ' /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro' <<<"$mi"
	grep -E ' /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue ' <<<"$mi"
	grep -E ' /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666' <<<"$mi"
	grep -E ' /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory' <<<"$mi"
	# The bind's content, and the flags doing their job.
	run probe "$BUNDLE" sh -c 'cat /b/file /f; touch /b/x; touch /rr/inner/x; touch /t1/ok && echo t1-ok'
	[[ "$output" == *"hello"*"hello"* ]]
	[[ "$output" == *"/b/x: Read-only file system"* ]]
	[[ "$output" == *"/rr/inner/x: Read-only file system"* ]]
	[[ "$output" == *"t1-ok"* ]]
	[ ! -e "$ROOT/src/x" ]
}

@test "rootfs: tmpcopyup fills the tmpfs with the directory's content" {
	mkdir -p "$BUNDLE/rootfs/etc/sub"
	echo e1 >"$BUNDLE/rootfs/etc/hello"
	chmod 0640 "$BUNDLE/rootfs/etc/hello"
	ln -s hello "$BUNDLE/rootfs/etc/lnk"
	set_cfg '.mounts += [{"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "size=1m", "nosuid"]}]'
	run probe "$BUNDLE" sh -c 'stat -c "%n %a %F" /etc/hello /etc/sub /etc/lnk; cat /etc/lnk;
		grep " /etc " /proc/self/mountinfo; echo new > /etc/x && echo written'
	[ "$status" -eq 0 ]
	[[ "$output" == *"/etc/hello 640 regular file"*"/etc/sub 755 directory"*"/etc/lnk 777 symbolic link"*"e1"* ]]
	[[ "$output" == *" /etc rw,nosuid,relatime - tmpfs tmpfs rw,size=1024k"* ]]
	[[ "$output" == *"written"* ]]
	[ ! -e "$BUNDLE/rootfs/etc/x" ]
}

@test "rootfs: the tmpfs size is enforced" {
	set_cfg '.mounts += [{"destination": "/small", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}]'
	run probe "$BUNDLE" sh -c 'dd if=/dev/zero of=/small/f bs=1k count=200 2>&1; stat -c %s /small/f'
	[[ "$output" == *"No space left on device"* ]]
	[ "${lines[-1]}" -le 65536 ]
}

@test "rootfs: masked paths are empty, readonly paths are read-only" {
	set_cfg '.linux.maskedPaths += ["/etc/secret", "/etc/secretdir", "/does/not/exist"]
	         | .linux.readonlyPaths += ["/etc/rodir"]'
	echo top-secret >"$BUNDLE/rootfs/etc/secret"
	mkdir -p "$BUNDLE/rootfs/etc/secretdir" "$BUNDLE/rootfs/etc/rodir"
	echo x >"$BUNDLE/rootfs/etc/secretdir/f"
	run probe "$BUNDLE" sh -c 'cat /etc/secret; echo "[$(ls -A /etc/secretdir /proc/acpi /sys/firmware)]";
		cat /proc/keys; echo "keys:$?"; echo x > /etc/secret; echo "w:$?";
		touch /etc/rodir/x; echo h > /proc/sys/kernel/domainname'
	[ "$status" -ne 0 ]
	[[ "$output" != *"top-secret"* ]]
	[[ "$output" == *"/etc/secretdir:"* ]]
	[[ "$output" != *"/etc/secretdir:
f"* ]]
	[[ "$output" == *"keys:0"* ]]
	[[ "$output" == *"touch: /etc/rodir/x: Read-only file system"* ]]
	[[ "$output" == *"Read-only file system"*"domainname"* || "$output" == *"domainname"*"Read-only file system"* ]]
	grep -q top-secret "$BUNDLE/rootfs/etc/secret"
	# Mask targets are the container's own null device (checked to be char 1:3) and ro tmpfs.
	run probe "$BUNDLE" grep -E ' /etc/secret(dir)? ' /proc/self/mountinfo
	[[ "${lines[0]}" == *"/null /etc/secret "* ]]
	[[ "${lines[1]}" == *" /etc/secretdir ro,relatime - tmpfs tmpfs ro"* ]]
}

@test "rootfs: a masked file is refused when the container's /dev/null is not the null device" {
	# /dev bound from a host dir whose null is a symlink to a file the mask must not expose.
	mkdir -p "$ROOT/fakedev"
	echo precious >"$ROOT/precious"
	ln -s /etc/passwd "$ROOT/fakedev/null"
	set_cfg --arg d "$ROOT/fakedev" '.mounts |= map(select(.destination | startswith("/dev") | not))
	         | .mounts += [{"destination": "/dev", "type": "bind", "source": $d, "options": ["rbind"]}]'
	run probe "$BUNDLE" cat /proc/keys
	[ "$status" -eq 1 ]
	[[ "$output" == *"/dev/null in the container is not the null device (char 1:3)"* ]]
}

@test "rootfs: read-only root, read-only /dev, and rootfsPropagation" {
	set_cfg '.root.readonly = true | (.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
	run probe "$BUNDLE" sh -c 'touch /x; touch /dev/x; echo ok > /dev/null && echo null-ok; grep -E " / | /dev " /proc/self/mountinfo'
	[[ "$output" == *"touch: /x: Read-only file system"* ]]
	[[ "$output" == *"touch: /dev/x: Read-only file system"* ]]
	[[ "$output" == *"null-ok"* ]]
	[[ "$output" == *" / ro,"* ]]
	[[ "$output" == *" /dev ro,nosuid"* ]]
	set_cfg '.root.readonly = false | .linux.rootfsPropagation = "shared"'
	run probe "$BUNDLE" awk '$5 == "/"' /proc/self/mountinfo
	[ "$status" -eq 0 ]
	[[ "$output" == *" / rw,relatime shared:"* ]]
	# unbindable: the rootfs (which lies on the host's /) is still bound, then / is unbindable
	set_cfg '.linux.rootfsPropagation = "unbindable"'
	run probe "$BUNDLE" awk '$5 == "/"' /proc/self/mountinfo
	[ "$status" -eq 0 ]
	[[ "$output" == *" / rw,relatime unbindable"* ]]
	set_cfg '.linux.rootfsPropagation = "sideways"'
	run probe "$BUNDLE" true
	[ "$status" -eq 1 ]
	[[ "$output" == *'config.json: .linux.rootfsPropagation: invalid value "sideways"'* ]]
}

@test "rootfs: symlinks in mount destinations resolve inside the rootfs" {
	mkdir -p "$ROOT/host-target"
	ln -s "$ROOT/host-target" "$BUNDLE/rootfs/evil"
	ln -s ../../../../../../.. "$BUNDLE/rootfs/up"
	ln -s /evil/deeper "$BUNDLE/rootfs/chain"
	mkdir -p "$ROOT/src"
	echo inside >"$ROOT/src/f"
	set_cfg --arg s "$ROOT/src" '.mounts += [
	  {"destination": "/evil/t", "type": "tmpfs", "source": "tmpfs"},
	  {"destination": "/up/tmp/escaped", "type": "bind", "source": $s, "options": ["bind"]},
	  {"destination": "/chain/b", "type": "bind", "source": $s, "options": ["bind"]}]'
	run probe "$BUNDLE" sh -c 'cat /proc/self/mountinfo; cat /tmp/escaped/f'
	[ "$status" -eq 0 ]
	# Nothing was created or mounted on the host side of the links.
	[ -z "$(ls -A "$ROOT/host-target")" ]
	[ ! -e /tmp/escaped ]
	[[ "$output" == *" $ROOT/host-target/t rw"*"tmpfs"* ]]
	[[ "$output" == *" /tmp/escaped rw"* ]]
	[[ "$output" == *" $ROOT/host-target/deeper/b rw"* ]]
	[[ "$output" == *"inside"* ]]
	[ -d "$BUNDLE/rootfs/$ROOT/host-target/t" ]
	[ -d "$BUNDLE/rootfs/tmp/escaped" ]
}

@test "rootfs: proc on a symlink, mounts inside /proc, and a symlinked rootfs are refused" {
	ln -s /proc "$BUNDLE/rootfs/p"
	set_cfg '.mounts += [{"destination": "/p", "type": "proc", "source": "proc"}]'
	run probe "$BUNDLE" true
	[ "$status" -eq 1 ]
	[[ "$output" == *'error mounting "proc" to rootfs at "/p": filesystem "proc" must be mounted on ordinary directory'* ]]
	set_cfg '.mounts |= map(select(.destination != "/p"))
	         | .mounts += [{"destination": "/proc/sysrq-trigger", "type": "bind", "source": "/dev/null", "options": ["bind"]}]'
	run probe "$BUNDLE" true
	[ "$status" -eq 1 ]
	[[ "$output" == *'"/proc/sysrq-trigger" cannot be mounted because it is inside /proc'* ]]
	ln -s bundle/rootfs "$ROOT/rootfs-link"
	set_cfg --arg r "$ROOT/rootfs-link" '.mounts |= map(select(.destination != "/proc/sysrq-trigger")) | .root.path = $r'
	run probe "$BUNDLE" true
	[ "$status" -eq 1 ]
	[[ "$output" == *"invalid rootfs: $ROOT/rootfs-link: not an absolute path, or a symlink"* ]]
	set_cfg --arg r "$ROOT/nope" '.root.path = $r'
	run probe "$BUNDLE" true
	[ "$status" -eq 1 ]
	[[ "$output" == *"invalid rootfs: stat $ROOT/nope: No such file or directory"* ]]
}

@test "rootfs: --no-pivot gives the same mounts as pivot_root; bound device nodes work" {
	probe "$BUNDLE" cat /proc/self/mountinfo | norm_mountinfo >"$ROOT/pivot.mi"
	probe --no-pivot "$BUNDLE" cat /proc/self/mountinfo | norm_mountinfo >"$ROOT/nopivot.mi"
	diff -u "$ROOT/pivot.mi" "$ROOT/nopivot.mi"
	run probe --no-pivot "$BUNDLE" sh -c 'echo x > /dev/null && echo null-ok'
	[ "$status" -eq 0 ]
	[[ "$output" == *"null-ok"* ]]
	run probe --bind-devices "$BUNDLE" sh -c 'grep -E " /dev/(null|zero|tty) " /proc/self/mountinfo | wc -l; head -c 3 /dev/zero | wc -c'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -eq 3 ]
	[ "${lines[1]}" -eq 3 ]
}

@test "rootfs: in a user namespace (nodes bound, locked flags) mountinfo and /dev are runc's" {
	set_cfg '.linux.namespaces += [{"type": "user"}]
	         | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 4294967295}]
	         | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 4294967295}]
	         | .process.args = ["sh", "-c", "cat /proc/self/mountinfo; ls -ln /dev"]'
	runc_out >"$ROOT/runc.out"
	probe --userns "$BUNDLE" sh -c 'cat /proc/self/uid_map >&2; cat /proc/self/mountinfo; ls -ln /dev' \
		>"$ROOT/probe.out" 2>"$ROOT/probe.err"
	grep -q '4294967295' "$ROOT/probe.err"
	grep ' - ' "$ROOT/runc.out" | norm_mountinfo >"$ROOT/runc.mi"
	grep ' - ' "$ROOT/probe.out" | norm_mountinfo >"$ROOT/probe.mi"
	grep -q '/null /dev/null' "$ROOT/probe.mi"
	diff -u "$ROOT/runc.mi" "$ROOT/probe.mi"
	diff -u <(grep -v ' - ' "$ROOT/runc.out" | sed -E 's/ [A-Z][a-z]{2} +[0-9]+ +[0-9:]+ / /') \
		<(grep -v ' - ' "$ROOT/probe.out" | sed -E 's/ [A-Z][a-z]{2} +[0-9]+ +[0-9:]+ / /')
}

@test "rootfs: sysfs in a user namespace without a network namespace is the host's /sys bound" {
	# runc 1.1.5 fails here (EPERM mounting sysfs); crbox binds /sys as runc's rootless spec does.
	set_cfg '.linux.namespaces |= map(select(.type != "network"))'
	run probe --userns "$BUNDLE" sh -c 'grep -E " /sys " /proc/self/mountinfo; touch /sys/x'
	[ "$status" -ne 0 ]
	[[ "${lines[0]}" == *" / /sys ro,nosuid,nodev,noexec,relatime"*"- sysfs sysfs rw"* ]]
	[[ "$output" == *"touch: /sys/x: Read-only file system"* ]]
}

@test "rootfs: a cgroup namespace mounts each v1 hierarchy itself" {
	[ -d /sys/fs/cgroup/memory ] || skip "needs cgroup v1 hierarchies (hybrid host)"
	set_cfg '.linux.namespaces += [{"type": "cgroup"}]'
	run probe "$BUNDLE" grep " /sys/fs/cgroup/" /proc/self/mountinfo
	[ "$status" -eq 0 ]
	# Each a cgroup mount of its own (the root of this namespace), none a bind of a subdir.
	[[ "$output" == *" / /sys/fs/cgroup/memory ro,nosuid,nodev,noexec"*"cgroup cgroup rw,memory"* ]]
	[ "$(grep -c ' / /sys/fs/cgroup/' <<<"$output")" -eq "${#lines[@]}" ]
}

@test "restore mountpoints: a symlink swapped in cannot redirect the bind (CVE-2021-30465 class)" {
	mkdir -p "$ROOT/race/root" "$ROOT/race/src"
	touch "$ROOT/race/src/marker"
	run --separate-stderr probe --race-restore "$ROOT/race/root" "$ROOT/race/src" 2000
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	[ ! -e "$ROOT/race/victim/sub/marker" ]
}
