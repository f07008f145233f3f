#!/usr/bin/env bats
# A sample for tests/vm/selftest.bats: never ends within VM_TIMEOUT.

@test "slow: sleeps past the VM's time limit" {
	sleep 100000
}
