#!/usr/bin/env bats
# The command line itself: spec, features, global flags.

load helpers

@test "spec: writes a config.json that runs" {
	local b=$TEST_DIR/fromspec flags=()
	[ "$ROOTLESS" = 0 ] || flags=(--rootless)
	mkdir -p "$b"
	cp -a "$BUNDLE/rootfs" "$b/rootfs"
	run_rt spec "${flags[@]}" --bundle "$b"
	assert_status 0
	jq -e '(.ociVersion | startswith("1."))
		and (.process.args | type == "array" and length > 0)
		and .root.path == "rootfs"
		and ([.linux.namespaces[].type] | index("pid") != null and index("mount") != null)' "$b/config.json"
	jq '.process.terminal = false | .process.args = ["echo", "spec-ok"]' "$b/config.json" >"$b/c" &&
		mv "$b/c" "$b/config.json"
	echo "$b" >>"$TEST_DIR/.bundles"
	run_rt run --bundle "$b" "$ID"
	assert_status 0
	[ "$output" = spec-ok ]
}

@test "spec --rootless: a user namespace mapping the caller" {
	mkdir -p "$TEST_DIR/s"
	run_rt spec --rootless --bundle "$TEST_DIR/s"
	assert_status 0
	jq -e --argjson u "$(id -u)" --argjson g "$(id -g)" '
		([.linux.namespaces[].type] | index("user") != null)
		and .linux.uidMappings == [{containerID: 0, hostID: $u, size: 1}]
		and .linux.gidMappings == [{containerID: 0, hostID: $g, size: 1}]' "$TEST_DIR/s/config.json"
}

@test "spec: refuses to overwrite config.json" {
	echo '{"keep": true}' >"$TEST_DIR/config.json"
	run_rt spec --bundle "$TEST_DIR"
	assert_failed
	[ "$(jq -c . "$TEST_DIR/config.json")" = '{"keep":true}' ]
}

@test "features: prints the runtime's features as JSON" {
	run_rt features
	assert_status 0
	jq -e '(.ociVersionMin | type == "string") and (.ociVersionMax | type == "string")
		and (.hooks | index("createRuntime") != null)
		and (.mountOptions | index("rbind") != null)
		and (.linux.namespaces | index("user") != null)' <<<"$output"
}

@test "global flags: --log with --log-format json writes JSON lines" {
	run_rt --log "$TEST_DIR/log" --log-format json state "$ID"
	assert_failed
	[ -s "$TEST_DIR/log" ]
	jq -e 'select(.msg | test("does not exist"))' "$TEST_DIR/log"
}

@test "global flags: --debug and --systemd-cgroup are accepted" {
	run_rt --debug --log "$TEST_DIR/log" --log-format text list
	assert_status 0
	run_rt --systemd-cgroup list --format json
	assert_status 0
}

@test "cli: an unknown command is an error" {
	run_rt no-such-command
	assert_failed
}

@test "cli: an unknown flag names it" {
	run_rt state --no-such-flag "$ID"
	assert_failed
	assert_output_has no-such-flag
}

@test "cli: capsa oci is the same runtime as capsa-oci" {
	capsa_only "checks capsa's two names"
	[ -x "$REPO/build/capsa" ]
	set_args echo via-capsa-oci
	run "$REPO/build/capsa" oci --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID"
	echo "$ID" >>"$TEST_DIR/.ids"
	assert_status 0
	[ "$output" = via-capsa-oci ]
}
