"""Section 6: non-breaking changes. Mutated responses must leave the integration's store as the plain run left it."""

from __future__ import annotations

from belvo_check.harness import verdicts
from belvo_check.harness.drills import (COMPAT_ADD_FIELDS, COMPAT_LONGER_STRINGS, COMPAT_SHORTER_STRINGS,
                                        COMPAT_UNKNOWN_ENUMS, PLAIN, TIMESTAMP_DRILLS)
from belvo_check.model import Evidence, Finding, failed, passed, warned
from belvo_check.registry import CheckContext, check
from belvo_check.source.verdict import source


def _same_as_plain(ctx: CheckContext):
    """One finding per mutated drill the check declares: no crash, flows exit as in plain, the same records stored."""
    plain, *mutated = ctx.drills(*ctx.meta.drills)
    baseline = verdicts.before_judging(ctx, plain)
    if baseline:
        yield warned(f"the plain drill itself did not run cleanly, so changes cannot be compared: "
                     f"{baseline.message}", evidence=baseline.evidence)
        return
    failing = [run for run in plain.runs_of(verdicts.steps(ctx)) if run.result.exit_code != 0]
    stored = plain.store_after("sync")
    if failing or (stored is not None and stored.has("transactions") and not stored.ids("transactions")):
        # Comparing against a plain run that failed or stored nothing would "pass" a broken integration.
        why = f"{failing[0].label} exited {failing[0].result.exit_code}" if failing else "it stored no transaction"
        yield warned(f"the plain drill did not sync successfully ({why}), so changes cannot be compared",
                     evidence=verdicts.describe(ctx, plain))
        return
    for outcome in mutated:
        yield _compare(ctx, plain, outcome)


def _records(outcome, snapshot) -> dict[str, set]:
    return {table: {outcome.real_id(i) for i in snapshot.ids(table)} for table in ("transactions", "links")
            if snapshot.has(table)}


def _altered_ids(outcome, snapshot) -> list[tuple[str, str]]:
    """(stored, sent) for stored ids the integration never received in this drill.

    When the simulator changes ids (longer/shorter strings), every id it sends is an alias of the
    real one. A stored value that is the real id itself was cut back (or rebuilt) from the alias:
    a VARCHAR(36) that truncates "uuid-<hash>" to "uuid" stores exactly the plain run's id, so the
    record comparison alone (which maps aliases back to real ids) passed it.
    """
    if not outcome.aliases:
        return []
    sent = {real: alias for alias, real in outcome.aliases.items()}
    return [(i, sent[i]) for table in ("transactions", "links") if snapshot.has(table)
            for i in snapshot.ids(table) if i in sent and i not in outcome.aliases]


def _same_output(plain, outcome) -> str | None:
    """The sync's stdout when it is not empty and every flow printed to stdout exactly what it printed
    in the plain run (ids the drill changed mapped back), else None. Logs (stderr) hold per-run
    request ids and times, so only stdout is compared."""
    def printed(run, drill) -> str:
        text = run.result.stdout
        for alias, real in drill.aliases.items():
            text = text.replace(alias, real)
        return text.strip()

    pairs = [(ref, run) for ref, run in zip(plain.flows, outcome.flows) if ref.ran and run.ran]
    sync = next((printed(run, outcome) for ref, run in pairs if run.flow == "sync"), "")
    if not sync or any(printed(ref, plain) != printed(run, outcome) for ref, run in pairs):
        return None
    return sync.splitlines()[-1][:120]


