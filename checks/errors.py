"""Section 2: error handling, judged by running the integration's flows against faulting simulators."""

from __future__ import annotations

import re

from dataclasses import dataclass

from belvo_check.harness import verdicts
from belvo_check.harness.drills import (ERRORS_429, ERRORS_429_RETRY_AFTER, ERRORS_5XX_HTML, ERRORS_400_INSTITUTION_DOWN,
                                        ERRORS_400_LOGIN, ERRORS_401,
                                        ERRORS_408, ERRORS_500, ERRORS_STALL, ERRORS_STALL_CREATE,
                                        ERRORS_TOO_MANY_SESSIONS, LINKS_INVALID, Drill)
from belvo_check.model import Evidence, Finding, Status, failed, passed, warned
from belvo_check.registry import CheckContext, check, retire
from belvo_check.source.verdict import source

TIMEOUT_WORDS = re.compile(r"\btimed?[ _-]?out\b|deadline exceeded|ETIMEDOUT|ECONNABORTED|\baborted\b", re.I)
GATEWAY_WORDS = re.compile(r"\b50[234]\b|bad gateway|service unavailable|gateway time", re.I)
MAX_RETRIES = 5  # Belvo's retry policy for 5xx and too_many_sessions (docs/belvo-api.md, "What the checks rely on")


@dataclass(frozen=True)
class Faulted:
    """A drill whose faulted answers carry a request_id the logs must hold: `rule` picks the
    faulted calls (None: every answer of 400 or more), `what` names the error for the reader."""
    drill: Drill
    rule: str | None
    what: str


def _logged(ctx: CheckContext, cases: tuple[Faulted, ...]):
    """One finding per case; a case whose drill needs a flow that is not configured skips."""
    judged = []
    for case in cases:
        skip = ctx.unrunnable(case.drill)
        if skip:
            yield skip
        else:
            judged.append(case)
    for case, outcome in zip(judged, ctx.drills(*(c.drill for c in judged))):
        yield request_id_logged(ctx, outcome, case)


def request_id_logged(ctx: CheckContext, outcome, case: Faulted) -> Finding:
    """Pass when the logs hold a request_id the simulator minted for the faulted calls."""
    early = verdicts.before_judging(ctx, outcome)
    if early:
        return early
    what = case.what
    faulted = [e for e in outcome.requests(rule=case.rule) if e.request_id] if case.rule else \
        [e for e in outcome.requests() if e.request_id and e.status and e.status >= 400]
    if not faulted:
        return warned(f"drill {outcome.name}: the integration never made a call that got the {what}, so "
                      "its handling cannot be judged", evidence=verdicts.describe(ctx, outcome))
    minted = [e.request_id for e in faulted]
    logged = [rid for rid in minted if outcome.logged(rid)]
    entries = outcome.requests()
    if logged and verdicts.taken_for_success(outcome, faulted) and \
            all(verdicts.echo_only(outcome, rid) for rid in logged):
        # `log.info("link created: %s", link)` after a belvo-python POST logs the request_id of an
        # error the code took for success: the log line alone cannot tell handling from not noticing.
        return warned(f"drill {outcome.name}: the request_id of the {what} appears only inside a dump of "
                      "Belvo's error body, and the flow exited 0 as if it had succeeded: whether the error was "
                      "handled or taken for data cannot be told",
                      evidence=verdicts.describe(ctx, outcome, entries=outcome.requests(), needle=logged[-1]))
    if logged:
        return passed(f"the request_id of the {what} is logged ({len(logged)} of {len(minted)} minted ids found)",
                      evidence=verdicts.describe(ctx, outcome, entries=entries, needle=logged[-1]))
    return failed(f"drill {outcome.name}: none of the {len(minted)} request_id(s) minted for the {what} "
                  f"appears in the logs ({', '.join(minted[:3])}{'...' if len(minted) > 3 else ''})",
                  evidence=verdicts.describe(ctx, outcome, entries=entries))


LOGGED_400 = (Faulted(ERRORS_400_LOGIN, None, "400 login_error on link creation"),
                Faulted(ERRORS_400_INSTITUTION_DOWN, ERRORS_400_INSTITUTION_DOWN.rule("institution-down"),
                        "400 institution_down on sync"),
                Faulted(LINKS_INVALID, LINKS_INVALID.rule("invalid-link"), "400 invalid_link on sync"))
