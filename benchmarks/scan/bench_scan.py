"""Source scan: the full static run of a large corpus beside ruff on the same tree, side by side;
the scan alone; and the git-history scan beside `git log -p --all`.

Run on demand:  python3 benchmarks/scan/bench_scan.py [--rounds 9] [--corpus-script PATH]
                (pip install -e '.[bench]' first for ruff; PERF_ROOT picks the corpus folder)

The corpus (13.8k files, 1.47M code lines in six languages, and a 50-commit git variant) is built
once by the corpus script under $PERF_ROOT (default /tmp/perf) and reused afterwards (the script
needs `apt-get update` run once beforehand, and takes about a minute and a half).

Goals: `belvo-check run --select static` on the corpus within 1.5 s and 3.5x `ruff check --select
S,DTZ`, peak memory under 300 MB; the history scan within 2x `git log -p --all`. Every round runs
each command once, in a rotating order (benchmarks/sidebyside.py), and the ratio printed is the
median over rounds of command / anchor in the same round, so load from other work on a shared
machine falls on both. Without ruff the anchor is a plain read of the tree (walk it and read
every file, in one Python process). Peak memory: the largest sampled sum of the RSS of the
command and every process it starts (the static run has a parent and two workers it forks),
beside ru_maxrss, the largest single process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sidebyside import interleaved, load_line, summarise  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PERF = Path(os.environ.get("PERF_ROOT", "/tmp/perf"))
CORPUS, CORPUS_GIT = PERF / "corpus", PERF / "corpus-git"
DEFAULT_SCRIPT = ROOT.parent / "shared" / "bench" / "make_corpus.sh"

CONFIG = f"""version: 1
environment: production
belvo: {{base_url: https://api.belvo.com}}
webhooks: {{urls: {{sandbox: https://staging.acme.mx/h, production: https://acme.mx/h}}}}
source: {{root: {str(CORPUS)!r}, history: false}}
"""
SCAN = f"""
import sys
from belvo_check.source import scan
result = scan({str(CORPUS)!r})
print(f"{{result.files}} files, {{result.read}} read, {{result.matched}} past the prefilter, {{result.parsed}} parsed, "
      f"{{len(result.findings)}} findings", file=sys.stderr)
"""
PLAIN_READ = f"""
import os
for folder, _, names in os.walk({str(CORPUS)!r}):
    for name in names:
        with open(os.path.join(folder, name), "rb") as handle:
            handle.read()
"""
HISTORY = f"""
import sys
from belvo_check.source import scan_history
result = scan_history({str(CORPUS_GIT)!r})
print(f"{{result.commits}} commits, {{len(result.findings)}} distinct secrets", file=sys.stderr)
"""
RUN = "belvo-check run --select static"


def ensure_corpus(script: Path) -> None:
    if CORPUS.is_dir() and (CORPUS_GIT / ".git").is_dir():
        return
    if not script.is_file():
        sys.exit(f"corpus missing under {PERF} and no corpus script at {script} (pass --corpus-script)")
    subprocess.run(["bash", str(script)], check=True, env={**os.environ, "PERF_ROOT": str(PERF)})


def table(title: str, results: dict, anchor: str) -> None:
    print(f"\n{title}")
    print(f"| command | wall (median) | min | CPU (median) | peak RSS, tree | largest process | x {anchor} |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, s in results.items():
        print(f"| {name} | {s.median:.2f} s | {s.minimum:.2f} s | {s.cpu:.2f} s | {s.tree_mb:.0f} MB "
              f"| {s.rss_mb:.0f} MB | {s.ratio_median:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--corpus-script", type=Path, default=DEFAULT_SCRIPT)
    parser.add_argument("--no-history", action="store_true", help="leave out the history scan and git log")
    args = parser.parse_args()
    ensure_corpus(args.corpus_script)
    python = sys.executable
    script = Path(python).parent / "belvo-check"
    command = [str(script)] if script.is_file() else [python, "-m", "belvo_check"]
    ruff = shutil.which("ruff", path=f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    anchor = "ruff check --select S,DTZ" if ruff else "plain read of the tree"
    anchor_argv = ([ruff, "check", "--isolated", "--select", "S,DTZ", "--no-cache", "-q", str(CORPUS)] if ruff
                   else [python, "-c", PLAIN_READ])
    before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "static.yaml"
        config.write_text(CONFIG)
        static = summarise(interleaved({
            anchor: anchor_argv,
            RUN: [*command, "run", "-c", str(config), "--select", "static"],
            "the scan alone (belvo_check.source.scan)": [python, "-c", SCAN],
        }, args.rounds, cwd=folder, ok=(0, 1)), anchor)  # both exit 1 when they find something
    history = None
    if not args.no_history:
        history = summarise(interleaved({
            "git log -p --all": ["git", "-C", str(CORPUS_GIT), "log", "-p", "--all"],
            "history scan, every commit (belvo-check)": [python, "-c", HISTORY],
        }, args.rounds), "git log -p --all")
    print(f"corpus {CORPUS}; {args.rounds} rounds side by side after a warm-up; {load_line(before)}")
    table("Static run", static, anchor)
    run = static[RUN]
    print(f"\n{RUN}: {run.median:.2f} s (goal 1.5 s), {run.ratio_median:.2f}x {anchor}"
          f"{' (goal 3.5x)' if ruff else ''}, peak {run.tree_mb:.0f} MB for the process tree (goal 300 MB)")
    if not ruff:
        print("ruff is not installed (pip install -e '.[bench]'): the anchor is a plain read of the tree")
    if history:
        table("History scan", history, "git log")
        ratio = history["history scan, every commit (belvo-check)"].ratio_median
        print(f"\nhistory scan: {ratio:.2f}x git log -p --all (goal 2x)")


if __name__ == "__main__":
    main()
