"""Section 8 checks (BLV801-BLV802): subscriptions attested in the config."""

from __future__ import annotations

from belvo_check.model import Status
from tests.checks.recorded import run_check


def test_blv801_passes_an_attested_subscription_and_warns_on_a_future_date(tmp_path):
    result = run_check("BLV801", tmp_path, config_body="attestations: {status_page: {by: a@b.mx, date: 2026-01-05}}\n")
    assert result.status is Status.PASS and "by a@b.mx on 2026-01-05" in result.findings[0].evidence
    future = run_check("BLV801", tmp_path, config_body="attestations: {status_page: {by: a@b.mx, date: 2999-01-05}}\n")
    assert future.status is Status.WARN and "in the future" in future.findings[0].message


def test_blv802_is_advisory_so_a_missing_attestation_warns(tmp_path):
    result = run_check("BLV802", tmp_path)
    assert result.status is Status.WARN and "changelog" in result.findings[0].message
