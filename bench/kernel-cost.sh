#!/bin/sh
# The kernel's share of a container start on this host, piece by piece:
# each namespace type, a seccomp filter's load (the smallest, and the
# one capsa compiles for docker's default profile), a clone sharing
# memory.  Work that capsa and the reference do alike, which no runtime
# can save; see bench/README.md.
#
# Usage: bench/kernel-cost.sh     (as root; bench/run.sh builds
#        bench/out/kernel-cost)
# Environment: CAPSA=build/capsa  BENCH_RUNS=30
set -eu
cd "$(dirname "$0")/.."
CAPSA=${CAPSA:-build/capsa}
TOOL=bench/out/kernel-cost

die() {
	printf 'kernel-cost: error: %s\n' "$*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || die "run as root (new namespaces need it)"
[ -x "$CAPSA" ] || die "$CAPSA missing; run make"
. bench/lib.sh
[ -x "$TOOL" ] || bench_build kernel-cost || die "cannot build $TOOL"

# capsa's filter for docker's default profile, as its cache keeps it: one
# run of a container in a throw-away state root compiles it.
tmp=$(mktemp -d /tmp/capsa-bench-kernel.XXXXXX)
cleanup() {
	for id in $("$CAPSA" --root "$tmp/state" ps -aq 2>/dev/null); do
		"$CAPSA" --root "$tmp/state" rm -f "$id" >/dev/null 2>&1 || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
tests/fixtures/mkrootfs.sh "$tmp/rootfs" >/dev/null || die "cannot make a root filesystem"
"$CAPSA" --root "$tmp/state" run --rm --net none --rootfs "$tmp/rootfs" /bin/true ||
	die "capsa cannot run a container"
set -- "$tmp"/state/seccomp/*.bpf
[ -f "$1" ] || die "capsa left no compiled filter in $tmp/state/seccomp"
"$TOOL" "$1" "${BENCH_RUNS:-30}"
