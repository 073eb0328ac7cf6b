"""A bytes-level keyword test that decides, before any decoding or parsing, what a file can be about.

Most files of a tree never mention Belvo: they are read once, lower-cased once, tested with a
handful of substring searches (memchr speed; a regex here would cost ten times more) and
dropped. Only files with a topic go further, and matchers then visit only the lines that hold
their own keywords (SourceText.lines_with).
"""

from __future__ import annotations

# Field names and API paths only Belvo code uses (checked only when "belvo" itself is absent).
BELVO_ONLY = (b"institution_user_id", b"webhook_code", b"/api/links", b"/api/transactions", b"/api/accounts",
              b"/api/owners", b"/api/balances", b"/api/institutions")
# TLS switches: "verif" covers verify=False, VERIFY_NONE, InsecureSkipVerify, CURLOPT_SSL_VERIFYPEER,
# NoopHostnameVerifier and withoutVerifying(); the rest are per language so each file pays for few.
TLS_ANY = b"verif"
TLS_BY_LANGUAGE = {
    "python": (b"cert_none", b"ssl=false", b"check_hostname"),
    "javascript": (b"rejectunauthorized", b"reject_unauthorized", b"strictssl"),
    "typescript": (b"rejectunauthorized", b"reject_unauthorized", b"strictssl"),
    "tsx": (b"rejectunauthorized", b"strictssl"),
    "java": (b"trustall", b"trustselfsigned", b"insecuretrust"),
    "kotlin": (b"trustall", b"insecuretrust"),
    "csharp": (b"validationcallback", b"dangerousaccept"),
    "dotenv": (b"reject_unauthorized",), "yaml": (b"reject_unauthorized",), "docker": (b"reject_unauthorized",),
    "shell": (b"reject_unauthorized",),
}


def topics_of(data: bytes, language: str, frontend: bool = False) -> frozenset[str]:
    """The topics of a file: belvo, webhook, tls, suppress, frontend."""
    lower = data.lower()
    topics = set()
    if b"belvo" in lower:
        topics.add("belvo")
        if b"belvo-check:" in lower:
            topics.add("suppress")
    elif b"/api/" in lower or b"institution_user_id" in lower or b"webhook_code" in lower:
        if any(needle in lower for needle in BELVO_ONLY):
            topics.add("belvo")
    if b"webhook" in lower:
        topics.add("webhook")
    if TLS_ANY in lower or any(needle in lower for needle in TLS_BY_LANGUAGE.get(language, ())):
        topics.add("tls")
    if frontend:
        topics.add("frontend")  # code shipped to browsers: every secret-ish line matters there
    return frozenset(topics)
