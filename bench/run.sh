#!/bin/sh
# Run every benchmark in bench/ (`make bench` calls this after `make all`).
# Installs the reference runtimes and hyperfine, builds the reference C
# programs (bench/*.c -> bench/out/NAME, static), then runs each bench/*.sh
# but this one and lib.sh (sourced by the others).  Stops at the first benchmark that fails.  See bench/README.md.
set -eu

cd "$(dirname "$0")/.."
scripts/deps.sh --bench

. bench/lib.sh
for src in bench/*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	echo "run.sh: building bench/out/$name"
	bench_build "$name"
done

for b in bench/*.sh; do
	case $b in bench/run.sh | bench/lib.sh) continue ;; esac
	echo
	echo "run.sh: === $b"
	"$b"
done
