"""What one drill produced: flow runs, the simulator's journal and truth, logs, and store snapshots.

Texts here are raw (they may hold secrets the integration leaked); findings are redacted by the
runner, and BLV704 needs the raw form to find leaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from belvo_check.harness.crash import find_crash
from belvo_check.harness.procs import ProcResult
from belvo_check.harness.drills import Drill
from belvo_check.harness.store import Snapshot


# What makes a log line worth showing, and what never is.
LOG_MEANING = re.compile(r"\b(?:ERROR|CRITICAL|FATAL|WARN(?:ING)?)\b|^[\w.]*(?:Error|Exception)\b")
LOG_NOISE = re.compile(r"^\s*(?:\[?\S*\s*)?(?:INFO|DEBUG)\b|[/\\]contextlib\.py\b")
RAISED = re.compile(r"^[\w.]*(?:Error|Exception)\b")  # a Python exception line
FRAME = re.compile(r'^\s+File "')


@dataclass
class FlowRun:
    step: int
    flow: str
    result: ProcResult | None = None  # None when not run (see `not_run`)
    not_run: str | None = None
    started: float = 0.0
    ended: float = 0.0
    link_id: str | None = None  # the link this flow created or worked on (as the integration saw it)
    store: Snapshot | None = None  # read back right after this flow

    @property
    def label(self) -> str:
        return f"{self.flow} (step {self.step + 1})"

    @property
    def ran(self) -> bool:
        return self.result is not None

    @property
    def output(self) -> str:
        return f"{self.result.stdout}\n{self.result.stderr}" if self.result else ""

    def status_line(self) -> str:
        if not self.result:
            return f"{self.label}: not run ({self.not_run})"
        r = self.result
        if r.timed_out:
            return f"{self.label}: still running after {r.duration:.1f}s, killed at integration.timeout"
        return f"{self.label}: exit {r.exit_code} after {r.duration:.1f}s"


@dataclass
class Outcome:
    drill: Drill
    flows: list[FlowRun] = field(default_factory=list)
    journal: list = field(default_factory=list)  # sim JournalEntry, direction "in" and "out"
    aliases: dict = field(default_factory=dict)  # mutated id -> real id
    truth: dict = field(default_factory=dict)  # link id -> {"record": Link, "transactions": [ids]}
    log_files: dict[str, str] = field(default_factory=dict)
    log_streams: set = field(default_factory=set)  # which of stdout/stderr the config lists as logs
    receiver_output: str = ""  # all integration.start wrote during the drill (for the secret-leak search)
    receiver_logs: str = ""  # the part of it that counts as logs: the streams integration.logs lists
    problem: str | None = None  # the harness could not run the drill as declared
    missing: list[str] = field(default_factory=list)  # flows the drill wanted that are not configured
    store_configured: bool = False
    page_size_cap: int | None = None  # the simulator's items per list page at most (None: no cap)

    @property
    def name(self) -> str:
        return self.drill.name

    # -- flows ---------------------------------------------------------------------------------

    def runs(self, flow: str | None = None) -> list[FlowRun]:
        return [f for f in self.flows if f.ran and (flow is None or f.flow == flow)]

    def runs_of(self, flows: tuple[str, ...] | None) -> list[FlowRun]:
        """The runs of these flows (None: every run)."""
        return [r for r in self.runs() if flows is None or r.flow in flows]

    def run_of(self, flow: str, nth: int = 0) -> FlowRun | None:
        runs = self.runs(flow)
        return runs[nth] if len(runs) > nth else None

    @property
    def link_id(self) -> str | None:
        return next((f.link_id for f in self.flows if f.link_id), None)

    def real_id(self, value: str) -> str:
        return self.aliases.get(value, value)

    def crash(self, flows: tuple[str, ...] | None = None) -> tuple[FlowRun, str, str] | None:
        """(flow, kind, excerpt) of the first unhandled crash in these flows (None: any), the
        runtime's crash report or a fatal signal."""
        for run in self.runs_of(flows):
            found = find_crash(run.result.stderr, run.result.exit_code)
            if found:
                return run, found[0], found[1]
            if run.result.signalled:
                return run, f"killed by signal {run.result.signalled}", run.output[-400:]
        return None

    def timed_out(self, flows: tuple[str, ...] | None = None) -> list[FlowRun]:
        return [r for r in self.runs_of(flows) if r.result.timed_out]

    # -- logs ----------------------------------------------------------------------------------

    @property
    def logs(self) -> str:
        """Everything the config names as logs: the listed streams of every flow and of the receiver
        (integration.start), then log files."""
        parts = []
        for run in self.runs():
            if "stdout" in self.log_streams:
                parts.append(run.result.stdout)
            if "stderr" in self.log_streams:
                parts.append(run.result.stderr)
        parts.append(self.receiver_logs)
        parts.extend(self.log_files.values())
        return "\n".join(parts)

    def outputs(self) -> list[tuple[str, str]]:
        """(where, text) of everything the integration wrote that we can see, for the secret-leak search."""
        found = []
        for run in self.runs():
            found += [(f"stdout of {run.label}", run.result.stdout), (f"stderr of {run.label}", run.result.stderr)]
        found += [(f"log file {path}", text) for path, text in self.log_files.items()]
        if self.receiver_output.strip():
            found.append(("output of integration.start", self.receiver_output))
        return found

    def logged(self, needle: str) -> bool:
        return bool(needle) and needle in self.logs

    def log_excerpt(self, needle: str | None = None, lines: int = 6) -> str:
        """The log lines that mean something for a finding: those holding `needle` first, then the
        lines holding a request_id minted in this drill, ERROR lines, and a traceback's
        last frame and exception line; never blank lines, INFO noise or contextlib frames."""
        # Only \n ends a line: a \r or another separator stays inside its line, where the redactor
        # makes it visible, so the integration cannot forge lines of the report with them.
        all_lines = [line for line in self.logs.split("\n") if line.strip()]
        named = [i for i, line in enumerate(all_lines) if needle and needle.lower() in line.lower()][:2]
        minted = [rid for rid in self.minted() if rid]
        meaningful = [i for i, line in enumerate(all_lines) if any(rid in line for rid in minted) or
                      (LOG_MEANING.search(line) and not LOG_NOISE.search(line))]
        for i in list(meaningful):  # the frame an exception was raised in, above its exception line
            if RAISED.match(all_lines[i]):
                frame = next((j for j in range(i - 1, max(-1, i - 4), -1) if FRAME.match(all_lines[j])), None)
                if frame is not None and not LOG_NOISE.search(all_lines[frame]):
                    meaningful += [frame, frame + 1] if frame + 1 < i else [frame]
        rest = sorted(set(meaningful) - set(named))
        chosen = sorted(set(named) | set(rest[max(0, len(rest) - (lines - len(named))):]))
        if chosen:
            return "\n".join(all_lines[i] for i in chosen)
        quiet = [line for line in all_lines if not LOG_NOISE.search(line)] or all_lines
        return "\n".join(quiet[-lines:]) or "(the integration logged nothing)"

    # -- journal -------------------------------------------------------------------------------

    def requests(self, rule: str | None = None, method: str | None = None, path_prefix: str | None = None,
                 during: FlowRun | None = None) -> list:
        out = []
        for e in self.journal:
            if e.direction != "in" or (rule and rule not in e.rules) or (method and e.method != method):
                continue
            if path_prefix and not e.path.startswith(path_prefix):
                continue
            if during and not (during.started <= e.time <= during.ended):
                continue
            out.append(e)
        return out

    def minted(self, rule: str | None = None) -> list[str]:
        return [e.request_id for e in self.requests(rule=rule) if e.request_id]

    # -- store ---------------------------------------------------------------------------------

    def store_after(self, flow: str, nth: int = 0) -> Snapshot | None:
        run = self.run_of(flow, nth)
        return run.store if run else None

    def expected_transactions(self) -> list[str]:
        return [tx for link in self.truth.values() for tx in link["transactions"]]


def journal_lines(entries: list, limit: int = 12) -> str:
    """A readable slice of the journal: one line per exchange, with gaps and request ids."""
    lines = []
    previous = None
    for e in entries[:limit]:
        gap = f" (+{e.time - previous:.2f}s)" if previous is not None else ""
        query = "&".join(f"{k}={v}" for k, v in sorted((e.query or {}).items()))
        target = e.path + (f"?{query}" if query else "")
        status = e.status if e.status is not None else (e.error or "no answer")
        rid = f" request_id={e.request_id}" if e.request_id else ""
        rule = f" [{', '.join(e.rules)}]" if e.rules else ""
        lines.append(f"  {e.method} {target} -> {status}{rid}{rule}{gap}")
        previous = e.time
    if len(entries) > limit:
        lines.append(f"  ... and {len(entries) - limit} more")
    return "\n".join(lines) or "  (no calls)"
