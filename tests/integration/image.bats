#!/usr/bin/env bats
# The image store: load, import, images, inspect, rmi, prune; layers shared
# between images, unpacked once (also by two loads at once); malicious and
# corrupted archives refused with nothing registered or written outside.
# Fixtures: tests/fixtures/mkimages.sh (run.sh builds them).

load helpers

CAPSA=${CAPSA:-$REPO/build/capsa}
IMAGES=${CAPSA_IMAGES:-$REPO/build/fixtures/images}

setup() {
	capsa_only "the image commands are capsa's own"
	[ -f "$IMAGES/single.oci.tar" ] || skip "no image fixtures (tests/fixtures/mkimages.sh $IMAGES)"
	common_setup
	STORE=$TEST_DIR/store
}

teardown() {
	local d imgs
	# Rootless with ranges, layer files of other owners (an imported tar
	# holds the user's own uid) belong to subordinate ids: rmi removes them.
	if [ -d "$STORE" ]; then
		imgs=$(cs images -q 2>/dev/null) || true
		[ -z "$imgs" ] || cs rmi -f $imgs >/dev/null || echo "teardown: rmi -f failed" >&2
	fi
	for d in $(cat "$TEST_DIR/.podman-runroot" 2>/dev/null); do
		rm -rf "$d"
	done
	common_teardown
}

# capsa with the test's store (the global option form).
cs() {
	"$CAPSA" --storage "$STORE" "$@"
}

host_arch() {
	case "$(uname -m)" in
	x86_64) echo amd64 ;;
	aarch64) echo arm64 ;;
	*) uname -m ;;
	esac
}

# No temporaries left in the store, and no image registered but $1.
store_clean() {
	[ -z "$(find "$STORE/tmp" -mindepth 1 2>/dev/null)" ] || {
		echo "temporaries left: $(ls "$STORE/tmp")" >&2
		return 1
	}
	[ -z "$(find "$STORE/layers" -maxdepth 1 -name '.tmp-*' 2>/dev/null)" ] || {
		echo "unpack temporaries left" >&2
		return 1
	}
}

n_layers() {
	find "$STORE/layers" -mindepth 1 -maxdepth 1 -type d ! -name '.tmp-*' | wc -l
}

@test "load: oci-archive, then images and inspect show it" {
	run cs load -i "$IMAGES/single.oci.tar"
	assert_status 0
	assert_output_has "Loaded image: localhost/capsa-test/single:1"
	run cs images
	assert_status 0
	assert_output_has "localhost/capsa-test/single"
	run cs images --format json
	assert_status 0
	echo "$output" | jq -e '.[0].Names == ["localhost/capsa-test/single:1"] and (.[0].Digest | startswith("sha256:"))'
	run cs image inspect localhost/capsa-test/single:1
	assert_status 0
	echo "$output" | jq -e --arg a "$(host_arch)" '.[0] |
		.Config.Entrypoint == ["/bin/sh", "-c"] and .Config.Cmd == ["echo hi"] and
		.Config.WorkingDir == "/root" and .Config.User == "0:0" and
		.Config.Env == ["PATH=/bin", "GREETING=hello"] and
		(.Config.ExposedPorts | has("8080/tcp")) and (.Config.Volumes | has("/data")) and
		.Config.Labels["org.example"] == "capsa" and .Config.StopSignal == "SIGINT" and
		.Architecture == $a and (.RootFS.Layers | length) == 1'
	# -q prints the short ID, which finds the image too.
	local id
	id=$(cs images -q)
	[ "${#id}" = 12 ]
	run cs image inspect "$id"
	assert_status 0
	store_clean
}

@test "load: docker-archive from stdin, sharing the layer of the same content" {
	run cs load -i "$IMAGES/single.oci.tar"
	assert_status 0
	run bash -c '"$1" --storage "$2" load <"$3"' _ "$CAPSA" "$STORE" "$IMAGES/single.docker.tar"
	assert_status 0
	assert_output_has "Loaded image: localhost/capsa-test/single:docker"
	# One config, one image with two names; one layer on disk.
	run cs images --format json
	echo "$output" | jq -e 'length == 1 and (.[0].Names | length) == 2'
	[ "$(n_layers)" = 1 ]
}

