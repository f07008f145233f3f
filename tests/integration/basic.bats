#!/usr/bin/env bats
# The container's process: what it sees and what comes back out of it.

load helpers

@test "run: the hostname comes from config.json" {
	jq_edit '.hostname = "bats-host"'
	set_args hostname
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$output" = bats-host ]
}

@test "run: the process is PID 1 of its PID namespace" {
	# (the shell would exec its last command in place: keep a builtin last)
	set_args sh -c 'cat /proc/1/comm; echo $$'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = sh ]
	[ "${lines[1]}" = 1 ]
}

@test "run: the exit code passes through" {
	set_args sh -c 'exit 42'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 42
}

@test "run: stdout and stderr pass through separately" {
	set_args sh -c 'echo to-stdout; echo to-stderr >&2'
	rt run --bundle "$BUNDLE" "$ID" >"$TEST_DIR/out" 2>"$TEST_DIR/err" </dev/null
	[ "$(cat "$TEST_DIR/out")" = to-stdout ]
	[ "$(cat "$TEST_DIR/err")" = to-stderr ]
}

@test "run: stdin passes through" {
	set_args sh -c 'read line; echo "got $line"'
	run bash -c '"$@" <<<hello-in' _ "${RT[@]}" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID"
	echo "$ID" >>"$TEST_DIR/.ids"
	assert_status 0
	[ "$output" = "got hello-in" ]
}

@test "run: a process killed by a signal gives 128+N" {
	set_args sleep 1000
	bg rt run --bundle "$BUNDLE" "$ID"
	local runner=$BG_PID
	wait_status running
	run_rt kill "$ID" KILL
	assert_status 0
	status=0
	wait "$runner" || status=$?
	assert_status 137
}

@test "run: the root as an overlay mounted in the container's namespace (capsa's annotation)" {
	capsa_only
	local o=$TEST_DIR/ovl extra=""
	mkdir -p "$o/upper" "$o/work"
	[ "$ROOTLESS" = 0 ] || extra=",userxattr"
	jq_edit --arg v "lowerdir=$BUNDLE/rootfs,upperdir=$o/upper,workdir=$o/work$extra" \
		--arg r "$o/merged" '.annotations["run.capsa.rootfs.overlay"] = $v | .root.path = $r'
	mkdir "$o/merged"
	set_args sh -c 'echo new > /made-inside; rm /bin/true; ls /bin/sh /made-inside; test ! -e /bin/true && echo gone'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has gone
	# Writes went to the upper dir; the lower dir is as it was; nothing
	# is left mounted on the host.
	[ "$(cat "$o/upper/made-inside")" = new ]
	[ -e "$BUNDLE/rootfs/bin/true" ]
	[ -z "$(ls -A "$o/merged")" ]
	chmod -R u+rwX "$o/work" # overlay leaves work/work mode 0
	# A malformed value is refused before anything starts.
	jq_edit '.annotations["run.capsa.rootfs.overlay"] = "upperdir=/x"'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has 'annotations.run.capsa.rootfs.overlay: expected'
}

@test "run: the container's file system is its rootfs" {
	local host_file=$TEST_DIR/host-only
	touch "$host_file"
	set_args sh -c "grep -c 'test user' /etc/passwd; test -e '$host_file' && echo host-visible; touch /made-inside; ls /"
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 1 ]
	[[ "$output" != *host-visible* ]]
	# Made in the bundle's rootfs, not in the host's /.
	[ -e "$BUNDLE/rootfs/made-inside" ]
	[ ! -e /made-inside ]
	# ls / shows the rootfs's entries, not the host's.
	[[ "$output" == *made-inside* ]]
	[[ "$output" != *work* ]]
}

@test "run: the process is looked up in PATH" {
	set_args echo found-in-path
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$output" = found-in-path ]
}

