"""Each test receiver gets exactly its intended verdicts from the webhook probe checks."""

from __future__ import annotations

import pytest

from belvo_check.model import Status

from tests.probes.helpers import receiver_config

PROBE_CHECKS = ("BLV403", "BLV404", "BLV405", "BLV406", "BLV407")
# receiver program -> the one check it must fail (every other probe check passes)
INTENDED = {
    "good": None,
    "slow": "BLV403",
    "unauthenticated": "BLV406",
    "crash_unknown": "BLV404",
    "not_idempotent": "BLV405",
    "serial": "BLV407",
}


@pytest.mark.parametrize("name", INTENDED)
def test_each_receiver_gets_its_verdicts(receiver, run_webhook_checks, name):
    results = run_webhook_checks(receiver_config(receiver(name)))
    expected = {check: Status.FAIL if check == INTENDED[name] else Status.PASS for check in PROBE_CHECKS}
    got = {check: results[check].status for check in PROBE_CHECKS}
    assert got == expected, {c: [f.message for f in results[c].findings] for c in PROBE_CHECKS}
    for check in PROBE_CHECKS:
        finding = results[check].findings[0]
        assert "ms" in finding.evidence and "127.0.0.1" in finding.evidence  # latencies and the target shown


def test_failures_name_what_went_wrong(receiver, run_webhook_checks):
    slow = run_webhook_checks(receiver_config(receiver("slow")), selectors=("BLV403",))["BLV403"].findings[0]
    assert "TRANSACTIONS historical_update" in slow.message and "> 5 s" in slow.message
    assert "ACCOUNTS historical_update (single)" in slow.evidence  # the whole table is evidence

    crash = run_webhook_checks(receiver_config(receiver("crash_unknown")), selectors=("BLV404",))["BLV404"]
    assert "belvo_check_future_code" in crash.findings[0].message and "500" in crash.findings[0].message

    dup = run_webhook_checks(receiver_config(receiver("not_idempotent")), selectors=("BLV405",))["BLV405"]
    assert "added" in dup.findings[0].message and "transactions" in dup.findings[0].message

    burst = run_webhook_checks(receiver_config(receiver("serial")), selectors=("BLV407",))["BLV407"]
    assert "p50" in burst.findings[0].message and "max" in burst.findings[0].message


def test_authorization_value_never_appears(receiver, run_webhook_checks):
    from tests.probes.helpers import AUTH

    results = run_webhook_checks(receiver_config(receiver("unauthenticated")))
    text = repr(results)
    assert AUTH not in text and AUTH.split()[1] not in text
    assert "sha256:" in results["BLV406"].findings[0].evidence


def test_without_store_duplicates_warn_and_without_auth_406_skips(receiver, run_webhook_checks):
    good = receiver("good", auth=None)
    results = run_webhook_checks(receiver_config(good, auth=False, store=False),
                                 selectors=("BLV405", "BLV406"))
    assert results["BLV405"].status is Status.WARN
    assert "store" in results["BLV405"].findings[0].message
    assert results["BLV406"].status is Status.SKIP
    assert "webhooks: {authorization:" in results["BLV406"].findings[0].hint


def test_no_probe_target_skips_naming_the_config_line(run_webhook_checks):
    results = run_webhook_checks("version: 1\nenvironment: sandbox\n")
    for check in PROBE_CHECKS:
        assert results[check].status is Status.SKIP
        assert "probe_url" in results[check].findings[0].hint


def test_unset_authorization_variable_skips_naming_it(receiver, run_webhook_checks):
    config = receiver_config(receiver("good")).replace("${RECEIVER_AUTH}", "${UNSET_WEBHOOK_AUTH}")
    results = run_webhook_checks(config, selectors=("BLV403",))
    assert results["BLV403"].status is Status.SKIP
    assert "UNSET_WEBHOOK_AUTH" in results["BLV403"].findings[0].message


def test_harness_checks_skip_without_the_harness(receiver, run_webhook_checks):
    results = run_webhook_checks(receiver_config(receiver("good")), selectors=("BLV408", "BLV409"))
    for check in ("BLV408", "BLV409"):
        assert results[check].status is Status.SKIP
        assert "integration.start" in results[check].findings[0].message + (results[check].findings[0].hint or "")


def test_harness_checks_name_integration_start_even_without_any_target(run_webhook_checks):
    results = run_webhook_checks("version: 1\nenvironment: sandbox\n", selectors=("BLV408", "BLV409"))
    for check in ("BLV408", "BLV409"):
        assert results[check].status is Status.SKIP
        assert "integration.start" in results[check].findings[0].message


def test_a_store_that_becomes_unreadable_mid_probe_is_reported_not_an_error(receiver):
    """The duplicate probe reads the store before, between and after; a read that starts failing
    half-way is a reported store problem (BLV405 warns), never a crash of the check."""
    from belvo_check.harness.store import StoreUnreadable
    from belvo_check.probes.deliveries import Probes
    from belvo_check.probes.target import Target
    from tests.probes.helpers import AUTH

    good = receiver("good")
    sent = []

    def read_store():
        if sent:  # readable before the first delivery, refused after it
            raise StoreUnreadable("integration.store.transactions: refused (DELETE)")
        return {"transactions": []}

    target = Target(url=good.url, origin="test", authorization=AUTH, auth_label="test",
                    read_store=read_store, store_label="test store")
    probes = Probes(target=target, ack_within=5.0, burst_size=2)
    send = probes._send
    duplicated = lambda probe: "delivered twice" in probe.label  # noqa: E731  (not the drain's plain delivery)
    probes._send = lambda probe, *rest: (duplicated(probe) and sent.append(probe), send(probe, *rest))[1]
    try:
        run = probes.duplicate(link_id="0d3ffb69-f83b-456e-ad8e-208d0998d71d")
    finally:
        probes.close()
    assert run.first.status == 200 and run.second.status == 200
    assert run.store_error == "StoreUnreadable: integration.store.transactions: refused (DELETE)"
    assert run.before == {"transactions": []}
    assert run.after_first is None and run.after_second is None
