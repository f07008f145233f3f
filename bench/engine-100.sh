#!/bin/sh
# 100 detached containers started from 4 concurrent shells (25 each): every
# one must run, `capsa ps` must answer, and the median start time of the
# last 10 must be within 20% of the first 10 (no cost that grows with the
# number of containers).  Containers run `sleep 1000` from the busybox
# rootfs with --rootfs (until images are merged).  See bench/README.md.
#
# Usage: bench/engine-100.sh      (root or not; CAPSA=build/capsa)
set -eu

cd "$(dirname "$0")/.."
OUT=bench/out
CAPSA=${CAPSA:-$PWD/build/capsa}
ROOTFS=$PWD/$OUT/engine100-rootfs
mkdir -p "$OUT"
rm -rf "$ROOTFS"
tests/fixtures/mkrootfs.sh "$ROOTFS" >/dev/null
state=$(mktemp -d "${TMPDIR:-/tmp}/capsa-bench-100.XXXXXX")
times=$state/times
cleanup() {
	ids=$("$CAPSA" --root "$state/root" ps -aq 2>/dev/null || true)
	# shellcheck disable=SC2086
	[ -z "$ids" ] || "$CAPSA" --root "$state/root" rm -f $ids >/dev/null 2>&1 || true
	rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

shell() {
	i=0
	while [ "$i" -lt 25 ]; do
		t0=$(date +%s%N)
		"$CAPSA" --root "$state/root" run -d --net none --rootfs "$ROOTFS" sleep 1000 </dev/null >/dev/null
		t1=$(date +%s%N)
		echo "$t0 $((t1 - t0))" >>"$times.$1"
		i=$((i + 1))
	done
}
for s in 1 2 3 4; do shell "$s" & done
wait
sort -n "$times".* >"$times"
n=$(wc -l <"$times")
running=$("$CAPSA" --root "$state/root" ps -q | wc -l)
t0=$(date +%s%N)
"$CAPSA" --root "$state/root" ps >/dev/null
ps_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
med() { awk '{ print $2 }' | sort -n | awk '{ a[NR] = $1 } END { print (a[int((NR + 1) / 2)] + a[int(NR / 2) + 1]) / 2 / 1e6 }'; }
first=$(head -10 "$times" | med)
last=$(tail -10 "$times" | med)
echo "engine-100: $n starts, $running running; capsa ps with 100 containers: $ps_ms ms"
echo "engine-100: median start of the first 10: $first ms, of the last 10: $last ms"
ok=1
[ "$running" -eq 100 ] || { echo "engine-100: FAIL: $running of 100 running"; ok=0; }
if awk -v f="$first" -v l="$last" 'BEGIN { exit !(l <= f * 1.2) }'; then
	echo "engine-100: target met: last 10 within 20% of the first 10"
else
	echo "engine-100: target NOT met: last 10 / first 10 = $(awk -v f="$first" -v l="$last" 'BEGIN { printf "%.2f", l / f }')"
	ok=0
fi
[ "$ok" = 1 ]
