"""Keeping secret values out of everything belvo-check prints or writes.

A secret leaks in more shapes than its own text: an integration that logs its Authorization
header prints the keys as base64 (with or without `=` padding), a URL with credentials
carries them percent-encoded, a debug dump shows them as hex, a log formatter upper-cases a
header. Each secret is expanded once into every form an integration realistically prints
(`forms_of`), and one compiled pattern finds them all, so redacting stays a single scan of
the text however many forms there are.

The same pass makes control characters visible (`visible`): integration output is shown in
reports, and an escape sequence in it must not clear the reader's screen or forge a line.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from typing import Iterable


def fingerprint(value: str) -> str:
    import hashlib  # here, not at the top: `belvo-check list` never needs it

    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Form:
    """One way a secret can appear in a text."""

    text: str
    source: str  # which secret, for a reader: "secret_password", "id:password", ...
    kind: str  # how it was derived: "" (the value itself), "base64 of", "hex of", ...
    tag: str  # fingerprint of the secret itself, so every form of one secret reads the same
    fold: bool = False  # case carries no meaning in this form: match it case-insensitively

    def describe(self, seen: str | None = None) -> str:
        """What a reader is told was found, e.g. `base64 of id:password`, with `(case changed)` when
        the text `seen` matched this form only with a different letter case."""
        label = f"{self.kind} {self.source}" if self.kind else self.source
        return label + (" (case changed)" if seen is not None and seen != self.text else "")


MIN_LENGTH = 4  # shorter values would redact ordinary words
# base64 of a secret inside a longer base64 text (a JSON body or a whole header, encoded) keeps
# only a core that depends on the secret alone; below this many characters a core would match
# ordinary base64 by chance.
MIN_CORE = 16


def forms_of(value: str, source: str, *, fold: bool = False) -> list[Form]:
    """The secret, its base64 (padded and not, standard and URL-safe, alone or inside a longer
    base64 text), its JSON string escape, its hex and its URL encodings. `fold`: the value itself
    is case-insensitive."""
    import base64
    import json
    from urllib.parse import quote, quote_plus

    raw = value.encode()
    tag = fingerprint(value)
    found: dict[str, Form] = {}

    def add(text: str, kind: str, folded: bool = False) -> None:
        if len(text) >= MIN_LENGTH and text not in found:
            found[text] = Form(text, source, kind, tag, folded)

    add(value, "", fold)
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        padded = encode(raw).decode()
        add(padded, "base64 of")
        add(padded.rstrip("="), "base64 of")
        for offset in (0, 1, 2):
            # Inside a longer text the groups of 3 bytes fall at `offset`: the first group (when it
            # mixes in earlier bytes) and the last (when it mixes in later ones) are not the secret's.
            total = offset + len(raw)
            core = encode(b"\0" * offset + raw).decode()[4 if offset else 0: 4 * (total // 3)]
            if len(core) >= MIN_CORE:
                add(core, "part of a longer base64 text holding")
    escaped = json.dumps(value)[1:-1]  # a logged JSON body escapes quotes, backslashes and non-ASCII
    if escaped != value:
        add(escaped, "JSON-escaped")
    add(raw.hex(), "hex of")
    add(raw.hex().upper(), "hex of")
    for quoted in (quote(value, safe=""), quote(value), quote_plus(value)):
        if quoted != value:
            add(quoted, "URL-encoded")
            add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quoted), "URL-encoded")
    return list(found.values())


def key_forms(secret_id: str | None = None, secret_password: str | None = None,
              authorization: str | None = None) -> list[Form]:
    """Every form of Belvo's key pair, of their HTTP Basic credential and of the webhook Authorization value."""
    import base64

    forms = []
    for value, source in ((secret_id, "secret_id"), (secret_password, "secret_password")):
        if value:
            forms += forms_of(value, source)
    if secret_id and secret_password:
        pair = f"{secret_id}:{secret_password}"
        forms += forms_of(pair, "id:password")
        tag = fingerprint(pair)
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(pair.encode()).decode()
            # Header names and schemes are case-insensitive, and loggers do upper-case them.
            forms += [Form(f"Basic {text}", "id:password", "the Basic Authorization header with", tag, True)
                      for text in {encoded, encoded.rstrip("=")}]
    if authorization:
        forms += forms_of(authorization, "webhook Authorization value", fold=True)
        scheme, _, credential = authorization.partition(" ")
        if credential.strip() and scheme:
            forms += forms_of(credential.strip(), "webhook Authorization credential", fold=True)
    return forms


