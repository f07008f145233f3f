# shellcheck shell=bash disable=SC2016
# Common setup for capsa's integration tests (bats).
#
# Every test gets its own state root (--root), its own bundle in $BUNDLE
# (a copy of the busybox rootfs and a config.json from the runtime's own
# `spec`) and a default container ID in $ID.  teardown deletes every
# container the test created and fails the test if anything is left:
# a state entry, a mount under the test directory, a process, a cgroup.
#
# Environment:
#   RUNTIME   the runtime under test (default: build/capsa-oci); RUNTIME=runc
#             runs the suite against runc to validate the tests themselves
#   ROOTLESS  1: bundles are rootless and tests that need root skip
#             (automatic when not running as root)
#   RECVTTY   console-socket receiver (default: build/tests/recvtty)

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${RUNTIME:=$REPO/build/capsa-oci}"
: "${RECVTTY:=$REPO/build/tests/recvtty}"
: "${CAPSA_ROOTFS:=$REPO/build/fixtures/rootfs}"
export CAPSA_ROOTFS
# RUNTIME may carry words ("build/capsa oci"); RT is the command as an array.
read -r -a RT <<<"$RUNTIME"
if [ "$(id -u)" -ne 0 ]; then
	ROOTLESS=1
fi
: "${ROOTLESS:=0}"

# --- what is running -------------------------------------------------------

is_capsa() {
	case "$(basename "${RT[0]}")" in
	capsa*) return 0 ;;
	esac
	return 1
}

# A check of capsa's own behaviour or wording, which other runtimes need not
# share.
capsa_only() {
	is_capsa || skip "capsa-specific: ${1:-checks capsa wording} (RUNTIME=$(basename "${RT[0]}"))"
}

# not_runc_rootless REASON: skip what runc cannot do without root on
# this host (cgroup v1 without delegation).
not_runc_rootless() {
	if ! is_capsa && [ "$ROOTLESS" = 1 ]; then
		skip "$(basename "${RT[0]}") rootless: $1"
	fi
}

require_root() {
	[ "$ROOTLESS" = 0 ] || skip "needs root${1:+: $1}"
}

require_rootless() {
	[ "$(id -u)" -ne 0 ] || skip "needs an unprivileged user (runs in the rootless passes)"
}

# The caller's first subordinate uid and gid range, from /etc/subuid|subgid.
# Prints "UIDSTART UIDCOUNT GIDSTART GIDCOUNT", or fails.
subid_ranges() {
	local name u g
	name=$(id -un)
	u=$(awk -F: -v n="$name" -v i="$(id -u)" '($1 == n || $1 == i) && $3 >= 65536 { print $2, $3; exit }' /etc/subuid 2>/dev/null)
	g=$(awk -F: -v n="$name" -v i="$(id -u)" '($1 == n || $1 == i) && $3 >= 65536 { print $2, $3; exit }' /etc/subgid 2>/dev/null)
	[ -n "$u" ] && [ -n "$g" ] && echo "$u $g"
}

require_subids() {
	subid_ranges >/dev/null || skip "needs /etc/subuid and /etc/subgid ranges (65536 ids) for $(id -un)"
}

require_no_subids() {
	! subid_ranges >/dev/null || skip "needs a user without /etc/subuid ranges"
}

# uid 1000 and gid 1000/1001 (the rootfs's `user` and `extra`) exist in the
# container: always as root, rootless only with subordinate ranges mapped.
require_test_user() {
	if [ "$ROOTLESS" = 1 ]; then
		require_subids
		map_subids
	fi
}

# --- running the runtime ---------------------------------------------------

# rt ARGS...: the runtime with this test's state root.  Remembers the ID
# of create/run so teardown can delete it.
rt() {
	case "${1:-}" in
	create | run) echo "${!#}" >>"$TEST_DIR/.ids" ;;
	esac
	"${RT[@]}" --root "$STATE_ROOT" "$@"
}

# run_rt ARGS...: `run rt ARGS`: $status, and stdout+stderr in $output.
# For commands that leave no process holding the test's output.
run_rt() {
	run rt "$@"
}

