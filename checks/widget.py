"""Section 1: the widget, judged from the harness (token issued server side; external_id without personal data)."""

from __future__ import annotations

import re

from belvo_check.harness import verdicts
from belvo_check.harness.drills import PLAIN, WIDGET
from belvo_check.model import Evidence, failed, passed, warned
from belvo_check.registry import CheckContext, check
from belvo_check.source.verdict import source

PII = (
    ("an e-mail address", re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")),
    ("a phone number", re.compile(r"^\+?[\d\s().-]{10,16}$")),
    ("a Mexican CURP", re.compile(r"^[A-Z]{4}\d{6}[HM][A-Z]{5}[A-Z0-9]\d$", re.I)),
    ("a Mexican RFC", re.compile(r"^[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}$", re.I)),
    ("a Brazilian CPF", re.compile(r"^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$")),
    ("a Brazilian CNPJ", re.compile(r"^\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}$")),
)


def personal_data(value: str) -> str | None:
    """What kind of personal data the value looks like, or None."""
    text = value.strip()
    return next((kind for kind, pattern in PII if pattern.search(text)), None)


@check(
    id="BLV101",
    title="The widget token is issued server side with the keys and scopes",
    failure_title="The widget token flow does not call POST /api/token/ correctly",
    checklist="The widget access token is generated (server side, with the secret keys never reaching a browser "
              "or mobile bundle).",
    evidence=[Evidence.HARNESS],
    hint="From your backend, POST /api/token/ with {id, password, scopes: 'read_institutions,write_links'} and "
         "hand only the access token to the browser.",
    drills=[WIDGET],
    flows=["widget_token"],
    source=source("secret_frontend"),
)
def widget_token(ctx: CheckContext):
    """
    ## What it checks
    Runs the `widget_token` flow against the simulator: it must call `POST /api/token/` with the
    secret key pair (the simulator answers 401 otherwise) and a `scopes` value (the simulator
    answers 400 `required` without one), get 200, and exit 0. (That the keys themselves never
    reach the output is BLV704's job.) It fails, however well the call went, when the config shows
    the token minted where the keys reach a browser or app: the keys handed to the integration under
    a name front-end bundlers ship (`NEXT_PUBLIC_`, `REACT_APP_`, `VITE_`, `EXPO_PUBLIC_`), or the
    `widget_token` command running a file that `source.frontend` marks as front-end code.

    ## Why Belvo asks
    The Connect widget needs a short-lived access token, and creating it takes the secret keys:
    so it must be created by the customer's server, never in the browser or app.

    ## How to fix
    Add a backend endpoint that calls `POST /api/token/` and returns `access` to the front end.

    ## Example
    ```python
    httpx.post(f"{BELVO}/api/token/", json={"id": SID, "password": SPW, "scopes": "read_institutions,write_links"})
    ```
    """
    outcome = ctx.drill(WIDGET)
    early = verdicts.before_judging(ctx, outcome)
    if early:
        return early
    calls = outcome.requests(method="POST", path_prefix="/api/token")
    evidence = verdicts.describe(ctx, outcome)
    run = outcome.run_of("widget_token")
    if not calls:
        return failed("the widget_token flow never called POST /api/token/", evidence=evidence)
    last = calls[-1]
    if last.status == 401:
        return failed("POST /api/token/ was sent without the right secret keys (401)", evidence=evidence)
    if last.status != 200:
        return failed(f"POST /api/token/ got {last.status}: {last.request_id or ''}", evidence=evidence)
    scopes = (last.body or {}).get("scopes")
    if not scopes:
        return failed("POST /api/token/ carried no scopes", evidence=evidence)
    if run.result.exit_code != 0:
        return failed(f"the token was issued but the flow exited {run.result.exit_code}", evidence=evidence)
    browser = _minted_for_the_browser(ctx)
    if browser:
        why, key_path = browser
        return failed(f"the widget token is minted where the keys reach a browser or app: {why}",
                      evidence=evidence, location=ctx.loaded.location(*key_path))
    return passed(f"POST /api/token/ called server side with the keys and scopes={scopes!r} (200)",
                  evidence=evidence)


KEY_PLACEHOLDERS = ("{secret_id}", "{secret_password}")


def _minted_for_the_browser(ctx: CheckContext) -> tuple[str, tuple] | None:
    """Why the config itself shows the token flow as front-end code, and the config key that shows
    it, or None: the keys handed to the integration under a name bundlers ship, or the widget_token
    command running a file the config marks as front-end (source.frontend)."""
    from belvo_check.source.clients import PUBLIC_ENV_PREFIXES  # a key under one ships with the bundle

    integration = ctx.config.integration
    if integration is None:
        return None
    public = sorted(name for name, value in integration.env.items()
                    if name.upper().startswith(PUBLIC_ENV_PREFIXES) and any(k in str(value) for k in KEY_PLACEHOLDERS))
    if public:
        return (f"integration.env gives the keys as {', '.join(public)}, names front-end bundlers ship to browsers",
                ("integration", "env", public[0]))
    source = ctx.config.source
    globs = source.frontend if source else []
    command = integration.flows.widget_token or ""
    if globs:
        import shlex

        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(globs)  # as source discovery reads source.frontend
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        for word in words:
            path = word.removeprefix("./")
            if "/" in path and spec.match_file(path):
                return (f"the widget_token command runs {path}, which source.frontend marks as front-end code",
                        ("integration", "flows", "widget_token"))
    return None


@check(
    id="BLV102",
    title="external_id is set and holds no personal data",
    failure_title="external_id is missing or holds personal data",
    checklist="The external_id parameter carries the customer's own id for a link; it holds no personal data.",
    evidence=[Evidence.HARNESS],
    hint="Send your own opaque user id (at least 3 characters) as external_id; never an e-mail, phone or tax id.",
    drills=[PLAIN, WIDGET],
)
def external_id(ctx: CheckContext):
    """
    ## What it checks
    What the simulator received as `external_id` on link creation (plain drill) and on the
    widget token request (if sent): every link must be created with one, at least 3 characters,
    that does not look like personal data (e-mail, phone number, CURP, RFC, CPF, CNPJ, or the
    bank username the user typed).

    ## Why Belvo asks
    `external_id` ties a link to the customer's own user, so orphan and duplicate links can be
    found later with `GET /api/links/?external_id=...`. Belvo asks that it carries no personally
    identifiable information.

    ## How to fix
    Register the user first, then pass your internal user id (a UUID or number) as `external_id`.

    ## Example
    `external_id: "cust-4812"` (not `ana@acme.mx`)
    """
    h = ctx.harness
    if not h.flow_configured("create_link") and (h.links_from_simulator or not h.flow_configured("widget_token")):
        h.require_flows("create_link")  # links made in the widget: the external_id it was given is not seen
    outcomes = ctx.drills(*(d for d, f in ((PLAIN, "create_link"), (WIDGET, "widget_token")) if h.flow_configured(f)))
    seen = []
    for outcome in outcomes:
        for e in outcome.requests(method="POST"):
            if e.path.rstrip("/") in ("/api/links", "/api/token") and e.body is not None:
                seen.append((outcome, e, e.body.get("external_id")))
    if not seen:
        return warned("no link creation or widget token request reached the simulator",
                      evidence=verdicts.describe(ctx, outcomes[0]))
    given = [(o, e, v) for o, e, v in seen if v not in (None, "")]
    lines = "\n".join(f"  {e.method} {e.path}: external_id={v!r}" for _, e, v in seen)
    if not given:
        return failed("no request carried an external_id", evidence=verdicts.describe(
            ctx, seen[0][0], extra=f"received:\n{lines}"))
    bare_links = [(o, e) for o, e, v in seen if e.path.rstrip("/") == "/api/links" and v in (None, "")]
    if bare_links:
        # The link is what orphan and duplicate searches find by external_id: the token alone is not enough.
        return failed("a link was created without an external_id", evidence=verdicts.describe(
            ctx, bare_links[0][0], extra=f"received:\n{lines}"))
    for outcome, e, value in given:
        kind = personal_data(str(value))
        if not kind and str(value) == outcome.drill.credentials[0]:
            kind = "the user's bank username"
        if kind or len(str(value)) < 3:
            why = f"looks like {kind}" if kind else "is shorter than 3 characters"
            return failed(f"{e.path} got an external_id that {why}",
                          evidence=verdicts.describe(ctx, outcome, extra=f"received:\n{lines}"))
    return passed("external_id is sent and is an opaque id", evidence=verdicts.describe(
        ctx, given[0][0], extra=f"received:\n{lines}"))
