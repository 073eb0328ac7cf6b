"""Section 1: the widget. The token request and external_id are judged from the harness and the source;
fetch_resources for single links and the widget's callbacks from the source alone."""

from __future__ import annotations

from belvo_check.harness import verdicts
from belvo_check.harness.drills import PLAIN, WIDGET
from belvo_check.model import Evidence, failed, passed, warned
from belvo_check.registry import CheckContext, check
from belvo_check.source.verdict import source


@check(
    id="BLV101",
    title="The widget token is issued server side with the keys and scopes",
    failure_title="The widget token is not minted on the server with the keys and scopes",
    checklist="The widget access token is generated (server side, with the secret keys never reaching a browser "
              "or mobile bundle).",
    evidence=[Evidence.HARNESS],
    hint="Mint it in your backend (POST /api/token/ with {id, password, scopes: 'read_institutions,write_links'}, "
         "the keys read from the server's environment) and hand only the access token to the browser or app.",
    drills=[WIDGET],
    flows=["widget_token"],
    # The code shows where the token is minted, but neither that the request is accepted (keys, scopes) nor
    # that no front end outside the scanned tree (another repository, a mobile app) mints one too.
    source=source("secret_frontend", "widget_token_server", proves=False),
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

    The source shows where the token is minted. Each token request (a string or variable holding
    Belvo's `/api/token/` as the URL of an HTTP call, or the SDKs' `WidgetToken.create` /
    `widgetToken.create` / `widget_token.create`) counts as server-side minting when it sits in server
    code: Python, Go, Ruby, PHP, C# and Java files (but not an Android app), or JS/TS that shows it
    runs on a server (a server framework such as Express, Nest or Fastify, a route or serverless
    handler, `'use server'`, or the secret read from `process.env`). JS/TS with none of these is a
    warning; a request to the app's own `/api/token` route is not Belvo's. Front-end code that mints
    the token, reads the secret keys or holds them, and secrets under a bundler-shipped name, fail
    (`secret_frontend`; a path that only looks like front-end code is a warning until
    `source.frontend` says which code ships to browsers). The code alone earns a pass decided by source:
    only the `widget_token` flow shows the request accepted with the keys and scopes.

    ## Why Belvo asks
    The Connect widget needs a short-lived access token, and creating it takes the secret keys:
    so it must be created by the customer's server, never in the browser or app.

    ## How to fix
    Add a backend endpoint that calls `POST /api/token/` and returns `access` to the front end.
    A static finding is fixed by moving the request (and every read of the keys) into server code,
    by pointing `source.frontend` at the code that really ships to browsers, or, where the finding
    is wrong, silenced with a comment on its line: `belvo-check: ignore[BLV101] reason`.

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
    # The code shows where external_id comes from, not what it holds at run time (a variable may hold an e-mail).
    source=source("widget_external_id", proves=False),
)
def external_id(ctx: CheckContext):
    """
    ## What it checks
    What the simulator received as `external_id` on link creation (plain drill) and on the
    widget token request (if sent): every link must be created with one, at least 3 characters,
    that does not look like personal data (e-mail, phone number, CURP, RFC, CPF, CNPJ, or the
    bank username the user typed).

    The source shows what the widget is opened with: every `createWidget(token, options)` (in
    JS/TS, or the script of an HTML, Vue or Svelte file; options written at the call or in an
    object literal assigned to the variable passed) and every hosted widget URL
    (`widget.belvo.io/?...`) must set `external_id`. A missing one fails; so does a value that reads
    personal data (`user.email`, `customer.cpf`, `userName`, a literal e-mail; a hashed value is
    fine). Options built elsewhere, or a hosted URL whose `external_id` is set apart from it, are a
    warning. Server code that gives Belvo an `external_id` (link creation, the widget token request,
    the app's own create-link helpers) is judged the same way; lookups such as
    `User.find_by(external_id: ...)` are not. A Belvo link creation whose arguments the code shows (an
    SDK `Links.create`/`links.register`, a raw POST to `/api/links/` with its body written there) and
    whose function never names an `external_id` is a warning. The code alone earns a pass decided by source: only the
    requests show what the value holds.

    ## Why Belvo asks
    `external_id` ties a link to the customer's own user, so orphan and duplicate links can be
    found later with `GET /api/links/?external_id=...`. Belvo asks that it carries no personally
    identifiable information.

    ## How to fix
    Register the user first, then pass your internal user id (a UUID or number) as `external_id`.
    A static finding is fixed by adding `external_id` to the widget's options (or the hosted URL),
    or, where it is wrong, silenced on its line with `belvo-check: ignore[BLV102] reason`.

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
    from belvo_check.source.concepts.widget import personal_data  # the matchers load only when a check runs

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


@check(
    id="BLV103",
    title="Single links are created with fetch_resources",
    failure_title="Single links are created without fetch_resources",
    checklist="Single links use fetch_resources so historical data arrives asynchronously.",
    evidence=[],
    hint="Where links are single (access_mode: 'single'), send fetch_resources (e.g. ['ACCOUNTS', 'TRANSACTIONS', "
         "'OWNERS']) in the widget token request or the link creation.",
    source=source("widget_fetch_resources"),
)
def single_links_fetch_resources(ctx: CheckContext):
    """
    ## What it checks
    Read from the source alone. Each place that asks for single links, `access_mode: 'single'`
    (a key or keyword in the widget options, a token request or a link creation, including
    `AccessMode.SINGLE` and Java `Map.of("access_mode", "single")`) or `access_mode=single` in a
    hosted widget URL, passes when the token request or link creation sends `fetch_resources`: in
    the same file, or anywhere in the scanned tree. It fails when the tree mints widget tokens or
    creates links and never sends `fetch_resources`; it warns when the token request is not in the
    scanned code (a front end alone), or when the access mode comes from a variable that may be
    single. Recurrent links (Belvo's default) do not need it: a tree without single links skips.

    ## Why Belvo asks
    A single link is fetched once. With `fetch_resources` Belvo fetches the named resources
    right after the link is created and announces each with a webhook, so the historical data
    arrives asynchronously instead of through slow synchronous calls made while the user waits.

    ## How to fix
    Add `fetch_resources` to the token request (or the `POST /api/links/` body) of single links and
    read the data when the `historical_update` webhooks arrive. A finding that is wrong (e.g. the
    token request lives in another repository) is silenced on its line with
    `belvo-check: ignore[BLV103] reason`.

    ## Example
    ```python
    httpx.post(f"{BELVO}/api/token/", json={"id": SID, "password": SPW, "scopes": "read_institutions,write_links",
                                            "fetch_resources": ["ACCOUNTS", "TRANSACTIONS", "OWNERS"]})
    ```
    """


@check(
    id="BLV104",
    title="The widget's success, exit and event callbacks are handled",
    failure_title="The widget's success, exit or event callbacks are missing or do nothing",
    checklist="Callback URLs are implemented, and the hosted widget's Success, Exit, Error and Warning events are "
              "handled.",
    evidence=[],
    hint="Give createWidget a callback (store the link), an onExit (log last_encountered_error) and an onEvent "
         "(log ERROR and WARNING events with their request_id); for the hosted widget, set success, exit and "
         "event callback_urls.",
    source=source("widget_callbacks"),
)
def widget_callbacks(ctx: CheckContext):
    """
    ## What it checks
    Read from the source alone. Every `createWidget(token, options)` (JS/TS, or the script of an
    HTML, Vue or Svelte file) must get the three callbacks of the web SDK: `callback` (success:
    the new link and institution), `onExit` (the user left, maybe after an error) and `onEvent`
    (where the widget reports its Error and Warning events). A missing one, or one that does
    nothing (`() => {}`, `null`, `noop`), fails; options the code does not spell out (a variable
    built elsewhere, a spread object) are a warning. For the hosted widget, the token request's
    `callback_urls` must name `success`, `exit` and `event` pages (one missing fails); that those
    pages handle the outcome cannot be seen, so complete `callback_urls` are a warning.

    ## Why Belvo asks
    The success callback is where the new `link_id` is stored against the user; without the exit
    and event callbacks, failed and abandoned connections (and the `request_id` Belvo support
    needs) are never seen.

    ## How to fix
    Add the missing callbacks and make each one do something: store the link, log the exit
    reason and each Error or Warning event. A finding that is wrong is silenced on its line with
    `belvo-check: ignore[BLV104] reason`.

    ## Example
    ```js
    belvoSDK.createWidget(token, {
      external_id: user.id,
      callback: (link, institution) => saveLink(user.id, link, institution),
      onExit: (data) => log.warn('widget exit', data.last_encountered_error),
      onEvent: (data) => log.info('widget event', data.eventName, data.request_id),
    }).build();
    ```
    """
