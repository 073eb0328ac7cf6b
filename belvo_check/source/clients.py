"""What belvo-check knows about the clients that call Belvo: the official SDKs and raw HTTP clients.

Defaults are data, not code, so a verdict that depends on one (e.g. "no timeout") names the
default it relied on. The facts and their sources are collected in docs/belvo-api.md
("Hosts", "Official SDKs", "HTTP client defaults").
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass

from belvo_check.source.facts import Call, last_ident
from belvo_check.urls import ANSWERING, BELVO_HOST_IN_TEXT, BELVO_HOSTS

# docs/belvo-api.md "Hosts": the hosts are defined once, in belvo_check.urls; these are views of them.
API_HOSTS = {host: what for host, what in BELVO_HOSTS.items() if what in ANSWERING}
WRONG_HOSTS = {
    **{host: f"is Belvo's {what}" for host, what in BELVO_HOSTS.items() if host not in API_HOSTS},
    # look-alikes seen in public code, never Belvo's
    "production.belvo.com": "is not a Belvo host (production is api.belvo.com)",
    "prod.belvo.com": "is not a Belvo host (production is api.belvo.com)",
}
# Belvo's own non-API sites: mentioning them is not a base URL.
NOT_API_HOSTS = ("belvo.com", "www.belvo.com", "developers.belvo.com", "docs.belvo.com", "status.belvo.com",
                 "dashboard.belvo.com", "cdn.belvo.io", "belvo.io", "statuspage.belvo.com", "support.belvo.com",
                 "belvo.zendesk.com", "github.com")

BELVO_PATH = re.compile(r"/api/(?:links|accounts|transactions|owners|balances|institutions|token|incomes|invoices"
                        r"|tax-|recurring-expenses|risk-insights|employment|investments|bills|payments|customers"
                        r"|consents|widget|enrich|current-accounts)")
# docs/belvo-api.md "Official SDKs": how each SDK is imported and what its calls default to.
# `import belvo` and `from belvo.<module> import` only at a statement's start: `from app.factory import belvo`
# imports the app's own object.
SDK_IMPORTS = re.compile(r"""(?m)^\s*(?:from\s+belvo(?:\.\w+)*\s+import\b|import\s+belvo\b)"""
                         r"""|require\(\s*['"]belvo['"]\s*\)|from\s+['"]belvo['"]|require\s+['"]belvo['"]|Belvo::Client""")
# A module importing belvo-python (any part of it) or a belvo-named module of the app (the client factory).
IMPORTS_BELVO = re.compile(r"(?im)^\s*(?:from\s+[\w.]*belvo[\w.]*\s+import\b|import\s+belvo\b)")
# belvo-python's resources are CamelCase attributes of the client (client.Links.create): a Django
# related manager (user.accounts.create) is lower case.
CAMEL_RESOURCE = re.compile(r"(?:^|\.)[A-Z][A-Za-z]+\.\w+$")
SDK_RESOURCE_CALL = re.compile(r"(?:^|\.)[A-Z][A-Za-z]+\.(?:create|list|detail|retrieve|resume|update|delete)$")
# Environment names that front-end bundlers (Next.js, Create React App, Vite, Expo) inline into
# browser and app code: whatever is stored under them ships with the bundle.
PUBLIC_ENV_PREFIXES = ("NEXT_PUBLIC_", "REACT_APP_", "VITE_", "EXPO_PUBLIC_")
SDK_CONSTRUCTORS = frozenset({"Client", "belvo", "Belvo", "BelvoClient", "Belvo.Client", "Belvo.Client.new",
                              "belvo.Client", "belvo.default"})
SDK_RESOURCES = re.compile(r"(?i)\.(?:links|accounts|transactions|owners|balances|institutions|incomes|invoices"
                           r"|taxreturns|tax_returns|taxstatus|taxcompliancestatus|widgettoken|widget_token"
                           r"|recurringexpenses|recurring_expenses|riskinsights|risk_insights|employmentrecords"
                           r"|investmentsportfolios|statements)\.")


@dataclass(frozen=True)
class Sdk:
    name: str
    languages: tuple[str, ...]
    post_timeout: float | None  # create/retrieve/resume/update
    get_timeout: float | None  # list/detail/delete
    list_follows_next: str  # "all", "up to limit", "unknown"
    errors: str
    raises: bool  # raises on error answers (belvo-python POST helpers return them as data)
    documented: bool = True  # False: its timeout defaults are unknown, so timeout verdicts are ambiguous


SDKS = {
    "python": Sdk("belvo-python", ("python",), None, 5.0, "all",
                  "POST/PUT/PATCH return the error body as data unless raise_exception=True; GET errors raise", False),
    "javascript": Sdk("belvo-js", ("javascript", "typescript", "tsx"), None, None, "up to limit",
                      "throws RequestError(statusCode, detail); delete() swallows errors and returns false", True),
    "ruby": Sdk("belvo-ruby", ("ruby",), None, None, "unknown", "raises on error statuses", True, False),
    # The newer generated Python SDK (`from belvo.client import Belvo`, `links.register_link(...)`).
    "python-generated": Sdk("belvo (generated SDK)", ("python",), None, None, "unknown",
                            "raises typed API errors", True, False),
}
GENERATED_PYTHON_SDK = re.compile(r"import\s+(?:Async)?Belvo\b|\b(?:Async)?Belvo\s*\(")
SDK_POST_METHODS = frozenset({"create", "retrieve", "resume", "update", "patch", "register", "register_link",
                              "request", "complete_request"})


def sdk_for(language: str, text: str = "") -> Sdk | None:
    if language == "python" and GENERATED_PYTHON_SDK.search(text):
        return SDKS["python-generated"]
    return SDKS.get({"typescript": "javascript", "tsx": "javascript"}.get(language, language))


def uses_sdk(text: str) -> bool:
    return bool(SDK_IMPORTS.search(text))


def is_sdk_constructor(call: Call, text: str) -> bool:
    return call.callee in SDK_CONSTRUCTORS and uses_sdk(text)


@dataclass(frozen=True)
class HttpClient:
    name: str
    languages: tuple[str, ...]
    marker: re.Pattern  # the file uses this client
    direct: re.Pattern  # module-level request functions (callee)
    factory: re.Pattern  # constructors or factories where a timeout can be set (callee)
    default_timeout: float | None  # None: waits forever
    timeout_text: re.Pattern  # a timeout set in any other way (builder call, global default, context deadline)
    note: str = ""
    raises: bool = False  # raises on 4xx/5xx answers by default
    default_varies: bool = False  # the default comes from a pluggable adapter: a verdict on it stays open


def _re(pattern: str) -> re.Pattern:
    return re.compile(pattern)


NEVER = _re(r"(?!x)x")
# docs/belvo-api.md "HTTP client defaults".
HTTP_CLIENTS = (
    HttpClient("requests", ("python",), _re(r"\bimport requests\b|from requests\b"),
               _re(r"^requests\.(?:get|post|put|patch|delete|head|request)$"), _re(r"^requests\.Session$|BaseUrlSession$"),
               None, NEVER, "requests has no default timeout"),
    HttpClient("httpx", ("python",), _re(r"\bhttpx\b"), _re(r"^httpx\.(?:get|post|put|patch|delete|request)$"),
               _re(r"^httpx\.(?:Async)?Client$"), 5.0, NEVER, "httpx defaults to 5 s"),
    HttpClient("aiohttp", ("python",), _re(r"\baiohttp\b"), NEVER, _re(r"ClientSession$"), 300.0,
               _re(r"ClientTimeout\("), "aiohttp defaults to 300 s in total"),
    HttpClient("urllib", ("python",), _re(r"\burllib\b"), _re(r"(?:^|\.)urlopen$"), NEVER, None, NEVER,
               "urlopen has no default timeout", raises=True),
    HttpClient("fetch", ("javascript", "typescript", "tsx"), _re(r"\bfetch\s*\("), _re(r"^(?:fetch|nodeFetch)$"),
               NEVER, None, NEVER, "fetch has no default timeout (pass signal: AbortSignal.timeout(ms))"),
    HttpClient("axios", ("javascript", "typescript", "tsx"), _re(r"\baxios\b"),
               _re(r"^axios(?:\.(?:get|post|put|patch|delete|request))?$"), _re(r"^axios\.create$"), None,
               _re(r"defaults\.timeout\s*="), "axios has no default timeout", raises=True),
    HttpClient("got", ("javascript", "typescript", "tsx"), _re(r"\bgot\b"),
               _re(r"^got(?:\.(?:get|post|put|patch|delete))?$"), _re(r"^got\.extend$"), None, NEVER,
               "got has no default timeout", raises=True),
    HttpClient("superagent", ("javascript", "typescript", "tsx"), _re(r"\bsuperagent\b"),
               _re(r"^(?:superagent|request)\.(?:get|post|put|patch|delete)$"), _re(r"^superagent\.agent$"), None,
               _re(r"\.timeout\("), "superagent has no default timeout", raises=True),
    HttpClient("net/http", ("go",), _re(r'"net/http"'), _re(r"^http\.(?:Get|Post|PostForm|Head)$"),
               _re(r"^http\.Client$"), None, _re(r"context\.WithTimeout|context\.WithDeadline|\.Timeout\s*="),
               "a Go http.Client waits forever unless its Timeout is set (http.Get and the like use "
               "http.DefaultClient, which sets none)"),
    HttpClient("RestTemplate", ("java",), _re(r"\bRestTemplate\b"), NEVER, _re(r"RestTemplate(?:Builder)?$"), None,
               _re(r"setReadTimeout|readTimeout\("), "RestTemplate has no default read timeout", raises=True),
    HttpClient("WebClient", ("java",), _re(r"\bWebClient\b"), NEVER, _re(r"WebClient\.(?:create|builder)$"), None,
               _re(r"responseTimeout|\.timeout\(|ReadTimeoutHandler"), "WebClient has no default timeout", raises=True),
    HttpClient("OkHttp", ("java",), _re(r"\bOkHttpClient\b"), NEVER, _re(r"OkHttpClient(?:\.Builder)?$"), 10.0,
               _re(r"(?:read|call)Timeout\("), "OkHttp defaults to 10 s connect and read"),
    # Only a request's own .timeout(...) bounds the wait for java.net.http's answer: a client's
    # connectTimeout ends at the connection, so a stalled answer still waits forever.
    HttpClient("java.net.http", ("java",), _re(r"java\.net\.http"), NEVER,
               _re(r"^HttpClient\.(?:newBuilder|newHttpClient)$"), None, _re(r"\.timeout\("),
               "java.net.http waits forever for an answer unless the request sets .timeout(...) "
               "(connectTimeout bounds only the connection)"),
    HttpClient("Net::HTTP", ("ruby",), _re(r"Net::HTTP"), _re(r"^Net\.HTTP\.(?:get|post|get_response)$"),
               _re(r"^Net\.HTTP\.(?:new|start)$"), 60.0, NEVER,  # set per instance only: Net::HTTP.get uses its defaults
               "Net::HTTP defaults to 60 s read and open timeouts"),
    HttpClient("Faraday", ("ruby",), _re(r"\bFaraday\b"), _re(r"^Faraday\.(?:get|post)$"), _re(r"^Faraday\.new$"),
               None, _re(r"(?:request|options)\.timeout\s*=|\.timeout\s*="),
               "Faraday's timeout is its adapter's (Net::HTTP: 60 s read)", default_varies=True),
    HttpClient("HTTParty", ("ruby",), _re(r"\bHTTParty\b"), _re(r"^HTTParty\.(?:get|post|put|patch|delete)$"),
               NEVER, 60.0, _re(r"default_timeout|\btimeout\b"), "HTTParty uses Net::HTTP's 60 s read timeout"),
    HttpClient("Guzzle", ("php",), _re(r"GuzzleHttp"), NEVER, _re(r"^(?:GuzzleHttp\\Client|Client)$"), None,
               NEVER, "Guzzle's default timeout is 0 (wait forever)", raises=True),
    HttpClient("Laravel Http", ("php",), _re(r"\bHttp::"),
               _re(r"^Http\.(?:.*\.)?(?:get|post|put|patch|delete|send)$"),
               NEVER, 30.0, NEVER, "Laravel's Http client defaults to 30 s"),
    HttpClient(".NET HttpClient", ("csharp",), _re(r"\bHttpClient\b"), NEVER, _re(r"^HttpClient$"), 100.0,
               _re(r"\.Timeout\s*=|CancelAfter|TimeSpan"), ".NET HttpClient defaults to 100 s"),
)
CLIENT_BY_NAME = {client.name: client for client in HTTP_CLIENTS}
# docs/belvo-api.md "HTTP client defaults": what a raising client (or SDK) throws on a 4xx/5xx answer, with
# its superclasses: a catch or registered handler of one of these (or of the language's root types) handles
# it; one of other types does not.
RAISED = {
    "RestTemplate": ("RestClientException", "RestClientResponseException", "HttpStatusCodeException",
                     "HttpClientErrorException", "HttpServerErrorException", "NestedRuntimeException"),
    "WebClient": ("WebClientResponseException", "WebClientException", "NestedRuntimeException"),
    "Guzzle": ("RequestException", "BadResponseException", "ClientException", "ServerException",
               "TransferException", "GuzzleException"),
    "Laravel Http": ("RequestException", "HttpClientException"),
    "urllib": ("HTTPError", "URLError", "OSError", "IOError"),
    "requests": ("HTTPError", "RequestException", "OSError", "IOError"),
    "httpx": ("HTTPStatusError", "HTTPError"),
    "belvo-python": ("RequestError", "BelvoAPIException", "HTTPError", "RequestException", "OSError", "IOError"),
    "belvo (generated SDK)": ("ApiError", "BelvoError"),
    "Faraday": ("Faraday::Error", "Faraday::ClientError", "Faraday::ServerError", "ClientError", "ServerError"),
    "belvo-ruby": ("Belvo::RequestError", "RequestError"),
    ".NET HttpClient": ("HttpRequestException",),
}
# Root types that catch whatever a client throws.
ANY_ERROR = ("Exception", "Throwable", "BaseException", "StandardError", "RuntimeException")
TIMEOUT_KEYS = frozenset({"timeout", "Timeout", "signal", "read_timeout", "timeout_seconds", "ClientTimeout",
                          "TimeoutSeconds", "timeoutMs"})
# Settings that end at the connection (or a pool wait): an answer that stalls after it is not bounded,
# so they never count as a request timeout; the client's default read timeout decides instead.
CONNECT_ONLY = re.compile(r"(?i)^(?:set)?(?:connect(?:ion)?(?:_?request)?|open)_?time_?out(?:millis|ms|seconds)?$")
REQUEST_METHODS = re.compile(r"^(?:get|post|put|patch|delete|request|fetch|head|send|Do|Get|Post|NewRequest"
                             r"|NewRequestWithContext|exchange|getForObject|getForEntity|postForObject|postForEntity"
                             r"|postForLocation|retrieve|newCall|uri|GetAsync|PostAsync|PutAsync|DeleteAsync|SendAsync"
                             r"|GetStringAsync|GetFromJsonAsync|PostAsJsonAsync|get_response|urlopen|axios|got"
                             r"|sendAsync|call|url|newBuilder)$")
SLOW_DEFAULT = 60.0  # a default longer than this is no real protection: the verdict is ambiguous


def clients_in(text: str, language: str) -> list[HttpClient]:
    return [c for c in HTTP_CLIENTS if language in c.languages and c.marker.search(text)]


BELVO_URL_NAME = re.compile(r"(?i)belvo\w*(?:url|uri|host|base|endpoint|api)|(?:url|uri|base|endpoint|api)\w*belvo")


# Receivers whose .get() reads a mapping (environment, settings, headers), not a URL.
MAPPINGS = re.compile(r"(?i)(?:^|\.)(?:environ|env|config|settings|headers|params|args|kwargs|data|json|dict|cache"
                      r"|store|redis|options|props|query|form|values|ENV|getenv)$")


def _names_belvo(text: str) -> bool:
    return bool(BELVO_HOST_IN_TEXT.search(text) or BELVO_PATH.search(text) or BELVO_URL_NAME.search(text))


# An argument that is a function (a route's handler, a callback): what it calls is not where this call goes.
FUNCTION_ARG = re.compile(r"^\s*(?:async\s+)?(?:function\b|\([^()]*\)\s*(?::\s*[\w<>\[\]|, ]+)?\s*=>|[\w$]+\s*=>)"
                          r"|^\s*(?:func\s*\(|do\s*\|)")


FUNCTION_HINT = re.compile(r"=>|\bfunction\b|\bfunc\s*\(|\bdo\s*\|")


def call_arguments(call: Call) -> str:
    """The call's argument text without the functions passed to it: `app.post('/token', async () => {
    ... axios.post(BELVO) ... })` is a route, not a request to Belvo."""
    if not FUNCTION_HINT.search(call.args):
        return call.args
    inner = call.args.strip()
    inner = inner[1:-1] if inner.startswith("(") and inner.endswith(")") else inner
    parts = split_top(inner)
    kept = [part for part in parts if not FUNCTION_ARG.match(part)]
    return call.args if len(kept) == len(parts) else ", ".join(kept)


def reaches_belvo(call: Call) -> bool:
    """The call's arguments point at Belvo: a Belvo host, a Belvo API path, or a belvo-named URL variable."""
    return _names_belvo(call_arguments(call))


_QUOTED = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`""")
_KEYWORD_ARG = re.compile(r"^\s*[\w$@]+\s*(?:=(?![=>])|:(?!:)|=>)")
# A name read as a value: not a method called (`URI(`), nor a member or namespace of something else.
_VALUE_NAME = re.compile(r"(?<![\w.:>$@])[$@]{0,2}([A-Za-z_]\w*)\b(?!\s*\()(?!::)")
_OWN_MEMBER = re.compile(r"\$?\b(?:this|self)\s*(?:\.|->)")  # this.url, self.url, $this->url: the field url
_CALLED = re.compile(r"([A-Za-z_$@][\w$@]*(?:(?:\.|::|->)[A-Za-z_$@][\w$@]*)*)\s*\(")
TRACE_DEPTH = 3  # url -> uri -> the base URL: deeper chains are not followed
RESOLVE_DEPTH = 6  # `${BASE}/x` -> BASE -> HOST + '/api' -> HOST: each interpolation is one step more


# A string literal and the prefix that makes it interpolate (Python f"", C# $"").
_LITERAL = re.compile(r"""(?P<prefix>(?<![\w$])[fFrRbBuU$@]{1,2})?(?P<body>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)""")
# What a literal interpolates: JS/Kotlin/Groovy ${x}, Ruby #{x}, PHP {$x} and $x; Python f"{x}", C# $"{x}".
_MARKED = re.compile(r"[$#]\{([^{}]*)\}|\{(\$[^{}]*)\}|\$([A-Za-z_]\w*(?:->\w+)*)")
_BRACED = re.compile(r"\{([^{}:!]*)(?:[:!][^{}]*)?\}")
# A piece of a URL expression: a literal, or a (dotted) name read as a value.
_PIECE = re.compile(_LITERAL.pattern + r"|(?P<name>(?<![\w.$@])[$@]{0,2}[A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*)*)"
                    r"(?![\w(.])(?!\s*\()")


def interpolations(prefix: str | None, body: str) -> list[str]:
    """The expressions a string literal (its prefix and its quoted body) interpolates."""
    inner = body[1:-1]
    found = []
    if body[0] in "`\"":
        found = [next(g for g in m.groups() if g) for m in _MARKED.finditer(inner)]
    if prefix and ("f" in prefix.lower() or "$" in prefix):
        found += [m.group(1) for m in _BRACED.finditer(inner)]
    return [expression.strip() for expression in found if expression.strip()]


def without_literals(text: str) -> str:
    """The text with each string literal blanked, keeping the names it interpolates (`${API}/token/` -> API)."""
    def blank(match):
        kept = (re.sub(r"[,()\[\]{}]", " ", e) for e in interpolations(match.group("prefix"), match.group("body")))
        return '""' + "".join(" " + e for e in kept)
    return _LITERAL.sub(blank, text)


def _positional(args: str, limit: int = 3) -> list[str]:
    """The first positional arguments of an argument text, without their string literals (but with the
    names those interpolate)."""
    text = without_literals(args.strip())
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part for part in parts if part.strip() and not _KEYWORD_ARG.match(part)][:limit]


def _sends(value: str) -> bool:
    """The value is the result of a request (a response, a request object built around a URL), not a URL."""
    for callee in _CALLED.findall(value):
        callee = callee.replace("::", ".").replace("->", ".")
        name, receiver = last_ident(callee), callee.rpartition(".")[0]
        if REQUEST_METHODS.match(name) and not MAPPINGS.search(receiver):
            return True
    return False


HASH_COMMENTS = frozenset({"python", "ruby", "php"})
SLASH_COMMENTS_NOT = frozenset({"python", "ruby"})  # there `//` is floor division or a regex


def split_top(text: str, separator: str = ",", language: str = "javascript") -> list[str]:
    """Split code at the separators that are outside brackets, strings and comments (comments dropped)."""
    hashes, slashes = language in HASH_COMMENTS, language not in SLASH_COMMENTS_NOT
    parts, current, depth, quote, index = [], [], 0, "", 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                current.append(text[index:index + 2])
                index += 2
                continue
            if char == quote:
                quote = ""
        elif (slashes and (text.startswith("//", index) or text.startswith("/*", index))) or (hashes and char == "#"):
            block = text.startswith("/*", index)
            end = text.find("*/" if block else "\n", index + 1)
            index = len(text) if end < 0 else end + (2 if block else 0)
            continue
        elif char in "'\"`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append("".join(current))
            current = []
            index += 1
            continue
        current.append(char)
        index += 1
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


# Relative imports: JS `import { API } from './config'`, `const { API } = require('./config')`,
# `const config = require('./config')`; Python `from .config import API`, `from app.settings import API`.
_JS_IMPORT = re.compile(r"""(?:\bimport\s+([\w$\s{},*]+?)\s+from\s*|\b(?:const|let|var)\s+([\w$\s{},:]+?)\s*=\s*"""
                        r"""require\(\s*)['"](\.{1,2}/[^'"]+)['"]""")
_PY_IMPORT = re.compile(r"(?m)^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w \t,\n]+?)\)?[ \t]*$")
JS_SUFFIXES = ("", ".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", "/index.js", "/index.ts")
MODULE_BYTES = 256_000  # a config module is small: larger files are not read for a value
_modules: dict[str, str] = {}  # path -> text ("" when unreadable), read once per process


def _module_text(path: str) -> str:
    if path not in _modules:
        try:
            with open(path, "rb") as handle:
                _modules[path] = handle.read(MODULE_BYTES).decode("utf-8", "replace")
        except OSError:
            _modules[path] = ""
    return _modules[path]


def imported_names(text: str, language: str, path: str, rel: str) -> dict[str, tuple[str, str]]:
    """Per local name a file imports from its own code: (module file, the name it has there; "" for
    the whole module)."""
    found: dict[str, tuple[str, str]] = {}
    if not path:
        return found
    here = os.path.dirname(path)
    if language in ("javascript", "typescript", "tsx"):
        for match in _JS_IMPORT.finditer(text):
            names, spec = match.group(1) or match.group(2), match.group(3)
            base = os.path.normpath(os.path.join(here, spec))
            module = next((base + s for s in JS_SUFFIXES if os.path.isfile(base + s)), "")
            if not module:
                continue
            whole = "{" not in names
            for part in re.split(r"[,{}]", names):
                words = re.findall(r"[\w$]+", part.replace(" as ", " ").replace(":", " "))
                if words and words[-1] != "as":
                    found[words[-1]] = (module, "" if whole else words[0])
    elif language == "python":
        root = path[:-len(rel)] if rel and path.endswith(rel) else here
        for match in _PY_IMPORT.finditer(text):
            module, names = match.group(1), match.group(2)
            dots = len(module) - len(module.lstrip("."))
            parts = module.lstrip(".").split(".") if module.strip(".") else []
            if dots:
                bases = [os.path.normpath(os.path.join(here, *[".."] * (dots - 1)))]
            else:  # an absolute module: looked for from the file's folder up to the root
                bases, folder = [], here
                while folder.startswith(root.rstrip(os.sep)) and folder not in bases:
                    bases.append(folder)
                    folder = os.path.dirname(folder)
            candidates = [os.path.join(b, *parts) + ".py" for b in bases if parts] + \
                [os.path.join(b, *parts, "__init__.py") for b in bases]
            target = next((c for c in candidates if os.path.isfile(c)), "")
            for name in re.findall(r"(\w+)(?:\s+as\s+(\w+))?", names):
                exported, local = name[0], name[1] or name[0]
                if exported == "as":
                    continue
                sub = [os.path.join(b, *parts, exported + ".py") for b in bases]  # from app import settings
                whole = next((c for c in sub if os.path.isfile(c)), "")
                if whole or target:
                    found[local] = (whole, "") if whole else (target, exported)
    return found


def module_value(module: str, name: str, hops: int = 2) -> str:
    """The value text a module gives `name` (`API = '...'`, `API: '...'`, `export const API = ...`),
    following a value that is itself a name of that module; "" when it gives none."""
    text = _module_text(module)
    if not name or name not in text:
        return ""
    found = re.search(rf"(?m)(?<![\w.$]){re.escape(name)}['\"]?\s*(?::(?!:)|=(?![=>]))\s*(.+?)[,;]?\s*$", text)
    if found is None:
        return ""
    value = found.group(1)
    if hops and re.fullmatch(r"[A-Za-z_$][\w$]*", value.strip()):
        return module_value(module, value.strip(), hops - 1) or value
    return value


class UrlTrace:
    """Where the URL variables of a file come from: `url = BELVO_URL + "/api/links/"` then `get(url)`,
    `uri = URI(url)` then `http.get(uri.request_uri)`, `${API}/token/` with `const API = '...'`, or a
    name imported from a module of the app (`import { API } from './config'`). A name is traced to its
    nearest assignment before the call in the same function (or enclosing ones), else to one outside any
    function (a field, a constant), else to the module it is imported from; values that send or build a
    request are not URLs and end the trace."""

    def __init__(self, facts, imports=dict):
        self.facts = facts
        self._imports = imports  # a function: what the file imports is read only when a name needs it
        # The outermost functions, as (first line, last line): only assignments inside the one around the
        # call can be visible to it, so the search for one stops at its first line.
        self.tops: list[tuple[int, int]] = []
        for func in sorted(facts.funcs, key=lambda func: func.line):
            if self.tops and func.line <= self.tops[-1][1]:
                self.tops[-1] = (self.tops[-1][0], max(self.tops[-1][1], func.end_line))
            else:
                self.tops.append((func.line, func.end_line))
        self.top_starts = [top[0] for top in self.tops]
        self.inside: dict[str, list] = {}  # per name, the assignments inside functions, by line
        self.outside: dict[str, object] = {}  # per name, the first assignment outside any function
        self.scopes: dict[int, object] = {}  # the function around an assignment, once asked
        for assign in facts.assigns:
            if not assign.name:
                continue
            if self._within_top(assign.line) is not None:
                self.inside.setdefault(assign.name, []).append(assign)
            else:
                self.outside.setdefault(assign.name, assign)
        for assigns in self.inside.values():
            assigns.sort(key=lambda assign: assign.line)
        self.lines = {name: [assign.line for assign in assigns] for name, assigns in self.inside.items()}

    def _within_top(self, line: int) -> int | None:
        """The first line of the outermost function around a line, or None outside any function."""
        at = bisect.bisect_right(self.top_starts, line) - 1
        return self.tops[at][0] if at >= 0 and self.tops[at][1] >= line else None

    def _value_of(self, name: str, line: int):
        first = self._within_top(line) or line
        assigns = self.inside.get(name, [])
        for index in range(bisect.bisect_left(self.lines.get(name, []), line) - 1, -1, -1):
            assign = assigns[index]
            if assign.line < first:
                break
            if id(assign) not in self.scopes:
                self.scopes[id(assign)] = self.facts.enclosing(assign.line)
            scope = self.scopes[id(assign)]
            if scope.line <= line <= scope.end_line:
                return assign
        return self.outside.get(name)

    @property
    def imports(self) -> dict[str, tuple[str, str]]:
        if callable(self._imports):
            self._imports = self._imports()
        return self._imports

    def base_of(self, receiver: str, line: int) -> tuple[str, str] | None:
        """The Belvo base URL a client object was built with (`api = axios.create({ baseURL: API })`,
        `self.http = httpx.Client(base_url=BELVO_URL)`, `WebClient.builder().baseUrl(belvoUrl)`), and the
        construction, or None."""
        own = _OWN_MEMBER.match(receiver) or receiver.startswith("@")
        name = re.match(r"[A-Za-z_$][\w$]*", _OWN_MEMBER.sub("", receiver).lstrip("$@"))
        if not name or name.group(0) in OWN_RECEIVERS:
            return None
        name = name.group(0)
        if own:  # a field: set in the constructor, used in every method
            assign = next((a for a in self.facts.assigns if a.name == name and re.match(
                r"\$?(?:this|self)\s*(?:\.|->)|@", a.target)), None) or self._value_of(name, line)
        else:
            assign = self._value_of(name, line)
        if assign is None or _sends(assign.value) or not INSTANCE_FACTORY.search(assign.value):
            return None
        given = BASE_GIVEN.search(assign.value)
        if given is None:
            return (assign.value, assign.value) if _names_belvo(assign.value) else None
        base = given.group("value").strip()
        resolved = self.resolve(base, assign.line)
        found = resolved if _names_belvo(resolved) else base if _names_belvo(base) else None
        return (found, assign.value) if found else None

    def imported(self, name: str, member: str = "") -> str:
        """The value a name imported from the app's own module has there (`member` of a whole module)."""
        module, exported = self.imports.get(name, ("", ""))
        return module_value(module, exported or member) if module and (exported or member) else ""

    def assignment(self, name: str, line: int):
        """The assignment a name read at `line` refers to (None: not assigned in this file)."""
        return self._value_of(name, line)

    def reaches(self, args: str, line: int, depth: int = TRACE_DEPTH, seen: frozenset = frozenset()) -> str | None:
        """The traced value (for reading the method from it) when a URL argument leads to Belvo, else None."""
        if depth == 0:
            return None
        for part in _positional(args):
            own = _OWN_MEMBER.sub("", part)
            for name in dict.fromkeys(_VALUE_NAME.findall(own)):
                if name in seen:
                    continue
                assign = None if name in self.imports else self._value_of(name, line)
                if assign is None and name in self.imports:
                    member = re.search(rf"(?<![\w.$]){re.escape(name)}((?:\.[A-Za-z_$][\w$]*)+)", own)
                    value = self.imported(name, member.group(1).rpartition(".")[2] if member else "")
                    if _names_belvo(value):
                        return value
                    continue
                if assign is None or _sends(assign.value):
                    continue
                if _names_belvo(assign.value):
                    return assign.value
                deeper = self.reaches(assign.value, assign.line, depth - 1, seen | {name})
                if deeper is not None:
                    return assign.value + "\n" + deeper
        return None

    def resolve(self, expression: str, line: int, depth: int = RESOLVE_DEPTH, seen: frozenset = frozenset()) -> str:
        """The URL an expression spells, as far as this file (and the modules it imports) shows it: its
        literals joined, each name and interpolation replaced by the value it traces to ("" if unknown)."""
        if depth == 0:
            return ""
        out = []
        for piece in _PIECE.finditer(expression):
            if piece.group("body"):
                body = piece.group("body")
                text = body[1:-1]
                for inner in interpolations(piece.group("prefix"), body):
                    value = self.resolve(inner, line, depth - 1, seen)
                    for marked in ("${%s}", "#{%s}", "{%s}", "$%s"):
                        text = text.replace(marked % inner, value)
                out.append(text)
                continue
            name = _OWN_MEMBER.sub("", piece.group("name")).lstrip("$@").replace("->", ".")
            first, _, rest = name.partition(".")
            if first in seen:
                continue
            unknown = "{" + name + "}"  # kept as a name: `/api/links/{id}` is no list path
            if first in self.imports:
                value = self.imported(first, rest.rpartition(".")[2])
                out.append("".join(m.group("body")[1:-1] for m in _LITERAL.finditer(value)) or unknown)
                continue
            assign = self._value_of(first, line)
            if assign is not None and not _sends(assign.value):
                out.append(self.resolve(assign.value, assign.line, depth - 1, seen | {first}) or unknown)
            else:
                out.append(unknown)
        return "".join(out)

    def url_of(self, args: str, line: int) -> str:
        """The URL the first positional argument of a call spells (see resolve)."""
        first = split_top(args.strip()[1:-1] if args.strip().startswith("(") else args)
        first = [part for part in first if not _KEYWORD_ARG.match(part)]
        return self.resolve(first[0], line) if first else ""


def judge_default(client: HttpClient) -> str:
    if client.default_varies:
        return "ambiguous"
    if client.default_timeout is None:
        return "bad"
    return "ok" if client.default_timeout <= SLOW_DEFAULT else "ambiguous"


@dataclass(frozen=True)
class BelvoCall:
    call: Call
    via: str  # "belvo-python", "belvo-js", "belvo-ruby" or an HttpClient name, or "an HTTP client"
    sdk: Sdk | None
    client: HttpClient | None  # for raw HTTP calls made through a module-level function of a known client
    method: str  # GET, POST, PUT, PATCH, DELETE or "?"
    url: str = ""  # where it goes: the arguments, and the value a URL variable among them was traced to

    def __post_init__(self):
        if not self.url:
            object.__setattr__(self, "url", self.call.args)


_VERBS = re.compile(r"(?i)^(get|post|put|patch|delete|head)")
_METHOD_IN_ARGS = re.compile(r"""(?i)['"](GET|POST|PUT|PATCH|DELETE)['"]|HttpMethod\.(GET|POST|PUT|PATCH|DELETE)"""
                             r"""|Method(Get|Post|Put|Patch|Delete)\b|method\s*[:=]\s*['"]?(get|post|put|patch|delete)"""
                             r"""|HTTP::(Get|Post|Put|Patch|Delete)\b""")


OWN_RECEIVERS = frozenset({"self", "this", "cls", "static"})
WRAPPER = "the app's own request method"
_CHAINED_VERB = re.compile(r"\.(get|post|put|patch|delete|method)\s*\(\s*(?:HttpMethod\.(\w+))?", re.I)


def _method(call: Call, sdk: Sdk | None, line: str = "", traced: str = "") -> str:
    """The HTTP method of a call: from the SDK method, the arguments (or the request object they were
    traced to: `Net::HTTP::Post.new(uri)`), the call's name, or the verb chained onto a request builder."""
    name = call.name
    if sdk is not None:
        if name in SDK_POST_METHODS:
            return "POST"
        return "DELETE" if name == "delete" else "GET"
    found = _METHOD_IN_ARGS.search(call.args) or _METHOD_IN_ARGS.search(traced)
    if found:
        return next(g for g in found.groups() if g).upper()
    verb = _VERBS.match(name)
    if verb:
        return verb.group(1).upper()
    if name in ("url", "uri", "newBuilder"):  # request builders (OkHttp, WebClient, java.net.http): the verb is chained after the URL
        chained = _CHAINED_VERB.search(line[line.find(name + "("):] if name + "(" in line else line)
        if chained and (chained.group(2) or chained.group(1).lower() != "method"):
            return (chained.group(2) or chained.group(1)).upper()
        if "HttpRequest.newBuilder" in line and not chained:  # java.net.http builds a GET unless told otherwise
            return "GET"
    return "GET" if name in ("fetch", "getForObject", "getForEntity", "GetStringAsync", "urlopen") else "?"


def _chain(lines: list[str], call: Call) -> str:
    """The call's lines and the builder calls chained onto it on the lines after (`.timeout(...)`, `.POST(...)`)."""
    text = "\n".join(lines[call.line - 1:call.end_line])
    for following in lines[call.end_line:call.end_line + 6]:
        if not following.lstrip().startswith((".", "->", "?.")):
            break
        text += "\n" + following
    return text


# A path of the page's own origin: fetch('/api/links'), axios.get(`/api/links/${id}`), location.origin + '/api'.
SAME_ORIGIN = re.compile(r"""^\s*\(?\s*(?:[\"'`]/(?!/)|(?:window\.)?location\.origin\b|new\s+URL\(\s*[\"'`]/(?!/))""")
BASE_URL = re.compile(r"(?i)\bbase_?ur[il]\b|BaseAddress")


def _sdk_resource_call(call: Call, sdk: Sdk, imports_sdk: bool, imports_belvo: bool) -> bool:
    """A resource call on an SDK client: in a file importing the SDK, or on a receiver named after Belvo
    (`belvo_client.Transactions.list(...)` where the client is built in another file), or a belvo-python
    resource (`client().Links.create(...)`) on a client from a function or module of a file importing belvo.
    belvo-python's resources are CamelCase (client.Links): `user.accounts.create` is a Django manager."""
    if call.name == "Client" or not SDK_RESOURCES.search("." + call.callee + "."):
        return False
    named = imports_sdk or "belvo" in call.receiver.lower()
    if sdk is SDKS["python"]:
        return bool(CAMEL_RESOURCE.search(call.callee)) and (
            named or imports_belvo and bool(SDK_RESOURCE_CALL.search(call.callee)))
    return named or imports_belvo and bool(JS_SDK_RESOURCE_CALL.search(call.callee))


# belvo-js methods no ORM has (`db.links.create` may be Prisma's; `client.links.register` is belvo-js).
JS_SDK_RESOURCE_CALL = re.compile(r"\.[a-z][A-Za-z]+\.(?:register|retrieve|resume|detail|list)$")
# A JS module importing a belvo-named value of the app (`import { belvoClient } from './client.js'`).
JS_IMPORTS_BELVO = re.compile(r"""(?i)\bimport\s+[^;\n]*?belvo[^;\n]*?\s+from\s+['"]\.|require\(\s*['"]\.[^'"]*belvo""")


# Where a client is given its base URL: baseURL: / base_url= / 'base_uri' => / BaseAddress = / .baseUrl(...)
BASE_GIVEN = re.compile(r"""(?i)\b['"]?(?:base_?ur[il]|prefix_?url|root_?uri|base_?address)['"]?\s*(?:=>|=(?!=)|:|\()\s*"""
                        r"""(?P<value>(?:[^,(){}\[\]]|\([^()]*\)|\{[^{}]*\}|\[[^\[\]]*\])+)""")
# Calls that build a client object a base URL can be given to (axios.create, got.extend, httpx.Client,
# requests_toolbelt's BaseUrlSession, WebClient.builder, RestTemplateBuilder, Faraday.new, Guzzle's Client).
INSTANCE_FACTORY = re.compile(r"(?:\.create|\.extend|Client|Session|[Bb]uilder|Faraday\.new|\.defaults)\s*\(|Client\s*(?:\(\s*\))?\s*\{")


def belvo_calls(facts, text: str, language: str, path: str = "", rel: str = "") -> list[BelvoCall]:
    """Every call in a file that reaches Belvo: SDK resource calls and raw HTTP calls to a Belvo URL
    (written in the call, traced through variables, constants, interpolations and the app's own modules
    it imports, or given to the client object as its base URL). A request a module-level function (fetch,
    axios.get) sends to a path of the app's own origin goes to the app's own routes, not to Belvo, unless
    the file gives that client a base URL."""
    found = []
    sdk = sdk_for(language, text)
    clients = clients_in(text, language)
    lines = text.split("\n")
    trace = UrlTrace(facts, lambda: imported_names(text, language, path, rel))
    own_base = bool(BASE_URL.search(text))
    imports_sdk = uses_sdk(text)
    imports_belvo = bool(IMPORTS_BELVO.search(text)) if language == "python" else \
        language in SDKS["javascript"].languages and bool(JS_IMPORTS_BELVO.search(text))
    for call in facts.calls:
        if sdk is not None and _sdk_resource_call(call, sdk, imports_sdk, imports_belvo):
            found.append(BelvoCall(call, sdk.name, sdk, None, _method(call, sdk)))
            continue
        if not REQUEST_METHODS.match(call.name) or MAPPINGS.search(call.receiver):
            continue
        args = call_arguments(call)
        if args is not call.args and SAME_ORIGIN.match(call.args):
            continue  # app.post('/api/token', (req, res) => ...): a route of the app, handled by the function
        traced = "" if _names_belvo(args) else trace.reaches(args, call.line)
        built = trace.base_of(call.receiver, call.line) if traced is None and call.receiver else None
        if traced is None and built is None:
            continue
        base = built[0] if built else None
        direct = next((c for c in clients if c.direct.match(call.callee)), None)
        if direct is not None and not own_base and SAME_ORIGIN.match(call.args):
            continue
        if call.receiver in OWN_RECEIVERS:  # self.request("POST", "/api/links/"): the app's own wrapper
            via = WRAPPER
        elif built:  # a client object: a known client's, or one of the app's own classes (BelvoClient(...))
            made = _CALLED.findall(built[1]) + re.findall(r"\bnew\s+([\w.]+)\s*\{", built[1])  # C# initialisers
            maker = next((c for c in clients for callee in made
                          if c.factory.search(callee.replace("->", ".").replace("::", "."))), None)
            via = maker.name if maker else WRAPPER
        else:
            via = direct.name if direct else (clients[0].name if len(clients) == 1 else "an HTTP client")
        # where it goes, as written and as resolved ("https://api.belvo.co/api/token/"), for path verdicts
        resolved = (base or "") + trace.url_of(call.args, call.line)
        url = "\n".join(filter(None, (call.args, traced, base and f"base URL {base}", resolved and f"'{resolved}'")))
        found.append(BelvoCall(call, via, None, direct, _method(call, None, _chain(lines, call), traced or ""), url))
    return found


def cached_belvo_calls(ctx) -> list[BelvoCall]:
    """belvo_calls of a SourceText, computed once per file whichever concepts ask."""
    if "_belvo_calls" not in ctx.__dict__:
        ctx.__dict__["_belvo_calls"] = belvo_calls(ctx.facts, ctx.text, ctx.language, ctx.file.path,
                                                   ctx.file.rel) if ctx.file.is_code else []
    return ctx.__dict__["_belvo_calls"]
