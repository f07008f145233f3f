#!/bin/sh
# Engine start time: `capsa run --rm --net none ROOT /bin/true` side by side
# with the bare-kernel reference (bench/ref-clone.c: clone into fresh mount,
# UTS, IPC, PID, network and cgroup namespaces, pivot_root, mount /proc,
# exec) and `podman run --rm --network none`, in ONE hyperfine run; then the
# ratios, the peak RSS of `capsa run` and the steady RSS of a detached
# container's monitor.  See bench/README.md.
#
# capsa and podman run the busybox root filesystem as an image in their
# own stores (`capsa import`, `podman import`, both in temporary roots);
# ref-clone runs the same directory.  BENCH_ROOTFS=1 runs capsa with
# --rootfs DIR instead (no image store, no overlay).
#
# Where things live is what a real host has: each engine's state root
# (capsa --root, podman --runroot) on a tmpfs, as /run is on every systemd
# host, and each store (capsa --storage, podman --root) on disk, under
# BENCH_DISK (default /var/tmp).  On a host whose /run is a disk file
# system (this project's test VM), a state root there would time that
# disk, not the engine.
#
# Usage: bench/engine-run.sh      (as root; bench/run.sh builds ref-clone)
# Then capsa and ref-clone again with a pause before each run (BENCH_PAUSE,
# default 0.05 s): a single start on an idle machine.
#
# Environment: BENCH_RUNS=50 BENCH_WARMUP=5, CAPSA=build/capsa,
#              PODMAN=podman (PODMAN= to leave podman out), PODMAN_RUNTIME=runc
#              (crun refuses this host's hybrid cgroups)
set -eu

cd "$(dirname "$0")/.."
OUT=bench/out
ROOTFS=$PWD/$OUT/engine-rootfs
REF=$PWD/$OUT/ref-clone
CAPSA=${CAPSA:-$PWD/build/capsa}
PODMAN=${PODMAN-podman}
RUNS=${BENCH_RUNS:-50}
WARMUP=${BENCH_WARMUP:-5}
JSON=$OUT/engine-run.json

say() { printf 'engine-run: %s\n' "$*"; }
die() {
	printf 'engine-run: error: %s\n' "$*" >&2
	exit 1
}

. bench/lib.sh
[ "$(id -u)" -eq 0 ] || die "run as root (podman and the reference run as root)"
missing=$(bench_prereqs "$CAPSA" "$REF" hyperfine jq) || die "$missing"
mkdir -p "$OUT"

