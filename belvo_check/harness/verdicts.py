"""Findings every harness check shares: the evidence story of a drill, and the verdicts that come
before any judgment (the drill could not run, the integration crashed or hung).

Every finding says what the simulator did, what the integration did (flow exits, a journal
slice, a log excerpt, a store difference) and one command that reproduces it alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from belvo_check.model import Finding, failed, warned

if TYPE_CHECKING:  # check modules import this one: keep `belvo-check list` free of sqlite, httpx, ...
    from belvo_check.harness.outcome import FlowRun, Outcome
    from belvo_check.registry import CheckContext


def describe(ctx: CheckContext, outcome: Outcome, *, entries=None, needle: str | None = None,
             extra: str | None = None) -> str:
    """The evidence block of a finding; redacted again by the runner, redacted here for safety."""
    from belvo_check.harness.outcome import journal_lines

    parts = [f"simulator (drill {outcome.name}): {outcome.drill.does}",
             "integration: " + "; ".join(f.status_line() for f in outcome.flows)]
    if entries is None:
        entries = outcome.requests()
    parts.append("journal:\n" + journal_lines(entries))
    parts.append("logs:\n  " + outcome.log_excerpt(needle).replace("\n", "\n  "))
    if extra:
        parts.append(extra)
    parts.append(f"reproduce: belvo-check drill {outcome.name} -c {ctx.loaded.path} "
                 f"(this check alone: {ctx.reproduce()})")
    return ctx.redact("\n".join(parts))


def not_run(ctx: CheckContext, outcome: Outcome) -> Finding | None:
    """The drill could not be judged: the harness failed to run it, or its flows did not run."""
    if outcome.problem:
        return warned(f"drill {outcome.name} could not run: {outcome.problem}", evidence=describe(ctx, outcome))
    # Checks declare the flows they need; a drill's flow that only some other check needs (say,
    # delete_link at the end of "plain") must not turn this one into a skip.
    if outcome.missing and not outcome.runs():
        from belvo_check.evidence import EvidenceUnavailable  # check modules import this one: not for `list`

        raise EvidenceUnavailable(f"integration.flows.{outcome.missing[0]} is not configured",
                                  enable=f"add to the config: integration: {{flows: {{{outcome.missing[0]}: <command>}}}}")
    if outcome.runs() and not outcome.requests() and not any(r.result.timed_out for r in outcome.runs()):
        # Nothing reached the simulator, so nothing it did can be judged (and no verdict is earned).
        return warned(f"drill {outcome.name}: the integration's flows ran but never called the simulator",
                      hint="Make the integration read its Belvo URL from the environment and map it to "
                           "{sim_url} in integration.env (e.g. BELVO_API_URL: \"{sim_url}\").",
                      evidence=describe(ctx, outcome))
    return None


def steps(ctx: CheckContext) -> tuple[str, ...] | None:
    """The flows a check's question depends on: those it declares (None: it declares none, so every flow).

    A drill may run more flows than one check needs ("plain" ends with delete_link for the 204
    check): a crash, a hang or a failing exit in a step the question does not depend on must not
    decide it (a crash on delete says nothing about 201s, or about parsing timestamps).
    """
    return ctx.meta.flows or None


def crash_or_hang(ctx: CheckContext, outcome: Outcome) -> Finding | None:
    """A fail when the integration crashed or had to be killed at its timeout, in a step the
    check's question depends on; None otherwise."""
    crash = outcome.crash(steps(ctx))
    if crash:
        run, kind, excerpt = crash
        return failed(f"drill {outcome.name}: {run.label} crashed ({kind}) instead of handling the error",
                      evidence=describe(ctx, outcome, extra="crash:\n  " + excerpt.replace("\n", "\n  ")))
    hung = outcome.timed_out(steps(ctx))
    if hung:
        run = hung[0]
        budget = f"the flow budget, integration.timeout ({run.result.duration:.0f}s)"
        waiting = [e for e in outcome.requests(during=run) if e.status is None]
        if waiting:
            # The call was still open when the flow was killed: its client either has no timeout
            # or one longer than the budget, and the two look the same from outside.
            why = (f"it was still waiting on {waiting[-1].method} {waiting[-1].path}, which the simulator held "
                   f"open: the client has no timeout, or one longer than {budget}")
        else:
            why = f"belvo-check killed it at {budget}"
        return failed(f"drill {outcome.name}: {run.label} never finished; {why}",
                      hint="Set a client timeout on every Belvo call, shorter than integration.timeout.",
                      evidence=describe(ctx, outcome))
    return None


def before_judging(ctx: CheckContext, outcome: Outcome) -> Finding | None:
    """The finding that settles a drill before any judgment (not run, crashed, hung), or None."""
    return not_run(ctx, outcome) or crash_or_hang(ctx, outcome)


def echo_only(outcome: Outcome, needle: str) -> bool:
    """Every log line holding `needle` is a dump of Belvo's error body (it carries Belvo's own message)."""
    from belvo_check.sim.errors import MESSAGES

    lines = [line for line in outcome.logs.splitlines() if needle in line]
    return bool(lines) and all(any(m in line for m in MESSAGES.values()) for line in lines)


def taken_for_success(outcome: Outcome, entries) -> FlowRun | None:
    """The flow run that got these error answers and still exited 0 (belvo-python's POST helpers
    return Belvo's error array as data by default: docs/belvo-api.md, "What the checks rely on")."""
    for run in outcome.runs():
        if run.result.exit_code == 0 and any(run.started <= e.time <= run.ended for e in entries):
            return run
    return None