def _compare(ctx: CheckContext, plain, outcome) -> Finding:
    early = verdicts.before_judging(ctx, outcome)
    if early:
        return early
    for ref, run in zip(plain.flows, outcome.flows):
        if ref.ran and not run.ran:  # compared step by step, so a flow that did not run cannot drop out
            return failed(f"drill {outcome.name}: {run.label} did not run ({run.not_run}), though it did in "
                          "the plain run", evidence=verdicts.describe(ctx, outcome))
        if ref.ran and run.result.exit_code != ref.result.exit_code:
            return failed(f"drill {outcome.name}: {run.label} exited {run.result.exit_code} "
                          f"(plain run: {ref.result.exit_code})", evidence=verdicts.describe(ctx, outcome))
    want, got = plain.store_after("sync"), outcome.store_after("sync")
    if want is None or got is None or not want.has("transactions"):
        # Exiting 0 is not proof: a lenient parser may have skipped what it could not read. A store
        # with only a links read-back cannot show that either (the links are made before any sync).
        # What the sync printed can: the same non-empty output as in the plain run.
        what = "no store configured" if want is None or got is None else "no transactions read-back configured"
        printed = _same_output(plain, outcome)
        if printed:
            return passed(f"drill {outcome.name}: with {what}, every flow exited and printed exactly as in the "
                          "plain drill", evidence=verdicts.describe(ctx, outcome, extra=f"sync printed: {printed}"))
        return warned(f"drill {outcome.name}: flows ran as in the plain drill, without a crash, but "
                      f"with {what} the records cannot be compared",
                      hint="Configure integration.store so belvo-check can compare what was stored.",
                      evidence=verdicts.describe(ctx, outcome))
    if got.problems:
        return warned(f"drill {outcome.name}: the store could not be read back: {got.problems[0]}",
                      evidence=verdicts.describe(ctx, outcome))
    altered = _altered_ids(outcome, got)
    if altered:
        stored, sent = altered[0]
        return failed(f"drill {outcome.name}: {len(altered)} stored id(s) differ from the ids Belvo sent "
                      f"(e.g. {stored!r} stored for {sent!r}): ids were cut or rewritten",
                      evidence=verdicts.describe(ctx, outcome))
    before, after = _records(plain, want), _records(outcome, got)
    diffs = []
    for table in sorted(before):
        lost, extra = before[table] - after.get(table, set()), after.get(table, set()) - before[table]
        if lost or extra:
            sample = next(iter(lost or extra))
            diffs.append(f"{table}: {len(lost)} missing, {len(extra)} unexpected (e.g. {sample})")
    summary = "; ".join(f"{t}: {len(before[t])} in plain, {len(after.get(t, ()))} here" for t in sorted(before))
    if diffs:
        return failed(f"drill {outcome.name}: the store differs from the plain run: {'; '.join(diffs)}",
                      evidence=verdicts.describe(ctx, outcome, extra=f"store: {summary}"))
    return passed(f"drill {outcome.name}: the same records were stored as in the plain run",
                  evidence=verdicts.describe(ctx, outcome, extra=f"store: {summary}"))


_HINT = "Parse leniently: ignore unknown fields, never rely on key order or lengths, accept any ISO-8601 form."


@check(
    id="BLV601",
    title="Added fields and reordered keys are tolerated",
    failure_title="Added fields or reordered keys break the integration",
    checklist="The integration keeps working when Belvo adds fields to a response body, or returns them in "
              "another order.",
    evidence=[Evidence.HARNESS],
    drills=[PLAIN, COMPAT_ADD_FIELDS],
    flows=["create_link", "sync"],
    hint=_HINT,
    source=source("strict_deserializer", proves=False),
)
def added_fields(ctx: CheckContext):
    """
    ## What it checks
    Runs create_link and sync while the simulator adds unknown fields (and a nested unknown
    object) to every object and shuffles key order. The flows must run and exit as in the plain
    drill, without a crash, and the store must hold the same records (compared by Belvo id).
    Like every BLV6xx check, it warns (never passes) when the plain run itself failed or stored
    nothing. Without a transactions read-back (`integration.store`), what the flows printed
    stands in for the records: the same non-empty stdout of the sync as in the plain drill passes,
    anything else warns.

    ## In the code
    With `source:` configured, code and config that handle Belvo data are read for deserialisers that
    reject unknown fields: Pydantic `extra="forbid"`, Jackson `FAIL_ON_UNKNOWN_PROPERTIES` turned on
    (and a plain `new ObjectMapper()` reading into classes, which fails on them by default: a
    warning), Go `DisallowUnknownFields`, .NET `MissingMemberHandling.Error` /
    `JsonUnmappedMemberHandling.Disallow`, JSON schema `additionalProperties: false`, zod `.strict()`,
    dry-rb strict schemas, Symfony `allow_extra_attributes: false` (each a failure at `path:line:col`
    in code, a warning in config). class-validator's `forbidNonWhitelisted` is a warning in a direct
    `validate()` call and no finding in a NestJS `ValidationPipe`, which guards the app's own
    requests. Make the deserialiser ignore unknown fields, or, when it does not read Belvo's data,
    suppress the finding with `belvo-check: ignore[BLV601] reason`. The code cannot show that nothing
    else is strict: without the harness no finding is no pass.

    ## Why Belvo asks
    Belvo adds fields to responses as a non-breaking change. Strict deserializers (Pydantic
    `extra="forbid"`, Jackson `FAIL_ON_UNKNOWN_PROPERTIES`, positional parsing) break on them.

    ## How to fix
    Ignore unknown fields; address fields by name.

    ## Example
    Jackson: `@JsonIgnoreProperties(ignoreUnknown = true)`; Pydantic: `extra="ignore"`.
    """
    yield from _same_as_plain(ctx)


