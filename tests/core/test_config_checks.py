"""The checks that need only the config, judged through the real registry and runner."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from belvo_check.config import load_config
from belvo_check.evidence import Context
from belvo_check.model import Status
from belvo_check.registry import load_registry
from belvo_check.runner import run_checks


@pytest.fixture
def judge(write_config):
    def run(check_id: str, body: str, environment: str = "production", env: dict | None = None):
        path = write_config(f"version: 1\nenvironment: {environment}\n{body}")
        ctx = Context(load_config(path, environ=env or {}))
        [result] = run_checks([load_registry().get(check_id)], ctx)
        return result

    return run


@pytest.mark.parametrize("url, environment, status, words", [
    ("https://api.belvo.com", "production", Status.PASS, "calls https://api.belvo.com"),
    ("https://api.belvo.com/", "production", Status.PASS, "calls"),
    ("https://sandbox.belvo.com", "production", Status.FAIL, "pointed at Belvo sandbox"),
    ("https://development.belvo.com", "production", Status.FAIL, "development"),
    ("http://api.belvo.com", "production", Status.FAIL, "not https"),
    ("https://api.belvo.co", "production", Status.FAIL, "legacy production host"),
    ("https://production.belvo.com", "production", Status.FAIL, "looks like Belvo"),
    ("https://api-belvo.com", "production", Status.FAIL, "looks like Belvo"),
    ("https://api.belvo.com/api", "production", Status.WARN, "port, path or query"),
    ("https://proxy.acme.mx", "production", Status.FAIL, "not Belvo's production API"),
    ("https://sandbox.belvo.com", "sandbox", Status.PASS, "calls https://sandbox.belvo.com"),
    ("https://api.belvo.com", "sandbox", Status.WARN, "sandbox run is pointed at production"),
    ("http://127.0.0.1:8787", "sandbox", Status.FAIL, "not https"),
    ("https://localhost:8787", "sandbox", Status.WARN, "local host name"),
])
def test_base_url(judge, url, environment, status, words):
    result = judge("BLV701", f"belvo:\n  base_url: {url}\n", environment)
    assert result.status is status, result.findings
    assert words in result.findings[0].message
    assert result.findings[0].location.line == 4


def test_base_url_missing_or_unset_is_skip_naming_the_fix(judge):
    result = judge("BLV701", "")
    assert result.status is Status.SKIP and "belvo: {base_url: https://api.belvo.com}" in result.findings[0].hint
    result = judge("BLV701", "belvo:\n  base_url: ${BELVO_API_URL}\n")
    assert result.status is Status.SKIP and "BELVO_API_URL" in result.findings[0].message


KEYS = "belvo:\n  secret_id: ${SID}\n  secret_password: ${SPW}\n"


def test_keys_from_environment(judge):
    result = judge("BLV702", KEYS, env={"SID": "id-value-1", "SPW": "pw-value-2"})
    assert result.status is Status.PASS
    text = str(result.findings)
    assert "id-value-1" not in text and "pw-value-2" not in text and "sha256:" in text


def test_keys_unset_skip_and_same_value_fails(judge):
    assert judge("BLV702", KEYS, env={"SID": "id-value-1"}).status is Status.SKIP
    same = judge("BLV702", KEYS, env={"SID": "same-value", "SPW": "same-value"})
    assert same.status is Status.FAIL and "same-value" not in str(same.findings)
    one_var = judge("BLV702", "belvo:\n  secret_id: ${K}\n  secret_password: ${K}\n", env={"K": "x1234"})
    assert one_var.status is Status.FAIL


def test_sandbox_named_keys_in_production_warn(judge):
    body = "belvo:\n  secret_id: ${BELVO_SANDBOX_ID}\n  secret_password: ${BELVO_SANDBOX_PW}\n"
    result = judge("BLV702", body, env={"BELVO_SANDBOX_ID": "a1234", "BELVO_SANDBOX_PW": "b1234"})
    assert result.status is Status.WARN


def hooks(sandbox: str | None, production: str | None) -> str:
    lines = ["webhooks:", "  urls:"]
    lines += [f"    sandbox: {sandbox}"] if sandbox else []
    lines += [f"    production: {production}"] if production else []
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("sandbox, production, environment, status", [
    ("https://staging.acme.mx/h", "https://acme.mx/h", "production", Status.PASS),
    ("https://acme.mx/h", "https://acme.mx/h/", "production", Status.FAIL),
    ("https://ACME.mx/h", "https://acme.mx/h", "production", Status.FAIL),
    (None, "https://acme.mx/h", "production", Status.WARN),
    ("https://staging.acme.mx/h", None, "production", Status.FAIL),
    ("https://staging.acme.mx/h", None, "sandbox", Status.WARN),
])
def test_webhook_url_per_environment(judge, sandbox, production, environment, status):
    assert judge("BLV401", hooks(sandbox, production), environment).status is status


@pytest.mark.parametrize("production, status, words", [
    ("https://acme.mx/hooks/belvo", Status.PASS, "public HTTPS"),
    ("http://acme.mx/hooks/belvo", Status.FAIL, "is not https"),
    ("https://localhost/hooks", Status.FAIL, "local host name"),
    ("https://10.1.2.3/hooks", Status.FAIL, "private address"),
    ("https://127.0.0.1:9000/hooks", Status.FAIL, "loopback"),
    ("https://abc123.ngrok-free.app/hooks", Status.FAIL, "tunnel (ngrok-free.app)"),
    ("https://some-words.trycloudflare.com/h", Status.FAIL, "tunnel"),
])
def test_production_webhook_url_is_public_https(judge, production, status, words):
    result = judge("BLV402", hooks("https://staging.acme.mx/h", production))
    assert result.status is status and words in result.findings[0].message


def test_attestations(judge):
    today = date.today()
    attested = f"attestations:\n  status_page: {{by: ana@acme.mx, date: {today.isoformat()}}}\n"
    result = judge("BLV801", attested)
    assert result.status is Status.PASS and "ana@acme.mx" in result.findings[0].evidence
    missing = judge("BLV802", attested)
    assert missing.status is Status.WARN and "attestations: {changelog:" in missing.findings[0].hint
    future = (today + timedelta(days=30)).isoformat()
    assert judge("BLV801", f"attestations:\n  status_page: {{by: ana@acme.mx, date: {future}}}\n").status \
        is Status.WARN
