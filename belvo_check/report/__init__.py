"""A finished run, and the renderers that turn it into a terminal report or a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from belvo_check.model import CheckResult, Status
from belvo_check.registry import CheckMeta

EXIT_READY, EXIT_NOT_READY, EXIT_USAGE, EXIT_CHECK_ERROR = 0, 1, 2, 3
FORMATS = ("rich", "json")


@dataclass
class Report:
    results: list[tuple[CheckMeta, CheckResult]]
    tool_version: str
    config_path: str
    config_sha256: str
    environment: str
    started_at: datetime
    finished_at: datetime
    fail_on: Status = Status.FAIL

    def count(self, status: Status) -> int:
        return sum(1 for _, r in self.results if r.status is status)

    @property
    def counts(self) -> dict[str, int]:
        return {s.value: self.count(s) for s in Status}

    @property
    def ready(self) -> bool:
        blocking = {Status.FAIL, Status.ERROR} | ({Status.WARN} if self.fail_on is Status.WARN else set())
        return not any(r.status in blocking for _, r in self.results)

    @property
    def exit_code(self) -> int:
        if self.count(Status.ERROR):
            return EXIT_CHECK_ERROR
        return EXIT_READY if self.ready else EXIT_NOT_READY


def headline(meta: CheckMeta, status: Status) -> str:
    """A check reads as what it found: its title when fine, its failure title when not."""
    return meta.failure_title if status in (Status.FAIL, Status.WARN) else meta.title


def render(report: Report, fmt: str, console=None, **options) -> str | None:
    """With a console, print the terminal report to it; otherwise return the report as text."""
    if fmt == "json":
        from belvo_check.report.json_report import to_json

        return to_json(report)
    from belvo_check.report.terminal import plain_text, print_report

    if console is not None:
        print_report(report, console, **options)
        return None
    return plain_text(report, **options)
