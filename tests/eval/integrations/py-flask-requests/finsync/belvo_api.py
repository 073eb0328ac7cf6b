"""Thin wrapper over Belvo's REST API."""
import logging
import time

import requests

from finsync import settings

log = logging.getLogger("finsync.belvo")

session = requests.Session()
session.auth = (settings.BELVO_SECRET_ID, settings.BELVO_SECRET_PASSWORD)
session.headers["Content-Type"] = "application/json"

TIMEOUT = (5, 30)


class BelvoError(Exception):
    def __init__(self, status, body):
        super().__init__(f"belvo {status}")
        self.status = status
        self.body = body


def _check(resp):
    if resp.status_code >= 400:
        try:
            body = resp.json()
        except ValueError:
            body = resp.text[:500]
        log.error("belvo error status=%s body=%s", resp.status_code, body)
        raise BelvoError(resp.status_code, body)
    return resp


def create_link(institution, username, password, external_id):
    payload = {
        "institution": institution,
        "username": username,
        "password": password,
        "external_id": external_id,
        "access_mode": "recurrent",
    }
    resp = session.post(f"{settings.BELVO_API_URL}/api/links/", json=payload, timeout=TIMEOUT)
    return _check(resp).json()


def get_link(link_id):
    resp = session.get(f"{settings.BELVO_API_URL}/api/links/{link_id}/", timeout=TIMEOUT)
    return _check(resp).json()


def list_transactions(link_id, date_from):
    url = f"{settings.BELVO_API_URL}/api/transactions/"
    params = {"link": link_id, "value_date__gte": date_from, "page_size": 500}
    while url:
        for attempt in range(4):
            resp = session.get(url, params=params, timeout=TIMEOUT)
            if resp.status_code == 429:
                wait = int(resp.headers.get("Retry-After", 2 ** attempt))
                log.warning("belvo rate limited, waiting %ss", wait)
                time.sleep(wait)
                continue
            break
        page = _check(resp).json()
        yield from page["results"]
        url, params = page.get("next"), None


def fetch_accounts(link_id):
    # POST retrieves fresh data from the institution
    resp = session.post(f"{settings.BELVO_API_URL}/api/accounts/", json={"link": link_id, "save_data": True})
    return _check(resp).json()


def delete_link(link_id):
    resp = session.delete(f"{settings.BELVO_API_URL}/api/links/{link_id}/", timeout=TIMEOUT)
    if resp.status_code != 204:
        _check(resp)