@test "load: gzip, zstd and plain layers, whiteouts and an opaque directory" {
	run cs load -i "$IMAGES/multi.oci.tar"
	assert_status 0
	[ "$(n_layers)" = 3 ]
	local lower="" l
	for l in $(jq -r '.images[0].layers[]' "$STORE/images.json" | cut -d: -f2); do
		lower=$STORE/layers/$l/diff${lower:+:$lower}
	done
	# The layers mounted as overlayfs show what the image means.
	local flags=() opts=""
	if [ "$ROOTLESS" = 1 ]; then
		flags=(-U --map-root-user)
		opts=,userxattr
	fi
	mkdir -p "$TEST_DIR/mnt"
	run unshare -m "${flags[@]}" sh -c 'mount -t overlay -o "lowerdir=$1$2" overlay "$3" &&
		ls -A "$3/data" "$3/etc/dir" && cat "$3/etc/hello"' _ "$lower" "$opts" "$TEST_DIR/mnt"
	assert_status 0
	[ "$(echo "$output" | grep -cx a)" = 0 ] # whited out
	[ "$(echo "$output" | grep -cx b)" = 1 ]
	[ "$(echo "$output" | grep -cx y)" = 1 ] # the opaque dir's own entry
	[ "$(echo "$output" | grep -cx x)" = 0 ] # hidden by the opaque dir
	[ "$(echo "$output" | grep -cx hello)" = 1 ]
}

@test "load: Docker media types, and a multi-platform index picks the host's" {
	run cs load -i "$IMAGES/docker.oci.tar"
	assert_status 0
	run cs load -i "$IMAGES/multiarch.oci.tar"
	assert_status 0
	run cs image inspect localhost/capsa-test/multiarch:1
	assert_status 0
	echo "$output" | jq -e --arg a "$(host_arch)" '.[0].Architecture == $a'
	local top
	top=$(jq -r '.images[] | select(.names[0] == "localhost/capsa-test/multiarch:1") | .layers[-1]' \
		"$STORE/images.json" | cut -d: -f2)
	[ "$(cat "$STORE/layers/$top/diff/etc/arch")" = "$(host_arch)" ]
}

@test "import: a root filesystem tar becomes a named image" {
	mkdir -p "$TEST_DIR/rfs/etc"
	echo imported >"$TEST_DIR/rfs/etc/mark"
	tar -C "$TEST_DIR/rfs" -czf "$TEST_DIR/rfs.tgz" .
	run cs import "$TEST_DIR/rfs.tgz" myimage:v1
	assert_status 0
	[[ "${lines[-1]}" == sha256:* ]]
	run cs images
	assert_output_has "docker.io/library/myimage"
	run cs image inspect myimage:v1
	echo "$output" | jq -e '(.[0].RootFS.Layers | length) == 1'
	local l
	l=$(jq -r '.images[0].layers[0]' "$STORE/images.json" | cut -d: -f2)
	[ "$(cat "$STORE/layers/$l/diff/etc/mark")" = imported ]
	run cs import "$TEST_DIR/rfs.tgz" Bad:Name
	[ "$status" -ne 0 ]
	assert_output_has "must be lowercase"
	run cs import "$TEST_DIR/nope.tar" x
	[ "$status" -ne 0 ]
	assert_output_has "nope.tar"
}

