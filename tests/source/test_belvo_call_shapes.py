"""A Belvo call is found through the shapes real code uses: a constant or config value joined or
interpolated into the URL (`${API}/token/`, `BASE + '/api/links/'`, f"{ROOT}/owners/", $"{Base}/..."),
a name imported from the app's own config module, a client object given a Belvo base URL, and any host
of Belvo's families (legacy api.belvo.co and sandbox.belvo.co too). A route registration whose handler
calls Belvo is not itself a Belvo call."""

from __future__ import annotations

from tests.source.conftest import found

CONCEPTS = ["timeout", "pagination", "widget_token_server", "error_handling"]

SHAPES_JS = """const axios = require('axios');
const { API_ROOT } = require('./belvo-config');
const HOST = 'https://sandbox.belvo.co';
const BASE = HOST + '/api';

const api = axios.create({ baseURL: `${HOST}/api`, timeout: 5000 });

async function token(body) {
  return axios.post(`${BASE}/token/`, body, { timeout: 5000 });
}

async function accounts(link) {
  return api.get('/accounts/', { params: { link } });
}

async function owners(link) {
  return axios.get(API_ROOT + '/owners/?link=' + link);
}
"""
CONFIG_JS = "module.exports = { API_ROOT: process.env.BELVO_URL || 'https://api.belvo.com/api' };\n"
SETTINGS_PY = 'API_ROOT = "https://api.belvo.co/api"\n'
SYNC_PY = '''"""Belvo sync."""
import httpx
import requests
from .settings import API_ROOT

ROOT = "https://sandbox.belvo.com/api"


class Sync:
    def __init__(self):
        self.http = httpx.Client(base_url=API_ROOT, timeout=10)

    def accounts(self, link):
        return self.http.get("/accounts/", params={"link": link})

    def owners(self, link):
        return requests.get(f"{ROOT}/owners/", params={"link": link})

    def token(self):
        return requests.post(API_ROOT + "/token/", json={})
'''
CLIENT_JAVA = """import org.springframework.web.client.RestTemplate;
public class Client {
    private static final String BELVO = "https://api.belvo.com/api";
    private final RestTemplate rest = new RestTemplate();
    public String owners(String link) {
        return rest.getForObject(BELVO + "/owners/?link=" + link, String.class);
    }
}
"""
CLIENT_CS = """using System.Net.Http;
public class BelvoClient {
    private const string Base = "https://api.belvo.com/api";
    private readonly HttpClient http = new HttpClient();
    public async Task<string> Owners(string link) {
        var resp = await http.GetAsync($"{Base}/owners/?link={link}");
        return await resp.Content.ReadAsStringAsync();
    }
}
"""
ROUTE_JS = """const express = require('express');
const axios = require('axios');
const API = 'https://api.belvo.com/api';
const app = express();
app.post('/token', async (req, res) => {
  res.json((await axios.post(`${API}/token/`, req.body, { timeout: 5000 })).data);
});
"""


def test_calls_through_constants_interpolations_imports_and_base_urls_are_belvo_calls(tmp_path):
    result = found(tmp_path, CONCEPTS, {"a.js": SHAPES_JS, "belvo-config.js": CONFIG_JS, "app/__init__.py": "",
                                        "app/settings.py": SETTINGS_PY, "app/sync.py": SYNC_PY,
                                        "Client.java": CLIENT_JAVA, "Client.cs": CLIENT_CS})
    timeouts = {(path, line, verdict) for concept, path, line, verdict in result if concept == "timeout"}
    assert timeouts == {
        ("a.js", 9, "ok"),  # `${BASE}/token/`, BASE = HOST + '/api' (legacy sandbox host)
        ("a.js", 13, "ok"),  # api = axios.create({ baseURL: `${HOST}/api`, timeout })
        ("a.js", 17, "bad"),  # API_ROOT from require('./belvo-config')
        ("app/sync.py", 14, "ok"),  # self.http = httpx.Client(base_url=API_ROOT) from .settings
        ("app/sync.py", 17, "bad"),  # f"{ROOT}/owners/"
        ("app/sync.py", 20, "bad"),  # API_ROOT + "/token/"
        ("Client.java", 6, "bad"),  # BELVO + "/owners/?link="
        ("Client.cs", 6, "ambiguous"),  # $"{Base}/owners/?link={link}" (.NET's 100 s default)
    }
    # the resolved URL is what path verdicts read: lists of /owners/ and /accounts/, the token request
    lists = {(path, line) for concept, path, line, _ in result if concept == "pagination"}
    assert {("a.js", 13), ("a.js", 17), ("app/sync.py", 14), ("app/sync.py", 17), ("Client.java", 6),
            ("Client.cs", 6)} == lists
    minted = {(path, line) for concept, path, line, _ in result if concept == "widget_token_server"}
    assert minted == {("a.js", 9), ("app/sync.py", 20)}


