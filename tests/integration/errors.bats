#!/usr/bin/env bats
# Bad input: each is a clear error, a non-zero exit, and nothing is left
# behind (state entry, mount, process).

load helpers

@test "errors: malformed config.json" {
	printf '{"ociVersion": "1.0.2", "process": {"args": ["sh"' >"$BUNDLE/config.json"
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_clean
	if is_capsa; then
		assert_output_has config.json
	fi
}

@test "errors: a value of the wrong type names its JSON path" {
	jq_edit '.process.args = "sh"'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has process.args
	assert_clean
}

@test "errors: an impossible value names its JSON path" {
	capsa_only "runc 1.1 does not check uid ranges"
	jq_edit '.process.user.uid = -1'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has process.user.uid
	assert_clean
}

@test "errors: an unknown namespace type" {
	jq_edit '.linux.namespaces += [{type: "bogus"}]'
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has bogus
	assert_clean
}

@test "errors: a relative mount destination" {
	capsa_only "runc 1.1 accepts relative destinations with a warning"
	add_mount relative/dir tmpfs tmpfs
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has relative/dir
	assert_clean
	[ ! -e "$BUNDLE/rootfs/relative" ]
}

# A rootfs symlink that points out of the rootfs, absolute or through
# "..": a mount below it must land inside the rootfs (resolved as if the
# rootfs were /) or fail, never touch the host path.
@test "errors: a mount destination through a symlink out of the rootfs" {
	local outside
	outside=/tmp/capsa-outside-$ID
	[ ! -e "$outside" ]
	ln -s "$outside" "$BUNDLE/rootfs/etc/evil"
	ln -s "../../../../../../../../..$outside-dotdot" "$BUNDLE/rootfs/etc/evil2"
	add_mount /etc/evil/x tmpfs tmpfs
	add_mount /etc/evil2/y tmpfs tmpfs
	set_args sh -c 'touch /etc/evil/x/inside && echo made'
	run_rt run --bundle "$BUNDLE" "$ID"
	local ok=$status
	[ ! -e "$outside" ] || { rm -rf "$outside"; false; }
	[ ! -e "$outside-dotdot" ] || { rm -rf "$outside-dotdot"; false; }
	if [ "$ok" = 0 ]; then
		# Resolved inside: the directories were made under the rootfs.
		[ -d "$BUNDLE/rootfs$outside/x" ]
		assert_output_has made
	else
		assert_failed
	fi
	assert_clean
}

@test "errors: a missing executable" {
	set_args /bin/nope
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has /bin/nope
	assert_output_has "no such file or directory"
	if is_capsa; then
		assert_status 127
		assert_output_has 'exec "/bin/nope": no such file or directory'
	fi
	assert_clean
}

@test "errors: an executable not found in PATH" {
	set_args nope-not-in-path
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has nope-not-in-path
	! is_capsa || assert_status 127
	assert_clean
}

@test "errors: a file that is not executable" {
	printf 'plain text\n' >"$BUNDLE/rootfs/not-exec"
	chmod 644 "$BUNDLE/rootfs/not-exec"
	set_args /not-exec
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has /not-exec
	! is_capsa || assert_status 126
	assert_clean
}

@test "errors: a missing executable fails create too" {
	set_args /bin/nope
	run_rt_detached create --bundle "$BUNDLE" "$ID"
	if [ "$status" -eq 0 ]; then
		# A runtime may only find out at start; start must then fail.
		run_rt start "$ID"
		assert_failed
	else
		assert_output_has /bin/nope
		assert_clean
	fi
}

@test "errors: a missing bundle" {
	run_rt run --bundle "$TEST_DIR/no-such-bundle" "$ID"
	assert_failed
	assert_output_has no-such-bundle
	assert_clean
}

@test "errors: a bundle without config.json" {
	rm "$BUNDLE/config.json"
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has config.json
	assert_clean
}

@test "errors: a missing root.path" {
	jq_edit '.root.path = "no-such-rootfs"'
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has no-such-rootfs
	assert_clean
}

@test "errors: a duplicate ID is refused and the first container survives" {
	set_args sleep 1000
	create_ctr
	local pid
	pid=$(ctr_pid)
	make_bundle "$TEST_DIR/b2" -- sleep 1000
	run_rt_detached create --bundle "$TEST_DIR/b2" "$ID"
	assert_failed
	assert_output_has "exists"
	! is_capsa || assert_output_has "$ID"
	[ "$(ctr_status)" = created ]
	[ "$(ctr_pid)" = "$pid" ]
	[ "$(rt state "$ID" | jq -r .bundle)" = "$BUNDLE" ]
	run_rt start "$ID"
	assert_status 0
	[ "$(ctr_status)" = running ]
}

@test "errors: an invalid container ID" {
	local bad
	for bad in ../escape "a/b" ""; do
		run_rt run --bundle "$BUNDLE" "$bad"
		assert_failed
		[ ! -e "$TEST_DIR/escape" ]
		[ ! -e "$STATE_ROOT/a/b" ]
	done
	[ -z "$(stray_state; stray_mounts; stray_pids)" ]
}

@test "errors: commands on a container that does not exist" {
	local cmd
	for cmd in state start delete; do
		run_rt "$cmd" "$ID"
		assert_failed
		assert_output_has "does not exist"
	done
}

@test "errors: delete --force of a container that does not exist" {
	run_rt delete --force "$ID"
	# runc succeeds quietly; either way nothing may appear.
	[ ! -e "$STATE_ROOT/$ID" ]
}

@test "errors: empty process.args" {
	jq_edit '.process.args = []'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	! is_capsa || assert_output_has process.args
	assert_clean
}

@test "errors: a bad mount option or type fails and leaves nothing" {
	add_mount /mnt/x no-such-fs-type none
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	! is_capsa || assert_output_has /mnt/x
	assert_clean
}

@test "errors: an unknown capability name" {
	jq_edit '.process.capabilities.bounding += ["CAP_NOT_A_CAP"]'
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	# runc 1.1 only warns (naming it); capsa refuses.
	assert_output_has CAP_NOT_A_CAP
	if is_capsa; then
		assert_failed
		assert_output_has process.capabilities.bounding
	fi
	assert_clean
}

@test "errors: an unknown seccomp action" {
	jq_edit '.linux.seccomp = {defaultAction: "SCMP_ACT_BOGUS"}'
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	! is_capsa || assert_output_has SCMP_ACT_BOGUS
	assert_clean
}

@test "errors: an unknown rlimit" {
	jq_edit '.process.rlimits = [{type: "RLIMIT_BOGUS", soft: 1, hard: 1}]'
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has RLIMIT_BOGUS
	assert_clean
}
