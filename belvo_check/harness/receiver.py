"""The integration's own long-running server (`integration.start`), for the webhook probes.

It gets its own simulator whose webhook_url is the receiver's probe URL and whose
webhook_authorization is the value the receiver was told, so simulator-sent webhooks and
probes authenticate the same way. Created once per run by `Harness.receiver()`.
"""

from __future__ import annotations

import threading
import time

from belvo_check.evidence import EvidenceUnavailable
from belvo_check.harness import procs
from belvo_check.harness import links
from belvo_check.harness.integration import DEFAULT_PROBE_URL, EXTERNAL_ID, Integration, free_port
from belvo_check.harness.template import render
from belvo_check.sim import Scenario, Simulator

SEED = 11
__all__ = ["DEFAULT_PROBE_URL", "Receiver"]  # the probe target plans with the same default URL


class Receiver:
    def __init__(self, integration: Integration, sim: Simulator, process: procs.Process, url: str,
                 values: dict, workdir: str) -> None:
        self.integration = integration
        self.sim = sim
        self.url = url
        self.authorization = integration.authorization
        self.workdir = workdir
        self._process = process
        self._values = values
        self._lock = threading.Lock()
        self._closed = False
        self.flow_output = ""  # what the create_link helper's runs printed

    @classmethod
    def start(cls, integration: Integration, webhooks) -> "Receiver":
        config = integration.config
        if not config.start:
            raise EvidenceUnavailable("integration.start is not configured, so there is no receiver to probe",
                                      enable="add to the config: integration: {start: 'python -m app serve --port "
                                             "{receiver_port}', ready: 'http://127.0.0.1:{receiver_port}/health'}")
        workdir = procs.make_workdir("belvo-check-receiver-")
        port = free_port()
        template = webhooks.probe_url if webhooks and webhooks.probe_url else DEFAULT_PROBE_URL
        probe_values = {"receiver_port": str(port), "workdir": workdir}
        url = render(template, probe_values, key="webhooks.probe_url")
        sim = Simulator(seed=SEED, secret_id=integration.secret_id, secret_password=integration.secret_password,
                        scenario=Scenario(name="receiver"), webhook_url=url,
                        webhook_authorization=integration.authorization)
        try:
            sim.start()
            values = integration.values(sim_url=sim.url, workdir=workdir, receiver_port=port)
            process = integration.start_receiver(values)
        except BaseException as exc:
            sim.stop()
            procs.remove_workdir(workdir)
            if isinstance(exc, RuntimeError):
                raise EvidenceUnavailable(f"the receiver did not start: {exc}",
                                          enable="fix integration.start / integration.ready") from None
            raise
        return cls(integration, sim, process, url, values, workdir)

    # -- what probes read ------------------------------------------------------------------------

    def logs(self) -> str:
        """Redacted by the caller's ctx.redact; here: the listed streams of the receiver's output so
        far and of the flows it ran, then its log files (what counts as logs in a drill, too)."""
        streams = self.integration.logs_streams()
        out = [stream.text() for name, stream in (("stdout", self._process.stdout), ("stderr", self._process.stderr))
               if name in streams]
        files = self.integration.read_log_files(self._values)
        return "\n".join([*out, self.flow_output, *files.values()])

    def store(self) -> dict[str, list[dict]]:
        snapshot = self.integration.read_store(self._values)
        return dict(snapshot.tables) if snapshot else {}

    def alive(self) -> bool:
        return self._process.alive()

    def create_link(self, credentials: tuple[str, str] = ("user_valid", "pass_valid"),
                    institution: str = "erebor_mx_retail") -> str | None:
        """Create a link in this simulator through the integration's own create_link flow (or, with
        integration.links: simulator, as Belvo's widget would); its id, or None.

        Waits for the simulator's own historical_update webhooks to be delivered, so probes that
        follow are not interleaved with them.
        """
        if not (self.integration.flow("create_link") or self.integration.links_from_simulator):
            return None
        with self._lock:
            before = set(self.sim.state.link_ids())
            if self.integration.flow("create_link"):
                values = {**self._values, **self.integration.values(
                    sim_url=self.sim.url, workdir=self.workdir, receiver_port=int(self._values["receiver_port"]),
                    credentials=credentials, institution=institution)}
                result = self.integration.run_flow("create_link", values)
                self.flow_output += "\n" + self.integration.listed_streams(result)
            else:  # made as Belvo's widget would (integration.links: simulator)
                links.create(self.sim, credentials, institution, EXTERNAL_ID)
            created = [i for i in self.sim.state.link_ids() if i not in before]
        self.sim.webhooks.wait_idle(timeout=10)
        time.sleep(0.2)  # let the receiver finish acting on them
        return created[-1] if created else None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._process.stop()
        finally:
            self.sim.stop()
            procs.remove_workdir(self.workdir)
