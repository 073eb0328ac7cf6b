"""Static verdicts against the hand-labelled integrations of tests/eval (scored by
benchmarks/eval/eval_static.py): a static pass is never given to code that fails the item, and
fails are right far more often than not."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _scorer():
    """benchmarks/ is no package: load the benchmark's scorer from its file (dataclasses need it in sys.modules)."""
    spec = importlib.util.spec_from_file_location("belvo_eval_static", ROOT / "benchmarks" / "eval" / "eval_static.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


scorer = _scorer()


@pytest.fixture(scope="module")
def scored():
    return scorer.evaluate()


def test_no_static_pass_on_code_that_fails_the_item(scored):
    assert not scored.wrong_passes, "\n" + scorer.render(scored)


def test_static_fails_are_right_far_more_often_than_not(scored):
    total = scored.total()
    assert total["fail"] >= 20, "too few static fails to judge precision:\n" + scorer.render(scored)
    assert scorer.Score.precision(total) >= scorer.PRECISION_TARGET, "\n" + scorer.render(scored)


def test_every_check_reading_source_is_labelled_for_every_integration(scored):
    assert not scored.unlabelled, "add labels to tests/eval/labels.yaml for: " + ", ".join(scored.unlabelled)
    assert not [d for d in scored.disagreements if d.kind == "not reported"], "\n" + scorer.render(scored)


def test_the_set_spans_the_languages_and_labels_cite_the_code():
    integrations = scorer.load_labels()
    assert len(integrations) >= 8
    suffixes = {p.suffix for i in integrations for p in i.source.rglob("*") if p.is_file()}
    assert {".py", ".js", ".ts", ".tsx", ".go", ".java", ".rb", ".php", ".cs"} <= suffixes
    labels = Counter(label.verdict for i in integrations for label in i.checks.values())
    assert labels["pass"] and labels["fail"] and labels["unclear"]
    for integration in integrations:
        for check_id, label in integration.checks.items():
            cited = re.search(r"([\w./-]+\.\w+):(\d+)", label.why)
            if label.verdict == "fail":  # a fail names where the code gets it wrong (or is "as BLVnnn")
                assert cited or re.match(r"as BLV\d{3}", label.why), f"{integration.name} {check_id}: {label.why}"
            if cited and "/" in cited[1]:  # the cited line exists
                lines = (integration.source / cited[1]).read_text().splitlines()
                assert int(cited[2]) <= len(lines), f"{integration.name} {check_id}: {label.why}"


def _verdict(status: str) -> "scorer.Verdict":
    return scorer.Verdict(status, ("source",), True, ("app.py:3:1",), ("a message",))


def test_scoring_counts_a_wrong_pass_and_fail_precision():
    labelled = [scorer.Integration("demo", [], {
        "BLV1": scorer.Label("fail", "app.py:3 no timeout"),
        "BLV2": scorer.Label("fail", "app.py:4"),
        "BLV3": scorer.Label("pass", "app.py:5"),
        "BLV4": scorer.Label("unclear", "app.py:6"),
        "BLV5": scorer.Label("n/a", "nothing"),
    })]
    said = {"demo": {"BLV1": _verdict("pass"), "BLV2": _verdict("fail"), "BLV3": _verdict("fail"),
                     "BLV4": _verdict("warn"), "BLV5": _verdict("pass"),
                     "BLV9": _verdict("warn")}}
    result = scorer.score(labelled, said)
    assert [(d.check, d.kind) for d in result.disagreements] == [
        ("BLV1", "wrong pass"), ("BLV3", "wrong fail"), ("BLV5", "unproven pass")]
    total = result.total()
    assert (total["fail"], total["right fail"]) == (2, 1) and scorer.Score.precision(total) == 0.5
    assert result.unlabelled == ["BLV9 in demo"]
    assert "wrong pass (1):" in scorer.render(result)
