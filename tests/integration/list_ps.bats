#!/usr/bin/env bats
# list and ps.

load helpers

@test "list: an empty state root lists nothing" {
	run_rt list --format json
	assert_status 0
	# runc prints null for no containers.
	[ "$(jq -c '. // []' <<<"$output")" = "[]" ]
}

@test "list: shows each container with its status" {
	make_bundle "$TEST_DIR/b2"
	set_args sleep 1000
	CONFIG=$TEST_DIR/b2/config.json set_args sleep 1000
	create_ctr "$ID-created"
	start_ctr "$ID-running" "$TEST_DIR/b2"
	run_rt list --format json
	assert_status 0
	jq -e --arg a "$ID-created" --arg b "$ID-running" --arg bundle "$BUNDLE" '
		length == 2
		and (map(select(.id == $a))[0] | .status == "created" and .bundle == $bundle and .pid > 0)
		and (map(select(.id == $b))[0] | .status == "running")' <<<"$output"
	run_rt list
	assert_status 0
	[[ "${lines[0]}" == ID* ]]
	[ "$(grep -c "^$ID-created .*created" <<<"$output")" = 1 ]
	[ "$(grep -c "^$ID-running .*running" <<<"$output")" = 1 ]
}

@test "ps: lists the container's processes" {
	not_runc_rootless "ps reads the container's cgroup"
	set_args sh -c 'sleep 1000 & echo ready >/ready; wait'
	start_ctr
	wait_for -e "$BUNDLE/rootfs/ready"
	local pid
	pid=$(ctr_pid)
	run_rt ps --format json "$ID"
	assert_status 0
	jq -e --argjson p "$pid" 'length == 2 and index($p) != null' <<<"$output"
	run_rt ps "$ID"
	assert_status 0
	[[ "${lines[0]}" == *PID* ]]
	assert_output_has "sleep 1000"
}

@test "ps: a container that does not exist is an error" {
	run_rt ps "$ID-none"
	assert_failed
	assert_output_has "does not exist"
}
