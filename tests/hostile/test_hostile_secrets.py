"""Hostile: an integration prints its keys in every shape but verbatim. No shape reaches any output
of belvo-check, and BLV704 fails naming the shape and where it was found.

The forms to look for (`every_form`) are computed in tests/hostile/printer.py, independently of
belvo_check.secrets, so the test does not share a blind spot with the code it tests.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from belvo_check.secrets import Redactor, fingerprint
from tests.hostile.printer import AUTHORIZATION, SECRET_ID, SECRET_PASSWORD, every_form, leaked, run_blv704


# -- the redactor, over each form --------------------------------------------------------------


def keys_redactor() -> Redactor:
    return Redactor().add_keys(SECRET_ID, SECRET_PASSWORD, AUTHORIZATION)


@pytest.mark.parametrize("name", sorted(every_form()))
def test_redactor_removes_each_form_in_context(name):
    form, fold = every_form()[name]
    shown = form.swapcase() if fold else form
    text = f"INFO before {shown} after\n"
    out = keys_redactor()(text)
    assert leaked(out) == [], out
    assert out.startswith("INFO before ") and out.endswith(" after\n")
    assert "[redacted sha256:" in out


def test_forms_are_named_and_tagged_with_the_fingerprint_of_their_secret():
    redactor = keys_redactor()
    pair = f"{SECRET_ID}:{SECRET_PASSWORD}"
    basic = base64.b64encode(pair.encode()).decode()
    cases = {
        f"Authorization: Basic {basic.rstrip('=')}": ("the Basic Authorization header with id:password", pair),
        f"AUTHORIZATION: BASIC {basic.upper()}": ("the Basic Authorization header with id:password (case changed)",
                                                  pair),
        basic: ("base64 of id:password", pair),
        base64.urlsafe_b64encode(SECRET_PASSWORD.encode()).decode().rstrip("="): ("base64 of secret_password",
                                                                                  SECRET_PASSWORD),
        SECRET_PASSWORD.encode().hex().upper(): ("hex of secret_password", SECRET_PASSWORD),
        f"https://app:{quote(SECRET_PASSWORD, safe='')}@h/": ("URL-encoded secret_password", SECRET_PASSWORD),
        json.dumps({"password": SECRET_PASSWORD}): ("JSON-escaped secret_password", SECRET_PASSWORD),
        AUTHORIZATION.lower(): ("webhook Authorization value (case changed)", AUTHORIZATION),
        base64.b64encode(json.dumps({"k": 1, "password": SECRET_PASSWORD}, ensure_ascii=False).encode()).decode():
            ("part of a longer base64 text holding secret_password", SECRET_PASSWORD),
    }
    for text, (label, source) in cases.items():
        found = redactor.find(f"x {text} y")
        assert [form.describe(seen) for form, seen in found] == [label], text
        assert found[0][0].tag == fingerprint(source)
        assert redactor(f"x {text} y").count(f"[redacted {fingerprint(source)}]") == 1


def test_ordinary_text_is_left_alone():
    redactor = keys_redactor()
    text = ("INFO belvo POST /api/links/ -> 201 request_id=d60007ce7be0d18fa96c78d8770ad2fe\n"
            "Authorization: Basic dXNlcjpwYXNz\tpage=2 hostile-id- basic token\n")
    assert redactor(text) == text
    assert redactor.find(text) == []


def test_short_values_are_not_secrets_and_generic_secrets_get_every_form():
    redactor = Redactor(["abc", "another-secret-value"])
    assert redactor("abc abc") == "abc abc"
    hexed = "another-secret-value".encode().hex()
    assert redactor(f"a {hexed} b") == f"a [redacted {fingerprint('another-secret-value')}] b"


# -- a real integration, a real run ----------------------------------------------------------


def blv704(report_path: Path) -> dict:
    report = json.loads(report_path.read_text())
    return next(r for r in report["results"] if r["id"] == "BLV704")


def test_every_form_is_found_named_and_redacted_everywhere(tmp_path):
    out = tmp_path / "report.json"
    done = run_blv704(tmp_path, "--format", "json", "-o", str(out), leak="all")
    assert done.returncode == 1, done.stderr
    raw = out.read_text()
    for name, text in (("stdout", done.stdout), ("stderr", done.stderr), ("the JSON report", raw)):
        assert leaked(text) == [], f"{name} shows {leaked(text)}"
    result = blv704(out)
    assert result["status"] == "fail"
    finding = result["findings"][0]
    evidence = finding["evidence"]
    for label in ("the Basic Authorization header with id:password [",
                  "the Basic Authorization header with id:password (case changed) [",
                  "base64 of id:password [", "base64 of secret_password [", "hex of secret_password [",
                  "hex of secret_id [", "URL-encoded secret_password [", "JSON-escaped secret_password [",
                  "webhook Authorization value (case changed) [",
                  "part of a longer base64 text holding secret_password ["):
        assert f"  {label}" in evidence, label
    # Where: the flow's stdout and the log file (half the forms go to each).
    assert "stdout of create_link (step 1) (drill plain)" in evidence
    assert "log file " in evidence and "hostile.log" in evidence
    # The log excerpt in the evidence did hold forms: they were replaced by fingerprint tags.
    assert f"[redacted {fingerprint(SECRET_PASSWORD)}]" in evidence.split("\nlogs:\n")[1]


@pytest.mark.parametrize("leak, label", [
    ("basic-unpadded", "the Basic Authorization header with id:password"),
    ("password-in-url", "secret_id"),  # https://id:password@host: the id is verbatim, the password encoded
    ("authorization-lower", "webhook Authorization value (case changed)"),
    ("password-hex", "hex of secret_password"),
])
def test_blv704_names_the_form_and_where(tmp_path, leak, label):
    out = tmp_path / "report.json"
    done = run_blv704(tmp_path, "--format", "json", "-o", str(out), leak=leak)
    assert done.returncode == 1, done.stderr
    finding = blv704(out)["findings"][0]
    assert finding["status"] == "fail"
    assert finding["message"].startswith(f"{label} appears in stdout of create_link (step 1) (drill plain)")
    if leak == "password-in-url":
        assert "  URL-encoded secret_password [" in finding["evidence"]
    assert leaked(done.stdout + done.stderr + out.read_text()) == []


def test_a_clean_integration_passes_with_what_was_searched(tmp_path):
    out = tmp_path / "report.json"
    done = run_blv704(tmp_path, "--format", "json", "-o", str(out))
    assert done.returncode == 0, done.stderr
    finding = blv704(out)["findings"][0]
    assert finding["status"] == "pass"
    assert fingerprint(SECRET_PASSWORD) in finding["evidence"] and "hex and URL-encoded" in finding["evidence"]
    for drill in ("plain (", "errors-401 (", "widget ("):
        assert drill in finding["evidence"]
