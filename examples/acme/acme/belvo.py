"""One small Belvo API client over httpx.

- HTTP Basic auth with the secret key pair, 10 s timeout on every call.
- Belvo error bodies (a JSON array of {code, message, request_id, field?})
  become a BelvoError carrying the status, code, message and request_id.
- 5xx is retried with exponential backoff (Belvo's retry policy, with a small
  base so CLI runs stay fast); 4xx is never retried, except
  `too_many_sessions`, which Belvo says follows the 5xx policy.
- Timeouts are not retried: httpx.TimeoutException reaches the caller.
"""

import logging
import time
from typing import Any, Iterator

import httpx

log = logging.getLogger("acme.belvo")

TIMEOUT_S = 10.0
MAX_RETRIES = 3
BACKOFF_BASE_S = 0.2
WIDGET_SCOPES = "read_institutions,write_links"


class BelvoError(Exception):
    """A non-2xx answer from Belvo."""

    def __init__(self, status: int, code: str, message: str, request_id: str | None,
                 detail: dict | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.detail = detail or {}  # the whole first error object (428 carries session, link, ...)


def _json_or_none(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:  # 204, or a proxy's HTML page on a 502/503
        return None


def error_from_response(resp: httpx.Response) -> BelvoError:
    body = _json_or_none(resp)
    if isinstance(body, list) and body and isinstance(body[0], dict):
        first = body[0]
    elif isinstance(body, dict):
        first = body
    else:
        first = {}
    return BelvoError(
        status=resp.status_code,
        code=str(first.get("code") or "unknown"),
        message=str(first.get("message") or first.get("detail") or resp.reason_phrase),
        request_id=first.get("request_id"),
        detail=first,
    )


class BelvoClient:
    def __init__(self, base_url: str, secret_id: str, secret_password: str, *,
                 timeout: float = TIMEOUT_S, transport: httpx.BaseTransport | None = None):
        self._secret_id = secret_id
        self._secret_password = secret_password
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            auth=(secret_id, secret_password),
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": "acme-belvo/1.0"},
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "BelvoClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport -----------------------------------------------------------

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request; retry 5xx; raise BelvoError on any final non-2xx."""
        attempt = 0
        while True:
            try:
                resp = self._http.request(method, url, **kwargs)
            except httpx.TimeoutException:
                raise  # a stalled Belvo call is not retried: the caller reports it
            except httpx.TransportError as exc:
                # connection reset etc.: only GETs are safe to repeat blindly
                if method == "GET" and attempt < MAX_RETRIES:
                    attempt += 1
                    self._sleep(attempt, f"connection error ({type(exc).__name__})")
                    continue
                raise
            log.info("belvo %s %s -> %s", method, resp.request.url.path, resp.status_code)
            if resp.is_success:
                return resp
            if resp.status_code >= 500:
                if attempt < MAX_RETRIES:
                    attempt += 1
                    self._sleep(attempt, f"server error status={resp.status_code}")
                    continue
                raise error_from_response(resp)
            err = error_from_response(resp)
            if err.code == "too_many_sessions" and attempt < MAX_RETRIES:
                attempt += 1
                log.warning("belvo too_many_sessions request_id=%s", err.request_id)
                self._sleep(attempt, "too_many_sessions")
                continue
            raise err

    @staticmethod
    def _sleep(attempt: int, why: str) -> None:
        delay = BACKOFF_BASE_S * 2 ** (attempt - 1)
        log.warning("belvo %s, retry %d/%d in %.1fs", why, attempt, MAX_RETRIES, delay)
        time.sleep(delay)

    # -- API calls -----------------------------------------------------------

    def create_link(self, institution: str, username: str, password: str,
                    external_id: str) -> dict:
        resp = self.request("POST", "/api/links/", json={
            "institution": institution,
            "username": username,
            "password": password,
            "access_mode": "recurrent",
            "external_id": external_id,
        })
        return resp.json()  # 201: one Link object

    def retrieve_accounts(self, link_id: str) -> list[dict]:
        resp = self.request("POST", "/api/accounts/", json={"link": link_id, "save_data": True})
        body = _json_or_none(resp)
        if resp.status_code == 202 or not isinstance(body, list):
            # async answer: the data arrives later with a webhook
            log.info("belvo accepted accounts retrieval request_id=%s",
                     body.get("request_id") if isinstance(body, dict) else None)
            return []
        return body  # 200/201: a plain JSON array, not paginated

    def iter_transactions(self, link_id: str, page_size: int = 1000) -> Iterator[dict]:
        """Yield every transaction of a link, following `next` until it is null."""
        resp = self.request("GET", "/api/transactions/",
                            params={"link": link_id, "page_size": page_size})
        seen: set[str] = set()
        while True:
            page = resp.json()
            yield from page.get("results") or []
            nxt = page.get("next")
            if not nxt or nxt in seen:  # null ends the list; a repeated URL would loop forever
                return
            seen.add(nxt)
            resp = self.request("GET", nxt)  # absolute URL, filters already included

    def delete_link(self, link_id: str) -> int:
        resp = self.request("DELETE", f"/api/links/{link_id}/")
        if resp.status_code == 202:  # async delete: a link_deleted webhook follows
            body = _json_or_none(resp) or {}
            log.info("belvo accepted link deletion request_id=%s", body.get("request_id"))
        return resp.status_code  # 204: empty body, nothing to parse

    def widget_token(self, scopes: str = WIDGET_SCOPES) -> dict:
        """Server side only: the body carries the secret keys."""
        resp = self.request("POST", "/api/token/", json={
            "id": self._secret_id,
            "password": self._secret_password,
            "scopes": scopes,
        })
        return resp.json()  # 200: {"access", "refresh"}