@check(
    id="BLV602",
    title="Longer and shorter strings are tolerated",
    failure_title="Longer or shorter strings break the integration",
    checklist="The integration keeps working when Belvo changes the number of characters of a string.",
    evidence=[Evidence.HARNESS],
    drills=[PLAIN, COMPAT_LONGER_STRINGS, COMPAT_SHORTER_STRINGS],
    flows=["create_link", "sync"],
    hint="Do not size columns or validators on today's lengths (ids included): use TEXT or generous limits.",
    source=source("fixed_columns", proves=False),
)
def string_lengths(ctx: CheckContext):
    """
    ## What it checks
    Two drills: ids and text fields get longer, then shorter. The integration must store the
    same records as in the plain drill (the simulator maps changed ids back) without a crash,
    and store each id as it was sent: an id stored shorter than received (a `VARCHAR(36)` that
    truncates) fails even though it happens to equal the plain run's id.

    ## In the code
    With `source:` configured, schemas and models of Belvo data are read for fixed-length string
    columns (SQL `VARCHAR(n)`, Django `CharField(max_length=n)`, SQLAlchemy `String(n)`, Prisma
    `@db.VarChar(n)`, Rails/Laravel `string(..., n)`, JPA/TypeORM/Doctrine `@Column(length = n)`, EF
    `[MaxLength(n)]`/`HasMaxLength(n)`, GORM `size:n`, Sequelize `STRING(n)`). A Belvo id (`belvo_id`,
    `link_id`, `account_id`, ...) under 36 characters fails; at 36 to 63 it is a warning (it fits
    today's UUIDs only); a free-text column under 255 characters is a warning. The app's own ids
    (`user_id`) and ISO codes (`currency`, `country`) are not judged. Widen the column (or use TEXT),
    or suppress a finding about a column that does not hold Belvo data with
    `belvo-check: ignore[BLV602] reason`. The code cannot show every limit: no finding is no pass.

    ## Why Belvo asks
    The number of characters of a string is not part of Belvo's contract. `VARCHAR(36)` id
    columns, fixed-width parsing and UUID validators break when it changes.

    ## How to fix
    Store ids and text as unbounded strings; do not validate ids as UUIDs.

    ## Example
    `belvo_id TEXT PRIMARY KEY` rather than `belvo_id CHAR(36)`.
    """
    yield from _same_as_plain(ctx)