LOGGED_401 = (Faulted(ERRORS_401, ERRORS_401.rule("unauthorized"), "401 authentication_failed"),)
LOGGED_500 = (Faulted(ERRORS_500, ERRORS_500.rule("server-error"), "500 unexpected_error"),)
LOGGED_408 = Faulted(ERRORS_408, ERRORS_408.rule("request-timeout"), "408 request_timeout")
STALLS = {ERRORS_STALL.rule("stall"), ERRORS_STALL_CREATE.rule("stall-create")}


@check(
    id="BLV201",
    title="request_id of 400 errors is logged",
    failure_title="request_id of 400 errors is not logged",
    checklist="The integration handles AND logs the request_id of 400 and 401 errors.",
    evidence=[Evidence.HARNESS],
    drills=[c.drill for c in LOGGED_400],
    hint="On any Belvo error, log status, code and the request_id from the error body (a JSON array).",
    source=source("request_id_logged", proves=False, every_site=False),
)
def logs_400(ctx: CheckContext):
    """
    ## What it checks
    Runs the integration's flows against the simulator three times: link creation with wrong bank
    credentials (400 `login_error`), a sync while the institution is down (400 `institution_down`)
    and a sync of a link whose credentials stopped working (400 `invalid_link`). Each error body
    carries a fresh `request_id`; the check looks for that exact value in the logs the config names
    (`integration.logs`). A crash or a hang fails too. A `request_id` found only inside a dump of
    Belvo's error body (its message text too), from a flow that exited 0, warns: belvo-python returns
    error bodies as data by default, so the dump may be the code taking the error for a success.

    ## Why Belvo asks
    The integration checklist asks that 400 errors are handled and their `request_id` logged:
    it is the only handle Belvo support has on a failed call.

    ## How to fix
    Parse the error body (a JSON array of `{code, message, request_id, field?}`) and log all three.

    ## Example
    ```python
    except BelvoError as exc:
        log.error("belvo error status=%s code=%s request_id=%s", exc.status, exc.code, exc.request_id)
    ```
    """
    yield from _logged(ctx, LOGGED_400)


@check(
    id="BLV202",
    title="request_id of 401 errors is logged",
    failure_title="request_id of 401 errors is not logged",
    checklist="The integration handles AND logs the request_id of 400 and 401 errors.",
    evidence=[Evidence.HARNESS],
    drills=[c.drill for c in LOGGED_401],
    hint="Log the request_id of a 401 authentication_failed (and alert: the keys are wrong or revoked).",
    source=source("request_id_logged", proves=False, every_site=False),
)
def logs_401(ctx: CheckContext):
    """
    ## What it checks
    A sync against a simulator that answers every data call with 401 `authentication_failed`:
    the minted `request_id` must appear in the integration's logs, without a crash or a hang.

    ## Why Belvo asks
    The checklist asks for the `request_id` of 401 errors. A 401 in production usually means the
    wrong environment's keys, or rotated keys: support needs the id to confirm.

    ## How to fix
    Treat 401 like every Belvo error: log status, code and `request_id`; do not retry it.

    ## Example
    `belvo error status=401 code=authentication_failed request_id=9e7b283c6efa449c9c028a16b5c249fb`
    """
    yield from _logged(ctx, LOGGED_401)


@check(
    id="BLV203",
    title="request_id of 500 errors is logged",
    failure_title="request_id of 500 errors is not logged",
    checklist="The integration handles AND logs the request_id of 500 errors.",
    evidence=[Evidence.HARNESS],
    drills=[c.drill for c in LOGGED_500],
    hint="When retries of a 5xx run out, log the request_id of the last answer (and of each retry if you can).",
    source=source("request_id_logged", proves=False, every_site=False),
)
def logs_500(ctx: CheckContext):
    """
    ## What it checks
    A sync against a simulator that answers every data call with 500 `unexpected_error`. Whatever
    the integration retries, at least one of the `request_id`s the simulator minted must reach the
    logs; a crash or a hang fails.

    ## Why Belvo asks
    The checklist asks for the `request_id` of 500 errors: a 500 is Belvo's (or the
    institution's) problem, and support can only trace it by that id.

    ## How to fix
    Keep the parsed error of the last attempt and log its `request_id` when giving up.

    ## Example
    `belvo server error status=500 request_id=0e6a33fb8e6fd6267e028f5252bc19c7, giving up after 3 retries`
    """
    yield from _logged(ctx, LOGGED_500)


