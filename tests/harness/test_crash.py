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
HTML = ("<html>\\r\\n<head><title>502 Bad Gateway</title></head>\\r\\n<body>\\r\\n"
        "<hr><center>nginx</center>\\r\\n</html>")
# Retry-then-exit with the error raised while handling the HTTP error (a chained report), logged with
# Belvo's raw answer in the message: a JSON body is one line, an HTML page many. One verdict for both.
PY_CHAINED = """
import json, logging, sys
logging.basicConfig(format="%(levelname)s %(message)s")
class BelvoError(Exception): pass
for attempt in range(2):
    try:
        try:
            raise OSError("HTTP Error 502")
        except OSError:
            raise BelvoError("502: " + BODY)
    except BelvoError as exc:
        logging.exception("belvo call failed: %s", exc)
sys.exit(1)
"""
PY_CHAINED_JSON = PY_CHAINED.replace("BODY", repr('[{"code": "unexpected_error", "request_id": "abc"}]'))
PY_CHAINED_HTML = PY_CHAINED.replace("BODY", f'"{HTML}"')
PY_UNHANDLED_HTML = PY_CHAINED_HTML.replace("except BelvoError", "except KeyError")
PY_TRACEBACK_BUT_SUCCESS = PY_LOGGED_AT_EXIT.replace("sys.exit(1)", "sys.exit(0)")


def run(argv: list[str]) -> tuple[str, int]:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    return done.stderr, done.returncode


@pytest.mark.parametrize("code, crashed", [
    (PY_LOGGED_THEN_ON, False), (PY_LOGGED_AT_EXIT, False), (PY_TRACEBACK_BUT_SUCCESS, False), (PY_UNHANDLED, True),
    (PY_CHAINED_JSON, False), (PY_CHAINED_HTML, False),
])
def test_python(code, crashed):
    stderr, exit_code = run([sys.executable, "-c", code])
    assert "Traceback" in stderr
    found = find_crash(stderr, exit_code)
    assert bool(found) is crashed, stderr
    if crashed:
        assert found[0] == "Python traceback" and "JSONDecodeError" in found[1]


def test_an_unhandled_error_with_an_html_message_is_a_crash_shown_by_its_exception_line():
    stderr, exit_code = run([sys.executable, "-c", PY_UNHANDLED_HTML])
    kind, excerpt = find_crash(stderr, exit_code)
    assert kind == "Python traceback"
    assert "BelvoError: 502: <html>" in excerpt and "nginx" not in excerpt  # the page is cut short


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
