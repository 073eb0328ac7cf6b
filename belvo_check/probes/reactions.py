"""What the integration does after a webhook, seen through the harness: its simulator's journal,
its store and its logs. Only with the receiver belvo-check started (integration.start)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from belvo_check.evidence import EvidenceUnavailable
from belvo_check.probes import catalogue
from belvo_check.probes.http import Response

FETCH_WAIT = 8.0  # seconds to watch the journal for the fetch a webhook should cause
MARK_WAIT = 5.0
SHOWN = 2  # journal lines shown per delivery  # seconds to watch the store and logs for a re-authentication mark
REAUTH_WORDS = re.compile(r"token_required|invalid|re-?auth|reconnect|update (their|the|your) credentials"
                          r"|credentials", re.I)
START_EXAMPLE = ("integration: {start: 'python -m app serve --port {receiver_port}', "
                 "ready: 'http://127.0.0.1:{receiver_port}/health'}")


@dataclass
class Reaction:
    label: str
    response: Response
    seen: list[str] = field(default_factory=list)  # what showed the reaction (journal lines, rows, log lines)


def require_harness(ctx) -> None:
    """Skip, naming integration.start, before any probe target is resolved."""
    integration = ctx.config.integration
    if integration is None or not (integration.start or ctx.loaded.missing_env("integration", "start")):
        raise EvidenceUnavailable("needs the receiver belvo-check starts (integration.start) and its simulator",
                                  enable=f"add to the config: {START_EXAMPLE}")


def known_link(probes) -> tuple[object, str]:
    """(receiver, link id) for webhooks about a link the integration created itself, or skip."""
    receiver = probes.target.receiver
    if receiver is None:
        raise EvidenceUnavailable("needs the receiver belvo-check starts (integration.start) and its simulator",
                                  enable=f"add to the config: {START_EXAMPLE}")
    link = probes.known_link()
    if not link:
        raise EvidenceUnavailable("no link could be created through integration.flows.create_link, so no "
                                  "webhook can concern a link the integration knows",
                                  enable="add integration.flows.create_link (and check that it succeeds)")
    return receiver, link


def fetch_after(probes, code: str) -> Reaction:
    """Deliver TRANSACTIONS <code> for a known link; watch for GET /api/transactions/?link=<it>."""
    receiver, link = known_link(probes)
    journal = receiver.sim.journal
    probe = catalogue.payload("TRANSACTIONS", code, link_id=link)
    with probes.exclusive() as send:
        mark = len(journal)
        reaction = Reaction(probe.label, send(probe))
        deadline = time.monotonic() + FETCH_WAIT
        while time.monotonic() < deadline and not reaction.seen:
            time.sleep(0.2)
            reaction.seen = _fetches(journal.entries[mark:], link)
        _quiet(journal)  # let the fetch finish before another probe reads the store
        reaction.seen = _fetches(journal.entries[mark:], link)
    if len(reaction.seen) > SHOWN:
        reaction.seen[SHOWN:] = [f"... and {len(reaction.seen) - SHOWN} more pages"]
    return reaction


def reauth_after(probes, code: str, redact) -> Reaction:
    """Deliver LINK <code> for a known link; watch the store and the logs for a re-authentication mark."""
    receiver, link = known_link(probes)
    probe = catalogue.payload("LINK", code, link_id=link)
    with probes.exclusive() as send:
        before_rows = _link_rows(receiver, link)
        before_logs = set(receiver.logs().splitlines())
        reaction = Reaction(probe.label, send(probe))
        deadline = time.monotonic() + MARK_WAIT
        while time.monotonic() < deadline and not reaction.seen:
            time.sleep(0.2)
            rows = [row for row in _link_rows(receiver, link) if row not in before_rows and _marks(row)]
            reaction.seen = [f"store: {redact(str(row))}" for row in rows]
            reaction.seen += [f"log: {redact(line)[:200]}" for line in _new_lines(receiver.logs(), before_logs)
                              if link in line and REAUTH_WORDS.search(line) and not _echoes(line, probe)]
    return reaction


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


def _echoes(line: str, probe) -> bool:
    """A line that only records the delivery (it carries its ids) is not a re-authentication mark."""
    body = probe.body
    return any(value and str(value) in line for value in (body.get("webhook_id"), body.get("request_id")))


def _link_rows(receiver, link: str) -> list:
    rows = receiver.store().get("links", [])
    return [row for row in rows if link in (row.values() if isinstance(row, dict) else row)]


def _marks(row) -> bool:
    values = row.values() if isinstance(row, dict) else row
    return any(isinstance(v, str) and REAUTH_WORDS.search(v) for v in values)


def _about(query: dict, link: str) -> bool:
    return query.get("link") == link or link in str(query.get("link__in", "")).split(",")


def _query(query: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in query.items())
