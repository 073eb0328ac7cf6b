"""Fixtures: test receivers as child processes, a connection counter, running checks through the runner."""

from __future__ import annotations

import pytest

from belvo_check.config import load_config
from belvo_check.evidence import Context, RunOptions
from belvo_check.registry import load_registry
from belvo_check.runner import run_checks
from tests.probes.helpers import AUTH, ConnectionCounter, Receiver


@pytest.fixture
def receiver(tmp_path):
    started = []

    def start(name: str, auth: str | None = AUTH) -> Receiver:
        started.append(Receiver(name, tmp_path, auth))
        return started[-1]

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def run_webhook_checks(write_config):
    """Run checks through the real registry and runner; returns {check id: CheckResult}."""
    def run(config_text: str, selectors=("BLV403", "BLV404", "BLV405", "BLV406", "BLV407"),
            live: bool = False, env: dict | None = None):
        path = write_config(config_text)
        ctx = Context(load_config(path, environ={"RECEIVER_AUTH": AUTH, **(env or {})}), RunOptions(live=live))
        try:
            results = run_checks(load_registry().select(list(selectors)), ctx)
        finally:
            ctx.close()
        return {r.check_id: r for r in results}

    return run


@pytest.fixture
def connection_counter():
    counter = ConnectionCounter()
    yield counter
    counter.close()
