#!/usr/bin/env python3
"""Alternating runs of two or more commands, for A/B comparisons of builds.

Usage: tests/bench/ab.py ROUNDS 'CMD A' 'CMD B' ...

Each round runs every command once, in the order given, with output discarded; a leading
`NAME=value` sets an environment variable for that command. Prints, for each command, the
median wall and CPU (user + system, from wait4) time, and the median of its per-round ratios
to the first command. The first command of a round tends to run a few percent faster (two
identical builds ran 4% apart by position on the benchmark machines): swap the order to check
a small difference.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    cmds = sys.argv[2:]
    devnull = os.open(os.devnull, os.O_WRONLY)
    times = [[] for _ in cmds]
    for _ in range(rounds):
        for k, cmd in enumerate(cmds):
            env = dict(os.environ)
            parts = shlex.split(cmd)
            while parts and "=" in parts[0] and not parts[0].startswith("/"):
                name, value = parts.pop(0).split("=", 1)
                env[name] = value
            start = time.perf_counter()
            child = subprocess.Popen(parts, stdout=devnull, stderr=devnull, env=env)
            _, _, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - start
            times[k].append((wall, usage.ru_utime + usage.ru_stime))
    for k, cmd in enumerate(cmds):
        wall = statistics.median(w for w, _ in times[k])
        cpu = statistics.median(c for _, c in times[k])
        rw = statistics.median(times[k][i][0] / times[0][i][0] for i in range(rounds))
        rc = statistics.median(times[k][i][1] / times[0][i][1] for i in range(rounds))
        print(f"{cmd[-80:]:<80} wall {1000 * wall:.1f} ms, cpu {1000 * cpu:.1f} ms; "
              f"vs the first: wall {rw:.3f}x, cpu {rc:.3f}x")


if __name__ == "__main__":
    main()
