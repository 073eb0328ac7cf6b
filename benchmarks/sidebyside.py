"""Timing commands side by side: every round runs each command once, in an order that rotates from
round to round, so a burst of load on a shared machine falls on all of them alike; ratios are taken
within each round and then summarised, never between medians taken at different moments.

Used by the benchmark scripts (cold_start, scan); not part of the package.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
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
    tree_mb: float = 0.0  # the largest sum of the RSS of the command and all its descendants, sampled


def _tree_rss_mb(pid: int) -> float:
    """The summed RSS of a process and its descendants now (Linux /proc; 0 where /proc is missing)."""
    total, pending, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * page
            for task in os.listdir(f"/proc/{current}/task"):  # children started by any of its threads
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending += [int(child) for child in handle.read().split()]
        except (OSError, ValueError):
            continue  # it ended meanwhile
    return total / 2**20


def _watch_tree(pid: int, peak: list[float], done: threading.Event, every: float = 0.01) -> None:
    while not done.wait(every):
        peak[0] = max(peak[0], _tree_rss_mb(pid))


def measure(argv: list[str], cwd: str | None = None, ok: tuple[int, ...] = (0,)) -> Sample:
    """One run of a command; `ok` are the exit codes it may end with (a checker finding problems exits 1)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, cwd=cwd)
    peak, done = [0.0], threading.Event()
    watcher = threading.Thread(target=_watch_tree, args=(process.pid, peak, done), daemon=True)
    watcher.start()
    stderr = process.stderr.read().decode("utf-8", "replace").strip()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}: {stderr[-500:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                  stderr.splitlines()[-1] if stderr else "", peak[0])


def interleaved(cases: dict[str, list[str]], rounds: int, warmup: int = 1,
                cwd: str | None = None, ok: tuple[int, ...] = (0,)) -> dict[str, list[Sample]]:
    """`rounds` samples of every case; round r starts with case r mod n (warm-up rounds are dropped)."""
    names = list(cases)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for index in range(warmup + rounds):
        order = names[index % len(names):] + names[:index % len(names)]
        for name in order:
            sample = measure(cases[name], cwd, ok)
            if index >= warmup:
                samples[name].append(sample)
    return samples


@dataclass(frozen=True)
class Summary:
    minimum: float
    median: float
    cpu: float  # median
    rss_mb: float  # largest
    tree_mb: float  # largest sampled RSS of the whole process tree
    ratio_median: float  # median over rounds of (this case / the anchor in the same round)
    ratio_min: float  # this case's minimum / the anchor's minimum


def summarise(samples: dict[str, list[Sample]], anchor: str) -> dict[str, Summary]:
    base = samples[anchor]
    return {name: Summary(min(s.wall for s in runs), statistics.median(s.wall for s in runs),
                          statistics.median(s.cpu for s in runs), max(s.rss_mb for s in runs),
                          max(s.tree_mb for s in runs),
                          statistics.median(s.wall / b.wall for s, b in zip(runs, base)),
                          min(s.wall for s in runs) / min(b.wall for b in base))
            for name, runs in samples.items()}


def load_line(before: tuple[float, float, float]) -> str:
    after = os.getloadavg()
    return f"load average (1 min) {before[0]:.1f} before, {after[0]:.1f} after; {os.cpu_count()} cores"
