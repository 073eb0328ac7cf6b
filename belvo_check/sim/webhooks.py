"""Outgoing Belvo-shaped webhooks, delivered by one background worker."""
from __future__ import annotations

import queue
import random
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .ids import as_uuid, hex32
from .journal import Journal, JournalEntry

USER_AGENT = "belvo-check-simulator"

if TYPE_CHECKING:
    import httpx  # imported when a webhook is first sent: `belvo-check sim` starts faster without it


@dataclass
class Delivery:
    status: int | None
    latency: float
    error: str | None
    payload: dict


class WebhookSender:
    def __init__(self, seed: int, journal: Journal, url: str | None, authorization: str | None,
                 duplicates: bool = False, out_of_order: bool = False, timeout: float = 5.0):
        self.seed, self.journal = seed, journal
        self.url, self.authorization, self.timeout = url, authorization, timeout
        self.duplicates, self.out_of_order = duplicates, out_of_order
        self._count = 0
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._rng = random.Random(f"{seed}:webhooks")
        self._pending = 0
        self._idle = threading.Condition()
        self._worker: threading.Thread | None = None

    def payload(self, webhook_type: str, webhook_code: str, link_id: str | None = None, request_id: str | None = None,
                external_id: str | None = None, data: dict | None = None, process_type: str = "historical_update",
                **extra) -> dict:
        with self._lock:
            self._count += 1
            n = self._count
        body = {"webhook_id": hex32(self.seed, "webhook", n), "webhook_type": webhook_type,
                "webhook_code": webhook_code, "process_type": process_type, "link_id": link_id,
                "request_id": request_id or as_uuid(hex32(self.seed, "webhook-request", n)),
                "external_id": external_id, "data": data if data is not None else {}}
        body.update(extra)
        return body

    # ---- background: what the simulator fires by itself
    def enqueue(self, payloads: list[dict]) -> None:
        """Queue deliveries; the scenario may duplicate them or shuffle their order."""
        if not self.url or not payloads:
            return
        batch = list(payloads)
        if self.duplicates:
            batch = [p for p in batch for _ in (0, 1)]
        if self.out_of_order and len(batch) > 1:
            self._rng.shuffle(batch)
            if batch == sorted(batch, key=payloads.index):
                batch.reverse()
        with self._idle:
            self._pending += len(batch)
        self._ensure_worker()
        for p in batch:
            self._queue.put(p)

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._run, name="belvo-sim-webhooks", daemon=True)
            self._worker.start()

    def _run(self) -> None:
        with self._client() as client:
            while True:
                payload = self._queue.get()
                if payload is None:
                    return
                try:
                    self.deliver(payload, client=client)
                finally:
                    with self._idle:
                        self._pending -= 1
                        self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery was attempted."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        if self._worker and self._worker.is_alive():
            self._queue.put(None)
            self._worker.join(timeout=self.timeout + 1)

    def _client(self) -> httpx.Client:
        from belvo_check import bounded_http

        return bounded_http.client(self.timeout, USER_AGENT)

    # ---- one delivery, journaled as direction "out"
    def deliver(self, payload: dict, url: str | None = None, authorization: str | None = None,
                client: httpx.Client | None = None) -> Delivery:
        import httpx

        from belvo_check import bounded_http

        url = url or self.url
        if not url:
            raise ValueError("no webhook URL configured: pass url= or start the simulator with webhook_url")
        auth = authorization if authorization is not None else self.authorization
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = auth
        started = time.monotonic()
        # The receiver may drip its answer or never send one: the whole exchange has one deadline.
        with (nullcontext(client) if client is not None else self._client()) as http:
            answer = bounded_http.request(http, "POST", url, json=payload, headers=headers)
        status, error = answer.status, answer.error
        latency = time.monotonic() - started
        self.journal.add(JournalEntry(
            seq=0, time=started, direction="out", method="POST", path=httpx.URL(url).path, status=status,
            duration=latency, error=error, url=url, request_id=payload.get("request_id"),
            body={k: payload.get(k) for k in ("webhook_id", "webhook_type", "webhook_code", "link_id")}))
        return Delivery(status=status, latency=latency, error=error, payload=payload)
