"""Test receivers as child processes on free loopback ports, configs for them, a connection counter."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path


RECEIVERS = Path(__file__).resolve().parent.parent / "fixtures" / "receivers"
AUTH = "Bearer test-receiver-auth-0f3a9c"


class Receiver:
    def __init__(self, name: str, workdir: Path, auth: str | None = AUTH) -> None:
        self.db = workdir / f"{name}.db"
        env = {**os.environ, "PYTHONPATH": str(RECEIVERS)}
        env.pop("RECEIVER_AUTH", None)
        if auth:
            env["RECEIVER_AUTH"] = auth
        self.process = subprocess.Popen([sys.executable, str(RECEIVERS / f"{name}.py"), "--db", str(self.db)],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                                        start_new_session=True)
        line = self.process.stdout.readline()
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"receiver {name} did not start")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}/hooks/belvo"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process.stdout.close()


def receiver_config(receiver: Receiver, production: str = "https://acme.example.mx/hooks/belvo",
                    auth: bool = True, store: bool = True, extra: str = "") -> str:
    text = ("version: 1\nenvironment: production\nwebhooks:\n"
            f"  urls: {{sandbox: https://staging.acme.example.mx/hooks/belvo, production: {production}}}\n"
            f"  probe_url: {receiver.url}\n")
    if auth:
        text += "  authorization: ${RECEIVER_AUTH}\n"
    if store:
        text += (f"integration:\n  store:\n    sqlite: {receiver.db}\n"
                 "    transactions: SELECT belvo_id FROM transactions\n"
                 "    links: SELECT belvo_id, status FROM links\n")
    return text + extra


class ConnectionCounter:
    """A loopback listener that counts connections (and answers nothing useful)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.count += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()
