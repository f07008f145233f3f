#!/bin/sh
# The extra start cost of bridge networking over none, end to end: one
# hyperfine run of
#   capsa run --rm --net bridge ROOTFS /bin/true   vs   --net none
#   capsa run -d --rm --net bridge ...             vs   --net none
#     (detached: the start alone; the release at exit is the monitor's)
#   podman run --rm --network bridge IMAGE /bin/true vs --network none
# (podman with its own --root/--runroot and the busybox root filesystem
# imported as an image; it runs its own CNI or netavark plugins).  Then
# net_setup alone, timed in process (build/tests/nethelper).  Prints
# median(bridge) - median(none) for each; capsa's target (the start,
# run -d) is <= 3 ms (the issue quotes ~260 ms extra for podman, ~90 ms
# for docker).
#
# Everything runs in a private network and mount namespace: the bridges,
# veths and NAT rules both make exist only there, and /run/containers and
# /var/lib/cni get a tmpfs of that namespace, so the host is untouched.
# As on a host with containers, one capsa container stays attached to the
# bridge (the bridge and the masquerade rule exist already).
#
# Usage: bench/net.sh   (as root)
# Environment: BENCH_RUNS=50 BENCH_WARMUP=5 PODMAN=podman (empty: skip)
set -eu

cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-50}
WARMUP=${BENCH_WARMUP:-5}
OUT=$PWD/bench/out
CAPSA=$PWD/build/capsa
H=$PWD/build/tests/nethelper
PODMAN=${PODMAN-podman}
mkdir -p "$OUT"
[ "$(id -u)" -eq 0 ] || { echo "net: run as root" >&2; exit 1; }
[ -x "$CAPSA" ] || make -s all
[ -x "$H" ] || make -s build/tests/nethelper

if [ "${1:-}" != --inner ]; then
	exec unshare --net --mount --propagation private "$0" --inner
fi

ip link set lo up
# The state on tmpfs, as /run/capsa is (this mount namespace only).
S=$(mktemp -d /tmp/capsa-bench-net.XXXXXX)
mount -t tmpfs -o size=512m capsa-bench "$S"
for d in /run/containers /var/lib/cni /run/cni; do
	[ -d "$d" ] && mount -t tmpfs -o size=16m bench "$d"
done
ROOTFS=$S/rootfs
R=$S/capsa
pod="$PODMAN --runtime ${PODMAN_RUNTIME:-runc} --root $S/podman --runroot $S/podman-run --storage-driver overlay"
cleanup() {
	for id in $("$CAPSA" --root "$R" ps -aq 2>/dev/null); do
		"$CAPSA" --root "$R" rm -f "$id" >/dev/null 2>&1 || true
	done
	[ -z "$PODMAN" ] || $pod system reset -f >/dev/null 2>&1 || true
	umount -R "$S" 2>/dev/null || umount -l "$S"
	rmdir "$S"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tests/fixtures/mkrootfs.sh "$ROOTFS" >/dev/null
"$CAPSA" --root "$R" run -d --name resident --net bridge --rootfs "$ROOTFS" sleep 100000 \
	</dev/null >/dev/null
c_none="$CAPSA --root $R run --rm --net none --rootfs $ROOTFS /bin/true"
c_bridge="$CAPSA --root $R run --rm --net bridge --rootfs $ROOTFS /bin/true"
# Detached: returns once the container runs, so the release at its exit
# (the kernel's synchronous veth deletion: RCU grace periods, tens of ms
# under load) is the monitor's, off the measured path: the start alone.
d_none="$CAPSA --root $R run -d --rm --net none --rootfs $ROOTFS /bin/true"
d_bridge="$CAPSA --root $R run -d --rm --net bridge --rootfs $ROOTFS /bin/true"
$c_bridge || { echo "net: capsa cannot run: $c_bridge" >&2; exit 1; }

set -- hyperfine -N --runs "$RUNS" --warmup "$WARMUP" --export-json "$OUT/net.json" \
	-n capsa-none "$c_none" -n capsa-bridge "$c_bridge" \
	-n capsa-d-none "$d_none" -n capsa-d-bridge "$d_bridge"
if [ -n "$PODMAN" ] && command -v "$PODMAN" >/dev/null; then
	tar -C "$ROOTFS" -cf "$S/rootfs.tar" .
	lim="--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
	p_none="$pod run --rm --network none $lim localhost/bench/busybox:1 /bin/true"
	p_bridge="$pod run --rm --network bridge $lim localhost/bench/busybox:1 /bin/true"
	if $pod import "$S/rootfs.tar" localhost/bench/busybox:1 >/dev/null 2>&1 &&
		$p_none >/dev/null 2>&1 && $p_bridge >/dev/null 2>&1; then
		set -- "$@" -n podman-none "$p_none" -n podman-bridge "$p_bridge"
	else
		echo "net: NOTE: '$p_bridge' fails here: podman is left out"
	fi
fi
"$@"

median() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median' "$OUT/net.json"; }
extra() { awk -v b="$(median "$1-bridge")" -v n="$(median "$1-none")" 'BEGIN { printf "%.2f", (b - n) * 1000 }'; }
printf 'net: capsa run median: none %.2f ms, bridge %.2f ms\n' \
	"$(median capsa-none | awk '{ print $1 * 1000 }')" "$(median capsa-bridge | awk '{ print $1 * 1000 }')"
echo "net: capsa run --rm (start, run, release): extra of --net bridge over none: $(extra capsa) ms"
ce=$(extra capsa-d)
echo "net: capsa run -d --rm (start only): extra of --net bridge over none: $ce ms (target <= 3 ms)"
if [ -n "$(median podman-bridge)" ]; then
	printf 'net: podman run median: none %.2f ms, bridge %.2f ms\n' \
		"$(median podman-none | awk '{ print $1 * 1000 }')" "$(median podman-bridge | awk '{ print $1 * 1000 }')"
	echo "net: podman extra start cost of --network bridge over none: $(extra podman) ms"
fi
# net_setup alone, in process (clock_gettime around it): the part of
# capsa's extra cost that is the network layer's, without exec or noise.
t_none=$("$H" time "$R" none "$RUNS")
t_bridge=$("$H" time "$R" bridge "$RUNS")
awk -v b="$t_bridge" -v n="$t_none" 'BEGIN {
	printf "net: in-process median net_setup: none %.3f ms, bridge %.3f ms, extra %.3f ms\n", n / 1000, b / 1000, (b - n) / 1000
}'
# The figure issue 6's target is about, last and alone on its line.
if awk -v x="$ce" 'BEGIN { exit !(x <= 3) }'; then
	echo "net: TARGET (issue 6): extra start cost of --net bridge over none (run -d --rm, median): $ce ms <= 3 ms: met"
else
	echo "net: TARGET (issue 6): extra start cost of --net bridge over none (run -d --rm, median): $ce ms > 3 ms: NOT met (on a loaded machine, rerun quiet)"
fi
