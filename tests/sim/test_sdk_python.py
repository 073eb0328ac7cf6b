"""belvo-python 0.39.1, unchanged, runs its normal flows against the simulator."""
import pytest
from belvo.client import Client
from belvo.exceptions import BelvoAPIException
from requests import HTTPError

from belvo_check.sim import Simulator

from simtest import KEYS


@pytest.fixture
def sdk(sim):
    return Client(*KEYS, url=sim.url)


def test_institutions_and_links(sdk):
    names = [i["name"] for i in sdk.Institutions.list()]
    assert {"erebor_mx_retail", "gringotts_co_retail", "gotham_br_business", "heimdall_mx_retail"} <= set(names)
    link = sdk.Links.create("erebor_mx_retail", "bnk100", "full", external_id="user-42")
    assert link["status"] == "valid" and link["external_id"] == "user-42"
    assert len(link["institution_user_id"]) == 44
    assert sdk.Links.get(link["id"])["id"] == link["id"]
    assert [l["id"] for l in sdk.Links.list(external_id="user-42")] == [link["id"]]


def test_mfa_link_and_resume(sdk):
    challenge = sdk.Links.create("erebor_mx_retail", "mfa_numeric", "numeric_code")
    assert challenge[0]["code"] == "token_required" and len(challenge[0]["session"]) == 32
    again = sdk.Links.resume(challenge[0]["session"], "999999", link=challenge[0]["link"])
    assert again[0]["code"] == "token_required" and again[0]["session"] != challenge[0]["session"]
    link = sdk.Links.resume(again[0]["session"], "111111", link=again[0]["link"])
    assert link["status"] == "valid" and link["id"] == challenge[0]["link"]


def test_data_flows(sdk):
    link = sdk.Links.create("erebor_mx_retail", "bnk100", "full")
    accounts = sdk.Accounts.create(link["id"])
    assert isinstance(accounts, list) and len(accounts) == 3
    assert sorted(a["id"] for a in sdk.Accounts.list(link=link["id"])) == sorted(a["id"] for a in accounts)
    retrieved = sdk.Transactions.create(link["id"], "2000-01-01")
    listed = list(sdk.Transactions.list(link["id"]))  # 10 per page: 60 pages
    ids = [t["id"] for t in listed]
    assert len(ids) == len(set(ids)) == len(retrieved) == 600
    assert listed[0]["account"]["id"] in {a["id"] for a in accounts}
    owners = sdk.Owners.create(link["id"])
    assert owners[0]["link"] == link["id"]
    assert sdk.Balances.create(link["id"], "2000-01-01")
    assert sdk.Transactions.get(ids[5])["id"] == ids[5]


def test_widget_token_and_delete(sdk):
    token = sdk.WidgetToken.create()
    assert token["access"].count(".") == 2 and token["refresh"].count(".") == 2
    link = sdk.Links.create("gringotts_mx_retail", "user_valid", "pass_valid")
    assert sdk.Links.delete(link["id"]) is True
    with pytest.raises(HTTPError) as info:
        sdk.Links.get(link["id"])
    assert info.value.response.status_code == 404


def test_login_error_is_returned_as_data(sdk):
    body = sdk.Links.create("erebor_mx_retail", "user_invalid", "pass_invalid")
    assert body[0]["code"] == "login_error" and len(body[0]["request_id"]) == 32


def test_wrong_keys(sim):
    with pytest.raises(BelvoAPIException):
        Client(KEYS[0], "wrong", url=sim.url)
    # The SDK hides the 401 body at login; a raw GET through its session shows it.
    sdk = Client(*KEYS, url=sim.url)
    sdk.session.session.auth = (KEYS[0], "wrong")
    with pytest.raises(HTTPError) as info:
        list(sdk.Institutions.list())
    body = info.value.response.json()
    assert body[0]["code"] == "authentication_failed" and body[0]["message"] == "Invalid Secret Keys"
    assert body[0]["request_id"] in sim.minted_request_ids(status=401)


def _walk(sdk, resource, created: list, link: str):
    """list (paginated), get and delete of one resource, through the SDK, for what ``create`` just made."""
    ids = [item["id"] for item in created]
    listed = [item["id"] for item in resource.list(link=link)]
    assert ids and set(ids) <= set(listed), (resource.endpoint, ids, listed)
    got = resource.get(ids[0])
    assert (got[0] if isinstance(got, list) else got)["id"] == ids[0]
    assert resource.delete(ids[0]) is True
    assert ids[0] not in [item["id"] for item in resource.list(link=link)]


def test_enrichment_flows(sdk):
    link = sdk.Links.create("erebor_mx_retail", "bnk100", "full")["id"]
    for resource in (sdk.Incomes, sdk.RecurringExpenses, sdk.RiskInsights):
        created = resource.create(link)
        created = created if isinstance(created, list) else [created]
        assert all(item["link"] == link for item in created if "link" in item)
        _walk(sdk, resource, created, link)


def test_fiscal_flows(sdk):
    from belvo.enums import TaxRetentionType

    link = sdk.Links.create("tatooine_mx_fiscal", "bnk100", "full")["id"]
    runs = [(sdk.Invoices, sdk.Invoices.create(link, "2024-01-01", "2024-03-31", "INFLOW")),
            (sdk.TaxComplianceStatus, sdk.TaxComplianceStatus.create(link)),
            (sdk.TaxRetentions, sdk.TaxRetentions.create(link, "2024-01-01", "2024-03-31", TaxRetentionType.INFLOW)),
            (sdk.TaxReturns, sdk.TaxReturns.create(link, "2022", "2023")),
            (sdk.TaxStatus, sdk.TaxStatus.create(link))]
    for resource, created in runs:
        _walk(sdk, resource, created if isinstance(created, list) else [created], link)
    # A bank link has no fiscal data: Belvo's unsupported_operation, as data.
    bank = sdk.Links.create("erebor_mx_retail", "bnk100", "full")["id"]
    assert sdk.TaxStatus.create(bank)[0]["code"] == "unsupported_operation"


def test_employment_flows(sdk):
    link = sdk.Links.create("planet_mx_retail", "bnk100", "full")["id"]
    _walk(sdk, sdk.EmploymentRecords, sdk.EmploymentRecords.create(link), link)


def test_balances_owners_and_retired_endpoints(sdk):
    link = sdk.Links.create("ofmockbank_br_retail", "bnk100", "full")["id"]
    owners = sdk.Owners.create(link)
    assert owners[0]["document_id"]["document_type"] in ("CPF", "CNPJ") and owners[0]["phone_number"].startswith("+55")
    assert sdk.Balances.create(link, "2000-01-01")
    from belvo.enums import AccessMode
    assert sdk.Links.patch(link, access_mode=AccessMode.SINGLE)["access_mode"] == "single"
    # Endpoints the SDK still has but Belvo's spec v1.223.0 no longer lists answer 404, as Belvo does.
    for retired in (sdk.Statements.create(link, "acc", "2024", "01"), sdk.TaxDeclarations.create(link, "2022", "2023"),
                    sdk.InvestmentsPortfolios.create(link)):
        assert retired[0]["code"] == "not_found"
