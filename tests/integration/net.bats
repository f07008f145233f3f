#!/usr/bin/env bats
# Networking (src/net): every test runs its body in a network and mount
# namespace of its own (unshare), so bridges, veths and nf_tables rules
# exist only there and vanish with it; traffic stays inside.  Until the
# engine calls net_setup, build/tests/nethelper does (same library), and
# nsenter stands in for a container's process.

load helpers

setup() {
	common_setup
	case "$BATS_TEST_DESCRIPTION" in
	*pasta* | *slirp4netns* | *"invalid CIDR"* | *"without privilege"* | *rootless*) ;; # no privilege needed
	*) require_root "network namespaces, bridges and nf_tables" ;;
	esac
	NETH=$REPO/build/tests/nethelper
	CAPSA=$REPO/build/capsa
	R=$TEST_DIR/netstate
	mkdir -p "$R" "$TEST_DIR/www"
	echo hello-from-web >"$TEST_DIR/www/index.html"
	export NETH CAPSA R TEST_DIR
	export -f retry
}

# inns SCRIPT: run bash SCRIPT in a fresh net+mount namespace with lo up;
# background jobs it starts are killed at its exit.
inns() {
	unshare --net --mount --propagation private bash -c '
		set -e
		ip link set lo up
		trap "kill \$(jobs -p) 2>/dev/null || true" EXIT
		field() { sed -n "s/^$1=//p" "$2" | head -n1; }
		# wait_listen NETNS|- PORT: until a TCP server listens there
		wait_listen() {
			local i
			for i in $(seq 500); do
				if [ "$1" = - ]; then ss -ltnH; else nsenter --net="$1" ss -ltnH; fi |
					grep -q ":$2 " && return 0
				sleep 0.01
			done
			echo "nothing listens on port $2"; return 1
		}
		# wait_published PORT: until the published port answers with a hostname
		wait_published() {
			local i
			for i in $(seq 200); do
				wget -qO- "http://127.0.0.1:$1/hostname" 2>/dev/null && return 0
				sleep 0.05
			done
			echo "nothing answers on published port $1"; return 1
		}
		# nothing of ours left in this namespace: no veth, no rule, no allocation
		# count_veths N: until exactly N host ends are left.  The kernel
		# destroys a pair with its container namespace asynchronously
		# (teardown does not wait), so retry (helpers.bash, exported).
		veths_are() { [ "$(ip -o link | grep -c " cv")" -eq "$1" ]; }
		count_veths() {
			retry veths_are "$1" || { echo "veths: want $1: $(ip -o link | grep " cv")"; return 1; }
		}
		assert_no_leftovers() {
			count_veths 0 || { echo "veth left"; return 1; }
			if nft list table ip capsa 2>/dev/null | grep -Eq "dnat|masquerade"; then
				echo "rules left:"; nft list table ip capsa; return 1; fi
			n=$("$CAPSA" network --root "$R" inspect capsa | jq ".[0].containers | length")
			[ "$n" = 0 ] || { echo "allocations left: $n"; return 1; }
			left=$(ls "$R/net" | grep -v "^ports$" || true)
			[ -z "$left" ] || { echo "records left: $left"; return 1; }
			[ -z "$(ls "$R/net/ports")" ] || { echo "port claims left"; return 1; }
		}
		'"$1"
}

@test "net: container reaches the gateway over TCP, and has eth0, lo and a default route" {
	run inns '
		"$NETH" setup "$R" c1 web bridge >"$TEST_DIR/c1"
		ns=$(field netns "$TEST_DIR/c1")
		busybox httpd -f -p 10.88.0.1:8000 -h "$TEST_DIR/www" &
		wait_listen - 8000
		nsenter --net="$ns" ip -o -4 addr show dev eth0 | grep -q "10.88.0.2/16"
		nsenter --net="$ns" ip route | grep -q "default via 10.88.0.1"
		nsenter --net="$ns" busybox wget -qO- http://10.88.0.1:8000/
		"$NETH" teardown "$R" c1
		assert_no_leftovers
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *hello-from-web* ]]
}

