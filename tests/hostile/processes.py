"""What the process and signal tests look at: processes by a marker unique to one test, ports,
and `belvo-check` started as a child to be interrupted."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT

CHILD = Path(__file__).resolve().parent / "hostile_child.py"


def processes_with(marker: str) -> list[int]:
    """Pids of running processes whose command line carries `marker` (zombies have none)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if marker.encode() in handle.read() and int(pid) != os.getpid():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def cli_env(scratch: Path) -> dict:
    """The environment of a belvo-check child whose scratch folders (tempfile) go to `scratch`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELVO_")}
    env["TMPDIR"] = str(scratch)
    return env


def start_cli(*args: str, scratch: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "belvo_check", *args], cwd=ROOT, env=cli_env(scratch),
                            stdout=popen.pop("stdout", subprocess.PIPE), stderr=subprocess.PIPE, text=True,
                            **popen)


def interrupt(process: subprocess.Popen, signum: int) -> tuple[str, str]:
    """Send `signum`, wait for the exit; (stdout, stderr)."""
    try:
        process.send_signal(signum)
        return process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
