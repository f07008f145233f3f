#!/usr/bin/env bats
# Checks of the VM harness itself: `bats tests/vm/selftest.bats` (as root;
# two of them boot a VM, minutes each, so tests/run.sh does not run them).

setup() {
	CHECK=$BATS_TEST_DIRNAME/check.sh
	SAMPLES=$BATS_TEST_DIRNAME/selftest
}

need_vm() {
	command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64 (scripts/deps.sh --vm)"
	ls /boot/vmlinuz-* >/dev/null 2>&1 || skip "no kernel in /boot (scripts/deps.sh --vm)"
	[ "$(id -u)" -eq 0 ] || skip "needs root (the kernel in /boot is root's)"
}

@test "vm harness: without a kernel, one skip line with the reason and status 77" {
	run env VM_KERNEL=/nonexistent "$CHECK" basic
	[ "$status" -eq 77 ]
	[ "$output" = "skip: vm: kernel /nonexistent: not readable" ]
}

@test "vm harness: an unknown test file is refused" {
	run "$CHECK" no-such-file
	[ "$status" -eq 2 ]
	[[ "$output" == *"no integration test file 'no-such-file'"* ]]
}

@test "vm harness: an unknown pass is refused before anything boots" {
	need_vm
	run env VM_PASSES="root sideways" "$CHECK" "$SAMPLES/sample.bats"
	[ "$status" -eq 1 ]
	[[ "$output" == *"VM_PASSES: unknown pass 'sideways'"* ]]
	[[ "$output" != *"booting"* ]]
}

@test "vm harness: passes, failures, skips and a leftover cgroup, in both passes" {
	need_vm
	run "$CHECK" --tap "$BATS_TEST_TMPDIR/tap" "$SAMPLES/sample.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"vm: 8 passed, 3 failed, 2 skipped"* ]]
	grep -qx 'not ok [0-9]* root: sample: fails on purpose' "$BATS_TEST_TMPDIR/tap"
	grep -qx 'not ok [0-9]* rootless: sample: fails on purpose' "$BATS_TEST_TMPDIR/tap"
	grep -qx 'ok [0-9]* rootless: sample: root in the root cgroup, the user in its delegated one' \
		"$BATS_TEST_TMPDIR/tap"
	grep -qx 'not ok [0-9]* cgroups left behind in the VM: ./sample-leftover *' "$BATS_TEST_TMPDIR/tap"
	[ "$(grep -c '^ok .* # skip' "$BATS_TEST_TMPDIR/tap")" -eq 2 ]
}

@test "vm harness: a VM past VM_TIMEOUT is killed and counts as a failure" {
	need_vm
	run env VM_TIMEOUT=60 VM_PASSES=root "$CHECK" --tap "$BATS_TEST_TMPDIR/tap" "$SAMPLES/slow.bats"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"vm: timed out after 60 s: qemu killed"* ]]
	grep -q '^not ok .*timed out' "$BATS_TEST_TMPDIR/tap"
}