@test "net: two containers reach each other by IP and by name" {
	run inns '
		"$NETH" setup "$R" id1 web bridge >"$TEST_DIR/c1"
		"$NETH" setup "$R" id2 client bridge >"$TEST_DIR/c2"
		ip1=$(field ip "$TEST_DIR/c1"); ip2=$(field ip "$TEST_DIR/c2")
		[ "$ip1" != "$ip2" ]
		ns1=$(field netns "$TEST_DIR/c1"); ns2=$(field netns "$TEST_DIR/c2")
		nsenter --net="$ns1" busybox httpd -f -p 80 -h "$TEST_DIR/www" & srv=$!
		wait_listen "$ns1" 80
		nsenter --net="$ns2" busybox wget -qO- "http://$ip1/"
		# by name: the network hosts file, bound at /etc/hosts as the engine does
		mount --bind "$(field hosts "$TEST_DIR/c2")" /etc/hosts
		grep -q "^$ip1	web id1$" /etc/hosts
		nsenter --net="$ns2" busybox wget -qO- "http://web/"
		# as in a container: its processes are gone before its teardown
		# (the veth goes with the namespace, once nothing is in it)
		kill $srv; wait $srv || true
		"$NETH" teardown "$R" id1
		! grep -q web /etc/hosts
		"$NETH" teardown "$R" id2
		assert_no_leftovers
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c hello-from-web <<<"$output")" -eq 2 ]
}

@test "net: a published port reaches the container, from loopback and the gateway address" {
	run inns '
		"$NETH" setup "$R" c1 web bridge -p 8080:80 -p 127.0.0.1:9090:80 -p 80 >"$TEST_DIR/c1"
		grep -q "port=0.0.0.0:8080->80/tcp" "$TEST_DIR/c1"
		# -p 80 (and -P): a free host port is picked
		picked=$(sed -n "s/^port=0.0.0.0:\([0-9]*\)->80\/tcp$/\1/p" "$TEST_DIR/c1" | grep -v "^8080$")
		[ -n "$picked" ]
		nsenter --net="$(field netns "$TEST_DIR/c1")" busybox httpd -f -p 80 -h "$TEST_DIR/www" & srv=$!
		wait_listen "$(field netns "$TEST_DIR/c1")" 80
		busybox wget -qO- http://127.0.0.1:8080/
		busybox wget -qO- http://10.88.0.1:8080/
		busybox wget -qO- http://127.0.0.1:9090/
		busybox wget -qO- "http://127.0.0.1:$picked/"
		"$NETH" ports "$R" c1
		kill $srv; wait $srv || true # the processes of a container end first
		"$NETH" teardown "$R" c1
		! busybox wget -T 1 -qO- http://127.0.0.1:8080/ 2>/dev/null
		assert_no_leftovers
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c hello-from-web <<<"$output")" -eq 4 ]
	[[ "$output" == *"127.0.0.1:9090->80/tcp"* ]]
}

