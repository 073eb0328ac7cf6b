"""The harness drills, declared as data: what the simulator does, and which flows run in what order.

A drill is one run of the integration's own flows against its own simulator (same seed, so ids
agree across drills) in its own temporary workdir. `does` says in one sentence what the simulator
did, for the findings. A drill registers itself by name when it is declared; a check names the
drills it needs as these objects, so a misspelt drill or rule fails at import, not at run time.
(The simulator's YAML fault files are "scenarios"; a drill hands the simulator one of its own.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The calls a `sync` makes for data; faults aimed at a sync match these and leave link creation alone.
DATA_PATHS = r"^/api/(accounts|transactions|owners|balances)(/|$)"
STALL_MARGIN = 5.0  # the stall outlasts integration.timeout by this much: only giving up ends it

VALID = ("user_valid", "pass_valid")
PAGINATION_TRANSACTIONS = 1050  # above 100 and 1000: the usual fixed caps of a list helper


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


# Plain: the reference every other drill is compared with.
PLAIN = Drill("plain", "answered normally (60 transactions over 6 pages of 10)",
              flows=("create_link", "sync", "sync", "delete_link"), optional=("delete_link",))
# More transactions than any fixed item cap an SDK applies (belvo-js `list()` stops at `limit`, 100
# by default, and a raised `limit: 1000` still stops at 1000), with production paging (100 per
# page unless page_size says otherwise, at most 1000): the plain drill's 60 transactions fit under
# such a cap, so only this one shows a list that silently truncates.
PAGINATION = Drill("pagination", f"answered normally, with {PAGINATION_TRANSACTIONS} transactions on the link "
                                 "and production paging (100 per page unless page_size asks for up to 1000)",
                   settings={"page_size_cap": None, "transactions_per_link": PAGINATION_TRANSACTIONS})
REPEAT_PAGES = Drill("repeat-pages", "repeated the last 2 transactions of each page at the top of the next page",
                     rules=({"name": "repeat-pages", "match": {"method": "GET", "path": "/api/transactions/*"},
                             "do": {"repeat_across_pages": 2}},))
WIDGET = Drill("widget", "answered POST /api/token/ normally", flows=("widget_token",))
# Errors (BLV2xx).
ERRORS_400_LOGIN = Drill("errors-400-login", "answered link creation with 400 login_error (wrong bank credentials)",
                         flows=("create_link",), credentials=("user_invalid", "pass_invalid"))
ERRORS_400_INSTITUTION_DOWN = Drill("errors-400-institution-down", "answered every sync call with 400 institution_down",
                                    rules=(_on_sync("institution-down", _error(400, "institution_down")),))
ERRORS_401 = Drill("errors-401", "answered every sync call with 401 authentication_failed",
                   rules=(_on_sync("unauthorized", _error(401, "authentication_failed")),))
ERRORS_500 = Drill("errors-500", "answered every sync call with 500 unexpected_error",
                   rules=(_on_sync("server-error", _error(500, "unexpected_error")),), cost=2)
ERRORS_5XX_HTML = Drill("errors-5xx-html", "answered every sync call with a 503 or 502 whose body is an nginx HTML page",
                        rules=(_on_sync("bad-gateway-html", _error(502, fmt="html"), when={"every": 2}),
                               _on_sync("unavailable-html", _error(503, fmt="html"))), cost=2)
ERRORS_408 = Drill("errors-408", "answered every sync call with 408 request_timeout",
                   rules=(_on_sync("request-timeout", _error(408, "request_timeout")),))
ERRORS_STALL = Drill("errors-stall", "held every sync call open without answering (longer than integration.timeout)",
                     rules=(_on_sync("stall", {"stall": None}),), cost=10, waits=True)
ERRORS_STALL_CREATE = Drill("errors-stall-create", "held link creation (POST /api/links/) open without answering "
                                                   "(longer than integration.timeout)", flows=("create_link",),
                            rules=({"name": "stall-create", "match": {"method": "POST", "path": "/api/links/"},
                                    "do": {"stall": None}},), cost=10, waits=True)
# 429 is documented only for deletes, so any rate limit's shape is unknown: the first 3 sync calls get one.
ERRORS_429_RETRY_AFTER = Drill("errors-429-retry-after", "answered the first 3 sync calls with 429 too_many_requests "
                                                         "and Retry-After: 1",
                               rules=(_on_sync("rate-limited", {"error": {"status": 429, "retry_after": 1}},
                                               when={"first": 3}),), cost=3)
ERRORS_429 = Drill("errors-429", "answered the first 3 sync calls with 429 too_many_requests, without Retry-After",
                   rules=(_on_sync("rate-limited-bare", _error(429), when={"first": 3}),), cost=2)
ERRORS_TOO_MANY_SESSIONS = Drill("errors-too-many-sessions", "answered every sync call with 400 too_many_sessions",
                                 rules=(_on_sync("too-many-sessions", _error(400, "too_many_sessions")),), cost=2)
# Links (BLV5xx).
LINKS_INVALID = Drill("links-invalid", "answered every sync call with 400 invalid_link (the user changed their "
                                       "bank password)",
                      rules=(_on_sync("invalid-link", _error(400, "invalid_link")),))
LINKS_TOKEN_REQUIRED = Drill("links-token-required", "turned the link to token_required: sync retrievals got 428 "
                                                     "token_required",
                             rules=(_on_sync("token-required", {"link_status": "token_required"}, method="POST"),
                                    _on_sync("token-required-list", _error(428, "token_required"), method="GET")))
LINKS_MFA = Drill("links-mfa", "asked for an MFA token (428 token_required) on link creation",
                  flows=("create_link",), credentials=("mfa_default", "pass_valid"))
# Non-breaking changes (BLV6xx): every response mutated, the stored records must not change.
COMPAT_ADD_FIELDS = Drill("compat-add-fields", "added unknown fields to every object and shuffled key order",
                          rules=({"name": "add-fields", "do": {"add_fields": True, "shuffle_keys": True}},))
COMPAT_LONGER_STRINGS = Drill("compat-longer-strings", "made ids and text fields longer",
                              rules=({"name": "longer-strings", "do": {"longer_strings": True}},))
COMPAT_SHORTER_STRINGS = Drill("compat-shorter-strings", "made ids and text fields shorter",
                               rules=({"name": "shorter-strings", "do": {"shorter_strings": True}},))
# The timestamp variants BLV603 checks; 6 digits with Z is what `plain` already sends.
TIMESTAMP_DRILLS = tuple(
    Drill(f"compat-timestamps-{variant}", f"sent timestamps with {variant[0]} fraction digits and {variant[1:]}",
          rules=({"name": f"timestamps-{variant}", "do": {"timestamps": variant}},))
    for variant in ("3Z", "3+00:00", "6+00:00"))
COMPAT_UNKNOWN_ENUMS = Drill("compat-unknown-enums", "sent enum values the integration has never seen (type, status, "
                                                     "category, ...)",
                             rules=({"name": "unknown-enums", "do": {"unknown_enums": True}},))
