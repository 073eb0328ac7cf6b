"""The harness scenarios, declared as data: what the simulator does, and which flows run in what order.

Each scenario runs on its own simulator (same seed, so ids agree across scenarios) and its own
temporary workdir. `does` says in one sentence what the simulator did, for the findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The calls a `sync` makes for data; faults aimed at a sync match these and leave link creation alone.
DATA_PATHS = r"^/api/(accounts|transactions|owners|balances)(/|$)"
STALL_MARGIN = 5.0  # the stall outlasts integration.timeout by this much: only giving up ends it

VALID = ("user_valid", "pass_valid")
PAGINATION_TRANSACTIONS = 1050  # above 100 and 1000: the usual fixed caps of a list helper


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    does: str  # what the simulator did, for the reader of a finding
    flows: tuple[str, ...] = ("create_link", "sync")
    rules: tuple[dict, ...] = ()
    settings: dict = field(default_factory=dict)
    credentials: tuple[str, str] = VALID
    institution: str = "erebor_mx_retail"
    cost: int = 1  # scheduling priority: slow scenarios start first
    waits: bool = False  # spends its time waiting on a socket, not on a CPU: runs beside the CPU-bound ones

    def simulator_rules(self, timeout: float) -> list[dict]:
        """The rules as the simulator takes them; a stall of None means 'longer than the flow may take'."""
        rules = []
        for rule in self.rules:
            do = dict(rule["do"])
            if do.get("stall") is None and "stall" in do:
                do["stall"] = timeout + STALL_MARGIN
            rules.append({**rule, "do": do})
        return rules


def _on_sync(name: str, do: dict, method: str | None = None, when: dict | None = None) -> dict:
    match = {"path_regex": DATA_PATHS}
    if method:
        match["method"] = method
    rule = {"name": name, "match": match, "do": do}
    if when:
        rule["when"] = when
    return rule


def _error(status: int, code: str | None = None, fmt: str | None = None) -> dict:
    spec: dict = {"status": status}
    if code:
        spec["code"] = code
    if fmt:
        spec["format"] = fmt
    return {"error": spec}


SPECS: tuple[ScenarioSpec, ...] = (
    # Plain: the reference every other scenario is compared with.
    ScenarioSpec("plain", "answered normally (60 transactions over 6 pages of 10)",
                 flows=("create_link", "sync", "sync", "delete_link")),
    # More transactions than any fixed item cap an SDK applies (belvo-js `list()` stops at `limit`, 100
    # by default, and a raised `limit: 1000` still stops at 1000), with production paging (100 per
    # page unless page_size says otherwise, at most 1000). The plain scenario's 60 transactions fit
    # under such a cap, so without this one a silently truncating list passed BLV303 by accident.
    ScenarioSpec("pagination", f"answered normally, with {PAGINATION_TRANSACTIONS} transactions on the link and "
                               "production paging (100 per page unless page_size asks for up to 1000)",
                 settings={"page_size_cap": None, "transactions_per_link": PAGINATION_TRANSACTIONS}),
    ScenarioSpec("repeat-pages", "repeated the last 2 transactions of each page at the top of the next page",
                 rules=({"name": "repeat-pages", "match": {"method": "GET", "path": "/api/transactions/*"},
                         "do": {"repeat_across_pages": 2}},)),
    ScenarioSpec("widget", "answered POST /api/token/ normally", flows=("widget_token",)),
    # Errors (BLV2xx).
    ScenarioSpec("errors-400-login", "answered link creation with 400 login_error (wrong bank credentials)",
                 flows=("create_link",), credentials=("user_invalid", "pass_invalid")),
    ScenarioSpec("errors-400-institution-down", "answered every sync call with 400 institution_down",
                 rules=(_on_sync("institution-down", _error(400, "institution_down")),)),
    ScenarioSpec("errors-401", "answered every sync call with 401 authentication_failed",
                 rules=(_on_sync("unauthorized", _error(401, "authentication_failed")),)),
    ScenarioSpec("errors-500", "answered every sync call with 500 unexpected_error",
                 rules=(_on_sync("server-error", _error(500, "unexpected_error")),), cost=2),
    ScenarioSpec("errors-5xx-html", "answered every sync call with a 503 or 502 whose body is an nginx HTML page",
                 rules=(_on_sync("bad-gateway-html", _error(502, fmt="html"), when={"every": 2}),
                        _on_sync("unavailable-html", _error(503, fmt="html"))), cost=2),
    ScenarioSpec("errors-408", "answered every sync call with 408 request_timeout",
                 rules=(_on_sync("request-timeout", _error(408, "request_timeout")),)),
    ScenarioSpec("errors-stall", "held every sync call open without answering (longer than integration.timeout)",
                 rules=(_on_sync("stall", {"stall": None}),), cost=10, waits=True),
    ScenarioSpec("errors-too-many-sessions", "answered every sync call with 400 too_many_sessions",
                 rules=(_on_sync("too-many-sessions", _error(400, "too_many_sessions")),), cost=2),
    # Links (BLV5xx).
    ScenarioSpec("links-invalid", "answered every sync call with 400 invalid_link (the user changed their "
                                  "bank password)", rules=(_on_sync("invalid-link", _error(400, "invalid_link")),)),
    ScenarioSpec("links-token-required", "turned the link to token_required: sync retrievals got 428 "
                                         "token_required",
                 rules=(_on_sync("token-required", {"link_status": "token_required"}, method="POST"),
                        _on_sync("token-required-list", _error(428, "token_required"), method="GET"))),
    ScenarioSpec("links-mfa", "asked for an MFA token (428 token_required) on link creation",
                 flows=("create_link",), credentials=("mfa_default", "pass_valid")),
    # Non-breaking changes (BLV6xx): every response mutated, the stored records must not change.
    ScenarioSpec("compat-add-fields", "added unknown fields to every object and shuffled key order",
                 rules=({"name": "add-fields", "do": {"add_fields": True, "shuffle_keys": True}},)),
    ScenarioSpec("compat-longer-strings", "made ids and text fields longer",
                 rules=({"name": "longer-strings", "do": {"longer_strings": True}},)),
    ScenarioSpec("compat-shorter-strings", "made ids and text fields shorter",
                 rules=({"name": "shorter-strings", "do": {"shorter_strings": True}},)),
    ScenarioSpec("compat-timestamps-3Z", "sent timestamps with 3 fraction digits and Z",
                 rules=({"name": "timestamps-3Z", "do": {"timestamps": "3Z"}},)),
    ScenarioSpec("compat-timestamps-3+00:00", "sent timestamps with 3 fraction digits and +00:00",
                 rules=({"name": "timestamps-3+00:00", "do": {"timestamps": "3+00:00"}},)),
    ScenarioSpec("compat-timestamps-6+00:00", "sent timestamps with 6 fraction digits and +00:00",
                 rules=({"name": "timestamps-6+00:00", "do": {"timestamps": "6+00:00"}},)),
    ScenarioSpec("compat-unknown-enums", "sent enum values the integration has never seen (type, status, "
                                         "category, ...)",
                 rules=({"name": "unknown-enums", "do": {"unknown_enums": True}},)),
)


SCENARIOS: dict[str, ScenarioSpec] = {s.name: s for s in SPECS}
# The timestamp variants BLV603 checks; 6 digits with Z is what `plain` already sends.
TIMESTAMP_SCENARIOS = ("compat-timestamps-3Z", "compat-timestamps-3+00:00", "compat-timestamps-6+00:00")
