"""Who may use the CPU while something is being timed.

Drills run the integration's own processes and load every core; a webhook probe that measures
acknowledgement latency beside them would measure that load, not the receiver. A timing probe
therefore runs in a phase of its own: no CPU-bound drill runs while it is timed. Drills queued
to run go first (they are most of the run, and a phase in their midst would leave cores idle while
the running ones finish), so the phase comes once none is queued and the running ones have ended.
Drills that wait on a socket (a stall) load nothing and are never held: the phase overlaps their wait.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager


class Phases:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._queued = 0  # CPU-bound drills waiting for a worker
        self._drills = 0  # CPU-bound drills running now
        self._timing = 0  # timing probes running, or about to once the running drills end

    def queue(self, count: int = 1) -> None:
        """`count` more CPU-bound drills wait for a worker (negative: dropped from the queue)."""
        with self._changed:
            self._queued += count
            self._changed.notify_all()

    @contextmanager
    def drill(self, queued: bool = False):
        """Held while a CPU-bound drill runs (`queued`: one counted by queue()); waits while a timing
        probe runs or is about to."""
        with self._changed:
            self._changed.wait_for(lambda: not self._timing)
            self._queued -= queued
            self._drills += 1
        try:
            yield
        finally:
            with self._changed:
                self._drills -= 1
                self._changed.notify_all()

    @contextmanager
    def timing(self):
        """Held while a probe is timed: no CPU-bound drill runs meanwhile."""
        with self._changed:
            self._changed.wait_for(lambda: not self._queued)  # queued drills first
            self._timing += 1  # then no new drill starts while the running ones finish
            self._changed.wait_for(lambda: not self._drills)
        try:
            yield
        finally:
            with self._changed:
                self._timing -= 1
                self._changed.notify_all()

    def busy(self) -> int:
        """How many CPU-bound drills are running now (for tests and progress)."""
        with self._changed:
            return self._drills
