"""Where the keys of each Belvo call come from: a literal, an environment read, configuration, or unknown.

A literal is a Belvo secret by where it flows, not by its name: `const USER = '...'` given as the
`id` of a token request, as Basic auth or to an SDK client is one, and so is the default of an
environment read (`process.env.X || '...'`, `os.getenv('X', '...')`). Names are followed through
the assignments of the file (UrlTrace: the nearest in scope, else one outside any function), object
fields (`config.id` with `config = {id: '...'}`), and the parts of a template or concatenation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from belvo_check.source.clients import UrlTrace, cached_belvo_calls, is_sdk_constructor, split_top
from belvo_check.source.facts import Call
from belvo_check.source.literals import encodes_credentials, is_placeholder

DEPTH = 4  # name -> name -> object -> field: deeper chains are not followed
# Reads of the process environment, in each language; a literal among their arguments or after a
# fallback operator is the default used when the variable is unset.
ENV_READ = re.compile(r"process\.env\b|import\.meta\.env\b|\bos\.(?:environ|getenv|Getenv|LookupEnv)\b|\bgetenv\s*\("
                      r"|\bENV\s*(?:\[|\.fetch)|System\.getenv|Environment\.GetEnvironmentVariable|\$_ENV\b|\$_SERVER\b"
                      r"|\benv\s*\(|\bDeno\.env\b|\bBun\.env\b|\bdotenv_values\b|\bdecouple\b|\bconfig\s*\(\s*['\"]")
# Values kept outside the repository: settings and configuration objects, secret stores.
CONFIG_READ = re.compile(r"(?i)\b(?:settings|config|configuration|configService|conf|options|credentials|secrets?"
                         r"|vault|keyvault|secretsmanager|secretmanager|ssm|parameterstore)\b\s*(?:\.|\[|->|::|\()"
                         r"|@Value\s*\(|\bIOptions<|GetSection\s*\(|\bRails\.application\.credentials")
_LITERAL = re.compile(r"""(?P<q>["'`])(?P<value>(?:(?!(?P=q))[^\\\n]|\\.)*)(?P=q)""")
_INTERPOLATION = re.compile(r"\$\{([^}]*)\}|#\{([^}]*)\}|\{([A-Za-z_][\w.]*)\}")
_NAME = re.compile(r"(?<![\w.$@'\"`])[$@]{0,2}([A-Za-z_]\w*)(?![\w$])"
                   r"((?:\s*(?:\.|->|\?\.)\s*[A-Za-z_]\w*(?![\w$])|\[\s*['\"]\w+['\"]\s*\])*)(?![\w$])(?!\s*\()")
_SKIP_NAMES = frozenset({"this", "self", "new", "await", "true", "false", "null", "None", "nil", "undefined", "or",
                         "and", "not", "String", "Encoding", "Convert", "Buffer", "base64", "Base64", "UTF8", "string"})
# Names that say nothing of Belvo, but name a key beside a Belvo call.
GENERIC_NAME = re.compile(r"(?i)(?:(?:api|client|secret|key|belvo)_?)?(?:user(?:name)?|password|pass|pwd|key|secret|id)")
# Where the keys sit in a call: the token request's body, the auth option, Basic-auth helpers.
# The id fields count only beside a password field: `{id: linkId}` alone is a resource id.
PASSWORD_FIELDS = ("password", "secret_password", "secretPassword")
ID_FIELDS = ("id", "secret_id", "secretId", "username", "user")
AUTH_FIELDS = ("auth", "basic_auth", "basicAuth", "Authorization", "authorization")
TOKEN_URL = re.compile(r"/token\b")
BASIC_ARG = re.compile(r"""(?i)["':]basic["']?""")  # `f.request :authorization, :basic, id, pw`
AUTH_ARG = re.compile(r"""(?i)["':]authorization["']?""")
BASIC_HELPERS = re.compile(r"^(?:SetBasicAuth|setBasicAuth|basic_auth|basicAuth|BasicAuth|withBasicAuth|HTTPBasicAuth"
                           r"|AuthenticationHeaderValue|NetworkCredential|UsernamePasswordCredentials|basic"
                           r"|setBasicAuthentication|basicAuthentication)$")


@dataclass(frozen=True)
class Literal:
    line: int
    col: int
    value: str = field(repr=False)  # never shown: findings carry its fingerprint


@dataclass(frozen=True)
class Keys:
    """The keys one Belvo call sends, and where they come from."""

    call: Call
    what: str  # how the call takes them: "Client(...)", "the id and password of axios.post(...)"
    source: str  # "literal", "environment", "configuration", "unknown"
    detail: str  # the expression they were traced to, or what could not be traced
    literals: tuple[Literal, ...] = ()  # the literal secrets the keys were traced to


_SHOWN_LITERAL = re.compile(r"[A-Z][A-Z0-9_]{2,}|[a-z][\w-]*(?:\.[a-z][\w-]*)+|\.{0,2}/[\w./-]*")


def shown(expr: str) -> str:
    """An expression as a message may show it: one line, short, and every string literal that is not an
    environment variable, a dotted setting or a path cut out (it could be a key)."""
    text = _LITERAL.sub(lambda m: m.group(0) if _SHOWN_LITERAL.fullmatch(m.group("value"))
                        else f"{m.group('q')}…{m.group('q')}", " ".join(expr.split()))
    return text if len(text) <= 120 else text[:117] + "..."


def _split_args(args: str) -> list[str]:
    """The top-level arguments of an argument text, literals kept."""
    text = args.strip()
    return split_top(text[1:-1] if text[:1] in "([" and text[-1:] in ")]" else text)


def _values(expr: str) -> list[re.Match]:
    """The string literals of an expression that are its value, or part of it: alone, concatenated, a
    fallback (`|| '...'`), the default of an environment or configuration read (`os.getenv('X', '...')`:
    not the name it reads), or encoded (`btoa('id:pw')`); not the arguments of other calls
    (`require('./settings')`), nor a template's interpolating text."""
    reads = sorted(m.end() for pattern in (ENV_READ, CONFIG_READ) for m in pattern.finditer(expr))
    found = []
    for match in _LITERAL.finditer(expr):
        before = [end for end in reads if end <= match.start() + 1]
        if before and _READ_KEY.fullmatch(expr[before[-1]:match.start()]):
            continue  # the name of the variable or setting read
        callee = _callee_around(expr, match.start())
        if callee and not (ENV_READ.search(callee + "(") or CONFIG_READ.search(callee + "(")
                           or _DEFAULTS.search(callee) or _ENCODERS.search(callee)
                           or BASIC_HELPERS.match(callee.rpartition(".")[2])):
            continue
        if not _INTERPOLATION.search(match.group("value")):
            found.append(match)
    return found


CONFIG_MODULE = re.compile(r"""(?i)\brequire\s*\(\s*['"][^'"]*(?:config|settings|secrets?|env)[^'"]*['"]\s*\)""")
# A parameter the framework fills from configuration: `@Value("${belvo.secret-id}") String id`.
INJECTED = r"@Value\s*\([^)]*\)\s*(?:final\s+)?[\w.<>\[\]]+\s+{name}\b"
_READ_KEY = re.compile(r"[\w.\s\[(<>?]*")
_DEFAULTS = re.compile(r"(?:^|\.)(?:get|fetch|getOrDefault|getProperty|GetValue|getenv|env|config)$", re.I)
_ENCODERS = re.compile(r"(?i)btoa|b64encode|base64|encode|GetBytes|Buffer\.from|bytes|toString|strict_encode64")
_CALL_OPEN = re.compile(r"([A-Za-z_$][\w$.]*)\s*$")


def _callee_around(expr: str, at: int) -> str:
    """The name of the innermost call whose parentheses hold position `at` ('' when none)."""
    depth = 0
    for index in range(at - 1, -1, -1):
        char = expr[index]
        if char in ")]}":
            depth += 1
        elif char in "([{":
            if depth:
                depth -= 1
            elif char == "(":
                found = _CALL_OPEN.search(expr[:index])
                return found.group(1) if found else ""
            else:
                return ""  # inside a list or an object: a value
    return ""


class _Tracer:
    def __init__(self, ctx):
        self.ctx = ctx
        self.trace = UrlTrace(ctx.facts)

    def literal_at(self, value: str, first: int, last: int) -> Literal:
        """The place of a literal read on lines `first`..`last`."""
        for number in range(first, last + 1):
            at = self.ctx.line(number).find(value)
            if at >= 0:
                return Literal(number, at + 1, value)
        return Literal(first, 1, value)

    def classify(self, expr: str, first: int, last: int, depth: int = DEPTH,
                 seen: frozenset = frozenset()) -> tuple[str, str, tuple[Literal, ...]]:
        """(source, detail, literal secrets) of one expression written on lines `first`..`last`."""
        expr = expr.strip()
        values = _values(expr)
        literals = tuple(self.literal_at(m.group("value"), first, last) for m in values
                         if _is_secret(m.group("value")))
        if literals:  # a literal secret: alone, as the default of an env read, or inside a template
            return "literal", expr, literals
        if ENV_READ.search(expr):
            return "environment", expr, ()
        if CONFIG_MODULE.search(expr):  # the app's own config module: its literals are judged where written
            return "configuration", expr, ()
        body = self._function_body(expr)
        if body is not None and depth:  # authHeader(): what the function of this file returns
            return self.classify(body[0], body[1], body[2], depth - 1, seen)
        names = _names(_LITERAL.sub('""', expr))
        for m in _INTERPOLATION.finditer(expr):
            names += _names(next(g for g in m.groups() if g is not None))
        if not names and CONFIG_READ.search(expr):
            return "configuration", expr, ()
        if not names:
            return ("placeholder" if values else "unknown"), expr, ()
        if depth == 0:
            return "unknown", f"{expr} (followed too far)", ()
        results = [self._name(name, fields, first, depth, seen) for name, fields in dict.fromkeys(names)]
        secrets = tuple(lit for _, _, lits in results for lit in lits)
        if secrets:
            return "literal", expr, secrets
        return next((r for r in results if r[0] in ("unknown", "placeholder")), results[0])

    def _function_body(self, expr: str) -> tuple[str, int, int] | None:
        """(text, first, last line) of the function of this file an expression only calls: `authHeader()`."""
        called = re.fullmatch(r"(?:this\.|self\.)?([A-Za-z_$][\w$]*)\s*\(\s*\)", expr)
        if not called:
            return None
        name = re.escape(called.group(1))
        defined = re.search(rf"(?m)^.*(?:\b(?:function|def|func)\s+(?:\([^)]*\)\s*)?{name}\s*[(<]"
                            rf"|\b{name}\s*=\s*(?:async\s*)?(?:\([^)]*\)|\w+)\s*=>)", self.ctx.text)
        if not defined:
            return None
        first = self.ctx.text.count("\n", 0, defined.start()) + 1
        func = next((f for f in self.ctx.facts.funcs if f.line == first), None)
        last = func.end_line if func else first
        return "\n".join(self.ctx.line(n) for n in range(first + 1, last + 1)), first + 1, last

    def _name(self, name: str, fields: tuple[str, ...], line: int, depth: int, seen: frozenset):
        dotted = ".".join((name, *fields))
        if name in seen:
            return "unknown", f"{dotted} (assigned from itself)", ()
        assign = self.trace.assignment(name, line)
        if assign is None:
            if CONFIG_READ.search(dotted + ".") or re.search(INJECTED.format(name=re.escape(name)), self.ctx.text):
                return "configuration", dotted, ()
            return "unknown", f"{dotted} is not assigned in this file (a parameter, an import or a field)", ()
        value = assign.value
        for wanted in fields:  # config.belvo.id with config = {belvo: {id: ...}}
            inner = re.search(rf"""(?<![\w$])['"]?{re.escape(wanted)}['"]?\s*(?::|=>|=(?!=))\s*""", value)
            if inner is None:
                break
            value = (_split_args("(" + value[inner.end():] + ")") or [""])[0]
        if not value:
            return "unknown", f"{dotted} has no value in this file", ()
        return self.classify(value, assign.line, assign.line + assign.value.count("\n"), depth - 1, seen | {name})


def _names(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(name, fields read from it) of each value an expression reads: `config.belvo.id` -> (config, (belvo, id));
    a field of the object itself (`this.secretId`, `self.secret_id`) is read as its own name."""
    found = []
    for match in _NAME.finditer(text):
        name, fields = match.group(1), tuple(re.findall(r"\w+", match.group(2) or ""))
        if name in ("this", "self") and fields:
            name, fields = fields[0], fields[1:]
        if name not in _SKIP_NAMES:
            found.append((name, fields))
    return found


def _is_secret(value: str) -> bool:
    basic = re.fullmatch(r"(?i)\s*basic\s+(\S+)\s*", value)  # a whole header value: its credentials decide
    if basic:
        return encodes_credentials(basic.group(1))
    return not is_placeholder(value) or encodes_credentials(value)


def _body_fields(trace: UrlTrace, arg: str, line: int) -> list[str]:
    """`name.password`, `name.id` when an argument names an object assigned with a password field."""
    if not re.fullmatch(r"[A-Za-z_$][\w$]*", arg):
        return []
    assign = trace.assignment(arg, line)
    value = assign.value if assign is not None else ""
    fields = [f for f in PASSWORD_FIELDS if re.search(rf"""(?<![\w$])['"]?{f}['"]?\s*(?::|=>)""", value)]
    return [f"{arg}.{f}" for f in fields] + [f"{arg}.{f}" for f in ID_FIELDS if fields and
                                            re.search(rf"""(?<![\w$])['"]?{f}['"]?\s*(?::|=>)""", value)]


def _sites(ctx, trace: UrlTrace) -> list[tuple[Call, str, list[str]]]:
    """(call, what, key expressions) for every place a call of this file hands Belvo its keys."""
    sites = []
    calls = cached_belvo_calls(ctx)
    for belvo in calls:
        call = belvo.call
        # The body's id and password are the keys only in a token request: elsewhere (registering a
        # link) they are the user's bank login.
        token = TOKEN_URL.search(belvo.url) or TOKEN_URL.search(call.args)
        keys = [call.keywords[k] for k in PASSWORD_FIELDS if token and k in call.keywords]
        keys += [call.keywords[k] for k in ID_FIELDS if keys and k in call.keywords]
        if token and not keys:  # the body built first: body = {id: ..., password: ...}; post(url, body)
            keys = [key for arg in _split_args(call.args) for key in _body_fields(trace, arg, call.line)]
        keys += _auth_keys(call)
        if keys:
            sites.append((call, f"the keys {call.callee}(...) sends", keys))
    if not calls and not _calls_belvo(ctx) and not any(BASIC_HELPERS.match(call.name) for call in ctx.facts.calls):
        return sites
    # In a file that calls Belvo, the keys may be set once for every call: a client built with them
    # (httpx.Client(auth=...), axios.create({auth})), a Basic-auth helper or middleware, `session.auth = ...`.
    for call in ctx.facts.calls:
        if any(site[0] is call for site in sites):
            continue
        args = _split_args(call.args)
        if is_sdk_constructor(call, ctx.text):
            keys = args[:2]
            what = f"the keys given to {call.callee}(...)"
        elif BASIC_HELPERS.match(call.name) or any(BASIC_ARG.fullmatch(a) for a in args):
            keys = [a for a in args if not BASIC_ARG.fullmatch(a) and not AUTH_ARG.fullmatch(a)]
            what = f"the keys given to {call.callee}(...)"
        else:
            keys = _auth_keys(call)
            what = f"the keys of {call.callee}(...)"
        if keys:
            sites.append((call, what, keys))
    for assign in ctx.facts.assigns:
        keys = _auth_parts(assign.value) if assign.name in AUTH_FIELDS else []
        if keys:
            site = Call(assign.target, assign.name, assign.value, assign.line, assign.col,
                        assign.line + assign.value.count("\n"))
            sites.append((site, f"the keys set as {assign.target}", keys))
    return sites


def _auth_keys(call: Call) -> list[str]:
    """The key expressions of a call's auth option: `auth=(id, pw)`, `auth: {username, password}`."""
    keys = []
    for name in AUTH_FIELDS:
        if name in call.keywords:
            value = call.keywords[name].strip()
            keys += [call.keywords[k] for k in (*PASSWORD_FIELDS, *ID_FIELDS) if k in call.keywords] \
                if value[:1] == "{" else _auth_parts(value)
    return keys


def _auth_parts(value: str) -> list[str]:
    """The key expressions of an auth value: a pair `(id, pw)`, one expression, or nothing for an object (whose
    username/password fields are keywords of the call already)."""
    value = value.strip()
    if value[:1] in "([":
        return _split_args(value)
    return [] if value[:1] == "{" else [value]


def _calls_belvo(ctx) -> bool:
    return any(is_sdk_constructor(call, ctx.text) for call in ctx.facts.calls)


def keys_of_calls(ctx) -> list[Keys]:
    """Where the keys of every Belvo call in a file come from (once per file, whichever concept asks)."""
    if "_belvo_keys" in ctx.__dict__:
        return ctx.__dict__["_belvo_keys"]
    found = []
    if ctx.file.is_code and ctx.about_belvo and not ctx.facts.error:
        tracer = _Tracer(ctx)
        for call, what, exprs in _sites(ctx, tracer.trace):
            results = [(source, shown(detail), literals) for source, detail, literals in
                       (tracer.classify(expr, call.line, call.end_line) for expr in exprs)]
            literals = tuple(lit for _, _, lits in results for lit in lits)
            if literals:
                found.append(Keys(call, what, "literal", ", ".join(r[1] for r in results), literals))
                continue
            worst = next((r for r in results if r[0] in ("unknown", "placeholder")), results[0])
            found.append(Keys(call, what, worst[0], worst[1] if worst[0] in ("unknown", "placeholder")
                              else ", ".join(dict.fromkeys(r[1] for r in results))))
    ctx.__dict__["_belvo_keys"] = found
    return found