@test "rmi and prune: untag, remove, and remove what nothing uses" {
	cs load -i "$IMAGES/single.oci.tar"
	cs load -i "$IMAGES/single.docker.tar"
	cs load -i "$IMAGES/multi.oci.tar"
	[ "$(n_layers)" = 3 ]
	# A second name is only untagged.
	run cs rmi localhost/capsa-test/single:docker
	assert_status 0
	assert_output_has "Untagged: localhost/capsa-test/single:docker"
	[ "$(n_layers)" = 3 ]
	# multi goes: its two own layers go, the shared base stays.
	run cs image rm localhost/capsa-test/multi:1
	assert_status 0
	assert_output_has "Deleted: sha256:"
	[ "$(n_layers)" = 1 ]
	run cs rmi localhost/capsa-test/nope:1
	[ "$status" -eq 1 ]
	assert_output_has 'image "localhost/capsa-test/nope:1": no such image'
	# By ID prefix.
	local id
	id=$(cs images -q)
	run cs rmi "${id:0:6}"
	assert_status 0
	[ "$(n_layers)" = 0 ]
	[ -z "$(ls "$STORE/blobs/sha256")" ]
	# prune: an unnamed image goes, a named one stays (without -a).
	mkdir -p "$TEST_DIR/r1" && echo 1 >"$TEST_DIR/r1/one" && tar -C "$TEST_DIR/r1" -cf "$TEST_DIR/r1.tar" .
	cs import "$TEST_DIR/r1.tar"
	cs load -i "$IMAGES/single.oci.tar"
	run cs image prune
	assert_status 0
	assert_output_has "Deleted: sha256:"
	run cs images --format json
	echo "$output" | jq -e 'length == 1 and .[0].Names == ["localhost/capsa-test/single:1"]'
	run cs image prune -a
	assert_status 0
	[ "$(n_layers)" = 0 ]
	store_clean
}

@test "malicious layers: refused, nothing registered, nothing written outside" {
	local n k
	rm -f /tmp/capsa-evil 2>/dev/null || true
	for n in evil-dotdot evil-symlink evil-hardlink; do
		for k in oci docker; do
			run cs load -i "$IMAGES/$n.$k.tar"
			echo "$n.$k: $output"
			[ "$status" -eq 1 ]
			case $n in
			evil-dotdot) assert_output_has 'path with ".." refused' ;;
			evil-symlink) assert_output_has "path leads through a symlink" ;;
			evil-hardlink) assert_output_has 'hard link to "/etc/passwd"' ;;
			esac
		done
	done
	[ ! -e /tmp/capsa-evil ]
	[ ! -e "$STORE/../capsa-escape" ] && [ ! -e "$TEST_DIR/../capsa-escape" ]
	run cs images -q
	[ -z "$output" ]
	# Only the good base layer stays; no partial layer.
	[ "$(n_layers)" = 1 ]
	store_clean
}

@test "malicious layers: a device node is refused rootless" {
	[ -f "$IMAGES/evil-device.oci.tar" ] || skip "fixtures built without root: no device image"
	run cs load -i "$IMAGES/evil-device.oci.tar"
	if [ "$ROOTLESS" = 1 ]; then
		[ "$status" -eq 1 ]
		assert_output_has "device node refused (rootless)"
		run cs images -q
		[ -z "$output" ]
	else
		assert_status 0
	fi
	store_clean
}

@test "corrupted archives: digest mismatch, not a tar, missing file" {
	cp -r "$IMAGES/layouts/single" "$TEST_DIR/bad"
	local mf layer
	mf=$(jq -r '.manifests[0].digest' "$TEST_DIR/bad/index.json" | cut -d: -f2)
	layer=$(jq -r '.layers[0].digest' "$TEST_DIR/bad/blobs/sha256/$mf" | cut -d: -f2)
	chmod u+w "$TEST_DIR/bad/blobs/sha256/$layer"
	printf 'X' | dd of="$TEST_DIR/bad/blobs/sha256/$layer" bs=1 seek=100 conv=notrunc 2>/dev/null
	tar -C "$TEST_DIR/bad" -cf "$TEST_DIR/bad.tar" .
	run cs load -i "$TEST_DIR/bad.tar"
	[ "$status" -eq 1 ]
	assert_output_has "digest mismatch"
	echo notatar >"$TEST_DIR/junk.tar"
	run cs load -i "$TEST_DIR/junk.tar"
	[ "$status" -eq 1 ]
	assert_output_has "junk.tar"
	run cs load -i "$TEST_DIR/missing.tar"
	[ "$status" -eq 1 ]
	assert_output_has "missing.tar"
	run cs images -q
	[ -z "$output" ]
	store_clean
}

