"""Bounded HTTP for probes: a timeout on every request, at most 64 KiB read, no redirect followed."""

from __future__ import annotations

import ssl
import socket
import statistics
import threading
import time
from dataclasses import dataclass

import httpx

from belvo_check import __version__
from belvo_check.probes.catalogue import Payload
from belvo_check.urls import host_of

MAX_BODY = 64 * 1024
USER_AGENT = f"belvo-check/{__version__} (webhook probe)"


@dataclass
class Response:
    status: int | None  # None: no answer (see error)
    latency_ms: float
    error: str | None = None  # why there was no usable answer: timeout, refused, TLS, DNS
    location: str | None = None  # where a 3xx pointed (never followed)
    body: bytes = b""
    reconnected: bool = False  # the first connection was reset before any answer, and was retried once
    transport: bool = False  # failed at the connection level (refused, reset) rather than timing out

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> str:
        if self.status is None:
            return self.error or "no answer"
        if 300 <= self.status < 400:
            return f"{self.status} redirect to {host_of(self.location or '') or '?'} (not followed)"
        return str(self.status)


def client(timeout: float, connections: int = 10, verify: bool = True) -> httpx.Client:
    """One client per probe run; redirects are reported, never followed (they could lead anywhere)."""
    return httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, verify=verify,
                        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=0),
                        headers={"User-Agent": USER_AGENT})


def request(http: httpx.Client, method: str, url: str, **kwargs) -> Response:
    """One request, read at most MAX_BODY bytes of the answer, classify any failure."""
    started = time.monotonic()
    try:
        with http.stream(method, url, **kwargs) as answer:
            body = bytearray()
            for chunk in answer.iter_bytes():
                body.extend(chunk)
                if len(body) >= MAX_BODY:
                    break
            return Response(answer.status_code, _ms(started), location=answer.headers.get("location"),
                            body=bytes(body[:MAX_BODY]))
    except httpx.HTTPError as exc:
        return Response(None, _ms(started), error=classify(exc, http.timeout.read),
                        transport=isinstance(exc, (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)))


def deliver(http: httpx.Client, url: str, probe: Payload, authorization: str | None) -> Response:
    headers = {"Content-Type": "application/json", **probe.extra_headers}
    if authorization:
        headers["Authorization"] = authorization
    return request(http, "POST", url, json=probe.body, headers=headers)


def burst(http: httpx.Client, url: str, probes: list[Payload], authorization: str | None) -> list[Response]:
    """Deliver every probe at the same moment, one thread each, as Belvo does after a busy refresh."""
    results: list[Response | None] = [None] * len(probes)
    gate = threading.Barrier(len(probes))

    def one(index: int) -> None:
        try:
            gate.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        started = time.monotonic()
        answer = deliver(http, url, probes[index], authorization)
        if answer.transport:
            # A connection reset before any answer is the listen backlog overflowing, not the handler:
            # try once more, on the same clock, and say so in the evidence.
            answer = deliver(http, url, probes[index], authorization)
            answer.latency_ms, answer.reconnected = _ms(started), True
        results[index] = answer

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(probes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r or Response(None, 0.0, error="not sent") for r in results]


def classify(exc: BaseException, timeout: float | None = None) -> str:
    """A short, specific cause: DNS, TLS, refused, reset, or timeout."""
    chain, seen = [], exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    if any(isinstance(e, socket.gaierror) for e in chain) or "Name or service not known" in str(exc) \
            or "nodename nor servname" in str(exc) or "getaddrinfo" in str(exc).lower():
        return f"DNS error: the host name does not resolve ({_first_line(exc)})"
    if any(isinstance(e, ssl.SSLError) for e in chain) or "SSL" in str(exc) or "certificate" in str(exc).lower():
        return f"TLS error ({_first_line(exc)})"
    if isinstance(exc, httpx.TimeoutException):
        limit = f" within {timeout:g} s" if timeout else ""
        return f"no answer{limit} (timeout)"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed ({_first_line(exc)})"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return f"connection closed without an answer ({_first_line(exc)})"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def latency_summary(responses: list[Response]) -> str:
    latencies = [r.latency_ms for r in responses]
    if not latencies:
        return "no deliveries"
    return f"p50 {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000
