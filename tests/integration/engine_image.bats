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
	# Rootless with ranges, layer files belong to subordinate ids that only
	# capsa (in its user namespace) can remove: rmi is the way out.
	local imgs
	imgs=$(cap images -q 2>/dev/null) || true
	[ -z "$imgs" ] || cap rmi -f $imgs >/dev/null || {
		echo "store: rmi -f $imgs failed" >&2
		return 1
	}
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
	# An overlay, as root and rootless (there mounted in the container's
	# own namespaces), never a copy of the layers.
	run ictr --rm busybox:test sh -c 'grep "^overlay / overlay" /proc/mounts'
	assert_status 0
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

# The store's mounts as the host (this test's mount namespace) sees them.
store_mounts() {
	grep -F "$CAPSA_STORAGE" /proc/self/mountinfo || true
}

@test "engine image: the overlay root is mounted only in the container's namespace" {
	ictr -d --name d busybox:test sh -c 'echo x >/new; echo up; sleep 100' \
		</dev/null >/dev/null 2>&1 3>&-
	retry bash -c "'$CAPSA' logs d | grep -q up"
	# Running, its root an overlay, and nothing of it mounted on the host.
	run cap exec d sh -c 'grep "^overlay / overlay" /proc/mounts'
	assert_status 0
	[ -z "$(store_mounts)" ]
	# Its writes are in its own upper dir.
	id=$(cap inspect d | jq -r '.[0].Id')
	[ -f "$CAPSA_STORAGE/containers/$id/upper/new" ]
	cap rm -f d
	[ ! -e "$CAPSA_STORAGE/containers/$id" ]
	[ -z "$(store_mounts)" ]
}

@test "engine image: kill -9 of a foreground run --rm leaves no mount; the next command removes it" {
	"$CAPSA" run --rm --name fgrm -e "CAPSA_TEST_MARK=$CAPSA_TEST_MARK" busybox:test \
		sh -c 'echo up >/up; sleep 100' </dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	retry bash -c "ls '$CAPSA_STORAGE'/containers/*/upper/up"
	kill -9 "$pid"
	wait "$pid" || true
	[ -z "$(store_mounts)" ]
	# The container outlives its capsa; kill reaches it through the runtime.
	cap kill fgrm >/dev/null
	retry bash -c "! '$CAPSA' ps -q | grep -q ."
	run cap ps -a
	assert_status 0
	[ -z "$(cap ps -aq)" ]
	[ -z "$(find "$CAPSA_STORAGE/containers" -mindepth 1)" ]
	[ -z "$(store_mounts)" ]
}

# trash_empty: nothing left in the store's trash but its lock.
trash_empty() {
	[ -z "$(ls -A "$CAPSA_STORAGE/trash" 2>/dev/null | grep -vx '.lock')" ]
}

@test "engine image: run --rm returns with the container gone; the reaper empties the trash" {
	# What a killed reaper would leave: the next one takes it too.
	mkdir -p "$CAPSA_STORAGE/trash/left-by-a-killed-reaper/d"
	echo x >"$CAPSA_STORAGE/trash/left-by-a-killed-reaper/d/f"
	out=$(ictr --rm busybox:test sh -c 'echo x >/new; echo done')
	[ "$out" = done ]
	# Gone for every command the moment run returned (one rename).
	[ -z "$(find "$CAPSA_STORAGE/containers" -mindepth 1)" ]
	[ -z "$(cap ps -aq)" ]
	# Its files and the left-over follow, with the reaper.
	retry trash_empty
	[ -z "$(store_mounts)" ]
}

@test "engine image: a start refused after its root was made (name in use) leaves nothing in the store" {
	run cap create --name taken busybox:test true
	assert_status 0
	run ictr --rm --name taken busybox:test true
	assert_status 125
	assert_output_has "taken"
	# Only the first container's directory; the refused one's goes to the
	# trash, and the reaper takes it.
	[ "$(find "$CAPSA_STORAGE/containers" -mindepth 1 -maxdepth 1 | wc -l)" = 1 ]
	retry trash_empty
}

# The owners fixture loaded into the store; $output holds what load said.
load_owners() {
	[ -f "$IMAGES/owners.oci.tar" ] || skip "no image fixtures (tests/fixtures/mkimages.sh $IMAGES)"
	run cap load -i "$IMAGES/owners.oci.tar"
	assert_status 0
}

OWNED=(/owned/root /owned/root/f /owned/user /owned/user/f /owned/nobody /owned/nobody/f)

@test "engine image: file owners of the image show inside the container (root, rootless with ranges)" {
	[ "$ROOTLESS" = 0 ] || require_subids
	load_owners
	[[ "$output" != *squashed* ]] || {
		echo "unexpected squash warning: $output" >&2
		return 1
	}
	run ictr --rm localhost/capsa-test/owners:1 stat -c '%n %u:%g' "${OWNED[@]}"
	assert_status 0
	[ "$output" = "/owned/root 0:0
/owned/root/f 0:0
/owned/user 1000:1000
/owned/user/f 1000:1000
/owned/nobody 65534:65534
/owned/nobody/f 65534:65534" ] || {
		echo "owners: $output" >&2
		return 1
	}
	# -u 1000 writes in the directory it owns; its file is its own.
	run ictr --rm -u 1000 localhost/capsa-test/owners:1 \
		sh -c 'echo mine >/owned/user/new && stat -c %u /owned/user/new && cat /owned/user/new'
	assert_status 0
	[ "$output" = "1000
mine" ] || {
		echo "-u 1000: $output" >&2
		return 1
	}
}

@test "engine image: rootless without ranges, owners are squashed to root with one warning" {
	require_rootless
	require_no_subids
	load_owners
	[ "$(grep -c 'squashed' <<<"$output")" = 1 ] || {
		echo "expected one squash warning: $output" >&2
		return 1
	}
	run ictr --rm localhost/capsa-test/owners:1 stat -c '%u:%g' "${OWNED[@]}"
	assert_status 0
	[ "$(sort -u <<<"$output")" = 0:0 ] || {
		echo "owners: $output" >&2
		return 1
	}
}

@test "engine image: rm and rmi remove layers and files of subordinate ids, nothing left" {
	load_owners
	# A container that wrote a file as uid 1000 (with ranges: a subordinate id).
	local uflag=()
	[ "$ROOTLESS" = 0 ] || ! subid_ranges >/dev/null || uflag=(-u 1000)
	run ictr --name w "${uflag[@]}" localhost/capsa-test/owners:1 sh -c 'echo x >/owned/user/new'
	assert_status 0
	run cap rm w
	assert_status 0
	# The reaper removes files of subordinate ids too (in the user namespace).
	retry trash_empty
	run cap rmi localhost/capsa-test/owners:1 busybox:test
	assert_status 0
	left=$(find "$CAPSA_STORAGE/layers" "$CAPSA_STORAGE/containers" "$CAPSA_STORAGE/tmp" -mindepth 1 2>&1)
	[ -z "$left" ] || {
		echo "left in the store: $left" >&2
		return 1
	}
}

@test "engine image: a store unpacked with another id mapping is refused" {
	load_owners
	# The record says the store was made under another mapping.
	printf 'uid 0:1:1\ngid 0:1:1\n' >"$CAPSA_STORAGE/idmap"
	run ictr --rm localhost/capsa-test/owners:1 true
	assert_status 125
	assert_output_has "unpacked with the id mapping \"uid 0:1:1;gid 0:1:1\""
	run cap load -i "$IMAGES/single.oci.tar"
	assert_failed
	assert_output_has "unpacked with the id mapping"
	[ -z "$(cap ps -aq)" ]
}
