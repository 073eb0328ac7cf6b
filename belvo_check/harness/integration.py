"""The integration as the config describes it: its env, commands, receiver, logs and store, per run.

One `Integration` serves every drill and the receiver: they differ only in the placeholder
values (simulator URL, workdir, receiver port, link id, credentials).
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from pathlib import Path

from belvo_check.config import Integration as IntegrationConfig
from belvo_check.evidence import Context, EvidenceUnavailable
from belvo_check.harness import procs
from belvo_check.harness.store import Snapshot, read_commands, read_sqlite
from belvo_check.harness.template import placeholders, render

# Used when belvo.secret_id/secret_password are not set: the simulator accepts any pair.
SIM_SECRET_ID = "belvo-check-sim-id-5d1f0c2e"
SIM_SECRET_PASSWORD = "belvo-check-sim-pw-93a7be41c6"
EXTERNAL_ID = "bc-user-0042"
FLOWS = ("create_link", "sync", "delete_link", "widget_token")
ENABLE = ("integration: {env: {BELVO_API_URL: '{sim_url}', BELVO_SECRET_ID: '{secret_id}', "
          "BELVO_SECRET_PASSWORD: '{secret_password}'}, flows: {create_link: ..., sync: ...}}")
MAX_LOG_FILE = 1 << 20
DEFAULT_PROBE_URL = "http://127.0.0.1:{receiver_port}/hooks/belvo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# A safety net under every command the harness runs: clients that honour the proxy variables
# (requests, httpx, urllib, curl, Go, ...) reach only loopback. An integration that ignores
# {sim_url} and calls a real Belvo host gets "connection refused" from the discard port instead.
_DEAD_PROXY = "http://127.0.0.1:9"
NO_EGRESS = {name: _DEAD_PROXY for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                                             "http_proxy", "https_proxy", "all_proxy")}
NO_EGRESS.update(NO_PROXY="127.0.0.1,localhost,::1", no_proxy="127.0.0.1,localhost,::1")

class Integration:
    def __init__(self, ctx: Context) -> None:
        loaded = ctx.loaded
        config: IntegrationConfig | None = loaded.model.integration
        if config is None:
            raise EvidenceUnavailable("integration is not configured, so no flow can be run against the simulator",
                                      enable=f"add to the config: {ENABLE}")
        var = loaded.missing_env("integration")
        if var:
            raise EvidenceUnavailable(f"no flow is run: {loaded.explain_missing_env('integration')}",
                                      enable=f"set {var} in the environment of this run")
        self.config = config
        self.config_path = loaded.path
        self.base_dir = loaded.base_dir.resolve()
        self.cwd = (self.base_dir / config.cwd).resolve() if config.cwd else self.base_dir
        if not self.cwd.is_dir():
            raise EvidenceUnavailable(f"integration.cwd {self.cwd} is not a folder",
                                      enable="fix integration.cwd (relative to the config file's folder)")
        belvo = loaded.model.belvo
        self.secret_id = (belvo.secret_id.value if belvo.secret_id and belvo.secret_id.value else SIM_SECRET_ID)
        self.secret_password = (belvo.secret_password.value if belvo.secret_password and belvo.secret_password.value
                                else SIM_SECRET_PASSWORD)
        hooks = loaded.model.webhooks
        configured = hooks.authorization.value if hooks and hooks.authorization else None
        self.authorization = configured or f"Bearer belvo-check-{secrets.token_hex(16)}"
        self.hook_url_template = hooks.probe_url if hooks and hooks.probe_url else DEFAULT_PROBE_URL
        self.timeout = float(config.timeout)
        ctx.redact.add_keys(self.secret_id, self.secret_password, self.authorization)

    # -- templating --------------------------------------------------------------------------

    def values(self, *, sim_url: str, workdir: str, receiver_port: int | None = None,
               credentials: tuple[str, str] = ("user_valid", "pass_valid"), institution: str = "erebor_mx_retail",
               link_id: str | None = None) -> dict[str, str]:
        values = {"sim_url": sim_url, "secret_id": self.secret_id, "secret_password": self.secret_password,
                  "workdir": workdir, "receiver_port": str(receiver_port or free_port()),
                  "webhook_authorization": self.authorization, "institution": institution,
                  "username": credentials[0], "password": credentials[1], "external_id": EXTERNAL_ID,
                  # The interpreter running belvo-check: it exists wherever belvo-check does, and has
                  # httpx, which a Python integration under test (like examples/acme) may need.
                  "python": sys.executable}
        if link_id:
            values["link_id"] = link_id
        return values

    def hook_url(self, values: dict) -> str:
        """Where webhooks reach the receiver belvo-check starts (webhooks.probe_url, filled in)."""
        return render(self.hook_url_template, values, key="webhooks.probe_url")

    def env(self, values: dict) -> dict[str, str]:
        env = dict(os.environ)
        env.update(NO_EGRESS)
        for name, template in self.config.env.items():
            env[name] = render(template, values, key=f"integration.env.{name}")
        return env

    def flow(self, name: str) -> str | None:
        return getattr(self.config.flows, name)

    @property
    def links_from_simulator(self) -> bool:
        """Links are created by the simulator, as Belvo's widget would (integration.links: simulator)."""
        return self.config.links == "simulator"

    @property
    def webhook_driven(self) -> bool:
        """No sync flow, but a receiver: a sync is the webhooks Belvo sends, delivered to it."""
        return bool(self.config.start) and not self.flow("sync")

    def supplied(self, name: str) -> str | None:
        """How belvo-check stands in for a flow the integration does not have, or None."""
        if name == "create_link" and self.links_from_simulator:
            return "the simulator creates the link (integration.links: simulator)"
        if name == "sync" and self.webhook_driven:
            return "webhooks to the receiver (integration.start)"
        return None

    def command(self, name: str, values: dict) -> str:
        return render(self.flow(name), values, key=f"integration.flows.{name}", shell=True)

    def run_flow(self, name: str, values: dict) -> procs.ProcResult:
        return procs.run(self.command(name, values), env=self.env(values), cwd=str(self.cwd), timeout=self.timeout)

    @property
    def flows_need_receiver(self) -> bool:
        """Flows that talk to the integration's own server say so by using {receiver_port}."""
        used = set()
        for text in [*(self.flow(f) for f in FLOWS), *self.config.env.values()]:
            used |= placeholders(text)
        return bool(self.config.start) and "receiver_port" in used

    # -- the long-running receiver -------------------------------------------------------------

    def start_receiver(self, values: dict) -> procs.Process:
        """Start `integration.start` and wait for `ready`; raises RuntimeError saying why it is not up."""
        command = render(self.config.start, values, key="integration.start", shell=True)
        process = procs.Process(command, env=self.env(values), cwd=str(self.cwd))
        if self.config.ready:
            url = render(self.config.ready, values, key="integration.ready")
            problem = procs.wait_ready(url, process, self.timeout)
            if problem:
                result = process.stop()
                raise RuntimeError(f"{problem}; its output ends: {(result.stderr or result.stdout)[-400:]}")
        return process

    # -- logs and store ------------------------------------------------------------------------

    def log_files(self, values: dict) -> list[Path]:
        paths = []
        for index, entry in enumerate(self.config.logs):
            if entry in ("stdout", "stderr"):
                continue
            path = Path(render(entry, values, key=f"integration.logs[{index}]"))
            paths.append(path if path.is_absolute() else self.cwd / path)
        return paths

    def logs_streams(self) -> set[str]:
        return {entry for entry in self.config.logs if entry in ("stdout", "stderr")}

    def listed_streams(self, result) -> str:
        """What a command wrote to the streams integration.logs lists (both by default), as one log text."""
        streams = self.logs_streams()
        return "\n".join(text for name, text in (("stdout", result.stdout), ("stderr", result.stderr))
                         if name in streams)

    def read_log_files(self, values: dict) -> dict[str, str]:
        out = {}
        for path in self.log_files(values):
            try:
                with open(path, "rb") as handle:
                    size = handle.seek(0, os.SEEK_END)
                    handle.seek(max(0, size - MAX_LOG_FILE))
                    out[str(path)] = handle.read().decode("utf-8", "replace")
            except OSError:
                out[str(path)] = ""
        return out

    @property
    def store_configured(self) -> bool:
        store = self.config.store
        return bool(store and ((store.sqlite and (store.transactions or store.links)) or store.command))

    def read_store(self, values: dict) -> Snapshot | None:
        store = self.config.store
        if not self.store_configured:
            return None
        if store.command:
            commands = {table: render(cmd, values, key=f"integration.store.command.{table}", shell=True)
                        for table, cmd in store.command.items()}
            return read_commands(commands, env=self.env(values), cwd=str(self.cwd), timeout=self.timeout)
        path = Path(render(store.sqlite, values, key="integration.store.sqlite"))
        queries = {t: q for t, q in (("transactions", store.transactions), ("links", store.links)) if q}
        return read_sqlite(path if path.is_absolute() else self.cwd / path, queries)
