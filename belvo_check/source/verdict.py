"""What one check concludes from the source findings of the concepts it reads.

A check declares `source=SourceRule(...)`: the concepts that bear on its checklist item, whether
the code alone can prove the item (`proves`), whether every site must be right or one site that
does it is enough (`every_site`), and what finding nothing proves (`absence`, e.g. no literal
secret anywhere). `judge` turns the scan into report findings with `path:line:col`; an ambiguous
finding is a warning, never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from belvo_check.model import Finding, Status, passed, skipped

if TYPE_CHECKING:  # every check module imports this one: `belvo-check list` must not pay for the source layer
    from belvo_check.source.finding import SourceFinding

SHOWN = 25  # located findings listed per status; the rest are counted in one more finding


@dataclass(frozen=True)
class SourceRule:
    """The source concepts a check reads, and what they can prove about its item."""

    concepts: tuple[str, ...]
    # The code can prove the item by itself (a timeout on every call). False: the code shows the
    # intent, but only behaviour proves it (a request_id logged on some path is not every 400 logged):
    # a source-only pass is still a pass, decided by source, and the report names the behaviour
    # that would prove it (belvo_check.agreement).
    proves: bool = True
    # Every site must be right (each Belvo call has a timeout). False: one site doing it settles it
    # (institution_user_id kept somewhere), and ambiguous sites beside it do not count.
    every_site: bool = True
    # What a scan that finds nothing proves, e.g. "no literal Belvo secret in {files} files"; None: nothing.
    absence: str | None = None
    # False: what the code shows only locates the item (a webhook route says where deliveries arrive,
    # not that each is acknowledged in time): a site found is named in a skip, never a pass, while
    # faults the code does show still count.
    passes: bool = True
    # A concept whose `ok` findings a pass needs besides (e.g. the keys of a Belvo call traced to the
    # environment: finding no literal secret proves nothing while no call's keys were traced); its
    # `ambiguous` findings say what could not be traced. None: a pass needs nothing more.
    grounds: str | None = None


def source(*concepts: str, proves: bool = True, every_site: bool = True, absence: str | None = None,
           passes: bool = True, grounds: str | None = None) -> SourceRule:
    """The source evidence a check reads: `@check(..., source=source("timeout"))`."""
    return SourceRule(tuple(concepts), proves, every_site, absence, passes, grounds)


@dataclass
class SourceVerdict:
    """What the source says about one check: its findings, and how far they can be trusted."""

    findings: list[Finding] = field(default_factory=list)
    weak: bool = False  # its pass is one the code alone cannot prove (SourceRule.proves is False)
    # Findings that behaviour, once observed, outranks: conclusions drawn from what the code does not
    # show (no receiver route found, no log call naming request_id), and doubts about an item only
    # behaviour can prove. A receiver that answers the probes refutes "no route found".
    soft: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> Status:  # SKIP when the code says nothing about the item
        return max((f.status for f in self.findings), key=lambda s: s.rank)


def judge(rule: SourceRule, scan, check_id: str, root: str = "", behaviour: bool = False) -> SourceVerdict:
    """The verdict of the source on one check: `scan` is a SourceScan, `root` prefixes finding paths;
    `behaviour`: the check has evidence besides the source."""
    from belvo_check.source.concepts import load

    relevant = [f for f in scan.findings if f.concept in rule.concepts]
    bad = [f for f in relevant if f.verdict == "bad"]
    unsure = [f for f in relevant if f.verdict == "ambiguous"]
    good = [f for f in relevant if f.verdict == "ok"]
    problems = _unreasoned_suppressions(scan, check_id, root)
    if not rule.every_site and good:
        unsure = []  # one site that does it settles the item; the others are not sites that must
    if bad or unsure:
        absent = [f for f in bad + unsure if not f.path]
        doubts = [f for f in unsure if f.path] if not rule.proves else []
        firm = [f for f in bad + unsure if f.path and f not in doubts]
        soft = _located([f for f in absent if f.verdict == "bad"], Status.FAIL, root) + \
            _located([f for f in absent + doubts if f.verdict == "ambiguous"], Status.WARN, root)
        firm_findings = _located([f for f in firm if f.verdict == "bad"], Status.FAIL, root) + \
            _located([f for f in firm if f.verdict == "ambiguous"], Status.WARN, root)
        return SourceVerdict(firm_findings + soft + problems, soft=soft)
    grounds = [f for f in scan.findings if rule.grounds and f.concept == rule.grounds]
    if (good or rule.absence) and grounds and not [f for f in grounds if f.verdict == "ok"]:
        return SourceVerdict([_ungrounded(grounds, root)] + problems)
    if good:
        first = good[0]
        sites = ", ".join(f.where for f in good[:5]) + (f" and {len(good) - 5} more" if len(good) > 5 else "")
        message = (first.message if len(good) == 1 else f"{first.message} ({len(good)} sites)") + _traced(grounds)
        evidence = f"source: {sites}" + (f": {first.snippet}" if first.snippet else "") + _grounds(rule, scan)
        if not rule.passes:
            return SourceVerdict([Finding(Status.SKIP, f"{message}: the code shows where, only behaviour shows "
                                          "whether", evidence=evidence, location=first.location(root))] + problems)
        return SourceVerdict([passed(message, evidence=evidence, location=first.location(root))]
                             + problems, weak=not rule.proves)
    if rule.absence and not scan.signals.get("belvo_code"):
        # Nothing found in a tree with no Belvo code proves nothing: source.root may be the wrong folder.
        return SourceVerdict([skipped(f"no application code under {root or '.'} mentions Belvo ({scan.read} files "
                                      "read), so finding nothing here proves nothing",
                                      enable="point source.root (and source.include) at the code that calls Belvo")]
                             + problems)
    if rule.absence:
        evidence = f"source: {scan.read} files read under {root or '.'}, none with a finding for " + \
                   ", ".join(rule.concepts) + _grounds(rule, scan)
        return SourceVerdict([passed(rule.absence.format(files=scan.read) + _traced(grounds), evidence=evidence)]
                             + problems, weak=not rule.proves)
    missing = [scan.unavailable[c] for c in rule.concepts if c in scan.unavailable]
    if missing and len(missing) == len(rule.concepts):  # e.g. no git history to scan: say why
        return SourceVerdict([skipped(missing[0][0], enable=missing[0][1])] + problems)
    titles = "; ".join(load()[c].title for c in rule.concepts if c in load())
    # Code that calls Belvo and shows nothing about an item behaviour also judges is no wrong root:
    # the behaviour's own skip says what would judge it.
    quiet = skipped(f"the source ({scan.read} files read) shows nothing about this item ({titles})",
                    enable=None if behaviour and scan.signals.get("belvo_code") else
                    "point source.root (and source.include) at the code that calls Belvo")
    return SourceVerdict([quiet] + problems)


def _grounds(rule: SourceRule, scan) -> str:
    """What a pass stands on besides: the sites of the grounds concept, traced and not."""
    found = [f for f in scan.findings if rule.grounds and f.concept == rule.grounds]
    if not found:
        return ""
    traced = [f for f in found if f.verdict == "ok"]
    untraced = [f for f in found if f.verdict != "ok"]
    text = "\n" + _sites("traced", traced)
    return text + ("\n" + _sites("not traced", untraced) if untraced else "")


def _sites(label: str, findings) -> str:
    shown = "; ".join(f"{f.where}: {f.message}" for f in findings[:5])
    return f"{label} ({len(findings)}): {shown}" + (f"; and {len(findings) - 5} more" if len(findings) > 5 else "")


def _traced(grounds) -> str:
    """What a pass stands on, for its message: the Belvo calls whose keys were traced, and to what."""
    traced = [f for f in grounds if f.verdict == "ok"]
    if not traced:
        return ""
    sources = " and ".join(sorted({f.form for f in traced}))
    return f"; the keys of {len(traced)} Belvo call(s) come from {sources} ({', '.join(f.where for f in traced[:3])}" \
           + (", ..." if len(traced) > 3 else "") + ")"


def _ungrounded(untraced, root: str) -> Finding:
    """The warning of a check whose pass would stand on nothing: the Belvo calls whose keys could not be traced."""
    first = untraced[0]
    return Finding(Status.WARN, "the keys of no Belvo call could be traced to the environment or a secret store, so "
                   f"finding no literal secret proves nothing; not traced: {first.where}: {first.message}"
                   + (f" (and {len(untraced) - 1} more)" if len(untraced) > 1 else ""),
                   hint="read the keys from the environment (os.environ, process.env) or a secret store where the "
                        "Belvo client or request is built, so the scan can see where they come from",
                   evidence="source: " + _sites("not traced", untraced), location=first.location(root))


def _located(findings: list[SourceFinding], status: Status, root: str) -> list[Finding]:
    shown = [Finding(status, f.message, evidence=f"source: {f.where}" + (f": {f.snippet}" if f.snippet else ""),
                     location=f.location(root)) for f in findings[:SHOWN]]
    if len(findings) > SHOWN:
        rest = findings[SHOWN:]
        shown.append(Finding(status, f"{len(rest)} more source findings like these",
                             evidence="source: " + ", ".join(f.where for f in rest[:40])))
    return shown


def _unreasoned_suppressions(scan, check_id: str, root: str) -> list[Finding]:
    """An inline suppression of this check that gives no reason does not apply, and says so."""
    return [Finding(Status.WARN, f"{f.message} ({f.where})", evidence=f"source: {f.where}: {f.snippet}",
                    hint="Write why after the brackets: belvo-check: ignore[BLVnnn] reason",
                    location=f.location(root))
            for f in scan.findings if f.concept == "suppression" and check_id in f.snippet]
