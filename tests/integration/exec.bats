#!/usr/bin/env bats
# exec: another process in a running container.

load helpers

setup() {
	common_setup
	set_args sh -c 'echo hostfile-check >/inside-only; exec sleep 1000'
	jq_edit '.hostname = "exec-host"'
	# Rootless with subordinate ids: map them, for the --user test.
	if [ "$ROOTLESS" = 1 ] && subid_ranges >/dev/null; then
		map_subids
	fi
	start_ctr
	wait_for -e "$BUNDLE/rootfs/inside-only"
}

@test "exec: sees the container's PID 1, hostname and rootfs" {
	run_rt exec "$ID" sh -c 'cat /proc/1/comm; hostname; cat /inside-only; grep -c "test user" /etc/passwd; echo $$'
	assert_status 0
	[ "${lines[0]}" = sleep ]
	[ "${lines[1]}" = exec-host ]
	[ "${lines[2]}" = hostfile-check ]
	[ "${lines[3]}" = 1 ]
	[ "${lines[4]}" != 1 ]
}

@test "exec: the exit code passes through" {
	run_rt exec "$ID" sh -c 'exit 7'
	assert_status 7
}

@test "exec: --env and --cwd apply" {
	run_rt exec --env FOO=exec-env --env BAR=2 --cwd /tmp "$ID" sh -c 'echo "$FOO $BAR $(pwd)"'
	assert_status 0
	[ "$output" = "exec-env 2 /tmp" ]
}

@test "exec: --user applies" {
	[ "$ROOTLESS" = 0 ] || require_subids
	run_rt exec --user 1000:1001 "$ID" sh -c 'id -u; id -g'
	assert_status 0
	[ "$output" = "1000
1001" ]
}

@test "exec: --process reads a process.json" {
	jq -n '{terminal: false, user: {uid: 0, gid: 0}, cwd: "/etc",
		args: ["sh", "-c", "echo \"$MSG $(pwd)\""],
		env: ["PATH=/bin", "MSG=from-process-json"]}' >"$TEST_DIR/process.json"
	run_rt exec --process "$TEST_DIR/process.json" "$ID"
	assert_status 0
	[ "$output" = "from-process-json /etc" ]
}

@test "exec --detach --pid-file leaves the process running" {
	run_rt_detached exec --detach --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 999
	assert_status 0
	local pid
	pid=$(cat "$TEST_DIR/exec.pid")
	[ "$pid" -gt 0 ]
	[ "$(cat "/proc/$pid/comm")" = sleep ]
	track_pid "$pid"
	# It is one of the container's processes (it has the container's env).
	[[ " $(echo $(ctr_host_pids)) " == *" $pid "* ]]
}

@test "exec: a missing executable is an error" {
	run_rt exec "$ID" /bin/nope
	assert_failed
	assert_output_has /bin/nope
	[ "$(ctr_status)" = running ]
}

@test "exec: into a stopped container fails" {
	run_rt kill "$ID" KILL
	wait_status stopped
	run_rt exec "$ID" true
	assert_failed
}

@test "exec: into a container that does not exist fails" {
	run_rt exec "$ID-none" true
	assert_failed
	assert_output_has "does not exist"
}
