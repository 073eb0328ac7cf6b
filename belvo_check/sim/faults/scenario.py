"""Scenarios: the fault menu as data.

A scenario is a name, an optional description, optional settings and a list of rules.
Each rule says which requests it matches, when it fires and what it does::

    name: flaky-transactions
    settings: {page_size_cap: 10, transactions_per_link: 500}
    rules:
      - name: second-page-fails
        match: {method: GET, path: "/api/transactions/*", query: {page: "2"}}
        when: {first: 1}                 # always (default) | {first: N} | {every: N} | {probability: p}
        do: {error: {status: 500, code: unexpected_error}}

The actions a rule may name are the registered ones (``menu.ACTIONS``). Several rules may fire for one
request: each action combines its values as it declares (the first terminal action wins, stalls add up,
mutations accumulate).
"""
from __future__ import annotations

import difflib
import fnmatch
import random
import re
import threading
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path

from .menu import ACTIONS, ScenarioError, first, mapping

TOP_KEYS = {"name", "description", "settings", "rules"}
SETTINGS = {"page_size_cap": (int, type(None)), "transactions_per_link": int, "accounts_per_link": int,
            "history_days": int, "webhook_duplicates": bool, "webhook_out_of_order": bool}
RULE_KEYS = {"name", "match", "when", "do"}
MATCH_KEYS = {"method", "path", "path_regex", "query"}
SCENARIOS_PACKAGE = "belvo_check.sim"  # its scenarios/ folder holds the built-in YAML files


@dataclass(frozen=True)
class When:
    """When a matching rule fires: always (nothing set), on its first N matches, every Nth, or with a probability."""
    first: int | None = None
    every: int | None = None
    probability: float | None = None

    def fires(self, hits: int, rng: random.Random) -> bool:
        """Whether the rule fires on its `hits`-th match."""
        if self.first is not None:
            return hits <= self.first
        if self.every is not None:
            return hits % self.every == 0
        if self.probability is not None:
            return rng.random() < self.probability
        return True


ALWAYS = When()
WHEN_KEYS = {f.name for f in fields(When)}


@dataclass(frozen=True)
class Rule:
    index: int
    name: str
    method: str | None = None
    path: str | None = None
    path_regex: re.Pattern | None = None
    query: dict = field(default_factory=dict)
    when: When = ALWAYS
    do: dict = field(default_factory=dict)  # action name -> its value, as the action's parse normalised it

    def matches(self, method: str, path: str, query) -> bool:
        if self.method and self.method != method:
            return False
        norm = path if path.endswith("/") else path + "/"
        if self.path and not (fnmatch.fnmatchcase(norm, self.path) or fnmatch.fnmatchcase(path, self.path)):
            return False
        if self.path_regex and not self.path_regex.search(path):
            return False
        for key, want in self.query.items():
            got = query.get(key)
            if got is None or (want != "*" and got != want):
                return False
        return True


