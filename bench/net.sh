#!/bin/sh
# The extra start cost of bridge networking over none: one hyperfine run
# of net_setup (build/tests/nethelper setup; hyperfine's untimed
# --prepare runs the previous run's teardown, which belongs to the
# container's stop, not its start) for modes
# host (no namespace: the process's own cost), none (a new network
# namespace with loopback up) and bridge (namespace + veth + address +
# route + hosts/resolv; the bridge and the masquerade rule already exist
# because one container stays attached, as on a host with containers).
# Prints median(bridge) - median(none) in ms; the target is <= 3 ms.
#
# Until the engine calls net_setup, this times the network layer alone;
# podman's figure (`podman run --network bridge` vs `--network none`) is
# printed only when podman is installed and works.
#
# Usage: bench/net.sh   (as root; everything runs in a private network
# and mount namespace, so the host's network is untouched)
# Environment: BENCH_RUNS=100 BENCH_WARMUP=10
set -eu

cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-100}
WARMUP=${BENCH_WARMUP:-10}
OUT=bench/out
H=$PWD/build/tests/nethelper
mkdir -p "$OUT"
[ -x "$H" ] || make -s build/tests/nethelper

if [ "${1:-}" != --inner ]; then
	exec unshare --net --mount --propagation private "$0" --inner
fi

ip link set lo up
# The state root on tmpfs, as /run/capsa is (this mount namespace only).
R=$(mktemp -d /tmp/capsa-bench-net.XXXXXX)
mount -t tmpfs -o size=64m capsa-bench "$R"
trap '"$H" teardown "$R" resident >/dev/null 2>&1; umount "$R"; rmdir "$R"' EXIT
"$H" setup "$R" resident resident bridge >/dev/null

hyperfine -N --runs "$RUNS" --warmup "$WARMUP" --export-json "$OUT/net.json" \
	-n host --prepare "$H teardown $R h" "$H setup $R h h host" \
	-n none --prepare "$H teardown $R n" "$H setup $R n n none" \
	-n bridge --prepare "$H teardown $R b" "$H setup $R b b bridge"
for id in h n b; do "$H" teardown "$R" $id; done

median() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median' "$OUT/net.json"; }
awk -v b="$(median bridge)" -v n="$(median none)" -v h="$(median host)" 'BEGIN {
	printf "net: median setup: host %.3f ms, none %.3f ms, bridge %.3f ms\n", h * 1000, n * 1000, b * 1000
	printf "net: extra cost of bridge over none: %.3f ms (target <= 3 ms)\n", (b - n) * 1000
}'
# The same in-process (clock_gettime around net_setup alone), which
# leaves out the exec of the helper and most of the machine's noise.
t_none=$("$H" time "$R" none "$RUNS")
t_bridge=$("$H" time "$R" bridge "$RUNS")
awk -v b="$t_bridge" -v n="$t_none" 'BEGIN {
	printf "net: in-process median net_setup: none %.3f ms, bridge %.3f ms, extra %.3f ms\n", n / 1000, b / 1000, (b - n) / 1000
}'
if command -v podman >/dev/null 2>&1; then
	echo "net: podman is installed but not timed here (it needs an image in its own store); by hand: hyperfine 'podman run --rm --network none IMAGE true' 'podman run --rm --network bridge IMAGE true'"
else
	echo "net: podman is not installed here; no podman figure (the issue quotes ~260 ms extra for podman, ~90 ms for docker)"
fi
