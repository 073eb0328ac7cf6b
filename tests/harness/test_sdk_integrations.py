"""Integrations over Belvo's official SDKs get exactly their correct verdicts on every harness check.

Most real integrations use belvo-python or the npm `belvo` package, and the SDKs decide much of what
the harness sees (docs/belvo-api.md, "Official SDKs"): belvo-python's POST helpers return the error array as data unless
`raise_exception=True`, and set no timeout on POST; belvo-js `list()` stops at `limit` (100 by
default), throws RequestError(statusCode, detail), and its axios has no timeout. Each fixture is one
`belvo-check run` of all harness checks; every check not named in its row must pass.
"""
from __future__ import annotations

import shutil

import pytest

from tests.harness.test_fixtures import FIXTURES, ROOT, assert_verdicts

BELVO_JS = ROOT / "tests" / "node" / "node_modules" / "belvo"

# fixture -> the checks whose verdict is not "pass", with the reason.
EXPECTED: dict[str, dict[str, str]] = {
    # raise_exception=True, POST timeout, own 5xx retries, request_id from RequestError/HTTPError,
    # Transactions.list iterated to the end, upsert by id, institution_user_id, 428 and link states.
    "sdk-py-careful": {},
    # SDK defaults throughout (see its app.py):
    "sdk-py-naive": {
        "BLV201": "fail",  # 400 login_error array taken for the link: TypeError; GET 400s logged as str(HTTPError)
        "BLV202": "fail",  # str(HTTPError) names the URL and status, never the request_id
        "BLV203": "fail",
        "BLV207": "fail",  # 408 without request_id
        "BLV208": "fail",  # the POST calls (no SDK timeout) hang on the stall
        "BLV205": "fail",  # the SDK never retries: 500 and too_many_sessions are not retried
        "BLV206": "fail",  # the SDK parses the HTML 502 body as JSON: JSONDecodeError traceback
        "BLV501": "fail",  # institution_user_id not kept
        "BLV502": "fail",  # the links row stays "valid" and the logs never say invalid / token required
        "BLV503": "fail",  # the 428 array taken for the link: TypeError
    },
    # Only create_link, SDK defaults: logs "link created: <answer>" and stores the answer, exit 0. The
    # 400's and 428's request_ids appear only inside the dumped error body: ambiguous, so warn (both
    # passed before). The stalled creation hangs (the SDK's POSTs have no timeout): BLV208 is judged on
    # link creation alone. Everything needing sync, the token flow, delete or a store skips.
    "sdk-py-echo": {"BLV102": "pass", "BLV201": "warn", "BLV208": "fail", "BLV503": "warn",
                    **{c: "skip" for c in ("BLV101", "BLV202", "BLV203", "BLV205", "BLV206", "BLV207",
                                           "BLV209", "BLV301", "BLV302", "BLV303", "BLV304", "BLV501", "BLV502",
                                           "BLV601", "BLV602", "BLV603", "BLV604", "BLV704")}},
    # belvo-js list() with the default limit: 100 of the pagination drill's 1,050 transactions.
    # It logs RequestError.detail (request_id included), but keeps axios without a timeout and
    # never retries.
    "sdk-js-list-default": {"BLV205": "fail", "BLV208": "fail", "BLV303": "fail"},
    # RequestError caught, detail[0].request_id logged, retries, a timeout on the SDK's axios,
    # transactions.retrieve (one unpaginated array): everything passes.
    "sdk-js-request-error": {},
}


def test_every_sdk_fixture_folder_is_listed():
    folders = {p.parent.name for p in FIXTURES.glob("sdk-*/belvo-check.yaml")}
    assert folders == set(EXPECTED)


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_sdk_fixture_verdicts(fixture):
    if fixture.startswith("sdk-py-"):
        pytest.importorskip("belvo", reason="belvo-python is not installed (pip install belvo-python==0.39.1)")
    if fixture.startswith("sdk-js-"):
        if shutil.which("node") is None:
            pytest.skip("node is not on PATH: the sdk-js-* fixtures run under Node")
        if not BELVO_JS.is_dir():
            pytest.skip("tests/node/node_modules/belvo is missing: run `npm ci --prefix tests/node`")
    assert_verdicts(fixture, EXPECTED[fixture])
