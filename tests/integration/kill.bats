#!/usr/bin/env bats
# kill: signals by name and number, the default, --all.

load helpers

# A PID 1 that reports the signals it gets in /sig (in the rootfs) and
# exits on TERM.
trap_signals() {
	set_args sh -c '
		trap "echo USR1 >>/sig" USR1
		trap "echo HUP >>/sig" HUP
		trap "echo TERM >>/sig; exit 3" TERM
		echo ready >/ready
		while :; do sleep 0.05; done'
	start_ctr
	wait_for -e "$BUNDLE/rootfs/ready"
}

# sig_lines N: /sig has at least N lines.
sig_lines() {
	[ "$(wc -l <"$BUNDLE/rootfs/sig")" -ge "$1" ]
}

@test "kill: the default signal is TERM" {
	trap_signals
	run_rt kill "$ID"
	assert_status 0
	wait_status stopped
	[ "$(cat "$BUNDLE/rootfs/sig")" = TERM ]
}

@test "kill: signals by name, SIG name and number" {
	trap_signals
	run_rt kill "$ID" USR1
	assert_status 0
	retry sig_lines 1
	run_rt kill "$ID" SIGHUP
	assert_status 0
	retry sig_lines 2
	run_rt kill "$ID" 10
	assert_status 0
	retry sig_lines 3
	[ "$(cat "$BUNDLE/rootfs/sig")" = "USR1
HUP
USR1" ]
	[ "$(ctr_status)" = running ]
	run_rt kill "$ID" 9
	assert_status 0
	wait_status stopped
}

@test "kill: KILL stops a process that ignores TERM" {
	set_args sh -c 'trap "" TERM; while :; do sleep 0.05; done'
	start_ctr
	run_rt kill "$ID" TERM
	assert_status 0
	sleep 0.3
	[ "$(ctr_status)" = running ]
	run_rt kill "$ID" SIGKILL
	assert_status 0
	wait_status stopped
}

@test "kill --all signals every process of the container" {
	not_runc_rootless "kill --all reads the container's cgroup"
	set_args sh -c 'sleep 1000 & sleep 1000 & echo ready >/ready; wait'
	start_ctr
	wait_for -e "$BUNDLE/rootfs/ready"
	local pids
	pids=$(ctr_host_pids)
	[ "$(wc -w <<<"$pids")" -ge 3 ]
	run_rt kill --all "$ID" KILL
	assert_status 0
	wait_status stopped
	local p
	for p in $pids; do
		wait_for ! -e "/proc/$p/environ"
	done
}

@test "kill: an unknown signal is an error" {
	set_args sleep 1000
	start_ctr
	run_rt kill "$ID" NOSUCHSIG
	assert_failed
	assert_output_has NOSUCHSIG
	[ "$(ctr_status)" = running ]
}

@test "kill: a container that does not exist is an error" {
	run_rt kill "$ID-none" KILL
	assert_failed
	assert_output_has "does not exist"
}

@test "kill: a stopped container cannot be signalled" {
	set_args true
	start_ctr
	wait_status stopped
	run_rt kill "$ID" KILL
	assert_failed
}