@check(
    id="BLV207",
    title="request_id of 408 errors is logged",
    failure_title="request_id of 408 errors is not logged",
    checklist="The integration handles AND logs the request_id of timeout errors.",
    evidence=[Evidence.HARNESS],
    drills=[ERRORS_408],
    flows=["create_link", "sync"],
    hint="Log the request_id of a 408 request_timeout like any Belvo error.",
    source=source("request_id_logged", proves=False, every_site=False),
)
def logs_408(ctx: CheckContext):
    """
    ## What it checks
    A sync against a simulator that answers every data call with 408 `request_timeout` (Belvo's
    own time limit with the institution ran out): the minted `request_id` must appear in the
    logs, without a crash or a hang. Together with BLV208 it replaces BLV204, retired because it
    judged two checklist sentences at once and hid a passing one behind a failing one.

    ## Why Belvo asks
    The checklist asks for the `request_id` of timeout errors: support traces the institution's
    slowness by it.

    ## How to fix
    Treat 408 like every Belvo error: log status, code and `request_id`.

    ## Example
    `belvo error status=408 code=request_timeout request_id=5b1c0a7e3d2f4e6a8b9c0d1e2f3a4b5c`
    """
    yield from _logged(ctx, (LOGGED_408,))


@check(
    id="BLV208",
    title="Stalled calls are given up within the flow budget and logged",
    failure_title="A stalled call hangs the integration",
    checklist="The integration handles timeout errors: a call that never answers is given up and logged.",
    evidence=[Evidence.HARNESS],
    drills=[ERRORS_STALL_CREATE, ERRORS_STALL],
    hint="Set a client timeout on every Belvo call, shorter than integration.timeout, and log the call that "
         "timed out.",
    # The code shows whether each call can hang; that a timed-out call is logged and ends within the flow
    # budget only behaviour shows: a pass from the code alone is decided by source, and the report
    # names the drills that would prove it.
    source=source("timeout", proves=False),
)
def stalls(ctx: CheckContext):
    """
    ## What it checks
    Two drills in which the simulator never answers: link creation (`POST /api/links/`), then
    the sync's data calls. Each stall outlasts the flow budget, `integration.timeout`: the flow
    must give up on its own before it, and log that the call timed out. A flow still running at
    `integration.timeout` is killed and fails, and the finding says why: no client timeout, or
    one longer than the flow budget. Each drill needs only its own flows: an integration with link
    creation and no sync is judged on the creation stall alone. Together with BLV207 it replaces
    BLV204, retired because it judged two checklist sentences at once.

    ## In the code
    With `source:` configured, every Belvo call in the code (SDK calls and raw HTTP calls to a Belvo host,
    path or base-URL variable) is judged on the client that sends it: a timeout argument, the client object
    it is called on (traced to its constructor: `httpx.Client(timeout=10)`, `axios.create({timeout})`,
    `&http.Client{Timeout: ...}`, `OkHttpClient.Builder().readTimeout(...)`, `Faraday.new(request: {timeout:})`,
    `new Client(['timeout' => 10])`, `new HttpClient { Timeout = ... }`), a Go context deadline in the same
    function, or the client's default: belvo-python POSTs, belvo-js, requests, fetch, axios, got, superagent, Go's
    `http.DefaultClient`, RestTemplate, WebClient, java.net.http and Guzzle wait forever (fail); httpx (5 s),
    OkHttp (10 s) and Laravel Http (30 s) pass; aiohttp (300 s), .NET HttpClient (100 s), Faraday, belvo-ruby
    and a client built in another file warn. A timeout of 0, None, nil or infinite is none. Each failing call
    is reported at `path:line:col`. A timeout on every call does not show that a timed-out call is logged
    or ends within `integration.timeout`: without the harness, that pass is decided by source and names the drills that would prove it. Suppress a call that
    does not apply (a job with its own deadline) with a comment on or above it:
    `belvo-check: ignore[BLV208] reason`.

    ## Why Belvo asks
    The checklist asks that timeout errors are handled. A client with no timeout (the default of
    Python requests, fetch, axios, and belvo-python's POSTs) hangs a worker forever on one stuck call.

    ## How to fix
    Pass a timeout on every call, POSTs included (retrievals can be slow: minutes, or use async
    mode), catch the timeout, and log which call it was. Set `integration.timeout` above it.

    ## Example
    ```python
    httpx.Client(timeout=30)  # then: except httpx.TimeoutException: log.error("belvo request timed out ...")
    ```
    """
    # Each drill needs only its own flows: an integration with link creation and no sync is judged
    # on the creation stall alone, the other drill skipping with the config line it needs.
    drills = (ERRORS_STALL_CREATE, ERRORS_STALL)
    outcomes = {outcome.name: outcome for outcome in ctx.drills(*ctx.runnable(*drills))}
    for drill in drills:
        yield _given_up(ctx, outcomes[drill.name]) if drill.name in outcomes else ctx.unrunnable(drill)