class Redactor:
    """Replaces every form of every known secret in a text with the secret's fingerprint tag,
    and makes control characters visible: what belvo-check may show of a text it did not write."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: dict[str, Form] = {}  # replaced, never changed in place: readers need no lock
        self._pattern: re.Pattern | None = None
        self._lock = threading.Lock()  # secrets are added while other threads redact
        self.add(*secrets)

    # -- what to look for ------------------------------------------------------------------------

    def add(self, *secrets: str | None) -> None:
        """Further secrets (any value that must never be shown), with all their derived forms."""
        for secret in secrets:
            if secret and len(secret) >= MIN_LENGTH:
                self.add_forms(forms_of(secret, "a secret"))

    def add_keys(self, secret_id: str | None = None, secret_password: str | None = None,
                 authorization: str | None = None) -> "Redactor":
        self.add_forms(key_forms(secret_id, secret_password, authorization))
        return self

    def add_forms(self, forms: Iterable[Form]) -> None:
        with self._lock:
            known = dict(self._forms)
            for form in forms:
                seen = known.get(form.text)
                if seen is not None:
                    # A named secret describes a text better than "a secret"; folding only ever widens.
                    kept = form if seen.source == "a secret" else seen
                    form = replace(kept, fold=seen.fold or form.fold)
                known[form.text] = form
            self._forms, self._pattern = known, None

    @property
    def forms(self) -> list[Form]:
        return list(self._forms.values())

    @property
    def pattern(self) -> re.Pattern | None:
        """One alternation, longest form first so a Basic header wins over the base64 inside it."""
        with self._lock:
            if self._pattern is None and self._forms:
                self._pattern = self._compile(self._forms.values())
            return self._pattern

    @staticmethod
    def _compile(forms: Iterable[Form]) -> re.Pattern:
        forms = sorted(forms, key=lambda f: len(f.text), reverse=True)
        exact = "".join({re.escape(f.text[0]): None for f in forms if not f.fold})
        folded = "".join({re.escape(f.text[0]): None for f in forms if f.fold})
        # The lookahead on first characters lets the scan skip most positions at once instead of
        # trying every branch there: about three times faster on logs without a secret.
        first = "|".join(part for part in (exact and f"[{exact}]", folded and f"(?i:[{folded}])") if part)
        branches = "|".join(f"(?i:{re.escape(f.text)})" if f.fold else re.escape(f.text) for f in forms)
        return re.compile(f"(?=(?:{first}))(?:{branches})")

    def _form_of(self, seen: str) -> Form:
        """The form a match came from (found again the way the pattern matched it, case folding included)."""
        forms = self._forms
        return forms.get(seen) or next(f for f in forms.values()
                                       if f.fold and re.fullmatch(f"(?i:{re.escape(f.text)})", seen))

    # -- using it ------------------------------------------------------------------------------

    def find(self, text: str | None) -> list[tuple[Form, str]]:
        """Each distinct (form, text as seen) in `text`, in order of first appearance."""
        pattern = self.pattern
        if not text or pattern is None:
            return []
        seen = dict.fromkeys(match.group() for match in pattern.finditer(text))
        return [(self._form_of(s), s) for s in seen]

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        pattern = self.pattern
        if pattern is not None:
            text = pattern.sub(lambda m: f"[redacted {self._form_of(m.group()).tag}]", text)
        return visible(text)


# C0 controls but \t and \n, DEL, C1 controls (0x9b is a one-byte CSI), and the invisible
# characters that reorder or break what a reader sees (bidi embeddings, overrides and isolates,
# marks, line and paragraph separators).
_HIDDEN = re.compile("\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def _show(match: re.Match) -> str:
    char = match.group()
    if char == "\r\n":  # a Windows line end is a line end, not a trick
        return "\n"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control and invisible formatting character spelled out (ESC as `\\x1b`),
    so nothing in it can move the cursor, recolour, erase, hide or reorder what is shown."""
    return _HIDDEN.sub(_show, text) if _HIDDEN.search(text) else text
