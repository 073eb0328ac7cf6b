"""The HTML report rendered by a real headless browser: every section and check is there, nothing
is fetched from anywhere, and a screenshot is taken."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser

import pytest

from belvo_check.model import SECTIONS
from belvo_check.report.html import to_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] = tag
        for key in ("src", "href"):
            if attrs.get(key) and not attrs[key].startswith("#"):
                self.external.append(attrs[key])


def browser(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=180)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it: apt-get install chromium)")
def test_the_report_renders_in_chromium_with_every_section(report, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(to_html(report), encoding="utf-8")

    dom = browser(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    parsed = Ids()
    parsed.feed(dom.stdout)
    assert parsed.external == [], "the report must not load anything"
    for section in SECTIONS:
        assert parsed.ids.get(f"section-{section.number}") == "section"
        assert re.search(rf"<h2>{section.number}\. {re.escape(section.title)}</h2>", dom.stdout)
    for meta, _ in report.results:
        assert parsed.ids.get(meta.id) == "article"
    assert "NOT READY for production" in dom.stdout
    assert "belvo-check run -c belvo-check.yaml --select BLV701 -v" in dom.stdout
    assert "webhooks.urls.sandbox = https://acme.example.mx/hooks/belvo" in dom.stdout  # evidence

    shot = tmp_path / "report.png"
    taken = browser(tmp_path, "--window-size=1200,1800", f"--screenshot={shot}", page.as_uri())
    assert taken.returncode == 0, taken.stderr[-2000:]
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1200, 1800)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank canvas
