"""The CLI as a user meets it: real child processes, real files."""

from __future__ import annotations

import json

import jsonschema
import pytest

from belvo_check import __version__
from belvo_check.model import SECTIONS
from belvo_check.registry import load_registry
from belvo_check.schemas import CONFIG_SCHEMA, REPORT_SCHEMA
from tests.conftest import ROOT, run_cli

CONFIG_ONLY = """
version: 1
environment: production
belvo:
  base_url: https://api.belvo.com
webhooks:
  urls: {sandbox: "https://staging.acme.mx/h", production: "https://acme.mx/h"}
attestations:
  status_page: {by: ana@acme.mx, date: 2026-01-02}
  changelog: {by: ana@acme.mx, date: 2026-01-02}
"""


def test_version():
    done = run_cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"belvo-check {__version__}"


def test_help_teaches_commands_and_exit_codes():
    done = run_cli("--help")
    assert done.returncode == 0
    for word in ("run", "list", "explain", "init", "sim", "webhooks", "Exit codes"):
        assert word in done.stdout
    assert "2 usage or config error" in run_cli("run", "--help").stdout


def test_list_shows_every_check():
    done = run_cli("list")
    assert done.returncode == 0
    for check in load_registry().all():
        assert check.meta.id in done.stdout


@pytest.mark.parametrize("check_id", [c.meta.id for c in load_registry().all()])
def test_every_check_is_explained(check_id):
    meta = load_registry().get(check_id).meta
    for heading in ("## What it checks", "## Why Belvo asks", "## How to fix", "## Example"):
        assert heading in meta.docs, f"{check_id} docs lack {heading!r}"
    done = run_cli("explain", check_id.lower())
    assert done.returncode == 0 and meta.checklist[:30] in " ".join(done.stdout.split())


def test_explain_unknown_id_suggests():
    done = run_cli("explain", "BLV7O1")
    assert done.returncode == 2 and "did you mean 'BLV701'" in done.stderr and "Traceback" not in done.stderr


def test_init_writes_a_valid_skeleton_and_never_overwrites(tmp_path):
    done = run_cli("init", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "belvo-check.yaml").exists()
    ran = run_cli("run", "--format", "json", cwd=tmp_path)  # the default path is the one init wrote
    assert ran.returncode in (1, 4), ran.stderr  # untouched, it is never READY
    assert json.loads(ran.stdout)["verdict"] != "ready"
    (tmp_path / "belvo-check.yaml").write_text("mine")
    again = run_cli("init", cwd=tmp_path)
    assert again.returncode == 2 and "never overwrites" in again.stderr
    assert (tmp_path / "belvo-check.yaml").read_text() == "mine"


def test_run_without_config_says_how_to_init(tmp_path):
    done = run_cli("run", cwd=tmp_path)
    assert done.returncode == 2 and "belvo-check init" in done.stderr


@pytest.mark.parametrize("body, words", [
    ("version: 1\nenvironment: production\nbelvo:\n  secert_id: ${X}\n", ":4:3: unknown key"),
    ("version: 1\nenvironment: 3\n", ":2:1: environment: expected"),
    ("version: 1\nenvironment: production\nbelvo: [a\n", "invalid YAML"),
    ("version: 1\nenvironment: production\nbelvo:\n  secret_password: hunter2hunter2\n", "must be a reference"),
])
def test_bad_config_exits_2_with_one_clear_line(write_config, body, words):
    path = write_config(body)
    done = run_cli("run", "-c", str(path))
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {path}:") and words in done.stderr
    assert "Traceback" not in done.stderr and "hunter2hunter2" not in done.stderr + done.stdout


def test_unknown_selector_is_an_error(write_config):
    path = write_config(CONFIG_ONLY)
    done = run_cli("run", "-c", str(path), "--select", "BLV9")
    assert done.returncode == 2 and "unknown check selector 'BLV9'" in done.stderr
    done = run_cli("run", "-c", str(path), "--select", "webhoks")
    assert done.returncode == 2 and "did you mean 'webhooks'" in done.stderr


def test_selection_by_id_prefix_and_section(write_config):
    path = write_config(CONFIG_ONLY)
    ids = lambda *args: [r["id"] for r in json.loads(run_cli("run", "-c", str(path), "--format", "json",
                                                                   *args).stdout)["results"]]
    assert ids("--select", "BLV701") == ["BLV701"]
    assert set(ids("--select", "updates,BLV40")) >= {"BLV801", "BLV802", "BLV401", "BLV402"}
    assert "BLV801" not in ids("--select", "updates,keys", "--ignore", "BLV801")


