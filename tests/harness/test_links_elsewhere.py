"""Links made elsewhere (`integration.links: simulator`) and syncs made of webhooks: what stands in
for a flow the integration does not have, and what can then no longer be judged."""

from __future__ import annotations

import textwrap

import pytest

from belvo_check.config import load_config
from belvo_check.errors import ConfigError
from belvo_check.evidence import Context, EvidenceUnavailable
from belvo_check.harness.drills import PLAIN
from belvo_check.harness.outcome import Outcome
from belvo_check.harness.procs import ProcResult
from belvo_check.harness.scheduler import Harness


def _harness(tmp_path, integration: str) -> Harness:
    path = tmp_path / "belvo-check.yaml"
    path.write_text("version: 1\nenvironment: sandbox\nintegration:\n" + textwrap.indent(textwrap.dedent(integration), "  "))
    return Harness(Context(load_config(path)))


def test_links_from_the_simulator_stand_in_for_create_link_but_link_creation_is_not_judged(tmp_path):
    harness = _harness(tmp_path, "start: app serve --port {receiver_port}\nlinks: simulator\n")
    try:
        harness.require_flows("create_link", "sync")  # a link to sync, and a sync made of webhooks
        with pytest.raises(EvidenceUnavailable, match="links come from the simulator"):
            harness.require_flows("create_link")
        with pytest.raises(EvidenceUnavailable, match="integration.flows.delete_link is not configured"):
            harness.require_flows("create_link", "delete_link")
        assert not harness.flow_configured("create_link")  # the integration itself has no such flow
    finally:
        harness.close()


def test_without_a_receiver_there_is_no_webhook_sync(tmp_path):
    harness = _harness(tmp_path, 'links: simulator\nflows: {delete_link: "app unlink {link_id}"}\n')
    try:
        with pytest.raises(EvidenceUnavailable, match="integration.flows.sync is not configured"):
            harness.require_flows("create_link", "sync")
    finally:
        harness.close()


def test_links_takes_only_its_two_values(tmp_path):
    path = tmp_path / "belvo-check.yaml"
    path.write_text("version: 1\nenvironment: sandbox\nintegration:\n  links: widget\n")
    with pytest.raises(ConfigError, match=r"belvo-check.yaml:4:\d+: integration.links: .*'integration' or 'simulator'"):
        load_config(path)


def test_the_receivers_listed_streams_are_logs(tmp_path):
    harness = _harness(tmp_path, "start: app serve\nflows: {sync: app sync}\nlogs: [stderr]\n")
    try:
        result = ProcResult("app serve", 0, "stdout line rid-out", "stderr line rid-err", 1.0)
        outcome = Outcome(PLAIN, log_streams=harness.integration.logs_streams(),
                          receiver_logs=harness.integration.listed_streams(result))
    finally:
        harness.close()
    assert outcome.logged("rid-err") and not outcome.logged("rid-out")
