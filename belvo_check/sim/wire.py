"""Answers that misbehave on the wire (a reset, a body cut short), and the ASGI layer that makes them possible."""
from __future__ import annotations

import socket
import struct

from starlette.responses import Response

CYCLE_KEY = "belvo_sim.cycle"


class WireResponse(Response):
    """A reset (no ``partial``), or ``partial`` bytes sent under a Content-Length of ``declared_length``."""

    def __init__(self, partial: bytes | None = None, declared_length: int = 0, headers: dict | None = None):
        super().__init__(status_code=200)
        self.partial, self.declared_length, self.extra = partial, declared_length, headers or {}

    async def __call__(self, scope, receive, send):
        if self.partial is not None:
            headers = [(b"content-type", b"application/json"), (b"content-length", str(self.declared_length).encode())]
            await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
            await send({"type": "http.response.body", "body": self.partial, "more_body": True})
        # A cut body ends with a clean close (the client reads the part, then finds it short); a reset with an RST.
        abort_connection(scope, rst=self.partial is None)


def abort_connection(scope, rst: bool = True) -> None:
    """Drop the TCP connection, with an RST (SO_LINGER 0) or a FIN; under a test transport, raise instead."""
    cycle = scope.get(CYCLE_KEY)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionResetError("belvo-check simulator: connection reset by scenario")
    cycle.disconnected = True  # tells uvicorn not to answer 500 on our behalf
    if not rst:
        transport.close()
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()


class WireAccess:
    """Outer ASGI layer: keeps uvicorn's request cycle reachable so a scenario can reset the socket."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        cycle = None
        if scope["type"] == "http":
            cycle = scope[CYCLE_KEY] = getattr(send, "__self__", None)
            sock = cycle.transport.get_extra_info("socket") if getattr(cycle, "transport", None) else None
            if sock is not None:
                # uvicorn writes headers and body separately: without NODELAY, Nagle + delayed ACK cost 40 ms each.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            await self.app(scope, receive, send)
        except Exception:
            # Starlette re-raises an error after answering it, for the server to log. It was answered
            # (Belvo's 500) and logged in one line by SimulatorApp.crashed; uvicorn would add a traceback.
            # Under a test transport (no socket) it surfaces, for the test to see.
            if getattr(cycle, "transport", None) is None:
                raise
