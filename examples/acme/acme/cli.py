"""Command line: python -m acme {link create|link delete|sync|widget-token|serve}."""

import argparse
import logging
import sys

from . import actions, errors
from .config import Settings
from .store import Store

log = logging.getLogger("acme")

ENV_HELP = """environment:
  BELVO_API_URL          Belvo API base URL (default https://sandbox.belvo.com;
                         production is https://api.belvo.com)
  BELVO_SECRET_ID        Belvo secret key id       (required for Belvo calls)
  BELVO_SECRET_PASSWORD  Belvo secret key password (required for Belvo calls)
  ACME_DB                sqlite file (default acme.db)
  ACME_LOG               also append logs to this file (default: stderr only)
  ACME_WEBHOOK_AUTH      Authorization value set for the webhook in Belvo's dashboard

exit codes: 0 ok, 1 Belvo/network error, 2 usage or configuration error, 3 MFA needed
"""


def setup_logging(log_path: str | None) -> None:
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, encoding="utf-8"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for h in handlers:
        h.setFormatter(fmt)
        root.addHandler(h)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # our client logs each call itself


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m acme",
        description="Acme's Belvo integration: connect bank links, sync accounts and "
                    "transactions into sqlite, and receive Belvo webhooks.",
        epilog=ENV_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    link = sub.add_parser("link", help="create or delete a Belvo link")
    link_sub = link.add_subparsers(dest="link_command", required=True, metavar="ACTION")
    create = link_sub.add_parser("create", help="create a recurrent link (POST /api/links/); "
                                                "prints the link id on the last line")
    create.add_argument("--institution", required=True, help="e.g. erebor_mx_retail")
    create.add_argument("--username", required=True, help="the user's bank username")
    create.add_argument("--password", required=True, help="the user's bank password")
    create.add_argument("--external-id", required=True,
                        help="Acme's id for the user (no personal data)")
    delete = link_sub.add_parser("delete", help="delete a link (DELETE /api/links/{id}/)")
    delete.add_argument("link_id", metavar="LINK_ID")

    sync = sub.add_parser("sync", help="retrieve accounts, then list all transactions of a link")
    sync.add_argument("--link", required=True, metavar="LINK_ID")

    widget = sub.add_parser("widget-token", help="issue a Connect widget token (server side)")
    widget.add_argument("--user", required=True, metavar="EXTERNAL_ID",
                        help="the Acme user who will open the widget")

    serve = sub.add_parser("serve", help="run the webhook receiver (GET /health, POST /hooks/belvo)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8099)
    return parser


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        from .server import serve
        serve(settings, args.host, args.port)
        return 0

    with actions.make_client(settings) as client, Store(settings.db_path) as store:
        if args.command == "link" and args.link_command == "create":
            link = actions.create_link(client, store, args.institution, args.username,
                                       args.password, args.external_id)
            print(link["id"])
        elif args.command == "link" and args.link_command == "delete":
            actions.delete_link(client, store, args.link_id)
            print(f"link {args.link_id} deleted")
        elif args.command == "sync":
            n_acc, n_tx = actions.sync_link(client, store, args.link)
            print(f"synced {n_acc} accounts, {n_tx} transactions")
        elif args.command == "widget-token":
            actions.issue_widget_token(client, args.user)
            # the token is for Acme's web backend to hand to the browser; never print it
            print("widget token issued (expires in 10 min)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    setup_logging(settings.log_path)
    try:
        return run(args, settings)
    except Exception as exc:
        return errors.report(exc)
