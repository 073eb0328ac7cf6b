"""Process hygiene: process groups killed at their timeout, output bounded, nothing left behind,
daemons that left the group found and stopped with the step that started them."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid

from belvo_check.harness import procs
from tests.hostile.processes import CHILD, port_open, processes_with


def test_hanging_forking_command_is_killed_with_its_children():
    marker = f"bc-{uuid.uuid4().hex}"
    # A child in the background and a foreground sleep: both must die at the timeout.
    cmd = f"sh -c 'sleep 300 # {marker}' & sh -c 'sleep 300 # {marker}'"
    result = procs.run(cmd, env=dict(os.environ), cwd="/", timeout=0.5)
    assert result.timed_out and result.exit_code is None
    assert processes_with(marker) == []


def test_background_child_of_a_finished_command_is_killed():
    marker = f"bc-{uuid.uuid4().hex}"
    result = procs.run(f"(sh -c 'sleep 300 # {marker}' &) ; echo done", env=dict(os.environ), cwd="/", timeout=5)
    assert not result.timed_out and result.exit_code == 0 and "done" in result.stdout
    assert processes_with(marker) == []


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
    assert processes_with(marker) == []


def test_daemon_is_stopped_with_its_step_and_only_its_step(tmp_path):
    """setsid + double fork + SIGTERM ignored: found by its step's token, killed when the step ends.
    A concurrent step and a child of our own (not started by procs) are left alone."""
    daemon, other, ours = (f"bc-{uuid.uuid4().hex}" for _ in range(3))
    concurrent = procs.Process(f'exec {sys.executable} "{CHILD}" hang {other} "{tmp_path}"',
                               env=dict(os.environ), cwd="/")
    helper = subprocess.Popen(["sh", "-c", "sleep 300", ours])
    try:
        result = procs.run(f'{sys.executable} "{CHILD}" daemon {daemon} "{tmp_path}"', env=dict(os.environ),
                           cwd="/", timeout=60)
        assert result.exit_code == 0 and daemon in result.stdout
        [port_file] = tmp_path.glob("*.port")
        assert result.stopped == (int(port_file.stem),)  # the daemon, and nothing else, was this step's
        assert processes_with(daemon) == [] and not port_open(int(port_file.read_text()))
        assert concurrent.alive() and helper.poll() is None
        assert processes_with(other) and processes_with(ours)
    finally:
        helper.kill()
        helper.wait()
        concurrent.stop()
    assert processes_with(other) == []
