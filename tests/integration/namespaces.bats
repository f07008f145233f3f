#!/usr/bin/env bats
# Namespaces: new ones, joined ones, and what is set inside them.

load helpers

# ns_ids TYPES...: "type:inode" of this shell's namespaces.
ns_ids() {
	local t
	for t in "$@"; do
		echo "$t:$(stat -L -c %i "/proc/$$/ns/$t")"
	done
}

@test "namespaces: configured ones are new, the others are the host's" {
	add_namespace network
	add_namespace cgroup
	# ipc is left out: the container shares the host's (and so cannot
	# mount an mqueue of its own).
	jq_edit '.linux.namespaces |= map(select(.type != "ipc"))
		| .mounts |= map(select(.type != "mqueue"))'
	set_args sh -c 'for t in pid mnt uts net cgroup ipc; do echo "$t:$(stat -L -c %i /proc/self/ns/$t)"; done'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	local t host
	for t in pid mnt uts net cgroup; do
		host=$(ns_ids "$t")
		grep -q "^$t:[0-9]" <<<"$output"
		! grep -qx "$host" <<<"$output"
	done
	grep -qx "$(ns_ids ipc)" <<<"$output"
}

@test "namespaces: a new network namespace has only lo" {
	add_namespace network
	set_args sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$output" = lo ]
}

@test "namespaces: joining a namespace by path" {
	jq_edit '.hostname = "shared-uts"'
	set_args sleep 1000
	start_ctr "$ID-a"
	local pid
	pid=$(ctr_pid "$ID-a")

	make_bundle "$TEST_DIR/b2" -- hostname
	CONFIG=$TEST_DIR/b2/config.json jq_edit --arg p "/proc/$pid/ns/uts" '
		del(.hostname) | .linux.namespaces |= map(if .type == "uts" then .path = $p else . end)'
	if [ "$ROOTLESS" = 1 ]; then
		# Only the owner of a namespace's user namespace may join it.
		# (The mappings stay: they are the joined namespace's own.)
		CONFIG=$TEST_DIR/b2/config.json jq_edit --arg p "/proc/$pid/ns/user" '
			.linux.namespaces |= map(if .type == "user" then .path = $p else . end)'
	fi
	run_rt run --bundle "$TEST_DIR/b2" "$ID-b"
	assert_status 0
	[ "$output" = shared-uts ]
}

@test "namespaces: sysctl applies" {
	add_namespace network
	jq_edit '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.ipv4.ping_group_range": "0 0"}'
	set_args sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/ping_group_range'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 1 ]
	[ "$(echo ${lines[1]})" = "0 0" ]
}

@test "namespaces: domainname applies" {
	capsa_only "runc 1.1 ignores domainname (added in runc 1.2)"
	jq_edit '.domainname = "bats.example"'
	set_args cat /proc/sys/kernel/domainname
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$output" = bats.example ]
}

@test "namespaces: a hostname without a new UTS namespace is an error" {
	jq_edit '.hostname = "not-allowed" | .linux.namespaces |= map(select(.type != "uts"))'
	set_args hostname
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_clean
	[ "$(hostname)" != not-allowed ]
}

@test "namespaces: a time namespace applies its offsets" {
	capsa_only "runc 1.1 has no time namespace"
	add_namespace time
	jq_edit '.linux.timeOffsets = {monotonic: {secs: 864000, nanosecs: 0}, boottime: {secs: 864000, nanosecs: 0}}'
	set_args cut -d. -f1 /proc/uptime
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$output" -ge 864000 ]
}
