#!/usr/bin/env bats
# Containers from images in the store: the image's config (Entrypoint,
# Cmd, Env, WorkingDir, StopSignal) under the flags, a root filesystem of
# its own per container that leaves the image untouched, and nothing left
# in the store after rm.

load engine_helpers

IMAGES=${CAPSA_IMAGES:-$REPO/build/fixtures/images}

setup() {
	engine_setup
	export CAPSA_STORAGE=$TEST_DIR/store
	tar -C "$CAPSA_ROOTFS" -cf "$TEST_DIR/rootfs.tar" .
	cap import "$TEST_DIR/rootfs.tar" busybox:test >/dev/null
}

teardown() {
	engine_teardown
	left=$(find "$CAPSA_STORAGE/containers" -mindepth 1 2>/dev/null)
	if [ -n "$left" ]; then
		echo "store: containers left: $left" >&2
		return 1
	fi
}

# ictr ARGS...: `capsa run` with the test mark; ARGS end with the image.
ictr() {
	"$CAPSA" run -e "CAPSA_TEST_MARK=$CAPSA_TEST_MARK" "$@"
}

@test "engine image: run a command from an image in the store" {
	run ictr --rm busybox:test sh -c 'echo from-image; cat /etc/hostname'
	assert_status 0
	assert_output_has from-image
}

@test "engine image: each container writes to its own layer, the image stays as it was" {
	run ictr --name w busybox:test sh -c 'echo scribble >/etc/scribble; rm -f /bin/true'
	assert_status 0
	run ictr --rm busybox:test sh -c 'ls /etc/scribble; ls /bin/true'
	assert_output_has "/etc/scribble: No such file"
	assert_output_has /bin/true
	cap start -a w >/dev/null
	cap rm w
	[ -z "$(find "$CAPSA_STORAGE/containers" -mindepth 1)" ]
}

@test "engine image: -u and -w resolve in the image's root" {
	require_ctr_users
	run ictr --rm -u user -w /tmp busybox:test sh -c 'id -un; pwd'
	assert_status 0
	assert_output_has user
	assert_output_has /tmp
}

@test "engine image: Entrypoint, Cmd, Env, WorkingDir and StopSignal from the image config" {
	[ -f "$IMAGES/single.oci.tar" ] || skip "no image fixtures (tests/fixtures/mkimages.sh $IMAGES)"
	cap load -i "$IMAGES/single.oci.tar" >/dev/null
	run ictr --rm localhost/capsa-test/single:1
	assert_status 0
	assert_output_has hi
	# A command replaces Cmd and keeps the Entrypoint (sh -c).
	run ictr --rm localhost/capsa-test/single:1 'echo $GREETING; pwd'
	assert_output_has hello
	assert_output_has /root
	# Flags win over the image: -e, -w, --entrypoint.
	run ictr --rm -e GREETING=flag -w / --entrypoint /bin/sh localhost/capsa-test/single:1 -c 'echo $GREETING; pwd'
	assert_output_has flag
	[ "${lines[-1]}" = / ]
	id=$(ictr -d localhost/capsa-test/single:1 'sleep 100' </dev/null 2>/dev/null 3>&-)
	[ "$(cap inspect "$id" | jq -r '.[0].HostConfig.StopSignal')" = 2 ]
}

@test "engine image: an image without a command, and --pull never" {
	run ictr --rm busybox:test
	assert_status 125
	assert_output_has "no command"
	run ictr --rm --pull never nothere:1 true
	assert_status 125
	assert_output_has nothere
	[ -z "$(cap ps -aq)" ]
}

@test "engine image: detached, logs, exec, rm -f leaves no mount and no layer" {
	ictr -d --name d busybox:test sh -c 'echo up; sleep 100' </dev/null >/dev/null 2>&1 3>&-
	run cap exec d cat /etc/hostname
	assert_status 0
	retry bash -c "'$CAPSA' logs d | grep -q up"
	cap rm -f d
	[ -z "$(grep "$TEST_DIR" /proc/self/mountinfo)" ]
}
