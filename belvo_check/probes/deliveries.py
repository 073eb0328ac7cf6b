"""The probe evidence: real deliveries to the integration's receiver, one probe at a time.

A probe's verdict must not depend on which probe ran before it, nor on what else loads the
machine. So probes are serialised (a burst beside the type/code sweep would slow a receiver that
handles deliveries one by one and blame the wrong check); before each, the receiver is drained
(it must answer a plain delivery again, so no probe is judged on an earlier probe's backlog);
and the timing probes run in a phase of their own, while no CPU-bound harness drill runs.
"""

from __future__ import annotations

import threading
import time
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Callable, ClassVar

from belvo_check.evidence import START_EXAMPLE, EvidenceUnavailable
from belvo_check.probes import http, payloads
from belvo_check.probes import store_diff as stores
from belvo_check.probes.payloads import RECURRENT, SINGLE, Payload
from belvo_check.probes.http import Response
from belvo_check.probes.target import Target, resolve

SETTLE_QUIET = 1.0  # a store that has not changed for this long is taken as settled
SETTLE_MAX = 6.0
DUPLICATE_WINDOW = 2.0  # how long a duplicate's effect is awaited at least (handlers work after acking)
NEW_TRANSACTIONS = 5  # made available before the duplicate probe's first delivery (harness receiver only)
DRAIN_MAX = 30.0  # at most this long waiting for a receiver to work off an earlier probe's backlog


@dataclass
class Exchange:
    probe: Payload
    response: Response
    note: str = ""  # told apart from the probe's own label (the duplicate probe sends one payload twice)

    @property
    def label(self) -> str:
        return f"{self.probe.label}: {self.note}" if self.note else self.probe.label


@dataclass
class DuplicateRun:
    first: Response
    second: Response
    probe: Payload
    before: dict | None = None
    after_first: dict | None = None
    after_second: dict | None = None
    store_error: str | None = None
    new_ids: list[str] = field(default_factory=list)  # transactions the simulator made available first
    fetches: tuple[int, int] | None = None  # GETs of the link's transactions after the first, the second


@dataclass
class Reaction:
    """What the integration did after one delivery, seen through the harness (journal, store, logs)."""
    label: str
    response: Response
    seen: list[str] = field(default_factory=list)  # what showed the reaction (journal lines, rows, log lines)


