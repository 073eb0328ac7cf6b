"""Section 6 checks (BLV601-BLV604) judged on recorded drill outcomes: a mutated drill against plain."""

from __future__ import annotations

from belvo_check.harness.drills import (COMPAT_ADD_FIELDS, COMPAT_LONGER_STRINGS, COMPAT_SHORTER_STRINGS,
                                        COMPAT_UNKNOWN_ENUMS, PLAIN, TIMESTAMP_DRILLS, Drill)
from belvo_check.model import Status
from tests.checks.recorded import (RecordedHarness, call, decided_by_source, flow, outcome,
                                    run_check, scanned, snapshot, statuses)

TX = ["tx-1", "tx-2", "tx-3"]


def _run(drill: Drill, stored, *, sync_exit: int = 0, aliases: dict | None = None, after: tuple = ()) -> object:
    flows = [flow("create_link", 0, started=0.5, ended=1.5, link_id="link-1"),
             flow("sync", 1, exit_code=sync_exit, started=2.0, ended=3.0, link_id="link-1",
                  store=snapshot(transactions=[{"belvo_id": i} for i in stored])), *after]
    return outcome(drill, flows, [call("POST", "/api/links/", 201, at=1.0),
                                  call("GET", "/api/transactions/", 200, at=2.5)], aliases=aliases)


def test_blv601_passes_the_same_records_and_fails_lost_ones(tmp_path):
    same = RecordedHarness({"plain": _run(PLAIN, TX), "compat-add-fields": _run(COMPAT_ADD_FIELDS, TX)})
    assert run_check("BLV601", tmp_path, harness=same).status is Status.PASS
    lost = RecordedHarness({"plain": _run(PLAIN, TX), "compat-add-fields": _run(COMPAT_ADD_FIELDS, TX[:1])})
    result = run_check("BLV601", tmp_path, harness=lost)
    assert result.status is Status.FAIL and "transactions: 2 missing" in result.findings[0].message


def test_blv602_fails_ids_cut_back_to_the_plain_run_s(tmp_path):
    longer = {f"{i}-longer": i for i in TX}  # sent alias -> real id
    harness = RecordedHarness({"plain": _run(PLAIN, TX),
                               "compat-longer-strings": _run(COMPAT_LONGER_STRINGS, TX, aliases=longer),
                               "compat-shorter-strings": _run(COMPAT_SHORTER_STRINGS, TX)})
    result = run_check("BLV602", tmp_path, harness=harness)
    assert statuses(result) == [Status.FAIL, Status.PASS] and "ids were cut or rewritten" in result.findings[0].message


def test_blv603_judges_every_timestamp_variant_and_fails_a_flow_that_exits_otherwise(tmp_path):
    outcomes = {"plain": _run(PLAIN, TX)}
    outcomes.update({d.name: _run(d, TX) for d in TIMESTAMP_DRILLS})
    outcomes[TIMESTAMP_DRILLS[1].name] = _run(TIMESTAMP_DRILLS[1], [], sync_exit=1)
    result = run_check("BLV603", tmp_path, harness=RecordedHarness(outcomes))
    assert statuses(result) == [Status.PASS, Status.FAIL, Status.PASS]
    assert "exited 1 (plain run: 0)" in result.findings[1].message


def test_blv604_warns_when_the_plain_run_itself_failed(tmp_path):
    harness = RecordedHarness({"plain": _run(PLAIN, TX, sync_exit=1),
                               "compat-unknown-enums": _run(COMPAT_UNKNOWN_ENUMS, TX)})
    result = run_check("BLV604", tmp_path, harness=harness)
    assert result.status is Status.WARN and "plain drill did not sync successfully" in result.findings[0].message


def test_a_crash_in_a_step_the_compat_checks_do_not_depend_on_hides_no_failure(tmp_path):
    crashed_delete = flow("delete_link", 2, exit_code=1, started=4.0, ended=4.5, link_id="link-1",
                          stderr='Traceback (most recent call last):\n  File "app.py", line 9\nValueError: empty\n')
    outcomes = {"plain": _run(PLAIN, TX, after=(crashed_delete,))}
    outcomes.update({d.name: _run(d, TX) for d in TIMESTAMP_DRILLS})
    outcomes[TIMESTAMP_DRILLS[0].name] = _run(TIMESTAMP_DRILLS[0], [], sync_exit=1)
    result = run_check("BLV603", tmp_path, harness=RecordedHarness(outcomes))
    assert statuses(result) == [Status.FAIL, Status.PASS, Status.PASS]


def _printed(drill: Drill, stdout: str, aliases: dict | None = None) -> object:
    flows = [flow("create_link", 0, started=0.5, ended=1.5, link_id="link-1", stdout="link-1\n"),
             flow("sync", 1, started=2.0, ended=3.0, link_id="link-1", stdout=stdout)]
    return outcome(drill, flows, [call("POST", "/api/links/", 201, at=1.0),
                                  call("GET", "/api/transactions/", 200, at=2.5)], aliases=aliases)


def test_without_a_store_the_same_output_as_the_plain_run_passes_and_any_other_warns(tmp_path):
    summary = "synced 3 transactions, total 120.50: tx-1 tx-2 tx-3"
    longer = {f"{i}-longer": i for i in TX}
    harness = RecordedHarness({"plain": _printed(PLAIN, summary),
                               "compat-longer-strings": _printed(COMPAT_LONGER_STRINGS, summary.replace(
                                   "tx-1", "tx-1-longer"), aliases=longer),
                               "compat-shorter-strings": _printed(COMPAT_SHORTER_STRINGS, "synced 1 transactions")})
    result = run_check("BLV602", tmp_path, harness=harness)
    assert statuses(result) == [Status.PASS, Status.WARN]
    assert "printed exactly as in the plain drill" in result.findings[0].message
    silent = RecordedHarness({"plain": _printed(PLAIN, ""), "compat-add-fields": _printed(COMPAT_ADD_FIELDS, "")})
    assert run_check("BLV601", tmp_path, harness=silent).status is Status.WARN  # nothing printed proves nothing


