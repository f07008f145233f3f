#!/bin/sh
# Regenerate src/capsa.order: the functions `capsa run --rm` executes,
# hottest first, for lld's --symbol-ordering-file (Makefile).  Packed
# together they make a start touch fewer pages of code; see
# docs/ARCHITECTURE.md, "Code layout".  Run it when the start path
# changed much (a symbol the file names and the binary lacks is skipped;
# a function the file lacks stays where the linker puts it).
#
# Usage: scripts/order.sh [RUNS]   (as root; needs perf: scripts/deps.sh --bench)
set -eu

cd "$(dirname "$0")/.."
RUNS=${1:-300}
OUT=src/capsa.order

die() {
	printf 'order.sh: %s\n' "$*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || die "run as root (the container starts it profiles run as root)"
command -v perf >/dev/null || die "perf not found; run scripts/deps.sh --bench"
make -s build/capsa
CAPSA=$PWD/build/capsa

tmp=$(mktemp -d /tmp/capsa-order.XXXXXX)
state=$tmp/state
cleanup() {
	umount "$state" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$state"
mount -t tmpfs -o mode=0700 capsa-order "$state"
tests/fixtures/mkrootfs.sh "$tmp/rootfs" >/dev/null
tar -C "$tmp/rootfs" -cf "$tmp/rootfs.tar" .
"$CAPSA" --root "$state" --storage "$tmp/store" import "$tmp/rootfs.tar" order/busybox:1 >/dev/null
run="$CAPSA --root $state --storage $tmp/store run --rm --net none order/busybox:1 /bin/true"
$run

# Samples of the command and of its container's init (the same binary
# until the exec), user space only, by symbol; hottest first.
perf record -q -F 25000 -e cpu-clock:u -o "$tmp/perf.data" -- \
	sh -c "i=0; while [ \$i -lt $RUNS ]; do $run; i=\$((i + 1)); done" >/dev/null 2>&1
{
	echo "# Functions of a \`capsa run --rm\`, hottest first: made by scripts/order.sh"
	echo "# ($RUNS starts, $(uname -m)); read by lld (Makefile).  Edit by regenerating."
	perf report -i "$tmp/perf.data" --no-children --comm capsa --dso capsa \
		--sort sym --stdio 2>/dev/null |
		awk '$1 ~ /%$/ && $2 == "[.]" { print $3 }'
} >"$OUT.tmp"
n=$(grep -vc '^#' "$OUT.tmp" || true)
[ "$n" -gt 50 ] || die "only $n symbols sampled; is perf allowed to sample (kernel.perf_event_paranoid)?"
mv "$OUT.tmp" "$OUT"
echo "order.sh: $n functions in $OUT"
