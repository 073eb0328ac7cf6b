"""SIGINT, SIGTERM and SIGHUP in every phase of a run, and of the other long-running commands:
exit 130 with one line on stderr, no traceback, no process left, no scratch folder left."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import termios
import uuid

import pytest

from tests.hostile.processes import (
    CHILD,
    interrupt,
    processes_with,
    start_cli,
    wait_for,
)

SIGNALS = pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                                  ids=["SIGINT", "SIGTERM", "SIGHUP"])

PROBES_CONFIG = """version: 1
environment: sandbox
webhooks:
  urls: {{sandbox: https://staging.acme.example.mx/hooks/belvo, production: https://acme.example.mx/hooks/belvo}}
  probe_url: http://127.0.0.1:{{receiver_port}}/hooks/belvo
integration:
  start: '{{python}} "{child}" serve {{receiver_port}} {marker} "{folder}" --slow'
  ready: http://127.0.0.1:{{receiver_port}}/
  flows:
    widget_token: '{{python}} "{child}" hang {marker} "{folder}"'
  timeout: 60
"""


@pytest.fixture
def scratch(tmp_path):
    """The TMPDIR of the belvo-check child: its scratch folders land here, and must be gone at the end."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def assert_clean_exit(process: subprocess.Popen, stderr: str, scratch, marker: str | None = None) -> None:
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1 and stderr.startswith("interrupted"), stderr
    assert list(scratch.iterdir()) == [], "scratch folders were left behind"
    if marker:
        assert processes_with(marker) == [], "integration processes were left running"


@SIGNALS
def test_signal_during_start_up_exits_130_with_one_line(signum):
    """The signal arrives while the entry point imports the command line (the slowest part of
    start-up): one line, exit 130, no KeyboardInterrupt traceback from inside an import."""
    child = (
        "import builtins, os, time\n"
        "real_import = builtins.__import__\n"
        "def importing(name, *args, **kwargs):\n"
        "    if name == 'belvo_check.cli':\n"
        f"        os.kill(os.getpid(), {int(signum)})\n"
        "        time.sleep(30)\n"
        "    return real_import(name, *args, **kwargs)\n"
        "builtins.__import__ = importing\n"
        "from belvo_check.__main__ import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", child, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130, done.stderr
    assert done.stderr == "interrupted\n"
    assert done.stdout == ""


@SIGNALS
def test_signal_while_the_config_is_being_read(tmp_path, scratch, signum):
    fifo = tmp_path / "belvo-check.yaml"
    os.mkfifo(fifo)  # belvo-check blocks reading it while we hold it open and write nothing
    run = start_cli("run", "-c", str(fifo), scratch=scratch)
    writers = []

    def reading() -> bool:
        try:
            writers.append(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # fails until a reader has it open
            return True
        except OSError:
            return run.poll() is not None

    try:
        assert wait_for(reading, 60) and writers, run.communicate()
    finally:
        _, stderr = interrupt(run, signum)
        for writer in writers:
            os.close(writer)
    assert_clean_exit(run, stderr, scratch)


@SIGNALS
def test_signal_while_webhook_probes_wait_on_the_receiver(tmp_path, scratch, signum):
    marker, folder = f"belvo-check-hostile-{uuid.uuid4().hex}", tmp_path / "receiver"
    folder.mkdir()
    config = tmp_path / "belvo-check.yaml"
    config.write_text(PROBES_CONFIG.format(child=CHILD, marker=marker, folder=folder))
    run = start_cli("run", "-c", str(config), "--select", "BLV403,BLV407", scratch=scratch)
    try:
        assert wait_for(lambda: (folder / "posted").exists() or run.poll() is not None, 90)
        assert run.poll() is None, run.communicate()
    finally:
        _, stderr = interrupt(run, signum)
    assert_clean_exit(run, stderr, scratch, marker)


def test_sigterm_while_probes_wait_on_a_receiver_of_your_own(tmp_path, scratch):
    """The receiver is not started by belvo-check: the probe threads are all that runs."""
    folder = tmp_path / "receiver"
    folder.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    receiver = subprocess.Popen([sys.executable, str(CHILD), "serve", str(port), "own-receiver", str(folder), "--slow"])
    try:
        assert wait_for(lambda: (folder / "serving").exists(), 60)
        config = tmp_path / "belvo-check.yaml"
        config.write_text(f"""version: 1
environment: sandbox
webhooks:
  urls: {{sandbox: https://staging.acme.example.mx/hooks/belvo, production: https://acme.example.mx/hooks/belvo}}
  probe_url: http://127.0.0.1:{port}/hooks/belvo
""")
        run = start_cli("run", "-c", str(config), "--select", "webhooks", scratch=scratch)
        try:
            assert wait_for(lambda: (folder / "posted").exists() or run.poll() is not None, 90)
            assert run.poll() is None, run.communicate()
        finally:
            _, stderr = interrupt(run, signal.SIGTERM)
    finally:
        receiver.kill()
        receiver.wait()
    assert_clean_exit(run, stderr, scratch)


@SIGNALS
def test_signal_while_the_report_is_written(tmp_path, scratch, signum):
    config = tmp_path / "belvo-check.yaml"
    config.write_text("version: 1\nenvironment: sandbox\n")
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, 1031, 4096)  # F_SETPIPE_SZ: the JSON report (~25 KiB) does not fit
    try:
        run = start_cli("run", "-c", str(config), "--format", "json", scratch=scratch, stdout=write_end)
        os.close(write_end)
        write_end = None

        def pipe_full() -> bool:
            unread = bytearray(4)
            fcntl.ioctl(read_end, termios.FIONREAD, unread)
            return int.from_bytes(unread, "little") >= 4096 or run.poll() is not None

        assert wait_for(pipe_full, 60)
        assert run.poll() is None, "the report fitted in the pipe: belvo-check never blocked writing it"
        _, stderr = interrupt(run, signum)
    finally:
        os.close(read_end)
        if write_end is not None:
            os.close(write_end)
    assert_clean_exit(run, stderr, scratch)


@SIGNALS
def test_signal_while_a_drill_is_replayed(tmp_path, scratch, signum):
    marker, folder = f"belvo-check-hostile-{uuid.uuid4().hex}", tmp_path / "flow"
    folder.mkdir()
    config = tmp_path / "belvo-check.yaml"
    config.write_text(f"""version: 1
environment: sandbox
integration:
  flows:
    widget_token: '{{python}} "{CHILD}" daemon {marker} "{folder}"; exec {{python}} "{CHILD}" hang {marker} "{folder}"'
  timeout: 60
""")
    run = start_cli("drill", "widget", "-c", str(config), scratch=scratch)
    try:
        assert wait_for(lambda: any(folder.glob("hanging-*")) or run.poll() is not None, 60)
        assert run.poll() is None, run.communicate()
    finally:
        _, stderr = interrupt(run, signum)
    assert_clean_exit(run, stderr, scratch, marker)


@SIGNALS
def test_signal_while_webhooks_send_waits_for_an_answer(scratch, signum):
    with socket.socket() as silent:  # accepts, and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        silent.settimeout(60)
        run = start_cli("webhooks", "send", "--url", f"http://127.0.0.1:{silent.getsockname()[1]}/hooks",
                        scratch=scratch)
        try:
            connection, _ = silent.accept()  # the delivery is on its way; its answer never comes
        finally:
            _, stderr = interrupt(run, signum)
        connection.close()
    assert_clean_exit(run, stderr, scratch)


@SIGNALS
def test_signal_stops_the_simulator_with_one_line(scratch, signum):
    run = start_cli("sim", "--port", "0", scratch=scratch)
    try:
        assert run.stdout.readline().startswith("Belvo API simulator listening on http://127.0.0.1:")
    finally:
        stdout, stderr = interrupt(run, signum)
    # Ctrl-C, SIGTERM and SIGHUP (a closed terminal) are the simulator's way to stop: exit 0,
    # "Simulator stopped.", one line, no traceback.
    assert run.returncode == 0, stderr
    assert stdout.strip().splitlines()[-1] == "Simulator stopped."
    assert "Traceback" not in stdout + stderr
    assert len(stderr.strip().splitlines()) <= 1, stderr
    assert list(scratch.iterdir()) == []
