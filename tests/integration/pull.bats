#!/usr/bin/env bats
# capsa pull / login / logout against real registries: Debian's
# docker-registry on 127.0.0.1 (plain http, TLS with a test CA, htpasswd
# Basic auth, Bearer tokens from tests/fixtures/token_issuer.py), filled
# with skopeo from the layouts of tests/fixtures/pullimages.sh.
# shellcheck disable=SC2030,SC2031

FIX=$BATS_TEST_DIRNAME/../fixtures
CAPSA=${CAPSA_BIN:-$BATS_TEST_DIRNAME/../../build/capsa}

start_registry() { # MODE NAME [BASE]: sets NAME_REG, NAME_DIR (TLS_CERTS for tls)
	local d=${3:-$BATS_FILE_TMPDIR}/reg-$2 out
	mkdir -p "$d"
	out=$("$FIX/registry.sh" start "$1" "$d") || return 1
	eval "$out"
	eval "export ${2}_REG=\$REG ${2}_DIR=\$d"
	if [ "$1" = tls ]; then
		export TLS_CERTS=$CAPSA_CERTS_DIR
	fi
}

setup_file() {
	command -v docker-registry >/dev/null || skip "needs docker-registry"
	command -v skopeo >/dev/null || skip "needs skopeo"
	"$FIX/pullimages.sh" "$BATS_FILE_TMPDIR/img"
	# shellcheck source=../fixtures/pullimages.sh
	source "$FIX/pullimages.sh"
	start_registry plain PLAIN
	start_registry tls TLS
	start_registry basic BASIC
	start_registry token TOKEN
	push_all "$PLAIN_REG" "$BATS_FILE_TMPDIR/img"
	push_all "$TLS_REG" "$BATS_FILE_TMPDIR/img" "" "$TLS_CERTS/$TLS_REG"
	push_all "$BASIC_REG" "$BATS_FILE_TMPDIR/img" tester:secret
	push_all "$TOKEN_REG" "$BATS_FILE_TMPDIR/img" tester:secret
}

teardown_file() {
	local d
	for d in "$BATS_FILE_TMPDIR"/reg-*; do
		[ -d "$d" ] && "$FIX/registry.sh" stop "$d"
	done
	return 0
}

setup() {
	S=$BATS_TEST_TMPDIR/store
	# Credentials files live in the test's own HOME and runtime dir.
	export HOME=$BATS_TEST_TMPDIR/home XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
	unset REGISTRY_AUTH_FILE CAPSA_CERTS_DIR
}

teardown() {
	local d
	for d in "$BATS_TEST_TMPDIR"/reg-*; do
		[ -d "$d" ] && "$FIX/registry.sh" stop "$d"
	done
	return 0
}

capsa() { "$CAPSA" "$@"; }

# names IMAGES.JSON: the registered names, one a line
names() { jq -r '.images[].names[]' "$S/images.json" 2>/dev/null; }

# nothing_registered: no image in the store at all
nothing_registered() {
	[ ! -f "$S/images.json" ] || [ "$(jq '.images | length' "$S/images.json")" = 0 ]
}

# layer_file PATH: PATH exists in one of the store's unpacked layers
layer_file() { compgen -G "$S/layers/*/diff/$1" >/dev/null; }

@test "pull by tag: a three-layer OCI image with gzip layers" {
	run capsa pull --storage "$S" "$PLAIN_REG/public/multi:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(names)" = "$PLAIN_REG/public/multi:1" ]
	[ "$(jq '.images[0].layers | length' "$S/images.json")" = 3 ]
	layer_file bin/busybox
	layer_file etc/hello
	layer_file data/blob
	# not on a terminal: one line per finished layer
	[ "$(grep -c ': downloaded' <<<"$output")" -eq 3 ]
}

@test "pull by digest verifies the manifest against the digest" {
	capsa pull --quiet --storage "$S" "$PLAIN_REG/public/multi:1"
	m=$(jq -r '.images[0].manifest' "$S/images.json")
	S2=$BATS_TEST_TMPDIR/store2
	run capsa pull --quiet --storage "$S2" "$PLAIN_REG/public/multi@$m"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(jq -r '.images[0].manifest' "$S2/images.json")" = "$m" ]
	jq -r '.images[0].names[]' "$S2/images.json" | grep -qF "@$m"
	# a digest the registry does not have
	run capsa pull --quiet --storage "$S2" "$PLAIN_REG/public/multi@sha256:$(printf '%064d' 0)"
	[ "$status" -ne 0 ]
	[[ "$output" == *"manifest unknown"* ]]
}

