"""Helpers shared by every test folder: run the real CLI, write real config files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | str = ROOT, env: dict | None = None, timeout: float = 120,
            input: str | None = None, preexec_fn=None) -> subprocess.CompletedProcess:
    """Run `belvo-check ARGS` as a child process, the way a user does (preexec_fn: e.g. resource limits)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BELVO_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "belvo_check", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout, input=input, preexec_fn=preexec_fn)


def enable_lines(report: dict, check: str) -> str:
    """What would let a skipped check decide, read where a JSON report puts it: once in `gaps`
    for reasons the run states once, else on the check's own findings (one line each)."""
    result = next(r for r in report["results"] if r["id"] == check)
    own = [f["hint"] for f in result["findings"] if f["status"] == "skip" and f["hint"]]
    return "\n".join(own + [gap["enable"] for gap in report["gaps"] if check in gap["skipped"]])


@pytest.fixture
def write_config(tmp_path):
    def write(text: str, name: str = "belvo-check.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip())
        return path

    return write
