"""Gating on real runs: --fail-on, --exit-zero, severity, suppressions (reason, owner, expiry,
per finding), unused ones reported, and a baseline that only shrinks."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET

from reporttest import CONFIG, SECRET_ID, SECRET_PASSWORD
from tests.conftest import run_cli

KEYS = {"BELVO_SECRET_ID": SECRET_ID, "BELVO_SECRET_PASSWORD": SECRET_PASSWORD}
# Checks the config alone can verify: nothing skips, so the verdict is READY or NOT READY (a skipped
# blocking check would make it INCOMPLETE: tests/report/test_report_verdict.py).
SELECT = "BLV401,BLV402,BLV701,BLV702,BLV8"


def run(tmp_path, extra: str = "", *args: str, name: str = "belvo-check.yaml", select: str = SELECT):
    (tmp_path / name).write_text(textwrap.dedent(CONFIG) + textwrap.dedent(extra))
    done = run_cli("run", "-c", name, "--select", select, "--format", "rich",
                   "--format", "json=r.json", *args, cwd=tmp_path, env=KEYS)
    report = json.loads((tmp_path / "r.json").read_text()) if done.returncode in (0, 1, 3, 4) else None
    return done, report


def statuses(report):
    return {r["id"]: r["status"] for r in report["results"]}


def test_fail_on_and_exit_zero(tmp_path):
    fixed = """\
        checks:
          severity: {BLV401: warn, BLV701: warn, errors: fail}
    """
    done, report = run(tmp_path, fixed)
    assert done.returncode == 0 and statuses(report)["BLV401"] == "warn" and report["verdict"] == "ready"
    assert report["notes"] == ["belvo-check.yaml:14:42: checks.severity for errors applies to no check selected "
                               "in this run"]
    assert run(tmp_path, fixed, "--fail-on", "warn")[0].returncode == 1
    done, report = run(tmp_path, fixed.replace("errors: fail}", "BLV802: fail}"))
    assert done.returncode == 1 and statuses(report)["BLV802"] == "fail"
    assert run(tmp_path, fixed, "--fail-on", "skip", select="BLV401,BLV703")[0].returncode == 1  # needs --live: skips
    assert run(tmp_path, "", "--exit-zero")[0].returncode == 0


def test_suppressed_check_still_runs_and_says_what_it_found(tmp_path):
    done, report = run(tmp_path, """\
        checks:
          ignore:
            - {id: BLV401, reason: staging shares the prod hook until January, owner: ana@acme.example.mx,
               expires: 2999-01-31}
            - {id: BLV701, finding: "*pointed at Belvo sandbox*", reason: migrating hosts, owner: ops@acme.example.mx}
    """, "--format", "junit=r.xml", "--format", "sarif=r.sarif")
    assert done.returncode == 0, done.stdout
    assert statuses(report)["BLV401"] == "ignored" and statuses(report)["BLV701"] == "ignored"
    assert report["summary"]["ignored"] == 2 and report["verdict"] == "ready"
    [finding] = [r for r in report["results"] if r["id"] == "BLV401"][0]["findings"]
    assert finding["status"] == "ignored" and "share one webhook URL" in finding["message"]
    assert finding["suppression"] == {"would_be": "fail", "expired": False,
                                      "why": "staging shares the prod hook until January, owner ana@acme.example.mx, "
                                             "until 2999-01-31"}
    assert "ignored, would be fail: staging shares the prod hook" in done.stdout
    # Code scanning shows it dismissed with its reason; the test report shows it skipped with its reason.
    result = [r for r in json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"]
              if r["ruleId"] == "BLV701"][0]
    assert result["level"] == "error"
    assert result["suppressions"] == [{"kind": "external", "status": "accepted",
                                       "justification": "migrating hosts, owner ops@acme.example.mx"}]
    case = [c for c in ET.parse(tmp_path / "r.xml").iter("testcase") if c.get("name").startswith("BLV401")][0]
    assert "ignored, would be fail: staging shares the prod hook" in case.find("skipped").get("message")


def test_expired_suppression_returns_the_finding_and_says_so(tmp_path):
    done, report = run(tmp_path, """\
        checks:
          ignore:
            - {id: BLV401, reason: staging shares the prod hook, owner: ana@acme.example.mx, expires: 2020-01-31}
    """, "--format", "junit=r.xml", "--format", "sarif=r.sarif")
    assert done.returncode == 1 and statuses(report)["BLV401"] == "fail"
    assert "suppression expired, so this counts again (staging shares the prod hook" in done.stdout
    assert any("expired suppression" in note for note in report["notes"])
    case = [c for c in ET.parse(tmp_path / "r.xml").iter("testcase") if c.get("name").startswith("BLV401")][0]
    assert case.find("failure") is not None and "suppression expired" in case.find("failure").text
    sarif = json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"]
    assert [r for r in sarif if r["ruleId"] == "BLV401"][0].get("suppressions") is None


def test_suppression_needs_reason_and_owner_and_an_unused_one_is_reported(tmp_path):
    done, _ = run(tmp_path, """\
        checks:
          ignore:
            - {id: BLV401, reason: shared hook}
    """)
    assert done.returncode == 2 and "belvo-check.yaml:15" in done.stderr and "owner" in done.stderr
    done, report = run(tmp_path, """\
        checks:
          ignore:
            - {id: BLV402, reason: was broken last month, owner: ana@acme.example.mx}
            - {id: BLV401, finding: "*no such message*", reason: never matches, owner: ana@acme.example.mx}
    """)
    assert done.returncode == 1
    assert len([n for n in report["notes"] if "matched nothing in this run" in n]) == 2
    assert "belvo-check.yaml:15:7: checks.ignore entry for BLV402 matched nothing" in done.stdout


def test_baseline_makes_only_new_findings_fail_and_only_shrinks(tmp_path):
    (tmp_path / "belvo-check.yaml").write_text(textwrap.dedent(CONFIG))
    made = run_cli("baseline", "create", "--select", "BLV40,BLV70,BLV8", cwd=tmp_path, env=KEYS)
    assert made.returncode == 0, made.stderr
    baseline = json.loads((tmp_path / "belvo-check-baseline.json").read_text())
    assert {e["check"] for e in baseline["findings"]} == {"BLV401", "BLV701", "BLV802"}

    use = "checks: {baseline: belvo-check-baseline.json}\n"
    done, report = run(tmp_path, use, "--fail-on", "warn")
    assert done.returncode == 0 and report["summary"]["ignored"] == 3, done.stdout

    # A new problem fails; the baselined ones stay accepted.
    worse = CONFIG.replace("status_page: {by: ana@acme.example.mx, date: 2026-11-20}", "{}")
    (tmp_path / "belvo-check.yaml").write_text(textwrap.dedent(worse) + use)
    done = run_cli("run", "--select", "BLV40,BLV70,BLV8", "--format", "json", "--fail-on", "warn",
                   cwd=tmp_path, env=KEYS)
    report = json.loads(done.stdout)
    assert done.returncode == 1 and statuses(report)["BLV801"] == "warn" and statuses(report)["BLV401"] == "ignored"

    # Fixing one shrinks the baseline; the new problem is never added to it.
    better = worse.replace("base_url: https://sandbox.belvo.com", "base_url: https://api.belvo.com")
    (tmp_path / "belvo-check.yaml").write_text(textwrap.dedent(better) + use)
    done = run_cli("run", "--select", "BLV40,BLV70,BLV8", "--format", "json", cwd=tmp_path, env=KEYS)
    assert any("no longer occur" in note for note in json.loads(done.stdout)["notes"])
    again = run_cli("baseline", "create", "--select", "BLV40,BLV70,BLV8", cwd=tmp_path, env=KEYS)
    assert again.returncode == 1 and "not added: a baseline only shrinks" in again.stderr
    assert {e["check"] for e in json.loads((tmp_path / "belvo-check-baseline.json").read_text())["findings"]} \
        == {"BLV401", "BLV802"}


def test_config_validate(tmp_path):
    (tmp_path / "belvo-check.yaml").write_text(textwrap.dedent(CONFIG) + "checks: {severity: {BLV802: fail}}\n")
    done = run_cli("config", "validate", cwd=tmp_path, env=KEYS)
    assert done.returncode == 0 and "belvo-check.yaml: valid" in done.stdout and "severity set for 1" in done.stdout
    (tmp_path / "belvo-check.yaml").write_text(textwrap.dedent(CONFIG) + "checks: {severity: {BLV899: fail}}\n")
    done = run_cli("config", "validate", cwd=tmp_path, env=KEYS)
    assert done.returncode == 2 and "checks.severity names 'BLV899'" in done.stderr
