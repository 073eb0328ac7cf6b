"""Every declared drill's fault rules load as a simulator scenario, before any simulator starts.

A drill declares its rules as plain data (the registry stands below the simulator, and
`belvo-check list` must not import it), so this is where a misspelt action or key is caught.
"""

import pytest

from belvo_check.needs import DRILLS, Drill
from belvo_check.registry import load_registry
from belvo_check.sim import Scenario, ScenarioError

load_registry()  # check modules may declare drills of their own


def _scenario(drill: Drill) -> Scenario:
    return Scenario.from_dict({"name": drill.name, "settings": drill.settings, "rules": drill.simulator_rules(30.0)},
                              source=f"drill {drill.name}")


@pytest.mark.parametrize("name", list(DRILLS))
def test_a_declared_drill_is_a_valid_scenario(name):
    scenario = _scenario(DRILLS[name])
    assert [rule.name for rule in scenario.rules] == [rule["name"] for rule in DRILLS[name].rules]


def test_a_misspelt_action_is_refused_with_where(monkeypatch):
    monkeypatch.setattr("belvo_check.needs.DRILLS", {})  # a throwaway drill, not registered for the run
    drill = Drill("misspelt", "nothing", rules=({"name": "oops", "do": {"stal": 1}},))
    with pytest.raises(ScenarioError, match=r"drill misspelt: rules\[0\] \(oops\)\.do: unknown key 'stal'"):
        _scenario(drill)
