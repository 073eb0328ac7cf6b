"""Process hygiene: process groups killed at their timeout, output bounded, nothing left behind."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from belvo_check.harness import procs


def _running(marker: str) -> list[int]:
    """Pids whose command line carries the marker (our children put it in argv)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


def test_hanging_forking_command_is_killed_with_its_children():
    marker = f"bc-{uuid.uuid4().hex}"
    # A child in the background and a foreground sleep: both must die at the timeout.
    cmd = f"sh -c 'sleep 300 # {marker}' & sh -c 'sleep 300 # {marker}'"
    result = procs.run(cmd, env=dict(os.environ), cwd="/", timeout=0.5)
    assert result.timed_out and result.exit_code is None
    assert _running(marker) == []


def test_background_child_of_a_finished_command_is_killed():
    marker = f"bc-{uuid.uuid4().hex}"
    result = procs.run(f"(sh -c 'sleep 300 # {marker}' &) ; echo done", env=dict(os.environ), cwd="/", timeout=5)
    assert not result.timed_out and result.exit_code == 0 and "done" in result.stdout
    assert _running(marker) == []


def test_flooding_output_is_bounded_and_never_blocks():
    result = procs.run("head -c 20000000 /dev/zero | tr '\\0' x; echo; echo the-end", env=dict(os.environ),
                       cwd="/", timeout=30)
    assert result.exit_code == 0
    assert len(result.stdout) <= procs.MAX_STREAM + 200
    assert "bytes of output dropped" in result.stdout and result.stdout.rstrip().endswith("the-end")


def test_term_ignoring_process_is_killed():
    marker = f"bc-{uuid.uuid4().hex}"
    result = procs.run(f"sh -c 'trap \"\" TERM; sleep 300; # {marker}'", env=dict(os.environ), cwd="/", timeout=0.3)
    assert result.timed_out
    assert _running(marker) == []
