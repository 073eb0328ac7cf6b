"""A loopback receiver that misbehaves one chosen way and records every connection it gets.

It runs as threads in the test process, on 127.0.0.1 (or another 127/8 address): nothing else
is ever contacted. Each behaviour runs until the client goes away or the receiver is closed.
"""

from __future__ import annotations

import socket
import struct
import threading
import time

DRIP_EVERY = 0.2  # seconds between two bytes of a dripped answer
GARBAGE = b"\x1b[2J\x1b[H[bold]READY[/bogus] \x00\xff not http at all\r\n\r\n"


class HostileReceiver:
    """Behaviours: ok, silent, slow_headers, drip_body, redirect, huge, endless, reset, garbage."""

    def __init__(self, behaviour: str, host: str = "127.0.0.1", location: str = "") -> None:
        self.behaviour, self.location = behaviour, location
        self.requests: list[bytes] = []  # what each connection sent before the behaviour began
        self._server = socket.create_server((host, 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self.url = f"http://{host}:{self.port}/hooks/belvo"
        self._closed = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self.requests)

    def close(self) -> None:
        self._closed.set()
        self._server.close()

    def __enter__(self) -> "HostileReceiver":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- serving ---------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._server.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            with self._lock:
                self.requests.append(request)
            try:
                getattr(self, "_" + self.behaviour)(conn)
            except OSError:
                pass  # the client hung up (or shut the exchange down): that ends the behaviour

    def _ok(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    def _silent(self, conn: socket.socket) -> None:
        self._closed.wait()

    def _slow_headers(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        self._drip(conn, b"X-Slow: " + b"a" * 100_000)

    def _drip_body(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        self._drip(conn, b"b" * 100_000)

    def _redirect(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: " + self.location.encode()
                     + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def _huge(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
        self._flood(conn)

    def _endless(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        self._flood(conn, chunk=b"10000\r\n" + b"e" * 0x10000 + b"\r\n")

    def _reset(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST

    def _garbage(self, conn: socket.socket) -> None:
        conn.sendall(GARBAGE)

    def _drip(self, conn: socket.socket, data: bytes) -> None:
        for byte in data:
            if self._closed.wait(DRIP_EVERY):
                return
            conn.sendall(bytes([byte]))

    def _flood(self, conn: socket.socket, chunk: bytes = b"f" * 0x10000) -> None:
        while not self._closed.is_set():
            conn.sendall(chunk)


def _read_request(conn: socket.socket, deadline: float = 5.0) -> bytes:
    """The request head and its Content-Length body (whatever arrived within `deadline`)."""
    conn.settimeout(0.5)
    data, ends = b"", time.monotonic() + deadline
    while time.monotonic() < ends:
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            if len(body) >= length:
                break
        try:
            chunk = conn.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        data += chunk
    conn.settimeout(None)
    return data
