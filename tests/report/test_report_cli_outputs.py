"""`belvo-check run` writing several formats in one real run, the pack, and what a person reads."""

from __future__ import annotations

import json
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from belvo_check.registry import load_registry
from reporttest import CONFIG, SECRET_ID, SECRET_PASSWORD
from tests.conftest import run_cli

SARIF_SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text())
KEYS = {"BELVO_SECRET_ID": SECRET_ID, "BELVO_SECRET_PASSWORD": SECRET_PASSWORD}
SELECT = ("--select", "BLV4,BLV7,BLV8")


def config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "belvo-check.yaml"
    path.write_text(textwrap.dedent(CONFIG) + textwrap.dedent(extra))
    return path


def test_several_formats_in_one_run_and_the_summary_on_stdout(tmp_path):
    config(tmp_path)
    done = run_cli("run", *SELECT, "--format", "rich", "--format", "github", "--format", "sarif=out.sarif",
                   "--format", "junit=out.xml", "--format", "gitlab=cq.json", "--format", "markdown=out.md",
                   "--format", "html=out.html", "--format", "json=out.json", cwd=tmp_path, env=KEYS)
    assert done.returncode == 1, done.stderr
    assert "NOT READY for production" in done.stdout and "BLV401" in done.stdout
    assert re.search(r"^::error file=belvo-check.yaml,line=8,col=3,title=BLV401 ", done.stdout, re.MULTILINE)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads((tmp_path / "out.sarif").read_text()))
    selected = len(load_registry().select(SELECT[1].split(",")))
    assert len(list(ET.parse(tmp_path / "out.xml").getroot().iter("testcase"))) == selected
    assert {i["check_name"] for i in json.loads((tmp_path / "cq.json").read_text())} == {"BLV401", "BLV701", "BLV802"}
    assert (tmp_path / "out.md").read_text().startswith("## belvo-check: ❌ NOT READY for production")
    assert "<!DOCTYPE html>" in (tmp_path / "out.html").read_text()
    assert json.loads((tmp_path / "out.json").read_text())["verdict"] == "not_ready"
    for name in ("out.sarif", "out.xml", "cq.json", "out.md", "out.html", "out.json"):
        assert f"report written to {name}" in done.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_json_to_a_file_still_prints_the_summary(tmp_path):
    config(tmp_path)
    done = run_cli("run", *SELECT, "--format", "json", "-o", "r.json", cwd=tmp_path, env=KEYS)
    assert done.returncode == 1
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["fail"] == 2
    assert "BLV701" in done.stdout and "NOT READY for production" in done.stdout.splitlines()[-1]


def test_plain_report_in_a_file_never_wraps_a_line_and_groups_skip_hints(tmp_path):
    config(tmp_path)
    done = run_cli("run", *SELECT, "-o", "report.txt", cwd=tmp_path, env=KEYS)
    text = (tmp_path / "report.txt").read_text()
    assert ("webhooks.urls.sandbox = https://acme.example.mx/hooks/belvo; webhooks.urls.production = "
            "https://acme.example.mx/hooks/belvo") in text  # one line, however long
    assert text.count("probe_url: http://127.0.0.1:8099/hooks/belvo") == 1
    assert re.search(r"^  add to the config: webhooks: \{probe_url: \S+\}  \(BLV403, BLV404, BLV405, BLV406 and BLV407 "
                     r"skipped\)$", text, re.MULTILINE)
    assert "against: the config file" in text and "\x1b[" not in text
    assert done.returncode == 1


def test_force_color_wins_over_ci(tmp_path):
    config(tmp_path)
    coloured = run_cli("run", *SELECT, cwd=tmp_path, env={**KEYS, "CI": "true", "FORCE_COLOR": "1"})
    plain = run_cli("run", *SELECT, cwd=tmp_path, env={**KEYS, "CI": "true"})
    assert "\x1b[" in coloured.stdout and "\x1b[" not in plain.stdout
    assert "NOT READY" in coloured.stdout and "NOT READY" in plain.stdout


def test_bad_format_arguments_are_usage_errors_before_anything_runs(tmp_path):
    config(tmp_path)
    for args, words in [(("--format", "pdf"), "unknown format 'pdf'"),
                        (("--format", "json", "--format", "sarif"), "would all go to stdout"),
                        (("--format", "sarif=nowhere/x.sarif"), "folder nowhere does not exist")]:
        done = run_cli("run", *SELECT, *args, cwd=tmp_path, env=KEYS)
        assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_pack_from_a_real_run_verifies_and_holds_no_secret(tmp_path):
    config(tmp_path)
    done = run_cli("run", *SELECT, "--pack", "evidence", cwd=tmp_path, env=KEYS)
    assert done.returncode == 1, done.stderr
    pack = tmp_path / "evidence"
    assert {p.name for p in pack.iterdir()} == {"report.md", "report.html", "report.json", "report.sarif",
                                                "provenance.json", "MANIFEST.sha256"}
    for path in pack.iterdir():
        text = path.read_text()
        assert SECRET_ID not in text and SECRET_PASSWORD not in text
    about = json.loads((pack / "provenance.json").read_text())
    assert about["config"]["sha256"] == json.loads((pack / "report.json").read_text())["config"]["sha256"]
    assert about["provenance"]["git"] is None  # tmp_path is not a git work tree, and says so
    verified = run_cli("pack", "verify", str(pack))
    assert verified.returncode == 0 and "intact" in verified.stdout
    (pack / "report.json").write_text("{}")
    tampered = run_cli("pack", "verify", str(pack))
    assert tampered.returncode == 1 and "report.json: changed" in tampered.stderr
    again = run_cli("run", *SELECT, "--pack", "evidence", cwd=tmp_path, env=KEYS)
    assert again.returncode == 2 and "not an empty folder" in again.stderr
