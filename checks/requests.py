"""Section 3: request handling (success codes, pagination, ids), judged from the plain harness drill."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qs, urlsplit

from belvo_check.harness import verdicts
from belvo_check.harness.drills import PAGINATION, PLAIN, REPEAT_PAGES
from belvo_check.model import Evidence, Finding, failed, passed, skipped, warned
from belvo_check.registry import CheckContext, check
from belvo_check.source.verdict import source

MAX_PAGE_SIZE = 1000  # Belvo clamps a larger page_size to this (docs/belvo-api.md, "What the checks rely on")
REPEATED = REPEAT_PAGES.rule("repeat-pages")


def duplicates(ids: list[str]) -> dict[str, int]:
    """Ids seen more than once, with their count."""
    return {k: n for k, n in Counter(ids).items() if n > 1}


@check(
    id="BLV301",
    title="200, 201 and 202 responses are handled",
    failure_title="Success responses (200/201/202) are not handled",
    checklist="200, 201 and 202 success responses are handled.",
    evidence=[Evidence.HARNESS],
    drills=[PLAIN],
    flows=["create_link", "sync"],
    hint="Treat every 2xx as success: 201 on creates and retrievals, 200 on reads, 202 (async) with a request_id.",
    source=source("create_status", proves=False),
)
def success_codes(ctx: CheckContext):
    """
    ## What it checks
    In the plain drill the simulator answers link creation with 201, retrievals with 201 (or
    200) and lists with 200. The flows must exit 0 without a crash, and link creation must leave
    the link in the store when a store is configured. 202 is judged only where the integration
    asked for async mode (`X-Belvo-Request-Mode: async`, the only case in which Belvo answers
    202): then its flows must handle the 202s the same way, and the data a 202 retrieval promised
    must be read (a GET of it for that link) after the webhook announcing it; otherwise a separate
    finding says 202 was not judged, and why.

    ## In the code
    The code fails where a function that POSTs to Belvo (a create or a retrieval) compares a
    status with 200 (`== 200`, `!= 200`, `StatusOK`, `HttpStatus.OK`, `HttpStatusCode.OK`,
    `code.to_i == 200`); it is a warning when the function also makes other calls, or turns
    `save_data` off (a retrieval then answers 200). A check that accepts 201 too (`status === 201 ||
    status === 200`, `in (200, 201)`, `< 300`) is fine. The widget token request (`POST /api/token/`,
    200) does not count. Every other create is judged as well: one nothing compares with 200 alone,
    and an SDK create, is a site that does it right; one sent through a function of the app the code
    does not show is a doubt naming that call. A clean code verdict alone is a pass decided by source; the
    flows prove every 2xx handled.
    Fix the comparison (any 2xx), or, where 200 is right, suppress it on the line above:
    `# belvo-check: ignore[BLV301] this POST asks for save_data=false`.

    ## Why Belvo asks
    The checklist lists 200, 201 and 202. Code that checks `status == 200` treats every 201
    create as a failure.

    ## How to fix
    Test `200 <= status < 300` (or the SDK's success flag), and read the body the status implies.

    ## Example
    `if resp.is_success: link = resp.json()  # 201 on POST /api/links/`
    """
    outcome = ctx.drill(PLAIN)
    early = verdicts.before_judging(ctx, outcome)
    if early:
        yield early
        return
    evidence = verdicts.describe(ctx, outcome)
    for run in outcome.runs("create_link") + outcome.runs("sync")[:1]:
        if run.result.exit_code != 0:
            yield failed(f"{run.label} exited {run.result.exit_code} although every answer was a success",
                         evidence=evidence)
            return
    codes = sorted({e.status for e in outcome.requests() if e.status and 200 <= e.status < 300})
    if not outcome.link_id:
        yield failed("link creation got 201 but the flow created no link the harness could see", evidence=evidence)
        return
    store = outcome.store_after("create_link")
    if store is not None and store.has("links") and outcome.real_id(outcome.link_id) not in \
            {outcome.real_id(i) for i in store.ids("links")}:
        yield failed(f"link creation answered 201 but link {outcome.link_id} is not in the store", evidence=evidence)
        return
    synchronous = [c for c in codes if c != 202]
    yield passed(f"flows succeeded on {', '.join(map(str, synchronous))}", evidence=evidence)
    # Belvo answers 202 only to a request that asks for async mode (X-Belvo-Request-Mode: async),
    # and so does the simulator: a 202 in the journal is the integration asking for it.
    accepted = [e for e in outcome.requests() if e.status == 202]
    unread = [e for e in accepted if not _read_after(outcome, e)]
    if unread:
        first = unread[0]
        yield failed(f"{first.method} {first.path} for link {(first.body or {}).get('link')} was answered 202 and "
                     "the data it promised was never read: no GET of it for that link followed the webhook that "
                     "announced it", evidence=verdicts.describe(ctx, outcome, entries=unread))
    elif accepted:
        yield passed(f"{len(accepted)} async answer(s) (202) handled: the flows that asked for async mode exited 0, "
                     "and each retrieval's data was read after its webhook",
                     evidence=verdicts.describe(ctx, outcome, entries=accepted))
    else:
        yield skipped("202 not judged: the integration never asked for async mode (X-Belvo-Request-Mode: async), "
                      "the only case in which Belvo answers 202",
                      enable="nothing to do unless the integration uses async mode")


def _read_after(outcome, accepted) -> bool:
    """Whether an async retrieval's data was read: a 202 to `POST /api/<kind>/` promises a webhook when that
    kind is ready for the link, and handling it means a GET of the kind for that link after it. Other 202s
    (an async delete, a refresh) promise no data of their own."""
    link = (accepted.body or {}).get("link") if accepted.method == "POST" else None
    if not link:
        return True
    kind = accepted.path.rstrip("/") + "/"
    return any(e.time > accepted.time and e.path.rstrip("/") + "/" == kind and e.status and 200 <= e.status < 300
               and link in str(e.query.get("link", e.query.get("link__in", ""))).split(",")
               for e in outcome.requests(method="GET"))


@check(
    id="BLV302",
    title="204 responses on delete are handled",
    failure_title="A 204 with an empty body breaks link deletion",
    checklist="204 success responses (deleting data: empty body) are handled.",
    evidence=[Evidence.HARNESS],
    drills=[PLAIN],
    flows=["create_link", "delete_link"],
    hint="Do not parse a body on 204: check the status and return.",
    source=source("json_on_204", proves=False),
)
def delete_204(ctx: CheckContext):
    """
    ## What it checks
    The plain drill ends with the `delete_link` flow: the simulator answers
    `DELETE /api/links/{id}/` with 204 and no body (or 202 in async mode). The flow must exit 0
    without a crash.

    ## In the code
    The code fails where the answer of a raw Belvo `DELETE` is parsed as JSON in the lines that
    follow it (`.json()`, `JSON.parse`, `json.NewDecoder`, `readValue`, `ReadFromJsonAsync`...),
    or by the app's own request method that parses every answer (`self._request("DELETE", ...)`).
    A parse after an explicit 204 test is fine; behind another guard, or with a parser that
    answers null on an empty body (PHP `json_decode`, Laravel `->json()`), it is a warning. A DELETE
    whose answer is not parsed is a site that does it right. A clean code verdict alone is a pass decided by
    source; the flow proves it. Fix it by returning before the parse on 204, or suppress
    a reviewed line with `# belvo-check: ignore[BLV302] reason`.

    ## Why Belvo asks
    The checklist asks that 204 responses are handled. `resp.json()` on an empty 204 body throws,
    so the deletion succeeds at Belvo while the integration reports (and maybe retries) a failure.

    ## How to fix
    Check the status first; only parse a body when there is one.

    ## Example
    `if resp.status_code == 204: return True`
    """
    outcome = ctx.drill(PLAIN)
    early = verdicts.before_judging(ctx, outcome)
    if early:
        return early
    run = outcome.run_of("delete_link")
    deletes = outcome.requests(method="DELETE", path_prefix="/api/links/")
    evidence = verdicts.describe(ctx, outcome, entries=deletes or outcome.requests())
    if run is None or not deletes:
        return warned("the delete_link flow did not call DELETE /api/links/{id}/", evidence=evidence)
    status = deletes[-1].status
    if run.result.exit_code != 0:
        return failed(f"the simulator answered {status} with an empty body and delete_link exited "
                      f"{run.result.exit_code}", evidence=evidence)
    return passed(f"delete_link handled a {status} and exited 0", evidence=evidence)


@check(
    id="BLV303",
    title="Pagination is followed to the end",
    failure_title="Pagination is not followed to the end",
    checklist="Pagination is handled (follow `next` until it is null).",
    evidence=[Evidence.HARNESS],
    drills=[PLAIN, PAGINATION],
    flows=["create_link", "sync"],
    hint="Follow `next` until it is null, with page_size at most 1000; never stop at the first page or a limit.",
    source=source("pagination"),
)
def pagination(ctx: CheckContext):
    """
    ## What it checks
    Two drills. In the plain one the link has 60 transactions, served 10 per page (like Belvo's
    sandbox); in the pagination one it has 1,050, served with production paging (100 per page
    unless `page_size` asks for more, at most 1000), so a list helper that stops at a fixed item
    count (belvo-js `list()` stops at `limit`, 100 by default) leaves transactions behind. In each,
    from the journal: no page of one list query was fetched twice in a sync, and no request asked
    for `page_size` above 1000 (a warning on its own: Belvo clamps it). From the store (when
    configured): every transaction the simulator holds was stored. Without a store, the journal must show the last page was fetched (the page
    count follows from the transactions held and the page size); when the lists use filters besides
    the link, that count is unknown and the check warns.

    ## In the code
    Every Belvo list call the code shows must follow `next`: belvo-python `list()` does (a
    generator to the end); belvo-js `list()` fails with its default limit (100 items) and warns
    with an explicit `limit`; SDKs whose paging is undocumented warn. A raw `GET` of a list path
    passes only inside a function that loops (`while`, `until`, `do`, Go's `for`) and reads
    `next`; it warns when `next` is read without a loop or only elsewhere in the file, and fails
    when the file never reads `next`. The list path a `next` loop starts from passes too. Where no list
    call can be judged because the Belvo calls' paths are built elsewhere (`http.get(path)`), each such
    call is named as a doubt instead of the item being skipped. Fix the
    call, or suppress a reviewed line (say, a one-page lookup by id) with
    `# belvo-check: ignore[BLV303] reason`.

    ## Why Belvo asks
    The checklist asks that pagination is handled. Lists are paginated (`count`, `next`,
    `previous`, `results`); stopping at the first page (or at an SDK's default `limit`) silently
    loses data.

    ## How to fix
    Loop on `next` until it is null; belvo-python's `list()` does; belvo-js `list()` stops at
    `limit` (100 by default) unless you raise it.

    ## Example
    ```python
    url = "/api/transactions/?link=...&page_size=1000"
    while url:
        page = get(url); store(page["results"]); url = page["next"]
    ```
    """
    # Plain (60 transactions, 10 per page) shows that `next` is followed; pagination (1,050
    # transactions) shows that nothing stops at a fixed item count: belvo-js `list()` with its
    # default limit of 100 reads all 60 of plain.
    for outcome in ctx.drills(PLAIN, PAGINATION):
        yield _pagination(ctx, outcome)


def _pagination(ctx: CheckContext, outcome) -> Finding:
    early = verdicts.before_judging(ctx, outcome)
    if early:
        return early
    sync = outcome.run_of("sync")
    lists = [e for e in outcome.requests(method="GET", path_prefix="/api/transactions", during=sync)]
    evidence_entries = lists or outcome.requests(during=sync)
    problems = []
    pages = [_page(e) for e in lists]
    sizes = [int(e.query["page_size"]) for e in lists if str(e.query.get("page_size", "")).isdigit()]
    # Belvo clamps a larger page_size to 1000 rather than rejecting it: harmless if `next` is
    # followed, so on its own it is a warning, not a failure.
    oversized = (f"asked for page_size={max(sizes)}, above Belvo's maximum of {MAX_PAGE_SIZE} (Belvo clamps it)"
                 if any(size > MAX_PAGE_SIZE for size in sizes) else None)
    walks = _walks(lists)
    # Per list query: the same page of two different queries (say, one per account) is no repeat.
    repeated = sorted({p for walk in walks.values() for p in duplicates([str(n) for n in walk])})
    if repeated:
        problems.append(f"fetched page(s) {', '.join(repeated)} more than once in one sync")
    expected = outcome.expected_transactions()
    store = outcome.store_after("sync")
    stored_note = ""
    if store is not None and store.has("transactions"):
        stored = {outcome.real_id(i) for i in store.ids("transactions")}
        missing = [t for t in expected if t not in stored]
        stored_note = f"store: {len(stored)} distinct transaction ids of {len(expected)} the simulator holds"
        if missing:
            problems.append(f"{len(missing)} of {len(expected)} transactions were not stored (e.g. {missing[0]})")
    elif not lists:
        return warned(f"drill {outcome.name}: the sync listed no transactions with GET, and no store is "
                      "configured to show what it kept: pagination cannot be judged",
                      evidence=verdicts.describe(ctx, outcome, entries=evidence_entries))
    else:
        # No store: the journal alone must show that the last page was reached, or an integration
        # that reads only page 1 and keeps no store read-back would pass ("followed 1 page").
        short = _short_walk(outcome, walks, len(expected))
        if short is None:
            return warned(f"drill {outcome.name}: the sync listed transactions with filters other than the "
                          "link, and no store is configured to show what it kept: whether every page was read "
                          "cannot be judged",
                          hint="Configure integration.store so belvo-check can count what was stored.",
                          evidence=verdicts.describe(ctx, outcome, entries=evidence_entries))
        if short:
            problems.append(short)
    last = max(pages, default=0)
    evidence = verdicts.describe(ctx, outcome, entries=evidence_entries, extra=stored_note or None)
    if problems:
        return failed(f"drill {outcome.name}: " + "; ".join(problems + [oversized] * bool(oversized)),
                      evidence=evidence)
    if oversized:
        return warned(f"drill {outcome.name}: every page was followed, but the sync {oversized}",
                      evidence=evidence)
    if not lists:
        # A retrieval (POST /api/transactions/) answers one unpaginated array: nothing to follow.
        return passed(f"drill {outcome.name}: no list was paginated (the retrieval answered every "
                      f"transaction at once); all {len(expected)} stored", evidence=evidence)
    return passed(f"drill {outcome.name}: followed {len(set(pages))} page(s) to the end (last page {last})"
                  + ("; every transaction stored" if stored_note else ""), evidence=evidence)


def _walks(lists) -> dict[tuple, list[int]]:
    """The pages fetched per list query (the query without `page`), in order."""
    walks: dict[tuple, list[int]] = {}
    for e in lists:
        query = tuple(sorted((k, str(v)) for k, v in (e.query or {}).items() if k != "page"))
        walks.setdefault(query, []).append(_page(e))
    return walks


def _short_walk(outcome, walks: dict[tuple, list[int]], total: int) -> str | None:
    """Which list query stopped before its last page: "" if none did; None when a query used a
    filter besides the link (then how many pages it had cannot be worked out from the journal)."""
    from belvo_check.sim.listing import page_size

    for query, pages in walks.items():
        params = dict(query)
        if set(params) - {"link", "page_size", "fields", "omit"}:
            return None
        size = page_size(params.get("page_size"), outcome.page_size_cap)
        needed = max(1, -(-total // size))
        if max(pages) < needed:
            return (f"stopped at page {max(pages)} of {needed} ({total} transactions, {size} per page): "
                    "`next` was not followed to the end")
    return ""


def _page(entry) -> int:
    raw = entry.query.get("page") or parse_qs(urlsplit(entry.path).query).get("page", ["1"])[0]
    return int(raw) if str(raw).isdigit() else 1


@check(
    id="BLV304",
    title="Object ids are stored and never duplicated",
    failure_title="Objects are stored twice (ids not used to deduplicate)",
    checklist="On success, the object's unique identifier (e.g. transaction.id) is stored, so that objects are "
              "never duplicated in the customer's database.",
    evidence=[Evidence.HARNESS],
    drills=[PLAIN, REPEAT_PAGES],
    flows=["create_link", "sync"],
    store=True,
    hint="Make the Belvo id the primary key and upsert (INSERT ... ON CONFLICT (belvo_id) DO UPDATE).",
    source=source("object_store", proves=False),
)
def ids_deduplicated(ctx: CheckContext):
    """
    ## What it checks
    Reads the store back (`integration.store`) after the plain drill's first sync (the Belvo
    ids must be there), after a second sync of the same link (no id may appear twice), and after
    a sync where the simulator repeats items across pages (no id twice either).

    ## In the code
    SQL inserts of Belvo objects and ORM inserts (Django, SQLAlchemy, ActiveRecord, Laravel,
    Sequelize, Prisma, Mongo, GORM, JPA repositories, Entity Framework). An upsert keyed on an id
    (`ON CONFLICT (belvo_id)`, `update_or_create`, `upsert_all`, `updateOrCreate`, Prisma
    `upsert`) is the code doing it; a plain insert, or an upsert naming no id (`INSERT OR IGNORE`,
    `ON DUPLICATE KEY`), is a warning: only a unique key on the Belvo id, which the code does not
    show, makes it safe. Upserts everywhere, on their own, are a pass decided by source: inserts the scan
    cannot see, or a key that is not the Belvo id, are only ruled out by the store read-back
    (`integration.store`). Suppress a reviewed line with `# belvo-check: ignore[BLV304] reason`.

    ## Why Belvo asks
    The checklist asks that each object's id is stored so objects are never duplicated.
    Retrievals behave as upserts, webhooks trigger re-fetches, and Belvo may return an item on
    two pages: an integration keyed on anything else double-counts money.

    ## How to fix
    Key every table on the Belvo id and upsert.

    ## Example
    ```sql
    CREATE TABLE transactions (belvo_id TEXT PRIMARY KEY, ...);
    INSERT INTO transactions (...) VALUES (...) ON CONFLICT (belvo_id) DO UPDATE SET ...;
    ```
    """
    plain, repeat = ctx.drills(PLAIN, REPEAT_PAGES)
    for outcome in (plain, repeat):
        early = verdicts.before_judging(ctx, outcome)
        if early:
            return early
    first, second = plain.store_after("sync", 0), plain.store_after("sync", 1)
    if first is not None and first.problems:
        return warned(f"the store could not be read: {first.problems[0]}", evidence=verdicts.describe(ctx, plain))
    if first is None or not first.has("transactions"):
        return warned("integration.store names no transactions read-back", evidence=verdicts.describe(ctx, plain))
    expected = set(plain.expected_transactions())
    ids = [plain.real_id(i) for i in first.ids("transactions")]
    known = [i for i in ids if i in expected]
    if not known:
        return failed(f"after a sync the store holds {len(ids)} transaction rows but none carries a Belvo "
                      "transaction id", evidence=verdicts.describe(ctx, plain, extra=f"store: first ids {ids[:3]}"))
    findings = []
    for label, outcome, snapshot in (("a second sync", plain, second),
                                     ("a sync with items repeated across pages", repeat,
                                      repeat.store_after("sync"))):
        if snapshot is None:
            continue
        rows = [outcome.real_id(i) for i in snapshot.ids("transactions")]
        dup = duplicates(rows)
        extra = f"store: {len(rows)} rows, {len(set(rows))} distinct ids"
        if dup:
            some, times = next(iter(dup.items()))
            extra += f"; e.g. {some} stored {times} times"
            findings.append(failed(f"after {label}, {len(dup)} transaction id(s) are stored more than once",
                                   evidence=verdicts.describe(ctx, outcome, extra=extra)))
        elif outcome is repeat and not repeat.requests(rule=REPEATED):
            # No list page was read (e.g. a POST retrieval): nothing was repeated, so say only that.
            findings.append(passed("the sync read no list pages, so no item came twice; every transaction id "
                                   "is stored once", evidence=verdicts.describe(ctx, outcome, extra=extra)))
        else:
            findings.append(passed(f"after {label}, every transaction id is stored once",
                                   evidence=verdicts.describe(ctx, outcome, extra=extra)))
    return findings