@test "net: outbound traffic is masqueraded while containers exist, and the rule goes with the last" {
	run inns '
		"$NETH" setup "$R" c1 a bridge >"$TEST_DIR/c1"
		nft list table ip capsa | grep -q "ip saddr 10.88.0.0/16 ip daddr != 10.88.0.0/16 masquerade"
		"$NETH" setup "$R" c2 b bridge >/dev/null
		"$NETH" teardown "$R" c1
		nft list table ip capsa | grep -q masquerade
		"$NETH" teardown "$R" c2
		assert_no_leftovers
	'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "net: 50 concurrent attachments get 50 distinct addresses, all released" {
	run inns '
		for i in $(seq 1 50); do
			"$NETH" setup "$R" c$i n$i bridge >"$TEST_DIR/r$i" &
		done
		wait
		for i in $(seq 1 50); do field ip "$TEST_DIR/r$i"; done | sort | uniq | wc -l >"$TEST_DIR/n"
		echo "distinct: $(cat "$TEST_DIR/n")"
		[ "$(cat "$TEST_DIR/n")" -eq 50 ]
		[ "$(ip -o link | grep -c " cv")" -eq 50 ]
		for i in $(seq 1 50); do "$NETH" teardown "$R" c$i & done
		wait
		assert_no_leftovers
	'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "net: teardown is idempotent and repairs what is already partly gone" {
	run inns '
		"$NETH" setup "$R" c1 web bridge -p 8081:80 >"$TEST_DIR/c1"
		# as after a crash: the veth and the namespace are gone, the
		# address, rules, port claim and record are not
		ip link del "$(jq -r .veth "$R/net/c1.json")"
		umount "$(field netns "$TEST_DIR/c1")"
		rm "$(field netns "$TEST_DIR/c1")"
		"$NETH" teardown "$R" c1
		"$NETH" teardown "$R" c1
		"$NETH" teardown "$R" never-made
		assert_no_leftovers
	'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "net: none has only loopback, ns:PATH joins, host uses the host's" {
	run inns '
		"$NETH" setup "$R" n1 a none >"$TEST_DIR/n1"
		ns=$(field netns "$TEST_DIR/n1")
		nsenter --net="$ns" ip -o link | awk "{print \$2}" | tr -d "\n"; echo
		nsenter --net="$ns" ip -o addr show lo | grep -q 127.0.0.1
		"$NETH" setup "$R" n2 b "ns:$ns" >"$TEST_DIR/n2"
		[ "$(field netns "$TEST_DIR/n2")" = "$ns" ]
		"$NETH" setup "$R" h1 c host >"$TEST_DIR/h1"
		[ -z "$(field netns "$TEST_DIR/h1")" ]
		[ "$(field hosts "$TEST_DIR/h1")" = /etc/hosts ]
		"$NETH" teardown "$R" n2
		[ -e "$ns" ]
		"$NETH" teardown "$R" n1
		[ ! -e "$ns" ]
		"$NETH" teardown "$R" h1
		assert_no_leftovers
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"lo:"* ]]
	[[ "$output" != *"eth0"* ]]
}

@test "net: a namespace others joined outlives its owner: the owner's teardown deletes its veth itself" {
	run inns '
		"$NETH" setup "$R" o1 owner bridge >"$TEST_DIR/o1"
		ns=$(field netns "$TEST_DIR/o1")
		"$NETH" setup "$R" j1 joiner "ns:$ns" >/dev/null
		[ -f "$R/net/o1.joined/j1" ]
		# the joiner has a process in the namespace, which keeps it alive
		nsenter --net="$ns" sleep 600 & holder=$!
		"$NETH" teardown "$R" o1
		# at once, not when the namespace dies: its address is free again
		[ "$(ip -o link | grep -c " cv")" -eq 0 ]
		kill $holder; wait $holder || true
		"$NETH" teardown "$R" j1
		assert_no_leftovers
	'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "net: resolv.conf drops loopback nameservers" {
	run inns '
		printf "nameserver 127.0.0.53\nsearch example.org\n" >"$TEST_DIR/resolv"
		NETHELPER_RESOLV=$TEST_DIR/resolv "$NETH" setup "$R" c1 a none >"$TEST_DIR/c1"
		cat "$(field resolv "$TEST_DIR/c1")"
		"$NETH" teardown "$R" c1
		printf "nameserver 192.0.2.53\n" >"$TEST_DIR/resolv"
		NETHELPER_RESOLV=$TEST_DIR/resolv "$NETH" setup "$R" c2 a none >"$TEST_DIR/c2"
		cat "$(field resolv "$TEST_DIR/c2")"
		"$NETH" teardown "$R" c2
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *127.0.0.53* ]]
	[[ "$output" == *"search example.org"* ]]
	[[ "$output" == *"nameserver 192.0.2.53"* ]]
}

@test "net: named networks: create, ls, inspect, containers on it, rm refused while in use, prune" {
	run inns '
		"$CAPSA" network --root "$R" create --subnet 10.123.0.0/24 front
		"$CAPSA" network --root "$R" create back
		"$CAPSA" network --root "$R" ls
		"$CAPSA" network --root "$R" inspect back | jq -r ".[0].subnet"
		"$NETH" setup "$R" c1 web front >"$TEST_DIR/c1"
		[ "$(field ip "$TEST_DIR/c1")" = 10.123.0.2 ]
		nsenter --net="$(field netns "$TEST_DIR/c1")" ip route | grep -q "default via 10.123.0.1"
		ip -o addr show capsa1 | grep -q 10.123.0.1/24
		"$CAPSA" network --root "$R" inspect front | jq -r ".[0].containers[0].name"
		! "$CAPSA" network --root "$R" rm front 2>"$TEST_DIR/err"
		cat "$TEST_DIR/err"
		"$CAPSA" network --root "$R" prune
		"$NETH" teardown "$R" c1
		"$CAPSA" network --root "$R" rm front
		! ip link show capsa1 2>/dev/null
		"$CAPSA" network --root "$R" ls -q
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"10.89.0.0/24"* ]]
	[[ "$output" == *"front: 1 container(s) attached"* ]]
	# prune removed "back" (no containers), not "front"
	[ "$(tail -n 1 <<<"$output")" = capsa ]
}

