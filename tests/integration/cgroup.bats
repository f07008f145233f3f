#!/usr/bin/env bats
# cgroups: limits that hold on v1, v2 and hybrid hosts.  The checks read
# the kernel's files, found per controller from the container's
# /proc/PID/cgroup, so the same tests run on every layout (this hybrid
# host, the pure-v2 VM of tests/vm/, a pure-v1 host).  Every cgroupsPath
# is relative (under the test's own cgroup) and named capsa-test-*.

load helpers

setup() {
	common_setup
	CG=capsa-test-$ID
	jq_edit --arg p "$CG" '.linux.cgroupsPath = $p'
}

teardown() {
	common_teardown
}

# --- the layout, per controller ---------------------------------------------

cg_v2_only() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}

# cg_file PID CTRL FILE: the path of FILE of controller CTRL (v1 name:
# memory, cpu, cpuacct, cpuset, pids, freezer, devices, blkio) for PID's
# cgroup, on whatever layout this host has.
cg_file() {
	local pid=$1 ctrl=$2 file=$3 line hier path
	if cg_v2_only; then
		path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		echo "/sys/fs/cgroup$path/$file"
		return
	fi
	while IFS= read -r line; do
		hier=${line#*:}
		hier=${hier%%:*}
		path=${line#*:*:}
		case ",$hier," in
		*",$ctrl,"*)
			echo "/sys/fs/cgroup/$hier$path/$file"
			return
			;;
		esac
	done <"/proc/$pid/cgroup"
	# Not on v1: the unified hierarchy of a hybrid host.
	path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	echo "/sys/fs/cgroup/unified$path/$file"
}

# The v2 or v1 name of a file: cgf PID CTRL V1FILE V2FILE.
cgf() {
	if cg_v2_only; then
		cg_file "$1" "$2" "$4"
	else
		cg_file "$1" "$2" "$3"
	fi
}

# Directories named $CG anywhere in the cgroup trees.
cg_dirs() {
	find /sys/fs/cgroup -maxdepth 6 -type d -name "${1:-$CG}" 2>/dev/null
}

# Limits need root, or a delegated (writable) cgroup v2 subtree.
require_cgroup_limits() {
	[ "$ROOTLESS" = 0 ] && return 0
	local own
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	if cg_v2_only && [ -w "/sys/fs/cgroup$own" ]; then
		return 0
	fi
	skip "limits need root or a delegated cgroup v2 subtree"
}

# Allow a controller to be missing (a VM kernel without hugetlb …).
require_ctrl_file() {
	[ -e "$1" ] || skip "this host has no $(basename "$1")"
}

start_sleeper() {
	set_args /bin/sh -c "${1:-sleep 300}"
	start_ctr
	PID=$(ctr_pid)
}

# --- placement and cleanup ----------------------------------------------------

@test "cgroup: the container runs in its own cgroup in every hierarchy, removed by delete" {
	require_cgroup_limits
	start_sleeper
	run cat "/proc/$PID/cgroup"
	assert_output_has "/$CG"
	# Every hierarchy the test itself is in (named ones aside; on a pure
	# v2 host only the unified one is mounted).
	local n
	if cg_v2_only; then
		grep -q "^0::.*/$CG\$" "/proc/$PID/cgroup"
	else
		n=$(grep -vc -e ':name=' -e "/$CG\$" "/proc/$PID/cgroup" || true)
		[ "$n" -eq 0 ]
	fi
	[ -n "$(cg_dirs)" ]
	run_rt delete --force "$ID"
	assert_status 0
	[ -z "$(cg_dirs)" ]
}

# Every hierarchy line of a process's /proc/self/cgroup output (named
# ones aside) ends with the container's cgroup.  Only outside a cgroup
# namespace: inside, "/" is its root, wherever that is.
all_in_cg() {
	[ -n "$1" ] && [ "$(echo "$1" | grep -v ':name=' | grep -vc "/$CG\$")" -eq 0 ]
}

@test "cgroup: the init is in every hierarchy before it runs, even with pids.max=1" {
	require_cgroup_limits
	# The init moves itself into the v1 hierarchies (and is born in the
	# v2 one) before its first fork: with one pid allowed, nothing but
	# the init itself may ever have been charged.  exec, no fork.
	jq_edit '.linux.resources.pids = {limit: 1} | del(.linux.namespaces[] | select(.type == "cgroup"))'
	set_args /bin/cat /proc/self/cgroup
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	all_in_cg "$output"
	[ -z "$(cg_dirs)" ]
	# The same with `create` (a forked init) and start.
	start_sleeper 'exec sleep 300'
	run cat "/proc/$PID/cgroup"
	all_in_cg "$output"
	run_rt delete --force "$ID"
	assert_status 0
	# Its first fork is refused there: the limit holds for the init's
	# children, so the init was placed before it forked.
	set_args /bin/sh -c '/bin/true && echo forked'
	run_rt run --bundle "$BUNDLE" "$ID-2"
	[[ "$output" != *forked* ]]
}

@test "cgroup: an init in a new user namespace places itself too (root)" {
	require_root
	require_cgroup_limits
	open_test_dir_path
	add_namespace user
	jq_edit '.linux.uidMappings = [{containerID: 0, hostID: 2000000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 2000000, size: 65536}]
		| .linux.resources.pids = {limit: 1}
		| del(.linux.namespaces[] | select(.type == "cgroup"))'
	set_args /bin/cat /proc/self/cgroup
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	all_in_cg "$output"
	[ -z "$(cg_dirs)" ]
}

@test "cgroup: --cgroup-manager=disabled (crun's option) makes no cgroup; a bad value is refused" {
	capsa_only "crun's --cgroup-manager global option"
	jq_edit '.linux.resources = {pids: {limit: 100}}'
	set_args /bin/sh -c 'cat /proc/self/cgroup'
	RT+=(--cgroup-manager=disabled)
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[[ "$output" != *"/$CG"* ]]
	[ -z "$(cg_dirs)" ]
	RT[-1]=--cgroup-manager=bogus
	run_rt run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_output_has "bogus"
}

@test "cgroup: the default cgroupsPath is capsa/<id> under the caller's cgroup" {
	require_cgroup_limits
	jq_edit 'del(.linux.cgroupsPath)'
	start_sleeper
	run cat "/proc/$PID/cgroup"
	assert_output_has "/capsa/$ID"
	run_rt delete --force "$ID"
	assert_status 0
	[ -z "$(cg_dirs "$ID")" ]
}

@test "cgroup: the default parent capsa/ stays after delete, and the next container uses it" {
	require_cgroup_limits
	jq_edit 'del(.linux.cgroupsPath)'
	start_sleeper
	# memory: on this kind of host its parent sits under the caller's own
	# cgroup, where no other user's capsa makes or removes it.
	leaf=$(cg_file "$PID" memory cgroup.procs)
	leaf=${leaf%/cgroup.procs}
	[ "$(basename "$(dirname "$leaf")")" = capsa ]
	ino=$(stat -c %i "$(dirname "$leaf")")
	run_rt delete --force "$ID"
	assert_status 0
	[ ! -d "$leaf" ]
	# The parent is kept, as docker and podman keep theirs: not made and
	# removed again at every run.
	[ -d "$(dirname "$leaf")" ]
	set_args /bin/sh -c 'cat /proc/self/cgroup'
	run_rt run --bundle "$BUNDLE" "$ID-2"
	assert_status 0
	[ "$(stat -c %i "$(dirname "$leaf")")" = "$ino" ]
	[ ! -d "$(dirname "$leaf")/$ID-2" ]
}

@test "cgroup: a foreground run removes its cgroup when the process exits" {
	require_cgroup_limits
	add_namespace cgroup
	set_args /bin/sh -c 'cat /proc/self/cgroup'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	# Its cgroup namespace is rooted at its own cgroup, in every hierarchy.
	assert_output_has "0::/"
	[ "$(echo "$output" | grep -vc ':/$')" -eq 0 ]
	[ -z "$(cg_dirs)" ]
}

@test "cgroup: kill --all reaches every process, and nothing is left after delete" {
	require_cgroup_limits
	start_sleeper 'sleep 300 & sleep 300 & echo started; wait'
	wait_for -s "$TEST_DIR/ctr.out"
	run_rt ps --format json "$ID"
	assert_status 0
	[ "$(echo "$output" | jq length)" -ge 3 ]
	run_rt kill --all "$ID" KILL
	assert_status 0
	wait_status stopped
	run_rt delete "$ID"
	assert_status 0
	[ -z "$(cg_dirs)" ]
}

@test "cgroup: a create that died half-way is cleaned up by delete" {
	require_cgroup_limits
	start_sleeper
	# What a capsa killed before it wrote state.json leaves behind.
	kill -9 "$PID"
	rm "$STATE_ROOT/$ID/state.json"
	[ -n "$(cg_dirs)" ]
	run_rt delete "$ID"
	assert_status 0
	[ -z "$(cg_dirs)" ]
	assert_clean
}

# --- limits -------------------------------------------------------------------

@test "cgroup: a process above its memory limit is OOM-killed and reported so" {
	require_cgroup_limits
	jq_edit '.linux.resources.memory = {limit: 33554432, swap: 33554432}'
	# dd fills a 128 MiB buffer: more than the limit, and no swap to go
	# to.  It starts once the test has looked at the limit.
	start_sleeper 'while [ ! -e /tmp/go ]; do sleep 0.05; done; dd if=/dev/zero of=/dev/null bs=128M count=4'
	run cat "$(cgf "$PID" memory memory.limit_in_bytes memory.max)"
	[ "$output" = 33554432 ]
	touch "$BUNDLE/rootfs/tmp/go"
	wait_status stopped
	run_rt state "$ID"
	assert_status 0
	[ "$(echo "$output" | jq -r .oomKilled)" = true ]
}

@test "cgroup: a fork loop stops at pids.limit" {
	require_cgroup_limits
	jq_edit '.linux.resources.pids = {limit: 8}'
	# The inner shell dies when fork fails; the outer one goes on without
	# forking again (echo is built in, exec replaces it).
	start_sleeper 'sh -c "i=0; while [ \$i -lt 20 ]; do sleep 300 & i=\$((i+1)); done"; echo started; exec sleep 300'
	wait_for -s "$TEST_DIR/ctr.out"
	run cat "$(cg_file "$PID" pids pids.max)"
	[ "$output" = 8 ]
	run cat "$(cg_file "$PID" pids pids.current)"
	[ "$output" -le 8 ]
	grep -q "fork" "$TEST_DIR/ctr.err"
}

@test "cgroup: a cpu quota throttles (nr_throttled grows)" {
	require_cgroup_limits
	jq_edit '.linux.resources.cpu = {quota: 5000, period: 100000}'
	start_sleeper 'while :; do :; done'
	local f
	f=$(cg_file "$PID" cpu cpu.stat)
	if cg_v2_only; then
		run cat "$(cg_file "$PID" cpu cpu.max)"
		[ "$output" = "5000 100000" ]
	else
		run cat "$(cg_file "$PID" cpu cpu.cfs_quota_us)"
		[ "$output" = 5000 ]
	fi
	throttled() { [ "$(awk '$1 == "nr_throttled" { print $2 }' "$f")" -gt 0 ]; }
	retry throttled
}

@test "cgroup: cpu shares are converted to a weight on v2" {
	require_cgroup_limits
	jq_edit '.linux.resources.cpu = {shares: 2048}'
	start_sleeper
	if cg_v2_only; then
		run cat "$(cg_file "$PID" cpu cpu.weight)"
		[ "$output" = 79 ]
	else
		run cat "$(cg_file "$PID" cpu cpu.shares)"
		[ "$output" = 2048 ]
	fi
}

@test "cgroup: cpuset pins the container to the CPUs asked" {
	require_cgroup_limits
	jq_edit '.linux.resources.cpu = {cpus: "0", mems: "0"}'
	set_args /bin/sh -c 'grep Cpus_allowed_list /proc/self/status'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "Cpus_allowed_list:	0"
}

@test "cgroup: device rules deny what is not allowed, the default devices work" {
	require_root "device nodes"
	[ -c /dev/loop-control ] || skip "no /dev/loop-control on this host"
	add_mount /dev/capsa-dev bind /dev/loop-control bind
	jq_edit '.linux.resources.devices = [{allow: false, access: "rwm"}]'
	set_args /bin/sh -c 'echo hi >/dev/null && echo null-ok; head -c0 /dev/capsa-dev || echo denied'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_output_has "null-ok"
	assert_output_has "denied"
	assert_output_has "not permitted"
}

@test "cgroup: a device allowed by a rule, or listed in linux.devices, can be used" {
	require_root "device nodes"
	[ -c /dev/loop-control ] || skip "no /dev/loop-control on this host"
	add_mount /dev/capsa-dev bind /dev/loop-control bind
	jq_edit '.linux.resources.devices = [{allow: false, access: "rwm"},
			{allow: true, type: "c", major: 10, minor: 237, access: "r"}]
		| .linux.devices += [{path: "/dev/capsa-kmsg", type: "c", major: 1, minor: 11}]'
	set_args /bin/sh -c 'head -c0 /dev/capsa-dev && echo dev-ok; ls -l /dev/capsa-kmsg'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "dev-ok"
	assert_output_has "capsa-kmsg"
}

