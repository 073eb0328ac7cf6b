"""Cold start: median wall time of belvo-check commands beside the floor `python -c "import typer"`.

Run on demand:  python3 benchmarks/cold_start/bench_cold_start.py [--runs 15]
Target: `--version` and `list` within 1.3x of the floor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG_ONLY = """version: 1
environment: production
belvo: {base_url: https://api.belvo.com}
webhooks: {urls: {sandbox: https://staging.acme.mx/h, production: https://acme.mx/h}}
attestations: {status_page: {by: ana@acme.mx, date: 2026-01-02}, changelog: {by: ana@acme.mx, date: 2026-01-02}}
"""


# Measure what users get: compiled bytecode cached on disk (some sandboxes set this variable,
# which makes every start recompile every module).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_seconds(argv: list[str], runs: int) -> float:
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=False)  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config-only.yaml"
        config.write_text(CONFIG_ONLY)
        cases = {
            'python -c "import typer" (floor)': [sys.executable, "-c", "import typer"],
            "belvo-check --version": [sys.executable, "-m", "belvo_check", "--version"],
            "belvo-check list": [sys.executable, "-m", "belvo_check", "list"],
            "belvo-check run (config checks only)": [sys.executable, "-m", "belvo_check", "run", "-c", str(config),
                                                     "--select", "keys,webhooks,updates"],
        }
        medians = {name: median_seconds(argv, runs) for name, argv in cases.items()}
    floor = next(iter(medians.values()))
    print(f"{'command':<40} {'median':>9} {'x floor':>8}   ({runs} runs each)")
    for name, seconds in medians.items():
        print(f"{name:<40} {seconds * 1000:>7.0f}ms {seconds / floor:>7.2f}x")


if __name__ == "__main__":
    main()
