# shellcheck shell=bash
# Setup for the engine's integration tests (engine_*.bats): every test has
# its own state root (CAPSA_ROOT), a copy of the busybox rootfs in $ROOTFS,
# and a mark in every container's environment so that teardown can find
# stray processes.  teardown removes every container and fails the test if
# anything is left: a container process, a monitor, a mount, a record, a
# name, runtime state.
#
# As root a container's default network is the bridge capsa0 with NAT:
# capsa then runs in a network namespace the test makes ($NETNS, through
# the wrapper $CAPSA), so that bridges, veths and rules exist only there,
# and teardown fails the test if a veth or an address is left in it.
# Rootless the default is pasta, which makes nothing in the host's
# namespace.

load helpers

CAPSA_BIN=$REPO/build/capsa
CAPSA=$CAPSA_BIN

engine_setup() {
	TEST_DIR=$BATS_TEST_TMPDIR
	export CAPSA_ROOT=$TEST_DIR/state
	ROOTFS=$TEST_DIR/rootfs
	CAPSA_TEST_MARK=mark-engine-$BATS_TEST_NUMBER-$$-$RANDOM
	cp -a "$CAPSA_ROOTFS" "$ROOTFS"
	if [ "$ROOTLESS" = 0 ]; then
		# outside TEST_DIR: tests check that no mount is left in it
		NETNS=$BATS_FILE_TMPDIR/netns-$BATS_TEST_NUMBER
		touch "$NETNS"
		unshare --net="$NETNS" ip link set lo up
		CAPSA=$TEST_DIR/capsa
		printf '#!/bin/sh\nexec nsenter --net=%q %q "$@"\n' "$NETNS" "$CAPSA_BIN" >"$CAPSA"
		chmod +x "$CAPSA"
	fi
}

# innet CMD...: run CMD in the test's network namespace (root), or here.
innet() {
	if [ -n "${NETNS:-}" ]; then nsenter --net="$NETNS" "$@"; else "$@"; fi
}

# What a container's network leaves until it is released: a veth, an
# address of the default network, a record under <root>/net.  Prints them.
net_leftovers() {
	innet ip -o link 2>/dev/null | grep -o " cv[0-9a-f]*" || true
	[ ! -d "$CAPSA_ROOT/net" ] || find "$CAPSA_ROOT/net" -mindepth 1 ! -type d
	if [ -d "$CAPSA_ROOT/networks" ]; then
		"$CAPSA_BIN" network --root "$CAPSA_ROOT" inspect capsa 2>/dev/null |
			jq -r '.[0].containers[]?.ip'
	fi
}

net_released() {
	[ -z "$(net_leftovers)" ]
}

# cap ARGS...: capsa with this test's state root.
cap() {
	"$CAPSA" "$@"
}

# ctr ARGS...: `capsa run` with the test rootfs and mark; ARGS are run's
# options then the command.
ctr() {
	"$CAPSA" run --rootfs "$ROOTFS" -e "CAPSA_TEST_MARK=$CAPSA_TEST_MARK" "$@"
}

# ctr_d ARGS...: `ctr -d ...` with our stdio kept away from the monitor.
ctr_d() {
	ctr -d "$@" </dev/null 2>"$TEST_DIR/err" 3>&-
}

# Users 1000 (user) and groups 1000/1001 of the rootfs exist in the
# container: always as root; rootless when the caller has /etc/subuid and
# /etc/subgid ranges (the engine maps them by itself).
require_ctr_users() {
	[ "$ROOTLESS" = 0 ] || require_subids
}

# Processes of the test's monitors (their command line names our root).
monitor_pids() {
	local p
	for p in $(pgrep -f "_monitor $CAPSA_ROOT " 2>/dev/null); do
		echo "$p"
	done
}

# status_of NAME: the container's state (created, running, exited).
state_of() {
	cap inspect "$1" | jq -r '.[0].State.Status'
}

# state_is WANT NAME: the container is in state WANT.
state_is() {
	[ "$(state_of "$2")" = "$1" ]
}

# wait_state WANT NAME: retry (helpers.bash) until it is.
wait_state() {
	retry state_is "$1" "$2" 2>/dev/null && return 0
	echo "container $2: state '$(state_of "$2" 2>/dev/null)', expected '$1'" >&2
	return 1
}

# No container process and no monitor of this test is left.
none_running() {
	[ -z "$(stray_pids)" ] && [ -z "$(monitor_pids)" ]
}

engine_teardown() {
	local bad="" left
	for id in $(cap ps -aq --no-trunc 2>/dev/null); do
		cap rm -f "$id" >/dev/null 2>&1 || bad+="rm -f $id failed"$'\n'
	done
	retry none_running 2>/dev/null || true
	left=$(stray_pids)
	if [ -n "$left" ]; then
		bad+="container processes left: $(echo $left)"$'\n'
		kill -9 $left 2>/dev/null || true
	fi
	left=$(monitor_pids)
	if [ -n "$left" ]; then
		bad+="monitors left: $(echo $left)"$'\n'
		kill -9 $left 2>/dev/null || true
	fi
	# the kernel destroys a veth with its container's namespace,
	# asynchronously: give it the suite's retry before calling it left
	retry net_released 2>/dev/null || true
	left=$(net_leftovers)
	[ -z "$left" ] || bad+="network state left: $(echo $left)"$'\n'
	if [ -n "${NETNS:-}" ]; then
		umount "$NETNS" 2>/dev/null || bad+="netns $NETNS: umount failed"$'\n'
	fi
	left=$(stray_mounts)
	if [ -n "$left" ]; then
		bad+="mounts left: $(echo $left)"$'\n'
		for m in $(echo "$left" | sort -r); do umount -l "$m" 2>/dev/null || true; done
	fi
	if [ -d "$CAPSA_ROOT" ]; then
		left=$(find "$CAPSA_ROOT/containers" "$CAPSA_ROOT/names" "$CAPSA_ROOT/oci" \
			-mindepth 1 2>/dev/null)
		[ -z "$left" ] || bad+="state left: $(echo $left)"$'\n'
	fi
	[ "$(id -u)" -ne 0 ] || chmod -R u+rwX "$TEST_DIR" 2>/dev/null || true
	if [ -n "$bad" ]; then
		printf 'teardown: %s' "$bad" >&2
		return 1
	fi
}

setup() {
	engine_setup
}

teardown() {
	engine_teardown
}
