"""On-demand benchmark: wall time of `belvo-check run -c sample-config.yaml` vs its slowest single drill.

    python benchmarks/harness/bench_harness.py

Prints the full run's wall time, each drill's time alone, and the ratio full / slowest
(target <= 1.5: drills run side by side, slowest first).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "sample-config.yaml"


RUNS = 3  # full runs; the median is reported


def full_run() -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "belvo_check", "run", "-c", str(CONFIG), "--format", "json"],
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
    return time.monotonic() - started


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


def main() -> None:
    # Measure what users get: the integration's bytecode cached on disk (some sandboxes set this
    # variable, which makes every flow's Python process recompile the integration).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    walls = [full_run() for _ in range(RUNS)]
    wall = statistics.median(walls)
    times = drill_times()
    for name, seconds in sorted(times.items(), key=lambda kv: -kv[1]):
        print(f"  {name:32s} {seconds:6.2f}s")
    slowest = max(times, key=times.get)
    print(f"drills alone, in sequence: {sum(times.values()):.2f}s")
    print(f"full run (every check, sample-config.yaml), median of {RUNS}: {wall:.2f}s "
          f"({', '.join(f'{w:.2f}' for w in walls)})")
    print(f"slowest drill: {slowest} {times[slowest]:.2f}s")
    print(f"ratio full / slowest: {wall / times[slowest]:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
