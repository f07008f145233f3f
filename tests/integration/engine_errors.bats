#!/usr/bin/env bats
# Bad input: a clear message naming the object, the documented exit code,
# nothing left behind.

load engine_helpers

nothing_left() {
	[ -z "$(cap ps -aq)" ]
	[ -z "$(find "$CAPSA_ROOT/containers" "$CAPSA_ROOT/names" -mindepth 1 2>/dev/null)" ]
}

@test "engine errors: unknown image" {
	run cap run --rm no-such-image:latest true
	assert_status 125
	assert_output_has no-such-image
	nothing_left
}

@test "engine errors: unknown flag and missing value" {
	run cap run --bogus --rootfs "$ROOTFS" true
	assert_status 125
	assert_output_has "--bogus"
	run cap run --rootfs
	assert_status 125
	run cap ps --nope
	assert_status 125
	nothing_left
}

@test "engine errors: bad memory size, cpus, ulimit, cap, signal" {
	for args in "-m 12x" "-m 1k" "--cpus abc" "--cpus 0" "--ulimit nofile=x" "--ulimit bogus=1" \
		"--cap-add CAP_NOPE" "--stop-signal SIGNOPE" "--pids-limit x"; do
		# shellcheck disable=SC2086
		run cap run --rootfs "$ROOTFS" $args true
		assert_status 125
		assert_output_has "${args%% *}"
	done
	nothing_left
}

@test "engine errors: missing volume source, relative destination" {
	run ctr -v /no/such/dir:/x true
	assert_status 125
	assert_output_has /no/such/dir
	run ctr -v "$TEST_DIR:relative" true
	assert_status 125
	assert_output_has relative
	nothing_left
}

@test "engine errors: missing --rootfs directory" {
	run cap run --rootfs "$TEST_DIR/nope" true
	assert_status 125
	assert_output_has "$TEST_DIR/nope"
	nothing_left
}

@test "engine errors: stop, kill and exec of a stopped container; unknown container" {
	ctr --name done true
	run cap stop done
	assert_status 1
	assert_output_has "not running"
	run cap kill done
	assert_status 1
	run cap exec done true
	assert_status 125
	assert_output_has "not running"
	run cap stop nothere
	assert_status 1
	assert_output_has "no such container: nothere"
	[ "$(state_of done)" = exited ]
}

@test "engine errors: an ambiguous ID prefix" {
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18; do cap create --rootfs "$ROOTFS" true >/dev/null; done
	p=$(cap ps -aq | cut -c1 | sort | uniq -d | head -1)
	run cap inspect "$p"
	assert_status 1
	assert_output_has ambiguous
}

@test "engine errors: --help on every command" {
	for c in run create start ps list stop restart kill rm logs exec inspect wait rename; do
		run cap "$c" --help
		assert_status 0
		assert_output_has usage
	done
	run cap container prune --help
	assert_status 0
}