# --- pause, update, events ---------------------------------------------------

@test "cgroup: pause freezes the processes and resume thaws them" {
	require_cgroup_limits
	start_sleeper 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done'
	local c="$BUNDLE/rootfs/tmp/count" a b
	wait_for -s "$c"
	run_rt pause "$ID"
	assert_status 0
	[ "$(ctr_status)" = paused ]
	a=$(cat "$c")
	sleep 0.5
	b=$(cat "$c")
	[ "$a" = "$b" ]
	run_rt pause "$ID"
	assert_failed
	assert_output_has "already paused"
	run_rt resume "$ID"
	assert_status 0
	[ "$(ctr_status)" = running ]
	grows() { [ "$(cat "$c")" != "$b" ]; }
	retry grows
}

@test "cgroup: delete --force of a paused container kills and removes it" {
	require_cgroup_limits
	start_sleeper
	run_rt pause "$ID"
	assert_status 0
	run_rt delete --force "$ID"
	assert_status 0
	[ -z "$(cg_dirs)" ]
}

@test "cgroup: update changes a running container's limits" {
	require_cgroup_limits
	jq_edit '.linux.resources.memory = {limit: 134217728} | .linux.resources.pids = {limit: 50}'
	start_sleeper
	run_rt update --memory 64m --pids-limit 20 "$ID"
	assert_status 0
	run cat "$(cgf "$PID" memory memory.limit_in_bytes memory.max)"
	[ "$output" = 67108864 ]
	run cat "$(cg_file "$PID" pids pids.max)"
	[ "$output" = 20 ]
	echo '{"pids": {"limit": 30}}' >"$TEST_DIR/res.json"
	run_rt update --resources "$TEST_DIR/res.json" "$ID"
	assert_status 0
	run cat "$(cg_file "$PID" pids pids.max)"
	[ "$output" = 30 ]
	run_rt update --memory lots "$ID"
	assert_failed
	assert_output_has "--memory"
	echo '{"pids": {"limit": "many"}}' >"$TEST_DIR/res.json"
	run_rt update -r "$TEST_DIR/res.json" "$ID"
	assert_failed
	assert_output_has "pids.limit"
	run cat "$(cg_file "$PID" pids pids.max)"
	[ "$output" = 30 ]
}

