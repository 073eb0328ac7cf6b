import logging

import httpx

from notifier.config import settings
from notifier.models import Transaction

log = logging.getLogger("notifier.belvo")


def _client() -> httpx.Client:
    return httpx.Client(
        base_url=settings.belvo_base_url,
        auth=(settings.belvo_secret_id, settings.belvo_secret_password),
        timeout=httpx.Timeout(20.0, connect=5.0),
    )


def transactions_since(link_id: str, date_from: str) -> list[Transaction]:
    out: list[Transaction] = []
    with _client() as client:
        url = "/api/transactions/"
        params = {"link": link_id, "value_date__gte": date_from, "page_size": 1000}
        while url:
            resp = client.get(url, params=params)
            if resp.is_error:
                log.error("belvo GET %s failed: %s %s", url, resp.status_code, resp.text)
                resp.raise_for_status()
            page = resp.json()
            out.extend(Transaction.model_validate(t) for t in page["results"])
            url, params = page["next"], None
    return out
