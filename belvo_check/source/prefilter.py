"""A bytes-level keyword test that decides, before any decoding or parsing, what a file can be about.

Most files of a tree never mention Belvo: they are read once, lower-cased once, tested with a
handful of substring searches (memchr speed; a regex here would cost ten times more) and
dropped. Only files with a topic go further, and matchers then visit only the lines that hold
their own keywords (SourceText.lines_with).
"""

from __future__ import annotations

# API paths only Belvo code uses, beside the field names institution_user_id and webhook_code (checked
# only when "belvo" itself is absent; the paths only in files that hold "/api/").
BELVO_PATHS = (b"/api/links", b"/api/transactions", b"/api/accounts", b"/api/owners", b"/api/balances",
               b"/api/institutions")
# TLS switches: "verif" covers verify=False, VERIFY_NONE, InsecureSkipVerify, CURLOPT_SSL_VERIFYPEER,
# NoopHostnameVerifier and withoutVerifying(); one broader needle per language catches the rest
# (each needle is one more pass over the file, so there are few; matchers then check the lines).
TLS_ANY = b"verif"
TLS_BY_LANGUAGE = {
    "python": b"ssl",  # ssl=False, ssl.CERT_NONE, check_hostname on an ssl context
    "javascript": b"unauthorized", "typescript": b"unauthorized", "tsx": b"unauthorized",  # rejectUnauthorized
    "dotenv": b"unauthorized", "yaml": b"unauthorized", "docker": b"unauthorized", "shell": b"unauthorized",
    "java": b"trust", "kotlin": b"trust",  # TrustAllStrategy, InsecureTrustManagerFactory
    "csharp": b"certificate",  # ServerCertificateCustomValidationCallback, DangerousAcceptAnyServerCertificate...
}
WIDGET_LANGUAGES = frozenset({"javascript", "typescript", "tsx", "html", "vue", "svelte"})
# Exception handlers a framework registers (Spring @ExceptionHandler, Flask errorhandler, FastAPI
# exception_handler, ASP.NET UseExceptionHandler; Rails rescue_from; Express error middleware with
# express-async-errors): they may catch what a Belvo call raises in another file, so they are read where
# "belvo" is never named. One pass finds "handler" (one more per Ruby or JS file).
ERROR_HANDLERS = (b"exceptionhandler", b"errorhandler", b"exception_handler", b"error_handler")


def topics_of(data: bytes, language: str, frontend: bool = False, guessed_frontend: bool = False) -> frozenset[str]:
    """The topics of a file: belvo, webhook, tls, suppress, widget, frontend.

    `frontend`: the file matched a configured front-end glob; `guessed_frontend`: its path only looks
    like front-end code, so it counts only when it mentions secrets or the token endpoint.
    """
    lower = data.lower()
    topics = set()
    webhook = b"webhook" in lower  # one pass answers for webhook_code too, in most files
    if b"belvo" in lower:
        topics.add("belvo")
        if b"belvo-check:" in lower:
            topics.add("suppress")
    elif b"institution_user_id" in lower or (webhook and b"webhook_code" in lower) or (
            b"/api/" in lower and any(path in lower for path in BELVO_PATHS)):
        topics.add("belvo")
    if b"collected" in lower and (b"collected_at" in lower or b"collectedat" in lower):
        topics.add("belvo_data")  # Belvo's timestamp field: its parsers are judged where "belvo" is never named
    if b"handler" in lower and any(needle in lower for needle in ERROR_HANDLERS) or (
            language == "ruby" and b"rescue_from" in lower) or (
            language in WIDGET_LANGUAGES and b"express-async-errors" in lower):
        topics.add("error_handler")
    if webhook:
        topics.add("webhook")
    extra = TLS_BY_LANGUAGE.get(language)
    if TLS_ANY in lower or (extra is not None and extra in lower):
        topics.add("tls")
    if language in WIDGET_LANGUAGES and b"createwidget" in lower:
        topics.add("widget")
    if frontend or (guessed_frontend and (b"secret" in lower or b"/api/token" in lower)):
        topics.add("frontend")  # code shipped to browsers: every secret-ish line matters there
    return frozenset(topics)