def _given_up(ctx: CheckContext, outcome) -> Finding:
    """A stalled call must end its flow before integration.timeout, with a timeout in the logs."""
    early = verdicts.before_judging(ctx, outcome)
    if early:
        return early
    stalled = [e for e in outcome.requests() if set(e.rules) & STALLS]
    if not stalled:
        return warned(f"drill {outcome.name}: the integration made no call that stalled",
                      evidence=verdicts.describe(ctx, outcome))
    run = next(r for r in outcome.runs() if r.started <= stalled[0].time <= r.ended)
    budget = ctx.config.integration.timeout
    said = TIMEOUT_WORDS.search(outcome.logs)
    evidence = verdicts.describe(ctx, outcome, needle=said.group(0) if said else None)
    call = f"{stalled[0].method} {stalled[0].path}"
    if said:
        return passed(f"drill {outcome.name}: {run.label} gave up on the stalled {call} after "
                      f"{run.result.duration:.1f}s, within the flow budget (integration.timeout {budget:g}s), "
                      "and logged a timeout", evidence=evidence)
    if run.result.exit_code != 0:
        return warned(f"drill {outcome.name}: {run.label} gave up on the stalled {call} (exit "
                      f"{run.result.exit_code}) but nothing in the logs says a call timed out", evidence=evidence)
    return failed(f"drill {outcome.name}: {run.label} ended with exit 0 although its {call} never got an "
                  "answer, and logged no timeout", evidence=evidence)


retire("BLV204", "Timeouts are handled and logged", "it judged two checklist sentences at once, so a passing one "
       "hid behind a failing one: BLV207 judges the request_id of a 408, BLV208 judges stalled calls")


@check(
    id="BLV205",
    title="Retries follow Belvo's policy",
    failure_title="Retries do not follow Belvo's policy",
    checklist="Belvo documents the retry logic it expects: 50x with exponential backoff, at most 5 retries; "
              "40x never retried, except too_many_sessions.",
    evidence=[Evidence.HARNESS],
    drills=[ERRORS_500, ERRORS_TOO_MANY_SESSIONS, ERRORS_400_INSTITUTION_DOWN, ERRORS_401, ERRORS_400_LOGIN],
    flows=["create_link", "sync"],
    hint="Retry 5xx and too_many_sessions with growing waits, at most 5 times; never retry other 4xx.",
)
def retry_policy(ctx: CheckContext):
    """
    ## What it checks
    From the simulator's journal: after a 500 or a 400 `too_many_sessions`, the same call is
    retried at least once and at most 5 times, with waits that grow. Passing needs every wait
    clearly longer than the one before (by 25% and at least 100 ms) and the last at least 1.8
    times the first. Waits all within one narrow band (a fixed sleep) or no wait at all fail.
    Anything between (a single retry, a full-jitter backoff, a wait stretched by a loaded machine)
    warns with the waits seen, never passes. After a 400 (`login_error`, `institution_down`) or a
    401 the call is never repeated.

    ## Why Belvo asks
    Belvo's retry policy: 50x errors get automatic exponential backoff (base 3 s, factor 2, at
    most 5 retries); 40x are client errors and must not be retried, except `too_many_sessions`.
    Hammering a failing institution makes the outage worse; retrying a `login_error` can lock the
    user's bank account.

    ## How to fix
    One retry loop in your Belvo client: retry when `status >= 500 or code == "too_many_sessions"`,
    sleep `base * 2**attempt`, give up after 5.

    ## Example
    ```python
    if resp.status_code >= 500 and attempt < 5:
        time.sleep(3 * 2 ** attempt); continue
    ```
    """
    cases = [(drill, rule, judge) for judge, group in ((_retried_with_backoff, RETRIED), (_not_retried, NOT_RETRIED))
             for drill, rule in group]
    runnable = ctx.runnable(*(drill for drill, _, _ in cases))
    outcomes = {outcome.name: outcome for outcome in ctx.drills(*runnable)}
    for drill, rule, judge in cases:  # a drill this integration cannot run (say, link creation) skips alone
        yield judge(ctx, outcomes[drill.name], rule) if drill.name in outcomes else ctx.unrunnable(drill)


