"""Who may use the CPU while something is being timed.

Drills run the integration's own processes and load every core; a webhook probe that measures
acknowledgement latency beside them would measure that load, not the receiver. A timing probe
therefore runs in a phase of its own: it waits until no CPU-bound drill is running, and no new
one starts until it is done. Drills that wait on a socket (a stall) load nothing and are not held.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager


class Phases:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._drills = 0  # CPU-bound drills running now
        self._timing = 0  # timing probes running or waiting to run

    @contextmanager
    def drill(self):
        """Held while a CPU-bound drill runs; waits while a timing probe runs or waits to."""
        with self._changed:
            self._changed.wait_for(lambda: not self._timing)
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
            self._timing += 1  # first, so no new drill starts while the running ones finish
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