@test "cgroup: events --stats reports memory, cpu and pids usage" {
	require_cgroup_limits
	jq_edit '.linux.resources.memory = {limit: 134217728} | .linux.resources.pids = {limit: 50}'
	start_sleeper
	run_rt events --stats "$ID"
	assert_status 0
	[ "$(echo "$output" | jq -r .type)" = stats ]
	[ "$(echo "$output" | jq -r .id)" = "$ID" ]
	[ "$(echo "$output" | jq '.data.memory.usage.usage')" -gt 0 ]
	[ "$(echo "$output" | jq '.data.memory.usage.limit')" -eq 134217728 ]
	[ "$(echo "$output" | jq '.data.pids.current')" -ge 1 ]
	[ "$(echo "$output" | jq '.data.cpu.usage.total')" -gt 0 ]
	run_rt events --interval 0.1s "$ID" &
	run_rt events --interval soon "$ID"
	assert_failed
	assert_output_has "--interval"
}

# --- bad input ------------------------------------------------------------------

@test "cgroup: bad limits are refused with a clear message and nothing is created" {
	local bad
	for bad in '.linux.resources.memory.limit = -5' \
		'.linux.resources.memory.limit = "lots"' \
		'.linux.resources.memory.limit = 4096' \
		'.linux.resources.pids.limit = -2' \
		'.linux.resources.cpu.quota = 10' \
		'.linux.resources.devices = [{allow: true, type: "x", access: "rwm"}]'; do
		jq_edit "$bad"
		run_rt create --bundle "$BUNDLE" "$ID"
		assert_failed
		assert_output_has "linux.resources."
		assert_clean
		[ -z "$(cg_dirs)" ]
		jq_edit 'del(.linux.resources.memory, .linux.resources.pids, .linux.resources.cpu)
			| .linux.resources.devices = []'
	done
}

