#!/usr/bin/env bats
# capsa run in the foreground: exit codes, signals, terminal, environment,
# user and workdir, mounts, --init, security defaults.

load engine_helpers

@test "engine run: the container's output and exit code" {
	run ctr --rm sh -c 'echo out; echo err >&2; exit 3'
	assert_status 3
	assert_output_has out
	assert_output_has err
	run ctr --rm true
	assert_status 0
}

@test "engine run: 127 for a missing command, 126 for one that cannot run" {
	run ctr --rm /nope
	assert_status 127
	assert_output_has '"/nope"'
	run ctr --rm /etc/passwd
	assert_status 126
}

@test "engine run: killed by signal N exits 128+N" {
	# (PID 1 cannot be killed from inside its namespace: --init runs the
	# shell as PID 2.)
	run ctr --rm --init sh -c 'kill -KILL $$'
	assert_status 137
}

@test "engine run: a signal to capsa reaches the container" {
	"$CAPSA" run --rm --rootfs "$ROOTFS" -e "CAPSA_TEST_MARK=$CAPSA_TEST_MARK" \
		sh -c 'trap "exit 42" TERM; touch /tmp/ready; while :; do sleep 0.1; done' \
		>"$TEST_DIR/out" 2>&1 3>&- &
	pid=$!
	wait_for -e "$ROOTFS/tmp/ready"
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq 42 ]
}

@test "engine run: the container runs on the CPUs capsa was given, not on the one it starts on" {
	# The runtime keeps its init on its own CPU until the start
	# (runtime/sandbox.c): the container's processes, an exec'd one, and
	# a detached container's monitor get the caller's CPUs back.
	mine=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)
	run ctr --rm sh -c 'awk "/^Cpus_allowed_list/ { print \$2 }" /proc/self/status'
	assert_status 0
	[ "$output" = "$mine" ]
	id=$(ctr_d sh -c 'sleep 100')
	run "$CAPSA" exec "$id" awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status
	[ "$output" = "$mine" ]
	run "$CAPSA" inspect "$id"
	pid=$(printf '%s' "$output" | jq '.[0].State.Pid')
	[ "$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$pid/status")" = "$mine" ]
	mon=$(pgrep -f "_monitor .* $id " | head -1)
	[ -n "$mon" ]
	[ "$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$mon/status")" = "$mine" ]
	"$CAPSA" rm -f "$id" >/dev/null
	# A narrower set is kept as it is.
	command -v taskset >/dev/null || skip "needs taskset (util-linux)"
	[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
	run taskset -c 1 "$CAPSA" run --rm --rootfs "$ROOTFS" \
		sh -c 'awk "/^Cpus_allowed_list/ { print \$2 }" /proc/self/status'
	assert_status 0
	[ "$output" = 1 ]
}

@test "engine run: -it gives a terminal and raw mode, exit code through the pty" {
	command -v script >/dev/null || skip "needs script (util-linux)"
	run script -eqc "$CAPSA run --rm -it --rootfs $ROOTFS sh -c 'tty; stty -a | grep -o -- -icanon; exit 5'" /dev/null
	assert_status 5
	assert_output_has /dev/pts/
}

@test "engine run: without -t there is no terminal and stdin is empty" {
	run ctr --rm sh -c 'tty; cat; echo done'
	assert_output_has "not a tty"
	assert_output_has done
	run bash -c "echo piped | $CAPSA run --rm -i --rootfs $ROOTFS cat"
	assert_status 0
	[ "$output" = piped ]
}

@test "engine run: -e, --env-file, -w, -h" {
	printf '# comment\nFROMFILE=yes\n\nSECOND=2\n' >"$TEST_DIR/env"
	export PASSED=through
	run ctr --rm -e A=1 -e PASSED --env-file "$TEST_DIR/env" -w /tmp -h myhost \
		sh -c 'echo $A $PASSED $FROMFILE $SECOND; pwd; hostname; cat /etc/hostname'
	assert_status 0
	assert_output_has "1 through yes 2"
	assert_output_has /tmp
	[ "$(echo "$output" | grep -c myhost)" -eq 2 ]
}

