#!/usr/bin/env bats
# A sample for tests/vm/selftest.bats: known results in each VM pass.

@test "sample: passes" {
	true
}

@test "sample: fails on purpose" {
	false
}

@test "sample: skips on purpose" {
	skip "on purpose"
}

@test "sample: cgroup2 is the only cgroup file system" {
	[ "$(awk '$3 ~ /^cgroup/ { print $3 }' /proc/mounts)" = cgroup2 ]
}

@test "sample: root in the root cgroup, the user in its delegated one" {
	if [ "$(id -u)" -eq 0 ]; then
		grep -qx '0::/' /proc/self/cgroup
	else
		[ "$(id -u)" -eq 2000 ]
		grep -qx '0::/capsa-vm1/session' /proc/self/cgroup
		[ -O /sys/fs/cgroup/capsa-vm1 ] && [ -O /sys/fs/cgroup/capsa-vm1/cgroup.procs ]
		grep -qw memory /sys/fs/cgroup/capsa-vm1/cgroup.subtree_control
		[ -n "$(cat /etc/subuid)" ]
	fi
}

@test "sample: the root pass leaves a cgroup behind" {
	[ "$(id -u)" -ne 0 ] || mkdir /sys/fs/cgroup/sample-leftover
}
