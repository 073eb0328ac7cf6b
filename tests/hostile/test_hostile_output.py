"""Hostile: an integration writes terminal escape sequences, control characters, a bidi override
and rich markup into its logs, trying to clear the screen or forge a READY line in belvo-check's
report. The reports show all of it spelled out (`\\x1b`), never interpreted.
"""
from __future__ import annotations

import json
import os
import pty
import re
import threading

import pytest

from belvo_check.secrets import Redactor, visible
from tests.conftest import run_cli
from tests.hostile.printer import leaked, run_blv704, run_printer

# What the printer writes that a terminal would act on; none may reach any report raw.
RAW = ["\x1b", "\r", "\x08", "\x07", "\x9b", "\u202e", "\u202c", "\u2066", "\u2069"]
# belvo-check's own colours are SGR sequences; anything else with ESC came from elsewhere.
OWN_COLOURS = re.compile(r"\x1b\[[0-9;]*m")
SUMMARY = re.compile(r"^\d+ of \d+ checks? verified: ")


@pytest.mark.parametrize("text, shown", [
    ("a\x1b[2Jb", "a\\x1b[2Jb"),
    ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
    ("50%\r100%\x08!", "50%\\x0d100%\\x08!"),
    ("\x00\x0b\x0c\x1f\x7f", "\\x00\\x0b\\x0c\\x1f\\x7f"),
    ("c1 \x9b31m \x85", "c1 \\x9b31m \\x85"),
    ("user \u202eexe.txt\u202c \u2066x\u2069 \u200f \u061c", "user \\u202eexe.txt\\u202c \\u2066x\\u2069 \\u200f \\u061c"),
    ("line\u2028sep", "line\\u2028sep"),
    ("keep\tthis\nand ünïcode ✔", "keep\tthis\nand ünïcode ✔"),
    ("windows\r\nline", "windows\nline"),
    ("[bold red]READY[/] :warning:", "[bold red]READY[/] :warning:"),
])
def test_visible_spells_out_controls_and_keeps_text(text, shown):
    assert visible(text) == shown
    assert visible(shown) == shown  # redacting twice (a check, then the runner) changes nothing more
    assert Redactor()(text) == shown  # every finding passes the redactor, even with no secret known


def test_log_excerpts_keep_carriage_returns_inside_their_line():
    from belvo_check.harness.outcome import Outcome
    from belvo_check.harness.drills import DRILLS

    outcome = Outcome(DRILLS["plain"], log_files={"app.log": "one\ntwo\rREADY for production\x0cthree\n"})
    assert outcome.log_excerpt().split("\n") == ["one", "two\rREADY for production\x0cthree"]


def escapes_shown(text: str) -> None:
    """The integration's tricks are in the report, spelled out, and none of them works."""
    for raw in RAW:
        assert raw not in text, f"raw {raw!r} reached the report"
    assert "\\x1b[2J" in text and "\\x0d" in text and "\\u202e" in text and "\\x9b" in text
    # Rich markup is not interpreted (tokens without spaces: a narrow terminal wraps at spaces).
    assert "[bold" in text and "[link=https://evil.test]x[/link]" in text and ":warning:" in text


def only_summary_at_line_start(text: str) -> None:
    lines = [OWN_COLOURS.sub("", line) for line in text.split("\n")]
    starts = [i for i, line in enumerate(lines) if SUMMARY.match(line)]
    assert len(starts) == 1, [lines[i] for i in starts]
    summary = " ".join(lines[starts[0]:starts[0] + 2])  # a narrow terminal may wrap it once
    assert "1 fail" in summary and "NOT READY" in summary, summary
    for line in lines:
        if "READY for production" in line:  # the forged lines stay inside the indented evidence
            assert line.startswith(" " * 19), line


@pytest.mark.parametrize("args, env", [
    (("-v",), {}),  # piped: plain, uncoloured; -v shows every line of the evidence
    (("-v", "--no-color"), {"COLUMNS": "50"}),  # forced narrow width: wrapping must not split a raw sequence back
], ids=["piped", "no-color-narrow"])
def test_plain_report_has_no_escape_at_all(tmp_path, args, env):
    done = run_blv704(tmp_path, *args, leak="basic-unpadded", escapes=True, env=env)
    assert done.returncode == 1, done.stderr
    assert "\x1b" not in done.stdout and "\x1b" not in done.stderr
    escapes_shown(done.stdout)
    only_summary_at_line_start(done.stdout)


def test_json_report_carries_the_visible_form(tmp_path):
    out = tmp_path / "report.json"
    done = run_blv704(tmp_path, "--format", "json", "-o", str(out), leak="basic-unpadded", escapes=True)
    assert done.returncode == 1, done.stderr
    report = json.loads(out.read_text())
    texts = [value for result in report["results"] for finding in result["findings"]
             for value in finding.values() if isinstance(value, str)]
    escapes_shown("\n".join(texts))


def test_colour_terminal_shows_only_its_own_colours(tmp_path):
    """On a real terminal (a pty, colours on, FORCE_COLOR unset, a forced width) belvo-check colours
    its own text; every ESC on the screen belongs to one of its SGR colour sequences."""
    master, slave = pty.openpty()
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(master, chunks))  # a full pty would block the child
    reader.start()
    try:
        done = run_blv704(tmp_path, "-v", leak="basic-unpadded", escapes=True, stdout=slave,
                          env={"TERM": "xterm-256color", "COLUMNS": "60"})
    finally:
        os.close(slave)
        reader.join(timeout=60)
        os.close(master)
    screen = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    assert done.returncode == 1, done.stderr
    assert OWN_COLOURS.search(screen), "expected a coloured report on a terminal"
    escapes_shown(OWN_COLOURS.sub("", screen))
    only_summary_at_line_start(screen)


def _drain(fd: int, chunks: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO once the terminal's other side is closed: everything was read
            return
        if not chunk:
            return
        chunks.append(chunk)


def test_drill_replay_is_spelled_out_and_redacted(tmp_path):
    """`belvo-check drill NAME` prints the integration's logs: through the same redactor."""
    done = run_printer(tmp_path, "drill", "plain", leak="all", escapes=True)
    assert done.returncode == 0, done.stderr
    escapes_shown(done.stdout)
    assert leaked(done.stdout + done.stderr) == []
    assert "[redacted sha256:" in done.stdout


def test_a_config_path_with_escapes_is_spelled_out(tmp_path):
    """The config path (in the header and in every location) comes from the command line."""
    config = tmp_path / "team\x1b[2J\u202econfig.yaml"
    config.write_text("version: 1\nenvironment: sandbox\nwebhooks:\n  urls:\n"
                      "    sandbox: https://hooks.example.test/a\n    production: https://hooks.example.test/b\n")
    done = run_cli("run", "-c", str(config), "--select", "BLV401")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout
    assert done.stdout.count("team\\x1b[2J\\u202econfig.yaml") == 2, done.stdout  # header and location
