#!/usr/bin/env bats
# --console-socket: the pty master goes to the socket's listener.

load helpers

setup() {
	common_setup
	[ -x "$RECVTTY" ] || skip "needs $RECVTTY (make build/tests/recvtty)"
	SOCK=$TEST_DIR/tty.sock
	jq_edit '.process.terminal = true'
}

# recvtty_start [--send STRING]: a listener on $SOCK writing to $TEST_DIR/tty.out.
recvtty_start() {
	bg "$RECVTTY" "$@" --out "$TEST_DIR/tty.out" "$SOCK" 2>"$TEST_DIR/recvtty.err"
	RECVTTY_PID=$BG_PID
	wait_for -S "$SOCK"
}

# recvtty_wait: recvtty ends when the container closes the pty.
recvtty_wait() {
	local tries=100
	while kill -0 "$RECVTTY_PID" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.05
		tries=$((tries - 1))
	done
	! kill -0 "$RECVTTY_PID" 2>/dev/null
	cat "$TEST_DIR/tty.out"
}

@test "tty: create --console-socket gives the process a working tty" {
	set_args sh -c 'tty; test -t 0 && test -t 1 && echo stdio-is-tty; stty size'
	jq_edit '.process.consoleSize = {height: 30, width: 100}'
	recvtty_start
	run_rt_detached create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	assert_status 0
	run_rt start "$ID"
	assert_status 0
	run recvtty_wait
	assert_status 0
	assert_output_has /dev/pts/0
	assert_output_has stdio-is-tty
	assert_output_has "30 100"
}

@test "tty: input typed into the pty reaches the process" {
	set_args sh
	recvtty_start --send 'echo typed-$((6*7))\nexit\n'
	run_rt_detached run --detach --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	assert_status 0
	run recvtty_wait
	assert_status 0
	assert_output_has typed-42
}

@test "tty: exec --tty with a console socket" {
	jq_edit '.process.terminal = false'
	set_args sleep 1000
	start_ctr
	recvtty_start
	run_rt_detached exec --tty --detach --console-socket "$SOCK" "$ID" sh -c 'tty; echo exec-tty-done'
	assert_status 0
	run recvtty_wait
	assert_status 0
	[[ "$output" =~ /dev/pts/[0-9] ]]
	assert_output_has exec-tty-done
}

@test "tty: terminal without a console socket is an error for create" {
	set_args true
	run_rt_detached create --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_clean
}
