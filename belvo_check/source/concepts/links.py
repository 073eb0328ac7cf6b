"""Link management: institution_user_id stored at creation; invalid/token_required handled.

Belvo facts (docs/belvo-api.md, "Answers the code must expect"): a link turns `invalid` (LINK
webhook `invalid_credentials`, then 400 `invalid_link` on calls) or `token_required` (LINK webhook
and 428 `token_required`); `institution_user_id` comes back at creation.
"""

from __future__ import annotations

import re

from belvo_check.source.concepts import concept, conclusion
from belvo_check.source.context import COMMENT_OR_IMPORT, SourceText

INSTITUTION_USER_ID = re.compile(r"institution_user_id|institutionUserId|InstitutionUserId|INSTITUTION_USER_ID")
LINK_STATUS = re.compile(r"""token_required|invalid_link|invalid_credentials|TOKEN_REQUIRED|INVALID_LINK"""
                         r"""|INVALID_CREDENTIALS|TokenRequired|InvalidLink|InvalidCredentials"""
                         r"""|(?i:linkstatus)\w*\W+invalid\b"""
                         # a bare 'invalid' only counts beside a link status: it is a common word otherwise
                         r"""|(?i:status|link).*(?:['"`:]invalid['"`]|:invalid\b)|['"`]invalid['"`].*(?i:status|link)""")
NAMED = re.compile(r"(?i)institution_?user_?id|token_?required|invalid\w*")
CREATES_LINKS = re.compile(r"/api/links|\.links\.(?:register|create)|Links\.create")
# The value kept: a column or model field (SQL, ORM, migration, entity, struct tag), a write into a
# store (insert, update, save, create), or an assignment into an object or record.
STORES = re.compile(r"""(?ix)\binsert|\bupdate|\bupsert|\bsave|\bpersist|\bcreate|\bcolumn|Field\s*\(|mapped_column"""
                    r"""|\bt\.\w+\s+:|add_column|\$table->|\b(?:db|gorm|bson)\s*:\s*"|@Column|\bvarchar|\btext\b"""
                    r"""|\bstring\b\s*[,)]?\s*$|\{\s*get;\s*set;|\bString\b\s*(?:@|\?|$)"""
                    r"""|(?:\.|->|@|\[\s*['"]|\bset)institution_?user_?id['"]?\s*\]?\s*(?:=(?!=)|\()"""
                    # C#: a property set in an object initialiser, an entity added to a DbSet
                    r"""|(?-i:\bInstitutionUserId\s*=(?!=))|\.Add\w*\s*\(""")
# Where the value is only read or asked for: a Belvo query filter, a comparison, a type without storage.
READS = re.compile(r"""(?i)params|query|filters|[?&]institution_user_id=|==|!=|\binterface\b|\?\s*:""")
# A link status handled: compared or branched on, or written (status = 'invalid', update(status: ...)).
HANDLES = re.compile(r"""(?i)==|!=|\bin\s*[(\[{]|\bcase\b|\bwhen\b|includes\s*\(|equals(?:ignorecase)?\s*\("""
                     r"""|\bif\b|\bunless\b|\bswitch\b|\bmatch\b|\bupdate|\bsave|\bmark|\bset\w*\(|status\w*['"]?\s*"""
                     r"""(?::|=(?!=)|=>)|->status\s*=|\bexcept\b|\bcatch\b|\brescue\b""")


def note_link_creation(ctx: SourceText) -> None:
    """Signal `belvo_code` for application code about Belvo (tests, docs and config aside), and
    `creates_links` when it creates links: then a missing webhook receiver, or institution_user_id
    or link states never handled, is a failure rather than a doubt."""
    if ctx.about_belvo and ctx.file.is_code and not ctx.file.is_test:
        ctx.signals.add("belvo_code")
        if CREATES_LINKS.search(ctx.text):
            ctx.signals.add("creates_links")


