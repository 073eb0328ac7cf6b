import hmac
import logging
from collections import OrderedDict
from datetime import date, timedelta

import httpx
from fastapi import BackgroundTasks, FastAPI, Header, HTTPException

from notifier import belvo
from notifier.config import settings
from notifier.models import Webhook

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("notifier")
app = FastAPI()

_recent: "OrderedDict[str, None]" = OrderedDict()


def _seen(webhook_id: str) -> bool:
    if webhook_id in _recent:
        return True
    _recent[webhook_id] = None
    if len(_recent) > 5000:
        _recent.popitem(last=False)
    return False


def summarise(link_id: str) -> None:
    since = (date.today() - timedelta(days=7)).isoformat()
    try:
        txs = belvo.transactions_since(link_id, since)
    except httpx.HTTPError:
        log.exception("could not fetch transactions for link %s", link_id)
        return
    spent = sum(t.amount for t in txs if t.type == "OUTFLOW")
    text = f"Link {link_id}: {len(txs)} transactions this week, {spent:.2f} spent"
    httpx.post(settings.slack_webhook_url, json={"text": text}, timeout=10)


@app.post("/belvo/webhook")
async def webhook(event: Webhook, tasks: BackgroundTasks, authorization: str = Header(default="")):
    if not hmac.compare_digest(authorization, settings.belvo_webhook_secret):
        raise HTTPException(status_code=401)
    if _seen(event.webhook_id):
        return {"ok": True, "duplicate": True}
    if event.webhook_type == "TRANSACTIONS":
        tasks.add_task(summarise, event.link_id)
    elif event.webhook_type == "LINK":
        log.warning("link %s needs attention: %s", event.link_id, event.webhook_code)
    return {"ok": True}
