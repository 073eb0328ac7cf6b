"""Inline suppressions: `belvo-check: ignore[BLV704] reason` in a comment on the line or the line above."""

from __future__ import annotations

import re
from dataclasses import dataclass

from belvo_check.source.finding import SourceFinding

MARKER = re.compile(r"(?P<lead>.*?)belvo-check:\s*ignore\[(?P<ids>[^\]]*)\]\s*(?P<reason>.*)")
COMMENT_LEAD = re.compile(r"#|//|/\*|<!--|--|^\s*\*|;|^\s*'|\bREM\b")
CHECK_ID = re.compile(r"BLV\d{3}")


@dataclass(frozen=True)
class Suppression:
    path: str
    line: int  # the line of the comment
    ids: tuple[str, ...]
    reason: str

    def covers(self, finding: SourceFinding, check_id: str) -> bool:
        return (check_id in self.ids and finding.path == self.path and finding.line is not None
                and finding.line in (self.line, self.line + 1))


def parse(rel: str, lines: list[str], language: str = "") -> tuple[list[Suppression], list[SourceFinding]]:
    """The suppressions in a file, and a finding for each one that gives no reason or no valid id."""
    found, problems = [], []
    for number, line in enumerate(lines, 1):
        if "belvo-check:" not in line:
            continue
        match = MARKER.search(line)
        if not match or not COMMENT_LEAD.search(match.group("lead")):
            continue
        reason = match.group("reason").strip().rstrip("*/->").strip()
        ids = tuple(CHECK_ID.findall(match.group("ids")))
        col = match.start("ids")
        if not ids:
            problems.append(SourceFinding("suppression", "bad", "a suppression names no check id (BLVnnn)", rel,
                                          number, col, language, line.strip()[:160], "ignore[] without id"))
        elif not reason:
            problems.append(SourceFinding("suppression", "bad", f"suppression of {', '.join(ids)} gives no reason: "
                                          "it does not apply until it says why", rel, number, col, language,
                                          line.strip()[:160], "ignore without reason"))
        else:
            found.append(Suppression(rel, number, ids, reason))
    return found, problems
