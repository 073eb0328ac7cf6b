"""Source evidence and behaviour on the same item meet in one check (belvo_check.agreement), and a
static-only run judges what the code shows, with path:line:col, inline suppressions applied."""

from __future__ import annotations

import json
import textwrap

from belvo_check.agreement import meet
from belvo_check.model import Evidence, Status, failed, passed, skipped, warned
from belvo_check.source.verdict import SourceVerdict, judge, source
from belvo_check.source import scan
from tests.conftest import run_cli

HARNESS = (Evidence.HARNESS,)


def _verdict(*findings, weak=False) -> SourceVerdict:
    return SourceVerdict(list(findings), weak=weak)


def test_both_pass_only_when_both_agree_and_the_worse_names_what_decided():
    ok = passed("harness saw it", evidence="journal")
    code_ok = passed("code does it", evidence="source: a.py:1:1")
    code_bad = failed("a call without timeout", evidence="source: b.py:3:5")
    both = meet(HARNESS, [ok], _verdict(code_ok))
    assert [f.status for f in both.findings] == [Status.PASS, Status.PASS] and both.decided_by == ("harness", "source")
    disagree = meet(HARNESS, [ok], _verdict(code_bad))
    assert max(f.status.rank for f in disagree.findings) == Status.FAIL.rank and disagree.decided_by == ("source",)
    harness_fails = meet(HARNESS, [failed("hung", evidence="x")], _verdict(code_ok))
    assert harness_fails.decided_by == ("harness",)
    unsure = meet(HARNESS, [ok], _verdict(warned("cannot tell", evidence="source: c.py:1:1")))
    assert unsure.decided_by == ("source",) and Status.PASS in [f.status for f in unsure.findings]


def test_a_pass_the_code_cannot_prove_alone_is_a_pass_decided_by_source_keeping_the_missing_evidence():
    skip = skipped("integration.flows.sync is not configured", enable="add integration.flows.sync")
    weak = meet(HARNESS, [skip], _verdict(passed("request_id logged here", evidence="source: a.py:2:3"), weak=True))
    assert [f.status for f in weak.findings] == [Status.PASS] and weak.decided_by == ("source",)
    assert weak.not_run == [skip]  # named once by the report, never a warning
    strong = meet(HARNESS, [skip], _verdict(passed("timeout on every call", evidence="source: a.py:2:3")))
    assert [f.status for f in strong.findings] == [Status.PASS] and strong.decided_by == ("source",)
    assert strong.not_run == []  # the code proves this item: behaviour would add nothing


def test_neither_has_evidence_so_each_says_what_would_enable_it():
    met = meet(HARNESS, [skipped("no harness", enable="integration: ...")],
               _verdict(skipped("source is not configured", enable="source: {root: .}")))
    assert [f.status for f in met.findings] == [Status.SKIP, Status.SKIP] and met.decided_by == ()


