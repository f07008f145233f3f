#!/bin/sh
# Page-fault cost against MADV_POPULATE_* on capsa's own binary: the
# figures behind the ELF-entry prefault (src/base/prefault.h).  Minimums
# of many rounds, so a loaded machine changes them little.  See
# bench/README.md.
#
# Usage: bench/fault-cost.sh   (bench/run.sh builds bench/out/fault-cost)
# Environment: CAPSA_BIN=build/capsa  BENCH_RUNS=200
set -eu
cd "$(dirname "$0")/.."
BIN=${CAPSA_BIN:-build/capsa}
TOOL=bench/out/fault-cost
. bench/lib.sh
[ -x "$TOOL" ] || bench_build fault-cost
[ -f "$BIN" ] || { echo "fault-cost: $BIN missing (make first)" >&2; exit 1; }
# Once through so that the binary is in the page cache.
cat "$BIN" >/dev/null
echo "fault-cost: $BIN"
"$TOOL" "$BIN" "${BENCH_RUNS:-200}"
