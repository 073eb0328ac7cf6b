import logging
from datetime import date, timedelta

from belvo.exceptions import RequestError

from banking.belvo_client import client
from banking.models import BankAccount, BankLink, Transaction

log = logging.getLogger(__name__)


def register_link(customer_id, institution, username, password):
    link = client().Links.create(institution=institution, username=username, password=password,
                                 external_id=customer_id)
    return BankLink.objects.create(
        belvo_id=link["id"],
        customer_id=customer_id,
        institution=institution,
        institution_user_id=link["institution_user_id"],
    )


def refresh(bank_link):
    accounts = client().Accounts.create(bank_link.belvo_id, save_data=True)
    for acc in accounts:
        BankAccount.objects.update_or_create(
            belvo_id=acc["id"],
            defaults={
                "link": bank_link,
                "name": acc["name"],
                "category": acc["category"],
                "balance": acc["balance"]["current"],
            },
        )
    since = (date.today() - timedelta(days=90)).isoformat()
    try:
        for tx in client().Transactions.list(link=bank_link.belvo_id, value_date__gte=since):
            account = BankAccount.objects.get(belvo_id=tx["account"]["id"])
            Transaction.objects.update_or_create(
                belvo_id=tx["id"],
                defaults={"account": account, "amount": tx["amount"], "description": tx["description"] or "",
                          "value_date": tx["value_date"]},
            )
    except RequestError as exc:
        log.error("belvo transactions failed: %s %s", exc.status_code, exc.detail)
        raise


def mark_status(link_id, status):
    BankLink.objects.filter(belvo_id=link_id).update(status=status)
