#!/usr/bin/env bats
# create / start / kill / delete and the state between them.

load helpers

@test "lifecycle: create -> start -> kill -> delete transitions in state" {
	set_args sleep 1000
	create_ctr
	run_rt state "$ID"
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = created ]
	local pid
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 0 ]
	kill -0 "$pid"

	run_rt start "$ID"
	assert_status 0
	wait_status running
	[ "$(ctr_pid)" = "$pid" ]

	run_rt kill "$ID" KILL
	assert_status 0
	wait_status stopped

	run_rt delete "$ID"
	assert_status 0
	wait_for ! -e "/proc/$pid/environ"
	run_rt state "$ID"
	assert_failed
	assert_output_has "does not exist"
	assert_clean
}

@test "lifecycle: the process does not run before start" {
	set_args sh -c 'touch /started; exec sleep 1000'
	create_ctr
	sleep 0.3
	[ ! -e "$BUNDLE/rootfs/started" ]
	[ "$(ctr_status)" = created ]
	run_rt start "$ID"
	assert_status 0
	wait_for -e "$BUNDLE/rootfs/started"
	[ "$(ctr_status)" = running ]
}

@test "lifecycle: state has the spec's fields" {
	jq_edit '.annotations = {"org.capsa.test": "value-1"}'
	set_args sleep 1000
	create_ctr
	run_rt state "$ID"
	assert_status 0
	jq -e --arg id "$ID" --arg b "$BUNDLE" '
		(.ociVersion | type == "string" and length > 0)
		and .id == $id and .status == "created"
		and (.pid | type == "number" and . > 0)
		and .bundle == $b
		and .annotations["org.capsa.test"] == "value-1"' <<<"$output"
}

@test "lifecycle: state of a container whose process exited is stopped" {
	set_args true
	create_ctr
	run_rt start "$ID"
	assert_status 0
	wait_status stopped
}

@test "lifecycle: the container's stdout goes to the stdio given to create" {
	set_args sh -c 'echo out-from-create; echo err-from-create >&2'
	create_ctr
	run_rt start "$ID"
	wait_status stopped
	grep -qx out-from-create "$TEST_DIR/ctr.out"
	grep -qx err-from-create "$TEST_DIR/ctr.err"
}

@test "lifecycle: start of a running container fails" {
	set_args sleep 1000
	start_ctr
	run_rt start "$ID"
	assert_failed
	[ "$(ctr_status)" = running ]
}

@test "lifecycle: delete of a running container needs --force" {
	set_args sleep 1000
	start_ctr
	local pid
	pid=$(ctr_pid)
	run_rt delete "$ID"
	assert_failed
	[ "$(ctr_status)" = running ]
	run_rt delete --force "$ID"
	assert_status 0
	wait_for ! -e "/proc/$pid/environ"
	assert_clean
}

@test "lifecycle: delete --force of a created container" {
	set_args sleep 1000
	create_ctr
	local pid
	pid=$(ctr_pid)
	run_rt delete --force "$ID"
	assert_status 0
	wait_for ! -e "/proc/$pid/environ"
	assert_clean
}

@test "lifecycle: create --pid-file writes the init's pid" {
	set_args sleep 1000
	run_rt_detached create --bundle "$BUNDLE" --pid-file "$TEST_DIR/pid" "$ID"
	assert_status 0
	[ "$(cat "$TEST_DIR/pid")" = "$(ctr_pid)" ]
}

@test "lifecycle: run --detach leaves it running and writes --pid-file" {
	set_args sleep 1000
	run_rt_detached run --detach --bundle "$BUNDLE" --pid-file "$TEST_DIR/pid" "$ID"
	assert_status 0
	[ "$(ctr_status)" = running ]
	local pid
	pid=$(cat "$TEST_DIR/pid")
	[ "$pid" = "$(ctr_pid)" ]
	[ "$(cat "/proc/$pid/comm")" = sleep ]
}

@test "lifecycle: run removes the container when it exits" {
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_clean
}

@test "lifecycle: run --keep keeps the stopped container" {
	set_args true
	run_rt run --keep --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$(ctr_status)" = stopped ]
	run_rt delete "$ID"
	assert_status 0
	assert_clean
}

@test "lifecycle: --bundle defaults to the current directory" {
	set_args echo from-cwd-bundle
	cd "$BUNDLE"
	run_rt run "$ID"
	assert_status 0
	[ "$output" = from-cwd-bundle ]
}

@test "lifecycle: two containers run side by side" {
	make_bundle "$TEST_DIR/b2"
	set_args sleep 1000
	CONFIG=$TEST_DIR/b2/config.json set_args sleep 1000
	start_ctr "$ID-a"
	start_ctr "$ID-b" "$TEST_DIR/b2"
	[ "$(ctr_status "$ID-a")" = running ]
	[ "$(ctr_status "$ID-b")" = running ]
	[ "$(ctr_pid "$ID-a")" != "$(ctr_pid "$ID-b")" ]
	run_rt delete --force "$ID-a"
	assert_status 0
	[ "$(ctr_status "$ID-b")" = running ]
}
