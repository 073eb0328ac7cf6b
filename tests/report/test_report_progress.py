"""The progress display on a real terminal (a pty): what the run waits on, and the tally so far."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import textwrap

from belvo_check.registry import load_registry
from reporttest import CONFIG, SECRET_ID, SECRET_PASSWORD, drain

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _screen(args, cwd, env) -> tuple[int, str]:
    """Run belvo-check on a pseudo-terminal; its exit code and everything it drew, without colours."""
    master, slave = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "belvo_check", *args],
                             cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    drawn = drain(master)
    return child.wait(timeout=120), ANSI.sub("", drawn.decode(errors="replace"))


def _terminal_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "FORCE_COLOR", "NO_COLOR")
           and not k.startswith("BELVO_")}
    env.update(TERM="xterm-256color", COLUMNS="200", BELVO_SECRET_ID=SECRET_ID, BELVO_SECRET_PASSWORD=SECRET_PASSWORD)
    return env


def test_progress_says_what_it_waits_on_and_keeps_a_tally(tmp_path):
    (tmp_path / "belvo-check.yaml").write_text(textwrap.dedent(CONFIG))
    code, screen = _screen(["run", "--select", "BLV4,BLV7,BLV8"], tmp_path, _terminal_env())
    assert code == 1
    total = len(load_registry().select(["BLV4", "BLV7", "BLV8"]))
    assert re.search(rf"running checks .* 0/{total} .*waiting on BLV401 Each environment.* \(\+{total - 1} more\)",
                     screen), screen[:2000]
    assert re.search(rf"\d+/{total} +✔ \d+ +✖ \d+", screen), screen[:2000]  # the tally while it runs
    assert "NOT READY for production" in screen


def test_progress_names_the_drills_the_harness_is_running(tmp_path):
    # Flows that take a few seconds: long enough for the display to be drawn while the stall drills run.
    (tmp_path / "belvo-check.yaml").write_text(textwrap.dedent("""\
        version: 1
        environment: sandbox
        integration:
          flows: {create_link: sleep 2, sync: sleep 2}
          timeout: 10
        """))
    code, screen = _screen(["run", "--select", "BLV208"], tmp_path, _terminal_env())
    assert code in (0, 1, 4), screen[-2000:]
    assert re.search(r"waiting on BLV208 .*· drills? .*errors-stall", screen), screen[:3000]
