"""Config, working-directory and scratch paths with spaces, quotes, `$(...)` and backticks in
their names work, and nothing in them is ever executed: no file `pwned` is created anywhere."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pytest

from belvo_check.harness.template import render
from tests.conftest import ROOT
from tests.hostile.processes import cli_env

HOSTILE = "x y 'q' \"dq\" $(touch pwned) `touch pwned` ; touch pwned"

# Records the {workdir} it was given, its env copy, and where it ran; writes a row for the store command.
FLOW = ("{python} -c 'import os, sys; open(sys.argv[2], \"w\").write(\"\\n\".join([sys.argv[1], "
        "os.environ[\"APP_DIR\"], os.getcwd()])); open(os.path.join(sys.argv[1], \"tx.jsonl\"), \"w\")"
        ".write(\"\\x7b\\\"belvo_id\\\": \\\"tx-1\\\"\\x7d\\n\")' {workdir} ")


@pytest.mark.parametrize("value", [HOSTILE, "it's", "$HOME", "a\nb", "-n", "", "{}", "\\"])
def test_placeholder_values_reach_the_command_verbatim(tmp_path, value):
    command = render("printf %s {workdir}", {"workdir": value}, key="k", shell=True)
    done = subprocess.run(["sh", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.stdout == value
    assert list(tmp_path.iterdir()) == []


def test_run_with_hostile_config_cwd_and_scratch_paths(tmp_path):
    odd = tmp_path / HOSTILE
    (odd / HOSTILE).mkdir(parents=True)  # integration.cwd, relative to the config's folder
    scratch = tmp_path / f"tmp {HOSTILE}"
    scratch.mkdir()
    record = tmp_path / f"record {HOSTILE}"
    config = odd / "it's $(touch pwned).yaml"
    config.write_text("\n".join([
        "version: 1", "environment: sandbox", "integration:",
        f"  cwd: {json.dumps(HOSTILE)}",
        "  env: {APP_DIR: '{workdir}'}",
        f"  flows: {{widget_token: {json.dumps(FLOW + shlex.quote(str(record)))}}}",
        "  logs: [stdout, '{workdir}/app.log']",
        "  store: {command: {transactions: "
        + json.dumps(f"cp {{workdir}}/tx.jsonl {shlex.quote(str(record))}.store && cat {{workdir}}/tx.jsonl") + "}}",
        "  timeout: 60", ""]))
    done = subprocess.run([sys.executable, "-m", "belvo_check", "run", "-c", str(config), "--select", "BLV101",
                           "--format", "json"], cwd=ROOT, env=cli_env(scratch), capture_output=True, text=True,
                          timeout=180)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    assert [r["id"] for r in json.loads(done.stdout)["results"]] == ["BLV101"]
    workdir, app_dir, cwd = record.read_text().split("\n")
    assert workdir.startswith(str(scratch) + "/belvo-check-widget-") and app_dir == workdir
    assert cwd == str(odd / HOSTILE)
    assert (tmp_path / f"record {HOSTILE}.store").read_text() == '{"belvo_id": "tx-1"}\n'  # the store command ran
    assert list(scratch.iterdir()) == []
    assert list(tmp_path.rglob("pwned")) == [] and not (ROOT / "pwned").exists()