def _tree(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return scan(tmp_path, jobs=1)


def test_every_site_or_one_site_settles_it(tmp_path):
    tree = _tree(tmp_path, {"app/client.py": """\
        import requests
        BASE = "https://api.belvo.com"
        def accounts(link):
            return requests.get(BASE + "/api/accounts/", params={"link": link}, timeout=10)
        def transactions(link):
            return requests.get(BASE + "/api/transactions/", params={"link": link})
        """})
    verdict = judge(source("timeout"), tree, "BLV208", "repo")
    assert verdict.status is Status.FAIL
    [bad] = [f for f in verdict.findings if f.status is Status.FAIL]
    assert (bad.location.path, bad.location.line) == ("repo/app/client.py", 6) and bad.location.col
    assert "requests.get" in bad.evidence


def test_absence_is_evidence_only_where_the_rule_says_so(tmp_path):
    tree = _tree(tmp_path, {"app/client.py": "import os\nSECRET = os.environ['BELVO_SECRET_PASSWORD']\n"})
    clean = judge(source("secret_literal", absence="no literal Belvo secret in {files} files"), tree, "BLV705")
    assert clean.status is Status.PASS and "files" in clean.findings[0].evidence
    assert judge(source("timeout"), tree, "BLV208").status is Status.SKIP


STATIC_ONLY = """\
    version: 1
    environment: production
    source: {root: .}
    """


def test_a_static_only_run_judges_the_code_with_locations_and_applies_inline_suppressions(tmp_path):
    (tmp_path / "belvo-check.yaml").write_text(textwrap.dedent(STATIC_ONLY))
    (tmp_path / "client.py").write_text(textwrap.dedent("""\
        import requests
        BASE = "https://api.belvo.com"
        def accounts(link):
            return requests.get(BASE + "/api/accounts/", params={"link": link})
        def owners(link):
            # belvo-check: ignore[BLV208] owners are fetched by a job with its own deadline
            return requests.get(BASE + "/api/owners/", params={"link": link})
        def balances(link):
            # belvo-check: ignore[BLV303]
            return requests.get(BASE + "/api/balances/", params={"link": link}, timeout=5)
        # belvo-check: ignore[BLV999] no such check
        """))
    done = run_cli("run", "--select", "static", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # a call with no timeout: not ready
    report = json.loads(done.stdout)
    results = {r["id"]: r for r in report["results"]}
    timeouts = results["BLV208"]
    assert timeouts["status"] == "fail" and timeouts["decided_by"] == ["source"]
    by_line = {f["location"]["line"]: f for f in timeouts["findings"] if f["location"]}
    assert by_line[4]["status"] == "fail" and by_line[4]["location"]["path"] == "client.py"
    assert by_line[7]["status"] == "ignored" and "own deadline" in by_line[7]["suppression"]["why"]
    # A suppression without a reason does not apply, and is itself reported on the check it names.
    paging = results["BLV303"]
    assert any(f["status"] == "warn" and "gives no reason" in f["message"] for f in paging["findings"])
    assert any("BLV999" in note and "not a check" in note for note in report["notes"])
    # Nothing but the config and the source was read: no check was judged on behaviour.
    assert all(set(r["decided_by"]) <= {"config", "source"} for r in report["results"])
    assert not any("simulator" in what for what in report["judged_against"]), report["judged_against"]


def test_explain_says_how_a_check_reads_the_source():
    done = run_cli("explain", "BLV201")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "Source evidence" in text and "request_id_logged" in text and "ignore[BLV201] reason" in text
    # a logged request_id somewhere is not every 400 logged: a pass decided by source, never a warning
    assert "earns a pass decided by source" in text and "explain verdicts" in text


def test_explain_verdicts_states_how_evidence_is_combined():
    done = run_cli("explain", "verdicts")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    for words in ("How verdicts are decided", "decided by source; harness not run", "names the call path that fails",
                  "INCOMPLETE (exit 4)", "READY on source evidence"):
        assert words in text, words


def test_behaviour_observed_outranks_what_the_source_concluded_from_silence(tmp_path):
    # Belvo is called but no log call names request_id: a conclusion from silence, located nowhere.
    tree = _tree(tmp_path, {"app/client.py": """\
        import requests
        def accounts(link):
            answer = requests.get("https://api.belvo.com/api/accounts/", params={"link": link}, timeout=5)
            answer.raise_for_status()
            return answer.json()
        """})
    rule = source("request_id_logged", proves=False, every_site=False)
    verdict = judge(rule, tree, "BLV201")
    assert verdict.status is Status.WARN and verdict.soft and not verdict.soft[0].location.line
    logged = passed("the minted request_id of every 400 was logged", evidence="acme.log:3")
    met = meet(HARNESS, [logged], verdict)
    assert [f.status for f in met.findings] == [Status.PASS] and met.decided_by == ("harness",)
    # Without behaviour, the same silence is the warning it is.
    alone = meet(HARNESS, [skipped("no harness", enable="integration: ...")], verdict)
    assert max(f.status.rank for f in alone.findings) == Status.WARN.rank and alone.decided_by == ("source",)
    # A located site the harness may never have exercised still counts against a passing drill.
    timeouts = judge(source("timeout"), _tree(tmp_path / "t", {"c.py": """\
        import requests
        def owners(link):
            return requests.get("https://api.belvo.com/api/owners/", params={"link": link})
        """}), "BLV208")
    assert meet(HARNESS, [passed("stall handled", evidence="x")], timeouts).decided_by == ("source",)


def test_the_config_is_a_declaration_so_it_never_outranks_a_doubt_in_the_code():
    doubt = warned("the code falls back to sandbox when the variable is unset", evidence="source: a.py:3:9",
                   location=None)
    verdict = SourceVerdict([doubt], soft=[doubt])
    config_says = passed("production run calls https://api.belvo.com", evidence="belvo.base_url")
    assert meet((Evidence.CONFIG,), [config_says], verdict).decided_by == ("source",)
    assert meet((Evidence.PROBE,), [config_says], verdict).decided_by == ("probe",)


def test_a_source_root_that_is_not_a_folder_is_one_config_error(tmp_path):
    (tmp_path / "belvo-check.yaml").write_text("version: 1\nenvironment: production\nsource: {root: ./nope}\n")
    done = run_cli("run", "--select", "static", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "belvo-check.yaml:3:10: source.root './nope' is not a folder" in done.stderr, done.stderr
