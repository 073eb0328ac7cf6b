"""Start-up stays cheap: `--version` and `list` must not import the heavy machinery.

(Speed itself is measured by benchmarks/cold_start, never asserted here.)
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

HEAVY = {"httpx", "pydantic", "yaml", "starlette", "uvicorn", "sqlite3", "rich.console", "jsonschema",
         # the matchers load only when a scan runs; evidence and the redactor only when a check runs
         "belvo_check.source.concepts", "belvo_check.source.clients", "belvo_check.source.finding",
         "belvo_check.evidence", "belvo_check.secrets"}
# Whole libraries, any of their modules: what runs checks, never what lists them.
HEAVY_PACKAGES = ("httpx", "pydantic", "yaml", "starlette", "uvicorn", "rich", "jsonschema", "tree_sitter",
                  "pathspec", "multiprocessing", "asyncio", "sqlite3", "belvo_check.sim", "belvo_check.probes",
                  "belvo_check.report", "belvo_check.source.concepts")
# Every belvo_check module each command may load: one more must be as light as these (see README, Benchmarks).
VERSION_MODULES = {"belvo_check", "belvo_check.__main__", "belvo_check.cli", "belvo_check.errors",
                   "belvo_check.signals"}
LIST_MODULES = VERSION_MODULES | {
    "belvo_check.registry", "belvo_check.model", "belvo_check.urls", "belvo_check.harness",
    "belvo_check.harness.drills", "belvo_check.harness.verdicts", "belvo_check.source", "belvo_check.source.verdict",
    "belvo_check.checks", "belvo_check.needs"}


def modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def modules_of_command(*argv: str) -> tuple[str, set[str]]:
    """(stdout, every module loaded) of one real `belvo-check` command, through its entry point."""
    probe = ("import atexit, sys\n"
             "atexit.register(lambda: print(' '.join(sorted(sys.modules)), file=sys.stderr))\n"
             f"sys.argv = ['belvo-check', *{list(argv)!r}]\n"
             "from belvo_check.__main__ import main\n"
             "main()\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout, set(done.stderr.split())


def heavy_in(loaded: set[str]) -> set[str]:
    return {name for name in loaded
            if name in HEAVY or name in HEAVY_PACKAGES or name.startswith(tuple(p + "." for p in HEAVY_PACKAGES))}


def own_modules(loaded: set[str]) -> set[str]:
    return {name for name in loaded if name == "belvo_check" or name.startswith("belvo_check.")}


def test_version_imports_nothing_heavy():
    loaded = modules_after("import belvo_check.cli")
    assert not HEAVY & loaded


def test_loading_every_check_imports_nothing_heavy():
    loaded = modules_after("from belvo_check.registry import load_registry\nload_registry()")
    assert not HEAVY & loaded, "check modules must import heavy libraries inside their functions"


def test_version_command_loads_only_the_cli():
    out, loaded = modules_of_command("--version")
    assert out.startswith("belvo-check ")
    assert not heavy_in(loaded)
    assert own_modules(loaded) == VERSION_MODULES


def test_list_command_loads_the_checks_and_nothing_heavy():
    from belvo_check.registry import _any_plugin_installed

    out, loaded = modules_of_command("list")
    assert "BLV101" in out and "BLV801" in out
    assert not heavy_in(loaded), "check modules must import heavy libraries inside their functions"
    assert {name for name in own_modules(loaded) if not name.startswith("belvo_check.checks.")} <= LIST_MODULES
    assert "belvo_check.checks.errors" in loaded  # the listing really loaded the check modules
    if not _any_plugin_installed():  # importlib.metadata costs more than the rest of `list`
        assert "importlib.metadata" not in loaded


def test_the_probe_sees_a_heavy_import():
    """The command probe is not blind: a command that does load the machinery shows it."""
    _, loaded = modules_of_command("schema", "config")  # the config schema is built from the pydantic models
    assert "pydantic" in heavy_in(loaded)