@test "net: bad input: invalid CIDR, overlapping subnet, unknown network, duplicate name" {
	run "$CAPSA" network --root "$R" create --subnet 10.1.2.3/16 x
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid subnet "10.1.2.3/16": host bits set'* ]]
	run "$CAPSA" network --root "$R" create --subnet 300.0.0.0/8 x
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid subnet"* ]]
	run "$CAPSA" network --root "$R" create --subnet 10.88.5.0/24 x
	[ "$status" -eq 125 ]
	[[ "$output" == *"network x: subnet 10.88.5.0/24 overlaps network capsa (10.88.0.0/16)"* ]]
	run "$CAPSA" network --root "$R" create 'bad name'
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid network name'* ]]
	run "$CAPSA" network --root "$R" create y
	[ "$status" -eq 0 ]
	run "$CAPSA" network --root "$R" create y
	[ "$status" -eq 125 ]
	[[ "$output" == *"network y: already exists"* ]]
	run "$CAPSA" network --root "$R" inspect nope
	[ "$status" -eq 125 ]
	[[ "$output" == *"network nope: no such network"* ]]
	run "$CAPSA" network --root "$R" ls -q
	[ "$output" = "$(printf 'capsa\ny')" ]
	run "$CAPSA" network --root "$R" rm capsa
	[ "$status" -eq 125 ]
}

@test "net: bad input: host port in use, unknown network, bad -p: nothing left half-made" {
	run inns '
		busybox nc -l -p 8080 >/dev/null &
		wait_listen - 8080
		! "$NETH" setup "$R" c1 web bridge -p 8080:80 2>"$TEST_DIR/e1"
		cat "$TEST_DIR/e1"
		"$NETH" setup "$R" c2 web bridge -p 8082:80 >/dev/null
		! "$NETH" setup "$R" c3 other bridge -p 8082:80 2>"$TEST_DIR/e2"
		cat "$TEST_DIR/e2"
		"$NETH" teardown "$R" c2
		! "$NETH" setup "$R" c4 x nosuchnet 2>"$TEST_DIR/e3"
		cat "$TEST_DIR/e3"
		! "$NETH" setup "$R" c5 x bridge -p 99999:80 2>"$TEST_DIR/e4"
		cat "$TEST_DIR/e4"
		assert_no_leftovers
		[ ! -e "$R/net/c1.netns" ]
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"publish 0.0.0.0:8080->80/tcp: host port 8080/tcp: address already in use"* ]]
	[[ "$output" == *"host port already published by container c2"* ]]
	[[ "$output" == *"network nosuchnet: no such network"* ]]
	[[ "$output" == *'invalid port "99999:80"'* ]]
}

@test "net: pasta (rootless) reaches a server on the test namespace's loopback" {
	command -v pasta >/dev/null || skip "pasta is not installed (Debian package passt)"
	# The test's own user+net namespace stands for the host: an uplink
	# with a default route (pasta copies it) and a server on 127.0.0.1.
	run unshare --user --map-root-user --net --mount bash -c '
		set -e
		trap "kill \$(jobs -p) 2>/dev/null || true" EXIT
		ip link set lo up
		ip link add up0 type veth peer name up1
		ip addr add 192.0.2.1/24 dev up0
		ip link set up0 up; ip link set up1 up
		ip route add default via 192.0.2.254
		busybox httpd -f -p 127.0.0.1:8000 -h "$TEST_DIR/www" &
		for i in $(seq 500); do ss -ltnH | grep -q ":8000 " && break; sleep 0.01; done
		# the container: its own user and network namespace
		unshare --user --map-root-user --net sleep 60 & pid=$!
		while [ "$(readlink /proc/$pid/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do sleep 0.01; done
		"$NETH" setup "$R" c1 web pasta | grep -q runtime_netns=1
		"$NETH" attach "$R" c1 $pid
		helper=$(jq -r .helper "$R/net/c1.json")
		nsenter -t $pid -U -n --preserve-credentials ip -o -4 addr show | grep -q 192.0.2.1
		nsenter -t $pid -U -n --preserve-credentials busybox wget -qO- http://192.0.2.254:8000/
		"$NETH" teardown "$R" c1
		for i in $(seq 100); do kill -0 $helper 2>/dev/null || break; sleep 0.05; done
		! kill -0 $helper 2>/dev/null
		[ ! -e "$R/net/c1.json" ]
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *hello-from-web* ]]
	# No pasta of this test outlives its teardown.
	! pgrep -f "$R/net/" >/dev/null
}

