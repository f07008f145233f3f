#!/bin/sh
# Regenerate src/capsa.order for lld's --symbol-ordering-file (Makefile):
# first the functions a detached container's monitor executes (it stays
# for the container's life, so its resident size counts), then those of
# `capsa run --rm`, hottest first.  Packed together they make a start
# touch fewer pages of code; see docs/ARCHITECTURE.md, "Code layout".  Run it when the start path
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

. bench/lib.sh
tmp=$(mktemp -d /tmp/capsa-order.XXXXXX)
mkdir "$tmp/state" "$tmp/disk"
cleanup() {
	bench_store_teardown
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bench_store "$tmp/state" "$tmp/disk" "$tmp/rootfs" order/busybox:1 "$CAPSA" ||
	die "cannot set up the store"
run="$BENCH_CAPSA run --rm --net none order/busybox:1 /bin/true"
$run

# User-space samples by symbol, hottest first, of processes named $2.
syms() {
	perf report -i "$1" --no-children --comm "$2" --dso capsa --sort sym --stdio 2>/dev/null |
		awk '$1 ~ /%$/ && $2 == "[.]" { print $3 }'
}

# The monitors of 40 detached containers that each log 3000 lines, from
# their exec (of /proc/self/exe: they are named "exe") to their exit.
logger="i=0; while [ \$i -lt 3000 ]; do echo tick; i=\$((i + 1)); done"
perf record -q -a -F 25000 -e cpu-clock:u -o "$tmp/monitor.data" -- \
	sh -c "i=0; while [ \$i -lt 40 ]; do
		$BENCH_CAPSA run -d --net none order/busybox:1 sh -c '$logger'
		i=\$((i + 1)); done; sleep 2" >/dev/null 2>&1
for id in $($BENCH_CAPSA ps -aq); do
	$BENCH_CAPSA rm -f "$id" >/dev/null
done
syms "$tmp/monitor.data" exe >"$tmp/monitor.syms"

# The command and its container's init (the same binary until the exec).
perf record -q -F 25000 -e cpu-clock:u -o "$tmp/run.data" -- \
	sh -c "i=0; while [ \$i -lt $RUNS ]; do $run; i=\$((i + 1)); done" >/dev/null 2>&1
syms "$tmp/run.data" capsa >"$tmp/run.syms"
{
	echo "# The functions of a detached container's monitor, then those of a"
	echo "# \`capsa run --rm\` ($RUNS starts), hottest first, on $(uname -m): made by"
	echo "# scripts/order.sh, read by lld (Makefile).  Edit by regenerating."
	cat "$tmp/monitor.syms"
	grep -vxFf "$tmp/monitor.syms" "$tmp/run.syms"
} >"$OUT.tmp"
n=$(grep -vc '^#' "$OUT.tmp" || true)
[ "$n" -gt 50 ] || die "only $n symbols sampled; is perf allowed to sample (kernel.perf_event_paranoid)?"
mv "$OUT.tmp" "$OUT"
echo "order.sh: $n functions in $OUT"
