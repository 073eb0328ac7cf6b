"""Sandbox institutions and the vocabulary the generated data draws from (docs/belvo-api.md, "Simulator")."""
from __future__ import annotations

COUNTRY_NAMES = {"MX": "Mexico", "CO": "Colombia", "BR": "Brazil", "CL": "Chile"}
CURRENCIES = {"MX": "MXN", "CO": "COP", "BR": "BRL", "CL": "CLP"}
PUBLIC_ID_NAMES = {"MX": "CLABE", "CO": "ACCOUNT_NUMBER", "BR": "AGENCY/ACCOUNT", "CL": "ACCOUNT_NUMBER"}
BANKING = ["ACCOUNTS", "TRANSACTIONS", "OWNERS", "BALANCES", "BILLS"]
ENRICHMENT = ["INCOMES", "RECURRING_EXPENSES", "RISK_INSIGHTS"]
OPEN_FINANCE = ["ACCOUNTS", "TRANSACTIONS", "OWNERS", "BALANCES", "EXCHANGES", "INVESTMENTS", "INVESTMENT_TRANSACTIONS"]
FISCAL_MX = ["INVOICES", "TAX_RETURNS", "TAX_STATUS", "TAX_COMPLIANCE_STATUS", "TAX_RETENTIONS", "FINANCIAL_STATEMENTS"]
FISCAL_CL = ["INVOICES", "TAX_STATUS", "DEBT_REPORTS"]
EMPLOYMENT_MX = ["EMPLOYMENT_RECORDS", "CURRENT_EMPLOYMENTS", "EMPLOYMENT_METRICS"]

# (name, display name, type, resources, colour)
_INSTITUTIONS = (
    [(f"erebor_{c}_retail", f"Erebor {COUNTRY_NAMES[c.upper()]}", "bank", BANKING + ENRICHMENT, "#056dae") for c in ("mx", "co", "br")]
    + [(f"gringotts_{c}_retail", f"Gringotts {COUNTRY_NAMES[c.upper()]}", "bank", BANKING, "#8b1a1a") for c in ("mx", "co", "br")]
    + [(f"gotham_{c}_business", f"Gotham {COUNTRY_NAMES[c.upper()]} Business", "bank", BANKING, "#2b2b2b") for c in ("mx", "co", "br")]
    + [(f"heimdall_{c}_retail", f"Heimdall {COUNTRY_NAMES[c.upper()]}", "bank", BANKING, "#d4a017") for c in ("mx", "co", "br")]
    + [
        ("ironbank_br_retail", "Iron Bank Brazil", "bank", BANKING, "#4a4a4a"),
        ("ironbank_br_business", "Iron Bank Brazil Business", "bank", BANKING, "#4a4a4a"),
        ("ofmockbank_br_retail", "OF Mock Bank", "bank", OPEN_FINANCE + ENRICHMENT, "#00a86b"),
        ("tatooine_mx_fiscal", "Tatooine Tax Authority", "fiscal", FISCAL_MX, "#c2b280"),
        ("planet_mx_retail", "Planet Employment", "employment", EMPLOYMENT_MX, "#1e90ff"),
        ("planet_br_employment", "Planet Employment Brazil", "employment", ["EMPLOYMENTS"], "#1e90ff"),
        ("tatooine_cl_fiscal", "Tatooine Chile SII", "fiscal", FISCAL_CL, "#c2b280"),
        # The institutions the spec's link examples name (POST /api/links/), so its example bodies create links.
        ("sat_mx_fiscal", "SAT", "fiscal", FISCAL_MX, "#6d1f3b"),
        ("imss_mx_employment", "IMSS", "employment", EMPLOYMENT_MX, "#13322b"),
        ("inss_br_employment", "INSS", "employment", ["EMPLOYMENTS"], "#1351b4"),
    ]
)
# Institutions whose login is the username alone (IMSS: the CURP), as the spec's example link for it has no password.
USERNAME_ONLY = frozenset({"imss_mx_employment"})
USERNAME_FIELD = {"name": "username", "type": "text", "label": "Client number", "validation": "^.{1,}$",
                  "placeholder": "ABC123", "validation_message": "Invalid client number"}
PASSWORD_FIELD = {"name": "password", "type": "password", "label": "Password", "validation": "^.{1,}$",
                  "placeholder": "********", "validation_message": "Invalid password"}
# Institutions that always ask for an MFA token on link creation.
MFA_INSTITUTIONS = frozenset(n for n, *_ in _INSTITUTIONS if n.startswith("gotham_"))


def institutions() -> list[dict]:
    out = []
    for i, (name, display, type_, resources, colour) in enumerate(_INSTITUTIONS):
        country = name.split("_")[1].upper()
        features = [{"name": "token_required", "description": "The institution may ask for an MFA token"}] if (
            name.startswith(("gotham_", "heimdall_"))) else []
        out.append({
            "id": 1001 + i, "name": name, "type": type_, "website": f"https://www.{name.split('_')[0]}.example",
            "display_name": display, "country_codes": [country], "primary_color": colour,
            "logo": None, "icon_logo": None, "text_logo": None,
            "form_fields": [dict(USERNAME_FIELD)] + ([] if name in USERNAME_ONLY else [dict(PASSWORD_FIELD)]),
            "features": features, "resources": list(resources),
            "integration_type": "openfinance" if name.startswith("ofmockbank") else "credentials",
            "status": "healthy",
            "openbanking_information": {
                "description": f"{display} é uma instituição participante do Open Finance Brasil.",
                "participants": [display], "authorization_server_id": "6f1a4c3e-2b7d-4e59-9a1c-3d5e7f9b1a2c",
            } if name.startswith("ofmockbank") else None,
        })
    return out


