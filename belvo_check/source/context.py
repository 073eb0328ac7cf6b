"""One file as the matchers see it: its bytes read once, decoded, split and parsed on demand."""

from __future__ import annotations

import bisect
import re
from functools import cached_property
from itertools import accumulate, count
from operator import add

from belvo_check.secrets import fingerprint as fingerprint_of
from belvo_check.source.facts import Facts, extract
from belvo_check.source.files import SourceFile
from belvo_check.source.finding import SourceFinding, Verdict
from belvo_check.source.literals import redact_sdk_keys, secrets_in_line

_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
SNIPPET = 160  # characters of the source line shown beside a finding
# A line that is only a comment (or an import, which names things without using them).
COMMENT_OR_IMPORT = re.compile(r"^\s*(?:#|//|\*|/\*|<!--|--|;|import\s|using\s|use\s|require\b)")


def snippet_of(line: str, language: str, hide: str = "", fingerprint: str = "", secrets=()) -> str:
    """A source line as shown beside a finding: trimmed, cut to SNIPPET characters, and each value the secret
    matcher recognises replaced by its fingerprint; `hide` is a value found another way (e.g. passed to the
    SDK constructor), shown as `fingerprint`; `secrets`, more values found by their use, are cut out too."""
    text = line.strip()
    for value in [value for _, _, value in secrets_in_line(text, language, True)] + [s for s in secrets if s]:
        text = text.replace(value, f"[redacted {fingerprint_of(value)}]")
    if hide:
        text = text.replace(hide, f"[redacted {fingerprint}]")
    return text[:SNIPPET]


class SourceText:
    def __init__(self, file: SourceFile, data: bytes, topics: frozenset[str]) -> None:
        self.file = file
        self.data = data
        self.topics = topics
        self.signals: set[str] = set()  # tree-level facts for conclusions, e.g. "creates_links"
        self.secrets: set[str] = set()  # values found to be Belvo secrets: in memory only, for the history scan

    @property
    def language(self) -> str:
        return self.file.language

    @property
    def about_belvo(self) -> bool:
        return "belvo" in self.topics

    @cached_property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")

    @cached_property
    def lower(self) -> str:
        """The text lower-cased with the same length, so offsets into it are offsets into `text`."""
        lower = self.text.lower()
        # A few characters change length when lower-cased (e.g. 'İ'); needles are ASCII, so ASCII will do.
        return lower if len(lower) == len(self.text) else self.text.translate(_ASCII_LOWER)

    def lines_with(self, *needles: str) -> list[int]:
        """Line numbers (1-based, sorted) of the lines holding any of these lower-case needles."""
        lower, starts = self.lower, self._starts
        found = set()
        for needle in needles:
            at = lower.find(needle)
            while at >= 0:
                found.add(bisect.bisect_right(starts, at))
                at = lower.find(needle, at + 1)
        return sorted(found)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @cached_property
    def _starts(self) -> list[int]:
        # line i + 1 starts after the lengths of lines 0..i and their i + 1 newlines (summed in C, not per line)
        return [0, *map(add, accumulate(map(len, self.lines[:-1])), count(1))]

    @cached_property
    def facts(self) -> Facts:
        if not self.file.is_code:
            return Facts(error="not code")
        return extract(self.data, self.language)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, col), both 1-based, of a character offset into `text`."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def text_of_lines(self, first: int, last: int) -> str:
        """Lines `first` to `last` (1-based, both included) as one text, e.g. a function's body."""
        return "\n".join(self.lines[first - 1:last])

    def finding(self, concept: str, verdict: Verdict, message: str, line: int | None, col: int | None = None, *,
                form: str = "", fingerprint: str = "", hide: str | None = None) -> SourceFinding:
        """A finding at a place in this file; every secret-looking value on the line is cut out of the snippet."""
        secrets = set(self.secrets)
        if line and self.file.is_code and self.about_belvo:
            from belvo_check.source.credentials import keys_of_calls  # it reads this module's facts

            # Every literal that becomes the keys of a Belvo call, whichever finding shows the line.
            secrets |= {lit.value for keys in keys_of_calls(self) for lit in keys.literals}
        snippet = snippet_of(self.line(line), self.language, hide or "", fingerprint, secrets) if line else ""
        if snippet and self.file.is_code and self.about_belvo:  # keys passed to an SDK client, whatever the concept
            snippet = redact_sdk_keys(snippet, self.facts.calls)
        return SourceFinding(concept, verdict, message, self.file.rel, line, col, self.language, snippet, form,
                             fingerprint)