@test "pull: Docker schema 2 media types, zstd layers, uncompressed layers" {
	run capsa pull --quiet --storage "$S" "$PLAIN_REG/public/docker:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	m=$(jq -r '.images[0].manifest' "$S/images.json")
	[ "$(jq -r .mediaType "$S/blobs/sha256/${m#sha256:}")" = \
		application/vnd.docker.distribution.manifest.v2+json ]
	S=$BATS_TEST_TMPDIR/zstd
	run capsa pull --quiet --storage "$S" "$PLAIN_REG/public/zstd:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	m=$(jq -r '.images[0].manifest' "$S/images.json")
	jq -r '.layers[].mediaType' "$S/blobs/sha256/${m#sha256:}" | grep -q 'zstd'
	layer_file etc/hello
	S=$BATS_TEST_TMPDIR/plain
	run capsa pull --quiet --storage "$S" "$PLAIN_REG/public/plain:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	layer_file etc/hello
}

@test "pull: a multi-platform index picks the host's platform, or --platform" {
	[ "$(uname -m)" = x86_64 ] || skip "expects an amd64 host"
	run capsa pull --quiet --storage "$S" "$PLAIN_REG/public/multiarch:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	layer_file data/blob
	! layer_file etc/arch
	S=$BATS_TEST_TMPDIR/arm
	run capsa pull --quiet --platform linux/arm64 --storage "$S" "$PLAIN_REG/public/multiarch:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	layer_file etc/arch
	[ "$(cat "$S"/layers/*/diff/etc/arch)" = arm64 ]
	run capsa pull --quiet --platform linux/s390x --storage "$S" "$PLAIN_REG/public/multiarch:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"no image for platform linux/s390x"*"linux/amd64"* ]]
	run capsa pull --platform linux --storage "$S" "$PLAIN_REG/public/multiarch:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"expected os/arch"* ]]
}

@test "pull: layers already in the store are not fetched again" {
	capsa pull --storage "$S" "$PLAIN_REG/public/multi:1"
	# the Docker-typed copy has the same layers (same diff IDs)
	run capsa pull --storage "$S" "$PLAIN_REG/public/docker:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" != *downloaded* ]]
	[ "$(names | wc -l)" -eq 2 ]
	# the same image again: nothing downloaded
	run capsa pull --storage "$S" "$PLAIN_REG/public/multi:1"
	[ "$status" -eq 0 ]
	[[ "$output" != *downloaded* ]]
}

@test "pull: an image that uses one layer blob twice" {
	run capsa pull --storage "$S" "$PLAIN_REG/public/repeat:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(jq '.images[0].layers | length' "$S/images.json")" = 3 ]
	[ "$(jq -r '.images[0].layers | unique | length' "$S/images.json")" = 3 ]
	# downloaded once
	[ "$(grep -c ': downloaded' <<<"$output")" -eq 2 ]
}

@test "pull: unknown tag and unknown repository are clear errors, nothing registered" {
	run capsa pull --storage "$S" "$PLAIN_REG/public/multi:nope"
	[ "$status" -ne 0 ]
	[[ "$output" == *"public/multi:nope"*"manifest unknown"* ]]
	nothing_registered
	run capsa pull --storage "$S" "$PLAIN_REG/public/none:1"
	[ "$status" -ne 0 ]
	nothing_registered
	run capsa pull --storage "$S" "127.0.0.1:1/x:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"127.0.0.1:1"* ]]
	run capsa pull --storage "$S" "Bad/Name"
	[ "$status" -ne 0 ]
	nothing_registered
}

