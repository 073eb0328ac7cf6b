"""Pieces every harness check shares: evidence text, crash and request_id judgments, retry analysis.

Every finding says what the simulator did, what the integration did (flow exits, a journal
slice, a log excerpt, a store difference) and one command that reproduces it alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from belvo_check.evidence import EvidenceUnavailable
from belvo_check.model import Finding, failed, passed, warned

if TYPE_CHECKING:  # check modules import this one: keep `belvo-check list` free of sqlite, httpx, ...
    from belvo_check.harness.outcome import FlowRun, Outcome

MAX_RETRIES = 5  # Belvo's retry policy for 5xx (and too_many_sessions)


def harness(ctx, *flows: str, store: bool = False):
    """The harness, after skipping (naming the key) if a flow or the store the check needs is missing."""
    h = ctx.evidence("harness")
    h.require_flows(*flows)
    if store:
        h.require_store()
    return h


def reproduce(ctx, check_id: str) -> str:
    return f"belvo-check run -c {ctx.loaded.path} --select {check_id} -v"


def describe(ctx, check_id: str, outcome: Outcome, *, entries=None, needle: str | None = None,
             extra: str | None = None) -> str:
    """The evidence block of a finding; redacted again by the runner, redacted here for safety."""
    from belvo_check.harness.outcome import journal_lines

    parts = [f"simulator (scenario {outcome.name}): {outcome.spec.does}",
             "integration: " + "; ".join(f.status_line() for f in outcome.flows)]
    if entries is None:
        entries = outcome.requests()
    parts.append("journal:\n" + journal_lines(entries))
    parts.append("logs:\n  " + outcome.log_excerpt(needle).replace("\n", "\n  "))
    if extra:
        parts.append(extra)
    parts.append(f"reproduce: {reproduce(ctx, check_id)}")
    return ctx.redact("\n".join(parts))


def not_run(ctx, check_id: str, outcome: Outcome) -> Finding | None:
    """The scenario could not be judged: the harness failed to run it, or its flows did not run."""
    if outcome.problem:
        return warned(f"scenario {outcome.name} could not run: {outcome.problem}",
                      evidence=describe(ctx, check_id, outcome))
    # Checks declare the flows they need (judge.harness); a scenario flow that only some other
    # check needs (say, delete_link at the end of "plain") must not turn this one into a skip.
    if outcome.missing and not outcome.runs():
        raise EvidenceUnavailable(f"integration.flows.{outcome.missing[0]} is not configured",
                                  enable=f"add to the config: integration: {{flows: {{{outcome.missing[0]}: <command>}}}}")
    if outcome.runs() and not outcome.requests() and not any(r.result.timed_out for r in outcome.runs()):
        # Nothing reached the simulator, so nothing it did can be judged (and no verdict is earned).
        return warned(f"scenario {outcome.name}: the integration's flows ran but never called the simulator",
                      hint="Make the integration read its Belvo URL from the environment and map it to "
                           "{sim_url} in integration.env (e.g. BELVO_API_URL: \"{sim_url}\").",
                      evidence=describe(ctx, check_id, outcome))
    return None


def crash_or_hang(ctx, check_id: str, outcome: Outcome) -> Finding | None:
    """A fail when the integration crashed or had to be killed at its timeout; None otherwise."""
    crash = outcome.crash()
    if crash:
        run, kind, excerpt = crash
        return failed(f"scenario {outcome.name}: {run.label} crashed ({kind}) instead of handling the error",
                      evidence=describe(ctx, check_id, outcome, extra="crash:\n  " + excerpt.replace("\n", "\n  ")))
    hung = outcome.timed_out()
    if hung:
        return failed(f"scenario {outcome.name}: {hung[0].label} never finished; belvo-check killed it at "
                      f"integration.timeout ({hung[0].result.duration:.0f}s)",
                      evidence=describe(ctx, check_id, outcome))
    return None


def request_id_logged(ctx, check_id: str, outcome: Outcome, rule: str | None, what: str) -> Finding:
    """Pass when the logs hold a request_id the simulator minted for the faulted calls."""
    early = not_run(ctx, check_id, outcome) or crash_or_hang(ctx, check_id, outcome)
    if early:
        return early
    faulted = [e for e in outcome.requests(rule=rule) if e.request_id] if rule else \
        [e for e in outcome.requests() if e.request_id and e.status and e.status >= 400]
    if not faulted:
        return warned(f"scenario {outcome.name}: the integration never made a call that got the {what}, so "
                      "its handling cannot be judged", evidence=describe(ctx, check_id, outcome))
    minted = [e.request_id for e in faulted]
    logged = [rid for rid in minted if outcome.logged(rid)]
    entries = outcome.requests()
    if logged and taken_for_success(outcome, faulted) and all(echo_only(outcome, rid) for rid in logged):
        # Before: a pass. belvo-python's POST helpers return the error array as data by default, so
        # `log.info("link created: %s", link)` logs the request_id of an error the code took for success.
        return warned(f"scenario {outcome.name}: the request_id of the {what} appears only inside a dump of "
                      "Belvo's error body, and the flow exited 0 as if it had succeeded: whether the error was "
                      "handled or taken for data cannot be told",
                      evidence=describe(ctx, check_id, outcome, entries=outcome.requests(), needle=logged[-1]))
    if logged:
        return passed(f"the request_id of the {what} is logged ({len(logged)} of {len(minted)} minted ids found)",
                      evidence=describe(ctx, check_id, outcome, entries=entries, needle=logged[-1]))
    return failed(f"scenario {outcome.name}: none of the {len(minted)} request_id(s) minted for the {what} "
                  f"appears in the logs ({', '.join(minted[:3])}{'...' if len(minted) > 3 else ''})",
                  evidence=describe(ctx, check_id, outcome, entries=entries))


def echo_only(outcome: Outcome, needle: str) -> bool:
    """Every log line holding `needle` is a dump of Belvo's error body (it carries Belvo's own message)."""
    from belvo_check.sim.errors import MESSAGES

    lines = [line for line in outcome.logs.splitlines() if needle in line]
    return bool(lines) and all(any(m in line for m in MESSAGES.values()) for line in lines)


def strip_echo(text: str) -> str:
    """The text without Belvo's own error messages and quoted codes: what the integration said itself."""
    import re

    from belvo_check.sim.errors import MESSAGES

    for message in MESSAGES.values():
        text = text.replace(message, " ")
    return re.sub(r"""["'](?:code|[a-z_]+)["']\s*:\s*["'][a-z_]+["']""", " ", text)