ACCOUNT_KINDS = [  # (category, balance_type, institution label, subtype, name)
    ("CHECKING_ACCOUNT", "ASSET", "Cuenta de cheques", "CONTA_DEPOSITO_A_VISTA", "Cuenta Nómina"),
    ("SAVINGS_ACCOUNT", "ASSET", "Cuenta de ahorro", "CONTA_POUPANCA", "Ahorro Plus"),
    ("CREDIT_CARD", "LIABILITY", "Tarjeta de crédito", "CREDITO_ROTATIVO", "Tarjeta Oro"),
]

# (category, subcategory, type, description, merchant or None)
TRANSACTION_KINDS = [
    ("Income & Payments", "Salary", "INFLOW", "Pago de nómina", None),
    ("Income & Payments", "Freelance", "INFLOW", "Transferencia SPEI recibida", None),
    ("Transfers", None, "OUTFLOW", "Transferencia SPEI enviada", None),
    ("Food & Groceries", "Groceries", "OUTFLOW", "Compra supermercado", ("Supermercado La Estrella", "https://laestrella.example")),
    ("Food & Groceries", "Restaurants", "OUTFLOW", "Consumo restaurante", ("Tacos El Güero", None)),
    ("Bills & Utilities", "Electricity & Energy", "OUTFLOW", "Pago servicio de luz", ("Luz y Fuerza", "https://luz.example")),
    ("Bills & Utilities", "Telecommunications", "OUTFLOW", "Recarga telefonía móvil", ("Telcel Demo", "https://telco.example")),
    ("Transport & Travel", None, "OUTFLOW", "Viaje en app de transporte", ("Rides Demo", "https://rides.example")),
    ("Online Platforms & Leisure", "Apps, Software and Cloud Services", "OUTFLOW", "Suscripción streaming", ("StreamFlix", "https://streamflix.example")),
    ("Withdrawal & ATM", None, "OUTFLOW", "Retiro en cajero automático", None),
    ("Fees & Charges", "Bank Fees", "OUTFLOW", "Comisión por manejo de cuenta", None),
    ("Personal Shopping", None, "OUTFLOW", "Compra en tienda departamental", ("Liverpool Demo", "https://tienda.example")),
    ("Deposits", None, "INFLOW", "Depósito en efectivo", None),
]

# The same kinds in the words of each country's banks, by position in the lists above.
LOCAL_ACCOUNT_WORDS = {  # (institution label, name)
    "BR": [("Conta corrente", "Conta Corrente"), ("Conta poupança", "Poupança"), ("Cartão de crédito", "Cartão Gold")],
}
LOCAL_TRANSACTION_WORDS = {  # (description, merchant or None)
    "BR": [("Pagamento de salário", None), ("PIX recebido", None), ("PIX enviado", None),
           ("Compra supermercado", ("Supermercado Pão Dourado", "https://paodourado.example")),
           ("Restaurante", ("Boteco do Zé", None)),
           ("Pagamento conta de luz", ("Energia Paulista", "https://energia.example")),
           ("Recarga celular", ("Vivo Demo", "https://telco.example")),
           ("Corrida por aplicativo", ("Rides Demo", "https://rides.example")),
           ("Assinatura streaming", ("StreamFlix", "https://streamflix.example")),
           ("Saque caixa eletrônico", None), ("Tarifa de manutenção de conta", None),
           ("Compra em loja de departamento", ("Lojas Demo", "https://loja.example")), ("Depósito em dinheiro", None)],
    "CO": [("Pago de nómina", None), ("Transferencia ACH recibida", None), ("Transferencia PSE enviada", None),
           ("Compra supermercado", ("Supermercado La Estrella", "https://laestrella.example")),
           ("Consumo restaurante", ("Arepas Doña Rosa", None)),
           ("Pago servicio de energía", ("Energía Andina", "https://luz.example")),
           ("Recarga telefonía móvil", ("Claro Demo", "https://telco.example")),
           ("Viaje en app de transporte", ("Rides Demo", "https://rides.example")),
           ("Suscripción streaming", ("StreamFlix", "https://streamflix.example")),
           ("Retiro en cajero automático", None), ("Cuota de manejo", None),
           ("Compra en almacén de cadena", ("Almacenes Demo", "https://tienda.example")), ("Consignación en efectivo", None)],
}


ONLINE_NOTE = {"BR": "Operação pela internet"}  # transactions' `observations`, where there is one


def online_note(country: str) -> str:
    return ONLINE_NOTE.get(country, "Operación en línea")


def account_kinds(country: str) -> list:
    words = LOCAL_ACCOUNT_WORDS.get(country)
    if not words:
        return ACCOUNT_KINDS
    return [(c, b, label, sub, name) for (c, b, _, sub, _), (label, name) in zip(ACCOUNT_KINDS, words)]


def transaction_kinds(country: str) -> list:
    words = LOCAL_TRANSACTION_WORDS.get(country)
    if not words:
        return TRANSACTION_KINDS
    return [(c, sub, t, desc, merchant) for (c, sub, t, _, _), (desc, merchant) in zip(TRANSACTION_KINDS, words)]


# OFDA's operation_type (non-nullable, [A-Za-z_]) by transaction category.
OPERATION_TYPES = {"Transfers": "TRANSFERENCIA_OUTRA_INSTITUICAO", "Withdrawal & ATM": "SAQUE", "Deposits": "DEPOSITO",
                   "Income & Payments": "TED", "Fees & Charges": "TARIFA", "Bills & Utilities": "BOLETO"}
