"""Third-party checks: a real plugin package, installed with pip, seen by list, explain and run."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import run_cli

PLUGIN_CHECKS = '''
from belvo_check.model import Evidence, passed, Finding, Status
from belvo_check.registry import check

DOCS = """
## What it checks
Demo.
## Why Belvo asks
Demo.
## How to fix
Demo.
## Example
Demo.
"""


def documented(func):
    func.__doc__ = DOCS
    return func


@check(id="BLV291", title="Demo plugin check passes", failure_title="Demo plugin check fails",
       checklist="A demo sentence.", evidence=[Evidence.CONFIG], hint="Nothing to fix.")
@documented
def demo_pass(ctx):
    return passed("the plugin ran", evidence=f"environment = {ctx.config.environment}")


@check(id="BLV292", title="Demo crash", failure_title="Demo crash", checklist="A demo sentence.",
       evidence=[Evidence.CONFIG], hint="Nothing to fix.")
@documented
def demo_crash(ctx):
    raise RuntimeError("boom from the plugin")


@check(id="BLV293", title="Demo empty pass", failure_title="Demo empty pass", checklist="A demo sentence.",
       evidence=[Evidence.CONFIG], hint="Nothing to fix.")
@documented
def demo_empty_pass(ctx):
    return Finding(Status.PASS, "trust me")
'''

DUPLICATE = '''
from belvo_check.model import Evidence, passed
from belvo_check.registry import check


@check(id="BLV701", title="Imposter", failure_title="Imposter", checklist="x", evidence=[Evidence.CONFIG],
       hint="x")
def imposter(ctx):
    return passed("x", evidence="x")
'''


def build_plugin(root, name: str, module_source: str):
    project = root / name
    project.mkdir()
    (project / f"{name}.py").write_text(module_source)
    (project / "pyproject.toml").write_text(textwrap.dedent(f"""
        [build-system]
        requires = ["setuptools"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "{name.replace('_', '-')}"
        version = "1.0"
        [tool.setuptools]
        py-modules = ["{name}"]
        [project.entry-points."belvo_check.checks"]
        demo = "{name}"
    """))
    site = root / f"{name}-site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(project)], check=True, capture_output=True)
    return {"PYTHONPATH": str(site)}


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory):
    return build_plugin(tmp_path_factory.mktemp("plugin"), "belvo_check_demo_plugin", PLUGIN_CHECKS)


@pytest.fixture
def config(write_config):
    return write_config("version: 1\nenvironment: production\nbelvo:\n  base_url: https://api.belvo.com\n")


def test_plugin_check_shows_in_list_and_explain(plugin_env):
    listing = run_cli("list", env=plugin_env)
    assert listing.returncode == 0 and "BLV291" in listing.stdout and "Demo plugin check passes" in listing.stdout
    explained = run_cli("explain", "BLV291", env=plugin_env)
    assert explained.returncode == 0 and "Demo plugin check passes" in explained.stdout


def test_plugin_checks_in_report_crash_isolated(plugin_env, config):
    done = run_cli("run", "-c", str(config), "--format", "json", env=plugin_env)
    assert done.returncode == 3, done.stderr  # a check errored
    report = json.loads(done.stdout)
    by_id = {r["id"]: r for r in report["results"]}
    assert by_id["BLV291"]["status"] == "pass"
    assert by_id["BLV292"]["status"] == "error"
    assert "RuntimeError: boom from the plugin" in by_id["BLV292"]["findings"][0]["message"]
    assert by_id["BLV293"]["status"] == "error"  # a pass without evidence is a bug, not a pass
    assert by_id["BLV701"]["status"] == "pass"  # every other result intact
    assert "Traceback" not in done.stderr + done.stdout


def test_traceback_only_with_verbose(plugin_env, config):
    quiet = run_cli("run", "-c", str(config), "--select", "BLV292", env=plugin_env)
    assert quiet.returncode == 3 and "Traceback" not in quiet.stdout
    loud = run_cli("run", "-c", str(config), "--select", "BLV292", "-v", env=plugin_env)
    assert loud.returncode == 3 and "Traceback" in loud.stdout and "boom from the plugin" in loud.stdout


def test_exit_zero_overrides_errors(plugin_env, config):
    assert run_cli("run", "-c", str(config), "--exit-zero", env=plugin_env).returncode == 0


def test_duplicate_id_is_a_load_error(tmp_path, config):
    env = build_plugin(tmp_path, "belvo_check_imposter", DUPLICATE)
    done = run_cli("run", "-c", str(config), env=env)
    assert done.returncode == 2
    assert "two checks claim the id BLV701" in done.stderr and "belvo_check_imposter" in done.stderr
    assert "Traceback" not in done.stderr