# run_rt_detached ARGS...: for create, run --detach and exec --detach,
# which leave the container holding the stdio they were given.  The
# container gets /dev/null for input and files for output
# ($TEST_DIR/ctr.out and ctr.err, appended); $output holds what appeared
# on stderr during the command (the runtime's own messages).
run_rt_detached() {
	local before
	before=$(stat -c %s "$TEST_DIR/ctr.err" 2>/dev/null || echo 0)
	# Not bats' `run`: it would read the command's stdout through a pipe
	# that the container keeps open.
	status=0
	rt "$@" </dev/null >>"$TEST_DIR/ctr.out" 2>>"$TEST_DIR/ctr.err" 3>&- || status=$?
	output=$(tail -c +"$((before + 1))" "$TEST_DIR/ctr.err")
}

# create_ctr [ID] [BUNDLE]: create a container and check it worked.
create_ctr() {
	local id=${1:-$ID} bundle=${2:-$BUNDLE}
	run_rt_detached create --bundle "$bundle" "$id"
	if [ "$status" -ne 0 ]; then
		echo "create $id failed ($status): $output" >&2
		return 1
	fi
}

# start_ctr [ID] [BUNDLE]: create + start, waiting for running.
start_ctr() {
	local id=${1:-$ID}
	create_ctr "$@"
	run_rt start "$id"
	if [ "$status" -ne 0 ]; then
		echo "start $id failed ($status): $output" >&2
		return 1
	fi
}

# ctr_status ID: the status field of `state ID` (empty if state fails).
ctr_status() {
	rt state "${1:-$ID}" 2>/dev/null | jq -r .status
}

ctr_pid() {
	rt state "${1:-$ID}" 2>/dev/null | jq -r .pid
}

# wait_status STATUS [ID] [SECONDS]
wait_status() {
	local want=$1 id=${2:-$ID} tries=$((${3:-5} * 20)) s
	while [ "$tries" -gt 0 ]; do
		s=$(ctr_status "$id")
		[ "$s" = "$want" ] && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	echo "container $id: status '$s', expected '$want'" >&2
	return 1
}

# wait_for TEST-ARGS... : poll `test ARGS` for up to 5 seconds.
wait_for() {
	local tries=100
	while [ "$tries" -gt 0 ]; do
		test "$@" && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	echo "timed out waiting for: test $*" >&2
	return 1
}

# retry CMD...: run CMD until it succeeds, for up to 5 seconds.
retry() {
	local tries=100
	while [ "$tries" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

# bg CMD...: a background helper (recvtty, a foreground `run`) that
# teardown kills if it is still there.  Its pid is in $BG_PID.
bg() {
	"$@" 3>&- &
	BG_PID=$!
	echo "$BG_PID" >>"$TEST_DIR/.bg"
}

# --- editing the bundle ----------------------------------------------------

# jq_edit [JQ-OPTIONS...] FILTER: edit $CONFIG (default $BUNDLE/config.json).
jq_edit() {
	local cfg=${CONFIG:-$BUNDLE/config.json}
	jq "$@" "$cfg" >"$cfg.tmp" && mv "$cfg.tmp" "$cfg"
}

# set_args ARGS...: process.args.
set_args() {
	jq_edit --argjson a "$(json_array "$@")" '.process.args = $a'
}

# json_array WORDS...: the words as a JSON array of strings.
json_array() {
	jq -cn '$ARGS.positional' --args -- "$@"
}

# make_bundle DIR [-- CMD ARGS...]: another bundle like $BUNDLE (rootless
# when the run is rootless), with its own cgroupsPath.
make_bundle() {
	local dir=$1 flags=()
	shift
	[ "$ROOTLESS" = 0 ] || flags+=(--rootless)
	CAPSA_TEST_MARK=$CAPSA_TEST_MARK RUNTIME=$RUNTIME \
		"$REPO/tests/fixtures/mkbundle.sh" "$dir" "${flags[@]}" "$@" >/dev/null
	echo "$dir" >>"$TEST_DIR/.bundles"
}

# map_subids: map container ids 0 -> the caller and 1..65536 -> the
# caller's subordinate range (rootless), so uid 1000 exists inside.
map_subids() {
	local r
	read -r -a r <<<"$(subid_ranges)"
	jq_edit --argjson u "$(id -u)" --argjson g "$(id -g)" \
		--argjson us "${r[0]}" --argjson gs "${r[2]}" '
		.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1},
				      {containerID: 1, hostID: $us, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1},
				        {containerID: 1, hostID: $gs, size: 65536}]'
}

