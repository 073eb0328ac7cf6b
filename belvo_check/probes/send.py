"""`belvo-check webhooks send`: deliver Belvo-shaped webhooks while developing a receiver."""

from __future__ import annotations

import os
import re
import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from belvo_check.probes import acks, http, payloads
from belvo_check.probes.safety import not_local, url_problem

ACK_WITHIN = 5.0  # Belvo's documented limit for a 2xx
GIVE_UP_AFTER = 3  # deliveries timed out in a row: the receiver is not answering, the rest would wait too
VAR_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$|^([A-Za-z_][A-Za-z0-9_]*)$")


class Refused(Exception):
    """A usage error: exit 2 with this message."""


def send_command(url: str, webhook_type: str, code: str | None, auth: str | None, link_id: str | None,
                 duplicate: bool, count: int, live: bool) -> int:
    err = Console(stderr=True, highlight=False)
    try:
        kind_type, kind_code = _kind(webhook_type, code)
        authorization = _authorization(auth)
        _check_url(url, live)
    except Refused as exc:
        err.print(f"error: {exc}", markup=False, soft_wrap=True)
        return 2

    link = link_id or payloads.probe_link_id()
    probes = []
    for _ in range(count):
        probe = payloads.payload(kind_type, kind_code, link_id=link)
        probes += [probe, probe] if duplicate else [probe]

    table = Table(header_style="bold", box=None)
    for column, justify in (("#", "right"), ("webhook_id", "left"), ("type", "left"), ("code", "left"),
                            ("status", "right"), ("latency", "right")):
        table.add_column(column, justify=justify, no_wrap=True)
    table.add_column("note", overflow="fold", min_width=20)
    all_ok, silent, stopped = True, 0, None
    with http.client(ACK_WITHIN + http.GRACE) as client:
        for number, probe in enumerate(probes, 1):
            response = http.deliver(client, url, probe, authorization)
            all_ok &= response.ok
            silent = silent + 1 if response.timed_out else 0
            note = acks.problem(response, ACK_WITHIN) or ""
            status = str(response.status) if response.status is not None else "-"
            table.add_row(str(number), probe.webhook_id[:12] + "…", kind_type, kind_code, status,
                          f"{response.latency_ms:.0f} ms", Text(note),  # the receiver's words: never markup
                          style=None if response.ok else "red")
            if silent == GIVE_UP_AFTER and number < len(probes):
                stopped = (f"stopped: {silent} deliveries in a row timed out; the other {len(probes) - number} "
                           "were not sent")
                break
    # a pipe or CI log gets a fixed, wide enough width so rows stay on one line
    Console(highlight=False, width=None if sys.stdout.isatty() else 140).print(table)
    if stopped:
        err.print(stopped, markup=False, soft_wrap=True)
    return 0 if all_ok else 1


def _kind(webhook_type: str, code: str | None) -> tuple[str, str]:
    kind = payloads.find(webhook_type, code)
    if kind is None:
        asked = f"{webhook_type.upper()} {code}" if code else webhook_type.upper()
        raise Refused(f"unknown webhook type/code {asked!r}; valid: {payloads.valid_pairs()}")
    return kind.type, kind.code


def _authorization(auth: str | None) -> str | None:
    """The value of the variable --auth names; a literal secret is refused and never echoed."""
    if auth is None:
        return None
    match = VAR_REF.match(auth.strip())
    if not match:
        raise Refused("--auth takes an environment variable: ${WEBHOOK_AUTH} or WEBHOOK_AUTH, not a literal "
                      "value (the value given is not shown)")
    name = match.group(1) or match.group(2)
    value = os.environ.get(name)
    if not value:
        shown = name if match.group(1) or name.isupper() else "the variable given"  # might be a pasted secret
        raise Refused(f"--auth: {shown} is not set in the environment")
    return value


def _check_url(url: str, live: bool) -> None:
    problem = url_problem(url)
    if problem:
        raise Refused(f"--url: {problem}")
    risky = not_local(url)
    if risky and not live:
        raise Refused(f"not sending: {risky}. Pass --live to deliver to it anyway "
                      "(probe payloads say external_id=belvo-check-probe).")
    if risky:
        print(f"--live: delivering to {url}", file=sys.stderr)
