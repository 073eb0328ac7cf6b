"""When the harness runs what: wait-bound drills side by side, the timing phase after the queued
CPU-bound drills and never beside one, and the other probes while a timed one waits for its phase."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from belvo_check.config import load_config
from belvo_check.evidence import Context
from belvo_check.harness import execute
from belvo_check.harness.drills import ERRORS_400_LOGIN, ERRORS_401, ERRORS_STALL, ERRORS_STALL_CREATE, PLAIN, WIDGET
from belvo_check.harness.phase import Phases
from belvo_check.harness.scheduler import Harness
from belvo_check.probes.deliveries import Probes
from belvo_check.probes.target import Target
from tests.probes.helpers import AUTH, Receiver

PATIENCE = 60.0  # generous: the machine may be loaded


class Timeline:
    """What started and ended, in order, as seen by the threads themselves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[tuple[str, str]] = []

    def __call__(self, what: str, name: str) -> None:
        with self._lock:
            self.events.append((what, name))

    def overlapping(self) -> list[tuple[str, str]]:
        """Pairs of a timing probe and a drill that were running at the same moment."""
        running: set[str] = set()
        pairs = []
        for what, name in self.events:
            if what == "start":
                pairs += [(a, name) for a in running if a.startswith("timing") != name.startswith("timing")]
                running.add(name)
            else:
                running.discard(name)
        return pairs


def test_a_timing_probe_lets_queued_drills_go_first_and_holds_later_ones_back():
    phases, timeline = Phases(), Timeline()
    release = threading.Event()
    timing_entered = threading.Event()

    def drill(name: str, queued: bool, wait: threading.Event | None = None) -> None:
        with phases.drill(queued=queued):
            timeline("start", name)
            if wait is not None:
                wait.wait(PATIENCE)
            timeline("end", name)

    def timing() -> None:
        with phases.timing():
            timing_entered.set()
            timeline("start", "timing")
            time.sleep(0.3)  # a late drill asks meanwhile, and must wait
            timeline("end", "timing")

    phases.queue(2)  # two drills wait for a worker, as the scheduler's queue would hold them
    first = threading.Thread(target=drill, args=("first", True, release))
    first.start()
    probe = threading.Thread(target=timing)
    probe.start()
    assert not timing_entered.wait(0.3)  # the second drill is still queued: it goes first
    second = threading.Thread(target=drill, args=("second", True))
    second.start()
    second.join(PATIENCE)
    release.set()
    assert timing_entered.wait(PATIENCE)
    late = threading.Thread(target=drill, args=("late", False))
    late.start()
    for thread in (first, probe, late):
        thread.join(PATIENCE)
    assert timeline.events.index(("start", "timing")) > timeline.events.index(("end", "first"))
    assert timeline.events.index(("start", "late")) > timeline.events.index(("end", "timing"))
    assert timeline.overlapping() == []
    assert phases.busy() == 0


def _harness(tmp_path: Path, command: str, workers: int | None = None) -> Harness:
    config = tmp_path / "belvo-check.yaml"
    config.write_text(f"version: 1\nenvironment: sandbox\nintegration:\n  timeout: {PATIENCE:.0f}\n"
                      f"  flows: {json.dumps({'create_link': command, 'widget_token': command})}\n")
    return Harness(Context(load_config(config)), workers=workers)


def test_wait_bound_drills_wait_side_by_side(tmp_path):
    """Two stall drills are running at the same moment (one worker for both would run them in turn)."""
    gate = tmp_path / "gate"
    wait_for_gate = f"python3 -c 'import os, time\nwhile not os.path.exists(\"{gate}\"): time.sleep(0.05)'"
    harness = _harness(tmp_path, wait_for_gate)
    try:
        futures = harness.submit(ERRORS_STALL, ERRORS_STALL_CREATE)
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline and len(harness.running()) < 2:
            time.sleep(0.05)
        together = harness.running()
        gate.touch()
        outcomes = [future.result(PATIENCE) for future in futures]
    finally:
        gate.touch()
        harness.close()
    assert together == sorted([ERRORS_STALL.name, ERRORS_STALL_CREATE.name])
    assert [o.drill.name for o in outcomes] == [ERRORS_STALL.name, ERRORS_STALL_CREATE.name]
    assert [run.result.exit_code for o in outcomes for run in o.flows if run.flow == "create_link"] == [0, 0]


def test_the_timing_phase_comes_after_the_queued_drills_of_a_real_harness(tmp_path, monkeypatch):
    """One worker, three CPU-bound drills queued, then a timing probe: it is timed only once all three
    have run, and a drill asked for while it is timed waits for it."""
    timeline = Timeline()

    def traced(drill, integration, run=execute.run_drill):
        timeline("start", drill.name)
        try:
            return run(drill, integration)
        finally:
            timeline("end", drill.name)

    monkeypatch.setattr(execute, "run_drill", traced)
    harness = _harness(tmp_path, "python3 -c pass", workers=1)
    try:
        futures = harness.submit(PLAIN, ERRORS_401, WIDGET)
        with harness.phases.timing():
            timeline("start", "timing")
            done = [future.done() for future in futures]
            late = harness.submit(ERRORS_400_LOGIN)[0]
            time.sleep(0.3)  # time for the worker to pick the late drill up, were it allowed to
            timeline("end", "timing")
        late.result(PATIENCE)
    finally:
        harness.close()
    assert done == [True, True, True]
    assert timeline.overlapping() == []
    assert timeline.events.index(("start", ERRORS_400_LOGIN.name)) > timeline.events.index(("end", "timing"))


def test_a_probe_waiting_for_its_timing_phase_holds_no_other_probe_back(tmp_path):
    """While a drill runs, the timed probe waits; the duplicate probe (not timed) goes on meanwhile."""
    drill_running, drill_may_end, timing_asked = threading.Event(), threading.Event(), threading.Event()

    class Watched(Phases):
        def timing(self):
            timing_asked.set()
            return super().timing()

    phases = Watched()
    receiver = Receiver("good", tmp_path)
    probes = Probes(target=Target(url=receiver.url, origin="test", authorization=AUTH, auth_label="test"),
                    ack_within=2.0, burst_size=3, phases=phases)

    def drill() -> None:
        with phases.drill():
            drill_running.set()
            drill_may_end.wait(PATIENCE)

    timed: list = []
    threads = [threading.Thread(target=drill), threading.Thread(target=lambda: timed.append(probes.tolerance()))]
    try:
        threads[0].start()
        assert drill_running.wait(PATIENCE)
        threads[1].start()
        assert timing_asked.wait(PATIENCE)
        duplicate = probes.duplicate()  # not held by the timed probe, which waits for the drill
        waiting = not timed
        drill_may_end.set()
        for thread in threads:
            thread.join(PATIENCE)
    finally:
        drill_may_end.set()
        probes.close()
        receiver.stop()
    assert waiting
    assert (duplicate.first.status, duplicate.second.status) == (200, 200)
    assert timed and all(e.response.status == 200 for e in timed[0])
