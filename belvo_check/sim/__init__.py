"""A faithful, fault-injecting double of the Belvo REST API."""
from .faults import Scenario, ScenarioError
from .journal import Journal, JournalEntry
from .server import Simulator, serve_forever
from .webhooks import Delivery

__all__ = ["Simulator", "Scenario", "ScenarioError", "Journal", "JournalEntry", "Delivery", "serve_forever"]