def test_a_route_whose_handler_calls_belvo_is_not_a_belvo_call(tmp_path):
    result = found(tmp_path, CONCEPTS, {"server.js": ROUTE_JS})
    assert {(concept, line) for concept, _, line, _ in result} == {
        ("timeout", 6), ("error_handling", 6), ("widget_token_server", 6)}


def test_the_same_code_without_a_belvo_host_is_no_belvo_call(tmp_path):
    result = found(tmp_path, CONCEPTS, {"a.js": SHAPES_JS.replace("sandbox.belvo.co", "api.example.org"),
                                        "belvo-config.js": "module.exports = { API_ROOT: 'https://api.example.org' };\n"})
    assert not result


def test_superagent_and_a_base_url_session_are_belvo_clients(tmp_path):
    result = found(tmp_path, ["timeout", "error_handling"], {
        "a.js": "const superagent = require('superagent');\nconst API = 'https://api.belvo.com/api';\n"
                "async function owners(link) {\n  return superagent.get(`${API}/owners/`).query({ link });\n}\n",
        "b.py": "import os\nfrom requests_toolbelt.sessions import BaseUrlSession\n\n"
                "belvo = BaseUrlSession(base_url=os.environ['BELVO_API_URL'])\n\n\n"
                "def owners(link):\n    return belvo.get('owners/', params={'link': link}, timeout=10)\n"})
    assert ("timeout", "a.js", 4, "bad") in result  # superagent has no default timeout
    assert ("error_handling", "a.js", 4, "ambiguous") in result  # it raises; nothing here catches
    assert ("timeout", "b.py", 8, "ok") in result and ("error_handling", "b.py", 8, "ambiguous") in result


def test_a_belvo_call_whose_path_is_built_elsewhere_is_named_not_skipped_for_pagination(tmp_path):
    files = {"belvo.py": "import os\nimport httpx\n\nhttp = httpx.Client(base_url=os.environ['BELVO_API_URL'], "
                         "timeout=10)\n\n\ndef fetch(path, **params):\n    return http.get(path, params=params)\n"}
    assert ("pagination", "belvo.py", 8, "ambiguous") in found(tmp_path / "a", ["pagination"], files)
    # once a list call is judged, the unread one is not repeated
    files["lists.py"] = files["belvo.py"].replace("def fetch(path, **params):\n    return http.get(path, params=params)",
                                                  "def owners():\n    return http.get('/api/owners/')")
    assert {(p, line) for _, p, line, _ in found(tmp_path / "b", ["pagination"], files)} == {("lists.py", 8)}


def test_a_dotnet_http_client_given_a_belvo_base_address_sends_belvo_calls(tmp_path):
    result = found(tmp_path, ["timeout", "error_handling", "pagination"], {"Belvo.cs": """using System.Net.Http;
public class BelvoApi {
    private const string Base = "https://api.belvo.com/api/";
    private readonly HttpClient http = new HttpClient { BaseAddress = new Uri(Base), Timeout = TimeSpan.FromSeconds(20) };
    public async Task<string> Owners(string link) {
        var resp = await http.GetAsync($"owners/?link={link}");
        resp.EnsureSuccessStatusCode();
        return await resp.Content.ReadAsStringAsync();
    }
}
"""})
    assert result == {("timeout", "Belvo.cs", 6, "ok"), ("error_handling", "Belvo.cs", 6, "ambiguous"),
                      ("pagination", "Belvo.cs", 6, "bad")}