# (drill, the rule whose answers must be retried / must not be); None: the simulator's own 400.
RETRIED = ((ERRORS_500, ERRORS_500.rule("server-error")),
           (ERRORS_TOO_MANY_SESSIONS, ERRORS_TOO_MANY_SESSIONS.rule("too-many-sessions")))
NOT_RETRIED = ((ERRORS_400_INSTITUTION_DOWN, ERRORS_400_INSTITUTION_DOWN.rule("institution-down")),
               (ERRORS_401, ERRORS_401.rule("unauthorized")), (ERRORS_400_LOGIN, None))


@dataclass
class Attempts:
    """The calls to one endpoint that got the drill's fault, in order: the first, then retries."""
    method: str
    path: str
    entries: list

    @property
    def retries(self) -> int:
        return len(self.entries) - 1

    def gaps(self) -> list[float]:
        """Seconds between the end of one attempt and the start of the next."""
        return [b.time - (a.time + a.duration) for a, b in zip(self.entries, self.entries[1:])]


def attempts(outcome, rule: str) -> list[Attempts]:
    """Faulted calls grouped by endpoint, per flow run (a second sync is not a retry)."""
    groups: dict[tuple, Attempts] = {}
    for run in outcome.runs():
        for e in outcome.requests(during=run):
            if rule in e.rules:
                key = (run.step, e.method, e.path)
                groups.setdefault(key, Attempts(e.method, e.path, [])).entries.append(e)
    return list(groups.values())


NO_WAIT = 0.1  # seconds: below this a retry did not wait, it only took its turn
STEP = 0.1  # seconds each wait must add to the one before to count as growth: above scheduling noise
FLAT_BAND = 0.15  # waits within 15% (or 50 ms) of each other are one fixed wait


def backoff_shape(gaps: list[float]) -> tuple[str, str]:
    """(`grows` | `flat` | `irregular`, why) of the waits between retries.

    A loaded machine only ever adds time to a wait, and in bursts: one late wake-up can make a
    fixed wait look longer, or a growing one look uneven. So growth passes only when every wait
    is clearly longer than the one before (by 25% and at least 100 ms) and the last at least
    1.8 times the first, which a fixed sleep cannot fake without two ever-larger delays in a
    row; flat fails only when every wait falls in one narrow band (or none waited at all); all
    else (a full-jitter backoff, a spike) is irregular, for a warning. One wait cannot show growth.
    """
    waits = ", ".join(f"{g:.2f}s" for g in gaps)
    if not gaps or max(gaps) < NO_WAIT:
        return "flat", f"retried without waiting ({waits or 'no wait'}): no backoff"
    if len(gaps) >= 2 and max(gaps) - min(gaps) <= max(0.05, FLAT_BAND * min(gaps)):
        return "flat", f"the waits do not grow ({waits}): a fixed wait is not exponential backoff"
    grows = all(b - a >= max(STEP, 0.25 * a) for a, b in zip(gaps, gaps[1:]))
    if len(gaps) >= 2 and min(gaps) >= NO_WAIT and grows and gaps[-1] >= 1.8 * gaps[0]:
        return "grows", f"the waits grow ({waits})"
    if len(gaps) == 1:
        return "irregular", f"one retry after {waits}: one wait cannot show a growing backoff"
    return "irregular", f"irregular waits: {waits}; jitter or machine load?"


