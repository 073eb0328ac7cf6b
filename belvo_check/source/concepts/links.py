"""Link management: institution_user_id stored at creation; invalid/token_required handled."""

from __future__ import annotations

import re

from belvo_check.source.concepts import concept, conclusion
from belvo_check.source.context import SourceText

INSTITUTION_USER_ID = re.compile(r"institution_user_id|institutionUserId|InstitutionUserId|INSTITUTION_USER_ID")
LINK_STATUS = re.compile(r"""token_required|invalid_link|invalid_credentials|TOKEN_REQUIRED|INVALID_LINK"""
                         r"""|TokenRequired|InvalidLink"""
                         # a bare 'invalid' only counts beside a link status: it is a common word otherwise
                         r"""|(?i:status|link).*['"`:]invalid['"`]|['"`]invalid['"`].*(?i:status|link)""")
CREATES_LINKS = re.compile(r"/api/links|\.links\.(?:register|create)|Links\.create")
# A line that keeps the value (assignment, column, insert), not only a type declaration or a read.
STORES = re.compile(r"(?i)=|insert|column|field|save|create|update|upsert|t\.string|varchar|text\b")


def note_link_creation(ctx: SourceText) -> None:
    """Signal `creates_links` for a Belvo file that creates links: then a missing webhook receiver, or
    institution_user_id or link states never handled, is a failure rather than a doubt."""
    if ctx.about_belvo and CREATES_LINKS.search(ctx.text):
        ctx.signals.add("creates_links")


def _mentions(ctx: SourceText, concept_name: str, pattern: re.Pattern, anchors: tuple[str, ...], message: str,
              settles: re.Pattern | None = None):
    """Each mention is evidence; it is "ok" only when `settles` (if given) also matches the line."""
    if ctx.file.is_test:
        return
    for number in ctx.lines_with(*anchors):
        line = ctx.line(number)
        match = pattern.search(line)
        if match:
            ctx.signals.add(concept_name)
            verdict = "ok" if settles is None or settles.search(line) else "ambiguous"
            yield ctx.finding(concept_name, verdict, message if verdict == "ok" else
                              f"{match.group(0)} is mentioned, but not visibly kept here", number, match.start() + 1,
                              form=match.group(0))


@concept("institution_user_id", "institution_user_id kept from link creation", topics=("belvo",))
def match_institution_user_id(ctx: SourceText):
    note_link_creation(ctx)
    if ctx.language in ("markdown", "text"):
        return
    yield from _mentions(ctx, "institution_user_id", INSTITUTION_USER_ID, ("institution_user_id", "institutionuserid"),
                          "institution_user_id is kept here", STORES)


@concept("link_status", "invalid and token_required links handled", topics=("belvo", "webhook"), code_only=True)
def match_link_status(ctx: SourceText):
    yield from _mentions(ctx, "link_status", LINK_STATUS, ("invalid", "token_required", "tokenrequired"),
                          "invalid/token_required link states are handled here")


def _absent(tree, name: str, what: str):
    if name not in tree.signals:
        verdict = "bad" if "creates_links" in tree.signals else "ambiguous"
        yield tree.finding(name, verdict, f"{what} appears nowhere in the code" +
                           (" although the code creates links" if verdict == "bad" else ""), form="never mentioned")


@conclusion("institution_user_id")
def conclude_institution_user_id(findings, tree):
    yield from _absent(tree, "institution_user_id", "institution_user_id")


@conclusion("link_status")
def conclude_link_status(findings, tree):
    yield from _absent(tree, "link_status", "handling of invalid or token_required links")
