"""The evidence level is a property of the verdict (issue 17): a static run of good code earns
passes decided by source and a verdict naming the evidence it rests on; real defects still warn or
fail; what a run went without is said once, in every format, with the line that brings it back.

The fixtures (tests/fixtures/evidence) are a Python integration (requests, a Flask receiver, sqlite
upserts) and a Node one (axios, an Express receiver, Postgres upserts), each with a widget front end
and a per-environment host table; each run copies one into a git repository of its own."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import run_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "evidence"
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "belvo_check" / "schemas" / "report-v1.json").read_text())
KEYS = {"BELVO_SECRET_ID": "sk-id-3c9e1f7a55", "BELVO_SECRET_PASSWORD": "pw-6b2d8e04f1c9"}
ON_SOURCE = "READY for production on config and source evidence; behaviour not run"
# Defects that must still be reported, one per fixture: (file, text, replacement, check, status).
DEFECTS = {
    "py-good": ("app/belvo.py", "auth=AUTH, timeout=TIMEOUT, **kwargs", "auth=AUTH, timeout=TIMEOUT, verify=False, **kwargs",
                "BLV708", "fail"),
    "node-good": ("src/belvo.js", "process.env.BELVO_API_URL || HOSTS[process.env.APP_ENV]",
                  "'https://sandbox.belvo.com'", "BLV701", "fail"),
}


def repository(tmp_path: Path, name: str, change: tuple[str, str, str] | None = None) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    if change:
        path, old, new = change
        text = (root / path).read_text()
        assert old in text
        (root / path).write_text(text.replace(old, new))
    git = ["git", "-c", "user.email=dev@example.com", "-c", "user.name=dev", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(git + ["add", "-A"], cwd=root, check=True)
    subprocess.run(git + ["commit", "-qm", "the integration"], cwd=root, check=True)
    return root


def run(root: Path, *args: str):
    done = run_cli("run", "--format", "rich", "--format", "json=r.json", *args, cwd=root, env=KEYS)
    assert (root / "r.json").exists(), done.stderr
    report = json.loads((root / "r.json").read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    return done, report


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_a_static_run_of_good_code_has_no_warning_and_names_its_evidence(tmp_path, name):
    done, report = run(repository(tmp_path, name), "--select", "static")
    results = {r["id"]: r for r in report["results"]}
    assert not [i for i, r in results.items() if r["status"] in ("warn", "fail", "error")], \
        {i: r["findings"][0]["message"] for i, r in results.items() if r["status"] in ("warn", "fail", "error")}
    assert report["verdict"] == "ready" and done.returncode == 0
    assert report["verdict_text"] == ON_SOURCE and ON_SOURCE in done.stdout.splitlines()[-1]
    assert report["evidence"] == {"used": ["config", "source"], "not_run": ["probe", "harness"]}
    # Items only behaviour fully proves: a pass, decided by source, naming what it went without.
    assert results["BLV201"]["status"] == "pass" and results["BLV201"]["decided_by"] == ["source"]
    assert results["BLV201"]["evidence_level"] == "decided by source; harness not run"
    assert results["BLV406"]["evidence_level"] == "decided by source; probe not run"
    assert "only behaviour can prove it" not in (root_text := json.dumps(report))
    # Said once: the flag that brings behaviour back, with every check it concerns.
    [gap] = report["gaps"]
    assert gap["enable"] == "run without --select static" and "BLV201" in gap["decided_without"]
    assert root_text.count("run without --select static") == 1
    assert done.stdout.count("run without --select static") == 1
    assert "(decided by source; harness not run)" in done.stdout


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_a_real_defect_still_fails_a_static_run(tmp_path, name):
    path, old, new, check, status = DEFECTS[name]
    done, report = run(repository(tmp_path, name, (path, old, new)), "--select", "static")
    results = {r["id"]: r for r in report["results"]}
    assert results[check]["status"] == status, results[check]["findings"]
    located = [f for f in results[check]["findings"] if f["status"] == status and f["location"]]
    assert located and located[0]["location"]["path"].endswith(path)
    assert report["verdict"] == "not_ready" and done.returncode == 1
    assert report["verdict_text"].startswith("NOT READY for production on config and source evidence")


FORMATS = ("json", "sarif", "junit", "github", "gitlab", "markdown", "html")
PROBE_LINE = "add to the config: webhooks: {probe_url: http://127.0.0.1:8099/hooks/belvo}"


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_missing_behaviour_makes_a_full_run_incomplete_said_once_in_every_format(tmp_path, name):
    """No harness and no probe_url in a full production run: the checks that need them get no verdict,
    so the run is INCOMPLETE (exit 4), and each missing line is named once per format, not per check."""
    root = repository(tmp_path, name)
    args = [arg for fmt in FORMATS for arg in ("--format", f"{fmt}={fmt}.out")]
    done = run_cli("run", *args, "-o", "rich.out", "--format", "rich", cwd=root, env=KEYS)
    assert done.returncode == 4, done.stderr
    report = json.loads((root / "json.out").read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert report["verdict"] == "incomplete" and report["exit_code"] == 4
    assert report["verdict_text"].startswith("INCOMPLETE for production on config and source evidence")
    probe_gap = next(g for g in report["gaps"] if g["enable"] == PROBE_LINE)
    assert {"BLV404", "BLV407"} <= set(probe_gap["skipped"]) and "BLV406" in probe_gap["decided_without"]
    assert {"BLV404", "BLV407"} <= set(report["unverified"])
    texts = {fmt: (root / f"{fmt}.out").read_text() for fmt in (*FORMATS, "rich")}
    for fmt, text in texts.items():
        assert text.count(PROBE_LINE) == 1, (fmt, text.count(PROBE_LINE))
    # ... and the verdict with the evidence it rests on, in each.
    for fmt in ("rich", "markdown", "html", "github", "gitlab"):
        assert report["verdict_text"] in texts[fmt], fmt
    properties = {p.get("name"): p.get("value") for p in ET.fromstring(texts["junit"]).find("properties")}
    assert properties["verdict"] == report["verdict_text"]
    sarif = json.loads(texts["sarif"])["runs"][0]
    assert sarif["properties"]["verdictText"] == report["verdict_text"]
    assert "not gathered: " in texts["rich"] and "webhooks.probe_url is not configured" in texts["rich"]
    # Per-check skips stay honest: each skipped probe check still says why.
    assert texts["rich"].count("webhooks.probe_url is not configured") >= 3


def test_exit_zero_still_covers_incomplete(tmp_path):
    root = repository(tmp_path, "py-good")
    done, report = run(root, "--exit-zero")
    assert report["verdict"] == "incomplete" and done.returncode == 0
