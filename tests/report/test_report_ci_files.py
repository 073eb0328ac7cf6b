"""The CI files of this repository, exercised for real: the GitHub Action's run step, the
pre-commit hook's entry, the config schema comment, and `belvo-check init --yes`."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import textwrap
from pathlib import Path

import jsonschema
import yaml

from reporttest import CONFIG, SECRET_ID, SECRET_PASSWORD
from tests.conftest import ROOT, run_cli

KEYS = {"BELVO_SECRET_ID": SECRET_ID, "BELVO_SECRET_PASSWORD": SECRET_PASSWORD}
SARIF_SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text())


def test_the_action_run_step_writes_outputs_summary_and_sarif(tmp_path):
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    [step] = [s for s in action["runs"]["steps"] if s.get("id") == "run"]
    (tmp_path / "belvo-check.yaml").write_text(textwrap.dedent(CONFIG))
    runner_temp, outputs, summary = tmp_path / "runner", tmp_path / "outputs", tmp_path / "summary.md"
    runner_temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BELVO_", "GITHUB_", "CI"))}
    env.update(KEYS, RUNNER_TEMP=str(runner_temp), GITHUB_OUTPUT=str(outputs), GITHUB_STEP_SUMMARY=str(summary),
               BELVO_CHECK_CONFIG="belvo-check.yaml", BELVO_CHECK_FAIL_ON="fail",
               BELVO_CHECK_ARGS="--select BLV4,BLV7,BLV8")
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr  # the step records the exit code; the gate step fails the job
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert values["exit-code"] == "1"
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(Path(values["sarif"]).read_text()))
    assert summary.read_text().startswith("## belvo-check: ❌ NOT READY for production")
    assert "::error file=belvo-check.yaml,line=4,col=3,title=BLV701 " in done.stdout


def test_the_pre_commit_hook_runs_only_static_checks(tmp_path):
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["pass_filenames"] is False and hook["language"] == "python"
    (tmp_path / "belvo-check.yaml").write_text(textwrap.dedent(CONFIG))
    command = shlex.split(hook["entry"])
    assert command[0] == "belvo-check"
    done = run_cli(*command[1:], "--format", "json=r.json", cwd=tmp_path, env=KEYS)
    assert done.returncode == 1  # the config's webhook URL and host problems block the commit
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    listed = run_cli("list").stdout.splitlines()[1:]
    # every check with config or source evidence (none with live), judged on those alone
    static = {line.split()[0] for line in listed
              if set(line.split()[3].split(",")) & {"config", "source"} and "live" not in line.split()[3]}
    assert {r["id"] for r in results} == static


def test_sample_config_points_its_editor_at_the_committed_schema():
    first = (ROOT / "sample-config.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=belvo_check/schemas/config-v1.json"
    from belvo_check.config import config_schema

    assert json.loads((ROOT / "belvo_check/schemas/config-v1.json").read_text()) == config_schema()


def test_init_yes_inspects_and_writes_a_config_that_validates(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "requirements.txt").write_text("belvo-python==0.39.1\n")
    (tmp_path / "app" / "settings.py").write_text('import os\nBELVO_URL = os.environ.get("BELVO_URL")\n')
    done = run_cli("init", "--yes", "--environment", "sandbox", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "found: Python, belvo-python" in done.stdout
    text = (tmp_path / "belvo-check.yaml").read_text()
    assert "base_url: https://sandbox.belvo.com" in text and 'BELVO_URL: "{sim_url}"' in text
    checked = run_cli("config", "validate", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