def _parse_rule(where: str, index: int, raw) -> Rule:
    raw = mapping(where, raw, RULE_KEYS)
    match = mapping(f"{where}.match", raw.get("match", {}), MATCH_KEYS)
    do = mapping(f"{where}.do", raw.get("do"), ACTIONS) if "do" in raw else None
    if not do:
        raise ScenarioError(f"{where}: 'do' is required and must name at least one action")
    when = raw.get("when", "always")
    if when == "always":
        when = {}
    when = mapping(f"{where}.when", when, WHEN_KEYS)
    if len(when) > 1:
        raise ScenarioError(f"{where}.when: give one of first, every, probability")
    for key, value in when.items():
        ok = (0 <= value <= 1) if key == "probability" else (isinstance(value, int) and value >= 1)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not ok:
            raise ScenarioError(f"{where}.when.{key}: invalid value {value!r}")
    terminal = [k for k in do if ACTIONS[k].terminal]
    if len(terminal) > 1:
        raise ScenarioError(f"{where}.do: '{terminal[0]}' and '{terminal[1]}' cannot be combined")
    do = {key: ACTIONS[key].parse(f"{where}.do.{key}", value) for key, value in do.items()}
    regex = None
    if "path_regex" in match:
        try:
            regex = re.compile(match["path_regex"])
        except re.error as exc:
            raise ScenarioError(f"{where}.match.path_regex: {exc}") from None
    method = match.get("method")
    return Rule(index=index, name=str(raw.get("name") or f"rule-{index}"),
                method=method.upper() if isinstance(method, str) else None, path=match.get("path"),
                path_regex=regex, query={str(k): str(v) for k, v in (match.get("query") or {}).items()},
                when=When(**when), do=do)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str = ""
    settings: dict = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()

    @classmethod
    def from_dict(cls, raw, source: str = "<dict>") -> "Scenario":
        raw = mapping(source, raw, TOP_KEYS)
        if not isinstance(raw.get("name"), str) or not raw["name"]:
            raise ScenarioError(f"{source}: 'name' is required and must be a string")
        settings = mapping(f"{source}: settings", raw.get("settings") or {}, SETTINGS)
        for key, value in settings.items():
            if not isinstance(value, SETTINGS[key]) or (isinstance(value, bool) and SETTINGS[key] is int):
                raise ScenarioError(f"{source}: settings.{key}: invalid value {value!r}")
        rules = raw.get("rules") or []
        if not isinstance(rules, list):
            raise ScenarioError(f"{source}: 'rules' must be a list")
        parsed = tuple(_parse_rule(_rule_where(source, i, r), i, r) for i, r in enumerate(rules))
        return cls(name=raw["name"], description=str(raw.get("description") or ""), settings=dict(settings), rules=parsed)

    @classmethod
    def from_file(cls, path) -> "Scenario":
        import yaml  # only scenarios from files need it: `belvo-check sim` starts faster without

        from belvo_check.yamlpos import safe_load  # bounded: a user's file cannot be a YAML bomb

        path = Path(path)
        try:
            raw = safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ScenarioError(f"{path}: cannot read: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark else str(path)
            raise ScenarioError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
        return cls.from_dict(raw, source=str(path))

    @classmethod
    def builtin_names(cls) -> list[str]:
        folder = resources.files(SCENARIOS_PACKAGE) / "scenarios"
        return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))

    @classmethod
    def builtin(cls, name: str) -> "Scenario":
        if name not in cls.builtin_names():
            hint = difflib.get_close_matches(name, cls.builtin_names(), n=1)
            raise ScenarioError(f"unknown scenario '{name}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""))
        with resources.as_file(resources.files(SCENARIOS_PACKAGE) / "scenarios" / f"{name}.yaml") as path:
            return cls.from_file(path)

    @classmethod
    def load(cls, name_or_path) -> "Scenario":
        """A builtin name, or a path to a YAML file."""
        if isinstance(name_or_path, Scenario):
            return name_or_path
        text = str(name_or_path)
        if text in cls.builtin_names() and not Path(text).is_file():
            return cls.builtin(text)
        if not Path(text).exists() and not text.endswith((".yaml", ".yml")):
            return cls.builtin(text)
        return cls.from_file(text)


def _rule_where(source: str, index: int, raw) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    return f"{source}: rules[{index}]" + (f" ({name})" if isinstance(name, str) and name else "")


@dataclass
class Decision:
    """What the scenario does to one request: the rules that fired and each action's combined value."""
    rules: list = field(default_factory=list)      # names of the rules that changed this exchange
    actions: dict = field(default_factory=dict)    # action name -> value

    @property
    def rule(self) -> str | None:
        return self.rules[0] if self.rules else None

    def phase(self, phase: str) -> list:
        """(action, value) pairs of one phase, in the order they act."""
        if not self.actions:
            return ()
        chosen = [ACTIONS[name] for name in self.actions if ACTIONS[name].phase == phase]
        return [(a, self.actions[a.name]) for a in sorted(chosen, key=lambda a: a.order)]


NOTHING = Decision()


class FaultPlan:
    """A scenario bound to one simulator: its own counters and seeded RNG."""

    def __init__(self, scenario: Scenario, seed: int):
        self.scenario = scenario
        self._hits = [0] * len(scenario.rules)
        self._rngs = [random.Random(f"{seed}:{r.index}") for r in scenario.rules]
        self._lock = threading.Lock()

    def _fires(self, rule: Rule) -> bool:
        with self._lock:
            self._hits[rule.index] += 1
            return rule.when.fires(self._hits[rule.index], self._rngs[rule.index])

    def decide(self, method: str, path: str, query) -> Decision:
        if not self.scenario.rules:
            return NOTHING
        decision = Decision()
        chosen = decision.actions
        for rule in self.scenario.rules:
            if not rule.matches(method, path, query) or not self._fires(rule):
                continue
            ended = any(ACTIONS[name].terminal for name in chosen)
            contributed = False
            for name, value in rule.do.items():
                action = ACTIONS[name]
                if not value or (action.terminal and ended) or (name in chosen and action.combine is first):
                    continue  # switched off, or a value where an earlier rule's stands
                chosen[name] = action.combine(chosen[name], value) if name in chosen else value
                contributed = True
            if contributed:  # the journal names only rules that changed this exchange
                decision.rules.append(rule.name)
        return decision
