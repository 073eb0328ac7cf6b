"""The fixture matrix: each fixture integration gets exactly its intended verdicts on every harness check.

Most fixtures break exactly one item (pygood/app.py with one `APP_DEFECT` switch, or a Node app):
that check fails and every other harness check passes. Where a defect or a config unavoidably
changes the evidence of other checks, the fixture lists exactly the verdicts that are correct,
with the reason. Each fixture is one `belvo-check run` of all harness checks (drills are
shared and cached within a run), so the matrix costs one run per fixture.
"""
from __future__ import annotations

import json

import pytest

from belvo_check.model import Evidence
from belvo_check.registry import load_registry
from tests.conftest import ROOT, run_cli

FIXTURES = ROOT / "tests" / "fixtures" / "integrations"
# Every check judged by the harness alone (those that also probe the receiver are tests/probes' matter).
HARNESS_CHECKS = [c.meta.id for c in load_registry().all() if c.meta.behaviour == (Evidence.HARNESS,)]
COMPAT = ("BLV601", "BLV602", "BLV603", "BLV604")

# fixture -> the checks whose verdict is not "pass" (every harness check not named must pass).
EXPECTED: dict[str, dict[str, str]] = {
    "pygood": {},
    # Python, one APP_DEFECT each (cwd ../pygood).
    "py-pii-external-id": {"BLV102": "fail"},  # external_id is the user's e-mail
    "py-username-external-id": {"BLV102": "fail"},  # external_id is the bank username it was given
    "py-no-external-id": {"BLV102": "fail"},  # links created without external_id (the token flow is fine)
    "py-no-scopes": {"BLV101": "fail"},  # widget token request without scopes
    "py-no-rid-400": {"BLV201": "fail"},  # generic message, no request_id, on 400s
    "py-no-rid-401": {"BLV202": "fail"},
    "py-no-rid-500": {"BLV203": "fail"},
    "py-no-rid-408": {"BLV207": "fail"},
    "py-no-timeout": {"BLV208": "fail"},  # no client timeout: stalled calls hang until killed
    # A 30 s client timeout on link creation, beyond integration.timeout (5 s): a stalled creation hangs.
    "py-slow-create-timeout": {"BLV208": "fail"},
    # Retries 400 and 401 too, and the 428 of link creation: the creation is POSTed again (BLV503);
    # its one retry loop ignores Retry-After (BLV209, advisory: warn).
    "py-retry-4xx": {"BLV205": "fail", "BLV209": "warn", "BLV503": "fail"},
    "py-retry-no-backoff": {"BLV205": "fail"},  # 8 immediate retries of a 5xx
    "py-constant-backoff": {"BLV205": "fail"},  # fixed 0.3 s between retries: not exponential
    # Not a defect: full jitter (waits 0.6, 0.15, 0.9 s) is neither a fixed wait nor clear growth: warn.
    "py-full-jitter": {"BLV205": "warn"},
    "py-crash-html": {"BLV206": "fail"},  # traceback on an HTML 502/503 body
    # json.loads on the empty body of delete's 204 raises: only the 204 check depends on that step.
    "py-crash-204": {"BLV302": "fail"},
    "py-plain-insert": {"BLV304": "fail"},  # no key on belvo_id: a second sync stores every row twice
    "py-no-iuid": {"BLV501": "fail"},
    "py-ignore-link-status": {"BLV502": "fail"},  # store keeps "valid", logs never name the link
    "py-crash-mfa": {"BLV503": "fail"},  # treats the 428 array as the new link: TypeError
    # Logs each 428's request_id but POSTs the creation again 4 times at once, never resuming.
    "py-mfa-repost": {"BLV503": "fail"},
    "py-strict-fields": {"BLV601": "fail"},  # rejects unknown transaction fields
    "py-truncate-ids": {"BLV602": "fail"},  # VARCHAR(36)-style truncation of longer ids
    "py-timestamps-6z": {"BLV603": "fail"},  # accepts only 6 fraction digits + Z (crashes otherwise)
    "py-enum-whitelist": {"BLV604": "fail"},  # raises on an unknown transaction type
    "py-leaks-keys": {"BLV704": "fail"},
    # Handled errors logged with logger.exception (a traceback in the log is not a crash): all pass.
    "py-log-tracebacks": {},
    # The same, with chained tracebacks and messages holding Belvo's raw answer (an HTML page is
    # many lines): one crash rule, whatever the message holds.
    "py-log-chained-tracebacks": {},
    # Sync stores everything, then always exits 1. BLV301 fails (a success answered, the flow says
    # failure); the compat checks must warn, never pass, because their baseline (the plain run) failed.
    "py-sync-exit1": {"BLV301": "fail", **{c: "warn" for c in COMPAT}},
    # Logs every error with its URL and link id (code=invalid_link) but never acts on it. The echo of
    # the error is not a record of the link's state: warn.
    "py-log-url": {"BLV502": "warn"},
    # Reads only page 1 and configures no store. The journal alone must prove pagination, and
    # shows page 1 only. Without a store: BLV304/BLV501 skip (they need it), BLV502 cannot see the status the
    # app does record (warn), and the compat checks cannot compare records (warn).
    "py-first-page-nostore": {"BLV303": "fail", "BLV304": "skip", "BLV501": "skip", "BLV502": "warn",
                              **{c: "warn" for c in COMPAT}},
    # No store, but the sync prints what it stored: the compat checks compare that output with the
    # plain run's; BLV304/BLV501 skip (they need a store) and BLV502 cannot see the status (warn).
    "py-nostore-summary": {"BLV304": "skip", "BLV501": "skip", "BLV502": "warn"},
    # Silently drops transactions of unknown type and exits 0, with only a links read-back: no stored
    # transactions can prove any compat drill, nor the dedup check.
    "py-skip-enums-links-store": {"BLV304": "warn", **{c: "warn" for c in COMPAT}},
    # Node: nodegood/app.js with one APP_DEFECT each (store: a JSON file read back via store.command).
    "nodegood": {},
    "node-nopages": {"BLV303": "fail"},  # reads only the first page
    # Strict timestamp regex: the timestamp drills make its sync exit 1 without a stack trace.
    "node-strict-timestamps": {"BLV603": "fail"},
    # Webhook-only (no flows but its receiver; integration.links: simulator): every data check is earned
    # from what the webhooks made it fetch, store and log. Link creation is not its own (BLV102, BLV501,
    # BLV503 skip saying so); it has no widget_token nor delete_link flow (BLV101, BLV302 skip).
    "py-webhook-only": {"BLV101": "skip", "BLV102": "skip", "BLV302": "skip", "BLV501": "skip", "BLV503": "skip"},
    # The same shape in plain Node (its own code: http, fetch, a JSON file store read back by command).
    "node-webhook-only": {"BLV101": "skip", "BLV102": "skip", "BLV302": "skip", "BLV501": "skip", "BLV503": "skip"},
    # Async mode: its sync asks for a 202 on the transactions retrieval and its receiver (started beside the
    # flows, which name {receiver_port}) fetches them when the webhook says they are ready.
    "py-async": {},
    # The same, taking the 202 for "nothing new" and acting on no webhook: the promised data is never read
    # (BLV301), so no transaction is stored (BLV303, BLV304), and with no stored baseline the compat checks
    # cannot compare (warn).
    "py-async-202-dropped": {"BLV301": "fail", "BLV303": "fail", "BLV304": "fail", **{c: "warn" for c in COMPAT}},
    # Store-less Node tool over the npm belvo SDK, printing what it got (count, total, newest timestamp): judged
    # on its exit codes, output and journal. Its one retrieval (POST, unpaginated) lists nothing with GET and
    # nothing is kept, so whether every transaction was kept cannot be shown (BLV303 warns); BLV304/BLV501 need
    # a store (skip). The SDK's RequestError drops the Retry-After header, so it backs off on its own clock
    # (BLV209, advisory: warn). The compat checks pass on identical output, BLV502 on its log lines.
    "node-sdk-nostore": {"BLV209": "warn", "BLV303": "warn", "BLV304": "skip", "BLV501": "skip"},
    # Widget-driven (pygood's sync and delete_link, integration.links: simulator, no create_link): the data
    # checks are earned by its sync. Link creation is not its own (BLV102, BLV501, BLV503 skip saying so);
    # its sync records a link's status only on the row its own creation would have written, and there is
    # none, so whether the state was recorded cannot be judged (BLV502 warns).
    "py-widget-links": {"BLV102": "skip", "BLV501": "skip", "BLV502": "warn", "BLV503": "skip"},
}


