"""HTTP with a deadline on every whole exchange (connect, send, headers and body), at most 64 KiB
read, no redirect followed: for talking to receivers that may be slow, silent or hostile (the
webhook probes, the live key check, the simulator's outgoing webhooks)."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass

import httpx

from belvo_check.urls import host_of

MAX_BODY = 64 * 1024


@dataclass
class Response:
    status: int | None  # None: no answer (see error)
    latency_ms: float
    error: str | None = None  # why there was no usable answer: timeout, refused, TLS, DNS
    location: str | None = None  # where a 3xx pointed (never followed)
    body: bytes = b""
    reconnected: bool = False  # the first connection was reset before any answer, and was retried once
    transport: bool = False  # failed at the connection level (refused, reset) rather than timing out
    timed_out: bool = False  # the whole exchange did not end within the client's timeout

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> str:
        if self.status is None:
            return self.error or "no answer"
        if 300 <= self.status < 400:
            host = host_of(self.location or "")
            shown = host if host.isprintable() else repr(host)  # the receiver chose it: no terminal controls
            return f"{self.status} redirect to {shown or '?'} (not followed)"
        return str(self.status)


def client(timeout: float, user_agent: str, connections: int = 10, verify: bool = True) -> httpx.Client:
    """One client per run of deliveries. `timeout` bounds each whole exchange (connect, send, headers and body),
    not each read, so a receiver that drips its answer is cut off too. Redirects are reported, never
    followed (they could lead anywhere)."""
    return httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, verify=verify,
                        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=0),
                        headers={"User-Agent": user_agent, "Accept-Encoding": "identity"})


def request(http: httpx.Client, method: str, url: str, since: float | None = None, **kwargs) -> Response:
    """One request within the client's timeout, all of it; read at most MAX_BODY bytes; classify any failure.

    `since` (a time.monotonic() value) puts a second try on the first one's clock.
    """
    limit = http.timeout.read
    started = time.monotonic() if since is None else since
    remaining = limit - (time.monotonic() - started)
    if remaining <= 0:
        return _timed_out(started, limit)
    cutoff = _Cutoff(remaining)
    try:  # connecting (and waiting for a free connection) gets no more than the time that remains, too
        with http.stream(method, url, timeout=remaining, extensions={"trace": cutoff.trace}, **kwargs) as answer:
            body = bytearray()
            for chunk in answer.iter_raw():  # raw: a compressed answer is never inflated
                body.extend(chunk)
                if len(body) >= MAX_BODY or cutoff.expired:
                    break
            if cutoff.expired:
                return _timed_out(started, limit, f"the answer ({answer.status_code}) was not complete")
            return Response(answer.status_code, _ms(started), location=answer.headers.get("location"),
                            body=bytes(body[:MAX_BODY]))
    except httpx.HTTPError as exc:
        if cutoff.expired or isinstance(exc, httpx.TimeoutException):
            return _timed_out(started, limit)
        return Response(None, _ms(started), error=classify(exc),
                        transport=isinstance(exc, (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)))
    except httpx.InvalidURL as exc:
        return Response(None, _ms(started), error=f"invalid URL ({_first_line(exc)})")
    finally:
        cutoff.cancel()


class _Cutoff:
    """Shuts the exchange's socket down when its time is up, whatever phase it is in.

    httpx's timeouts apply to each read and write, so an answer dripped a byte at a time would never
    end; shutting the socket down ends any blocked read or write at once, in any thread.
    """

    def __init__(self, limit: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(limit, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: dict) -> None:
        """httpcore reports each new connection (and its TLS layer) here, in the requesting thread."""
        stream = info.get("return_value") if event.endswith(".complete") else None
        sock = stream.get_extra_info("socket") if hasattr(stream, "get_extra_info") else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets.append(sock)
                if self.expired:
                    _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        # the plain socket's shutdown, also for a TLS socket, whose own would tear down state a read still uses
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: the exchange ended by itself


def _timed_out(started: float, limit: float, what: str = "no complete answer") -> Response:
    return Response(None, _ms(started), error=f"timed out: {what} within the {limit:g} s timeout", timed_out=True)


def classify(exc: BaseException) -> str:
    """A short, specific cause: DNS, TLS, refused, reset or protocol error (time-outs are told by request)."""
    chain, seen = [], exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    if any(isinstance(e, socket.gaierror) for e in chain) or "Name or service not known" in str(exc) \
            or "nodename nor servname" in str(exc) or "getaddrinfo" in str(exc).lower():
        return f"DNS error: the host name does not resolve ({_first_line(exc)})"
    if any(isinstance(e, ssl.SSLError) for e in chain) or "SSL" in str(exc) or "certificate" in str(exc).lower():
        return f"TLS error ({_first_line(exc)})"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed ({_first_line(exc)})"
    if isinstance(exc, httpx.RemoteProtocolError) and not any(word in str(exc) for word in ("disconnect", "closed")):
        return f"not a valid HTTP answer ({_first_line(exc)})"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return f"connection closed without an answer ({_first_line(exc)})"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000