@test "pull over TLS: the CA from certs.d, an unknown CA refused, --tls-verify=false" {
	run capsa pull --quiet --storage "$S" "$TLS_REG/public/multi:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"certs.d"* ]]
	nothing_registered
	CAPSA_CERTS_DIR=$TLS_CERTS run capsa pull --quiet --storage "$S" "$TLS_REG/public/multi:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(names)" = "$TLS_REG/public/multi:1" ]
	S=$BATS_TEST_TMPDIR/insecure
	run capsa pull --quiet --tls-verify=false --storage "$S" "$TLS_REG/public/plain:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "basic auth: refused without login, wrong password refused, login/pull/logout" {
	run capsa pull --quiet --storage "$S" "$BASIC_REG/public/multi:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"authentication required"* ]]
	nothing_registered
	run capsa login -u tester --password-stdin "$BASIC_REG" <<<"wrong"
	[ "$status" -ne 0 ]
	[[ "$output" == *"wrong username or password"* ]]
	[ ! -e "$XDG_RUNTIME_DIR/containers/auth.json" ]
	run capsa login -u tester --password-stdin "$BASIC_REG" <<<"secret"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	jq -e --arg r "$BASIC_REG" '.auths[$r].auth' "$XDG_RUNTIME_DIR/containers/auth.json"
	[ "$(stat -c %a "$XDG_RUNTIME_DIR/containers/auth.json")" = 600 ]
	run capsa pull --quiet --storage "$S" "$BASIC_REG/public/multi:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run capsa logout "$BASIC_REG"
	[ "$status" -eq 0 ]
	run capsa logout "$BASIC_REG"
	[ "$status" -ne 0 ]
	[[ "$output" == *"not logged in"* ]]
	S=$BATS_TEST_TMPDIR/again
	run capsa pull --quiet --storage "$S" "$BASIC_REG/public/multi:1"
	[ "$status" -ne 0 ]
}

@test "basic auth: credentials from ~/.docker/config.json, a wrong stored password" {
	mkdir -p "$HOME/.docker"
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$BASIC_REG" "$(printf tester:secret | base64)" \
		>"$HOME/.docker/config.json"
	run capsa pull --quiet --storage "$S" "$BASIC_REG/public/plain:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$BASIC_REG" "$(printf tester:nope | base64)" \
		>"$HOME/.docker/config.json"
	S=$BATS_TEST_TMPDIR/s2
	run capsa pull --quiet --storage "$S" "$BASIC_REG/public/plain:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"wrong username or password"* ]]
	nothing_registered
}

@test "token auth: anonymous pull of a public repository, private needs login" {
	before=$(grep -c 'GET /token' "$TOKEN_DIR/issuer.log")
	run capsa pull --quiet --storage "$S" "$TOKEN_REG/public/multi:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# one token for the whole pull (cached for the scope), not one per blob
	after=$(grep -c 'GET /token' "$TOKEN_DIR/issuer.log")
	[ "$((after - before))" -eq 1 ]
	S=$BATS_TEST_TMPDIR/priv
	run capsa pull --quiet --storage "$S" "$TOKEN_REG/private/multi:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"access denied"*"capsa login"* ]]
	nothing_registered
	run capsa login -u tester --password-stdin "$TOKEN_REG" <<<"bad"
	[ "$status" -ne 0 ]
	[[ "$output" == *"wrong username or password"* ]]
	run capsa login -u tester --password-stdin "$TOKEN_REG" <<<"secret"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run capsa pull --quiet --storage "$S" "$TOKEN_REG/private/multi:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(names)" = "$TOKEN_REG/private/multi:1" ]
}

@test "a corrupted blob in the registry is a digest mismatch, nothing registered" {
	start_registry plain BAD "$BATS_TEST_TMPDIR"
	source "$FIX/pullimages.sh"
	push_all "$BAD_REG" "$BATS_FILE_TMPDIR/img"
	d=$BAD_DIR
	# every layer blob over 100 KiB: flip bytes, keep the size
	for f in $(find "$d/storage" -path '*/blobs/sha256/*/data' -size +100k); do
		printf 'XXXXXXXX' | dd of="$f" bs=1 seek=1000 conv=notrunc status=none
	done
	run capsa pull --quiet --storage "$S" "$BAD_REG/public/multi:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"digest mismatch"* ]]
	nothing_registered
	# the bad bytes are not kept for a resume (other layers' partial files may be)
	dg=$(grep -o 'blob sha256:[0-9a-f]*' <<<"$output" | head -1 | cut -d: -f2)
	[ -n "$dg" ] && [ ! -e "$S/tmp/$dg.partial" ] && [ ! -e "$S/blobs/sha256/$dg" ]
}