@check(
    id="BLV603",
    title="Every timestamp variant is parsed",
    failure_title="Some timestamp variants break the integration",
    checklist="The integration keeps working when timestamps have 3 to 6 fraction digits and a Z or +00:00 zone.",
    evidence=[Evidence.HARNESS],
    drills=[PLAIN, *TIMESTAMP_DRILLS],
    flows=["create_link", "sync"],
    hint="Parse timestamps with an ISO-8601 parser that accepts 0-6 fraction digits and Z or +HH:MM.",
    source=source("timestamp_parse", proves=False),
)
def timestamp_variants(ctx: CheckContext):
    """
    ## What it checks
    One drill per variant: 3 fraction digits with `Z`, 3 with `+00:00`, 6 with `+00:00` (the
    plain drill already sends 6 with `Z`). The same records must be stored, without a crash.

    ## In the code
    With `source:` configured, code that handles Belvo data is read for timestamp parsing. Fixed
    formats fail at `path:line:col`: `strptime` with a literal `Z` or a fixed fraction, moment/dayjs
    strict formats, date-fns `parse` and Luxon `fromFormat`, Java `ofPattern`/`SimpleDateFormat`,
    Go `time.Parse` layouts with a fixed fraction or a literal `Z` (unless the same function falls
    back to `time.RFC3339`), PHP `createFromFormat` (and its RFC 3339 constants), C# `ParseExact`.
    `%f%z`, `%L%z` and `.uP` read every fraction and zone but not a stamp without a fraction: a
    warning, as are Java patterns with optional sections. `fromisoformat` is decided by the Python
    the project declares (`pyproject.toml` `requires-python`, `setup.cfg`/`setup.py`
    `python_requires`, `.python-version`, `runtime.txt`, `Pipfile`, a `python:3.x` Dockerfile, nearest
    the file first): 3.11+ reads every variant; earlier rejects `Z` (a failure) unless it is replaced
    by `+00:00` first; nothing declared is a warning. Tolerant parsers alone are a pass decided by source;
    the report names the harness drills that would prove it. Suppress a finding that does not parse Belvo's
    timestamps with `belvo-check: ignore[BLV603] reason`.

    ## Why Belvo asks
    Belvo's timestamps are "ISO-8601" with 3 to 6 fraction digits and `Z` or `+00:00`. A
    `strptime("%Y-%m-%dT%H:%M:%S.%fZ")` breaks on `+00:00`; Python before 3.11 `fromisoformat`
    rejects `Z`.

    ## How to fix
    Use a tolerant parser (`datetime.fromisoformat` on 3.11+, `dateutil.parser.isoparse`,
    `Date.parse` in JS).

    ## Example
    `datetime.fromisoformat(value)` on Python 3.11+; before, `dateutil.parser.isoparse(value)`.
    """
    yield from _same_as_plain(ctx)


@check(
    id="BLV604",
    title="Unknown enum values are tolerated",
    failure_title="Unknown enum values break the integration",
    checklist="The integration keeps working when Belvo adds new endpoints, enum values, webhook types and codes.",
    evidence=[Evidence.HARNESS],
    drills=[PLAIN, COMPAT_UNKNOWN_ENUMS],
    flows=["create_link", "sync"],
    hint="Store unknown enum values as they come (or map them to 'other'); never fail on them.",
    source=source("enum_parse", proves=False),
)
def unknown_enums(ctx: CheckContext):
    """
    ## What it checks
    The simulator sends enum values the integration has never seen (`type`, `status`,
    `category`, `access_mode`, ...). The same records must be stored as in the plain drill,
    without a crash.

    ## In the code
    With `source:` configured, code that handles Belvo data is read for parses into closed enums:
    Python `Category(value)` of an `Enum` class, Java `valueOf`, C# `Enum.Parse`, PHP
    `Category::from`, zod `z.enum`/`z.nativeEnum`, and database enums (`CHECK (... IN (...))`,
    `AS ENUM`, Prisma `enum`). Each is a warning at `path:line:col` unless its arguments show a
    default or fallback: the code cannot show whether an unknown value is caught around it. Use a
    tolerant form (`Category.get`, `tryFrom`, `Enum.TryParse`, a default branch), or suppress with
    `belvo-check: ignore[BLV604] reason`.

    ## Why Belvo asks
    New enum values are a non-breaking change for Belvo (new account categories, transaction
    types, statuses). A closed `Enum(...)` parse or a `CHECK` constraint rejects them.

    ## How to fix
    Keep enums open: store the raw string, map known values, fall back for the rest.

    ## Example
    `category = Category.get(raw, Category.OTHER)`
    """
    yield from _same_as_plain(ctx)
