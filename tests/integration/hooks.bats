#!/usr/bin/env bats
# OCI hooks: order, the state on stdin, env, failure and timeout.

load helpers

setup() {
	common_setup
	# createContainer and startContainer run in the container's mount
	# namespace: the hook and its log live in a directory that has the
	# same absolute path inside (bind-mounted) and outside.
	HOOKDIR=$TEST_DIR/hooks
	LOG=$HOOKDIR/log
	mkdir -p "$HOOKDIR"
	cat >"$HOOKDIR/hook" <<-'EOF'
		#!/bin/sh
		# hook NAME LOG: append "NAME ID STATUS" from the state JSON on stdin.
		state=$(cat)
		id=$(echo "$state" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')
		status=$(echo "$state" | sed -n 's/.*"status": *"\([^"]*\)".*/\1/p')
		echo "$1 $id $status${HOOKVAR:+ $HOOKVAR}" >>"$2"
	EOF
	cat >"$HOOKDIR/fail" <<-'EOF'
		#!/bin/sh
		echo "hook failing on purpose" >&2
		exit 3
	EOF
	chmod 755 "$HOOKDIR/hook" "$HOOKDIR/fail"
	add_mount "$HOOKDIR" bind "$HOOKDIR" rbind rw
}

# hook_entry NAME: the hooks entry that logs NAME.
hook_entry() {
	jq -cn --arg p "$HOOKDIR/hook" --arg n "$1" --arg l "$LOG" '{path: $p, args: ["hook", $n, $l]}'
}

@test "hooks: run in order with the state on stdin" {
	local h
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		jq_edit --arg h "$h" --argjson e "$(hook_entry "$h")" '.hooks[$h] = [$e]'
	done
	set_args sh -c 'echo process >>'"$LOG"
	create_ctr
	run_rt start "$ID"
	assert_status 0
	wait_status stopped
	run_rt delete "$ID"
	assert_status 0
	run cat "$LOG"
	echo "$output"
	[ "${#lines[@]}" = 7 ]
	[ "${lines[0]}" = "prestart $ID creating" ]
	[ "${lines[1]}" = "createRuntime $ID creating" ]
	[ "${lines[2]}" = "createContainer $ID creating" ]
	[ "${lines[6]}" = "poststop $ID stopped" ]
	local middle="${lines[3]}|${lines[4]}|${lines[5]}"
	if is_capsa; then
		# The spec's order: startContainer just before the process's exec;
		# poststart after it (so the process may print first) and with
		# the status the container then has.
		[ "${lines[3]}" = "startContainer $ID created" ]
		[[ "$middle" == *"|poststart $ID running"* ]]
		[[ "$middle" == *"|process"* ]]
	else
		# runc 1.1 runs poststart concurrently with startContainer and
		# passes the status "created".
		[[ "$middle" == *"startContainer $ID created"* ]]
		[[ "$middle" == *"poststart $ID "* ]]
		[[ "$middle" == *process* ]]
	fi
}

@test "hooks: env and args reach the hook" {
	jq_edit --argjson e "$(hook_entry prestart)" '.hooks.prestart = [$e + {env: ["HOOKVAR=from-env"]}]'
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$(cat "$LOG")" = "prestart $ID creating from-env" ]
}

@test "hooks: a failing prestart hook fails create and leaves nothing" {
	jq_edit --arg p "$HOOKDIR/fail" '.hooks.prestart = [{path: $p}]'
	set_args touch /must-not-run
	run_rt_detached create --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_clean
	[ ! -e "$BUNDLE/rootfs/must-not-run" ]
}

@test "hooks: a failing createRuntime hook fails run and leaves nothing" {
	jq_edit --arg p "$HOOKDIR/fail" '.hooks.createRuntime = [{path: $p}]'
	set_args touch /must-not-run
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_clean
	[ ! -e "$BUNDLE/rootfs/must-not-run" ]
}

@test "hooks: a hook that outlives its timeout fails create" {
	printf '#!/bin/sh\nexec sleep 30\n' >"$HOOKDIR/slow"
	chmod 755 "$HOOKDIR/slow"
	jq_edit --arg p "$HOOKDIR/slow" '.hooks.prestart = [{path: $p, timeout: 1}]'
	set_args true
	local t0=$SECONDS
	run_rt_detached create --bundle "$BUNDLE" "$ID"
	assert_failed
	[ $((SECONDS - t0)) -lt 10 ]
	assert_clean
}

@test "hooks: a missing hook executable is an error naming it" {
	jq_edit --arg p "$HOOKDIR/nope" '.hooks.prestart = [{path: $p}]'
	set_args true
	run_rt_detached create --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has "$HOOKDIR/nope"
	assert_clean
}