def assert_verdicts(fixture: str, not_pass: dict[str, str]) -> None:
    """One `belvo-check run` of every harness check: each gets its listed verdict, all others pass."""
    done = run_cli("run", "-c", str(FIXTURES / fixture / "belvo-check.yaml"), "--format", "json",
                   "--select", ",".join(HARNESS_CHECKS), timeout=300)
    assert done.returncode in (0, 1), done.stderr
    assert done.stdout.lstrip().startswith("{"), f"stdout is not the JSON report: {done.stdout[:300]!r}"
    results = json.loads(done.stdout)["results"]
    got = {item["id"]: item["status"] for item in results}
    expected = {check: not_pass.get(check, "pass") for check in HARNESS_CHECKS}
    wrong = {c: got.get(c) for c in HARNESS_CHECKS if got.get(c) != expected[c]}
    messages = {item["id"]: [f["message"] for f in item["findings"]][:3] for item in results if item["id"] in wrong}
    assert got == expected, f"unexpected verdicts {wrong}: {messages}"


def test_every_fixture_folder_is_in_the_matrix():
    # sdk-* fixtures (integrations over the official SDKs) are asserted by test_sdk_integrations.py.
    folders = {p.parent.name for p in FIXTURES.glob("*/belvo-check.yaml") if not p.parent.name.startswith("sdk-")}
    assert folders == set(EXPECTED)


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_fixture_verdicts(fixture):
    assert_verdicts(fixture, EXPECTED[fixture])
