"""belvo-check's own multiprocessing helpers (the source scan's forkserver and resource tracker) are not
integration leftovers: stopping what is left at the end must not signal them (the tracker ignores
SIGTERM, so each run would wait out the whole grace period before killing it)."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from belvo_check.harness import procs


def _square(n: int) -> int:
    return n * n


@pytest.mark.skipif(not procs.TRACKS_DAEMONS, reason="Linux only: elsewhere no descendant is stopped")
def test_the_scans_own_helpers_are_not_stopped_as_leftovers():
    waiting = threading.Event()
    other = threading.Thread(target=waiting.wait, daemon=True)
    other.start()  # with another thread running, the scan's pool uses the forkserver, as in a run
    try:
        with multiprocessing.get_context("forkserver").Pool(1) as pool:
            assert pool.map(_square, [3]) == [9]
        helpers = procs._own_helpers()
        assert helpers, "the forkserver and resource tracker should be running now"
        procs.stop_descendants()  # may stop leftovers of earlier tests in this worker: never the helpers
        for pid in helpers:
            with open(f"/proc/{pid}/status", encoding="utf-8") as status:  # gone if it was stopped and reaped
                state = next(line for line in status if line.startswith("State:"))
            assert "Z" not in state.split()[1], state
    finally:
        waiting.set()
