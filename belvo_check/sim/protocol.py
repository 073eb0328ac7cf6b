"""uvicorn's HTTP/1.1 protocol with the limits it lacks against hostile clients."""
from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import struct

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

# A request line and headers beyond this are refused (400). Belvo SDKs send well under 2 KiB.
MAX_HEADER_BYTES = 32 * 1024
# From connecting (or from the previous response) to the last byte of the request. A client on
# 127.0.0.1 sends a request in one go; only a stuck or hostile one takes seconds.
READ_TIMEOUT = 10.0
# How long an answer may wait on a client that does not read it (the send buffer stays full). An
# SDK reads as fast as loopback delivers; only a stuck or hostile reader stalls this long.
WRITE_TIMEOUT = 10.0


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1, plus:

    A read deadline: a client that sends its headers or body a byte at a time, or never finishes
    them, is disconnected after READ_TIMEOUT instead of holding its connection for ever. Time spent
    answering (a scenario's stall) does not count.

    A head limit that holds however the bytes arrive: h11 refuses a request line and headers over
    MAX_HEADER_BYTES only while they are incomplete, so a larger head that arrives in one read
    would pass; it gets the same 400 here. So does a Host header that is not a host[:port] (HTTP
    requires the 400), which would otherwise reach the absolute URLs the simulator builds from it.
    """

    def __init__(self, *args, read_timeout: float = READ_TIMEOUT, write_timeout: float = WRITE_TIMEOUT, **kwargs):
        super().__init__(*args, **kwargs)
        self.read_timeout, self.write_timeout = read_timeout, write_timeout
        self._read_deadline: asyncio.TimerHandle | None = None
        self._write_deadline: asyncio.TimerHandle | None = None
        next_event = self.conn.next_event

        def next_event_within_limit():
            event = next_event()
            if isinstance(event, h11.Request):
                if _head_size(event) > MAX_HEADER_BYTES:
                    raise h11.RemoteProtocolError("request head too large", error_status_hint=431)
                if not all(_valid_host(value) for name, value in event.headers if name == b"host"):
                    raise h11.RemoteProtocolError("invalid Host header")
            return event

        self.conn.next_event = next_event_within_limit

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm_read_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_read_deadline()

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_deadline is None:
            self._write_deadline = self.loop.call_later(self.write_timeout, self._write_deadline_passed)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None

    def connection_lost(self, exc) -> None:
        for deadline in (self._read_deadline, self._write_deadline):
            if deadline is not None:
                deadline.cancel()
        super().connection_lost(exc)

    def _write_deadline_passed(self) -> None:
        self._write_deadline = None
        if not self.transport.is_closing():
            # A reset, not a close: a closed socket keeps its unsent answer queued in the kernel
            # for as long as the client keeps its window shut.
            sock = self.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.transport.abort()

    def _arm_read_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
        self._read_deadline = self.loop.call_later(self.read_timeout, self._read_deadline_passed)

    def _read_deadline_passed(self) -> None:
        self._read_deadline = None
        # IDLE: no complete request line and headers yet; SEND_BODY: the body is still coming.
        if not self.transport.is_closing() and self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            self.transport.close()


def _head_size(request: h11.Request) -> int:
    return len(request.method) + len(request.target) + sum(len(name) + len(value) + 4 for name, value in request.headers)


_HOST = re.compile(rb"(?:[A-Za-z0-9._~%!$&'()*+,;=-]*|\[([0-9A-Fa-f:.]+)\])(?::[0-9]*)?")


def _valid_host(value: bytes) -> bool:
    """host[:port] as RFC 3986 allows it: a name (possibly empty), IPv4, or a bracketed IPv6 address."""
    match = _HOST.fullmatch(value)
    if match is None:
        return False
    try:
        return match.group(1) is None or bool(ipaddress.IPv6Address(match.group(1).decode()))
    except ValueError:
        return False
