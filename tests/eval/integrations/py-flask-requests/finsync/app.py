import hmac
import logging
import threading
from datetime import date, timedelta

from flask import Flask, abort, jsonify, request

from finsync import belvo_api, settings, store

logging.basicConfig(level=logging.INFO)
log = logging.getLogger("finsync")
app = Flask(__name__)

REAUTH_STATUSES = {"invalid", "token_required"}


@app.post("/links")
def create_link():
    body = request.get_json()
    db = store.connect()
    try:
        link = belvo_api.create_link(body["institution"], body["username"], body["password"], body["user_id"])
    except belvo_api.BelvoError as err:
        return jsonify({"error": "could not connect the bank", "status": err.status}), 502
    existing = store.find_link_by_user(db, link.get("institution_user_id"))
    if existing and existing != link["id"]:
        log.warning("user already had link %s for this institution", existing)
    store.save_link(db, link)
    return jsonify({"link": link["id"]}), 201


def sync_link(link_id):
    db = store.connect()
    since = (date.today() - timedelta(days=30)).isoformat()
    try:
        belvo_api.fetch_accounts(link_id)
        store.save_transactions(db, link_id, list(belvo_api.list_transactions(link_id, since)))
    except belvo_api.BelvoError as err:
        codes = {e.get("code") for e in err.body} if isinstance(err.body, list) else set()
        if "invalid_link" in codes:
            store.set_link_status(db, link_id, "invalid")
        elif err.status == 428:
            store.set_link_status(db, link_id, "token_required")


@app.post("/webhooks/belvo")
def belvo_webhook():
    auth = request.headers.get("Authorization", "")
    if not hmac.compare_digest(auth, f"Bearer {settings.WEBHOOK_TOKEN}"):
        abort(401)
    event = request.get_json(silent=True) or {}
    db = store.connect()
    if not store.first_delivery(db, event.get("webhook_id", "")):
        return "", 200
    kind, code, link_id = event.get("webhook_type"), event.get("webhook_code"), event.get("link_id")
    if kind == "TRANSACTIONS" and code in ("new_transactions_available", "historical_update"):
        threading.Thread(target=sync_link, args=(link_id,), daemon=True).start()
    elif kind == "LINK" and code in ("token_required", "invalid_credentials"):
        store.set_link_status(db, link_id, "token_required" if code == "token_required" else "invalid")
    else:
        log.info("ignoring webhook %s/%s", kind, code)
    return "", 200


@app.delete("/links/<link_id>")
def remove_link(link_id):
    belvo_api.delete_link(link_id)
    db = store.connect()
    store.set_link_status(db, link_id, "deleted")
    return "", 204


@app.get("/links/<link_id>/status")
def link_status(link_id):
    link = belvo_api.get_link(link_id)
    if link["status"] in REAUTH_STATUSES:
        return jsonify({"status": link["status"], "action": "reconnect"})
    return jsonify({"status": link["status"]})