def _retried_with_backoff(ctx: CheckContext, outcome, rule: str) -> Finding:
    early = verdicts.not_run(ctx, outcome)
    if early:
        return early
    groups = attempts(outcome, rule)
    entries = outcome.requests()
    if not groups:
        return warned(f"drill {outcome.name}: no call got the fault, so retries cannot be judged",
                      evidence=verdicts.describe(ctx, outcome))
    group = max(groups, key=lambda g: g.retries)
    gaps = group.gaps()
    seen = f"{group.method} {group.path}: {group.retries} retries, waits {', '.join(f'{g:.2f}s' for g in gaps) or 'none'}"
    evidence = verdicts.describe(ctx, outcome, entries=entries, extra=f"retries: {seen}")
    if group.retries == 0:
        return failed(f"drill {outcome.name}: the failed call was not retried ({outcome.drill.does})",
                      evidence=evidence)
    if group.retries > MAX_RETRIES:
        return failed(f"drill {outcome.name}: {group.retries} retries, more than Belvo's {MAX_RETRIES}",
                      evidence=evidence)
    shape, why = backoff_shape(gaps)
    if shape == "flat":
        return failed(f"drill {outcome.name}: {why}", evidence=evidence)
    if shape == "irregular":
        return warned(f"drill {outcome.name}: {why}",
                      hint="Sleep base * 2 ** attempt between retries (jitter around it, not instead of it).",
                      evidence=evidence)
    return passed(f"drill {outcome.name}: retried at most {MAX_RETRIES} times; {why}", evidence=evidence)


def _not_retried(ctx: CheckContext, outcome, rule: str | None) -> Finding:
    early = verdicts.not_run(ctx, outcome)
    if early:
        return early
    if rule:
        groups = attempts(outcome, rule)
    else:  # the simulator's own 400 on link creation: calls after it to the same endpoint are retries
        groups = [Attempts("POST", "/api/links/", [e for e in outcome.requests(method="POST", path_prefix="/api/links")
                                                  if e.status and e.status >= 400])]
    repeated = [g for g in groups if g.retries > 0]
    evidence = verdicts.describe(ctx, outcome)
    if repeated:
        g = repeated[0]
        return failed(f"drill {outcome.name}: a client error was retried {g.retries} time(s) "
                      f"({g.method} {g.path})", evidence=evidence)
    if not any(g.entries for g in groups):
        return warned(f"drill {outcome.name}: no call got the fault", evidence=evidence)
    return passed(f"drill {outcome.name}: the client error was not retried", evidence=evidence)


@check(
    id="BLV206",
    title="Non-JSON 5xx bodies are tolerated",
    failure_title="A 502/503 with an HTML body breaks the integration",
    checklist="The integration handles 500 errors (Belvo's retry policy speaks of 50x; a proxy may answer "
              "502/503 with an HTML page).",
    evidence=[Evidence.HARNESS],
    drills=[ERRORS_5XX_HTML],
    flows=["create_link", "sync"],
    hint="Parse error bodies defensively: if the body is not JSON, log the status and move on.",
)
def non_json_5xx(ctx: CheckContext):
    """
    ## What it checks
    A sync against a simulator that answers 503 and 502 with an nginx HTML page instead of Belvo's
    JSON array. The integration must not crash or hang, and must report the failure (a non-zero
    exit or a log line naming the status), not pretend the sync worked.

    ## Why Belvo asks
    Belvo's retry policy covers "50x" errors; gateways in front of any API answer 502, 503 and
    504 with HTML. Code that does `resp.json()[0]["request_id"]` on every error crashes exactly
    when Belvo is having a bad day.

    ## How to fix
    Wrap the body parse: on a non-JSON error body keep the status and reason, log them, retry
    per the 5xx policy.

    ## Example
    ```python
    try: body = resp.json()
    except ValueError: body = None   # a proxy's HTML page
    ```
    """
    outcome = ctx.drill(ERRORS_5XX_HTML)
    early = verdicts.before_judging(ctx, outcome)
    if early:
        return early
    sync = outcome.run_of("sync")
    if sync is None:  # create_link made no link, so no sync ran
        return warned(f"drill {outcome.name}: the sync did not run ({outcome.flows[-1].not_run}), so the "
                      "502/503 handling cannot be judged", evidence=verdicts.describe(ctx, outcome))
    said = GATEWAY_WORDS.search(outcome.logs)
    evidence = verdicts.describe(ctx, outcome, needle=said.group(0) if said else None)
    if sync.result.exit_code == 0 and not said:
        return failed("the sync reported success (exit 0) and logged nothing although every call got a 502/503",
                      evidence=evidence)
    return passed(f"HTML 502/503 bodies were handled without a crash (sync exit {sync.result.exit_code})",
                  evidence=evidence)