@dataclass
class Probes:
    FETCH_WAIT: ClassVar[float] = 8.0  # seconds to watch the journal for the fetch a webhook should cause
    MARK_WAIT: ClassVar[float] = 5.0  # seconds to watch the store and logs for a re-authentication mark
    SHOWN: ClassVar[int] = 2  # journal lines shown per delivery

    target: Target
    ack_within: float
    burst_size: int
    phases: object = None  # the harness's Phases: timing probes run while no CPU-bound drill does
    _http: object = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cache: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # each delivery, answer included, ends within ack_within + GRACE whatever the receiver does
        self._http = http.client(self.ack_within + http.GRACE, connections=self.burst_size,
                                 guard=self.target.guard)
        self.link_ids = {SINGLE: payloads.probe_link_id(), RECURRENT: payloads.probe_link_id()}

    # -- probes, each run once and remembered ------------------------------------------------

    def documented(self) -> list[Exchange]:
        """Every documented type and code, for a single and a recurrent link, one after another."""
        return self._timed("documented", lambda: self._each(payloads.documented(self.link_ids)))

    def tolerance(self) -> list[Exchange]:
        return self._timed("tolerance", lambda: self._each(payloads.tolerance(self.link_ids[RECURRENT])))

    def authorization(self) -> list[Exchange]:
        """Deliveries a forger would send: no Authorization header, and a wrong one."""
        def run() -> list[Exchange]:
            missing = self._probe("no Authorization header")
            wrong = self._probe("a wrong Authorization value")
            wrong.extra_headers["Authorization"] = f"Bearer belvo-check-wrong-{uuid.uuid4().hex[:12]}"
            return [Exchange(missing, self._send(missing, authorization=None)),
                    Exchange(wrong, self._send(wrong, authorization=None))]
        return self._timed("authorization", run)

    def burst(self) -> list[Exchange]:
        def run() -> list[Exchange]:
            probes = [self._probe(f"burst delivery {i + 1}") for i in range(self.burst_size)]
            answers = http.burst(self._http, self.target.url, probes, self.target.authorization)
            return [Exchange(p, r) for p, r in zip(probes, answers)]
        return self._timed("burst", run)

    def duplicate(self, link_id: str | None = None) -> DuplicateRun:
        """The same webhook_id twice, with the store read back before, between and after.

        With a link the integration knows (harness receiver), the simulator first makes new
        transactions available on it, so a correct receiver's first delivery has an effect to see
        (it fetches and stores them) and the duplicate has none.
        """
        def run() -> DuplicateRun:
            probe = self._probe("TRANSACTIONS new_transactions_available, delivered twice",
                                link_id=link_id or self.link_ids[RECURRENT])
            sim = self.target.receiver.sim if self.target.receiver is not None and link_id else None
            read = self.target.read_store
            outcome = DuplicateRun(first=None, second=None, probe=probe)  # type: ignore[arg-type]

            def observe(previous: dict | None, wait_for_change: bool) -> dict | None:
                nonlocal read
                if read is None:
                    return None
                try:
                    return settle(read, previous, wait_for_change=wait_for_change)
                except Exception as exc:  # a broken read-back is reported, the acks are still judged
                    outcome.store_error, read = f"{type(exc).__name__}: {exc}", None
                    return None

            # settled first: an earlier probe's background work must not count as this one's effect
            self._drain()
            outcome.before = observe(None, wait_for_change=False)
            if sim is not None:
                outcome.new_ids = sim.add_transactions(link_id, NEW_TRANSACTIONS)
                probe.body["data"] = {"new_transactions": len(outcome.new_ids)}
                marks = [len(sim.journal)]
            outcome.first = self._send(probe)
            outcome.after_first = observe(outcome.before, wait_for_change=True)
            if sim is not None:
                _quiet(sim.journal)
                marks.append(len(sim.journal))
            outcome.second = self._send(probe)
            if read or sim is not None:
                time.sleep(DUPLICATE_WINDOW)
            outcome.after_second = observe(outcome.after_first, wait_for_change=False)
            if sim is not None:
                _quiet(sim.journal)
                entries = sim.journal.entries
                outcome.fetches = (len(_fetches(entries[marks[0]:marks[1]], link_id)),
                                   len(_fetches(entries[marks[1]:], link_id)))
            return outcome
        return self._once(f"duplicate:{link_id}", run)

    def known_link(self) -> str | None:
        """A link the integration itself created through its own flow (harness only), or None.

        Webhooks about it reach code paths that a probe id, unknown to the integration, never would.
        """
        receiver = self.target.receiver
        if receiver is None:
            return None
        with self._lock:
            if "known_link" not in self._cache:
                self._cache["known_link"] = receiver.create_link()
            return self._cache["known_link"]

    @contextmanager
    def exclusive(self):
        """Hold off every other probe while a delivery's reaction is watched; yields the send function."""
        with self._lock:
            self._drain()
            yield self._send

    # -- reactions: what the integration does after a delivery (harness receiver only) --------

    def receiver_and_link(self) -> tuple[object, str]:
        """(receiver, link id) for webhooks about a link the integration created itself, or skip."""
        receiver = self.target.receiver
        if receiver is None:
            raise EvidenceUnavailable("needs the receiver belvo-check starts (integration.start) and its simulator",
                                      enable=f"add to the config: {START_EXAMPLE}")
        link = self.known_link()
        if not link:
            raise EvidenceUnavailable("no link could be created (through integration.flows.create_link, or by the "
                                      "simulator with integration.links: simulator), so no "
                                      "webhook can concern a link the integration knows",
                                      enable="add integration.flows.create_link (and check that it succeeds), or "
                                             "integration.links: simulator")
        return receiver, link

    def fetch_after(self, code: str) -> Reaction:
        """Deliver TRANSACTIONS <code> for a known link; watch for GET /api/transactions/?link=<it>."""
        receiver, link = self.receiver_and_link()
        journal = receiver.sim.journal
        probe = payloads.payload("TRANSACTIONS", code, link_id=link)
        with self.exclusive() as send:
            mark = len(journal)
            reaction = Reaction(probe.label, send(probe))
            deadline = time.monotonic() + self.FETCH_WAIT
            while time.monotonic() < deadline and not reaction.seen:
                time.sleep(0.2)
                reaction.seen = _fetches(journal.entries[mark:], link)
            _quiet(journal)  # let the fetch finish before another probe reads the store
            reaction.seen = _fetches(journal.entries[mark:], link)
        if len(reaction.seen) > self.SHOWN:
            reaction.seen[self.SHOWN:] = [f"... and {len(reaction.seen) - self.SHOWN} more pages"]
        return reaction

    def reauth_after(self, code: str, marks: Callable[[object], bool], says: Callable[[str, Payload], bool],
                     redact: Callable[[str], str]) -> Reaction:
        """Deliver LINK <code> for a known link; watch for new store rows that `marks` and new log lines
        about the link that `says` it needs re-authentication."""
        receiver, link = self.receiver_and_link()
        probe = payloads.payload("LINK", code, link_id=link)
        with self.exclusive() as send:
            before_rows = _link_rows(receiver, link)
            before_logs = set(receiver.logs().splitlines())
            reaction = Reaction(probe.label, send(probe))
            deadline = time.monotonic() + self.MARK_WAIT
            while time.monotonic() < deadline and not reaction.seen:
                time.sleep(0.2)
                rows = [row for row in _link_rows(receiver, link) if row not in before_rows and marks(row)]
                reaction.seen = [f"store: {redact(str(row))}" for row in rows]
                reaction.seen += [f"log: {redact(line)[:200]}" for line in _new_lines(receiver.logs(), before_logs)
                                  if link in line and says(line, probe)]
        return reaction

    # -- plumbing ------------------------------------------------------------------------------

    def _probe(self, label: str, link_id: str | None = None) -> Payload:
        return payloads.payload("TRANSACTIONS", "new_transactions_available",
                                 link_id=link_id or self.link_ids[RECURRENT], label=label)

    def _drain(self) -> float:
        """Wait until the receiver answers a plain delivery again (any status), at most DRAIN_MAX.

        A receiver that serves one delivery at a time still works through deliveries an earlier
        probe gave up on; the next probe must not be judged on that backlog. Returns the seconds waited.
        """
        started = time.monotonic()
        if self._cache.get("never answers"):  # waited out once already: the probes will say it does not answer
            return 0.0
        plain = payloads.payload("ACCOUNTS", "historical_update", link_id=self.link_ids[SINGLE], mode=SINGLE,
                                 label="a plain delivery, to see the receiver is free")
        while time.monotonic() - started < DRAIN_MAX:
            answer = self._send(plain)
            if answer.status is not None or (answer.transport and not answer.timed_out):
                break  # it answered (or nothing listens: waiting longer would not help)
        else:
            self._cache["never answers"] = True
        return time.monotonic() - started

    def _timed(self, key: str, run: Callable):
        """Run a probe whose latencies are judged: drained first, and alone on the CPU (no drill running).

        Its phase comes before its turn among the probes, so the other probes go on while it waits.
        """
        def drained():
            self._drain()
            return run()
        with self.phases.timing() if self.phases is not None else nullcontext():
            return self._once(key, drained)

    def _each(self, probes: list[Payload]) -> list[Exchange]:
        return [Exchange(p, self._send(p)) for p in probes]

    def _send(self, probe: Payload, authorization: str | None | object = ...) -> Response:
        auth = self.target.authorization if authorization is ... else authorization
        return http.deliver(self._http, self.target.url, probe, auth)

    def _once(self, key: str, run: Callable):
        with self._lock:
            if key not in self._cache:
                self._cache[key] = run()
            return self._cache[key]

    def close(self) -> None:
        self._http.close()


