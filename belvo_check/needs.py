"""What a check can declare it needs of the harness: the drills it judges and the flows it runs.

A drill is one run of the integration's own flows against its own simulator (same seed, so ids
agree across drills) in its own temporary workdir. `does` says in one sentence what the simulator
did, for the findings. A drill registers itself by name when it is declared; a check names the
drills it needs as these objects, so a misspelt drill or rule fails at import, not at run time.
The vocabulary lives here, below the registry and the harness, so both stand on it; the drills
themselves are declared in belvo_check.harness.drills.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STALL_MARGIN = 5.0  # the stall outlasts integration.timeout by this much: only giving up ends it
VALID = ("user_valid", "pass_valid")

FLOWS = ("create_link", "sync", "delete_link", "widget_token")


@dataclass(frozen=True)
class Drill:
    """One harness drill: the simulator's faults and settings, and the flows run against them."""

    name: str
    does: str  # what the simulator did, for the reader of a finding
    flows: tuple[str, ...] = ("create_link", "sync")
    optional: tuple[str, ...] = ()  # run when configured; only the checks that declare them need them
    rules: tuple[dict, ...] = ()
    settings: dict = field(default_factory=dict)
    credentials: tuple[str, str] = VALID
    institution: str = "erebor_mx_retail"
    cost: int = 1  # scheduling priority: slow drills start first
    waits: bool = False  # spends its time waiting on a socket, not on a CPU: runs beside the CPU-bound ones

    def __post_init__(self) -> None:
        unknown = [f for f in self.flows if f not in FLOWS]
        if unknown:
            raise ValueError(f"drill {self.name!r}: unknown flow {unknown[0]!r} (flows: {', '.join(FLOWS)})")
        if not set(self.optional) <= set(self.flows):
            raise ValueError(f"drill {self.name!r}: an optional flow must be one of its flows {self.flows}")
        if DRILLS.setdefault(self.name, self) is not self:
            raise ValueError(f"two drills are named {self.name!r}")

    def rule(self, name: str) -> str:
        """The name of one of this drill's fault rules, checked where a check declares it."""
        names = [r["name"] for r in self.rules]
        if name not in names:
            raise ValueError(f"drill {self.name!r} has no rule {name!r} (its rules: {', '.join(names) or 'none'})")
        return name

    def simulator_rules(self, timeout: float) -> list[dict]:
        """The rules as the simulator takes them; a stall of None means 'longer than the flow may take'."""
        rules = []
        for rule in self.rules:
            do = dict(rule["do"])
            if do.get("stall") is None and "stall" in do:
                do["stall"] = timeout + STALL_MARGIN
            rules.append({**rule, "do": do})
        return rules


DRILLS: dict[str, "Drill"] = {}  # every declared drill by name, in declaration order
