"""Source scan: a static-only scan (every concept) and a git-history secret scan of a large corpus,
each timed beside its anchor in the same run.

Run on demand:  python3 benchmarks/scan/bench_scan.py [--runs 3] [--corpus-script PATH]

The corpus (13.8k files, 1.47M code lines in six languages, and a 50-commit git variant) is built
once by the corpus script under /tmp/perf and reused afterwards (the script needs `apt-get update`
run once beforehand, and takes about a minute and a half). Targets: static scan 1.5 s wall or
less on 2 cores and under 300 MB peak; history scan within 2x of `git log -p --all`.
Peak memory is ru_maxrss from wait4: the largest single process of the measured command's tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PERF = Path(os.environ.get("PERF_ROOT", "/tmp/perf"))
CORPUS, CORPUS_GIT = PERF / "corpus", PERF / "corpus-git"
DEFAULT_SCRIPT = ROOT.parent / "shared" / "bench" / "make_corpus.sh"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # cached bytecode, as users get

STATIC = f"""
import sys
from belvo_check.source import scan
result = scan({str(CORPUS)!r})
print(f"{{result.files}} files, {{result.matched}} past the prefilter, {{result.parsed}} parsed, "
      f"{{len(result.findings)}} findings, {{len(result.errors)}} errors", file=sys.stderr)
"""
HISTORY = f"""
import sys
from belvo_check.source import scan_history
result = scan_history({str(CORPUS_GIT)!r})
print(f"{{result.commits}} commits, {{len(result.findings)}} distinct secrets", file=sys.stderr)
"""


def measure(argv: list[str], stdout=subprocess.DEVNULL) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, last stderr line) of one run of a command.

    CPU (user + system, the command and its children) is reported beside wall time because other
    work on a shared machine stretches wall time but not CPU time.
    """
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=ENV, cwd=ROOT)
    stderr = process.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, stderr.strip().splitlines()[-1] if stderr.strip() else ""


def best_of(argv: list[str], runs: int) -> tuple[float, float, float, str]:
    measure(argv)  # warm-up: page cache and bytecode
    results = [measure(argv) for _ in range(runs)]
    return (statistics.median(r[0] for r in results), statistics.median(r[1] for r in results),
            max(r[2] for r in results), results[-1][3])


def ensure_corpus(script: Path) -> None:
    if CORPUS.is_dir() and (CORPUS_GIT / ".git").is_dir():
        return
    if not script.is_file():
        sys.exit(f"corpus missing under {PERF} and no corpus script at {script} (pass --corpus-script)")
    subprocess.run(["bash", str(script)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus-script", type=Path, default=DEFAULT_SCRIPT)
    args = parser.parse_args()
    ensure_corpus(args.corpus_script)
    python = sys.executable
    ruff = shutil.which("ruff")
    load_before = os.getloadavg()
    rows = [("static scan, all concepts (belvo-check)", best_of([python, "-c", STATIC], args.runs))]
    if ruff:
        rows.append(("ruff check --isolated --select S,DTZ --no-cache",
                     best_of([ruff, "check", "--isolated", "--select", "S,DTZ", "--no-cache", "-q", str(CORPUS)],
                             args.runs)))
    rows.append(("history scan, every commit (belvo-check)", best_of([python, "-c", HISTORY], args.runs)))
    rows.append(("git log -p --all", best_of(["git", "-C", str(CORPUS_GIT), "log", "-p", "--all"], args.runs)))
    load_after = os.getloadavg()
    print(f"corpus {CORPUS} and {CORPUS_GIT}; {os.cpu_count()} cores; median of {args.runs} runs after a warm-up")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} (1 min)\n")
    print("| command | wall (median) | CPU user+sys (median) | peak RSS (largest process) | notes |")
    print("|---|---:|---:|---:|---|")
    for name, (wall, cpu, rss, note) in rows:
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {rss:.0f} MB | {note} |")
    static, history, git = rows[0][1][0], rows[-2][1][0], rows[-1][1][0]
    print(f"\nstatic scan {'meets' if static <= 1.5 else 'misses'} 1.5 s; "
          f"history scan is {history / git:.2f}x git log -p --all ({'meets' if history <= 2 * git else 'misses'} 2x)")
    if not ruff:
        print("ruff is not installed (pip install ruff): its row is missing")


if __name__ == "__main__":
    main()
