"""Country-true personal and business data for generated items: names, documents, phones, addresses, currency.

Brazil: CPF (11 digits) and CNPJ (14 digits) with valid check digits, BRL, +55 phones. Mexico: RFC and
CURP, MXN, +52. Colombia: CC and NIT, COP, +57. Chile: RUT, CLP, +56. See docs/belvo-api.md, "Simulator".
"""
from __future__ import annotations

import random

CURRENCIES = {"BR": "BRL", "MX": "MXN", "CO": "COP", "CL": "CLP"}
PHONE_PREFIX = {"BR": "55", "MX": "52", "CO": "57", "CL": "56"}
NAMES = {
    "BR": (("Ana", "Beatriz", "Lucas", "Gabriel", "Mariana", "João", "Fernanda", "Rafael"),
           ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida")),
    "MX": (("Ana", "Carlos", "Mariana", "Jorge", "Lucía", "Alejandro", "Sofía", "Diego"),
           ("López", "Hernández", "García", "Martínez", "Ramírez", "Ruiz", "Díaz", "Torres")),
    "CO": (("Valentina", "Santiago", "Camila", "Andrés", "Daniela", "Felipe", "Laura", "Juan"),
           ("Gómez", "Rodríguez", "Restrepo", "Castaño", "Vargas", "Ospina", "Moreno", "Jaramillo")),
    "CL": (("Catalina", "Matías", "Josefa", "Benjamín", "Isidora", "Vicente"),
           ("González", "Muñoz", "Rojas", "Díaz", "Soto", "Contreras")),
}
STREETS = {
    "BR": ("Avenida Paulista {n}, Bela Vista, São Paulo - SP", "Rua das Laranjeiras {n}, Rio de Janeiro - RJ",
           "Rua da Bahia {n}, Belo Horizonte - MG"),
    "MX": ("Av. Paseo de la Reforma {n}, Ciudad de México", "Calle Morelos {n}, Guadalajara, Jal.",
           "Av. Constitución {n}, Monterrey, N.L."),
    "CO": ("Carrera 7 # {n}-20, Bogotá", "Calle 10 # {n}-35, Medellín", "Avenida 6N # {n}-14, Cali"),
    "CL": ("Av. Providencia {n}, Santiago", "Calle Prat {n}, Valparaíso"),
}
CITIES = {"BR": ("São Paulo", "SP", "01310-100"), "MX": ("Ciudad de México", "CDMX", "06600"),
          "CO": ("Bogotá", "DC", "110111"), "CL": ("Santiago", "RM", "7500000")}
BUSINESS = {"BR": "Comércio de Alimentos {last} Ltda.", "MX": "Comercializadora {last} S.A. de C.V.",
            "CO": "Inversiones {last} S.A.S.", "CL": "Sociedad Comercial {last} SpA"}


def _digits(rng: random.Random, n: int) -> list[int]:
    return [rng.randrange(10) for _ in range(n)]


def _check(digits: list[int], weights: list[int]) -> int:
    rest = sum(d * w for d, w in zip(digits, weights)) % 11
    return 0 if rest < 2 else 11 - rest


def cpf(rng: random.Random) -> str:
    d = _digits(rng, 9)
    d.append(_check(d, list(range(10, 1, -1))))
    d.append(_check(d, list(range(11, 1, -1))))
    return "".join(map(str, d))


def cnpj(rng: random.Random) -> str:
    d = _digits(rng, 8) + [0, 0, 0, 1]
    d.append(_check(d, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]))
    d.append(_check(d, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]))
    return "".join(map(str, d))


def rfc(rng: random.Random, first: str, last: str, business: bool = False) -> str:
    letters = "".join(c for c in (last[:2] + first[:2]).upper() if c.isalpha()).translate(str.maketrans("ÁÉÍÓÚÑ", "AEIOUX"))
    head = letters[:3] if business else (letters + "XXXX")[:4]
    date = f"{rng.randrange(60, 99):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    tail = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(3))
    return head + date + tail


def curp(rng: random.Random, first: str, last: str) -> str:
    base = rfc(rng, first, last)[:10]
    sex, state = rng.choice("HM"), rng.choice(("DF", "JC", "NL", "PU"))
    return base + sex + state + "".join(rng.choice("BCDFGHJKLMNPRSTVZ") for _ in range(3)) + "0" + str(rng.randrange(10))