# gone PID: the process has exited (a zombie not yet reaped by the
# machine's init counts: it holds no socket and no namespace).
gone() {
	! kill -0 "$1" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
export -f gone

@test "net: slirp4netns (rootless) reaches a server on the test namespace's loopback, -p through its API socket, stops at teardown" {
	command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
	mkdir -p "$TEST_DIR/inside"
	echo hello-from-inside >"$TEST_DIR/inside/index.html"
	# The test's own user+net namespace stands for the host, with a
	# server on its 127.0.0.1 (slirp4netns maps 10.0.2.2 there).
	run unshare --user --map-root-user --net --mount bash -c '
		set -e
		trap "kill \$(jobs -p) 2>/dev/null || true" EXIT
		ip link set lo up
		busybox httpd -f -p 127.0.0.1:8000 -h "$TEST_DIR/www" &
		for i in $(seq 500); do ss -ltnH | grep -q ":8000 " && break; sleep 0.01; done
		# the container: its own user and network namespace
		unshare --user --map-root-user --net sleep 60 & pid=$!
		while [ "$(readlink /proc/$pid/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do sleep 0.01; done
		"$NETH" setup "$R" c1 web slirp4netns -p 127.0.0.1:8081:80 | grep -q runtime_netns=1
		"$NETH" attach "$R" c1 $pid
		helper=$(jq -r .helper "$R/net/c1.json")
		[ "$helper" -gt 0 ]
		inc() { nsenter -t $pid -U -n --preserve-credentials "$@"; }
		inc ip -o -4 addr show | grep -q "10.0.2.100/24"
		inc busybox wget -qO- http://10.0.2.2:8000/
		# -p: a server in the container, reached on the host port
		nsenter -t $pid -U -n --preserve-credentials busybox httpd -f -p 80 -h "$TEST_DIR/inside" &
		for i in $(seq 500); do inc ss -ltnH | grep -q ":80 " && break; sleep 0.01; done
		busybox wget -qO- http://127.0.0.1:8081/
		# the API socket is gone once the ports are forwarded
		[ -z "$(ls "$R/net" | grep slirp || true)" ]
		"$NETH" teardown "$R" c1
		retry gone $helper
		[ ! -e "$R/net/c1.json" ]
		! busybox wget -T 1 -qO- http://127.0.0.1:8081/ 2>/dev/null
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *hello-from-web* ]]
	[[ "$output" == *hello-from-inside* ]]
}

@test "net: bridge mode without privilege fails clearly and leaves nothing" {
	require_rootless
	run "$NETH" setup "$R" c1 web bridge -p 8085:80
	echo "$output"
	[ "$status" -eq 1 ]
	# The bridge is made first; where the host already has one (capsa
	# run as root on this machine), the namespace is the first refusal.
	[[ "$output" == *"create bridge capsa0: operation not permitted"* ||
		"$output" == *"new network namespace: operation not permitted"* ]]
	[ -z "$(ls "$R/net" | grep -v '^ports$')" ]
	[ -z "$(ls "$R/net/ports")" ]
	run "$CAPSA" network --root "$R" inspect capsa
	[ "$(jq '.[0].containers | length' <<<"$output")" -eq 0 ]
}

