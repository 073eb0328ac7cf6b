"""What the source layer reports: one located observation about one concept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# bad: the code shows the problem; ok: the code shows the item done; ambiguous: the code
# cannot settle it (a check turns this into a warning, never a pass).
Verdict = Literal["bad", "ok", "ambiguous"]


@dataclass(frozen=True)
class SourceFinding:
    concept: str  # e.g. "tls_off", see belvo_check.source.concepts.CONCEPTS
    verdict: Verdict
    message: str  # one sentence for the reader, never a secret value
    path: str  # relative to the scanned root (posix separators); "" for tree-level conclusions
    line: int | None = None  # 1-based
    col: int | None = None  # 1-based (bytes in parsed code, characters in line matches: equal for ASCII)
    language: str = ""  # python, javascript, typescript, tsx, go, java, ruby, php, csharp, or a text kind
    snippet: str = ""  # the source line, trimmed and redacted
    form: str = ""  # which matcher form fired, e.g. "requests.get without timeout"
    fingerprint: str = ""  # secrets only: the value's fingerprint, for de-duplication
    # Inline suppressions name check ids, so whether one applies is asked per check:
    # SourceScan.suppression(finding, "BLV704").

    @property
    def where(self) -> str:
        return ":".join(str(p) for p in (self.path or ".", self.line, self.col) if p is not None)

    def location(self, root: str = ""):
        """The report's Location of this finding, its path joined to `root` (e.g. the config's source.root)."""
        import posixpath

        from belvo_check.model import Location

        return Location(posixpath.join(root, self.path) if root and self.path else (self.path or root or "."),
                        self.line, self.col)
