"""Hand-written endpoint behaviour: links, MFA, the widget token, institutions, and one set of handlers for
accounts, transactions, owners and balances. Every other operation of the spec is served by ``resources``."""
from __future__ import annotations

import base64
import json

from . import errors, listing
from .data import dumps
from .ids import as_uuid, hex32
from .listing import Runs
from .replies import GOOD_TOKEN, Replies, Reply
from .resources import Resources
from .state import INVALID_CREDENTIALS, MFA_CREDENTIALS

RETRIEVE_DATE_KINDS = {"transactions", "balances"}
ASYNC_KINDS = {"transactions"}  # the retrieves for which the spec documents X-Belvo-Request-Mode: async (202)
DELETE_LIMITED = {"links", "accounts", "transactions"}  # "You can only delete 5 items per minute", per resource


class Handlers(Replies):
    def __init__(self, core):
        super().__init__(core)
        self.resources = Resources(self)

    # ---- scenario faults
    def fault(self, spec: dict) -> Reply:
        """The error a scenario rule asked for: a Belvo JSON body, or a proxy's HTML page."""
        status = spec["status"]
        headers = {"Retry-After": str(spec["retry_after"])} if "retry_after" in spec else {}
        fmt = spec.get("format") or ("html" if status in errors.HTML_STATUSES and "code" not in spec else "json")
        if fmt == "html":
            return Reply(status, raw=errors.html_page(status), headers=headers, media_type="text/html")
        code = spec.get("code") or errors.DEFAULT_CODES.get(status, "unexpected_error")
        if code == "token_required":
            reply = self.token_required(None, "links", "numeric", {})
        else:
            reply = self.error(status, code, spec.get("field"), spec.get("message"))
        reply.status, reply.headers = status, headers
        return reply

    # ---- root, institutions, widget token
    def root(self, ctx) -> Reply:
        return Reply(200, {name: f"{ctx.base_url}/api/{name}/" for name in
                           ("institutions", "links", "accounts", "transactions", "owners", "balances")})

    def list_institutions(self, ctx) -> Reply:
        test = listing.predicate(ctx.query)
        return self.paginate(ctx, [dumps(i) for i in self.store.institutions if not test or test(i)])

    def get_institution(self, ctx) -> Reply:
        found = self.store.institutions_by_id.get(ctx.params["id"])
        return Reply(200, found) if found else self.error(404, "not_found")

    def widget_token(self, ctx) -> Reply:
        body = ctx.body or {}
        for name in ("id", "password", "scopes"):
            if not body.get(name):
                return self.error(400, "required", name)
        if body["id"] != self.core.secret_id or body["password"] != self.core.secret_password:
            return self.error(400, "authentication_failed")  # the spec documents 200, 400 and 500 only
        n = self.core.minter.next()

        def jwt(kind: str) -> str:
            enc = lambda o: base64.urlsafe_b64encode(json.dumps(o, separators=(",", ":")).encode()).rstrip(b"=").decode()
            claims = {"token_type": kind, "exp": int(self.store.today.timestamp()) + 36 * 3600, "jti": hex32(self.core.seed, kind, n),
                      "scopes": body["scopes"], "link_id": body.get("link_id")}
            return f"{enc({'alg': 'HS256', 'typ': 'JWT'})}.{enc(claims)}.{hex32(self.core.seed, 'sig', kind, n)}"
        return Reply(200, {"access": jwt("access"), "refresh": jwt("refresh")})

    # ---- links
    def list_links(self, ctx) -> Reply:
        records = [link.record for link in self.store.links.values()]
        test = listing.predicate(ctx.query)
        if test:
            records = [r for r in records if test(r)]
        return self.paginate(ctx, [dumps(r) for r in records])

    def get_link(self, ctx) -> Reply:
        link = self.store.link(ctx.params["id"])
        return Reply(200, link.record) if link else self.error(404, "not_found")

    def create_link(self, ctx) -> Reply:
        body = ctx.body or {}
        for name in ("institution", "username"):
            if not body.get(name):
                return self.error(400, "required", name)
        institution = body["institution"]
        if institution not in self.store.institutions_by_name:
            return self.error(400, "does_not_exist", "institution", f"Object with name={institution} does not exist.")
        for field in self.store.institutions_by_name[institution]["form_fields"]:  # what its login asks for
            if not body.get(field["name"]):
                return self.error(400, "required", field["name"])
        username, password = str(body["username"]), str(body.get("password") or "")
        if body.get("access_mode") not in (None, "single", "recurrent"):
            return self.error(400, "invalid_choice", "access_mode", f'"{body["access_mode"]}" is not a valid choice.')
        if (username, password) in INVALID_CREDENTIALS:
            return self.error(400, "login_error")
        mfa = MFA_CREDENTIALS.get((username, password)) or (
            "numeric" if institution.startswith("gotham_") else None)
        if mfa and body.get("token") != GOOD_TOKEN:
            link = self.store.new_link(institution, username, password, body, status="unconfirmed")
            return self.token_required(link, "links", mfa, {})
        link = self.store.new_link(institution, username, password, body, status="valid")
        self._historical_webhooks(link)
        return Reply(201, link.record)

    def resume_link(self, ctx) -> Reply:
        session, link, problem = self.session(ctx, "links", expired_status=404)
        if problem:
            return problem
        link.record["status"] = "valid"
        self._historical_webhooks(link)
        return Reply(200, link.record)

    def update_link(self, ctx) -> Reply:
        link = self.store.link(ctx.params["id"])
        if not link:
            return self.error(404, "not_found")
        if not (ctx.body or {}).get("password"):
            return self.error(400, "required", "password")
        link.record["status"] = "valid"
        return Reply(200, link.record)

    def patch_link(self, ctx) -> Reply:
        link = self.store.link(ctx.params["id"])
        if not link:
            return self.error(404, "not_found")
        body = ctx.body or {}
        mode = body.get("access_mode")
        if mode is not None:
            if mode not in ("single", "recurrent"):
                return self.error(400, "invalid_choice", "access_mode", f'"{mode}" is not a valid choice.')
            link.record["access_mode"] = mode
            link.record["refresh_rate"] = "7d" if mode == "recurrent" else None
        for key in ("stale_in", "fetch_resources"):
            if key in body:
                link.record[key] = body[key]
        return Reply(200, link.record)

    def delete_link(self, ctx) -> Reply:
        link = self.store.link(ctx.params["id"])
        if not link:
            return self.error(404, "not_found")
        if ctx.request.headers.get("x-belvo-request-mode") == "async":
            rid = as_uuid(self.core.minter.next())
            self.store.delete_link(link.id)
            self._webhooks([self.core.webhooks.payload("LINK", "link_deleted", link.id, rid, link.record["external_id"],
                                                       {}, process_type="link_deleted")])
            return Reply(202, {"request_id": rid}, request_id=rid)
        if not self.store.delete_allowed("links"):
            return self.error(429, "too_many_requests")
        self.store.delete_link(link.id)
        return Reply(204)

    def refresh_link(self, ctx) -> Reply:
        link = self.store.link(ctx.params["id"])
        if not link:
            return self.error(404, "not_found")
        problem = self.link_status_problem(link, "transactions")  # a refresh fetches whatever the link offers
        if problem:
            return problem
        if not self.store.refresh_allowed(link.id):
            return self.error(409, "link_refreshed")
        rid = self.core.minter.next()
        self._webhooks([self.core.webhooks.payload(
            "TRANSACTIONS", "new_transactions_available", link.id, rid, link.record["external_id"],
            {"new_transactions": 0}, process_type="historical_update")])
        return Reply(202, {"request_id": rid}, request_id=rid)

    # ---- accounts, transactions, owners, balances
    def list_items(self, ctx) -> Reply:
        kind = ctx.params["kind"]
        wanted = ctx.query.get("link__in", ctx.query.get("link", ""))
        links = [self.store.links[i] for i in wanted.split(",") if i in self.store.links] if wanted \
            else list(self.store.links.values())
        runs = [(link, self._indices(link, kind, ctx.query)) for link in links]
        rest = {k: v for k, v in ctx.query.items() if k not in ("link", "link__in", "account", "account__in")}
        test = listing.predicate(rest)
        if test:
            runs = [(link, [i for i in indices if test(link.item(kind, i))]) for link, indices in runs]
        return self.paginate(ctx, Runs(runs), kind=kind)

    def _indices(self, link, kind: str, query: dict):
        """Index arithmetic for the common filters, so a 25,000-item link never materializes."""
        accounts = query.get("account__in", query.get("account"))
        if not accounts or kind not in ("transactions", "balances") or not link.volume.accounts:
            return link.indices(kind)
        wanted = set()
        for account_id in accounts.split(","):
            found = self.store.find_item("accounts", account_id)
            if found and found[0] is link:
                wanted.add(found[1])
        return [i for i in link.indices(kind) if link.account_of(i) in wanted]

    def get_item(self, ctx) -> Reply:
        found = self.store.find_item(ctx.params["kind"], ctx.params["id"])
        if not found:
            return self.error(404, "not_found")
        link, i = found
        return Reply(200, text=link.blob(ctx.params["kind"], i))

    def delete_item(self, ctx) -> Reply:
        kind = ctx.params["kind"]
        found = self.store.find_item(kind, ctx.params["id"])
        if not found:
            return self.error(404, "not_found")
        if kind in DELETE_LIMITED and not self.store.delete_allowed(kind):
            return self.error(429, "too_many_requests")
        link, i = found
        link.deleted[kind].add(i)
        return Reply(204)

    def retrieve(self, ctx) -> Reply:
        kind, body = ctx.params["kind"], ctx.body or {}
        if not body.get("link"):
            return self.error(400, "required", "link")
        if kind in RETRIEVE_DATE_KINDS and not body.get("date_from"):
            return self.error(400, "required", "date_from")
        link = self.store.link(body["link"])
        if not link:
            return self.error(400, "does_not_exist", "link", f"Object with id={body['link']} does not exist.")
        problem = self.link_problem(link, kind, body)
        if problem:
            return problem
        return self._retrieved(ctx, link, kind, body)

    def resume_retrieve(self, ctx) -> Reply:
        kind = ctx.params["kind"]
        session, link, problem = self.session(ctx, kind)
        if problem:
            return problem
        link.record["status"] = "valid"
        reply = self._retrieved(ctx, link, kind, {**session.request, **(ctx.body or {})})
        if kind == "owners" and reply.status in (200, 201):
            # The spec's PatchOwners answers only the Open Finance shapes, whatever the institution.
            owners = [dumps(link.open_finance_owner(i)) for i in link.indices("owners")]
            reply.text = "[" + ",".join(owners) + "]"
        return reply

    def _retrieved(self, ctx, link, kind: str, body: dict) -> Reply:
        if kind in ASYNC_KINDS and ctx.request.headers.get("x-belvo-request-mode") == "async":
            return self.accepted(link, kind)
        indices = self._indices(link, kind, {"account": body["account"]} if body.get("account") else {})
        if kind in RETRIEVE_DATE_KINDS:
            lo, hi = str(body["date_from"])[:10], str(body.get("date_to") or "9999-12-31")[:10]
            if self._date_filter_needed(link, kind, lo, hi):
                indices = [i for i in indices if lo <= link.item(kind, i)["value_date"] <= hi]
        status = 200 if body.get("save_data") is False else 201
        return Reply(status, text=b"".join((b"[", b",".join(link.blobs(kind, indices)), b"]")))

    @staticmethod
    def _date_filter_needed(link, kind: str, lo: str, hi: str) -> bool:
        """Skip per-item filtering when the window covers the whole generated history."""
        n = link.count(kind)
        if not n:
            return False
        newest, oldest = link._day(0, n), link._day(n - 1, n)
        return not (lo <= oldest and newest <= hi)

    # ---- shared pieces
    def turn_link(self, ctx, status: str) -> None:
        """A scenario turns the link this request concerns; Belvo tells the integration by webhook."""
        candidate = ctx.params.get("id") if ctx.path.startswith("/api/links/") else None
        candidate = candidate or ctx.query.get("link") or (ctx.body or {}).get("link")
        link = self.store.link(candidate)
        if not link or link.record["status"] == status:
            return
        link.record["status"] = status
        code, http = ("invalid_credentials", 400) if status == "invalid" else ("token_required", 428)
        data = {"error_code": "login_error" if status == "invalid" else "token_required",
                "error_message": errors.MESSAGES["login_error" if status == "invalid" else "token_required"],
                "status": http}
        self._webhooks([self.core.webhooks.payload("LINK", code, link.id, None, link.record["external_id"], data,
                                                   process_type="recurrent_update")])

    def _historical_webhooks(self, link) -> None:
        if self.core.webhooks.url:
            self._webhooks(self.historical_payloads(link))

    def historical_payloads(self, link) -> list[dict]:
        """What Belvo sends once a link's historical data is ready: ACCOUNTS, TRANSACTIONS, OWNERS."""
        hooks = self.core.webhooks
        ext, n = link.record["external_id"], link.volume.transactions
        inflow = sum(1 for i in range(n) if link.item_type(i) == "INFLOW") if n else 0
        tx = {"total_transactions": n, "total_inflow_transactions": inflow, "total_outflow_transactions": n - inflow,
              "first_transaction_date": link._day(n - 1, n) if n else None, "last_transaction_date": link._day(0, n) if n else None}
        return [
            hooks.payload("ACCOUNTS", "historical_update", link.id, None, ext, {"total_accounts": link.volume.accounts}),
            hooks.payload("TRANSACTIONS", "historical_update", link.id, None, ext, tx),
            hooks.payload("OWNERS", "historical_update", link.id, None, ext, {"total_owners": link.volume.owners}),
        ]
