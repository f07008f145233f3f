#!/usr/bin/env python3
"""A/B of commands, run interleaved: for each of N rounds every command
runs once, in a fresh random order.  Prints each command's median and the
median of its per-round difference from the first command, with a 95%
bootstrap interval.

Why interleaved: on a 2-vCPU VM a start leaves work behind (a reaper,
namespace and cgroup teardown in kernel workers) that slows whatever runs
next.  hyperfine runs each command's batch back to back, so each command
is timed behind its own leftovers, and alternating batches still lean on
the order of the batches.  Here every command follows every other about
equally often, so what differs is the command itself.  (For throughput
behind one's own leftovers, as engine-run.sh reports it, use hyperfine.)

Usage: bench/ab.py [--rounds N] [--pause SECONDS] 'CMD A' 'CMD B' ...
       (commands are split like a shell would, then run without one;
        give full paths or names on PATH)
"""
import argparse
import os
import random
import shlex
import shutil
import statistics
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--pause", type=float, default=0.0,
                   help="sleep before each run (an idle start)")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("cmds", nargs="+")
    a = p.parse_args()
    if len(a.cmds) < 2:
        p.error("give at least two commands")
    arms = []
    for c in a.cmds:
        argv = shlex.split(c)
        exe = argv[0] if "/" in argv[0] else shutil.which(argv[0])
        if not exe:
            p.error(f"{argv[0]}: not found")
        arms.append((exe, argv))
    null = os.open(os.devnull, os.O_RDWR)
    acts = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]

    def run(arm):
        t = time.perf_counter_ns()
        pid = os.posix_spawn(arm[0], arm[1], os.environ, file_actions=acts)
        _, status = os.waitpid(pid, 0)
        ms = (time.perf_counter_ns() - t) / 1e6
        if status != 0:
            sys.exit(f"ab.py: {shlex.join(arm[1])}: exit status {status}")
        return ms

    for arm in arms:
        for _ in range(a.warmup):
            run(arm)
    res = [[] for _ in arms]
    for _ in range(a.rounds):
        order = list(range(len(arms)))
        random.shuffle(order)
        for j in order:
            if a.pause:
                time.sleep(a.pause)
            res[j].append(run(arms[j]))
    for j, cmd in enumerate(a.cmds):
        line = f"{j}: median {statistics.median(res[j]):8.3f} ms"
        if j:
            d = [x - y for x, y in zip(res[j], res[0])]
            boot = sorted(statistics.median(random.choices(d, k=len(d)))
                          for _ in range(1000))
            line += (f"   vs 0: {statistics.median(d):+.3f} ms"
                     f" [{boot[25]:+.3f}, {boot[974]:+.3f}]")
        print(f"{line}   {cmd}")


if __name__ == "__main__":
    main()