@test "run: env applies" {
	jq_edit '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY="]'
	set_args sh -c 'echo "FOO=$FOO"; env | sort'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = "FOO=bar baz" ]
	assert_output_has "EMPTY="
	assert_output_has "PATH=/bin"
	# Only what the config gives (a shell may add PWD, SHLVL).
	[[ "$output" != *CAPSA_TEST_MARK* ]]
	[[ "$output" != *BATS* ]]
}

@test "run: cwd applies" {
	jq_edit '.process.cwd = "/var/tmp"'
	set_args pwd
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$output" = /var/tmp ]
}

@test "run: a cwd the root lacks is made, also under a readonly root (as runc does)" {
	jq_edit '.process.cwd = "/made/for/cwd" | .root.readonly = true'
	set_args pwd
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$output" = /made/for/cwd ]
	[ -d "$BUNDLE/rootfs/made/for/cwd" ]
}

@test "run: a readonly root refuses writes" {
	jq_edit '.root.readonly = true'
	set_args sh -c 'touch /written 2>&1; echo rc=$?'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "Read-only file system"
	assert_output_has "rc=1"
	[ ! -e "$BUNDLE/rootfs/written" ]
}

@test "run: masked /proc files and a maskedPaths file and directory read empty" {
	echo secret-content >"$BUNDLE/rootfs/etc/secret"
	mkdir -p "$BUNDLE/rootfs/secret-dir"
	echo x >"$BUNDLE/rootfs/secret-dir/inside"
	# /proc/kcore is absent on some kernels; /proc/timer_list is not empty.
	jq_edit '.linux.maskedPaths = (.linux.maskedPaths + ["/proc/kcore", "/proc/timer_list", "/etc/secret", "/secret-dir"] | unique)'
	set_args sh -c '
		for f in /proc/kcore /proc/timer_list; do
			test -e $f && echo "$f=$(wc -c <$f)"
		done
		echo "secret=$(cat /etc/secret)"
		echo "dir=$(ls -A /secret-dir)"
		touch /secret-dir/new 2>/dev/null && echo dir-writable; true'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "/proc/timer_list=0"
	[[ "$output" != *"/proc/kcore="[1-9]* ]]
	assert_output_has "secret="
	[[ "$output" != *secret-content* ]]
	assert_output_has "dir="
	[[ "$output" != *inside* ]]
	[[ "$output" != *dir-writable* ]]
}

@test "run: masked directories are empty and read-only, also when a mask covers another" {
	# /m1 gets the empty tmpfs, /m2 a bind of it; /m3/a is masked, then
	# /m3 above it (the bind source disappears), then /m4 needs a new one.
	for d in m1 m2 m3/a m4; do
		mkdir -p "$BUNDLE/rootfs/$d"
		echo x >"$BUNDLE/rootfs/$d/inside"
	done
	jq_edit '.linux.maskedPaths = ["/m1", "/m2", "/m3/a", "/m3", "/m4", "/absent"]'
	set_args sh -c '
		for d in /m1 /m2 /m3 /m4; do
			echo "$d=[$(ls -A $d)]"
			touch $d/new 2>/dev/null && echo "$d writable"
			mkdir $d/sub 2>/dev/null && echo "$d mkdir"
		done
		test -e /m3/a && echo "m3/a visible"; true'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	for d in /m1 /m2 /m3 /m4; do
		assert_output_has "$d=[]"
	done
	[[ "$output" != *writable* ]]
	[[ "$output" != *mkdir* ]]
	[[ "$output" != *visible* ]]
	[[ "$output" != *inside* ]]
	[ -f "$BUNDLE/rootfs/m2/inside" ] && [ ! -e "$BUNDLE/rootfs/m2/new" ]
}