@check(
    id="BLV209",
    title="A 429 is never hammered",
    failure_title="A 429 (rate limited) is retried too soon",
    checklist="Belvo documents the retry logic it expects; a 429 (documented for deletes) asks the client to slow "
              "down.",
    evidence=[Evidence.HARNESS],
    drills=[ERRORS_429_RETRY_AFTER, ERRORS_429],
    flows=["create_link", "sync"],
    severity=Status.WARN,
    hint="On 429, wait the Retry-After seconds when the answer gives them, back off when it does not, and give up "
         "after a few tries.",
    source=source("rate_limit", proves=False, every_site=False),
)
def rate_limited(ctx: CheckContext):
    """
    ## What it checks
    Two drills in which the first 3 sync calls get 429 `too_many_requests`: one with a
    `Retry-After: 1` header, one without. From the journal, the wait before each retry of a
    rate-limited call: with Retry-After it must be at least that long; without it, there must be
    a wait (not an immediate retry); never more than 5 retries in a row. Not retrying at all
    hammers nothing and passes. Advisory (warn): Belvo documents 429 only for deletes.

    ## In the code
    With `source:` configured, the code is read for 429 or rate-limit handling: `429`,
    `too_many_requests`, `Retry-After`, or a retry library (tenacity, backoff, urllib3 `Retry`, axios-retry,
    p-retry, Polly, resilience4j, faraday-retry). Seeing one shows intent, not that the waits are right, so
    alone it is a pass decided by source, the report naming the drills that would prove it; code that calls Belvo and mentions none
    is a warning too. Suppress with `belvo-check: ignore[BLV209] reason`.

    ## Why Belvo asks
    A 429 means "slow down". Retrying at once, or before the time the server named, keeps the
    client rate-limited and adds load where there is already too much.

    ## How to fix
    Read `Retry-After` (seconds) and sleep that long before retrying; without it, back off
    exponentially; stop after a few attempts.

    ## Example
    ```python
    if resp.status_code == 429:
        time.sleep(float(resp.headers.get("Retry-After", 3 * 2 ** attempt))); continue
    ```
    """
    for outcome, retry_after in zip(ctx.drills(ERRORS_429_RETRY_AFTER, ERRORS_429), (1.0, None)):
        yield _polite(ctx, outcome, retry_after)


def _polite(ctx: CheckContext, outcome, retry_after: float | None) -> Finding:
    early = verdicts.before_judging(ctx, outcome)
    if early:
        return early
    limited = [e for e in outcome.requests() if e.status == 429]
    if not limited:
        return warned(f"drill {outcome.name}: no call got the 429", evidence=verdicts.describe(ctx, outcome))
    calls = outcome.requests()
    waits = []
    for e in limited:  # the wait between a 429 and the next call to the same endpoint
        later = next((n for n in calls if n.seq > e.seq and (n.method, n.path) == (e.method, e.path)), None)
        if later:
            waits.append(later.time - (e.time + e.duration))
    seen = ", ".join(f"{w:.2f}s" for w in waits)
    evidence = verdicts.describe(ctx, outcome, entries=calls, extra=f"waits after a 429: {seen or 'none'}")
    if not waits:
        return passed(f"drill {outcome.name}: the 429 was not retried, so nothing was hammered", evidence=evidence)
    if len(waits) > MAX_RETRIES:
        return failed(f"drill {outcome.name}: {len(waits)} retries of rate-limited calls, more than "
                      f"{MAX_RETRIES}", evidence=evidence)
    if retry_after is not None:
        short = [w for w in waits if w < retry_after - 0.05]
        if short:
            return failed(f"drill {outcome.name}: retried {short[0]:.2f}s after a 429 whose Retry-After asked for "
                          f"{retry_after:g}s (waits {seen})", evidence=evidence)
        return passed(f"drill {outcome.name}: waited the Retry-After ({retry_after:g}s) before each retry "
                      f"(waits {seen})", evidence=evidence)
    if min(waits) < NO_WAIT:
        return failed(f"drill {outcome.name}: retried a 429 without waiting (waits {seen})", evidence=evidence)
    return passed(f"drill {outcome.name}: waited before each retry of a 429 (waits {seen})", evidence=evidence)