@test "a download cut midway is resumed with Range and completes" {
	eval "$("$FIX/registry.sh" proxy "$PLAIN_DIR" "$BATS_TEST_TMPDIR/reg-proxy")"
	run capsa pull --storage "$S" "$PROXY/public/multi:1"
	[ "$status" -eq 0 ] || { echo "$output"; cat "$BATS_TEST_TMPDIR/reg-proxy/proxy.log"; false; }
	# the proxy cut every layer and the config once; each was resumed with a Range
	[ "$(ls "$BATS_TEST_TMPDIR/reg-proxy/cut" | wc -l)" -eq 4 ]
	[ "$(grep -c 'proxy: range bytes=[1-9][0-9]*-' "$BATS_TEST_TMPDIR/reg-proxy/proxy.log")" -eq 4 ]
	[ "$(names)" = "$PROXY/public/multi:1" ]
	layer_file data/blob
}

@test "a partial blob left by a killed pull is resumed; a bad one is dropped" {
	eval "$("$FIX/registry.sh" proxy "$PLAIN_DIR" "$BATS_TEST_TMPDIR/reg-proxy")"
	L=$BATS_FILE_TMPDIR/img/layout
	m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "multi") | .digest' "$L/index.json")
	big=$(jq -r '.layers | max_by(.size) | .digest' "$L/blobs/sha256/${m#sha256:}")
	size=$(jq -r '.layers | max_by(.size) | .size' "$L/blobs/sha256/${m#sha256:}")
	half=$((size / 2))
	mkdir -p "$S/tmp"
	head -c "$half" "$L/blobs/sha256/${big#sha256:}" >"$S/tmp/${big#sha256:}.partial"
	run capsa pull --quiet --storage "$S" "$PROXY/public/multi:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# the first request for that blob already asked for the second half
	grep -q "proxy: range bytes=$half- /v2/public/multi/blobs/$big" "$BATS_TEST_TMPDIR/reg-proxy/proxy.log"
	[ ! -e "$S/tmp/${big#sha256:}.partial" ]

	# garbage of the right length: a digest mismatch that removes it, then a clean pull
	S=$BATS_TEST_TMPDIR/s2
	mkdir -p "$S/tmp"
	head -c "$half" /dev/zero >"$S/tmp/${big#sha256:}.partial"
	run capsa pull --quiet --storage "$S" "$PLAIN_REG/public/multi:1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"digest mismatch"* ]]
	nothing_registered
	[ ! -e "$S/tmp/${big#sha256:}.partial" ]
	run capsa pull --quiet --storage "$S" "$PLAIN_REG/public/multi:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "blob downloads follow redirects to another host" {
	eval "$("$FIX/registry.sh" proxy "$PLAIN_DIR" "$BATS_TEST_TMPDIR/reg-proxy" redirect)"
	run capsa pull --quiet --storage "$S" "$PROXY/public/multi:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(grep -c '"GET /v2/public/multi/blobs/sha256:[0-9a-f]* HTTP/1.1" 307' "$BATS_TEST_TMPDIR/reg-proxy/proxy.log")" -eq 4 ]
	layer_file data/blob
}

@test "two pulls of images sharing layers at the same time both succeed" {
	capsa pull --quiet --storage "$S" "$PLAIN_REG/public/multi:1" >"$BATS_TEST_TMPDIR/a.out" 2>&1 &
	a=$!
	capsa pull --quiet --storage "$S" "$PLAIN_REG/public/docker:1" >"$BATS_TEST_TMPDIR/b.out" 2>&1 &
	b=$!
	wait "$a" || { cat "$BATS_TEST_TMPDIR/a.out"; false; }
	wait "$b" || { cat "$BATS_TEST_TMPDIR/b.out"; false; }
	[ "$(names | sort | tr '\n' ' ')" = "$PLAIN_REG/public/docker:1 $PLAIN_REG/public/multi:1 " ]
	[ "$(ls -d "$S"/layers/*/ | wc -l)" -eq 3 ]
	[ -z "$(ls "$S/tmp")" ]
}