@test "run: nothing of the host's mount tree is left after pivot_root" {
	# The old root is detached (by a helper of the init, beside its last
	# mounts) before the exec: one mount on "/" (the old root would be a
	# second one, stacked on it), and "/.." is the container's root.
	set_args sh -c '
		echo "roots=$(awk "\$5 == \"/\"" /proc/self/mountinfo | wc -l)"
		[ "$(cd /.. && ls)" = "$(ls /)" ] && echo dotdot-ok'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "roots=1"
	assert_output_has dotdot-ok
}

@test "run: readonlyPaths cannot be written" {
	set_args sh -c 'echo x >/proc/sys/kernel/hostname 2>&1; echo rc=$?; echo x >/proc/sysrq-trigger; echo rc=$?'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	# EROFS as root; a user namespace may be refused earlier (EACCES).
	[[ "$output" == *"Read-only file system"* || "$output" == *"Permission denied"* ]]
	[[ "$output" != *rc=0* ]]
}

@test "run: the default devices exist and work" {
	set_args sh -c '
		for d in null zero full random urandom tty; do test -c /dev/$d || echo "no /dev/$d"; done
		test -e /dev/ptmx || echo "no /dev/ptmx"
		test -d /dev/pts || echo "no /dev/pts"
		test -d /dev/shm || echo "no /dev/shm"
		for l in fd stdin stdout stderr; do test -L /dev/$l || echo "no /dev/$l link"; done
		echo discard >/dev/null || echo "write /dev/null failed"
		echo "zero=$(head -c 5 /dev/zero | wc -c)"
		echo "random=$(head -c 5 /dev/urandom | wc -c)"
		echo x 2>/dev/null >/dev/full && echo "write /dev/full worked"
		ls /dev/fd/ >/dev/null || echo "no /dev/fd"'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$output" = "zero=5
random=5" ]
}

@test "run: linux.devices adds a device node" {
	require_root "mknod needs CAP_MKNOD in the initial user namespace"
	jq_edit '.linux.devices = [{path: "/dev/mynull", type: "c", major: 1, minor: 3, fileMode: 438, uid: 0, gid: 0}]'
	set_args sh -c 'test -c /dev/mynull && echo char; echo x >/dev/mynull && echo written; stat -c %a /dev/mynull'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$output" = "char
written
666" ]
}

@test "run: oomScoreAdj and noNewPrivileges apply" {
	jq_edit '.process.oomScoreAdj = 123 | .process.noNewPrivileges = true'
	set_args sh -c 'cat /proc/self/oom_score_adj; grep NoNewPrivs /proc/self/status'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 123 ]
	[[ "${lines[1]}" == *1 ]]
}

@test "run: noNewPrivileges false leaves the flag clear" {
	jq_edit '.process.noNewPrivileges = false'
	set_args grep NoNewPrivs /proc/self/status
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[[ "$output" == *0 ]]
}

@test "run: linux.resources is accepted" {
	# Rootless without a delegated cgroup v2 subtree, limits are refused
	# (cgroup.bats checks the message).
	if [ "$ROOTLESS" = 1 ] && ! { [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] &&
		[ -w "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)" ]; }; then
		skip "rootless limits need a delegated cgroup v2 subtree"
	fi
	jq_edit '.linux.resources = {memory: {limit: 104857600}, cpu: {shares: 512}, pids: {limit: 100}}'
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
}

@test "run: a bundle mount is visible at its destination" {
	mkdir -p "$TEST_DIR/shared"
	echo from-host >"$TEST_DIR/shared/file"
	add_mount /mnt/shared bind "$TEST_DIR/shared" rbind ro
	add_mount /mnt/scratch tmpfs tmpfs nosuid nodev mode=1777
	set_args sh -c 'cat /mnt/shared/file; touch /mnt/shared/new 2>/dev/null || echo ro; touch /mnt/scratch/new && echo tmpfs-rw; grep " /mnt/scratch " /proc/mounts | cut -d" " -f3'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$output" = "from-host
ro
tmpfs-rw
tmpfs" ]
	[ ! -e "$TEST_DIR/shared/new" ]
}
