"""Static verdicts against hand labels: belvo-check's `--select static` run on each integration of
tests/eval/integrations, compared with tests/eval/labels.yaml.

Run on demand:  python3 benchmarks/eval/eval_static.py [--json PATH] [--only NAME] [-v]

Each integration is copied into a git repository of its own (one commit, as a real one would be,
so the history scan sees its history and not this project's), gets a generated config
(environment: production, source.root: the copy, source.frontend: its labelled front-end globs)
and one real `belvo-check run --select static --format json`. A verdict is scored against the label of its check:
  wrong pass   belvo-check pass, label fail: the worst error, the target is zero;
  fail precision   fails whose label is fail / all fails (target 0.8 or more);
  caught      label fail reported as fail (recall), as warn (flagged, not proven) or missed (pass/skip).
Labels `unclear` and `n/a` accept warn and skip; a pass on them is listed as unproven.
Exit 1 when there is a wrong pass or precision is below target.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "eval"
LABELS = EVAL / "labels.yaml"
INTEGRATIONS = EVAL / "integrations"
DEFAULT_JSON = ROOT / ".belvo-check" / "static-eval.json"
VERDICTS = ("pass", "fail", "unclear", "n/a")
PRECISION_TARGET = 0.8


@dataclass(frozen=True)
class Label:
    verdict: str  # one of VERDICTS
    why: str


@dataclass
class Integration:
    name: str
    frontend: list[str]
    checks: dict[str, Label]

    @property
    def source(self) -> Path:
        return INTEGRATIONS / self.name


@dataclass(frozen=True)
class Verdict:
    """What belvo-check said on one check of one integration."""
    status: str
    decided_by: tuple[str, ...]
    reads_source: bool
    where: tuple[str, ...]  # path:line:col of its non-pass findings (or of its pass), relative to the integration
    messages: tuple[str, ...]


@dataclass
class Disagreement:
    kind: str  # wrong pass, wrong fail, unproven pass, missed fail
    check: str
    integration: str
    said: str
    where: list[str]
    message: str
    label: str
    why: str


@dataclass
class Score:
    per_check: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    disagreements: list[Disagreement] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)  # "BLVnnn in NAME": reads source, no label
    matrix: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))  # check -> name -> "said/label"

    def total(self) -> Counter:
        out: Counter = Counter()
        for counts in self.per_check.values():
            out.update(counts)
        return out

    @staticmethod
    def precision(counts: Counter) -> float | None:
        fails = counts["fail"]
        return counts["right fail"] / fails if fails else None

    @property
    def wrong_passes(self) -> list[Disagreement]:
        return [d for d in self.disagreements if d.kind == "wrong pass"]

    @property
    def wrong_fails(self) -> list[Disagreement]:
        return [d for d in self.disagreements if d.kind == "wrong fail"]


def load_labels(path: Path = LABELS) -> list[Integration]:
    data = yaml.safe_load(path.read_text())
    out = []
    for name, entry in data["integrations"].items():
        if not (INTEGRATIONS / name).is_dir():
            raise SystemExit(f"{path}: integrations.{name}: no folder {INTEGRATIONS / name}")
        out.append(Integration(name, list(entry.get("frontend") or []),
                               {k: _label(path, f"{name}.checks.{k}", v) for k, v in entry["checks"].items()}))
    return out


def _label(path: Path, key: str, text: str) -> Label:
    verdict, _, why = str(text).partition(":")
    if verdict.strip() not in VERDICTS:
        raise SystemExit(f"{path}: integrations.{key}: label must start with one of {', '.join(VERDICTS)} and a colon")
    return Label(verdict.strip(), why.strip())


GIT_ENV = {"GIT_AUTHOR_NAME": "eval", "GIT_AUTHOR_EMAIL": "eval@example.invalid", "GIT_COMMITTER_NAME": "eval",
           "GIT_COMMITTER_EMAIL": "eval@example.invalid", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def repository(integration: Integration, workdir: Path) -> Path:
    """A copy of the integration as a git repository of its own, every file committed once."""
    root = workdir / integration.name
    shutil.copytree(integration.source, root, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    env = {**os.environ, **GIT_ENV}
    for argv in (["init", "-q", "-b", "main"], ["add", "-A", "-f"], ["commit", "-q", "-m", "initial import"]):
        subprocess.run(["git", *argv], cwd=root, env=env, check=True, capture_output=True, timeout=60)
    return root


def run_static(integration: Integration, workdir: Path) -> dict[str, Verdict]:
    """One real `belvo-check run --select static` on the integration; its verdict per check id."""
    root = repository(integration, workdir)
    config = workdir / f"{integration.name}.yaml"
    report = workdir / f"{integration.name}.json"
    config.write_text(yaml.safe_dump({
        "version": 1, "environment": "production",
        "source": {"root": str(root), "frontend": integration.frontend},
    }, sort_keys=False))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELVO_")}
    done = subprocess.run([sys.executable, "-m", "belvo_check", "run", "-c", str(config), "--select", "static",
                           "--format", f"json={report}", "--exit-zero", "-q"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not report.exists():
        raise RuntimeError(f"belvo-check failed on {integration.name} (exit {done.returncode}): "
                           f"{done.stderr.strip()[-2000:]}")
    results = json.loads(report.read_text())["results"]
    return {r["id"]: _verdict(r, root) for r in results}


def _verdict(result: dict, root: Path) -> Verdict:
    status = result["status"]
    shown = [f for f in result["findings"] if f["status"] == status] or result["findings"]
    where, messages = [], []
    for finding in shown:
        messages.append(finding["message"])
        loc = finding.get("location")
        if loc and loc.get("path"):
            path = Path(loc["path"])
            path = (ROOT / path) if not path.is_absolute() else path
            try:
                rel = path.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                rel = loc["path"]
            where.append(":".join(str(p) for p in (rel or ".", loc.get("line"), loc.get("col")) if p is not None))
    return Verdict(status, tuple(result.get("decided_by") or ()), "source" in result.get("evidence_kinds", []),
                   tuple(dict.fromkeys(where)), tuple(dict.fromkeys(messages)))


def score(integrations: list[Integration], verdicts: dict[str, dict[str, Verdict]]) -> Score:
    result = Score()
    for integration in integrations:
        said = verdicts[integration.name]
        for check_id, verdict in sorted(said.items()):
            label = integration.checks.get(check_id)
            if label is None:
                if verdict.reads_source:
                    result.unlabelled.append(f"{check_id} in {integration.name}")
                continue
            result.matrix[check_id][integration.name] = f"{verdict.status}/{label.verdict}"
            counts = result.per_check[check_id]
            counts[verdict.status] += 1
            counts[f"label {label.verdict}"] += 1
            kind = _kind(verdict.status, label.verdict)
            if kind in ("right pass", "right fail"):
                counts[kind] += 1
            elif label.verdict == "fail" and verdict.status == "warn":
                counts["fail flagged as warn"] += 1
            if kind in ("wrong pass", "wrong fail", "unproven pass", "missed fail"):
                counts[kind] += 1
                result.disagreements.append(Disagreement(
                    kind, check_id, integration.name, verdict.status, list(verdict.where[:6]),
                    "; ".join(verdict.messages[:2]), label.verdict, label.why))
        for check_id in sorted(set(integration.checks) - set(said)):
            result.disagreements.append(Disagreement("not reported", check_id, integration.name, "absent", [], "",
                                                     integration.checks[check_id].verdict,
                                                     integration.checks[check_id].why))
    return result


def _kind(status: str, label: str) -> str:
    if status == "pass":
        return {"pass": "right pass", "fail": "wrong pass"}.get(label, "unproven pass")
    if status == "fail":
        return "right fail" if label == "fail" else "wrong fail"
    if label == "fail" and status == "skip":
        return "missed fail"
    return status


def evaluate(only: list[str] | None = None, jobs: int = 2) -> Score:
    """Run belvo-check statically on the labelled integrations and score it (shared with the test)."""
    integrations = [i for i in load_labels() if not only or i.name in only]
    with tempfile.TemporaryDirectory(prefix="belvo-eval-") as tmp:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            runs = dict(zip([i.name for i in integrations],
                            pool.map(lambda i: run_static(i, Path(tmp)), integrations)))
    return score(integrations, runs)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def render(result: Score, verbose: bool = False) -> str:
    lines = [f"{'check':8} {'pass':>5} {'wrong':>5} {'fail':>5} {'right':>5} {'prec':>5} {'warn':>5} {'skip':>5} "
             f"{'err':>4}   label fails: {'caught':>6} {'warned':>6} {'missed':>6}"]

    def row(name: str, c: Counter) -> str:
        label_fails = c["label fail"]
        missed = label_fails - c["right fail"] - c["fail flagged as warn"]
        return (f"{name:8} {c['pass']:>5} {c['wrong pass']:>5} {c['fail']:>5} {c['right fail']:>5} "
                f"{_ratio(Score.precision(c)):>5} {c['warn']:>5} {c['skip']:>5} {c['error']:>4}   "
                f"{'':13}{c['right fail']:>6} {c['fail flagged as warn']:>6} {missed:>6}")

    for check_id in sorted(result.per_check):
        lines.append(row(check_id, result.per_check[check_id]))
    total = result.total()
    lines.append(row("overall", total))
    lines.append("")
    lines.append(f"wrong passes: {len(result.wrong_passes)} (target 0) · fail precision: "
                 f"{_ratio(Score.precision(total))} (target {PRECISION_TARGET}) · "
                 f"right passes: {total['right pass']} · unproven passes: {total['unproven pass']}")
    shown = ("wrong pass", "wrong fail") + (("unproven pass", "missed fail", "not reported") if verbose else
                                            ("not reported",))
    for kind in shown:
        items = [d for d in result.disagreements if d.kind == kind]
        if items:
            lines.append(f"\n{kind} ({len(items)}):")
            for d in items:
                lines.append(f"  {d.check} {d.integration}: belvo-check {d.said} at {', '.join(d.where) or '(tree)'}"
                             f" \"{d.message[:160]}\"")
                lines.append(f"      label {d.label}: {d.why}")
    if verbose and result.matrix:
        names = list(dict.fromkeys(n for row in result.matrix.values() for n in row))
        lines.append("\nbelvo-check/label per integration: " + ", ".join(f"{i + 1}={n}" for i, n in enumerate(names)))
        lines.append(f"{'':8}" + "".join(f"{i + 1:>14}" for i in range(len(names))))
        for check_id in sorted(result.matrix):
            lines.append(f"{check_id:8}" + "".join(f"{result.matrix[check_id].get(n, '-'):>14}" for n in names))
    if result.unlabelled:
        lines.append(f"\nunlabelled (reads source, no label): {', '.join(result.unlabelled)}")
    return "\n".join(lines)


def summary(result: Score) -> dict:
    total = result.total()
    return {
        "wrong_passes": len(result.wrong_passes),
        "fail_precision": Score.precision(total),
        "totals": dict(total),
        "per_check": {k: dict(v) | {"fail_precision": Score.precision(v)} for k, v in sorted(result.per_check.items())},
        "disagreements": [asdict(d) for d in result.disagreements],
        "unlabelled": result.unlabelled,
        "verdicts": {k: result.matrix[k] for k in sorted(result.matrix)},  # belvo-check's status / the label
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"summary file (default {DEFAULT_JSON})")
    parser.add_argument("--only", action="append", help="score only this integration (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list unproven passes and missed fails")
    args = parser.parse_args()
    result = evaluate(args.only)
    print(render(result, args.verbose))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary(result), indent=2) + "\n")
    print(f"\nsummary: {args.json}")
    precision = Score.precision(result.total())
    sys.exit(1 if result.wrong_passes or (precision is not None and precision < PRECISION_TARGET) else 0)


if __name__ == "__main__":
    main()
