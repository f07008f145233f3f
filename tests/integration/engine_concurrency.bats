#!/usr/bin/env bats
# Concurrency and crashes: parallel run -d with ps and rm -f; kill -9 of a
# monitor or of a foreground capsa, then the next command repairs.

load engine_helpers

no_strays() {
	[ -z "$(stray_pids)" ]
}

@test "engine concurrency: 8 parallel run -d while ps and rm -f run" {
	pids=()
	for i in 1 2 3 4 5 6 7 8; do
		ctr -d --name "p$i" sh -c 'sleep 100' </dev/null >"$TEST_DIR/id$i" 2>"$TEST_DIR/err$i" 3>&- &
		pids+=($!)
	done
	for i in 1 2 3; do
		cap ps -a >/dev/null
		cap rm -f "p$i" >/dev/null 2>&1 || true
	done
	# (not a bare `wait`: bats' own timeout watchdog is a child too)
	wait "${pids[@]}" || true
	# p1..p3 may have been removed while they started: then their run
	# says why; the others must have started.
	for i in 1 2 3; do
		[ -s "$TEST_DIR/id$i" ] || [ -s "$TEST_DIR/err$i" ]
	done
	for i in 4 5 6 7 8; do
		[ -s "$TEST_DIR/id$i" ] || { cat "$TEST_DIR/err$i" >&2; false; }
	done
	run cap ps -a --format json
	assert_status 0
	n=$(echo "$output" | jq length)
	[ "$n" -ge 5 ] && [ "$n" -le 8 ]
	# Every record is whole and every name points to its container.
	for name in $(echo "$output" | jq -r '.[].Name'); do
		[ "$(cap inspect "$name" | jq -r '.[0].Name')" = "$name" ]
	done
	cap rm -f $(cap ps -aq) >/dev/null
	[ -z "$(ls "$CAPSA_ROOT/names")" ]
}

@test "engine concurrency: kill -9 of the monitor; the next command shows the container exited" {
	ctr_d --name m sh -c 'sleep 100' >/dev/null
	mon=$(monitor_pids | head -1)
	[ -n "$mon" ]
	kill -9 "$mon"
	# The container itself still runs: stop reaches it through the runtime.
	[ "$(state_of m)" = running ]
	run cap stop -t 1 m
	assert_status 0
	[ "$(state_of m)" = exited ]
	run cap ps
	[[ "$output" != *" m"* ]]
}

@test "engine concurrency: kill -9 of a foreground capsa, container gone too" {
	# capsa itself in the background (not a subshell running it).
	"$CAPSA" run --name fg --rootfs "$ROOTFS" -e "CAPSA_TEST_MARK=$CAPSA_TEST_MARK" \
		sh -c 'touch /tmp/up; while [ ! -e /tmp/go ]; do sleep 0.05; done' \
		</dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	wait_for -e "$ROOTFS/tmp/up"
	kill -9 "$pid"
	wait "$pid" || true
	# Ends only now, after its capsa is gone (a fixed sleep could end
	# first on a busy machine, and capsa would record its exit).
	touch "$ROOTFS/tmp/go"
	retry no_strays
	[ "$(state_of fg)" = exited ]
	[ "$(cap inspect fg | jq -r '.[0].State.ExitCode')" = 255 ]
	run cap rm fg
	assert_status 0
}

@test "engine concurrency: kill -9 of a foreground run --rm; the next command removes it" {
	"$CAPSA" run --rm --name fgrm --rootfs "$ROOTFS" -e "CAPSA_TEST_MARK=$CAPSA_TEST_MARK" \
		sh -c 'touch /tmp/up; while [ ! -e /tmp/go ]; do sleep 0.05; done' \
		</dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	wait_for -e "$ROOTFS/tmp/up"
	# Running, with its name, from the one record write of the start.
	[ "$(state_of fgrm)" = running ]
	kill -9 "$pid"
	wait "$pid" || true
	# The container outlives its capsa (stop and kill reach it through
	# the runtime); it ends by itself here.
	touch "$ROOTFS/tmp/go"
	retry no_strays
	# Its record still says running, with an owner that is gone: the
	# next command repairs it (exited, 255) and, --rm, removes it.
	run cap ps -a
	assert_status 0
	assert_output_has "Exited (255)"
	[ -z "$(cap ps -aq)" ]
	[ -z "$(find "$CAPSA_ROOT/containers" "$CAPSA_ROOT/oci" "$CAPSA_ROOT/names" -mindepth 1)" ]
}