@test "cgroup: a unified key for a controller on v1 is an error" {
	require_root
	cg_v2_only && skip "every controller is on v2 here"
	grep -q ':memory:' /proc/self/cgroup || skip "memory is not on v1 here"
	jq_edit '.linux.resources.unified = {"memory.high": "100000000"}'
	run_rt create --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has "unified.memory.high"
	assert_output_has "v1"
	assert_clean
	[ -z "$(cg_dirs)" ]
}

@test "cgroup: a unified key is written on v2" {
	require_cgroup_limits
	cg_v2_only || skip "needs a pure cgroup v2 host"
	jq_edit '.linux.resources.unified = {"pids.max": "42"}'
	start_sleeper
	run cat "$(cg_file "$PID" pids pids.max)"
	[ "$output" = 42 ]
}

# --- rootless -----------------------------------------------------------------

@test "cgroup: rootless without delegation, limits fail with the reason" {
	require_rootless
	local own
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	if cg_v2_only && [ -w "/sys/fs/cgroup$own" ]; then
		skip "this user has a delegated cgroup"
	fi
	jq_edit '.linux.resources.pids = {limit: 10}'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_output_has "delegat"
	assert_clean
}

@test "cgroup: rootless without delegation and without limits runs without a cgroup" {
	require_rootless
	set_args /bin/sh -c 'echo ran'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "ran"
	[ -z "$(cg_dirs)" ]
}

