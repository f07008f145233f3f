# shellcheck shell=sh
# bench/lib.sh — the setup that the benchmarks share (sourced, POSIX sh):
# bench/run.sh, engine-run.sh, phases.sh, fault-cost.sh, kernel-cost.sh
# and scripts/order.sh.  Called from the top of the source tree.
#
#   bench_build NAME
#       Builds the reference C program bench/NAME.c into bench/out/NAME
#       (static, warnings as errors).
#   bench_prereqs CAPSA REF TOOL...
#       Checks what the tools need before anything is made: each TOOL on
#       PATH, the reference program REF built and CAPSA built.  Prints the
#       first thing missing and what to run, and fails.
#   bench_store STATE DISK ROOTFS IMAGE CAPSA
#       Makes the busybox root filesystem ROOTFS (tests/fixtures/mkrootfs.sh),
#       mounts a tmpfs on the directory STATE for capsa's state root (as
#       /run is one on a systemd host: a state root on this project's test
#       VM's disk would time that disk, not capsa), and imports ROOTFS as
#       IMAGE into the store DISK/store, on disk as a real one is.  Sets
#       BENCH_STATE, BENCH_STORE and BENCH_CAPSA ("CAPSA --root STATE
#       --storage DISK/store").
#   bench_store_teardown
#       Removes every container, unmounts the state root and removes STATE
#       and DISK.  Safe to call more than once, and after a partial setup.
#
# The caller creates STATE and DISK (mktemp -d) and calls the teardown
# from its own EXIT trap.

BENCH_STATE=
BENCH_DISK=
BENCH_STORE=
BENCH_CAPSA=

bench_build() {
	mkdir -p bench/out &&
		${CC:-gcc} -std=gnu11 -D_GNU_SOURCE -O2 -static -Wall -Wextra -Werror \
			-o "bench/out/$1" "bench/$1.c"
}

bench_prereqs() {
	_capsa=$1
	_ref=$2
	shift 2
	for _t in "$@"; do
		command -v "$_t" >/dev/null ||
			{ echo "$_t not found; run scripts/deps.sh --bench"; return 1; }
	done
	[ -x "$_ref" ] ||
		{ echo "$_ref missing; run bench/run.sh (it builds the reference programs)"; return 1; }
	[ -x "$_capsa" ] || { echo "$_capsa missing; run make"; return 1; }
}

bench_store() {
	BENCH_STATE=$1
	BENCH_DISK=$2
	BENCH_STORE=$2/store
	BENCH_CAPSA="$5 --root $1 --storage $BENCH_STORE"
	# Each step checked: callers write `bench_store ... || die`, where
	# set -e does not reach into the function.
	if ! { rm -rf "$3" && tests/fixtures/mkrootfs.sh "$3" >/dev/null; }; then
		echo "bench: cannot make the root filesystem $3" >&2
		return 1
	fi
	if ! mount -t tmpfs -o mode=0700 capsa-bench "$BENCH_STATE"; then
		echo "bench: cannot mount a tmpfs on $BENCH_STATE" >&2
		return 1
	fi
	if ! { tar -C "$3" -cf "$BENCH_DISK/rootfs.tar" . &&
		$BENCH_CAPSA import "$BENCH_DISK/rootfs.tar" "$4" >/dev/null; }; then
		echo "bench: cannot import $3 as $4" >&2
		return 1
	fi
}

bench_store_teardown() {
	[ -n "$BENCH_STATE" ] || return 0
	if mountpoint -q "$BENCH_STATE"; then
		for id in $($BENCH_CAPSA ps -aq 2>/dev/null); do
			$BENCH_CAPSA rm -f "$id" >/dev/null 2>&1 || true
		done
		# A reaper (src/engine/reap.c) may still hold a container's mount
		# namespace, whose /etc/hosts binds come from this tmpfs: busy for
		# a few milliseconds.
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			umount "$BENCH_STATE" 2>/dev/null && break
			sleep 0.2
		done
	fi
	# The last run's reaper may still be emptying the trash and making the
	# next spare directory in the store: try again until it is done.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		rm -rf "$BENCH_STATE" "$BENCH_DISK" 2>/dev/null && break
		sleep 0.2
	done
	rm -rf "$BENCH_STATE" "$BENCH_DISK"
	BENCH_STATE=
}
