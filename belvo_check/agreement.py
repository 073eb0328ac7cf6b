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

# `belvo-check explain verdicts`; the README's "How verdicts are decided" says the same.
RULES = """\
# How verdicts are decided

**A check** is as bad as its worst finding: `fail` > `warn` > `pass`; `skip` only when nothing else
was found. `warn` means a likely defect, never "not proven". Every pass carries its evidence.

**The evidence level is part of the verdict.** A check that reads the source says what decided
it: `pass (decided by source)`, `(decided by harness and source)`. When the source decides an item
only behaviour fully proves (a `request_id` logged on some path is not the id of every 400 logged),
the check still passes, and says what it went without: `pass (decided by source; harness not run)`.
What would bring that behaviour is said once for the whole run, not under each check.

**Source and behaviour on the same item** (harness, probes, live; the config counts as a declaration):
- both pass: pass, decided by both;
- one fails or warns: the worse verdict stands and names what decided it. When the code outvotes
  what behaviour observed, both are shown with their paths and the verdict names the call path
  that fails: a drill that proved the request_id of a 400 logged on the server flows does not
  outvote a front-end token request elsewhere that throws Belvo's answer away
  (`decided by source at web/token.js:4:7; the harness judged only the paths it ran`). A drill that
  hung is not outvoted by a clean scan either;
- what the source concluded only from silence ("no receiver route found") or doubts about an item
  only behaviour proves yields to what was observed: a receiver that answered the probes refutes
  "no route found";
- only one has evidence: it decides; neither: skip, each saying what would enable it.

**The run's verdict** names the evidence it rests on, e.g. `READY for production on config and
source evidence; behaviour not run`:
- NOT READY (exit 1): a check at or above `--fail-on` (default `fail`) failed, or one errored (exit 3);
- INCOMPLETE (exit 4): nothing blocks, but in a run judging production a check that would block got
  no verdict, because a guard, a missing tool or a missing config line kept its evidence away. The
  report says so once, in its header (`not gathered:`) and in every format, with the exact config
  line or flag that brings it back; accept such a skip in `checks.ignore` with a reason and an owner;
- READY (exit 0): nothing blocks and every check that could block has a verdict, on the evidence
  named. A `--select static` run asks for no behaviour, so it can be READY on source evidence;
  behaviour not run. `--exit-zero` turns 1, 3 and 4 into 0.
"""


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
