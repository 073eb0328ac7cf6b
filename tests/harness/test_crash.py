"""Crash detection on real child processes: an unhandled error, not any stack trace in the output."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from belvo_check.harness.crash import find_crash

PY_LOGGED_THEN_ON = """
import logging, sys
logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s")
try:
    raise ValueError("belvo said 500")
except ValueError:
    logging.exception("sync failed request_id=abc")
logging.error("giving up")
sys.exit(1)
"""
PY_LOGGED_AT_EXIT = """
import logging, sys
logging.basicConfig(format="%(levelname)s %(message)s")
try:
    raise ValueError("belvo said 500")
except ValueError:
    logging.exception("sync failed request_id=abc")
    sys.exit(1)
"""
PY_UNHANDLED = """
import logging, json
logging.basicConfig(format="%(levelname)s %(message)s")
logging.warning("belvo POST /api/accounts/ -> 502")
json.loads("<html>Bad Gateway</html>")
"""
PY_TRACEBACK_BUT_SUCCESS = PY_LOGGED_AT_EXIT.replace("sys.exit(1)", "sys.exit(0)")


def run(argv: list[str]) -> tuple[str, int]:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    return done.stderr, done.returncode


@pytest.mark.parametrize("code, crashed", [
    (PY_LOGGED_THEN_ON, False), (PY_LOGGED_AT_EXIT, False), (PY_TRACEBACK_BUT_SUCCESS, False), (PY_UNHANDLED, True),
])
def test_python(code, crashed):
    stderr, exit_code = run([sys.executable, "-c", code])
    assert "Traceback" in stderr
    found = find_crash(stderr, exit_code)
    assert bool(found) is crashed, stderr
    if crashed:
        assert found[0] == "Python traceback" and "JSONDecodeError" in found[1]


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
@pytest.mark.parametrize("code, crashed", [
    ("console.error(new Error('belvo said 500')); process.exit(1)", False),
    ("throw new Error('belvo said 500')", True),
    ("Promise.reject(new Error('belvo said 500'))", True),
])
def test_node(code, crashed):
    stderr, exit_code = run(["node", "-e", code])
    assert "    at " in stderr  # a stack trace either way
    assert bool(find_crash(stderr, exit_code)) is crashed, stderr


def test_a_process_killed_at_its_timeout_is_a_hang_not_a_crash():
    assert find_crash("Traceback (most recent call last):\n  x\nKeyboardInterrupt\n", None) is None
