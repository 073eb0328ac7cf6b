"""Section 5: link creation and management, judged from harness drills."""

from __future__ import annotations

import re

from belvo_check.harness import verdicts
from belvo_check.harness.drills import LINKS_INVALID, LINKS_MFA, LINKS_TOKEN_REQUIRED, PLAIN
from belvo_check.model import Evidence, Finding, failed, passed, warned
from belvo_check.registry import CheckContext, check
from belvo_check.source.verdict import source

# Belvo's own error codes and URLs: a log line that names the state only through these echoes the error.
ECHO = re.compile(r"\b(?:invalid_link|token_required)\b|https?://\S+", re.I)
MFA_WORDS = re.compile(r"\bmfa\b|token[_ ]required|\b428\b|one[- ]time|\botp\b|two[- ]factor|2fa", re.I)


def strip_echo(text: str) -> str:
    """The text without Belvo's own error messages and quoted codes: what the integration said itself."""
    from belvo_check.sim.errors import MESSAGES

    for message in MESSAGES.values():
        text = text.replace(message, " ")
    return re.sub(r"""["'](?:code|[a-z_]+)["']\s*:\s*["'][a-z_]+["']""", " ", text)


@check(
    id="BLV501",
    title="institution_user_id is stored at link creation",
    failure_title="institution_user_id is not stored at link creation",
    checklist="institution_user_id is stored when a link is created (it helps avoid duplicate links).",
    evidence=[Evidence.HARNESS],
    drills=[PLAIN],
    flows=["create_link"],
    store=True,
    hint="Store the link's institution_user_id next to its id, and look it up before creating another link.",
    source=source("institution_user_id", proves=False, every_site=False),
)
def stores_institution_user_id(ctx: CheckContext):
    """
    ## What it checks
    After the `create_link` flow of the plain drill, reads the links back from the store
    (`integration.store.links`) and compares the row of the new link with the
    `institution_user_id` the simulator returned for it.

    ## In the code
    Each mention of `institution_user_id` in code and schemas (comments and tests aside): a
    column, model field, struct tag or entity property, or a write into a store (insert, update,
    save, create, an attribute set) keeps it; a query filter (`GET /api/links/?institution_user_id=`),
    a comparison or a response type only mentions it (a warning when nothing else keeps it). One
    place keeping it is enough; without the harness it is a pass decided by source: only the store
    read-back shows the value of a new link stored at creation. It fails when the code creates
    links and never mentions it. Suppress with `# belvo-check: ignore[BLV501] reason`.

    ## Why Belvo asks
    `institution_user_id` is stable for one person at one institution: with it stored, a second
    link for the same bank user is spotted instead of billed twice.

    ## How to fix
    Save it with the link, and query `GET /api/links/?institution_user_id=...&institution=...`
    (or your own table) before creating a new link.

    ## Example
    `INSERT INTO links (belvo_id, institution_user_id, ...) VALUES (:id, :institution_user_id, ...)`
    """
    outcome = ctx.drill(PLAIN)
    early = verdicts.before_judging(ctx, outcome)
    if early:
        return early
    store = outcome.store_after("create_link")
    link_id = outcome.link_id
    if store is not None and store.problems and not store.has("links"):
        return warned(f"the store could not be read: {store.problems[0]}", evidence=verdicts.describe(ctx, outcome))
    if store is None or not store.has("links"):
        return warned("integration.store names no links read-back (SQL or command)",
                      evidence=verdicts.describe(ctx, outcome))
    if not link_id:
        return warned("the create_link flow created no link", evidence=verdicts.describe(ctx, outcome))
    expected = outcome.truth[outcome.real_id(link_id)]["record"]["institution_user_id"]
    rows = [r for r in store.rows("links") if link_id in map(str, r.values()) or
            outcome.real_id(link_id) in map(str, r.values())]
    extra = f"store: links row {rows[0] if rows else '(none for this link)'}; simulator institution_user_id {expected}"
    evidence = verdicts.describe(ctx, outcome, entries=outcome.requests(path_prefix="/api/links"), extra=extra)
    if not rows:
        return failed(f"link {link_id} is not in the store after creation", evidence=evidence)
    if any(str(v) == expected for v in rows[0].values()):
        return passed("the link's institution_user_id is stored at creation", evidence=evidence)
    return failed("the stored link row does not hold the institution_user_id Belvo returned", evidence=evidence)


