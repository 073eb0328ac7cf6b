"""Same input, same verdicts: full runs repeated on a deliberately loaded machine.

    python3 benchmarks/repeat/repeat_verdicts.py [--runs 5] [--burners 2] [CONFIG ...]

Runs `belvo-check run -c CONFIG --format json` `--runs` times for each config (default: the
sample config and fixtures of different shapes: Python and Node, on Belvo's SDKs, store-less,
webhook-only, async), while `--burners` processes spin on the CPU the whole time, as other jobs
do on a shared CI runner. Prints, per config, each check whose status differed between runs, with
the statuses seen and the first message of each, and exits 1 if any did. Wall times and the load
average are printed for context only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "integrations"
DEFAULT = [ROOT / "sample-config.yaml",
           *(FIXTURES / name / "belvo-check.yaml" for name in (
               "pygood", "nodegood", "py-full-jitter", "node-webhook-only", "py-async", "node-sdk-nostore",
               "sdk-py-careful", "sdk-js-request-error"))]


def burn(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def run_once(config: Path) -> tuple[dict[str, tuple[str, str]], float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "belvo_check", "run", "-c", str(config), "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=900,
                          env={**os.environ, "BELVO_SECRET_ID": "repeat-id", "BELVO_SECRET_PASSWORD": "repeat-pw"})
    if not done.stdout.lstrip().startswith("{"):
        raise SystemExit(f"{config}: no JSON report (exit {done.returncode}): {done.stderr[-500:]}")
    results = json.loads(done.stdout)["results"]
    return ({r["id"]: (r["status"], (r["findings"] or [{"message": ""}])[0]["message"]) for r in results},
            time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("configs", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--burners", type=int, default=2, help="CPU-spinning processes kept running meanwhile")
    args = parser.parse_args()

    stop = multiprocessing.Event()
    burners = [multiprocessing.Process(target=burn, args=(stop,), daemon=True) for _ in range(args.burners)]
    for process in burners:
        process.start()
    unstable = 0
    try:
        for config in args.configs:
            seen: dict[str, dict[str, str]] = defaultdict(dict)  # check -> status -> first message
            walls = []
            for _ in range(args.runs):
                verdicts, wall = run_once(config)
                walls.append(wall)
                for check, (status, message) in verdicts.items():
                    seen[check].setdefault(status, message)
            differing = {check: statuses for check, statuses in seen.items() if len(statuses) > 1}
            unstable += len(differing)
            name = config.parent.name if config.name == "belvo-check.yaml" else config.name
            print(f"{name}: {len(seen)} checks, {args.runs} runs, {min(walls):.1f}-{max(walls):.1f} s, "
                  f"load {os.getloadavg()[0]:.1f}: " + ("same verdicts" if not differing else
                                                         f"{len(differing)} check(s) differ"))
            for check, statuses in sorted(differing.items()):
                for status, message in statuses.items():
                    print(f"  {check} {status}: {message[:160]}")
    finally:
        stop.set()
        for process in burners:
            process.join(5)
    return 1 if unstable else 0


if __name__ == "__main__":
    sys.exit(main())
