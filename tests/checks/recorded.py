"""Recorded outcomes for check tests: a drill's flows, journal, logs and store read-backs, probe
exchanges and live calls, built as data and fed to one check through the real runner.

A check test states what the integration did (`journal`, `flow`, `snapshot`, `outcome`), hands it
to `run_check`, and asserts the findings: no simulator, no child process, milliseconds a check.
"""

from __future__ import annotations

import itertools
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from belvo_check.bounded_http import Response
from belvo_check.config import load_config
from belvo_check.evidence import Context, EvidenceUnavailable, RunOptions
from belvo_check.harness.drills import Drill
from belvo_check.harness.outcome import FlowRun, Outcome
from belvo_check.harness.procs import ProcResult
from belvo_check.harness.store import Snapshot
from belvo_check.model import CheckResult, Evidence, Status
from belvo_check.probes.payloads import Payload, payload
from belvo_check.probes.deliveries import DuplicateRun, Exchange, Reaction
from belvo_check.probes.live import LiveResult
from belvo_check.probes.target import Target
from belvo_check.registry import load_registry
from belvo_check.runner import run_checks
from belvo_check.sim.journal import JournalEntry
from belvo_check.source import scan
from belvo_check.source.scanner import SourceScan

FLOWS = {"create_link": "app link", "sync": "app sync", "delete_link": "app unlink", "widget_token": "app token"}
HARNESS_CONFIG = """\
    integration:
      flows: {flows}
      logs: [stdout, stderr]
      {store}
    """
_seq = itertools.count(1)


def call(method: str, path: str, status: int | None, *, at: float, request_id: str | None = None,
         rules: tuple[str, ...] = (), query: dict | None = None, body: dict | None = None,
         duration: float = 0.05) -> JournalEntry:
    """One request the simulator answered, `at` seconds into the drill."""
    return JournalEntry(seq=next(_seq), time=at, direction="in", method=method, path=path, query=query or {},
                        body=body, status=status, duration=duration, request_id=request_id, rules=list(rules))


def flow(name: str, step: int, *, exit_code: int | None = 0, started: float, ended: float, stdout: str = "",
         stderr: str = "", link_id: str | None = None, store: Snapshot | None = None,
         timed_out: bool = False) -> FlowRun:
    result = ProcResult(FLOWS[name], exit_code, stdout, stderr, ended - started, timed_out=timed_out)
    return FlowRun(step, name, result, started=started, ended=ended, link_id=link_id, store=store)


def not_run(name: str, step: int, why: str) -> FlowRun:
    return FlowRun(step, name, not_run=why)


def snapshot(**tables: list[dict]) -> Snapshot:
    return Snapshot(tables=dict(tables))


def outcome(drill: Drill, flows: list[FlowRun], journal: list[JournalEntry], *, logs: str = "",
            truth: dict | None = None, aliases: dict | None = None, page_size_cap: int | None = 10,
            missing: list[str] | None = None) -> Outcome:
    """What one drill produced. `logs` is a log file's text; flows' stdout and stderr count as logs too."""
    return Outcome(drill, flows=flows, journal=journal, truth=truth or {}, aliases=aliases or {},
                   log_files={"app.log": logs} if logs else {}, log_streams={"stdout", "stderr"},
                   store_configured=True, page_size_cap=page_size_cap, missing=missing or [])


@dataclass
class Keys:
    secret_id: str = "sid-4f1c9a7e2b"
    secret_password: str = "spw-9d3e7b1a6c5f"
    authorization: str = "Bearer hook-8c2f5e1d"


@dataclass
class RecordedHarness:
    """The harness evidence, answering from recorded outcomes instead of running drills."""
    outcomes: dict[str, Outcome]
    flows: tuple[str, ...] = tuple(FLOWS)
    store: bool = True
    links_from_simulator: bool = False
    asked: list[str] = field(default_factory=list)
    integration: Keys = field(default_factory=Keys)

    def flow_configured(self, name: str) -> bool:
        return name in self.flows

    def require_flows(self, *names: str) -> None:
        for name in names:
            if name not in self.flows:
                raise EvidenceUnavailable(f"integration.flows.{name} is not configured",
                                          enable=f"add to the config: integration: {{flows: {{{name}: <command>}}}}")

    def require_store(self) -> None:
        if not self.store:
            raise EvidenceUnavailable("integration.store is not configured", enable="add integration.store")

    def drills(self, *drills: Drill) -> list[Outcome]:
        self.asked += [d.name for d in drills]
        return [self.outcomes[d.name] for d in drills]

    def drill(self, drill: Drill) -> Outcome:
        return self.drills(drill)[0]


def config(tmp_path: Path, body: str = "") -> Path:
    path = tmp_path / "belvo-check.yaml"
    path.write_text("version: 1\nenvironment: production\n" + textwrap.dedent(body))
    return path