# add_mount DEST TYPE SOURCE [OPTIONS...]
add_mount() {
	local dest=$1 type=$2 src=$3
	shift 3
	jq_edit --arg d "$dest" --arg t "$type" --arg s "$src" --argjson o "$(json_array "$@")" \
		'.mounts += [{destination: $d, type: $t, source: $s, options: $o}]'
}

# add_caps CAP...: add capabilities to the bounding, effective and
# permitted sets (the default spec's process cannot even chown).
add_caps() {
	jq_edit --argjson c "$(json_array "$@")" '
		.process.capabilities |= (.bounding += $c | .effective += $c | .permitted += $c
			| map_values(unique))'
}

# open_test_dir_path: let a mapped (non-host) root reach the bundle:
# o+x on the test directory and its parents inside bats's private
# temporary tree.
open_test_dir_path() {
	local d=$TEST_DIR
	while [[ "$d" == "$BATS_RUN_TMPDIR"* ]]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# add_namespace TYPE: add it unless the config already has it.
add_namespace() {
	jq_edit --arg t "$1" 'if any(.linux.namespaces[]; .type == $t) then .
		else .linux.namespaces += [{type: $t}] end'
}

# --- checks ----------------------------------------------------------------

# assert_output_has STRING: $output contains STRING (fixed string).
assert_output_has() {
	if [[ "$output" != *"$1"* ]]; then
		echo "expected output to contain: $1" >&2
		echo "output was: $output" >&2
		return 1
	fi
}

# assert_status N | assert_failed: with the output shown on failure.
assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected exit status $1, got $status; output: $output" >&2
		return 1
	fi
}

assert_failed() {
	if [ "$status" -eq 0 ]; then
		echo "expected failure, got exit status 0; output: $output" >&2
		return 1
	fi
	if [ -z "$output" ]; then
		echo "failed with status $status but printed no message" >&2
		return 1
	fi
}

# proc_stat PID: "STATE STARTTIME" of a live process (fields 3 and 22 of
# /proc/PID/stat, read after the command name, which may hold spaces).
proc_stat() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	read -r -a st <<<"$st"
	echo "${st[0]} ${st[19]}"
}

# Processes this test started that are still alive (zombies count as
# gone): the container's own, found by the CAPSA_TEST_MARK in their
# environment, and the ones recorded with track_pid.
stray_pids() {
	local p st start
	for p in $(ctr_host_pids); do
		st=$(proc_stat "$p") && [ "${st%% *}" != Z ] && echo "$p"
	done
	[ -s "$TEST_DIR/.pids" ] || return 0
	while read -r p start; do
		st=$(proc_stat "$p") && [ "${st#* }" = "$start" ] && [ "${st%% *}" != Z ] && echo "$p"
	done <"$TEST_DIR/.pids"
}

