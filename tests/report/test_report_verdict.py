"""The verdict is earned: a production run where a check that would block was skipped for lack
of evidence is INCOMPLETE (exit 4), never READY, unless the config accepts that skip with a
reason and an owner; a sandbox run, or an advisory check, does not make it incomplete."""

from __future__ import annotations

import json
import textwrap

from tests.conftest import run_cli

KEYS = {"BELVO_SECRET_ID": "sk-id-7f3a9c21e4", "BELVO_SECRET_PASSWORD": "pw-b81d0e55c2aa"}
CONFIG = """\
    version: 1
    environment: {environment}
    belvo:
      base_url: {base_url}
      secret_id: ${{BELVO_SECRET_ID}}
      secret_password: ${{BELVO_SECRET_PASSWORD}}
    attestations:
      status_page: {{by: ana@acme.example.mx, date: 2026-11-20}}
"""


def run(tmp_path, environment="production", extra="", *args):
    base_url = "https://api.belvo.com" if environment == "production" else "https://sandbox.belvo.com"
    (tmp_path / "c.yaml").write_text(textwrap.dedent(CONFIG.format(environment=environment, base_url=base_url))
                                     + textwrap.dedent(extra))
    # BLV701 passes, BLV703 needs --live (skip, fail severity), BLV801 passes, BLV802 is advisory
    done = run_cli("run", "-c", "c.yaml", "--select", "BLV701,BLV703,BLV8", "--format", "rich",
                   "--format", "json=r.json", *args, cwd=tmp_path, env=KEYS)
    assert done.returncode in (0, 1, 4), done.stderr
    return done, json.loads((tmp_path / "r.json").read_text())


def test_a_production_run_with_an_unverified_blocking_check_is_incomplete(tmp_path):
    done, report = run(tmp_path)
    assert done.returncode == 4
    assert report["verdict"] == "incomplete" and report["exit_code"] == 4
    assert report["unverified"] == ["BLV703"] and report["verified"] == 3
    summary = done.stdout.strip().splitlines()[-1]
    assert summary.startswith("3 of 4 checks verified:")
    assert "INCOMPLETE for production" in summary and "BLV703" in summary and "READY" not in summary.replace(
        "INCOMPLETE", "")


def test_accepting_the_skip_with_a_reason_makes_it_ready(tmp_path):
    done, report = run(tmp_path, "production", """\
        checks:
          ignore:
            - {id: BLV703, reason: "keys are checked by the platform team's own job", owner: ana@acme.example.mx}
    """)
    assert done.returncode == 0 and report["verdict"] == "ready" and report["unverified"] == []
    blv703 = next(r for r in report["results"] if r["id"] == "BLV703")
    assert blv703["status"] == "ignored"


def test_a_sandbox_run_is_not_held_to_production_evidence(tmp_path):
    done, report = run(tmp_path, "sandbox")
    assert done.returncode == 0 and report["verdict"] == "ready"


def test_a_failure_outranks_incomplete(tmp_path):
    done, report = run(tmp_path, "production", "", "--fail-on", "warn")  # BLV802 warns: now blocking
    assert done.returncode == 1 and report["verdict"] == "not_ready"


def test_exit_zero_covers_incomplete(tmp_path):
    assert run(tmp_path, "production", "", "--exit-zero")[0].returncode == 0