# $state: the state roots (a tmpfs); $disk: the stores (on disk).
state=$(mktemp -d /tmp/capsa-bench-engine.XXXXXX)
disk=$(mktemp -d "${BENCH_DISK:-/var/tmp}/capsa-bench-engine.XXXXXX")
cleanup() {
	[ -z "$PODMAN" ] || $PODMAN --root "$disk/podman" --runroot "$state/podman-run" \
		--storage-driver overlay system reset -f >/dev/null 2>&1 || true
	bench_store_teardown
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bench_store "$state" "$disk" "$ROOTFS" bench/busybox:1 "$CAPSA" || die "cannot set up the store"
if [ "${BENCH_ROOTFS:-0}" = 1 ]; then
	capsa_cmd="$CAPSA --root $state run --rm --net none --rootfs $ROOTFS /bin/true"
else
	capsa_cmd="$CAPSA --root $state --storage $disk/store run --rm --net none bench/busybox:1 /bin/true"
fi
ref_cmd="$REF $ROOTFS /bin/true"
pod="$PODMAN --runtime ${PODMAN_RUNTIME:-runc} --root $disk/podman --runroot $state/podman-run --storage-driver overlay"
pod_cmd="$pod run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/bench/busybox:1 /bin/true"

$capsa_cmd || die "capsa cannot run the rootfs: $capsa_cmd"
$ref_cmd || die "ref-clone cannot run the rootfs"
use_podman=0
if [ -n "$PODMAN" ] && command -v "$PODMAN" >/dev/null; then
	if $pod import "$disk/rootfs.tar" localhost/bench/busybox:1 >/dev/null 2>&1 &&
		$pod_cmd >/dev/null 2>&1; then
		use_podman=1
	else
		say "NOTE: '$pod_cmd' fails here: podman is left out"
	fi
fi

set -- hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$JSON" \
	-n capsa "$capsa_cmd" -n ref-clone "$ref_cmd"
[ "$use_podman" = 0 ] || set -- "$@" -n podman "$pod_cmd"
"$@"

echo
echo "== engine start of /bin/true, $RUNS runs, median ms"
jq -r '.results[] | "\(.command) \(.median * 1000)"' "$JSON" |
	while read -r n v; do printf '%-10s %8.2f\n' "$n" "$v"; done
echo
echo "== ratios of medians"
r=$(jq -r '(.results | map({key: .command, value: .median}) | from_entries) as $m
	| "capsa/ref-clone \($m.capsa / $m["ref-clone"])",
	  (if $m.podman then "podman/capsa \($m.podman / $m.capsa)" else empty end)' "$JSON")
printf '%s\n' "$r" | while read -r k v; do printf '%-16s %8.2f\n' "$k" "$v"; done
x=$(printf '%s\n' "$r" | awk '$1 == "capsa/ref-clone" { print $2 }')
if awk -v x="$x" 'BEGIN { exit !(x <= 1.5) }'; then
	say "target met: capsa/ref-clone = $x (target <= 1.5)"
else
	say "target NOT met: capsa/ref-clone = $x (target <= 1.5)"
fi
y=$(printf '%s\n' "$r" | awk '$1 == "podman/capsa" { print $2 }')
if [ -n "$y" ]; then
	if awk -v y="$y" 'BEGIN { exit !(y >= 50) }'; then
		say "target met: podman/capsa = $y (target >= 50)"
	else
		say "target NOT met: podman/capsa = $y (target >= 50)"
	fi
fi

# The same two, each run after a pause: a single start on an idle machine,
# as someone typing it sees it.  The back-to-back runs above measure
# throughput, where work capsa leaves to its background reaper
# (src/engine/reap.c) overlaps the next start.
IDLE_JSON=$OUT/engine-run-idle.json
echo
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --prepare "sleep ${BENCH_PAUSE:-0.05}" \
	--export-json "$IDLE_JSON" -n capsa "$capsa_cmd" -n ref-clone "$ref_cmd"
echo
echo "== engine start of /bin/true on an idle machine (${BENCH_PAUSE:-0.05} s pause before each), median ms"
jq -r '.results[] | "\(.command) \(.median * 1000)"' "$IDLE_JSON" |
	while read -r n v; do printf '%-10s %8.2f\n' "$n" "$v"; done
z=$(jq -r '(.results | map({key: .command, value: .median}) | from_entries) as $m
	| $m.capsa / $m["ref-clone"]' "$IDLE_JSON")
printf '%-16s %8.2f\n' "capsa/ref-clone" "$z"
if awk -v x="$z" 'BEGIN { exit !(x <= 1.5) }'; then
	say "idle start: capsa/ref-clone = $z (<= 1.5); back to back: $x"
else
	say "idle start: capsa/ref-clone = $z (> 1.5); back to back: $x"
fi

echo
echo "== memory"
peak=$(/usr/bin/time -f %M $capsa_cmd 2>&1 >/dev/null | tail -1)
say "peak RSS of capsa run --rm /bin/true: $peak kB"
"$CAPSA" --root "$state" --storage "$disk/store" run -d --net none --name rss bench/busybox:1 sh -c 'while :; do echo tick; sleep 0.1; done' >/dev/null
sleep 2
mon=$(pgrep -f "_monitor $state " | head -1)
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$mon/status")
say "steady RSS of a detached container's monitor (logging 10 lines/s): $rss kB"
if [ "$rss" -le 1024 ]; then
	say "target met: monitor RSS $rss kB (target <= 1024)"
else
	say "target NOT met: monitor RSS $rss kB (target <= 1024)"
fi