@test "net: capsa run as root: --network pasta is refused clearly and leaves nothing" {
	require_root "the refusal is for root"
	command -v pasta >/dev/null || skip "pasta is not installed"
	run inns '
		E="$CAPSA --root $R --storage $TEST_DIR/store"
		rc=0
		$E run --rm --network pasta --rootfs "$CAPSA_ROOTFS" true 2>"$TEST_DIR/err" || rc=$?
		echo "status $rc"
		cat "$TEST_DIR/err"
		[ -z "$($E ps -aq)" ]
		! pgrep -u 0 -f "^(/usr/bin/)?(pasta|passt)" >/dev/null || pgrep -af "pasta|passt"
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"status 125"* ]]
	[[ "$output" == *"--network pasta: not as root"* ]]
}

@test "net: capsa run on the bridge: gateway, by name, -p from loopback, container: mode, nothing left after rm" {
	run inns '
		E="$CAPSA --root $R --storage $TEST_DIR/store"
		$E run -d --name web -p 8080:80 --network bridge --rootfs "$CAPSA_ROOTFS" \
			httpd -f -p 80 -h /etc >/dev/null
		busybox httpd -f -p 10.88.0.1:8000 -h "$TEST_DIR/www" & # the bridge exists now
		wait_listen - 8000
		$E run --rm --network bridge --rootfs "$CAPSA_ROOTFS" wget -qO- http://10.88.0.1:8000/
		for i in $(seq 200); do # the detached httpd may still be starting
			pub=$(wget -qO- http://127.0.0.1:8080/hostname 2>/dev/null) && break
			sleep 0.05
		done
		echo "published: $pub"
		echo "by name: $($E run --rm --network bridge --rootfs "$CAPSA_ROOTFS" wget -qO- http://web/hostname)"
		a=$($E run --rm --network container:web --rootfs "$CAPSA_ROOTFS" ip -o -4 addr show eth0)
		[[ "$a" == *10.88.0.* ]] || { echo "container: mode sees no bridge address: $a"; exit 1; }
		# inspect: the address eth0 has, the gateway, the published port.
		ns=$($E inspect web | jq -c ".[0] | [.HostConfig.NetworkMode, .NetworkSettings.IPAddress, .NetworkSettings.Gateway, .NetworkSettings.IPPrefixLen, .NetworkSettings.Ports[\"80/tcp\"][0].HostPort, (.NetworkSettings.Networks | keys)]")
		echo "inspect: $ns"
		ip=$(echo "$ns" | jq -r ".[1]")
		[[ "$a" == *" $ip/"* ]] || { echo "inspect IPAddress $ip is not eth0s: $a"; exit 1; }
		[ "$(echo "$ns" | jq -c "del(.[1])")" = "[\"bridge\",\"10.88.0.1\",16,\"8080\",[\"capsa\"]]" ]
		$E create --name quiet --network none --rootfs "$CAPSA_ROOTFS" true >/dev/null
		[ "$($E inspect quiet | jq -c "[.[0].HostConfig.NetworkMode, .[0].NetworkSettings.IPAddress]")" = "[\"none\",\"\"]" ]
		$E rm quiet >/dev/null
		$E rm -f web >/dev/null
		if $E run --rm --network none -p 8081:80 --rootfs "$CAPSA_ROOTFS" true 2>"$TEST_DIR/err"; then
			echo "-p without a network was accepted"; exit 1
		fi
		cat "$TEST_DIR/err"
		assert_no_leftovers
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *hello-from-web* ]]
	[[ "$output" == *"published: "[0-9a-f]* ]]
	[[ "$output" == *"by name: "[0-9a-f]* ]]
	[[ "$output" == *"-p: publishing needs a network"* ]]
}

