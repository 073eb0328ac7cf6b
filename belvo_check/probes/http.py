"""Webhook probes over bounded HTTP: one delivery, or a burst of them at the same moment."""

from __future__ import annotations

import statistics
import threading
import time
from typing import Callable

import httpx

from belvo_check import __version__
from belvo_check.bounded_http import MAX_BODY, Response, request  # noqa: F401  (the probes' vocabulary)
from belvo_check import bounded_http
from belvo_check.probes.payloads import Payload

GRACE = 2.0  # waited past an acknowledgement limit, so a late 2xx is told apart from no answer
USER_AGENT = f"belvo-check/{__version__} (webhook probe)"


class NotSent(httpx.RequestError):
    """A request the guard would not let out (its message says why): reported as no answer, never sent."""


def client(timeout: float, connections: int = 10, verify: bool = True,
           guard: Callable[[str], str | None] | None = None) -> httpx.Client:
    """A bounded client that names itself as belvo-check's probe.

    `guard(url)` judges every request before it leaves, the first hop and any redirect hop alike
    (httpx runs request hooks on each), so no hop reaches a host the first one could not.
    """
    http = bounded_http.client(timeout, USER_AGENT, connections=connections, verify=verify)
    if guard is not None:
        def judge(request: httpx.Request) -> None:
            why = guard(str(request.url))
            if why:
                raise NotSent(why, request=request)
        http.event_hooks = {**http.event_hooks, "request": [*http.event_hooks["request"], judge]}
    return http


def deliver(http: httpx.Client, url: str, probe: Payload, authorization: str | None,
            since: float | None = None) -> Response:
    headers = {"Content-Type": "application/json", **probe.extra_headers}
    if authorization:
        headers["Authorization"] = authorization
    return request(http, "POST", url, since=since, json=probe.body, headers=headers)


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
            # try once more, within the same deadline, and say so in the evidence.
            answer = deliver(http, url, probes[index], authorization, since=started)
            answer.reconnected = True
        results[index] = answer

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(probes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r or Response(None, 0.0, error="not sent") for r in results]


def latency_summary(responses: list[Response]) -> str:
    latencies = [r.latency_ms for r in responses]
    if not latencies:
        return "no deliveries"
    return f"p50 {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms"


