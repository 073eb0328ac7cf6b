"""Replay one harness drill alone and describe what happened (`belvo-check drill NAME`)."""

from __future__ import annotations

from pathlib import Path


def replay(config: Path, name: str) -> str:
    """Run drill `name` against the integration of `config`; the redacted story of what happened."""
    from belvo_check.config import load_config
    from belvo_check.errors import UsageError
    from belvo_check.evidence import Context
    from belvo_check.harness.execute import run_drill
    from belvo_check.harness.integration import Integration
    from belvo_check.harness.outcome import journal_lines
    from belvo_check.harness.drills import DRILLS
    from belvo_check.registry import load_registry

    load_registry()  # a check module may declare drills of its own
    if name not in DRILLS:
        raise UsageError(f"unknown drill {name!r}; one of: {', '.join(DRILLS)}")
    ctx = Context(load_config(config))
    outcome = run_drill(DRILLS[name], Integration(ctx))
    lines = [f"drill {name}: {outcome.drill.does}"]
    lines += [f"  {run.status_line()}" for run in outcome.flows]
    if outcome.problem:
        lines.append(f"  problem: {outcome.problem}")
    lines += ["journal:", journal_lines(outcome.requests(), limit=200), "logs:", outcome.logs.strip()]
    crash = outcome.crash()
    if crash:
        lines.append(f"crash in {crash[0].label}: {crash[1]}\n{crash[2]}")
    return ctx.redact("\n".join(lines))
