"""Replay one harness scenario alone and describe what happened (for a `belvo-check scenario NAME` command)."""

from __future__ import annotations

from pathlib import Path


def replay(config: Path, name: str) -> str:
    """Run scenario `name` against the integration of `config`; the redacted story of what happened."""
    from belvo_check.config import load_config
    from belvo_check.errors import UsageError
    from belvo_check.evidence import Context
    from belvo_check.harness.execute import run_scenario
    from belvo_check.harness.integration import Integration
    from belvo_check.harness.outcome import journal_lines
    from belvo_check.harness.scenarios import SCENARIOS

    if name not in SCENARIOS:
        raise UsageError(f"unknown scenario {name!r}; one of: {', '.join(SCENARIOS)}")
    ctx = Context(load_config(config))
    outcome = run_scenario(SCENARIOS[name], Integration(ctx))
    lines = [f"scenario {name}: {outcome.spec.does}"]
    lines += [f"  {run.status_line()}" for run in outcome.flows]
    if outcome.problem:
        lines.append(f"  problem: {outcome.problem}")
    lines += ["journal:", journal_lines(outcome.requests(), limit=200), "logs:", outcome.logs.strip()]
    crash = outcome.crash()
    if crash:
        lines.append(f"crash in {crash[0].label}: {crash[1]}\n{crash[2]}")
    return ctx.redact("\n".join(lines))
