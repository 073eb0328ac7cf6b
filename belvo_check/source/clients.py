"""What belvo-check knows about the clients that call Belvo: the official SDKs and raw HTTP clients.

Defaults are data, not code, so a verdict that depends on one (e.g. "no timeout") names the
default it relied on. The facts and their sources are collected in docs/belvo-api.md
("Hosts", "Official SDKs", "HTTP client defaults").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from belvo_check.source.facts import Call, last_ident

# docs/belvo-api.md "Hosts": only these two answer the API today.
API_HOSTS = {"api.belvo.com": "production", "sandbox.belvo.com": "sandbox"}
WRONG_HOSTS = {
    "development.belvo.com": "is Belvo's retired development environment (only sandbox and production remain)",
    "production.belvo.com": "is not a Belvo host (production is api.belvo.com)",
    "api.belvo.co": "is not a Belvo host (production is api.belvo.com)",
    "prod.belvo.com": "is not a Belvo host (production is api.belvo.com)",
}
# Belvo's own non-API sites: mentioning them is not a base URL.
NOT_API_HOSTS = ("belvo.com", "www.belvo.com", "developers.belvo.com", "docs.belvo.com", "status.belvo.com",
                 "dashboard.belvo.com", "cdn.belvo.io", "belvo.io", "statuspage.belvo.com", "support.belvo.com",
                 "belvo.zendesk.com", "github.com")

BELVO_PATH = re.compile(r"/api/(?:links|accounts|transactions|owners|balances|institutions|token|incomes|invoices"
                        r"|tax-|recurring-expenses|risk-insights|employment|investments|bills|payments|customers"
                        r"|consents|widget|enrich|current-accounts)")
BELVO_HOST_IN_TEXT = re.compile(r"(?i)\b(?:api|sandbox|development)\.belvo\.com")

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
               _re(r"^requests\.(?:get|post|put|patch|delete|head|request)$"), _re(r"^requests\.Session$"),
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


def reaches_belvo(call: Call) -> bool:
    """The call's arguments point at Belvo: a Belvo host, a Belvo API path, or a belvo-named URL variable."""
    return _names_belvo(call.args)


_QUOTED = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`""")
_KEYWORD_ARG = re.compile(r"^\s*[\w$@]+\s*(?:=(?![=>])|:(?!:)|=>)")
# A name read as a value: not a method called (`URI(`), nor a member or namespace of something else.
_VALUE_NAME = re.compile(r"(?<![\w.:>$@])[$@]{0,2}([A-Za-z_]\w*)\b(?!\s*\()(?!::)")
_OWN_MEMBER = re.compile(r"\$?\b(?:this|self)\s*(?:\.|->)")  # this.url, self.url, $this->url: the field url
_CALLED = re.compile(r"([A-Za-z_$@][\w$@]*(?:(?:\.|::|->)[A-Za-z_$@][\w$@]*)*)\s*\(")
TRACE_DEPTH = 3  # url -> uri -> the base URL: deeper chains are not followed


def _positional(args: str, limit: int = 3) -> list[str]:
    """The first positional arguments of an argument text, without their string literals."""
    text = _QUOTED.sub('""', args.strip())
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


class UrlTrace:
    """Where the URL variables of a file come from: `url = BELVO_URL + "/api/links/"` then `get(url)`,
    `uri = URI(url)` then `http.get(uri.request_uri)`. A name is traced to its nearest assignment before
    the call in the same function (or enclosing ones), else to one outside any function (a field, a
    constant); values that send or build a request are not URLs and end the trace."""

    def __init__(self, facts):
        self.facts = facts
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

    def reaches(self, args: str, line: int, depth: int = TRACE_DEPTH, seen: frozenset = frozenset()) -> str | None:
        """The traced value (for reading the method from it) when a URL argument leads to Belvo, else None."""
        if depth == 0:
            return None
        for part in _positional(args):
            for name in dict.fromkeys(_VALUE_NAME.findall(_OWN_MEMBER.sub("", part))):
                if name in seen:
                    continue
                assign = self._value_of(name, line)
                if assign is None or _sends(assign.value):
                    continue
                if _names_belvo(assign.value):
                    return assign.value
                deeper = self.reaches(assign.value, assign.line, depth - 1, seen | {name})
                if deeper is not None:
                    return assign.value + "\n" + deeper
        return None


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
    return named


def belvo_calls(facts, text: str, language: str) -> list[BelvoCall]:
    """Every call in a file that reaches Belvo: SDK resource calls and raw HTTP calls to a Belvo URL.
    A request a module-level function (fetch, axios.get) sends to a path of the app's own origin goes to
    the app's own routes, not to Belvo, unless the file gives that client a base URL."""
    found = []
    sdk = sdk_for(language, text)
    clients = clients_in(text, language)
    lines = text.split("\n")
    trace = UrlTrace(facts)
    own_base = bool(BASE_URL.search(text))
    imports_sdk = uses_sdk(text)
    imports_belvo = language == "python" and bool(IMPORTS_BELVO.search(text))
    for call in facts.calls:
        if sdk is not None and _sdk_resource_call(call, sdk, imports_sdk, imports_belvo):
            found.append(BelvoCall(call, sdk.name, sdk, None, _method(call, sdk)))
            continue
        if not REQUEST_METHODS.match(call.name) or MAPPINGS.search(call.receiver):
            continue
        traced = "" if reaches_belvo(call) else trace.reaches(call.args, call.line)
        if traced is None:
            continue
        direct = next((c for c in clients if c.direct.match(call.callee)), None)
        if direct is not None and not own_base and SAME_ORIGIN.match(call.args):
            continue
        if call.receiver in OWN_RECEIVERS:  # self.request("POST", "/api/links/"): the app's own wrapper
            via = WRAPPER
        else:
            via = direct.name if direct else (clients[0].name if len(clients) == 1 else "an HTTP client")
        found.append(BelvoCall(call, via, None, direct, _method(call, None, _chain(lines, call), traced),
                               call.args + ("\n" + traced if traced else "")))
    return found


def cached_belvo_calls(ctx) -> list[BelvoCall]:
    """belvo_calls of a SourceText, computed once per file whichever concepts ask."""
    if "_belvo_calls" not in ctx.__dict__:
        ctx.__dict__["_belvo_calls"] = belvo_calls(ctx.facts, ctx.text, ctx.language) if ctx.file.is_code else []
    return ctx.__dict__["_belvo_calls"]
