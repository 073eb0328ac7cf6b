"""Where the source's verdict on an item meets the verdict of behaviour (config, probes, harness).

One check, one checklist item, every kind of evidence on it:
- both have evidence: the check passes only when both pass; otherwise the worse verdict stands,
  and the result names the evidence that decided it. What the source only concluded from silence
  ("no receiver route found") or doubts about an item only behaviour proves does not count against
  behaviour that was observed: the probes answered by the receiver outrank "no route found";
- only one has evidence: that one decides, and the verdict names it (`pass (decided by source)`).
  The evidence level is a property of the verdict, never a downgrade of it: a source pass of an item
  only behaviour fully proves (a `request_id` logged on some path is not the id of every 400 logged)
  stays a pass, and the behaviour that would have proved it is kept as `not_run`, which the report
  names once for every check it concerns;
- neither: skip, with what would enable each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from belvo_check.model import Evidence, Finding, Status
from belvo_check.source.verdict import SourceVerdict


OBSERVED = (Evidence.HARNESS, Evidence.PROBE, Evidence.LIVE)


@dataclass(frozen=True)
class Met:
    findings: list[Finding]
    decided_by: tuple[str, ...]  # the evidence kinds whose verdict is the check's status
    not_run: list[Finding] = field(default_factory=list)  # the skips of behaviour that would add proof


def worst(findings: list[Finding]) -> Status:
    return max((f.status for f in findings), key=lambda s: s.rank) if findings else Status.SKIP


def behaviour_only(behaviour: tuple[Evidence, ...], findings: list[Finding]) -> tuple[str, ...]:
    """What decided a check that reads no source: its own evidence, once it has a verdict."""
    return tuple(kind.value for kind in behaviour) if worst(findings) not in (Status.SKIP, Status.ERROR) else ()


def meet(behaviour: tuple[Evidence, ...], observed: list[Finding], source: SourceVerdict) -> Met:
    """`observed`: what the check's function found, or its skip; `source`: the source's verdict, or its skip."""
    kinds = tuple(kind.value for kind in behaviour)
    seen = worst(observed)
    if source.status is Status.SKIP:
        # Both silent: each says what would enable it. Behaviour decided: the source adds nothing.
        return Met(observed + (source.findings if seen is Status.SKIP else []), behaviour_only(behaviour, observed))
    if not behaviour or seen is Status.SKIP:
        # The source decides. Where behaviour would add proof (an item only behaviour fully proves,
        # or a finding drawn from silence it could refute), what would have given it is kept aside:
        # never a warning, which means a likely defect.
        unproven = [f for f in observed if f.status is Status.SKIP] if source.weak or source.soft else []
        return Met(source.findings, ("source",), unproven)
    if seen is Status.ERROR:
        return Met(observed + source.findings, ())
    # What was observed (harness, probes, live) outranks what the source only concluded from silence
    # or doubts; the config is a declaration, not an observation, so against it every finding counts.
    observed_directly = any(kind in OBSERVED for kind in behaviour)
    counted = [f for f in source.findings if not (observed_directly and any(f is soft for soft in source.soft))]
    if not counted:
        return Met(observed, behaviour_only(behaviour, observed))
    code = worst(counted)
    final = worst([*observed, *counted])
    decided = (kinds if seen is final else ()) + (("source",) if code is final else ())
    return Met(observed + counted, decided)