@check(
    id="BLV502",
    title="invalid and token_required links are recorded",
    failure_title="invalid or token_required links go unnoticed",
    checklist="invalid and token_required link statuses are monitored, and the user is prompted to update "
              "credentials when needed.",
    evidence=[Evidence.HARNESS],
    drills=[LINKS_INVALID, LINKS_TOKEN_REQUIRED],
    flows=["create_link", "sync"],
    hint="On 400 invalid_link or 428 token_required, mark the link (status invalid/token_required) and prompt "
         "the user to reconnect in the widget's update mode.",
    source=source("link_status", proves=False, every_site=False),
)
def records_link_status(ctx: CheckContext):
    """
    ## What it checks
    Two drills: the link turns `invalid` (sync calls get 400 `invalid_link`) and the link
    turns `token_required` (retrievals get 428 `token_required`). After the sync, the integration
    must have recorded it: the link's row in the store carries that status, or a log line names
    the link together with the state in its own words. A log line whose only mention of the state
    is Belvo's error code (`invalid_link`, `token_required`) or the called URL is an echo of the
    error, not a record of the link's state: that, or no links read-back configured and nothing in
    the logs, is a warning (the evidence cannot tell). The store row without the state, and logs
    silent about the link, fail. A crash or a hang fails.

    ## In the code
    Code that compares, branches on or records `invalid`/`token_required` (link `status`, the
    LINK webhook codes `invalid_credentials` and `token_required`, the `invalid_link` and
    `token_required` error codes); a mention that does none of these (a list of states, a
    constant) is a warning, and comments do not count. One handling site is enough; without the
    harness it is a pass decided by source: only the drills show the link recorded and the user prompted.
    It fails when the code creates links and never mentions these states. Suppress with
    `# belvo-check: ignore[BLV502] reason`.

    ## Why Belvo asks
    Links break when users change their bank password or the bank asks for MFA again. Until
    the user reconnects, every sync fails; the checklist asks that these statuses are monitored
    and the user prompted.

    ## How to fix
    Map `invalid_link` to `invalid` and `token_required` to `token_required` on the link, and
    show the user a "reconnect your bank" prompt (the widget in update mode, with `link_id`).

    ## Example
    `UPDATE links SET status = 'invalid' WHERE belvo_id = :link`
    """
    cases = (("invalid", r"invalid"), ("token_required", r"token[_ ]required|\bmfa\b"))
    for (state, words), outcome in zip(cases, ctx.drills(LINKS_INVALID, LINKS_TOKEN_REQUIRED)):
        yield _recorded(ctx, outcome, state, re.compile(words, re.I))


def _recorded(ctx: CheckContext, outcome, state: str, words: re.Pattern) -> Finding:
    early = verdicts.before_judging(ctx, outcome)
    if early:
        return early
    link_id = outcome.link_id
    faulted = [e for e in outcome.requests() if e.status in (400, 428)]
    if not faulted:
        return warned(f"drill {outcome.name}: the sync made no call that revealed the {state} link",
                      evidence=verdicts.describe(ctx, outcome))
    store = outcome.store_after("sync")
    readable = store is not None and store.has("links")
    row = None
    if readable:
        row = next((r for r in store.rows("links") if link_id in map(str, r.values())), None)
    in_store = row is not None and any(words.search(str(v)) for k, v in row.items() if k != "belvo_id")
    named = [line for line in outcome.logs.splitlines() if link_id and link_id in line and words.search(line)]
    # Said in the integration's own words, not only through the echoed error code or URL.
    lines = [line for line in named if words.search(ECHO.sub(" ", line))]
    extra = f"store: links row {row}" if row is not None else "store: no links read-back for this link"
    needle = (lines or named)[0][:60] if (lines or named) else state
    evidence = verdicts.describe(ctx, outcome, needle=needle, extra=extra)
    if in_store:
        return passed(f"drill {outcome.name}: the link is stored as {state}", evidence=evidence)
    if lines:
        return passed(f"drill {outcome.name}: the logs name the link and its {state} state", evidence=evidence)
    if named:
        # An integration that logs every error with its URL or link (and code=invalid_link) but
        # never acts on it must not look like one that monitors its links.
        return warned(f"drill {outcome.name}: the logs only echo Belvo's error for the link; nothing shows "
                      f"the integration recorded the {state} state or prompted the user", evidence=evidence)
    if row is None:
        # With no links read-back (or no row to read) the store cannot be seen, so silence in the
        # logs is not proof that nothing was recorded.
        why = "the link has no row in the links read-back" if readable else "no links read-back is configured"
        return warned(f"drill {outcome.name}: the link turned {state}; the logs do not record it and {why}, "
                      "so whether it was recorded cannot be judged",
                      hint="Configure integration.store.links (with the link status) so belvo-check can see it.",
                      evidence=evidence)
    return failed(f"drill {outcome.name}: the link turned {state} but neither the store nor the logs record it",
                  evidence=evidence)


