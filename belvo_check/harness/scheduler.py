"""The harness evidence: one `Harness` per run schedules the drills the checks ask for.

Checks ask `harness.drill(ERRORS_500)`; the first asker schedules it and every asker waits for
the same cached `Outcome`. Drills run on a pool of os.cpu_count() + 1 workers (retry back-offs
leave a core idle), slowest first; each drill that mostly waits on a socket (a stall) starts at
once on a thread of its own: the stalls wait side by side, beside the CPU-bound drills, without
holding a CPU slot while sleeping.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING

from belvo_check.evidence import Context, EvidenceUnavailable
from belvo_check.harness.integration import Integration
from belvo_check.harness.drills import FLOWS, Drill
from belvo_check.harness.phase import Phases

if TYPE_CHECKING:  # the simulator behind these is imported only once a drill or receiver runs
    from belvo_check.harness.outcome import Outcome
    from belvo_check.harness.receiver import Receiver


def build(ctx: Context) -> "Harness":
    return Harness(ctx)


class Harness:
    def __init__(self, ctx: Context, workers: int | None = None) -> None:
        self.ctx = ctx
        self.integration = Integration(ctx)
        if not any(self.integration.flow(f) or self.integration.supplied(f) for f in FLOWS):
            raise EvidenceUnavailable("integration.flows names no flow to run",
                                      enable="add to the config: integration: {flows: {create_link: ..., sync: ...}}")
        self._futures: dict[str, Future] = {}
        self._running: set[str] = set()
        self.phases = Phases()  # timing probes run when no CPU-bound drill does
        self._queue: list = []  # CPU-bound drills waiting for a worker, slowest first
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._closed = False
        cpu = max(1, workers or (os.cpu_count() or 1) + 1)  # +1: retry back-offs leave a core idle
        self._workers = [threading.Thread(target=self._work, daemon=True, name=f"harness-{i}") for i in range(cpu)]
        for thread in self._workers:
            thread.start()
        self._receiver: Receiver | None = None
        self._receiver_lock = threading.Lock()

    # -- drills --------------------------------------------------------------------------------

    @property
    def links_from_simulator(self) -> bool:
        return self.integration.links_from_simulator

    def flow_configured(self, flow: str) -> bool:
        return bool(self.integration.flow(flow))

    def require_flows(self, *flows: str) -> None:
        """Skip (naming the key) when a flow the check needs is not configured, nor stood in for.

        A question about link creation alone cannot be asked of links the simulator created.
        """
        if set(flows) == {"create_link"} and self.integration.links_from_simulator:
            raise EvidenceUnavailable("links come from the simulator (integration.links: simulator), as Belvo's "
                                      "widget creates them: the integration's own link creation cannot be judged",
                                      enable="add integration.flows.create_link and drop integration.links")
        for flow in flows:
            if not (self.flow_configured(flow) or self.integration.supplied(flow)):
                raise EvidenceUnavailable(f"integration.flows.{flow} is not configured",
                                          enable=f"add to the config: integration: {{flows: {{{flow}: <command>}}}}")

    def require_store(self) -> None:
        if not self.integration.store_configured:
            raise EvidenceUnavailable("integration.store is not configured, so what the integration stored "
                                      "cannot be read back",
                                      enable="add to the config: integration: {store: {sqlite: '{workdir}/app.db', "
                                             "transactions: 'SELECT belvo_id FROM transactions', links: "
                                             "'SELECT belvo_id, institution_user_id, status FROM links'}}")

    def submit(self, *drills: Drill) -> list[Future]:
        futures = []
        with self._lock:
            for drill in drills:
                future = self._futures.get(drill.name)
                if future is None:
                    future = self._futures[drill.name] = Future()
                    if self._closed:
                        future.cancel()
                    elif drill.waits:
                        self._running.add(drill.name)
                        threading.Thread(target=self._run, args=(drill, future), daemon=True,
                                         name=f"harness-{drill.name}").start()
                    else:
                        self.phases.queue()
                        heapq.heappush(self._queue, (-drill.cost, next(self._order), drill))
                        self._wake.notify_all()
                futures.append(future)
        return futures

    def drill(self, drill: Drill) -> Outcome:
        return self.submit(drill)[0].result()

    def drills(self, *drills: Drill) -> list[Outcome]:
        """Several outcomes; all are scheduled before waiting, so they run side by side."""
        return [future.result() for future in self.submit(*drills)]

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                _, _, drill = heapq.heappop(self._queue)
                future = self._futures[drill.name]
                self._running.add(drill.name)
            with self.phases.drill(queued=True):
                self._run(drill, future)

    def _run(self, drill: Drill, future: Future) -> None:
        try:
            from belvo_check.harness.execute import run_drill

            future.set_result(run_drill(drill, self.integration))
        except BaseException as exc:  # reported by the check that asked, never lost
            future.set_exception(exc)
        finally:
            with self._lock:
                self._running.discard(drill.name)

    def running(self) -> list[str]:
        """The drills running now, for the progress display ("waiting on drill errors-stall")."""
        with self._lock:
            return sorted(self._running)

    # -- the receiver, for the webhook probes -----------------------------------------------

    def receiver(self) -> Receiver:
        """The integration's own server (`integration.start`), started once and shared."""
        with self._receiver_lock:
            if self._receiver is None:
                from belvo_check.harness.receiver import Receiver

                self._receiver = Receiver.start(self.integration, self.ctx.config.webhooks)
            return self._receiver

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._wake.notify_all()
            pending = [f for f in self._futures.values() if not f.done()]
            self.phases.queue(-len(self._queue))  # never run: no timing probe waits for them
            self._queue.clear()
        for future in pending:
            future.cancel()
        with self._receiver_lock:
            if self._receiver is not None:
                self._receiver.close()
                self._receiver = None
