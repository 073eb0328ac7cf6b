"""Each country's links carry that country's data: names, documents, phones, currency, words."""
import re

import pytest

from simtest import make_link


def cpf_valid(number: str) -> bool:
    digits = [int(c) for c in number]
    for size in (9, 10):
        rest = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1))) % 11
        if digits[size] != (0 if rest < 2 else 11 - rest):
            return False
    return len(digits) == 11


@pytest.mark.parametrize("institution,country", [("erebor_br_retail", "BR"), ("erebor_mx_retail", "MX"),
                                                 ("erebor_co_retail", "CO"), ("ofmockbank_br_retail", "BR")])
def test_owners_accounts_and_transactions_speak_for_their_country(client, institution, country):
    link = make_link(client, "bnk100", "full", institution=institution)["id"]
    owner = client.get("/api/owners/", params={"link": link}).json()["results"][0]
    account = client.get("/api/accounts/", params={"link": link}).json()["results"][0]
    transactions = client.get("/api/transactions/", params={"link": link, "page_size": 100}).json()["results"]
    document = owner["document_id"]
    prefix = {"BR": "+55", "MX": "+52", "CO": "+57"}[country]
    assert owner["phone_number"].startswith(prefix)
    assert account["currency"] == {"BR": "BRL", "MX": "MXN", "CO": "COP"}[country]
    if country == "BR":
        assert document["document_type"] == "CPF" and cpf_valid(document["document_number"])
        assert "Ciudad de México" not in str(owner) and any(t["description"] == "PIX enviado" for t in transactions)
    elif country == "MX":
        assert document["document_type"] == "RFC" and re.fullmatch(r"[A-Z]{4}\d{6}[A-Z0-9]{3}", document["document_number"])
    else:
        assert document["document_type"] == "CC" and document["document_number"].isdigit()
    if institution.startswith("ofmockbank"):  # the Open Finance owner shape
        assert {"social_name", "birth_date", "addresses", "phone_numbers", "financial_profile"} <= owner.keys()
        institution_record = client.get("/api/institutions/", params={"name": institution}).json()["results"][0]
        assert institution_record["openbanking_information"]["participants"]
    assert account["balance"].keys() >= {"current", "available", "blocked", "automatically_invested"}
    assert {"transacted_at", "inferred_accounting_date"} <= transactions[0].keys() and "overdraft" in account
