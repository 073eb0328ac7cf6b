"""Start-up stays cheap: `--version` and `list` must not import the heavy machinery.

(Speed itself is measured by benchmarks/cold_start, never asserted here.)
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

HEAVY = {"httpx", "pydantic", "yaml", "starlette", "uvicorn", "sqlite3", "rich.console", "jsonschema",
         "belvo_check.source.concepts", "belvo_check.source.clients", "belvo_check.source.finding"}  # the matchers load only when a scan runs


def modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_version_imports_nothing_heavy():
    loaded = modules_after("import belvo_check.cli")
    assert not HEAVY & loaded


def test_loading_every_check_imports_nothing_heavy():
    loaded = modules_after("from belvo_check.registry import load_registry\nload_registry()")
    assert not HEAVY & loaded, "check modules must import heavy libraries inside their functions"