@test "cgroup: exec'd processes join the container's cgroup" {
	require_cgroup_limits
	add_namespace cgroup
	start_sleeper
	run_rt exec "$ID" cat /proc/self/cgroup
	assert_status 0
	# Outside the container's cgroup a line would read ":/..".
	assert_output_has "0::/"
	[ "$(echo "$output" | grep -vc ':/$')" -eq 0 ]
}

@test "cgroup: an exec'd process is in every hierarchy of the container before it runs" {
	require_cgroup_limits
	# Outside a cgroup namespace the full paths show: each line must end
	# with the container's cgroup (v1 tasks "0", v2 CLONE_INTO_CGROUP).
	jq_edit '.linux.resources.pids = {limit: 10} | del(.linux.namespaces[] | select(.type == "cgroup"))'
	start_sleeper 'exec sleep 300'
	run_rt exec "$ID" cat /proc/self/cgroup
	assert_status 0
	all_in_cg "$output"
	# Counted there from its start: with pids.max at 2 (the init and the
	# exec'd shell), the shell's first fork is refused.
	echo 2 >"$(cgf "$PID" pids pids.max pids.max)"
	run_rt exec "$ID" /bin/sh -c '/bin/true && echo forked'
	[[ "$output" != *forked* ]]
	echo 3 >"$(cgf "$PID" pids pids.max pids.max)"
	run_rt exec "$ID" /bin/sh -c '/bin/true && echo forked'
	assert_output_has "forked"
	run_rt delete --force "$ID"
	assert_status 0
	[ -z "$(cg_dirs)" ]
}

@test "cgroup: missing parents of a cgroupsPath are made on the way (cpuset inherits)" {
	require_cgroup_limits
	# The leaf is tried first; a missing parent (ENOENT) sends the create
	# down the path, each level made (a v1 cpuset with its parent's CPUs).
	jq_edit --arg p "$CG/inner" '.linux.cgroupsPath = $p'
	start_sleeper 'exec sleep 300'
	run cat "/proc/$PID/cgroup"
	[ "$(echo "$output" | grep -v ':name=' | grep -vc "/$CG/inner\$")" -eq 0 ]
	run_rt delete --force "$ID"
	assert_status 0
	[ -z "$(cg_dirs inner | grep "/$CG/inner\$")" ]
	# The parents are the caller's (as for any cgroupsPath): remove ours.
	local d
	for d in $(cg_dirs); do rmdir "$d"; done
	[ -z "$(cg_dirs)" ]
}

@test "cgroup: delete of a stopped container kills what is left in its cgroup" {
	require_root
	# A process outside the container's PID namespace, moved into its
	# cgroup, outlives the init: the first rmdir at delete is refused
	# (EBUSY), so delete reads the pids, kills them and removes it all.
	start_sleeper 'exec sleep 300'
	sleep 300 &
	local spid=$! line hier path dir
	while IFS= read -r line; do
		hier=${line#*:}
		hier=${hier%%:*}
		path=${line#*:*:}
		case "$hier" in
		name=*) continue ;;
		"") cg_v2_only && dir=/sys/fs/cgroup$path || dir=/sys/fs/cgroup/unified$path ;;
		*) dir=/sys/fs/cgroup/$hier$path ;;
		esac
		echo "$spid" >"$dir/cgroup.procs"
	done <"/proc/$PID/cgroup"
	kill -9 "$PID"
	wait_status stopped
	run_rt delete "$ID"
	assert_status 0
	[ -z "$(cg_dirs)" ]
	# Killed (a zombie until this shell reaps it), not left running.
	local st
	st=$(awk '{print $3}' "/proc/$spid/stat" 2>/dev/null || true)
	kill -9 "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	[ -z "$st" ] || [ "$st" = Z ]
}
