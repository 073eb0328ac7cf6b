"""Runs the selected checks concurrently, isolates their crashes, and orders the results."""

from __future__ import annotations

import os
import threading
import time
import traceback
from concurrent.futures import Future, TimeoutError
from dataclasses import replace
from datetime import date
from typing import Callable, Iterable

from belvo_check.agreement import behaviour_only, meet
from belvo_check.evidence import START_EXAMPLE, STATIC, Context, EvidenceUnavailable, not_static
from belvo_check.model import CheckResult, Evidence, Finding, Status, skipped
from belvo_check.registry import Check, CheckContext, CheckMeta
from belvo_check.source.verdict import SourceVerdict, judge

OnResult = Callable[[Check, CheckResult], None]


def run_checks(checks: list[Check], ctx: Context, on_result: OnResult | None = None,
               today: date | None = None) -> list[CheckResult]:
    """Run every check; return one result per check, in check-id order."""
    slots = threading.BoundedSemaphore(max(1, ctx.options.workers))
    futures: dict[str, Future] = {}

    def work(check: Check, future: Future) -> None:
        with slots:
            result = _run_one(check, ctx)
        future.set_result(result)
        if on_result:
            on_result(check, result)

    for check in checks:
        future: Future = Future()
        futures[check.meta.id] = future
        # Daemon threads: a check that never returns is reported as an error, and cannot
        # keep the process alive after the report is written.
        threading.Thread(target=work, args=(check, future), daemon=True, name=check.meta.id).start()

    results = []
    deadline = time.monotonic() + ctx.options.check_timeout
    for check in checks:
        future = futures[check.meta.id]
        try:
            results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
        except TimeoutError:
            result = CheckResult(check.meta.id, Status.ERROR, [Finding(
                Status.ERROR, f"check did not finish within {ctx.options.check_timeout:.0f}s",
                check_id=check.meta.id)])
            results.append(result)
            if on_result:
                on_result(check, result)
    return sorted(results, key=lambda r: r.check_id)


def _run_one(check: Check, ctx: Context) -> CheckResult:
    meta = check.meta
    started = time.monotonic()
    findings, tb = _observe(check, ctx) if meta.behaviour else ([], None)
    judged = behaviour_only(meta.behaviour, findings)
    not_run: list[Finding] = []
    if meta.source is not None:
        verdict = _source_verdict(meta, ctx)
        met = meet(meta.behaviour, findings, verdict)
        findings, decided = met.findings, met.decided_by
        not_run = met.not_run
        judged += ("source",) if verdict.status is not Status.SKIP else ()
    else:
        decided = judged
    if not findings:
        findings = [Finding(Status.ERROR, "the check returned no finding")]
    findings = [_finalise(f, check, ctx) for f in findings]
    status = max((f.status for f in findings), key=lambda s: s.rank)
    return CheckResult(meta.id, status, findings, time.monotonic() - started, ctx.redact(tb), decided, judged,
                       [_finalise(f, check, ctx) for f in not_run])


def _observe(check: Check, ctx: Context) -> tuple[list[Finding], str | None]:
    """What the check's own function found from config, probes, harness or live evidence (or its skip)."""
    meta = check.meta
    if Evidence.LIVE in meta.evidence and not ctx.options.live:
        return [skipped("needs a read-only call to the real Belvo API", enable="run with --live")], None
    try:
        if ctx.options.static_only and not set(meta.behaviour) & STATIC:
            raise not_static(meta.behaviour[0])  # before _require: a static run asks for no receiver or flow
        _require(meta, ctx)
        findings = _as_list(check.func(CheckContext(meta, ctx)))
        return findings or [Finding(Status.ERROR, "the check returned no finding")], None
    except EvidenceUnavailable as exc:
        return [skipped(exc.message, enable=exc.enable)], None
    except Exception as exc:  # a broken check is reported, never a crash of the run
        return [Finding(Status.ERROR, f"the check crashed: {type(exc).__name__}: {exc}")], traceback.format_exc()


def _source_verdict(meta: CheckMeta, ctx: Context) -> SourceVerdict:
    try:
        scan = ctx.evidence(Evidence.SOURCE)
    except EvidenceUnavailable as exc:
        return SourceVerdict([skipped(exc.message, enable=exc.enable)])
    return judge(meta.source, scan, meta.id, shown_root(scan.root), behaviour=bool(meta.behaviour))


def shown_root(root: str) -> str:
    """The scanned root as a report names it: relative to the working directory (the repository in CI)."""
    relative = os.path.relpath(root)
    return root if relative.startswith("..") else ("" if relative == "." else relative)


def _require(meta: CheckMeta, ctx: Context) -> None:
    """Skip (EvidenceUnavailable naming the config line) when what the check declared it needs is missing."""
    if meta.start:
        integration = ctx.config.integration
        if integration is None or not (integration.start or ctx.loaded.missing_env("integration", "start")):
            raise EvidenceUnavailable("needs the receiver belvo-check starts (integration.start) and its simulator",
                                      enable=f"add to the config: {START_EXAMPLE}")
    if meta.flows or meta.store:
        harness = ctx.evidence(Evidence.HARNESS)
        harness.require_flows(*meta.flows)
        if meta.store:
            harness.require_store()


def _finalise(finding: Finding, check: Check, ctx: Context) -> Finding:
    meta = check.meta
    if finding.status is Status.PASS and not finding.evidence:
        # The contract: a pass without evidence is a bug in the check, not a pass.
        finding = Finding(Status.ERROR, f"the check reported pass without evidence: {finding.message}")
    if finding.status is Status.FAIL and meta.severity is Status.WARN:
        finding = finding.with_status(Status.WARN)
    if finding.status in (Status.FAIL, Status.WARN) and not finding.hint:
        finding = replace(finding, hint=meta.hint)
    return replace(finding, check_id=meta.id, message=ctx.redact(finding.message),
                   hint=ctx.redact(finding.hint), evidence=ctx.redact(finding.evidence))


def _as_list(produced: Finding | Iterable[Finding] | None) -> list[Finding]:
    if produced is None:
        return []
    if isinstance(produced, Finding):
        return [produced]
    return list(produced)

