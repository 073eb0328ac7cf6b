"""Section 4: webhooks: the configured URLs, deliveries to the integration's receiver, and what the
integration does after one (with the harness)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from belvo_check.model import Evidence, failed, passed, skipped, warned
from belvo_check.registry import CheckContext, check
from belvo_check.source.verdict import source
from belvo_check.urls import RESERVED_NAME, host_of, is_loopback_or_private, tunnel_service

if TYPE_CHECKING:  # the probe modules import httpx: imported inside the checks, so `belvo-check list` stays cheap
    from belvo_check.probes.deliveries import Probes

URLS_EXAMPLE = ("webhooks: {urls: {sandbox: https://staging.example.com/hooks/belvo, "
                "production: https://example.com/hooks/belvo}}")


def _normalised(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{parts.port or ''}{parts.path.rstrip('/')}"


@check(
    id="BLV401",
    title="Each environment has its own webhook URL",
    failure_title="Sandbox and production do not each have their own webhook URL",
    checklist="Each environment (sandbox, production) has its own webhook URL.",
    evidence=[Evidence.CONFIG],
    hint="Register a separate URL per environment in Belvo's dashboard and list both under webhooks.urls.",
)
def url_per_environment(ctx: CheckContext):
    """
    ## What it checks
    That `webhooks.urls` names a URL for `sandbox` and one for `production`, and that they are
    not the same endpoint (scheme, host, port and path compared; a trailing slash ignored).

    ## Why Belvo asks
    Belvo's dashboard holds webhook URLs per environment. If sandbox and production share one
    receiver, test events (fake links, fake transactions) land in production data, and a
    production event can be handled with sandbox keys. Going live means setting a production URL.

    ## How to fix
    Give each environment its own receiver URL, register each in the dashboard with the
    environment switcher, and record both in the config.

    ## Example
    ```yaml
    webhooks:
      urls:
        sandbox: https://staging.acme.mx/hooks/belvo
        production: https://acme.mx/hooks/belvo
    ```
    """
    from belvo_check.evidence import require_config  # evidence loads the redactor: not for `list`

    urls = require_config(ctx, "webhooks", "urls", example=URLS_EXAMPLE)
    where = ctx.loaded.location("webhooks", "urls")
    seen = f"webhooks.urls.sandbox = {urls.sandbox}; webhooks.urls.production = {urls.production}"
    missing = [env for env in ("sandbox", "production") if not getattr(urls, env)]
    if missing:
        blocking = ctx.config.environment in missing
        report = failed if blocking else warned
        return report(f"no {' or '.join(missing)} webhook URL configured", evidence=seen, location=where)
    if _normalised(urls.sandbox) == _normalised(urls.production):
        return failed("sandbox and production share one webhook URL: test events would reach production",
                      evidence=seen, location=where)
    return passed("sandbox and production have distinct webhook URLs", evidence=seen, location=where)


@check(
    id="BLV402",
    title="The production webhook URL is public HTTPS",
    failure_title="The production webhook URL is not a public HTTPS endpoint",
    checklist="Webhooks are handled for single and for recurrent links; each environment has its own webhook URL.",
    evidence=[Evidence.CONFIG],
    hint="Use an https:// URL on your own public domain for production; keep tunnels and local hosts for sandbox.",
)
def production_url_is_public_https(ctx: CheckContext):
    """
    ## What it checks
    That the production webhook URL uses `https://`, and is not `localhost`, a private or
    loopback address, a `.local`/`.internal` name, a name under a top-level domain reserved
    for examples and tests (`.example`, `.test`, `.invalid`: RFC 2606 and RFC 6761), or a tunnel service (ngrok, Cloudflare quick
    tunnels, localtunnel, webhook.site and the like).

    ## Why Belvo asks
    Belvo delivers real customers' events to this URL. Over plain HTTP the payload and the
    Authorization value travel readable. A private address never receives anything, and a
    tunnel dies with the laptop that opened it, so events are silently lost.

    ## How to fix
    Serve the receiver on your own domain behind TLS, and register that URL in the production
    dashboard.

    ## Example
    ```yaml
    webhooks:
      urls:
        production: https://acme.mx/hooks/belvo      # not http://, not *.ngrok-free.app
    ```
    """
    from belvo_check.evidence import require_config

    url = require_config(ctx, "webhooks", "urls", "production",
                         example="webhooks: {urls: {production: https://example.com/hooks/belvo}}")
    where = ctx.loaded.location("webhooks", "urls", "production")
    seen = f"webhooks.urls.production = {url}"
    host = host_of(url)
    problems = []
    if urlsplit(url.strip()).scheme != "https":
        problems.append("is not https")
    local = is_loopback_or_private(host)
    if local == RESERVED_NAME:
        problems.append(f"is {local} that cannot be a real receiver")
    elif local:
        problems.append(f"is {local}")
    tunnel = tunnel_service(host)
    if tunnel:
        problems.append(f"is a tunnel ({tunnel})")
    if problems:
        return failed(f"the production webhook URL {' and '.join(problems)}", evidence=seen, location=where)
    return passed("production webhooks go to a public HTTPS host", evidence=seen, location=where)


# --- Probes: real deliveries to the integration's receiver (evidence "probe") ------------------

def _ack_verdict(probes: Probes, exchanges, what: str):
    """pass when every delivery got a 2xx within ack_within, else fail naming the ones that did not."""
    from belvo_check.probes import acks

    ack = probes.ack_within
    margin = acks.margin(exchanges, ack)
    evidence = f"{probes.target.describe()}\n{acks.table(exchanges, ack)}\nmargin: {margin}"
    bad = acks.problems(exchanges, ack)
    if bad:
        shown = "; ".join(bad[:3]) + (f"; and {len(bad) - 3} more" if len(bad) > 3 else "")
        return failed(f"{len(bad)} of {len(exchanges)} {what} not acknowledged with a 2xx within {ack:g} s: {shown}",
                      evidence=evidence)
    return passed(f"all {len(exchanges)} {what} acknowledged with a 2xx within {ack:g} s ({margin})",
                  evidence=evidence)


@check(
    id="BLV403",
    title="Every webhook type and code is acknowledged in time, for single and recurrent links",
    failure_title="Some webhook types or codes are not acknowledged with a 2xx in time, or no receiver is there to",
    checklist="Webhooks are handled for single and for recurrent links.",
    evidence=[Evidence.PROBE],
    hint="Answer every delivery with a 2xx at once (store it, then process it in the background), "
         "whatever its webhook_type and webhook_code.",
    source=source("webhook_route", proves=False, every_site=False, passes=False),
)
def every_type_acknowledged(ctx: CheckContext):
    """
    ## What it checks
    belvo-check delivers every aggregation webhook Belvo documents (ACCOUNTS, TRANSACTIONS,
    OWNERS and BILLS `historical_update`, `new_accounts_available`, `new_transactions_available`,
    `new_bills_available`, `transactions_updated`, `transactions_deleted`, LINK
    `invalid_credentials`, `token_required` and `link_deleted`, CONSENT
    `openfinance_consent_about_to_expire`), once about a single link and once about a recurrent
    link, shaped exactly as Belvo sends them, to your receiver (`webhooks.probe_url`, or the
    receiver the harness starts). Each must be answered with a 2xx within `webhooks.ack_within`
    (5 s by default). The evidence is a table of type/code, status and latency.

    Probe payloads carry `external_id: belvo-check-probe` and ids that exist nowhere else. Without
    `--live`, a delivery goes only to this machine's loopback (127.0.0.0/8, ::1, however spelled),
    and never to an address of the production webhook host (`webhooks.urls.production`): a
    production host that does not resolve here (not live yet, no outside DNS) stops nothing, one
    that is or resolves to the receiver's own address stops every probe. Redirects are never
    followed, and every request is judged the same way.

    ## In the code
    With `source:` configured, the code is read for a webhook receiver: a route naming a webhook
    path (Flask, FastAPI, Django, aiohttp, Express, Fastify, Nest, Spring, Rails, Sinatra, Laravel,
    Slim, Go routers, ASP.NET), a Next.js route file under a webhook path, a controller class named
    for webhooks, or a hand-rolled server comparing the request path. A receiver says where deliveries
    arrive, not that each is answered in time (the work it does before answering may call Belvo, or a
    store, for longer than 5 s): alone it is a skip naming the receiver and the probe that decides. No receiver at all in code that creates links (and no code reading
    `webhook_code`) fails; no receiver in code that does not create links is a warning. A receiver
    living outside `source.root` is fixed by pointing `source.root`/`source.include` at it; otherwise
    suppress the finding with `belvo-check: ignore[BLV403] reason`.

    ## Why Belvo asks
    Belvo's checklist asks that webhooks are handled for single and for recurrent links. Belvo
    expects a 2xx within 5 seconds and retries otherwise: a receiver that is slow, crashes, or
    answers 404 on one code keeps receiving the same event, and the data it announces is never
    fetched.

    ## How to fix
    Acknowledge first, work later: validate the Authorization header, store the delivery, answer
    200, and hand the processing to a queue or background worker.

    ## Example
    ```python
    @app.post("/hooks/belvo")
    def belvo_webhook(request):
        check_authorization(request)
        queue.enqueue(process_webhook, request.json())   # fetch data later, not here
        return Response(status=200)
    ```
    """
    probes = ctx.probes
    return _ack_verdict(probes, probes.documented(), "documented webhook deliveries")


@check(
    id="BLV404",
    title="Unknown webhook codes and types, and unknown or missing keys, are tolerated",
    failure_title="The receiver rejects webhooks it has not seen before",
    checklist="The integration keeps working when Belvo adds new endpoints (and, by the same logic, new "
              "enum values, webhook types and codes).",
    evidence=[Evidence.PROBE],
    hint="Acknowledge every well-formed delivery with a 2xx; log and ignore codes and types you do not handle, "
         "ignore unknown keys, and treat process_type, request_id and external_id as optional.",
)
def unknown_webhooks_tolerated(ctx: CheckContext):
    """
    ## What it checks
    Deliveries a receiver written today has never seen: a `webhook_code` Belvo has not invented
    yet on a known type, a `webhook_type` Belvo has not invented yet, a payload with unknown keys
    (at the top level and inside `data`), a payload without the optional keys `process_type`,
    `request_id` and `external_id` (older payload versions omit them), and one where
    `external_id` and `request_id` are null. Each must get a 2xx within `webhooks.ack_within`.

    ## Why Belvo asks
    Belvo adds webhook types, codes and fields over time without a version change (checklist,
    "Non-breaking changes"), and its own documentation shows payload versions without some keys.
    A receiver that answers 500 on something new is retried again and again, and every other
    event can be delayed behind it.

    ## How to fix
    Dispatch on (webhook_type, webhook_code) with a default branch that logs and acknowledges;
    read optional keys with `.get()`; never validate the payload against a closed schema.

    ## Example
    ```python
    handler = HANDLERS.get((hook["webhook_type"], hook["webhook_code"]))
    if handler is None:
        log.info("unhandled webhook %s %s", hook.get("webhook_type"), hook.get("webhook_code"))
    ```
    """
    probes = ctx.probes
    return _ack_verdict(probes, probes.tolerance(), "deliveries with new codes, types or keys")


@check(
    id="BLV405",
    title="A duplicate delivery is acknowledged without a duplicate effect",
    failure_title="A duplicate delivery is rejected or acted on twice",
    checklist="On success, the object's unique identifier is stored, so that objects are never duplicated.",
    evidence=[Evidence.PROBE],
    hint="Record each webhook_id (a unique key) and acknowledge a repeated one with a 2xx without acting again.",
    source=source("webhook_dedupe", proves=False),
)
def duplicates_idempotent(ctx: CheckContext):
    """
    ## What it checks
    The same delivery (same `webhook_id`: TRANSACTIONS `new_transactions_available`) is sent twice.
    Both must get a 2xx within `webhooks.ack_within`. With a store read-back configured
    (`integration.store`), belvo-check reads the store before, after the first delivery has
    settled, and after the second: rows added by the second delivery are a duplicate effect
    (fail).

    A receiver that fetches when told (as Belvo recommends) only shows an effect when there is
    something new to fetch. With the receiver belvo-check starts (`integration.start`), the
    delivery concerns a link the integration knows, and the simulator first makes 5 new
    transactions available on it: the first delivery should store them, the duplicate nothing.
    The journal's fetches after each are in the evidence. Without the harness nothing new can be
    made available, so only a receiver that stores something from the payload itself shows a first
    effect. Without a read-back, or when the first delivery left no trace in it, the duplicate
    effect cannot be seen and the check warns, saying which of these it was.

    ## In the code
    With `source:` configured, the receiver's code is read where it is: the file of a route whose
    handler is inline (a decorator, an annotation, a function passed in place), a controller class
    named for webhooks, or code that reads a delivery's `webhook_code`. A route file that only names
    a handler elsewhere (routes.rb, urls.py, routes/api.php) is judged where that handler is. Each
    receiver must look the `webhook_id` up (a membership test, a keyed lookup, `exists`,
    `get_or_create`, `firstOrCreate`, an upsert, `SETNX`...); reading it from the payload, or asking
    whether the key is there, is not a lookup. A receiver without one is a warning at
    `path:line:col` (a middleware or worker elsewhere may do it), and a lookup is only intent: alone,
    it is a pass decided by source, the report naming the probe that would prove it. Suppress a finding that does not apply
    with `belvo-check: ignore[BLV405] reason` on or above its line.

    ## Why Belvo asks
    Belvo documents no ordering and no exactly-once delivery, and retries any delivery it did
    not see acknowledged in time, so the same webhook can arrive twice. A receiver that acts on
    each copy fetches twice and stores transactions twice, against the checklist's rule that
    objects are never duplicated.

    ## How to fix
    Keep a table of seen `webhook_id`s with a unique constraint; insert first, and act only when
    the insert created a row. Store fetched objects with an upsert on their Belvo `id`.

    ## Example
    ```sql
    CREATE TABLE webhooks (webhook_id TEXT PRIMARY KEY, received_at TEXT);
    INSERT INTO webhooks (webhook_id, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING;
    ```
    """
    probes = ctx.probes  # first: a static run skips here, without importing the probe modules (httpx)
    from belvo_check.probes import acks
    from belvo_check.probes import store_diff as stores
    from belvo_check.probes.deliveries import Exchange

    run = probes.duplicate(probes.known_link())
    ack = probes.ack_within
    exchanges = [Exchange(run.probe, run.first, "first delivery"), Exchange(run.probe, run.second, "same webhook_id again")]
    evidence = f"{probes.target.describe()}\n{acks.table(exchanges, ack)}"
    bad = acks.problems(exchanges, ack)
    if bad:
        return failed(f"the duplicate pair was not acknowledged: {'; '.join(bad)}", evidence=evidence)
    target = probes.target
    if run.store_error:
        return warned(f"both deliveries acknowledged, but the store read-back failed: {run.store_error}",
                      evidence=evidence, hint="Fix integration.store so belvo-check can read what was stored.")
    if run.before is None:
        return warned("both deliveries acknowledged; without a store read-back belvo-check cannot see whether "
                      "the duplicate was acted on twice", evidence=evidence,
                      hint="Configure integration.store (sqlite + queries, or a command per table).")
    if run.new_ids:
        evidence += (f"\nsimulator: {len(run.new_ids)} new transactions made available on the link before the first "
                     "delivery")
    if run.fetches:
        evidence += (f"\njournal: GET /api/transactions/ for the link {run.fetches[0]} time(s) after the first "
                     f"delivery, {run.fetches[1]} after the duplicate")
    evidence += (f"\nstore ({target.store_label}): before {stores.size(run.before)}; after the first delivery "
                 f"{stores.size(run.after_first)}; after the duplicate {stores.size(run.after_second)}")
    extra = stores.added(run.after_first, run.after_second)
    if extra:
        rows = ", ".join(f"{n} rows in {table}" for table, n in sorted(extra.items()))
        return failed(f"the duplicate delivery was acted on again: it added {rows}", evidence=evidence)
    if not stores.changed(run.before, run.after_first):
        if run.new_ids:
            return warned(f"both deliveries acknowledged, but the first left no trace in the store read-back although "
                          f"{len(run.new_ids)} new transactions were available for the link, so a duplicate effect "
                          "could not be observed", evidence=evidence,
                          hint="Fetch and store the link's transactions on new_transactions_available (BLV408), and "
                               "read back the table they are stored in (integration.store).")
        return warned("both deliveries acknowledged, but the first left no trace in the store read-back, so a "
                      "duplicate effect could not be observed: without the receiver belvo-check starts "
                      "(integration.start) no new data can be made available first, so a receiver that fetches "
                      "on a webhook has nothing new to store", evidence=evidence,
                      hint="Let belvo-check start the receiver (integration.start) so the probe concerns a link "
                           "with new transactions, and read back the table a TRANSACTIONS webhook changes.")
    if stores.changed(run.after_first, run.after_second):
        return warned("the store changed after the duplicate delivery (no rows added)", evidence=evidence)
    return passed("the duplicate was acknowledged and changed nothing in the store", evidence=evidence)


@check(
    id="BLV406",
    title="The receiver rejects deliveries without the right Authorization",
    failure_title="The receiver accepts deliveries without the right Authorization",
    checklist="Webhooks are handled for single and for recurrent links (and only Belvo's deliveries are "
              "accepted: the Authorization value set in the dashboard is verified).",
    evidence=[Evidence.PROBE],
    hint="Compare the Authorization header with the value set in Belvo's dashboard (hmac.compare_digest) and "
         "answer 401 when it is missing or wrong.",
    source=source("webhook_auth", proves=False),
)
def authorization_enforced(ctx: CheckContext):
    """
    ## What it checks
    With `webhooks.authorization` configured (or the receiver the harness starts, which is always
    given one), a delivery without an `Authorization` header and one with a wrong value must be
    refused with 401 or 403. A 2xx is a fail; any other status (400, 404, 500) is a warning,
    because it is not clear the receiver refused for the right reason; no answer in time is a
    warning that says so (a time-out is not a refusal). The receiver is first given time to
    finish the work of earlier probes, so a busy receiver is not judged on their backlog.

    ## In the code
    With `source:` configured, the receiver's code (found as for BLV405) must read the
    `Authorization` header and either compare it in constant time (`hmac.compare_digest`,
    `crypto.timingSafeEqual`, `subtle.ConstantTimeCompare`, `MessageDigest.isEqual`,
    `secure_compare`, `hash_equals`, `FixedTimeEquals`) or answer 401/403 on a mismatch. A receiver
    without that is a warning at `path:line:col` (a middleware may check it: then suppress the finding
    with `belvo-check: ignore[BLV406] reason` on or above the route). The code shows the intent only:
    alone, it is a pass decided by source, the report naming the probe that would prove it.

    ## Why Belvo asks
    Belvo's dashboard lets you set an Authorization value that it sends with every delivery; no
    signature is documented, so this header is the only way to tell Belvo from anyone else who
    learns the URL. A receiver that skips the comparison accepts forged events (a fake
    `invalid_credentials` can lock users out, a fake `new_transactions_available` triggers calls).

    ## How to fix
    Reject before parsing: compare the header with the configured value in constant time.

    ## Example
    ```python
    if not hmac.compare_digest(request.headers.get("Authorization", ""), WEBHOOK_AUTH):
        return Response(status=401)
    ```
    """
    probes = ctx.probes  # first: a static run skips here, without importing the probe modules (httpx)
    from belvo_check.probes import acks

    target = probes.target
    if not target.authorization:
        return skipped("webhooks.authorization is not configured, so there is nothing to enforce",
                       enable="add to the config: webhooks: {authorization: ${BELVO_WEBHOOK_AUTH}}")
    exchanges = probes.authorization()
    refused = lambda r: None if r.status in (401, 403) else f"expected 401/403, got {r.describe()}"  # noqa: E731
    evidence = f"{target.describe()}; expected: {target.auth_label}\n{acks.table(exchanges, 0, refused)}"
    accepted = [e.probe.label for e in exchanges if e.response.ok]
    if accepted:
        return failed(f"the receiver accepted a delivery with {' and with '.join(accepted)}: anyone who knows the "
                      "URL can forge Belvo webhooks", evidence=evidence)
    silent = [f"{e.probe.label}: {e.response.describe()}" for e in exchanges if e.response.status is None]
    if silent:
        return warned(f"no answer, so whether the receiver refuses forged deliveries is unknown: {'; '.join(silent)}",
                      evidence=evidence, hint="Answer every delivery within a few seconds, with 401 (or 403) when "
                                              "the Authorization header is missing or wrong.")
    unclear = [f"{e.probe.label}: {e.response.describe()}" for e in exchanges if e.response.status not in (401, 403)]
    if unclear:
        return warned(f"refused, but not with 401/403: {'; '.join(unclear)}", evidence=evidence,
                      hint="Answer 401 (or 403) when the Authorization header is missing or wrong.")
    return passed("deliveries without the right Authorization are refused with 401/403", evidence=evidence)


@check(
    id="BLV407",
    title="A burst of concurrent deliveries is acknowledged in time",
    failure_title="A burst of concurrent deliveries is not acknowledged in time",
    checklist="Webhooks are handled for single and for recurrent links.",
    evidence=[Evidence.PROBE],
    hint="Acknowledge first and work later: serve deliveries concurrently and move processing to a background "
         "worker or queue.",
)
def burst_acknowledged(ctx: CheckContext):
    """
    ## What it checks
    `webhooks.burst` deliveries (20 by default), each with its own `webhook_id`, sent at the same
    moment. Every one must get a 2xx within `webhooks.ack_within`. The evidence reports the p50
    and maximum latency.

    ## Why Belvo asks
    Belvo fires many webhooks at once, after a busy refresh cycle or when a batch of links is
    created, and retries every one not acknowledged within 5 seconds. A receiver that processes
    each delivery before answering, one at a time, falls behind: the last ones time out, are
    retried, and the backlog grows.

    ## How to fix
    Use a concurrent server (threads, async workers or several processes) and keep the request
    handler to: check the header, store the delivery, answer 200.

    ## Example
    ```python
    httpd = ThreadingHTTPServer(("0.0.0.0", 8099), Handler)   # not HTTPServer
    ```
    """
    probes = ctx.probes  # first: a static run skips here, without importing the probe modules (httpx)
    from belvo_check.probes.http import latency_summary

    exchanges = probes.burst()
    verdict = _ack_verdict(probes, exchanges, "concurrent deliveries")
    summary = f"{len(exchanges)} at once: {latency_summary([e.response for e in exchanges])}"
    resets = sum(e.response.reconnected for e in exchanges)
    if resets:  # acknowledged in time all the same, but the server refused connections under load
        summary += (f"; {resets} connection(s) were reset before any answer and retried: raise the "
                    "server's listen backlog")
    return replace(verdict, message=f"{verdict.message}; {summary}", evidence=f"{summary}\n{verdict.evidence}")


# --- With the harness: what the integration does after a webhook --------------------------------
# Only with the receiver belvo-check started (integration.start): its simulator's journal, its
# store and its logs show what a delivery made the integration do.

REAUTH_WORDS = re.compile(r"token_required|invalid|re-?auth|reconnect|update (their|the|your) credentials"
                          r"|credentials", re.I)


def marks_reauth(row) -> bool:
    """A store row that names a re-authentication state."""
    values = row.values() if isinstance(row, dict) else row
    return any(isinstance(v, str) and REAUTH_WORDS.search(v) for v in values)


def says_reauth(line: str, probe) -> bool:
    """A log line that names a re-authentication state, rather than only recording the delivery (its ids)."""
    body = probe.body
    echoes = any(value and str(value) in line for value in (body.get("webhook_id"), body.get("request_id")))
    return bool(REAUTH_WORDS.search(line)) and not echoes


def _reaction_lines(reactions) -> str:
    lines = []
    for reaction in reactions:
        lines.append(f"{reaction.label}: answered {reaction.response.describe()} in "
                     f"{reaction.response.latency_ms:.0f} ms")
        lines += [f"  {seen}" for seen in reaction.seen] or ["  nothing observed"]
    return "\n".join(lines)


@check(
    id="BLV408",
    title="A TRANSACTIONS webhook makes the integration fetch that link's transactions",
    failure_title="A TRANSACTIONS webhook does not make the integration fetch the link's transactions",
    checklist="Webhooks are handled for single and for recurrent links.",
    evidence=[Evidence.HARNESS, Evidence.PROBE],
    start=True,
    hint="On TRANSACTIONS historical_update and new_transactions_available, fetch "
         "GET /api/transactions/?link=<link_id> (in the background, after acknowledging).",
    # Which data codes the receiver names shows the intent; only the deliveries show it fetches.
    source=source("webhook_codes", proves=False),
)
def transactions_webhook_fetches(ctx: CheckContext):
    """
    ## What it checks
    With the harness (`integration.start`): belvo-check creates a link through the integration's
    own `create_link` flow against its simulator (or, with `integration.links: simulator`, the
    simulator creates it as Belvo's widget would), then delivers TRANSACTIONS `historical_update`
    and `new_transactions_available` for that link to the receiver it started. After each, the
    simulator's journal must show the integration calling `GET /api/transactions/?link=<that link>`
    within a few seconds. Without the harness it is skipped.

    ## In the code
    A receiver that dispatches on `webhook_code` (names codes as strings) must name both kinds of
    data announcement: `historical_update`, the only one single links get, and `new_*_available`,
    which recurrent links get. Naming one kind only is a warning at the code's `path:line:col`:
    the other is dropped unless a default branch fetches. A receiver that fetches on any code names
    none and gets no finding. The deliveries above outrank this reading when the harness runs.
    Suppress a finding with `belvo-check: ignore[BLV408] reason` on or above its line.

    ## Why Belvo asks
    Belvo announces data by webhook and asks you to call GET only after it: an earlier GET can
    return nothing or duplicates, and a webhook nobody acts on means new transactions never reach
    your users. Handling webhooks "for single and for recurrent links" means acting on them.

    ## How to fix
    In the webhook worker, on these codes, list the link's transactions (following `next`) and
    upsert them by `id`.

    ## Example
    ```python
    if hook["webhook_type"] == "TRANSACTIONS" and hook["webhook_code"] in (
            "historical_update", "new_transactions_available"):
        queue.enqueue(sync_transactions, link_id=hook["link_id"])
    ```
    """
    probes = ctx.probes
    reactions = [probes.fetch_after(code)
                 for code in ("historical_update", "new_transactions_available")]
    evidence = f"{probes.target.describe()}; simulator journal after each delivery:\n{_reaction_lines(reactions)}"
    unacked = [r.label for r in reactions if not r.response.ok]
    idle = [r.label for r in reactions if not r.seen]
    if idle:
        return failed(f"no GET /api/transactions/ for the link followed {' nor '.join(idle)} "
                      f"(watched {probes.FETCH_WAIT:g} s)", evidence=evidence)
    if unacked:
        return warned(f"the transactions were fetched, but {', '.join(unacked)} was not acknowledged with a 2xx",
                      evidence=evidence)
    return passed("each TRANSACTIONS webhook was followed by GET /api/transactions/ for its link", evidence=evidence)


@check(
    id="BLV409",
    title="LINK token_required and invalid_credentials mark the link for re-authentication",
    failure_title="LINK token_required / invalid_credentials webhooks leave the link as it was",
    checklist="invalid and token_required link statuses are monitored, and the user is prompted to update "
              "credentials when needed.",
    evidence=[Evidence.HARNESS, Evidence.PROBE],
    start=True,
    hint="On LINK token_required or invalid_credentials, store the link's new status and prompt the user to "
         "reconnect (the widget's update mode).",
)
def link_webhook_marks_reauth(ctx: CheckContext):
    """
    ## What it checks
    With the harness (`integration.start`): for a link the integration created through its own
    `create_link` flow (or the simulator created, with `integration.links: simulator`), belvo-check delivers LINK `token_required`, then LINK
    `invalid_credentials`. After each, the store read-back (`integration.store.links`) must show
    the link with a status naming it (`token_required`, `invalid`, ...), or the integration's logs
    must mention the link with that status or a re-authentication prompt. Evidence: the changed
    row or the log line. Without the harness it is skipped.

    ## Why Belvo asks
    A recurrent link whose credentials changed or that needs an MFA token stops updating. Belvo
    tells you with these webhooks and asks you to monitor `invalid` and `token_required` and
    prompt the user to update their credentials; otherwise the user's data silently goes stale.

    ## How to fix
    On these codes, update the link's status in your store and surface a "reconnect your bank"
    prompt that opens the Connect widget in update mode for that link.

    ## Example
    ```python
    if hook["webhook_type"] == "LINK" and hook["webhook_code"] in ("token_required", "invalid_credentials"):
        links.set_status(hook["link_id"], "token_required" if hook["webhook_code"] == "token_required" else "invalid")
        notify_user_to_reconnect(hook["link_id"])
    ```
    """
    probes = ctx.probes
    reactions = [probes.reauth_after(code, marks_reauth, says_reauth, ctx.redact)
                 for code in ("token_required", "invalid_credentials")]
    evidence = f"{probes.target.describe()}; store and logs after each delivery:\n{_reaction_lines(reactions)}"
    unmarked = [r.label for r in reactions if not r.seen]
    if unmarked:
        return failed(f"after {' and '.join(unmarked)} neither the store nor the logs marked the link for "
                      f"re-authentication (watched {probes.MARK_WAIT:g} s)", evidence=evidence)
    only_logs = [r.label for r in reactions if not any(s.startswith("store:") for s in r.seen)]
    how = "the logs" if len(only_logs) == len(reactions) else "the store" if not only_logs else "the store and logs"
    return passed(f"{how} marked the link for re-authentication after token_required and invalid_credentials",
                  evidence=evidence)
