"""A hostile integration command for the process and signal tests (stdlib only).

    hostile_child.py daemon MARKER DIR [--clear-env]
        Leaves a daemon behind and returns: double fork, setsid, stdio on /dev/null, SIGTERM
        ignored, listening on a free loopback port written to DIR/<pid>.port. With --clear-env
        the daemon also drops its environment (re-executing itself with none).
    hostile_child.py serve PORT MARKER DIR [--slow]
        An HTTP server on 127.0.0.1:PORT: GET answers 200; POST touches DIR/posted, and with
        --slow answers only after 60 s. Writes PORT to DIR/serving once it listens.
    hostile_child.py hang MARKER DIR
        Touches DIR/hanging-<pid>, then sleeps until killed.

MARKER is only there to be found in /proc/<pid>/cmdline by the test.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def daemon(marker: str, folder: str, clear_env: bool) -> None:
    ready_r, ready_w = os.pipe()
    first = os.fork()
    if first == 0:
        os.setsid()
        if os.fork() == 0:
            os.close(ready_r)
            if clear_env:
                os.set_inheritable(ready_w, True)
                os.execve(sys.executable, [sys.executable, __file__, "listen", marker, folder, str(ready_w)], {})
            listen(folder, ready_w)
        os._exit(0)
    os.close(ready_w)
    os.waitpid(first, 0)
    os.read(ready_r, 1)  # the daemon is listening
    print(f"left a daemon behind ({marker})")


def listen(folder: str, ready_w: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    (Path(folder) / f"{os.getpid()}.port").write_text(str(sock.getsockname()[1]))
    os.write(ready_w, b"x")
    os.close(ready_w)
    while True:
        conn, _ = sock.accept()
        conn.close()


def serve(port: int, folder: str, slow: bool) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.answer()

        def do_POST(self) -> None:
            (Path(folder) / "posted").touch()
            if slow:
                time.sleep(60)
            self.answer()

        def answer(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    (Path(folder) / "serving").write_text(str(port))
    server.serve_forever()


def hang(folder: str) -> None:
    (Path(folder) / f"hanging-{os.getpid()}").touch()
    while True:
        time.sleep(60)


if __name__ == "__main__":
    what, args = sys.argv[1], sys.argv[2:]
    if what == "daemon":
        daemon(args[0], args[1], "--clear-env" in args)
    elif what == "listen":
        listen(args[1], int(args[2]))
    elif what == "serve":
        serve(int(args[0]), args[2], "--slow" in args)
    elif what == "hang":
        hang(args[1])
