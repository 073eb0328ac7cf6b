"""Each fixture integration breaks exactly one item: that check fails, every other harness check passes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "integrations"
HARNESS_CHECKS = ["BLV101", "BLV102", "BLV201", "BLV202", "BLV203", "BLV204", "BLV205", "BLV206", "BLV301",
                  "BLV302", "BLV303", "BLV304", "BLV501", "BLV502", "BLV503", "BLV601", "BLV602", "BLV603",
                  "BLV604", "BLV704"]
BROKEN = {"pygood": None, "node-nopages": "BLV303", "py-leaks-keys": "BLV704", "py-crash-html": "BLV206"}


def run_report(config: Path, checks: list[str]) -> dict:
    proc = subprocess.run([sys.executable, "-m", "belvo_check", "run", "-c", str(config), "--format", "json",
                           *[arg for c in checks for arg in ("--select", c)]],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def statuses(report: dict) -> dict[str, str]:
    out = {}
    for item in report.get("results") or report.get("checks"):
        out[item.get("id") or item.get("check_id")] = item["status"]
    return out


@pytest.mark.parametrize("fixture", sorted(BROKEN))
def test_fixture_verdicts(fixture):
    got = statuses(run_report(FIXTURES / fixture / "belvo-check.yaml", HARNESS_CHECKS))
    expected = {check: ("fail" if check == BROKEN[fixture] else "pass") for check in HARNESS_CHECKS}
    assert got == expected
