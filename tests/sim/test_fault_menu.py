"""The fault menu is a registry: every action declares its schema and phase, and a new one needs no other edit."""
import httpx
import pytest

from belvo_check.sim import Scenario, ScenarioError, Simulator
from belvo_check.sim.faults import ACTIONS, ANSWER, BEFORE, RENDER, Action, register
from belvo_check.sim.faults.menu import flag
from simtest import KEYS


def test_every_action_declares_a_known_phase_and_rejects_a_wrong_value():
    assert {"error", "stall", "reset", "body", "link_status", "timestamps", "repeat_across_pages", "add_fields",
            "shuffle_keys", "longer_strings", "shorter_strings", "unknown_enums"} <= set(ACTIONS)
    for name, action in ACTIONS.items():
        assert action.name == name and action.phase in (BEFORE, ANSWER, RENDER)
        with pytest.raises(ScenarioError, match=rf"flaky.yaml: rules\[0\] \(r1\).do.{name}"):
            Scenario.from_dict({"name": "x", "rules": [{"name": "r1", "do": {name: {"no": "such value"}}}]},
                               source="flaky.yaml")


def test_a_registered_action_is_validated_and_applied_with_no_other_change():
    def upper(document, enabled, exchange):
        return {k.upper(): v for k, v in document.items()} if isinstance(document, dict) else document

    register(Action("upper_keys", ANSWER, flag, upper))
    try:
        with pytest.raises(ScenarioError, match="upper_keys: invalid value 3"):
            Scenario.from_dict({"name": "x", "rules": [{"do": {"upper_keys": 3}}]})
        scenario = Scenario.from_dict({"name": "x", "rules": [{"match": {"path": "/api/links/*"}, "do": {"upper_keys": True}}]})
        with Simulator(seed=3, secret_id=KEYS[0], secret_password=KEYS[1], scenario=scenario) as sim, \
                httpx.Client(base_url=sim.url, auth=KEYS) as c:
            link = c.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "u", "password": "p"})
            assert "ID" in link.json() and "id" not in link.json()
            assert sim.journal.find(path="/api/links/")[0].rules == ["rule-0"]
            assert "count" in c.get("/api/institutions/").json()  # rules apply only where they match
    finally:
        del ACTIONS["upper_keys"]


def test_phases_run_in_order_and_terminal_actions_exclude_each_other():
    with pytest.raises(ScenarioError, match="'error' and 'reset' cannot be combined"):
        Scenario.from_dict({"name": "x", "rules": [{"do": {"error": 500, "reset": True}}]})
    rules = [{"name": "late", "do": {"stall": 0.05, "timestamps": "0Z"}},
             {"name": "fails", "do": {"error": {"status": 503, "code": "unexpected_error"}, "stall": 0.05}},
             {"name": "ignored", "do": {"reset": True}}]
    with Simulator(seed=3, secret_id=KEYS[0], secret_password=KEYS[1],
                   scenario=Scenario.from_dict({"name": "x", "rules": rules})) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS) as c:
        r = c.get("/api/links/")
        assert r.status_code == 503 and r.json()[0]["code"] == "unexpected_error"
        entry = sim.journal.entries[-1]
        assert entry.rules == ["late", "fails"]
