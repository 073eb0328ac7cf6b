"""Where the source's verdict on an item meets the verdict of behaviour (config, probes, harness).

One check, one checklist item, every kind of evidence on it:
- both have evidence: the check passes only when both pass; otherwise the worse verdict stands,
  and the result names the evidence that decided it. What the source only concluded from silence
  ("no receiver route found") or doubts about an item only behaviour proves does not count against
  behaviour that was observed: the probes answered by the receiver outrank "no route found";
- only one has evidence: that one decides, except that a pass the code alone cannot prove (a
  `request_id` logged on some path is not the id of every 400 logged) is a warning that names what
  would prove it;
- neither: skip, with what would enable each.
"""

from __future__ import annotations

from dataclasses import dataclass

from belvo_check.model import Evidence, Finding, Status, warned
from belvo_check.source.verdict import SourceVerdict


OBSERVED = (Evidence.HARNESS, Evidence.PROBE, Evidence.LIVE)


@dataclass(frozen=True)
class Met:
    findings: list[Finding]
    decided_by: tuple[str, ...]  # the evidence kinds whose verdict is the check's status


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
    code = source.status
    if not behaviour or seen is Status.SKIP:
        findings = source.findings
        if code is Status.PASS and source.weak:
            skip = next((f for f in observed if f.status is Status.SKIP), None)
            what = f" ({skip.message})" if skip else ""
            findings = [warned(f"the code shows it, but only behaviour can prove it{what}: {f.message}",
                               evidence=f.evidence, location=f.location, hint=skip.hint if skip else None)
                        if f.status is Status.PASS else f for f in findings]
        return Met(findings, ("source",))  # the skip of behaviour is named by the weak pass's warning
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
