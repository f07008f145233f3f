#!/usr/bin/env bats
# Capabilities, seccomp, rlimits, the process's user.

load helpers

# capmask CAP...: the /proc/PID/status hex mask of these capability numbers.
capmask() {
	local m=0 c
	for c in "$@"; do
		m=$((m | (1 << c)))
	done
	printf '%016x' "$m"
}

# status_field NAME: the value of NAME: in $output (a /proc/self/status).
status_field() {
	awk -v f="$1:" '$1 == f { print $2 }' <<<"$output"
}

@test "capabilities: the five sets show in /proc/self/status (root process)" {
	# CAP_CHOWN 0, CAP_KILL 5, CAP_NET_BIND_SERVICE 10.
	jq_edit '.process.noNewPrivileges = true | .process.capabilities = {
		bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		permitted: ["CAP_CHOWN", "CAP_KILL"],
		effective: ["CAP_CHOWN", "CAP_KILL"],
		inheritable: [], ambient: []}'
	set_args cat /proc/self/status
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$(status_field CapBnd)" = "$(capmask 0 5 10)" ]
	[ "$(status_field CapPrm)" = "$(capmask 0 5)" ]
	[ "$(status_field CapEff)" = "$(capmask 0 5)" ]
	[ "$(status_field CapInh)" = "$(capmask)" ]
	[ "$(status_field CapAmb)" = "$(capmask)" ]
}

@test "capabilities: ambient capabilities reach a non-root process" {
	require_test_user
	jq_edit '.process.user = {uid: 1000, gid: 1000} | .process.capabilities = {
		bounding: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		effective: ["CAP_NET_BIND_SERVICE"],
		inheritable: ["CAP_NET_BIND_SERVICE"],
		ambient: ["CAP_NET_BIND_SERVICE"]}'
	set_args cat /proc/self/status
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$(status_field CapBnd)" = "$(capmask 5 10)" ]
	[ "$(status_field CapInh)" = "$(capmask 10)" ]
	[ "$(status_field CapAmb)" = "$(capmask 10)" ]
	[ "$(status_field CapPrm)" = "$(capmask 10)" ]
	[ "$(status_field CapEff)" = "$(capmask 10)" ]
}

@test "capabilities: a dropped capability is refused" {
	jq_edit '.process.capabilities = {bounding: ["CAP_KILL"], permitted: ["CAP_KILL"],
		effective: ["CAP_KILL"], inheritable: [], ambient: []}'
	# Root without CAP_DAC_OVERRIDE cannot write a mode-000 file, without
	# CAP_SYS_ADMIN cannot set the hostname.
	set_args sh -c 'touch /tmp/f; chmod 000 /tmp/f; echo x 2>&1 >/tmp/f; hostname other 2>&1; grep CapEff /proc/self/status'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "Permission denied"
	assert_output_has "Operation not permitted"
	[ "$(status_field CapEff)" = "$(capmask 5)" ]
}

@test "seccomp: a rule returns its errno" {
	jq_edit '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]}'
	set_args sh -c 'mkdir /tmp/newdir 2>&1; echo rc=$?; touch /tmp/file && echo touch-ok'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "Function not implemented"
	assert_output_has "rc=1"
	assert_output_has "touch-ok"
	[ ! -e "$BUNDLE/rootfs/tmp/newdir" ]
}

@test "seccomp: a rule with an argument condition" {
	# chmod(path, mode) and fchmodat(dirfd, path, mode): refuse mode 0777 only.
	jq_edit '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [
		{names: ["chmod"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
		 args: [{index: 1, value: 511, op: "SCMP_CMP_EQ"}]},
		{names: ["fchmodat"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
		 args: [{index: 2, value: 511, op: "SCMP_CMP_EQ"}]}]}'
	set_args sh -c 'touch /tmp/f; chmod 777 /tmp/f 2>&1; chmod 750 /tmp/f && stat -c %a /tmp/f'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "Operation not permitted"
	[ "${lines[1]}" = 750 ]
}

@test "seccomp: an errno rule without errnoRet returns EPERM" {
	jq_edit '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
	set_args sh -c 'mkdir /tmp/newdir 2>&1; echo rc=$?'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "Operation not permitted"
	assert_output_has "rc=1"
}

@test "rlimits: apply (ulimit -n and /proc/self/limits)" {
	jq_edit '.process.rlimits = [
		{type: "RLIMIT_NOFILE", soft: 321, hard: 654},
		{type: "RLIMIT_MSGQUEUE", soft: 4096, hard: 8192}]'
	set_args sh -c 'ulimit -n; ulimit -Hn; cat /proc/self/limits'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 321 ]
	[ "${lines[1]}" = 654 ]
	grep -Eq '^Max open files +321 +654 ' <<<"$output"
	grep -Eq '^Max msgqueue size +4096 +8192 ' <<<"$output"
}

@test "user: uid, gid and additionalGids apply" {
	not_runc_rootless "refuses additionalGids"
	require_test_user
	jq_edit '.process.user = {uid: 1000, gid: 1000, additionalGids: [1001]}'
	set_args sh -c 'id -u; id -g; id -G; grep ^Groups: /proc/self/status; id -un'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	[[ " ${lines[2]} " == *" 1001 "* ]]
	[ "$(echo ${lines[3]})" = "Groups: 1001" ]
	[ "${lines[4]}" = user ]
}

@test "user: a non-root user cannot write root's files" {
	require_test_user
	jq_edit '.process.user = {uid: 1000, gid: 1000}'
	set_args sh -c 'echo x >>/etc/passwd 2>&1; touch /tmp/mine && stat -c %u:%g /tmp/mine'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "Permission denied"
	[ "${lines[1]}" = 1000:1000 ]
}

@test "user: umask applies" {
	jq_edit '.process.user.umask = 63'
	set_args sh -c 'umask; touch /tmp/u; stat -c %a /tmp/u'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 0077 ]
	[ "${lines[1]}" = 600 ]
}