def _mentions(ctx: SourceText, concept_name: str, pattern: re.Pattern, anchors: tuple[str, ...], settles,
              ok: str, unsure: str):
    """Each mention in code (not in a comment) is evidence; it is "ok" when `settles(line)` says so."""
    if ctx.file.is_test:
        return
    for number in ctx.lines_with(*anchors):
        line = ctx.line(number)
        match = pattern.search(line)
        if match is None or COMMENT_OR_IMPORT.match(line):
            continue
        ctx.signals.add(concept_name)
        verdict = "ok" if settles(line) else "ambiguous"
        word = NAMED.search(match.group(0))
        name = word.group(0) if word else match.group(0)
        yield ctx.finding(concept_name, verdict, ok if verdict == "ok" else f"{name} {unsure}", number,
                          match.start() + 1, form=name)


WRITES = re.compile(r"(?i)\binsert|\bupdate|\bupsert|\bsave")


def _kept(line: str) -> bool:
    """A line keeping the value: a store form, unless the line only reads it (a write wins over a read)."""
    return bool(STORES.search(line)) and (not READS.search(line) or bool(WRITES.search(line)))


# The request a route received, as frameworks spell it: a value read from it came from the caller.
REQUEST_INPUT = re.compile(r"""\b(?:req|request|ctx\.request)\s*(?:\.|\?\.)\s*(?:body|json|data|form|POST|get_json"""
                           r"""|params|query)\b|@RequestBody|\$request->(?:input|get|all|json)\b|\bparams\[|\bShouldBind""")


@concept("institution_user_id", "institution_user_id kept from link creation", topics=("belvo",))
def match_institution_user_id(ctx: SourceText):
    note_link_creation(ctx)
    if ctx.language in ("markdown", "text"):
        return
    # Belvo gives institution_user_id in the link it returns (docs/belvo-api.md, Widget): the widget's
    # success callback passes only the link id and institution, so a value the front end posts is not Belvo's.
    posted = next((n for n in ctx.lines_with("institution_user_id", "institutionuserid")
                   if REQUEST_INPUT.search(ctx.line(n)) and not COMMENT_OR_IMPORT.match(ctx.line(n))), None)
    for found in _mentions(ctx, "institution_user_id", INSTITUTION_USER_ID, ("institution_user_id", "institutionuserid"),
                           _kept, "institution_user_id is kept here", "is mentioned, but not visibly kept here"):
        if posted is not None and found.verdict == "ok":
            found = ctx.finding("institution_user_id", "bad", f"institution_user_id is kept from the request "
                                f"this route received (line {posted}), not from Belvo's link: the widget's success "
                                "callback gives only the link id and institution, so read it from the link "
                                "(GET /api/links/{id}/)", found.line, found.col, form="kept from the request")
        yield found


@concept("link_status", "invalid and token_required links handled", topics=("belvo", "webhook"), code_only=True)
def match_link_status(ctx: SourceText):
    yield from _mentions(ctx, "link_status", LINK_STATUS, ("invalid", "token_required", "tokenrequired"),
                         lambda line: bool(HANDLES.search(line)),
                         "invalid/token_required link states are handled here",
                         "is named, but nothing here compares, branches on or records it")


def _absent(tree, name: str, what: str):
    """Never mentioned: a failure in code that creates links, a doubt in other Belvo code, nothing without any."""
    if name not in tree.signals and "belvo_code" in tree.signals:
        verdict = "bad" if "creates_links" in tree.signals else "ambiguous"
        yield tree.finding(name, verdict, f"{what} appears nowhere in the code" +
                           (" although the code creates links" if verdict == "bad" else ""), form="never mentioned")


@conclusion("institution_user_id")
def conclude_institution_user_id(findings, tree):
    yield from _absent(tree, "institution_user_id", "institution_user_id")


@conclusion("link_status")
def conclude_link_status(findings, tree):
    yield from _absent(tree, "link_status", "handling of invalid or token_required links")