@test "concurrency: loads sharing a base layer at once unpack it once, intact" {
	local i pids=()
	for i in 1 2 3 4; do
		"$CAPSA" --storage "$STORE" load -i "$IMAGES/single.oci.tar" >"$TEST_DIR/l$i.out" 2>&1 &
		pids+=($!)
	done
	"$CAPSA" --storage "$STORE" load -i "$IMAGES/multi.oci.tar" >"$TEST_DIR/l5.out" 2>&1 &
	pids+=($!)
	for i in "${pids[@]}"; do
		wait "$i"
	done
	cat "$TEST_DIR"/l*.out
	[ "$(cat "$TEST_DIR"/l*.out | grep -c '^Loaded image')" = 5 ]
	[ "$(n_layers)" = 3 ]
	run cs images --format json
	echo "$output" | jq -e 'length == 2'
	# The base layer was unpacked by exactly one of them; the others waited
	# for it and found it there.
	local base
	base=$(jq -r '.images[0].layers[0]' "$STORE/images.json" | cut -d: -f2)
	[ "$(cat "$TEST_DIR"/l*.out | grep -c "^Loaded layer sha256:$base")" = 1 ]
	[ "$(cat "$TEST_DIR"/l*.out | grep -c "^Existing layer sha256:$base")" = 4 ]
	cmp "$STORE/layers/$base/diff/bin/busybox" /bin/busybox
	store_clean
}

@test "storage: CAPSA_STORAGE and the command's own --storage" {
	CAPSA_STORAGE=$STORE run "$CAPSA" load -i "$IMAGES/single.oci.tar"
	assert_status 0
	run "$CAPSA" images --storage "$STORE" -q
	assert_status 0
	[ -n "$output" ]
	run "$CAPSA" --storage "$TEST_DIR/other" images -q
	assert_status 0
	[ -z "$output" ]
	run "$CAPSA" images --format yaml
	[ "$status" -eq 2 ]
	assert_output_has "--format takes table or json"
}

@test "load: archives written by podman save (docker-archive and oci-archive)" {
	require_root "podman with a private store"
	command -v podman >/dev/null || skip "podman not installed"
	# podman wants a short runroot (< 50 characters).
	local rr
	rr=$(mktemp -d /tmp/capsa-pm.XXXXXX)
	echo "$rr" >>"$TEST_DIR/.podman-runroot"
	local pm=(podman --root "$TEST_DIR/pm/root" --runroot "$rr" --storage-driver vfs
		--cgroup-manager cgroupfs --events-backend none)
	run "${pm[@]}" load -i "$IMAGES/docker.oci.tar"
	[ "$status" -eq 0 ] || skip "podman load failed here: ${lines[-1]}"
	"${pm[@]}" save --format docker-archive -o "$TEST_DIR/pd.tar" localhost/capsa-test/docker:1 2>/dev/null
	"${pm[@]}" save --format oci-archive -o "$TEST_DIR/po.tar" localhost/capsa-test/docker:1 2>/dev/null
	"${pm[@]}" rmi -a -f >/dev/null 2>&1 || true
	run cs load -i "$TEST_DIR/pd.tar"
	assert_status 0
	assert_output_has "Loaded image: localhost/capsa-test/docker:1"
	run cs load -i "$TEST_DIR/po.tar"
	assert_status 0
	assert_output_has "Loaded image: localhost/capsa-test/docker:1"
	[ "$(n_layers)" = 2 ]
	local top
	top=$(jq -r '.images[] | select(.names | index("localhost/capsa-test/docker:1")) | .layers[-1]' \
		"$STORE/images.json" | cut -d: -f2)
	[ "$(cat "$STORE/layers/$top/diff/data/b")" = b ]
	store_clean
}
