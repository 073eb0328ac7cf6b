"""Judging acknowledgements: one rule for every probe (a 2xx within ack_within), one evidence table."""

from __future__ import annotations

from belvo_check.probes.http import Response


def problem(response: Response, ack_within: float) -> str | None:
    """Why this answer is not an acknowledgement Belvo would accept, or None."""
    if response.status is None:
        return response.describe()
    if not response.ok:
        return f"answered {response.describe()}"
    if response.latency_ms > ack_within * 1000:
        return f"answered {response.status} after {response.latency_ms:.0f} ms (> {ack_within:g} s)"
    return None


def table(exchanges, ack_within: float, mark=None) -> str:
    """A plain-text table: status, latency, what was delivered, and a mark on problems.

    `mark(response)` says what is wrong with an answer (default: not a 2xx within ack_within).
    Status and latency come first so the columns stay aligned when a long label wraps.
    """
    mark = mark or (lambda response: problem(response, ack_within))
    lines = ["status  latency  delivery"]
    for exchange in exchanges:
        response = exchange.response
        why = mark(response)
        status = str(response.status) if response.status is not None else "-"
        note = " (reconnected after a reset)" if response.reconnected else ""
        lines.append(f"{status:>6} {response.latency_ms:>6.0f} ms  {exchange.label}{note}"
                     + (f"  <- {why}" if why else ""))
    return "\n".join(lines)


def problems(exchanges, ack_within: float) -> list[str]:
    return [f"{e.label}: {why}" for e in exchanges if (why := problem(e.response, ack_within))]


def margin(exchanges, ack_within: float) -> str:
    """How far the slowest answer was from the limit: the room a receiver has before Belvo retries."""
    slowest = max((e.response.latency_ms for e in exchanges), default=0.0)
    spare = ack_within - slowest / 1000
    side = f"{spare:.2f} s inside" if spare >= 0 else f"{-spare:.2f} s past"
    return f"slowest {slowest:.0f} ms, {side} the {ack_within:g} s limit"