def taken_for_success(outcome: Outcome, entries) -> FlowRun | None:
    """The flow run that got these error answers and still exited 0."""
    for run in outcome.runs():
        if run.result.exit_code == 0 and any(run.started <= e.time <= run.ended for e in entries):
            return run
    return None


@dataclass
class Attempts:
    """The calls to one endpoint that got the scenario's fault, in order: the first, then retries."""
    method: str
    path: str
    entries: list

    @property
    def retries(self) -> int:
        return len(self.entries) - 1

    def gaps(self) -> list[float]:
        """Seconds between the end of one attempt and the start of the next."""
        return [b.time - (a.time + a.duration) for a, b in zip(self.entries, self.entries[1:])]


def attempts(outcome: Outcome, rule: str) -> list[Attempts]:
    """Faulted calls grouped by endpoint, per flow run (a second sync is not a retry)."""
    groups: dict[tuple, Attempts] = {}
    for run in outcome.runs():
        for e in outcome.requests(during=run):
            if rule in e.rules:
                key = (run.step, e.method, e.path)
                groups.setdefault(key, Attempts(e.method, e.path, [])).entries.append(e)
    return list(groups.values())


def duplicates(ids: list[str]) -> dict[str, int]:
    """Ids seen more than once, with their count."""
    from collections import Counter

    return {k: n for k, n in Counter(ids).items() if n > 1}


def growing(gaps: list[float]) -> bool:
    """Backoff: each wait at least as long as the one before (10% or 50 ms of jitter allowed) and,
    over two or more waits, the last at least 1.5 times the first.

    The second condition is why a fixed sleep between retries (0.3 s, 0.3 s, 0.3 s) no longer
    passes as "exponential backoff": each wait is "at least as long as the one before" within
    jitter, yet nothing grows. One wait alone cannot show growth and is judged by its length only.
    """
    steady = all(b >= a * 0.9 - 0.05 for a, b in zip(gaps, gaps[1:]))
    return steady and (len(gaps) < 2 or gaps[-1] >= gaps[0] * 1.5)
