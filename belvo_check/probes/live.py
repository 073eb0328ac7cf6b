"""The `live` evidence source (--live only): two read-only calls proving the keys belong to the environment.

`GET {base_url}/api/` is the login probe Belvo's own SDKs use; `GET /api/institutions/?page_size=1`
is the cheapest real read. Nothing else is sent, and the hosts are announced before anything is.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import httpx

from belvo_check.evidence import EvidenceUnavailable, require_config
from belvo_check.probes import http
from belvo_check.probes.http import Response
from belvo_check.urls import BELVO_HOSTS, host_of

TIMEOUT = 10.0
PATHS = ("/api/", "/api/institutions/?page_size=1")
KEYS_EXAMPLE = "belvo: {secret_id: ${BELVO_SECRET_ID}, secret_password: ${BELVO_SECRET_PASSWORD}}"


@dataclass
class LiveResult:
    base_url: str
    host: str
    key_fingerprints: str
    calls: list[tuple[str, Response]] = field(default_factory=list)

    @property
    def environment(self) -> str:
        """What Belvo environment the URL is, in words."""
        known = BELVO_HOSTS.get(self.host)
        return f"Belvo {known}" if known else "not a Belvo host"


def build(ctx) -> LiveResult:
    base_url = require_config(ctx, "belvo", "base_url", example="belvo: {base_url: https://api.belvo.com}")
    secret_id = require_config(ctx, "belvo", "secret_id", example=KEYS_EXAMPLE)
    secret_password = require_config(ctx, "belvo", "secret_password", example=KEYS_EXAMPLE)
    unset = [s.env for s in (secret_id, secret_password) if not s.value]
    if unset:
        names = " and ".join(unset)
        raise EvidenceUnavailable(f"the API keys are not set ({names}), so they cannot be tried",
                                  enable=f"set {names} in the environment of this run")
    base = base_url.rstrip("/")
    urls = [base + path for path in PATHS]
    # Announce every host before the first byte leaves (stderr: reports on stdout stay clean).
    print(f"belvo-check --live: contacting {host_of(base)} only, read-only: "
          + ", ".join(f"GET {url}" for url in urls), file=sys.stderr, flush=True)

    result = LiveResult(base, host_of(base), f"secret_id {secret_id.fingerprint}, "
                                              f"secret_password {secret_password.fingerprint}")
    auth = httpx.BasicAuth(secret_id.value, secret_password.value)
    with http.client(TIMEOUT) as client:
        for url in urls:
            response = http.request(client, "GET", url, auth=auth, headers={"Accept": "application/json"})
            result.calls.append((url, response))
            if response.status is None:
                break  # the host is unreachable: a second try would say the same
    return result