def test_config_ignore_with_reason_and_expiry(write_config):
    path = write_config(CONFIG_ONLY.replace("  changelog: {by: ana@acme.mx, date: 2026-01-02}\n", "") + (
        "checks:\n  select: [updates]\n  ignore:\n"
        "    - {id: BLV802, reason: subscribing next sprint, owner: ana@acme.mx, expires: 2999-01-01}\n"))
    report = json.loads(run_cli("run", "-c", str(path), "--format", "json").stdout)
    [ignored] = [r for r in report["results"] if r["id"] == "BLV802"]
    assert ignored["status"] == "ignored" and "subscribing next sprint" in ignored["findings"][0]["suppression"]["why"]
    expired = write_config(path.read_text().replace("2999-01-01", "2001-01-01"), name="expired.yaml")
    report = json.loads(run_cli("run", "-c", str(expired), "--format", "json").stdout)
    assert [r["status"] for r in report["results"] if r["id"] == "BLV802"] == ["warn"]
    unknown = write_config(path.read_text().replace("id: BLV802", "id: BLV899"), name="unknown.yaml")
    done = run_cli("run", "-c", str(unknown))
    assert done.returncode == 2 and ":12:8: checks.ignore names 'BLV899'" in done.stderr


def test_json_report_validates_and_is_written_atomically(write_config, tmp_path):
    path = write_config(CONFIG_ONLY)
    out = tmp_path / "r.json"
    done = run_cli("run", "-c", str(path), "--select", "keys,webhooks,updates", "--format", "json", "-o", str(out))
    assert done.returncode == 4, done.stdout + done.stderr  # no keys, probes or --live: blocking checks skipped
    report = json.loads(out.read_text())
    jsonschema.validate(report, json.loads(REPORT_SCHEMA.read_text()))
    assert report["verdict"] == "incomplete" and report["config"]["sha256"]
    assert "BLV703" in report["unverified"] and "BLV801" not in report["unverified"]
    assert sorted(tmp_path.iterdir()) == sorted([path, out])  # no temp file left beside it


def test_fail_on_warn_and_exit_codes(write_config):
    path = write_config(CONFIG_ONLY.replace("  changelog: {by: ana@acme.mx, date: 2026-01-02}\n", ""))
    verifiable = ("--select", "BLV401,BLV402,BLV701,BLV8")  # what the config alone can show
    assert run_cli("run", "-c", str(path), *verifiable).returncode == 0  # one warn: still ready
    assert run_cli("run", "-c", str(path), *verifiable, "--fail-on", "warn").returncode == 1
    assert run_cli("run", "-c", str(path), *verifiable, "--fail-on", "warn", "--exit-zero").returncode == 0
    assert run_cli("run", "-c", str(path)).returncode == 4  # everything else unverified: incomplete
    broken = write_config(CONFIG_ONLY.replace("https://api.belvo.com", "https://sandbox.belvo.com"), "b.yaml")
    done = run_cli("run", "-c", str(broken))
    assert done.returncode == 1 and "NOT READY" in done.stdout


def test_plain_output_is_stable_and_uncoloured(write_config):
    path = write_config(CONFIG_ONLY)
    first = run_cli("run", "-c", str(path), "--select", "keys,webhooks,updates", env={"CI": "true"}).stdout
    second = run_cli("run", "-c", str(path), "--select", "keys,webhooks,updates", env={"CI": "true"}).stdout
    assert first == second and "\x1b[" not in first
    assert all(line == line.rstrip() for line in first.splitlines())
    for section in SECTIONS:
        assert f"{section.number}. {section.title}" in first


def test_quiet_shows_only_problems(write_config):
    path = write_config(CONFIG_ONLY.replace("https://api.belvo.com", "https://sandbox.belvo.com"))
    done = run_cli("run", "-c", str(path), "-q", "--select", "keys,webhooks,updates")
    assert "BLV701" in done.stdout and "BLV401" not in done.stdout and "NOT READY" in done.stdout


def test_published_config_schema_is_current():
    assert json.loads(run_cli("schema", "config").stdout) == json.loads(CONFIG_SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(json.loads(REPORT_SCHEMA.read_text()))


def test_sample_config_runs_every_section():
    out = run_cli("run", "-c", "sample-config.yaml", "--format", "json", cwd=ROOT, timeout=300)
    assert out.returncode in (1, 3), out.stderr  # the example is deliberately not ready
    report = json.loads(out.stdout)
    jsonschema.validate(report, json.loads(REPORT_SCHEMA.read_text()))
    assert {r["section"] for r in report["results"]} == {s.number for s in SECTIONS}


def test_drill_lists_and_replays_one_alone():
    listing = run_cli("drill")
    assert listing.returncode == 0 and "errors-500" in listing.stdout and "compat-timestamps-3Z" in listing.stdout
    replayed = run_cli("drill", "errors-500", "-c", "sample-config.yaml", cwd=ROOT)
    assert replayed.returncode == 0, replayed.stderr
    assert "-> 500 request_id=" in replayed.stdout and "giving up" in replayed.stdout
    unknown = run_cli("drill", "errors-501", "-c", "sample-config.yaml", cwd=ROOT)
    assert unknown.returncode == 2 and "unknown drill 'errors-501'" in unknown.stderr


def test_scenario_is_a_hidden_alias_of_drill():
    assert run_cli("scenario").stdout == run_cli("drill").stdout
    assert "scenario" not in run_cli("--help").stdout
