"""`belvo-check sim` as a child process, the way a user runs it: its URL and keys read from its
stdout, everything it prints kept for the test to inspect after a clean Ctrl-C."""
from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading

from tests.conftest import ROOT

URL_LINE = re.compile(r"listening on (http://\S+)")


class SimProcess:
    def __init__(self, *args: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("BELVO_")}
        self.proc = subprocess.Popen([sys.executable, "-m", "belvo_check", "sim", "--port", "0", *args], cwd=ROOT,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        lines: queue.Queue = queue.Queue()
        self._readers = [threading.Thread(target=_pump, args=(self.proc.stdout, self.stdout, lines), daemon=True),
                         threading.Thread(target=_pump, args=(self.proc.stderr, self.stderr, None), daemon=True)]
        for reader in self._readers:
            reader.start()
        keys = {}
        try:
            while "BELVO_SECRET_PASSWORD" not in keys:
                line = lines.get(timeout=60)
                if line is None:
                    raise RuntimeError(f"sim exited before it was ready: {''.join(self.stderr)}")
                if line.startswith("  BELVO_"):
                    name, _, value = line.strip().partition("=")
                    keys[name] = value
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            raise
        self.url = keys["BELVO_API_URL"]
        self.port = int(URL_LINE.search(self.stdout[0]).group(1).rsplit(":", 1)[1])
        self.auth = (keys["BELVO_SECRET_ID"], keys["BELVO_SECRET_PASSWORD"])

    def stop(self) -> int:
        """Ctrl-C, then wait for the exit code and every line the process printed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        for reader in self._readers:
            reader.join(timeout=10)
        return code

    @property
    def output(self) -> str:
        return "".join(self.stdout) + "".join(self.stderr)

    def __enter__(self) -> "SimProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _pump(stream, into: list, lines: queue.Queue | None) -> None:
    for line in stream:
        into.append(line)
        if lines is not None:
            lines.put(line)
    if lines is not None:
        lines.put(None)