def run_check(check_id: str, tmp_path: Path, *, config_body: str = "", with_live: bool = False,
              **evidence) -> CheckResult:
    """Run one registered check through the real runner, with the given evidence already gathered
    (keyword = evidence kind: harness, probe, live, source)."""
    check = load_registry().get(check_id)
    ctx = Context(load_config(config(tmp_path, config_body)), options=RunOptions(live=with_live))
    for kind, built in evidence.items():
        ctx.supply(Evidence(kind), built)
        keys = getattr(built, "integration", None)
        if keys is not None:  # as the harness's Integration does: its keys are redacted from every finding
            ctx.redact.add_keys(keys.secret_id, keys.secret_password, keys.authorization)
    try:
        return run_checks([check], ctx)[0]
    finally:
        ctx.close()


def decided_by_source(result: CheckResult, behaviour: str = "") -> CheckResult:
    """A pass the source decided while behaviour did not run: a pass, never a warning, with the
    behaviour that would prove it kept aside (and `behaviour`, when given, in what it says)."""
    assert result.status is Status.PASS and result.decided_by == ("source",), result
    assert all(f.status is Status.PASS for f in result.findings), result.findings
    assert result.not_run and all(f.status is Status.SKIP for f in result.not_run), result.not_run
    said = " ".join(f"{f.message} {f.hint}" for f in result.not_run)
    assert behaviour in said, said
    return result


def statuses(result: CheckResult) -> list[Status]:
    return [f.status for f in result.findings]


def answered(status: int | None, latency_ms: float = 12.0, **extra) -> Response:
    return Response(status, latency_ms, **extra)


def synced(drill: Drill, faulted: list[JournalEntry], *, exit_code: int | None = 1, log: str = "",
           stderr: str = "", timed_out: bool = False, link_id: str = "link-1") -> Outcome:
    """A drill whose create_link succeeded and whose sync got `faulted` answers (calls between t=2 and t=9)."""
    journal = [call("POST", "/api/links/", 201, at=1.0), *faulted]
    flows = [flow("create_link", 0, started=0.5, ended=1.5, link_id=link_id),
             flow("sync", 1, exit_code=exit_code, started=2.0, ended=9.0, stderr=stderr, link_id=link_id,
                  timed_out=timed_out)]
    return outcome(drill, flows, journal, logs=log)


def delivered(probe: Payload | str, status: int | None = 200, latency_ms: float = 12.0, note: str = "") -> Exchange:
    """One probe delivery and the receiver's answer."""
    if isinstance(probe, str):
        probe = payload("TRANSACTIONS", "new_transactions_available", link_id="probe-link", label=probe)
    return Exchange(probe, answered(status, latency_ms), note)


@dataclass
class RecordedProbes:
    """The probe evidence, answering from recorded exchanges instead of delivering webhooks."""
    exchanges: dict[str, list[Exchange]] = field(default_factory=dict)  # documented, tolerance, authorization, burst
    duplicate_run: DuplicateRun | None = None
    reactions: dict[str, Reaction] = field(default_factory=dict)  # webhook code -> what followed it
    auth_value: str | None = "Bearer hook-8c2f5e1d"  # what the probes send as Authorization
    ack_within: float = 5.0
    FETCH_WAIT = 8.0
    MARK_WAIT = 5.0

    @property
    def target(self) -> Target:
        return Target("http://127.0.0.1:9000/hooks", "webhooks.probe_url", self.auth_value,
                      "the configured value" if self.auth_value else None, store_label="sqlite")

    def documented(self) -> list[Exchange]:
        return self.exchanges["documented"]

    def tolerance(self) -> list[Exchange]:
        return self.exchanges["tolerance"]

    def authorization(self) -> list[Exchange]:
        return self.exchanges["authorization"]

    def burst(self) -> list[Exchange]:
        return self.exchanges["burst"]

    def known_link(self) -> str | None:
        return None

    def duplicate(self, link_id: str | None = None) -> DuplicateRun:
        return self.duplicate_run

    def fetch_after(self, code: str) -> Reaction:
        return self.reactions[code]

    def reauth_after(self, code: str, marks, says, redact) -> Reaction:
        return self.reactions[code]


def reaction(label: str, *seen: str, status: int = 200) -> Reaction:
    return Reaction(label, answered(status), list(seen))


def live_calls(*statuses: int | None, host: str = "api.belvo.com") -> LiveResult:
    calls = [(f"https://{host}/api/", answered(s, error=None if s else "TLS handshake failed")) for s in statuses]
    return LiveResult(base_url=f"https://{host}", host=host, key_fingerprints="sha256:ab12, sha256:cd34", calls=calls)


def scanned(root: Path, files: dict[str, str]) -> SourceScan:
    """A real scan (one process) of a small tree written under `root`: path -> text (dedented)."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return scan(root, jobs=1)