@test "net: capsa run: the default network is the bridge; stop releases address, veth and rules, start makes them again" {
	run inns '
		E="$CAPSA --root $R --storage $TEST_DIR/store"
		$E run --rm --rootfs "$CAPSA_ROOTFS" ip -o -4 addr show eth0 | grep -q "inet 10.88.0."
		$E run -d --name web -p 8080:80 --rootfs "$CAPSA_ROOTFS" httpd -f -p 80 -h /etc >/dev/null
		wait_published 8080
		v1=$(jq -r .veth "$R"/net/*.json)
		echo "port: $($E port web)"
		echo "port 80: $($E port web 80/tcp)"
		! $E port web 81 2>"$TEST_DIR/err"
		cat "$TEST_DIR/err"
		$E stop -t 1 web >/dev/null
		$E ps -a | grep -Eq "Exited .* web$"
		assert_no_leftovers
		[ -z "$($E port web)" ]
		! busybox wget -T 1 -qO- http://127.0.0.1:8080/ 2>/dev/null
		$E start web >/dev/null
		wait_published 8080
		count_veths 1
		# the host end is named per start: a restart never meets the
		# previous pair, which the kernel may not have destroyed yet
		v2=$(jq -r .veth "$R"/net/*.json)
		[ -n "$v1" ] && [ -n "$v2" ] && [ "$v1" != "$v2" ]
		$E rm -f web >/dev/null
		# a foreground run releases at its exit, before rm
		$E run --name fg --rootfs "$CAPSA_ROOTFS" true
		assert_no_leftovers
		$E rm fg >/dev/null
		assert_no_leftovers
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"port: 80/tcp -> 0.0.0.0:8080"* ]]
	[[ "$output" == *"port 80: 0.0.0.0:8080"* ]]
	[[ "$output" == *"no public port '81/tcp' published for web"* ]]
}

@test "net: capsa run: a container whose monitor died is released by the next command" {
	run inns '
		E="$CAPSA --root $R --storage $TEST_DIR/store"
		$E run -d --name c1 --rootfs "$CAPSA_ROOTFS" sleep 600 >/dev/null
		# capsa _monitor ROOT ID INIT_PID ...
		mon=$(pgrep -f "^capsa _monitor $R ")
		pid=$(tr "\0" " " </proc/$mon/cmdline | cut -d" " -f5)
		echo "monitor $mon, init $pid"
		[ -n "$mon" ] && [ "$pid" -gt 0 ]
		kill -9 $mon
		kill -9 $pid
		for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
		[ "$(ip -o link | grep -c " cv")" -eq 1 ] # nobody released it yet
		$E ps -a | grep -E "Exited .* c1$"
		assert_no_leftovers
		$E rm c1 >/dev/null
	'
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "net: capsa run -P publishes the image's ExposedPorts on free host ports" {
	export IMAGES=${CAPSA_IMAGES:-$REPO/build/fixtures/images}
	[ -f "$IMAGES/single.oci.tar" ] || skip "no test images (tests/fixtures/mkimages.sh)"
	run inns '
		E="$CAPSA --root $R --storage $TEST_DIR/store"
		$E load -i "$IMAGES/single.oci.tar" >/dev/null
		$E run -d -P --name p localhost/capsa-test/single:1 "httpd -f -p 8080 -h /etc" >/dev/null
		$E port p
		hp=$($E port p 8080 | sed "s/.*://")
		[ "$hp" -gt 0 ]
		wait_published "$hp"
		$E rm -f p >/dev/null
		assert_no_leftovers
	'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ 8080/tcp\ -\>\ 0\.0\.0\.0:[0-9]+ ]]
}

# Rootless, capsa runs in the host's network namespace: pasta makes
# nothing there but sockets; the only traffic goes to the host's loopback.
@test "net: capsa run rootless: pasta by default reaches the host's loopback, -p through pasta, pasta stops with the container" {
	require_rootless
	command -v pasta >/dev/null || skip "pasta is not installed (Debian package passt)"
	E="$CAPSA --root $R --storage $TEST_DIR/store"
	# our server on a free loopback port
	for port in $(shuf -i 20000-60000 -n 20); do
		ss -ltnH | grep -q ":$port " && continue
		busybox httpd -f -p "127.0.0.1:$port" -h "$TEST_DIR/www" & srv=$!
		break
	done
	for i in $(seq 200); do ss -ltnH | grep -q "127.0.0.1:$port " && break; sleep 0.02; done
	# the container reaches the host's loopback through pasta's gateway address
	run $E run --rm --rootfs "$CAPSA_ROOTFS" sh -c \
		"wget -qO- http://\$(ip route | sed -n 's/^default via \([0-9.]*\).*/\1/p'):$port/"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *hello-from-web* ]]
	# -p through pasta, on a free loopback port capsa picks
	$E run -d --name web -p 127.0.0.1::80 --rootfs "$CAPSA_ROOTFS" httpd -f -p 80 -h /etc \
		</dev/null >/dev/null 2>"$TEST_DIR/err" || { cat "$TEST_DIR/err"; false; }
	helper=$(jq -r .helper "$R"/net/*.json)
	[ "$helper" -gt 0 ]
	hp=$($E port web 80 | sed -n 's/^127\.0\.0\.1://p')
	[ -n "$hp" ]
	pub=""
	for i in $(seq 200); do
		pub=$(busybox wget -qO- "http://127.0.0.1:$hp/hostname" 2>/dev/null) && break
		sleep 0.05
	done
	kill "$srv"
	echo "published: $pub"
	[ -n "$pub" ]
	$E stop -t 1 web >/dev/null
	for i in $(seq 100); do kill -0 "$helper" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$helper" 2>/dev/null
	[ -z "$(ls "$R/net" | grep -v '^ports$')" ]
	$E start web >/dev/null </dev/null 2>&1 3>&-
	helper2=$(jq -r .helper "$R"/net/*.json)
	[ "$helper2" -gt 0 ] && [ "$helper2" != "$helper" ]
	$E rm -f web >/dev/null
	for i in $(seq 100); do kill -0 "$helper2" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$helper2" 2>/dev/null
	[ -z "$(ls "$R/net" | grep -v '^ports$')" ]
}

# PATH for capsa with every program of the host's but the named ones.
path_without() {
	local bin=$TEST_DIR/bin-$1 f d
	mkdir -p "$bin"
	for d in /usr/local/bin /usr/bin /bin /usr/sbin /sbin; do
		for f in "$d"/*; do
			case "${f##*/}" in pasta* | passt*) continue ;; esac
			[ "$1" = "pasta-slirp4netns" ] && [ "${f##*/}" = slirp4netns ] && continue
			[ -e "$bin/${f##*/}" ] || ln -s "$f" "$bin/${f##*/}"
		done
	done
	echo "$bin"
}

# A free port on the host's loopback with our server on it: $port, $srv.
loopback_server() {
	for port in $(shuf -i 20000-60000 -n 20); do
		ss -ltnH | grep -q ":$port " && continue
		busybox httpd -f -p "127.0.0.1:$port" -h "$TEST_DIR/www" &
		srv=$!
		break
	done
	retry eval "ss -ltnH | grep -q '127.0.0.1:$port '"
}

@test "net: capsa run rootless --network slirp4netns reaches the host's loopback, -p through it, slirp4netns stops with the container" {
	require_rootless
	command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
	E="$CAPSA --root $R --storage $TEST_DIR/store"
	loopback_server
	run $E run --rm --network slirp4netns --rootfs "$CAPSA_ROOTFS" sh -c \
		"ip -o -4 addr show; wget -qO- http://10.0.2.2:$port/"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"10.0.2.100/24"* ]]
	[[ "$output" == *hello-from-web* ]]
	kill "$srv"
	$E run -d --name web --network slirp4netns -p 127.0.0.1::80 --rootfs "$CAPSA_ROOTFS" \
		httpd -f -p 80 -h /etc </dev/null >/dev/null 2>"$TEST_DIR/err" || { cat "$TEST_DIR/err"; false; }
	helper=$(jq -r .helper "$R"/net/*.json)
	[ "$helper" -gt 0 ]
	hp=$($E port web 80 | sed -n 's/^127\.0\.0\.1://p')
	[ -n "$hp" ]
	retry busybox wget -qO- "http://127.0.0.1:$hp/hostname"
	$E rm -f web >/dev/null
	retry gone "$helper"
	[ -z "$(ls "$R/net" | grep -v '^ports$')" ]
}

@test "net: capsa run rootless: slirp4netns when pasta is missing, none with a warning when both are" {
	require_rootless
	command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
	E="$CAPSA --root $R --storage $TEST_DIR/store"
	run env PATH="$(path_without pasta)" $E run --rm --rootfs "$CAPSA_ROOTFS" ip -o -4 addr show
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"tap0"*"10.0.2.100/24"* ]]
	[[ "$output" != *warning* ]]
	run env PATH="$(path_without pasta-slirp4netns)" $E run --rm --rootfs "$CAPSA_ROOTFS" \
		ip -o link show
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: neither pasta (Debian: passt) nor slirp4netns is installed"* ]]
	[[ "$output" == *"lo:"* ]]
	[[ "$output" != *"tap0"* && "$output" != *"eth0"* ]]
	[ -z "$(ls "$R/net" | grep -v '^ports$')" ]
}