def nit(rng: random.Random) -> str:
    return "9" + "".join(map(str, _digits(rng, 8)))


def cc(rng: random.Random) -> str:
    return str(rng.randrange(10_000_000, 1_299_999_999))


def rut(rng: random.Random) -> str:
    body = rng.randrange(5_000_000, 25_000_000)
    total, factor = 0, 2
    for ch in reversed(str(body)):
        total, factor = total + int(ch) * factor, 2 if factor == 7 else factor + 1
    dv = 11 - total % 11
    return f"{body}-{'0' if dv == 11 else 'K' if dv == 10 else dv}"


class Person:
    """One person (and their business), consistent across every field of an item."""

    def __init__(self, country: str, rng: random.Random):
        self.country = country if country in NAMES else "MX"
        firsts, lasts = NAMES[self.country]
        self.first, self.last, self.second = rng.choice(firsts), rng.choice(lasts), rng.choice(lasts)
        self.rng = rng
        self.phone_digits = (("11" + "9" + "".join(map(str, _digits(rng, 8)))) if self.country == "BR"
                             else "55" + "".join(map(str, _digits(rng, 8))) if self.country == "MX"
                             else "3" + "".join(map(str, _digits(rng, 9))) if self.country == "CO"
                             else "9" + "".join(map(str, _digits(rng, 8))))
        self.number = rng.randrange(10, 2500)

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last} {self.second}"

    @property
    def business_name(self) -> str:
        return BUSINESS[self.country].format(last=self.last)

    @property
    def phone(self) -> str:
        return f"+{PHONE_PREFIX[self.country]}{self.phone_digits}"

    @property
    def phone_display(self) -> str:
        d = self.phone_digits
        if self.country == "BR":
            return f"+55 {d[:2]} {d[2:7]}-{d[7:]}"
        if self.country == "MX":
            return f"+52 {d[:2]} {d[2:6]} {d[6:]}"
        return f"+{PHONE_PREFIX[self.country]} {d[:3]} {d[3:6]} {d[6:]}"

    @property
    def address(self) -> str:
        return STREETS[self.country][self.number % len(STREETS[self.country])].format(n=self.number)

    @property
    def email(self) -> str:
        plain = self.first.lower().translate(str.maketrans("áéíóúãõçñ", "aeiouaocn"))
        return f"{plain}.{self.last.lower().translate(str.maketrans('áéíóúãõçñ', 'aeiouaocn'))}{self.number}@example.com"

    def documents(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """((person document type, number), (business document type, number)) as the country issues them."""
        rng = self.rng
        if self.country == "BR":
            return ("CPF", cpf(rng)), ("CNPJ", cnpj(rng))
        if self.country == "CO":
            return ("CC", cc(rng)), ("NIT", nit(rng))
        if self.country == "CL":
            return ("RUT", rut(rng)), ("RUT", rut(rng))
        return ("RFC", rfc(rng, self.first, self.last)), ("RFC", rfc(rng, self.first, self.last, business=True))

    def facts(self) -> dict:
        """Property names of the spec's schemas -> this person's values (candidates in order of preference)."""
        (doc_type, doc), (biz_type, biz) = self.documents()
        city, state, postcode = CITIES[self.country]
        curp_value = curp(self.rng, self.first, self.last) if self.country == "MX" else None
        return {
            "display_name": self.full_name, "first_name": self.first, "last_name": self.last,
            "second_last_name": self.second, "full_name": self.full_name,
            "civil_name": self.full_name, "social_name": self.full_name, "business_name": self.business_name,
            "company_name": self.business_name, "trade_name": self.business_name, "employer_name": self.business_name,
            "email": self.email, "phone_number": (self.phone_display, self.phone), "phone": (self.phone, self.phone_display),
            "address": self.address, "full_address": self.address, "street": self.address.split(",")[0],
            "city": city, "town": city, "state": state, "country_sub_division": state, "postal_code": postcode,
            "post_code": postcode, "zip_code": postcode,
            "cpf": doc if self.country == "BR" else None, "cnpj": biz if self.country == "BR" else None,
            "cpf_number": doc if self.country == "BR" else None, "cnpj_number": biz if self.country == "BR" else None,
            "rfc": doc if self.country == "MX" else None, "curp": curp_value,
            "document_type": (doc_type, biz_type), "document_number": (doc, biz),
            "currency": CURRENCIES[self.country], "country": self.country, "country_code": self.country,
        }
