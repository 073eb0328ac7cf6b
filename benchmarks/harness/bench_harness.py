"""On-demand benchmark: wall time of `belvo-check run -c sample-config.yaml` vs its slowest single drill.

    python benchmarks/harness/bench_harness.py             # full runs, each drill alone, the ratio
    python benchmarks/harness/bench_harness.py --timeline  # one run: when each drill and probe ran

Prints each full run's wall and CPU time (user + sys of belvo-check and every process it started)
with the load average, each drill's time alone, and the ratio full / slowest (target <= 1.5:
drills run side by side, slowest first). Wall time measures the machine as much as belvo-check
when other work shares the cores; CPU time hardly moves with load, and the run cannot end before
CPU / cores.
"""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "sample-config.yaml"


RUNS = 3  # full runs; the median is reported


def full_run() -> tuple[float, float]:
    """(wall, CPU) seconds of one full run in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "belvo_check", "run", "-c", str(CONFIG), "--format", "json"],
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def drill_times() -> dict[str, float]:
    from belvo_check.config import load_config
    from belvo_check.evidence import Context
    from belvo_check.harness.execute import run_drill
    from belvo_check.harness.integration import Integration
    from belvo_check.harness.drills import DRILLS

    ctx = Context(load_config(CONFIG))
    integration = Integration(ctx)
    times = {}
    for name, drill in DRILLS.items():
        started = time.monotonic()
        run_drill(drill, integration)
        times[name] = time.monotonic() - started
    return times


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def timeline() -> None:
    """One full run in this process, printing when each drill, timing phase and probe started and ended."""
    import belvo_check.harness.execute as execute
    from belvo_check.harness.phase import Phases
    from belvo_check.probes.deliveries import Probes
    from belvo_check.run import execute as run

    events: list[tuple[float, float, str]] = []
    t0 = time.monotonic()

    @contextmanager
    def span(what: str):
        started = time.monotonic()
        try:
            yield
        finally:
            events.append((started - t0, time.monotonic() - t0, what))

    def traced(function, label):
        def wrapper(*args, **kwargs):
            with span(label(*args)):
                return function(*args, **kwargs)
        return wrapper

    run_drill = execute.run_drill
    execute.run_drill = traced(run_drill, lambda drill, _: f"drill {drill.name}{' (waits)' * drill.waits}")
    timing = Phases.timing

    asked: list[float] = []

    @contextmanager
    def phase(self):
        asked.append(time.monotonic() - t0)
        with timing(self), span("timing phase"):
            yield
    Phases.timing = phase
    once, exclusive = Probes._once, Probes.exclusive  # each probe's own turn, after any wait for it
    Probes._once = lambda self, key, run: once(self, key, traced(run, lambda: f"  probe {key}"))

    @contextmanager
    def watched(self):
        with exclusive(self) as send, span("  probe watching the reaction to one delivery"):
            yield send
    Probes.exclusive = watched
    with open(os.devnull, "w") as devnull, redirect_stdout(devnull), redirect_stderr(devnull):
        run(config=CONFIG, select=[], ignore=[], formats=["json"], output=None, fail_on="fail", live=False,
            quiet=True, verbose=False, no_color=True, pack=None)
    wall = time.monotonic() - t0
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    phases = sorted(e for e in events if e[2] == "timing phase")  # each probe holds it: one line per phase
    events = [e for e in events if e[2] != "timing phase"]
    for started, ended, _ in phases:
        if events and events[-1][2].startswith("timing phase") and started <= events[-1][1]:
            started, ended = events[-1][0], max(ended, events.pop()[1])
        events.append((started, ended, f"timing phase (first asked for at {min(asked):.1f})"))
    for started, ended, what in sorted(events):
        print(f"{started:6.1f} {ended:6.1f} {ended - started:5.1f}s  {what}")
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    print(f"wall {wall:.1f}s, CPU {cpu:.1f}s (belvo-check {own.ru_utime + own.ru_stime:.1f}s), load {load()}")


def main() -> None:
    # Measure what users get: the integration's bytecode cached on disk (some sandboxes set this
    # variable, which makes every flow's Python process recompile the integration).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if sys.argv[1:] == ["--timeline"]:
        timeline()
        return
    walls = []
    for _ in range(RUNS):
        before = load()
        wall, cpu = full_run()
        walls.append(wall)
        print(f"full run: {wall:.2f}s wall, {cpu:.1f}s CPU, {cpu / wall:.2f} cores busy on average "
              f"(load average {before} before, {load()} after)")
    wall = statistics.median(walls)
    times = drill_times()
    for name, seconds in sorted(times.items(), key=lambda kv: -kv[1]):
        print(f"  {name:32s} {seconds:6.2f}s")
    slowest = max(times, key=times.get)
    print(f"drills alone, in sequence: {sum(times.values()):.2f}s")
    print(f"full run (every check, sample-config.yaml), median of {RUNS}: {wall:.2f}s")
    print(f"slowest drill: {slowest} {times[slowest]:.2f}s")
    print(f"ratio full / slowest: {wall / times[slowest]:.2f} (target <= 1.5), load average now {load()}")


if __name__ == "__main__":
    main()