def settle(read: Callable[[], dict], previous: dict | None, wait_for_change: bool) -> dict:
    """Poll the store until it has been quiet for SETTLE_QUIET (after a first change, if asked)."""
    deadline = time.monotonic() + SETTLE_MAX
    last = read()
    quiet_since = time.monotonic()
    seen_change = stores.changed(previous or {}, last)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = read()
        if stores.changed(last, now):
            last, quiet_since, seen_change = now, time.monotonic(), True
        elif time.monotonic() - quiet_since >= SETTLE_QUIET and (seen_change or not wait_for_change):
            break
    return last


def _fetches(entries, link: str) -> list[str]:
    return [f"GET {entry.path}?{_query(entry.query)} -> {entry.status}" for entry in entries
            if entry.direction == "in" and entry.method == "GET"
            and entry.path.rstrip("/") == "/api/transactions" and _about(entry.query, link)]


def _quiet(journal, quiet: float = 1.0, limit: float = 10.0) -> None:
    """Wait until the simulator has seen no request for `quiet` seconds (at most `limit`)."""
    deadline, seen, since = time.monotonic() + limit, len(journal), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.1)
        if len(journal) != seen:
            seen, since = len(journal), time.monotonic()


def _new_lines(logs: str, before: set[str]) -> list[str]:
    return list(dict.fromkeys(line.strip() for line in logs.splitlines() if line not in before and line.strip()))


def _link_rows(receiver, link: str) -> list:
    rows = receiver.store().get("links", [])
    return [row for row in rows if link in (row.values() if isinstance(row, dict) else row)]


def _about(query: dict, link: str) -> bool:
    return query.get("link") == link or link in str(query.get("link__in", "")).split(",")


def _query(query: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in query.items())


def build(ctx) -> Probes:
    target = resolve(ctx)
    webhooks = ctx.config.webhooks
    try:  # whenever the harness runs drills in this run, the timing probes take turns with them
        phases = ctx.evidence("harness").phases
    except EvidenceUnavailable:
        phases = None
    return Probes(target=target, ack_within=webhooks.ack_within if webhooks else 5.0,
                  burst_size=webhooks.burst if webhooks else 20, phases=phases)