@check(
    id="BLV210",
    title="Every Belvo call's error answers are handled",
    failure_title="A Belvo call's error answers pass as data",
    checklist="The integration handles AND logs the request_id of 400 and 401 errors, 500 errors and timeout "
              "errors: here, that each Belvo call handles its error answers.",
    evidence=[],
    hint="Check the status of every Belvo answer (or use a client that raises and catch it); with belvo-python, "
         "pass raise_exception=True to create/retrieve/resume.",
    source=source("error_handling", "unchecked_post"),
)
def errors_handled(ctx: CheckContext):
    """
    ## What it checks
    Read from the code alone: each Belvo call (SDK calls, and raw HTTP calls to a Belvo host, API path or
    base-URL variable) in Python, JavaScript/TypeScript, Go, Java, Ruby, PHP and C#, judged where it is
    made, at `path:line:col`:
    - passes when a client that does not raise has the answer's status checked (`if (!res.ok)`,
      `resp.StatusCode >= 400`, `response.success?`, `IsSuccessStatusCode`...);
    - judges a client that raises on error answers (axios, got, RestTemplate, WebClient's `retrieve()`,
      Guzzle, belvo-js, belvo-python GETs and POSTs with `raise_exception=True`, and any answer given to
      `raise_for_status()`, Laravel `->throw()` or `EnsureSuccessStatusCode()`) on the path its exception
      takes: it throws before a status check after the call runs, so such a check is no handling. It passes
      when the exception is caught by a clause naming its type, a superclass or no type: around the call,
      around every call of its function in the code read, or in a handler the tree registers (Spring
      `@ExceptionHandler`, Flask `errorhandler`, FastAPI `exception_handler`, Rails `rescue_from`, ASP.NET
      `UseExceptionHandler`, Express error middleware where `express-async-errors` passes rejected routes
      to it). A catch or a handler of other exception types does not count, and the doubt names them.
      Faraday counts as raising when its `raise_error` middleware is used;
    - fails when a client that does not raise (requests, httpx, aiohttp, fetch, Go net/http, java.net.http,
      OkHttp, Net::HTTP, Faraday, HTTParty, Laravel Http, .NET HttpClient) gets an answer whose status
      nothing checks (Go's `if err != nil` catches transport errors only), and when a belvo-python POST
      (`create`, `retrieve`, `resume`) without `raise_exception=True` has its result dropped;
    - warns where the code cannot settle it: the answer is returned to a caller, a raising client whose
      exception nothing seen catches, a check nearby but not on this answer, the app's own request wrapper,
      or a belvo-python POST result kept but never told apart from Belvo's error list;
    - warns at a handler that reads a fixed position past the first of Belvo's error list (`errors[1]`,
      `body[1].code`, `response.data[1]`): Belvo usually sends one error, so that handler breaks on it.

    A Belvo call is any call to a host of Belvo's families (today's `api.belvo.com` and `sandbox.belvo.com`,
    the legacy `belvo.co` hosts), however the URL is built: constants joined or interpolated into it, a name
    imported from the app's own config module, a client object given a Belvo base URL, or an SDK.

    There is no behaviour evidence for this item: the harness checks (BLV201-BLV209) show what each
    error does on the paths the flows take; this check covers the paths they do not.

    ## Why Belvo asks
    The checklist asks that 400, 401, 500 and timeout errors are handled. An error answer that is never
    noticed is the worst kind: belvo-python's POST helpers return Belvo's error list as if it were the
    created link, and `fetch`, `requests` or `HttpClient` hand back a 500 like any answer, so the error
    is stored or shown as data and its `request_id` is lost.

    ## How to fix
    Check the status of every answer, or let the client raise and catch it where you log the
    `request_id`. With belvo-python, pass `raise_exception=True` (or test `isinstance(result, list)`).
    Suppress a call that does not apply with a comment on or above it:
    `belvo-check: ignore[BLV210] reason`.

    ## Example
    ```python
    link = client.Links.create(institution, username, password, raise_exception=True, timeout=30)
    resp = requests.post(f"{base}/api/accounts/", json=body, timeout=30); resp.raise_for_status()
    ```
    """
