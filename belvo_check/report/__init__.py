"""A finished run, and the renderers that turn it into a terminal report or a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

from belvo_check.model import CheckResult, Finding, Status
from belvo_check.registry import CheckMeta

if TYPE_CHECKING:
    from belvo_check.report.gate import Applied
    from belvo_check.report.provenance import Provenance

EXIT_READY, EXIT_NOT_READY, EXIT_USAGE, EXIT_CHECK_ERROR, EXIT_INCOMPLETE = 0, 1, 2, 3, 4


class Verdict(Enum):
    """What the run says about going live. INCOMPLETE: nothing blocks, but a check that would block
    was not verified (skipped for lack of evidence) in a run that judges production, so READY would
    claim more than was shown."""

    READY = ("ready", "READY", EXIT_READY)
    INCOMPLETE = ("incomplete", "INCOMPLETE", EXIT_INCOMPLETE)
    NOT_READY = ("not_ready", "NOT READY", EXIT_NOT_READY)

    def __init__(self, key: str, word: str, exit_code: int) -> None:
        self.key, self.word, self.exit_code = key, word, exit_code


@dataclass
class Report:
    results: list[tuple[CheckMeta, CheckResult]]
    tool_version: str
    config_path: str
    config_sha256: str
    environment: str
    started_at: datetime
    finished_at: datetime
    fail_on: Status = Status.FAIL  # the mildest status that blocks: fail, warn or skip
    applied: dict[tuple[str, str], "Applied"] = field(default_factory=dict)  # suppressions, by (id, fingerprint)
    notes: list[str] = field(default_factory=list)  # unused or expired suppressions, a stale baseline
    provenance: "Provenance | None" = None
    advisory: frozenset[str] = frozenset()  # ids whose violation is a warning (their severity, or the config's)

    def count(self, status: Status) -> int:
        return sum(1 for _, r in self.results if r.status is status)

    @property
    def counts(self) -> dict[str, int]:
        return {s.value: self.count(s) for s in Status}

    def blocks(self, status: Status) -> bool:
        """Whether a check with this status makes the run NOT READY. An ignored one never does."""
        if status in (Status.FAIL, Status.ERROR):
            return True
        if status is Status.WARN:
            return self.fail_on in (Status.WARN, Status.SKIP)
        if status is Status.SKIP:
            return self.fail_on is Status.SKIP
        return False

    @property
    def ready(self) -> bool:
        return self.verdict is Verdict.READY

    @property
    def unverified(self) -> list[CheckMeta]:
        """Checks that would block had they failed, skipped for lack of evidence in a production run
        (a skip the config accepts, with a reason, in checks.ignore is `ignored`, not here). A check a
        `--select static` run leaves to behaviour was not asked for: the verdict says behaviour was not run."""
        if self.environment != "production":
            return []
        return [meta for meta, result in self.results if result.status is Status.SKIP and meta.id not in self.advisory
                and not _left_to_behaviour(result)]

    @property
    def verified(self) -> int:
        """Checks that earned a verdict from evidence (pass, warn or fail)."""
        return sum(self.count(s) for s in (Status.PASS, Status.WARN, Status.FAIL))

    @property
    def verdict(self) -> Verdict:
        if any(self.blocks(r.status) for _, r in self.results):
            return Verdict.NOT_READY
        return Verdict.INCOMPLETE if self.unverified else Verdict.READY

    @property
    def exit_code(self) -> int:
        if self.count(Status.ERROR):
            return EXIT_CHECK_ERROR
        return self.verdict.exit_code

    def applied_to(self, check_id: str, finding: Finding) -> "Applied | None":
        """The suppression (applied or expired) or baseline entry behind a finding, if any."""
        if not self.applied:
            return None
        from belvo_check.report.findings import fingerprint

        return self.applied.get((check_id, fingerprint(check_id, finding)))


def headline(meta: CheckMeta, status: Status) -> str:
    """A check reads as what it found: its title when fine, its failure title when not."""
    return meta.failure_title if status in (Status.FAIL, Status.WARN, Status.IGNORED) else meta.title


def evidence_level(meta: CheckMeta, result: CheckResult) -> str:
    """What decided a check that reads the source, and the evidence it went without: 'decided by
    source; harness not run', or, where the code outvotes what behaviour observed, the call path
    that fails ("" for checks that read no source, or that no evidence decided)."""
    if meta.source is None or not result.decided_by:
        return ""
    text = f"decided by {' and '.join(result.decided_by)}"
    outvoted = [kind.value for kind in meta.behaviour
                if kind.value in result.judged_on and kind.value not in result.decided_by]
    if outvoted and result.status in (Status.FAIL, Status.WARN):
        at = next((f.location for f in result.findings if f.status is result.status and f.location), None)
        return text + (f" at {at}" if at else "") + f"; the {' and '.join(outvoted)} judged only the paths it ran"
    missing = [kind.value for kind in meta.behaviour if kind.value not in result.judged_on] if result.not_run else []
    return text + (f"; {' and '.join(missing)} not run" if missing else "")


def _left_to_behaviour(result: CheckResult) -> bool:
    """Skipped only because the run's own scope (`--select static`) gathers no behaviour, which the
    verdict names: not a guard, a missing tool or a missing config line."""
    from belvo_check.evidence import STATIC_ENABLE

    static = f"to enable: {STATIC_ENABLE}"
    hints = {f.hint for f in result.findings if f.status is Status.SKIP}
    return static in hints and hints <= {static, None}
