"""Probe verdicts do not depend on order or load: each probe starts on a drained receiver, and the
timing probes run while no CPU-bound harness drill does."""

from __future__ import annotations

import threading

from belvo_check.harness.phase import Phases
from belvo_check.probes.deliveries import Probes
from belvo_check.probes.target import Target
from tests.probes.helpers import AUTH


def test_a_probe_after_the_burst_is_not_judged_on_its_backlog(receiver):
    """A receiver serving one delivery at a time (0.4 s each) is still working off a burst the
    client gave up on (each delivery ends 3 s after it starts): the Authorization probe that
    follows must get the receiver's own answer (401), not a time-out in that queue."""
    serial = receiver("serial")
    target = Target(url=serial.url, origin="test", authorization=AUTH, auth_label="test")
    probes = Probes(target=target, ack_within=1.0, burst_size=20)
    try:
        burst = probes.burst()
        assert any(e.response.status is None for e in burst)  # the backlog outlived the burst's deadline
        answers = [e.response.status for e in probes.authorization()]
    finally:
        probes.close()
    assert answers == [401, 401]


def test_a_timing_probe_waits_for_running_drills_and_holds_new_ones_back():
    phases = Phases()
    drill_running, drill_may_end, timing_entered, second_drill_started = (threading.Event() for _ in range(4))
    started_while_timing = []

    def drill(started: threading.Event, may_end: threading.Event | None = None) -> None:
        with phases.drill():
            started.set()
            if may_end is not None:
                may_end.wait(30)

    def timing() -> None:
        with phases.timing():
            timing_entered.set()
            started_while_timing.append(second_drill_started.wait(0.5))

    first = threading.Thread(target=drill, args=(drill_running, drill_may_end))
    first.start()
    assert drill_running.wait(30)
    probe = threading.Thread(target=timing)
    probe.start()
    assert not timing_entered.wait(0.5)  # the running drill is not interrupted: the probe waits
    second = threading.Thread(target=drill, args=(second_drill_started,))
    second.start()
    drill_may_end.set()
    assert timing_entered.wait(30)
    probe.join(30)
    assert started_while_timing == [False]  # no drill started while the probe was timed
    assert second_drill_started.wait(30)  # and drills resume once the probe is done
    for thread in (first, second):
        thread.join(30)
    assert phases.busy() == 0
