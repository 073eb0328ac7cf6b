"""secret_frontend and widget_token_server share one idea of minting (widget.token_requests): front-end code
asking the app's own backend for a token (fetch('/api/token/')) is the right design, not minting; a request
to Belvo's /api/token/ from front-end code is."""

from __future__ import annotations

from belvo_check.source import scan

OWN_BACKEND_TSX = '''export async function openWidget() {
  const answer = await fetch('/api/token/', { method: 'POST' });
  const { access } = await answer.json();
  window.belvoSDK.createWidget(access, { callback: () => {} }).build();
}
'''
SERVER_PY = '''import os
import requests

BELVO_URL = os.environ["BELVO_URL"]


def token():
    keys = {"id": os.environ["BELVO_SECRET_ID"], "password": os.environ["BELVO_SECRET_PASSWORD"]}
    return requests.post(f"{BELVO_URL}/api/token/", json=keys, timeout=10).json()
'''
MINTS_TSX = '''const BELVO_URL = 'https://sandbox.belvo.com';

export async function openWidget(keys) {
  const answer = await fetch(`${BELVO_URL}/api/token/`, { method: 'POST', body: JSON.stringify(keys) });
  return answer.json();
}
'''


def found(tmp_path, files):
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    result = scan(tmp_path, frontend=["web/**"], concepts=["secret_frontend", "widget_token_server"], jobs=1)
    return {(f.concept, f.path, f.line, f.verdict) for f in result.findings}


def test_front_end_asking_its_own_backend_for_a_token_is_not_minting(tmp_path):
    result = found(tmp_path, {"web/src/Connect.tsx": OWN_BACKEND_TSX, "server/token.py": SERVER_PY})
    assert ("secret_frontend", "", None, "ok") in result  # the configured front end is clean
    assert not any(path == "web/src/Connect.tsx" for _, path, _, _ in result)
    assert ("widget_token_server", "server/token.py", 9, "ok") in result


def test_front_end_requesting_belvos_token_endpoint_mints(tmp_path):
    result = found(tmp_path, {"web/src/Connect.tsx": MINTS_TSX})
    assert ("secret_frontend", "web/src/Connect.tsx", 4, "bad") in result