@test "engine run: -w makes a working directory the image lacks, also with --read-only" {
	run ctr --rm -w /made/here sh -c 'pwd; stat -c "%a %u" /made/here'
	assert_status 0
	[ "$output" = "/made/here
755 0" ]
	run ctr --rm --read-only -w /made pwd
	assert_status 0
	[ "$output" = /made ]
	# What cannot be a directory is an error naming it, nothing runs.
	run ctr --rm -w /etc/passwd echo ran
	assert_status 125
	assert_output_has 'cwd "/etc/passwd"'
	[[ "$output" != *ran* ]]
}

@test "engine run: -u by name and number, groups from the container's /etc/group" {
	require_ctr_users
	run ctr --rm -u user id
	assert_status 0
	assert_output_has "uid=1000(user) gid=1000(user) groups=1001(extra)"
	run ctr --rm -u 1000:1001 id
	assert_output_has "uid=1000(user) gid=1001(extra)"
	# An explicit group is the only one, as in docker: no memberships.
	run ctr --rm -u 1000:1000 id
	assert_status 0
	[ "$output" = "uid=1000(user) gid=1000(user)" ]
	run ctr --rm -u nobody-here id
	assert_status 125
	assert_output_has "nobody-here"
}

@test "engine run: -v bind (rw and ro), --mount, --tmpfs, --read-only" {
	mkdir "$TEST_DIR/vol"
	echo hostdata >"$TEST_DIR/vol/f"
	run ctr --rm -v "$TEST_DIR/vol:/data" sh -c 'cat /data/f; echo new >/data/g'
	assert_status 0
	assert_output_has hostdata
	[ "$(cat "$TEST_DIR/vol/g")" = new ]
	run ctr --rm -v "$TEST_DIR/vol:/data:ro" sh -c 'echo x >/data/h'
	assert_failed
	[ ! -e "$TEST_DIR/vol/h" ]
	run ctr --rm --mount "type=bind,source=$TEST_DIR/vol,target=/m,readonly" \
		--mount type=tmpfs,target=/t,tmpfs-size=1m --tmpfs /scratch \
		sh -c 'cat /m/f; grep -E " /(t|scratch) " /proc/mounts'
	assert_status 0
	assert_output_has hostdata
	assert_output_has "/t tmpfs"
	assert_output_has "/scratch tmpfs"
	run ctr --rm --read-only sh -c 'touch /x'
	assert_failed
	run ctr --rm --read-only --tmpfs /tmp sh -c 'touch /tmp/x && echo ok'
	assert_status 0
	assert_output_has ok
}

@test "engine run: --init is PID 1, reaps orphans and passes signals on" {
	run ctr --rm --init sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; (sleep 0.1 &) ; sleep 0.3; ps -o stat,comm | grep -c "^Z" || true'
	assert_status 0
	assert_output_has "/dev/init -- sh"
	[ "${lines[-1]}" = 0 ]
	run ctr --rm --init sh -c 'kill -TERM 1; sleep 5'
	assert_status 143
}

@test "engine run: docker's default capabilities and a seccomp filter" {
	run ctr --rm sh -c 'grep CapBnd /proc/self/status; grep Seccomp: /proc/self/status'
	assert_status 0
	assert_output_has "00000000a80425fb"
	assert_output_has "Seccomp:	2"
	run ctr --rm --cap-drop chown sh -c 'grep CapBnd /proc/self/status'
	assert_output_has "00000000a80425fa"
	run ctr --rm --cap-add SYS_ADMIN --cap-add net_admin sh -c 'grep CapBnd /proc/self/status'
	assert_output_has "00000000a82435fb"
	run ctr --rm unshare -m true
	assert_failed
	assert_output_has "Operation not permitted"
	run ctr --rm --security-opt seccomp=unconfined sh -c 'grep Seccomp: /proc/self/status'
	assert_output_has "Seccomp:	0"
	run ctr --rm --security-opt no-new-privileges sh -c 'grep NoNewPrivs /proc/self/status'
	assert_output_has "NoNewPrivs:	1"
}

@test "engine run: the spec the runtime gets in memory is the bundle's; exec and restart read the same" {
	# A foreground run and a detached one start from the spec in memory.
	run ctr --rm -e FOO=bar -w /tmp --hostname hx --cap-drop chown sh -c \
		'echo "$FOO $(pwd) $(hostname) $(grep CapBnd /proc/self/status | cut -f2)"'
	assert_status 0
	assert_output_has "bar /tmp hx 00000000a80425fa"
	ctr_d --name m -e FOO=bar -w /tmp --hostname hx --cap-drop chown sleep 100 >/dev/null
	local id
	id=$(cap inspect m | jq -r '.[0].Id')
	# What exec and a restart read from disk says the same.
	jq -e '(.process.env | index("FOO=bar")) and .process.cwd == "/tmp" and .hostname == "hx"' \
		"$CAPSA_ROOT/containers/$id/config.json"
	run cap exec m sh -c 'echo "$FOO $(pwd) $(hostname) $(grep CapBnd /proc/self/status | cut -f2)"'
	assert_status 0
	assert_output_has "bar /tmp hx 00000000a80425fa"
	cap restart -t 0 m </dev/null >/dev/null 2>&1 3>&-
	[ "$(state_of m)" = running ]
	run cap exec m sh -c 'echo "$FOO $(pwd) $(hostname)"; cat /proc/1/cmdline'
	assert_output_has "bar /tmp hx"
	assert_output_has "sleep"
	# A removal leaves nothing of its directory (the log included).
	cap rm -f m >/dev/null
	[ ! -e "$CAPSA_ROOT/containers/$id" ]
	[ -z "$(ls -A "$CAPSA_ROOT/containers")" ]
}

@test "engine run: a compiled seccomp filter is cached, used again, and a bad cache file replaced" {
	local prof=$TEST_DIR/deny-mkdir.json
	echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}' >"$prof"
	run ctr --rm --security-opt seccomp="$prof" mkdir /tmp/x
	assert_failed
	assert_output_has "Permission denied"
	local f
	f=$(ls "$CAPSA_ROOT"/seccomp/*.bpf)
	[ "$(echo "$f" | wc -l)" -eq 1 ]
	# From the cache: the same denial.
	run ctr --rm --security-opt seccomp="$prof" mkdir /tmp/x
	assert_failed
	assert_output_has "Permission denied"
	# A file that is no BPF program is ignored and rewritten.
	printf 'junk' >"$f"
	run ctr --rm --security-opt seccomp="$prof" mkdir /tmp/x
	assert_output_has "Permission denied"
	[ "$(stat -c %s "$f")" -gt 4 ]
	# exec into a container with the profile gets the same filter.
	ctr_d --name sc --security-opt seccomp="$prof" sleep 100 >/dev/null
	run cap exec sc mkdir /tmp/y
	assert_failed
	assert_output_has "Permission denied"
	run cap exec sc touch /tmp/y
	assert_status 0
}

@test "engine run: masked and read-only /proc paths, /dev/shm, /etc files" {
	run ctr --rm sh -c 'for f in /proc/kcore /proc/keys /proc/timer_list /sys/firmware; do [ ! -e $f ] || [ -z "$(ls -A $f 2>/dev/null)" ] || [ "$(wc -c < $f)" = 0 ] || echo visible $f; done; echo checked
		echo 1 > /proc/sys/kernel/domainname; mount | grep -E " /(dev/shm|etc/hosts|etc/resolv.conf) "'
	assert_output_has "Read-only file system"
	assert_output_has "/dev/shm"
	assert_output_has "/etc/hosts"
	assert_output_has "/etc/resolv.conf"
	[ "${lines[0]}" = checked ]
}

@test "engine run: --ulimit and --privileged" {
	run ctr --rm --ulimit nofile=512:1024 sh -c 'ulimit -n; ulimit -Hn'
	assert_status 0
	[ "${lines[0]}" = 512 ] && [ "${lines[1]}" = 1024 ]
	run ctr --rm --privileged sh -c 'grep -E "CapBnd|Seccomp:" /proc/self/status'
	assert_output_has "Seccomp:	0"
	[[ "$output" != *00000000a80425fb* ]]
}

@test "engine run: --network none has only lo" {
	run ctr --rm --network none cat /proc/net/dev
	assert_status 0
	assert_output_has lo
	[[ "$output" != *eth0* ]]
}

@test "engine run: the default network: the bridge as root, pasta rootless" {
	if [ "$ROOTLESS" = 1 ]; then
		command -v pasta >/dev/null || skip "pasta is not installed (Debian package passt)"
	fi
	run ctr --rm ip -o -4 addr show eth0
	assert_status 0
	if [ "$ROOTLESS" = 0 ]; then
		assert_output_has "inet 10.88."
		innet ip -o link show capsa0 >/dev/null # in the test's own namespace
	else
		assert_output_has "inet "
	fi
}