# ----------------------------------------------------------------------------- source evidence

def _at(result, status: Status) -> list[tuple[str, int | None, int | None]]:
    return [(f.location.path.rsplit("repo/", 1)[-1], f.location.line, f.location.col)
            for f in result.findings if f.status is status and f.location]


def _timestamp_drills() -> RecordedHarness:
    outcomes = {"plain": _run(PLAIN, TX)}
    outcomes.update({d.name: _run(d, TX) for d in TIMESTAMP_DRILLS})
    return RecordedHarness(outcomes)


def test_blv603_source_fails_fixed_formats_in_each_language_though_the_drills_passed(tmp_path):
    source = scanned(tmp_path / "repo", {
        "app/sync.py": """\
            from datetime import datetime
            # Belvo transactions
            def collected_at(value):
                return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
            """,
        "server/sync.js": """\
            // Belvo transactions
            const at = (value) => moment(value, 'YYYY-MM-DDTHH:mm:ss.SSSZ', true);
            """,
        "belvo/parse.go": """\
            package belvo
            func At(value string) (time.Time, error) {
            \treturn time.Parse("2006-01-02T15:04:05.000Z", value)
            }
            """})
    result = run_check("BLV603", tmp_path, harness=_timestamp_drills(), source=source)
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    assert sorted(_at(result, Status.FAIL)) == [("app/sync.py", 4, 12), ("belvo/parse.go", 3, 9),
                                                ("server/sync.js", 2, 23)]
    assert statuses(result)[:4] == [Status.PASS] * 3 + [Status.FAIL]  # the drills' own verdicts stay in view


def test_blv603_fromisoformat_is_judged_by_the_python_the_project_declares(tmp_path):
    code = {"app/sync.py": """\
        from datetime import datetime
        # Belvo transactions
        def collected_at(value):
            return datetime.fromisoformat(value)
        """}
    modern = scanned(tmp_path / "new" / "repo", {**code, "pyproject.toml": '[project]\nrequires-python = ">=3.11"\n'})
    met = run_check("BLV603", tmp_path, harness=_timestamp_drills(), source=modern)
    assert met.status is Status.PASS and met.decided_by == ("harness", "source")
    alone = run_check("BLV603", tmp_path, source=modern)
    decided_by_source(alone, "integration")
    old = scanned(tmp_path / "old" / "repo", {**code, "runtime.txt": "python-3.9.18\n"})
    result = run_check("BLV603", tmp_path, source=old)
    assert result.status is Status.FAIL and _at(result, Status.FAIL) == [("app/sync.py", 4, 12)]
    assert "runtime.txt allows 3.9" in result.findings[0].message
    unknown = run_check("BLV603", tmp_path, source=scanned(tmp_path / "unknown" / "repo", code))
    assert unknown.status is Status.WARN and "no Python version declared" in unknown.findings[0].message


def test_blv601_strict_deserialisers_fail_but_a_nest_validation_pipe_is_not_about_belvo(tmp_path):
    source = scanned(tmp_path / "repo", {
        "app/models.py": """\
            from pydantic import BaseModel, ConfigDict
            class BelvoAccount(BaseModel):
                model_config = ConfigDict(extra="forbid")
            """,
        "src/Client.java": """\
            // Belvo accounts
            public class Client {
                private final ObjectMapper mapper = new ObjectMapper();
                Account read(String body) throws Exception { return mapper.readValue(body, Account.class); }
            }
            """,
        "server/main.ts": """\
            // Signs users up before they connect a bank through Belvo.
            app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
            """})
    result = run_check("BLV601", tmp_path, source=source)
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    assert _at(result, Status.FAIL) == [("app/models.py", 3, 31)]
    assert _at(result, Status.WARN) == [("src/Client.java", 4, 57)]  # Jackson's default, unless annotated elsewhere
    assert not any("main.ts" in f.location.path for f in result.findings if f.location)


def test_blv602_and_blv604_warn_on_columns_and_enums_the_code_alone_cannot_settle(tmp_path):
    source = scanned(tmp_path / "repo", {
        "db/schema.sql": """\
            -- Belvo accounts
            CREATE TABLE accounts (
                link_id VARCHAR(36),
                account_id CHAR(24),
                user_id CHAR(24),
                category TEXT CHECK (category IN ('CHECKING_ACCOUNT', 'SAVINGS_ACCOUNT'))
            );
            """,
        "src/Parse.php": """\
            <?php
            // Belvo accounts
            enum Category: string { case Checking = 'CHECKING_ACCOUNT'; }
            function category(string $raw): Category { return Category::from($raw); }
            """})
    columns = run_check("BLV602", tmp_path, source=source)
    assert columns.status is Status.FAIL and columns.decided_by == ("source",)
    assert _at(columns, Status.FAIL) == [("db/schema.sql", 4, 5)] and _at(columns, Status.WARN) == [
        ("db/schema.sql", 3, 5)]  # user_id is the app's own id: not judged
    enums = run_check("BLV604", tmp_path, source=source)
    assert enums.status is Status.WARN and enums.decided_by == ("source",)
    assert sorted(_at(enums, Status.WARN)) == [("db/schema.sql", 6, 19), ("src/Parse.php", 4, 51)]
