"""Timing commands side by side: every round runs each command once, in an order that rotates from
round to round, so a burst of load on a shared machine falls on all of them alike; ratios are taken
within each round and then summarised, never between medians taken at different moments.

Used by the benchmark scripts (cold_start, scan); not part of the package.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from dataclasses import dataclass

# Measure what users get: compiled bytecode cached on disk (some sandboxes set this variable,
# which makes every start recompile every module).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the command and its children
    rss_mb: float  # ru_maxrss: the largest single process of the command's tree
    note: str  # the last line the command wrote to stderr


def measure(argv: list[str], cwd: str | None = None) -> Sample:
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, cwd=cwd)
    stderr = process.stderr.read().decode("utf-8", "replace").strip()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}: {stderr[-500:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                  stderr.splitlines()[-1] if stderr else "")


def interleaved(cases: dict[str, list[str]], rounds: int, warmup: int = 1,
                cwd: str | None = None) -> dict[str, list[Sample]]:
    """`rounds` samples of every case; round r starts with case r mod n (warm-up rounds are dropped)."""
    names = list(cases)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for index in range(warmup + rounds):
        order = names[index % len(names):] + names[:index % len(names)]
        for name in order:
            sample = measure(cases[name], cwd)
            if index >= warmup:
                samples[name].append(sample)
    return samples


@dataclass(frozen=True)
class Summary:
    minimum: float
    median: float
    cpu: float  # median
    rss_mb: float  # largest
    ratio_median: float  # median over rounds of (this case / the anchor in the same round)
    ratio_min: float  # this case's minimum / the anchor's minimum


def summarise(samples: dict[str, list[Sample]], anchor: str) -> dict[str, Summary]:
    base = samples[anchor]
    return {name: Summary(min(s.wall for s in runs), statistics.median(s.wall for s in runs),
                          statistics.median(s.cpu for s in runs), max(s.rss_mb for s in runs),
                          statistics.median(s.wall / b.wall for s, b in zip(runs, base)),
                          min(s.wall for s in runs) / min(b.wall for b in base))
            for name, runs in samples.items()}


def load_line(before: tuple[float, float, float]) -> str:
    after = os.getloadavg()
    return f"load average (1 min) {before[0]:.1f} before, {after[0]:.1f} after; {os.cpu_count()} cores"