@test "run pulls an image missing from the store; --pull never refuses; --pull always fetches again" {
	R=$BATS_TEST_TMPDIR/state
	run capsa --root "$R" --storage "$S" run --rm --network none --pull never "$PLAIN_REG/public/multi:1" /bin/busybox true
	[ "$status" -eq 125 ]
	nothing_registered
	run capsa --root "$R" --storage "$S" run --rm --network none "$PLAIN_REG/public/multi:1" /bin/busybox echo pulled-and-ran
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *pulled-and-ran* ]]
	[ "$(names)" = "$PLAIN_REG/public/multi:1" ]
	run capsa --root "$R" --storage "$S" run --rm --network none --pull always "$PLAIN_REG/public/multi:1" /bin/busybox echo again
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *again* ]]
	run capsa --root "$R" --storage "$S" run --rm --network none "$PLAIN_REG/public/nothere:1" /bin/busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *nothere* ]]
	[ -z "$(capsa --root "$R" --storage "$S" ps -aq)" ]
}

@test "run --platform: an image of the name for another platform is pulled for this one, or refused with --pull never" {
	[ "$(uname -m)" = x86_64 ] || skip "expects an amd64 host"
	R=$BATS_TEST_TMPDIR/state
	capsa pull --quiet --storage "$S" "$PLAIN_REG/public/multiarch:1"
	arch() { capsa --storage "$S" image inspect "$PLAIN_REG/public/multiarch:1" | jq -r '.[0].Architecture'; }
	[ "$(arch)" = amd64 ]
	run capsa --root "$R" --storage "$S" run --rm --network none --pull never --platform linux/arm64 \
		"$PLAIN_REG/public/multiarch:1" /bin/true
	[ "$status" -eq 125 ]
	[[ "$output" == *"is for linux/amd64, not the --platform linux/arm64 asked for"* ]]
	[ "$(arch)" = amd64 ]
	# The same name for the platform asked: what docker does (the arm64
	# image has no program to run here; only the pull matters).
	capsa --root "$R" --storage "$S" run --rm --network none --platform linux/arm64 \
		"$PLAIN_REG/public/multiarch:1" /bin/true 2>/dev/null || true
	[ "$(arch)" = arm64 ]
	# Matching it, or an alias of it: no pull, nothing refused.
	out=$(capsa --root "$R" --storage "$S" run --rm --network none --pull never --platform linux/aarch64 \
		"$PLAIN_REG/public/multiarch:1" /bin/true 2>&1) || true
	[[ "$out" != *"not the --platform"* ]]
	[[ "$out" == *"/bin/true"* ]] # it got as far as the exec
	[ -z "$(capsa --root "$R" --storage "$S" ps -aq)" ]
}

@test "pull: layer file owners land as the mapped host ids (subordinate ranges rootless)" {
	local imgs=$BATS_TEST_DIRNAME/../../build/fixtures/images/layouts/owners
	[ -d "$imgs" ] || skip "no image fixtures (tests/fixtures/mkimages.sh)"
	skopeo copy --quiet --dest-tls-verify=false "oci:$imgs" "docker://$PLAIN_REG/public/owners:1"
	run capsa pull --quiet --storage "$S" "$PLAIN_REG/public/owners:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	local want u g su sg
	u=$(id -u) g=$(id -g)
	if [ "$u" -eq 0 ]; then
		want="0:0 1000:1000 65534:65534"
	elif su=$(awk -F: -v n="$(id -un)" -v i="$u" '($1 == n || $1 == i) { print $2; exit }' /etc/subuid 2>/dev/null) &&
		sg=$(awk -F: -v n="$(id -un)" -v i="$u" '($1 == n || $1 == i) { print $2; exit }' /etc/subgid 2>/dev/null) &&
		[ -n "$su" ] && [ -n "$sg" ]; then
		want="$u:$g $((su + 999)):$((sg + 999)) $((su + 65533)):$((sg + 65533))"
	else
		want="$u:$g $u:$g $u:$g"
		[ "$(grep -c squashed <<<"$output")" -eq 1 ] || { echo "want one warning: $output"; false; }
	fi
	local d got=""
	d=$(dirname "$(compgen -G "$S/layers/*/diff/owned")")
	for f in root user nobody; do
		got+="$(stat -c %u:%g "$d/owned/$f/f") "
	done
	[ "$got" = "$want " ] || { echo "owners on disk: $got, want $want"; false; }
	# rmi removes them all, even those of subordinate ids.
	run capsa rmi --storage "$S" "$PLAIN_REG/public/owners:1"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -z "$(find "$S/layers" "$S/tmp" -mindepth 1)" ] || { find "$S/layers"; false; }
}