@check(
    id="BLV503",
    title="A 428 during link creation is handled",
    failure_title="A 428 (MFA token required) during link creation is not handled",
    checklist="Link creation handles MFA: a 428 token_required is resumed with the token, or reported clearly.",
    evidence=[Evidence.HARNESS],
    drills=[LINKS_MFA],
    flows=["create_link"],
    hint="Catch 428 token_required on POST /api/links/, log its request_id, and ask the user for the token "
         "(or finish in the widget).",
)
def handles_mfa(ctx: CheckContext):
    """
    ## What it checks
    Link creation with sandbox credentials that make the bank ask for a one-time token: the
    simulator answers 428 `token_required` with a `session`. Judged by what the integration did
    next, from the journal and the logs. It fails when the creation is POSTed again and gets
    another 428 (each POST opens a new MFA session at the bank, so a re-POST loop never gets
    anywhere and may lock the user out), or when the challenge vanishes: neither resumed nor
    reported. It passes when the link is resumed with `PATCH /api/links/` (session and token
    accepted), or when the challenge is surfaced: the 428's `request_id` or an MFA message in the
    integration's own words in the logs. A crash or a hang fails. When the flow exits 0 and the
    logs hold the 428 only as a dump of Belvo's error body, it warns: belvo-python returns that
    body as data by default, so the dump may be the code taking the error for a created link.

    ## Why Belvo asks
    Many institutions ask for MFA. A 428 is not a failure: it is a step of link creation. Code
    that only expects 201 crashes on it, leaves an unconfirmed link behind without a word, or
    retries the login and opens session after session.

    ## How to fix
    Handle 428 explicitly: keep `session` and `link`, ask the user for the token, and resume with
    `PATCH /api/links/` (or let the Connect widget handle MFA). Never POST the creation again.

    ## Example
    `log.warning("MFA needed for link %s (request_id=%s)", err.link, err.request_id)`, then
    `PATCH /api/links/ {"session": err.session, "token": token_from_user}`
    """
    outcome = ctx.drill(LINKS_MFA)
    early = verdicts.before_judging(ctx, outcome)
    if early:
        return early
    creations = outcome.requests(method="POST", path_prefix="/api/links/")
    asked = [e for e in creations if e.status == 428]
    if not asked:
        return warned("the simulator never answered 428: the create_link flow did not use the MFA credentials "
                      "({username}/{password})", evidence=verdicts.describe(ctx, outcome))
    links_calls = outcome.requests(path_prefix="/api/links/")
    reposts = _reposted(asked)
    if reposts:
        return failed(f"after the 428, link creation was POSTed again {len(reposts)} time(s) in "
                      f"{reposts[-1].time - asked[0].time:.2f}s and never resumed: each POST opens a new MFA "
                      "session at the bank", hint="Resume the first session with PATCH /api/links/ "
                                                  "{session, token}; never POST the creation again.",
                      evidence=verdicts.describe(ctx, outcome, entries=links_calls))
    resumed = [e for e in outcome.requests(method="PATCH", path_prefix="/api/links/")
               if e.path.rstrip("/") == "/api/links" and e.status == 200]
    rid = next((e.request_id for e in asked if e.request_id and outcome.logged(e.request_id)), None)
    said = MFA_WORDS.search(outcome.logs)
    evidence = verdicts.describe(ctx, outcome, entries=links_calls, needle=rid or (said.group(0) if said else None))
    if resumed:
        return passed("the 428 was resumed with PATCH /api/links/ (session and token accepted)", evidence=evidence)
    own = MFA_WORDS.search(strip_echo(outcome.logs))
    if (rid or said) and not own and verdicts.taken_for_success(outcome, asked) and \
            (not rid or verdicts.echo_only(outcome, rid)):
        # belvo-python's Links.create returns the 428 array as data by default; code that logs
        # "link created: <answer>" and stores it echoes the request_id and Belvo's MFA message.
        return warned("create_link exited 0 after the 428, and the logs show it only as a dump of Belvo's error "
                      "body (its request_id and message): whether MFA was handled or the answer taken for a "
                      "created link cannot be told", evidence=evidence)
    if rid:
        return passed("the 428 is surfaced: its request_id is logged, and the creation was not POSTed again",
                      evidence=evidence)
    if said:
        return passed(f"the 428 is surfaced with a clear MFA message ({said.group(0)!r}), and the creation was "
                      "not POSTed again", evidence=evidence)
    return failed("the 428 token_required was neither resumed, nor logged with its request_id, nor reported as MFA",
                  evidence=evidence)


def _reposted(asked: list) -> list:
    """The 428s after the first that answered a POST of the same creation (institution and username)."""
    def same(e) -> tuple:
        return tuple((e.body or {}).get(k) for k in ("institution", "username"))

    return [e for e in asked[1:] if same(e) == same(asked[0])]