# ctr_host_pids: host pids of the container's processes that have exec'd
# (found by the CAPSA_TEST_MARK in their environment; no cgroup needed).
ctr_host_pids() {
	local p
	# environ is NUL-separated: grep -z reads it entry by entry.
	for p in $(grep -lszxF "CAPSA_TEST_MARK=$CAPSA_TEST_MARK" /proc/[0-9]*/environ); do
		p=${p#/proc/}
		echo "${p%/environ}"
	done
}

# track_pid PID: teardown checks that this process is gone.
track_pid() {
	local st
	st=$(proc_stat "$1") || return 0
	echo "$1 ${st#* }" >>"$TEST_DIR/.pids"
}

# Mounts in this (the host's) mount namespace under the test directory.
stray_mounts() {
	awk -v d="$TEST_DIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo
}

# The state root must hold nothing about the test's containers: no entry
# named after an ID, no file of any kind (directories may stay).
stray_state() {
	local id
	[ -d "$STATE_ROOT" ] || return 0
	find "$STATE_ROOT" -mindepth 1 ! -type d
	for id in $(sort -u "$TEST_DIR/.ids" 2>/dev/null); do
		find "$STATE_ROOT" -mindepth 1 -name "$id"
	done
}

# cgroups named in this test's bundles (runc and crun make them).
stray_cgroups() {
	local b cg
	for b in $(cat "$TEST_DIR/.bundles" 2>/dev/null); do
		cg=$(jq -r '.linux.cgroupsPath // empty' "$b/config.json" 2>/dev/null)
		[ -n "$cg" ] || continue
		find /sys/fs/cgroup -maxdepth 6 -type d -name "$(basename "$cg")" 2>/dev/null
	done
}

# assert_clean [ID]: nothing of the test's containers is left (state,
# mounts, processes); ID (default $ID) is not known to the runtime.  For
# tests of failures, before teardown's `delete --force` tidies up.
assert_clean() {
	local id=${1:-$ID} left
	# (not run_rt: the caller's $output and $status stay as they are)
	if left=$(rt state "$id" 2>&1); then
		echo "container $id still exists: $left" >&2
		return 1
	fi
	left=$(stray_state; stray_mounts; stray_pids)
	if [ -n "$left" ]; then
		echo "left behind:" >&2
		echo "$left" >&2
		return 1
	fi
}

# --- setup and teardown ----------------------------------------------------

common_setup() {
	TEST_DIR=$BATS_TEST_TMPDIR
	STATE_ROOT=$TEST_DIR/state
	BUNDLE=$TEST_DIR/bundle
	ID=ct$BATS_TEST_NUMBER-$$-$RANDOM
	CAPSA_TEST_MARK=mark-$ID
	make_bundle "$BUNDLE"
}

common_teardown() {
	local id pid bad="" left tries out dels=""
	# Background helpers first (a foreground `run`, recvtty).
	for pid in $(cat "$TEST_DIR/.bg" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null || true
	done
	# Every container: remember its pid, then delete it.
	for id in $( (sort -u "$TEST_DIR/.ids" 2>/dev/null; rt list --format json 2>/dev/null |
		jq -r '.[]?.id' 2>/dev/null) | sort -u); do
		pid=$(ctr_pid "$id")
		[ -z "$pid" ] || [ "$pid" = null ] || [ "$pid" -le 0 ] || track_pid "$pid"
		out=$(rt delete --force "$id" 2>&1) || dels+="delete --force $id: $out"$'\n'
	done

	# Processes may take a moment to be reaped after delete --force.
	tries=40
	while [ -n "$(stray_pids)" ] && [ "$tries" -gt 0 ]; do
		sleep 0.05
		tries=$((tries - 1))
	done
	left=$(stray_pids)
	if [ -n "$left" ]; then
		bad+="processes left: $(echo $left)"$'\n'
		kill -9 $left 2>/dev/null || true
	fi
	left=$(stray_state)
	[ -z "$left" ] || bad+="state left: $(echo $left)"$'\n'"$dels"
	left=$(stray_mounts)
	if [ -n "$left" ]; then
		bad+="mounts left: $(echo $left)"$'\n'
		for pid in $(echo "$left" | sort -r); do
			umount -l "$pid" 2>/dev/null || true
		done
	fi
	left=$(stray_cgroups)
	if [ -n "$left" ]; then
		bad+="cgroups left: $(echo $left)"$'\n'
		echo "$left" | sort -r | xargs -r rmdir 2>/dev/null || true
	fi
	# Files a container made as another uid (user namespaces) must not stop
	# bats from removing the test directory.
	[ "$(id -u)" -ne 0 ] || chmod -R u+rwX "$TEST_DIR" 2>/dev/null || true
	if [ -n "$bad" ]; then
		printf 'teardown: %s' "$bad" >&2
		return 1
	fi
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}
