"""The progress display while checks run: how many are done, the tally so far, and what the run is
still waiting on (the slow ones, like the stall drill, are the ones a person wonders about)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Callable

from belvo_check.model import Status

GLYPHS = ((Status.PASS, "✔", "green"), (Status.FAIL, "✖", "red"), (Status.WARN, "▲", "yellow"),
          (Status.SKIP, "○", "dim"), (Status.ERROR, "!", "magenta"))
SHOWN_WAITING = 1


class CheckProgress:
    """A transient bar on stderr when `enabled`; a no-op otherwise (CI, pipes, files)."""

    def __init__(self, checks, enabled: bool, drills: Callable[[], list[str]] = list) -> None:
        self.enabled, self.drills = enabled, drills
        self.pending = {c.meta.id: c.meta for c in checks}
        self.tally: Counter = Counter()
        self.lock = threading.Lock()
        self.bar = self.task = None

    def __enter__(self) -> "CheckProgress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("running checks"), BarColumn(bar_width=24), MofNCompleteColumn(),
                                TextColumn("{task.fields[tally]}"), TimeElapsedColumn(), _Waiting(self),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=len(self.pending), tally="")
        return self

    def done(self, check, result) -> None:
        with self.lock:
            self.pending.pop(check.meta.id, None)
            self.tally[result.status] += 1
            if self.bar is not None:
                self.bar.update(self.task, advance=1, tally=self.tally_markup())

    def tally_markup(self) -> str:
        return "  ".join(f"[{style}]{glyph} {self.tally[status]}[/]" for status, glyph, style in GLYPHS
                         if self.tally[status])

    def waiting(self) -> str:
        """The check the run waits on and, while the harness works, the drills it is running (the
        slow ones, like the stall drill, are what a person watching wonders about)."""
        with self.lock:
            pending = sorted(self.pending.values(), key=lambda m: m.id)
        if not pending:
            return ""
        # The lowest ids first: they are the ones every report reader meets first.
        names = [f"{meta.id} {meta.title}" for meta in pending]
        shown = "; ".join(_short(name) for name in names[:SHOWN_WAITING])
        more = f" (+{len(names) - SHOWN_WAITING} more)" if len(names) > SHOWN_WAITING else ""
        drills = self.drills()
        running = f" · drill{'s' if len(drills) > 1 else ''} {', '.join(drills)}" if drills else ""
        return f"waiting on {shown}{more}{running}"

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


class _Waiting:
    """A progress column read at every refresh, so it follows drills that start and end between
    two finished checks."""

    def __init__(self, progress: CheckProgress) -> None:
        self.progress = progress

    def __call__(self, task):
        from rich.text import Text

        return Text(self.progress.waiting(), style="dim")

    def get_table_column(self):
        from rich.table import Column

        return Column(no_wrap=True)


def _short(text: str, width: int = 44) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
