"""Cold start: belvo-check commands beside the floor `python -c "import typer"`, side by side.

Run on demand:  python3 benchmarks/cold_start/bench_cold_start.py [--rounds 31] [--python PATH]
Target: `--version` and `list` within 1.3x of the floor.

Every round runs the floor and each command once (rotating which goes first), with the same
interpreter and environment: `--python` picks the virtualenv to measure (default: this one), and
commands run through its `belvo-check` console script, as users start them. The ratio printed is
the median over rounds of command / floor in the same round (the README quotes it); the ratio of
the minima is printed beside it, as a check on a machine whose load changed during the run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sidebyside import interleaved, load_line, summarise  # noqa: E402

CONFIG_ONLY = """version: 1
environment: production
belvo: {base_url: https://api.belvo.com}
webhooks: {urls: {sandbox: https://staging.acme.mx/h, production: https://acme.mx/h}}
attestations: {status_page: {by: ana@acme.mx, date: 2026-01-02}, changelog: {by: ana@acme.mx, date: 2026-01-02}}
"""
FLOOR = 'python -c "import typer" (floor)'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--python", default=sys.executable, help="the interpreter of the install to measure")
    parser.add_argument("--no-run", action="store_true", help="leave out the (slow) config-only run")
    args = parser.parse_args()
    python = args.python
    script = Path(python).parent / "belvo-check"
    command = [str(script)] if script.is_file() else [python, "-m", "belvo_check"]
    before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config-only.yaml"
        config.write_text(CONFIG_ONLY)
        cases = {
            FLOOR: [python, "-c", "import typer"],
            "belvo-check --version": [*command, "--version"],
            "belvo-check list": [*command, "list"],
        }
        if not args.no_run:
            cases["belvo-check run (config checks only)"] = [*command, "run", "-c", str(config),
                                                             "--select", "keys,webhooks,updates"]
        # the config-only run judges production with no source or harness evidence: incomplete, exit 4
        results = summarise(interleaved(cases, args.rounds, cwd=folder, ok=(0, 4)), FLOOR)
    print(f"{' '.join(command)}; {args.rounds} rounds side by side after a warm-up; {load_line(before)}")
    print(f"{'command':<40} {'min':>7} {'median':>8} {'x floor':>8} {'(x of minima)':>14}")
    for name, s in results.items():
        print(f"{name:<40} {s.minimum * 1000:>5.0f}ms {s.median * 1000:>6.0f}ms {s.ratio_median:>7.2f}x "
              f"{s.ratio_min:>13.2f}x")
    print("x floor: median over rounds of (command / floor in the same round). Target: --version and list <= 1.3x")


if __name__ == "__main__":
    main()
