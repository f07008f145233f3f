#!/bin/sh
# Where a start's time goes, phase by phase: `capsa run --rm --net none
# IMAGE /bin/true` against the bare-kernel reference (bench/ref-clone.c),
# from the kernel's own process events (perf, sched:sched_process_exec,
# _fork and _exit), so nothing is added to either program:
#
#   start -> clone     the command's exec to the creation of the child that
#                      becomes the container, not a helper forked before it
#                      (for capsa: its bookkeeping, the namespaces' clone)
#   clone -> exec      that child's set-up until it execs /bin/true
#   container          /bin/true's exec to its exit
#   exit -> exit       the container's exit to the command's own exit
#
# The two commands run alternately, each after a pause (an idle start, as
# someone typing it sees it), in one recording; medians of each phase.
# A bench/ab.py or engine-run.sh ratio says how far apart the two are;
# this says in which phase.  See bench/README.md.
#
# Usage: bench/phases.sh [RUNS]      (as root; needs perf: scripts/deps.sh
#        --bench, and bench/out/ref-clone: bench/run.sh builds it)
# Environment: CAPSA=build/capsa, BENCH_PAUSE=0.05, BENCH_DISK=/var/tmp
set -eu

cd "$(dirname "$0")/.."
RUNS=${1:-50}
CAPSA=${CAPSA:-$PWD/build/capsa}
REF=$PWD/bench/out/ref-clone
PAUSE=${BENCH_PAUSE:-0.05}

die() {
	printf 'phases: error: %s\n' "$*" >&2
	exit 1
}
. bench/lib.sh
[ "$(id -u)" -eq 0 ] || die "run as root (ref-clone and the recording need it)"
missing=$(bench_prereqs "$CAPSA" "$REF" perf python3) || die "$missing"
tmp=$(mktemp -d /tmp/capsa-bench-phases.XXXXXX)
disk=$(mktemp -d "${BENCH_DISK:-/var/tmp}/capsa-bench-phases.XXXXXX")
mkdir "$tmp/state"
cleanup() {
	bench_store_teardown
	rm -rf "$tmp" "$disk"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bench_store "$tmp/state" "$disk" "$tmp/rootfs" bench/busybox:1 "$CAPSA" ||
	die "cannot set up the store"

capsa_cmd="$BENCH_CAPSA run --rm --net none bench/busybox:1 /bin/true"
ref_cmd="$REF $tmp/rootfs /bin/true"
$capsa_cmd || die "capsa cannot run the image: $capsa_cmd"
$ref_cmd || die "ref-clone cannot run $tmp/rootfs"

perf record -q -a -o "$tmp/perf.data" \
	-e sched:sched_process_exec -e sched:sched_process_fork -e sched:sched_process_exit -- \
	sh -c "i=0; while [ \$i -lt $RUNS ]; do
		sleep $PAUSE; $capsa_cmd; sleep $PAUSE; $ref_cmd; i=\$((i + 1)); done" \
	>/dev/null 2>&1 || die "perf record failed (is kernel.perf_event_paranoid too strict?)"
perf script -i "$tmp/perf.data" -F pid,time,event,trace >"$tmp/events" 2>/dev/null

python3 - "$tmp/events" "$CAPSA" "$REF" <<'EOF'
import re
import statistics
import sys

events, capsa, ref = sys.argv[1:4]
tools = {capsa: "capsa", ref: "ref-clone"}
line_re = re.compile(r"\s*(\d+)\s+([\d.]+):\s+sched:(\w+):\s*(.*)")
runs = {}   # command pid -> {"tool", "start", "clone", "child", "exec", "cexit", "end"}
forks = {}  # a command's child -> (the command's pid, the fork's time)
for line in open(events):
    m = line_re.match(line)
    if not m:
        continue
    pid, t, ev, rest = int(m.group(1)), float(m.group(2)), m.group(3), m.group(4)
    if ev == "sched_process_exec":
        fn = re.search(r"filename=(\S+)", rest).group(1)
        if fn in tools:
            runs[pid] = {"tool": tools[fn], "start": t}
        elif pid in forks and fn == "/bin/true":
            # The container's init: the child that runs /bin/true, not a
            # helper the command may have forked before it.
            r = runs[forks[pid][0]]
            if "exec" not in r:
                r["clone"], r["child"], r["exec"] = forks[pid][1], pid, t
    elif ev == "sched_process_fork":
        c = int(re.search(r"child_pid=(\d+)", rest).group(1))
        r = runs.get(pid)
        if r and "end" not in r:
            forks[c] = (pid, t)
    elif ev == "sched_process_exit":
        if pid in forks and runs[forks[pid][0]].get("child") == pid:
            runs[forks[pid][0]].setdefault("cexit", t)
        elif pid in runs and "end" not in runs[pid]:
            runs[pid]["end"] = t

phases = [("start -> clone", "start", "clone"), ("clone -> exec", "clone", "exec"),
          ("container", "exec", "cexit"), ("exit -> exit", "cexit", "end"),
          ("total", "start", "end")]
med = {}
for tool in ("capsa", "ref-clone"):
    done = [r for r in runs.values()
            if r["tool"] == tool and all(k in r for k in ("clone", "exec", "cexit", "end"))]
    if not done:
        sys.exit(f"phases: no complete {tool} run in the recording")
    med[tool] = {name: statistics.median((r[b] - r[a]) * 1e6 for r in done)
                 for name, a, b in phases}
    med[tool]["n"] = len(done)
print(f"== phases of an idle start, median us ({med['capsa']['n']} capsa runs, "
      f"{med['ref-clone']['n']} ref-clone runs)")
print(f"{'phase':16s} {'capsa':>8s} {'ref-clone':>10s} {'difference':>11s}")
for name, _, _ in phases:
    c, r = med["capsa"][name], med["ref-clone"][name]
    print(f"{name:16s} {c:8.0f} {r:10.0f} {c - r:+11.0f}")
EOF
