#!/usr/bin/env bats
# User namespaces: root with a mapped range, and rootless with a single
# mapping or with /etc/subuid ranges.

load helpers

@test "userns: as root, container root maps to a host range" {
	require_root
	chown -R 2000000:2000000 "$BUNDLE/rootfs"
	# The mapped root must be able to reach the bundle (bats's temporary
	# directories are private).
	open_test_dir_path
	add_namespace user
	jq_edit '.linux.uidMappings = [{containerID: 0, hostID: 2000000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 2000000, size: 65536}]'
	add_caps CAP_CHOWN
	set_args sh -c 'id -u; cat /proc/self/uid_map; touch /tmp/f; chown 1000:1000 /tmp/f && echo chown-ok'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 0 ]
	[ "$(echo ${lines[1]})" = "0 2000000 65536" ]
	[ "${lines[2]}" = chown-ok ]
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/f")" = 2001000:2001000 ]
}

@test "rootless: single mapping: root inside is the user outside" {
	require_rootless
	local uid gid
	uid=$(id -u)
	gid=$(id -g)
	jq_edit --argjson u "$uid" --argjson g "$gid" '
		.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}]
		| .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}]'
	add_caps CAP_CHOWN
	set_args sh -c 'id -u; id -g; cat /proc/self/uid_map; touch /made; chown 1000 /made 2>&1; echo done'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "$(echo ${lines[2]})" = "0 $uid 1" ]
	# uid 1000 does not exist in a single mapping.
	assert_output_has "Invalid argument"
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/made")" = "$uid:$gid" ]
}

@test "rootless: subuid ranges: ids inside map into the user's range" {
	require_rootless
	require_subids
	local r
	read -r -a r <<<"$(subid_ranges)"
	map_subids
	add_caps CAP_CHOWN
	set_args sh -c 'id -u; cat /proc/self/uid_map | wc -l; touch /tmp/f; chown 1000:1000 /tmp/f && stat -c %u:%g /tmp/f'
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 2 ]
	[ "${lines[2]}" = 1000:1000 ]
	# Container uid 1000 is the 1000th id of the range (container uid 1 is
	# its first).
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/f")" = "$((r[0] + 999)):$((r[2] + 999))" ]
}

@test "rootless: ranges without /etc/subuid entries fail and leave nothing" {
	require_rootless
	require_no_subids
	jq_edit --argjson u "$(id -u)" --argjson g "$(id -g)" '
		.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: 300000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}, {containerID: 1, hostID: 300000, size: 65536}]'
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_clean
}

@test "rootless: a mapping of another user's id fails and leaves nothing" {
	require_rootless
	jq_edit '.linux.uidMappings = [{containerID: 0, hostID: 0, size: 1}]
		| .linux.gidMappings = [{containerID: 0, hostID: 0, size: 1}]'
	set_args true
	run_rt run --bundle "$BUNDLE" "$ID"
	assert_failed
	assert_clean
}
