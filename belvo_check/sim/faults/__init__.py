"""The simulator's fault menu: scenarios (rules that match requests) and the actions they may take.

Every module in this package other than ``menu`` and ``scenario`` is an action family that registers
its actions on import; they are all imported here, so a new family needs no other edit.
"""
import importlib
import pkgutil

from .menu import ACTIONS, ANSWER, BEFORE, RENDER, Action, ScenarioError, register
from .scenario import NOTHING, Decision, FaultPlan, Rule, Scenario

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in ("menu", "scenario"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["ACTIONS", "ANSWER", "BEFORE", "RENDER", "Action", "Decision", "FaultPlan", "NOTHING", "Rule",
           "Scenario", "ScenarioError", "register"]
