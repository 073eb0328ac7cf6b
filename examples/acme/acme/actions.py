"""What Acme does with Belvo; shared by the CLI and the webhook receiver."""

import logging

from .belvo import BelvoClient, BelvoError
from .config import Settings
from .store import Store

log = logging.getLogger("acme")

# Belvo link statuses that need the user to re-authenticate (widget in update mode).
NEEDS_USER = {"invalid", "token_required"}


def make_client(settings: Settings) -> BelvoClient:
    secret_id, secret_password = settings.require_keys()
    return BelvoClient(settings.api_url, secret_id, secret_password)


def create_link(client: BelvoClient, store: Store, institution: str, username: str,
                password: str, external_id: str) -> dict:
    link = client.create_link(institution, username, password, external_id)
    iuid = link.get("institution_user_id")
    if iuid:
        others = store.links_for_person(link.get("institution") or institution, iuid)
        others = [other for other in others if other != link["id"]]
        if others:  # same person, same bank: probably a duplicate link
            log.warning("link %s duplicates existing link(s) %s for the same bank user",
                        link["id"], ", ".join(others))
    store.upsert_link(link)
    log.info("link created id=%s institution=%s external_id=%s status=%s",
             link["id"], link.get("institution"), link.get("external_id"), link.get("status"))
    return link


def fetch_transactions(client: BelvoClient, store: Store, link_id: str) -> int:
    total = 0
    batch: list[dict] = []
    for tx in client.iter_transactions(link_id):
        batch.append(tx)
        if len(batch) >= 500:
            total += store.add_transactions(link_id, batch)
            batch = []
    total += store.add_transactions(link_id, batch)
    log.info("stored %d transactions for link %s", total, link_id)
    return total


# Belvo errors on use that mean the link needs the user (widget in update mode).
STATUS_BY_ERROR = {"invalid_link": "invalid", "token_required": "token_required"}


def sync_link(client: BelvoClient, store: Store, link_id: str) -> tuple[int, int]:
    try:
        return _sync(client, store, link_id)
    except BelvoError as exc:
        status = STATUS_BY_ERROR.get(exc.code)
        if status:
            store.set_link_status(link_id, status)
            log.warning("link %s is %s: the user must update their credentials", link_id, status)
        raise


def _sync(client: BelvoClient, store: Store, link_id: str) -> tuple[int, int]:
    accounts = client.retrieve_accounts(link_id)
    for acc in accounts:
        store.upsert_account(acc)
    log.info("stored %d accounts for link %s", len(accounts), link_id)
    return len(accounts), fetch_transactions(client, store, link_id)


def delete_link(client: BelvoClient, store: Store, link_id: str) -> None:
    status = client.delete_link(link_id)
    store.set_link_status(link_id, "deleted")
    log.info("link deleted id=%s (belvo status %s)", link_id, status)


def issue_widget_token(client: BelvoClient, user: str) -> str:
    """Return a widget access token for Acme's backend to hand to the browser."""
    token = client.widget_token()
    access = token.get("access") if isinstance(token, dict) else None
    if not access:
        raise ValueError("Belvo answered without an access token")
    log.info("widget token issued for user=%s", user)  # never log the token itself
    return access
