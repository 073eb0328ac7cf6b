"""BLV705-BLV707 on secrets found by their use: literals under any name that become the keys of a Belvo
call (token body, basic auth, SDK constructor), env reads with literal defaults, encoded Basic headers;
passes only where the keys of the Belvo calls were traced to the environment; placeholders never count."""

from __future__ import annotations

import base64

from belvo_check.model import Status
from belvo_check.source.literals import encodes_credentials, is_placeholder
from tests.checks.recorded import run_check
from tests.checks.test_keys import _at, _git, _tree

KEY_ID = "3f1a9c2e-7b4d-4e8a-9f10-2c3d4e5f6a7b"
PASSWORD = "Tq9#mXv2Lp8zRw4kYh7N"
SOURCE = "source: {root: repo}\n"

EXPRESS = f"""\
const express = require('express');
const axios = require('axios');

const API = 'https://api.belvo.co/api';
const USER = '{KEY_ID}';
const PASSWORD = '{PASSWORD}';

const app = express();
app.post('/widget-token', async (req, res) => {{
  const body = {{ id: USER, password: PASSWORD, scopes: 'read_institutions,write_links' }};
  const answer = await axios.post(`${{API}}/token/`, body, {{ timeout: 10000 }});
  res.json({{ access: answer.data.access }});
}});
app.get('/links', async (req, res) => {{
  const answer = await axios.get(`${{API}}/links/`, {{ auth: {{ username: USER, password: PASSWORD }}, timeout: 10000 }});
  res.json(answer.data);
}});
module.exports = app;
"""

EXPRESS_FROM_ENV = """\
const express = require('express');
const axios = require('axios');

const API = process.env.BELVO_API_URL;
const USER = process.env.BELVO_SECRET_ID;
const PASSWORD = process.env.BELVO_SECRET_PASSWORD;

const app = express();
app.post('/widget-token', async (req, res) => {
  const body = { id: USER, password: PASSWORD, scopes: 'read_institutions,write_links' };
  const answer = await axios.post(`${API}/api/token/`, body, { timeout: 10000 });
  res.json({ access: answer.data.access });
});
module.exports = app;
"""

PLACEHOLDERS = {
    "README.md": "# Setup\n\nSet `BELVO_SECRET_ID=your-secret-id` and `BELVO_SECRET_PASSWORD=<BELVO_SECRET_PASSWORD>`\n"
                 "in your shell (see belvo's dashboard), e.g. `BELVO_SECRET_PASSWORD=xxxxxxxxxxxxxxxx`.\n",
    ".env": "BELVO_SECRET_ID=\nBELVO_SECRET_PASSWORD=\nBELVO_API_URL=https://sandbox.belvo.com\n",
    ".env.example": "BELVO_SECRET_ID=your-secret-id\nBELVO_SECRET_PASSWORD=****************\n",
}


def _shows_no_value(result, *values):
    text = "".join(f"{f.message}{f.evidence}{f.hint}" for f in result.findings)
    assert not [v for v in values if v in text]


def _commit(root, message):
    _git(root, "add", ".")
    _git(root, "commit", "-qm", message)


def test_express_keys_under_generic_names_sent_to_the_legacy_token_endpoint_and_as_basic_auth_fail(tmp_path):
    _tree(tmp_path, {"server/app.js": EXPRESS})
    result = run_check("BLV705", tmp_path, config_body=SOURCE)
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    assert _at(result) == {"server/app.js:5:15": Status.FAIL, "server/app.js:6:19": Status.FAIL}
    assert all("sha256:" in f.message for f in result.findings)
    _shows_no_value(result, KEY_ID, PASSWORD)


def test_blv706_finds_keys_under_generic_names_in_the_history(tmp_path):
    root = _tree(tmp_path, {"server/app.js": EXPRESS})
    _git(root, "init", "-q")
    _commit(root, "widget token")
    (root / "server/app.js").write_text(EXPRESS.replace("module.exports = app;", "app.listen(3000);\n"
                                                        "module.exports = app;"))
    _commit(root, "listen")
    result = run_check("BLV706", tmp_path, config_body=SOURCE)
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    assert _at(result) == {"server/app.js:5:15": Status.FAIL, "server/app.js:6:19": Status.FAIL}
    _shows_no_value(result, KEY_ID, PASSWORD)


def test_env_lookups_with_literal_defaults_and_sdk_constructors_with_literals_fail_in_each_language(tmp_path):
    _tree(tmp_path, {
        "server/belvo.js": f"""\
            const Client = require('belvo').default;
            const ID = process.env.BELVO_ID || '{KEY_ID}';
            const client = new Client(ID, process.env.BELVO_PW, process.env.BELVO_URL);
            """,
        "server/sdk.ts": f"""\
            import Client from 'belvo';
            const SECRET = '{PASSWORD}';
            export const belvo = new Client(process.env.BELVO_ID, SECRET, 'https://api.belvo.com');
            """,
        "app/belvo_client.py": f"""\
            import os
            from belvo.client import Client

            KEY = os.getenv("BELVO_KEY", "{KEY_ID}")
            client = Client(KEY, os.environ["BELVO_PASSWORD"], "https://api.belvo.com")
            """,
        "app/token.py": f"""\
            import os
            import requests

            URL = os.environ["BELVO_URL"]
            CONFIG = {{"user": "{KEY_ID}", "pass": os.environ.get("BELVO_PASSWORD", "{PASSWORD}")}}

            def access_token():
                answer = requests.post(URL + "/api/token/", json={{"id": CONFIG["user"], "password": CONFIG["pass"],
                                       "scopes": "read_institutions,write_links"}}, timeout=10)
                return answer.json()["access"]
            """,
    })
    result = run_check("BLV705", tmp_path, config_body=SOURCE)
    assert result.status is Status.FAIL
    found = _at(result, Status.FAIL)
    for place in ("server/belvo.js:2:", "server/sdk.ts:2:", "app/belvo_client.py:4:", "app/token.py:5:"):
        assert [k for k in found if k.startswith(place)], (place, found)
    _shows_no_value(result, KEY_ID, PASSWORD)


def test_dotnet_basic_header_from_a_base64_literal_or_literal_parts_fails(tmp_path):
    encoded = base64.b64encode(f"{KEY_ID}:{PASSWORD}".encode()).decode()
    _tree(tmp_path, {
        "Belvo/BelvoApi.cs": f"""\
            using System.Net.Http;

            public class BelvoApi
            {{
                private const string Api = "https://api.belvo.com";
                private readonly HttpClient _http = new HttpClient {{ Timeout = TimeSpan.FromSeconds(10) }};

                public BelvoApi()
                {{
                    _http.DefaultRequestHeaders.Add("Authorization", "Basic " + "{encoded}");
                }}

                public Task<HttpResponseMessage> Links() => _http.GetAsync(Api + "/api/links/");
            }}
            """,
        "Belvo/Accounts.cs": f"""\
            public class Accounts
            {{
                private const string USER = "{KEY_ID}";
                private const string PASSWORD = "{PASSWORD}";
                private readonly HttpClient _http = new HttpClient {{ Timeout = TimeSpan.FromSeconds(10) }};

                public Task<HttpResponseMessage> List()
                {{
                    var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{USER}}:{{PASSWORD}}"));
                    _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", basic);
                    return _http.GetAsync("https://api.belvo.com/api/accounts/");
                }}
            }}
            """,
    })
    result = run_check("BLV705", tmp_path, config_body=SOURCE)
    assert result.status is Status.FAIL
    found = _at(result, Status.FAIL)
    assert "Belvo/BelvoApi.cs:10:70" in found
    assert [k for k in found if k.startswith("Belvo/Accounts.cs:3:")] and [k for k in found
                                                                           if k.startswith("Belvo/Accounts.cs:4:")]
    _shows_no_value(result, KEY_ID, PASSWORD, encoded)


def test_encoded_pairs_are_secrets_and_placeholders_are_not(tmp_path):
    pair = f"{KEY_ID}:{PASSWORD}".encode()
    assert encodes_credentials(base64.b64encode(pair).decode()) and encodes_credentials(pair.hex())
    assert not encodes_credentials(base64.b64encode(b"your-secret-id:your-secret-password").decode())
    assert not encodes_credentials(base64.b64encode(b"no colon here at all").decode())
    for value in ("your-secret-id", "xxxxxxxxxxxx", "****************", "<BELVO_SECRET_PASSWORD>", "", "changeme",
                  "example-password", "dummy_secret", "placeholder"):
        assert is_placeholder(value), value
    for value in (KEY_ID, PASSWORD):
        assert not is_placeholder(value), value


def test_keys_traced_to_the_environment_earn_a_pass_that_names_the_calls(tmp_path):
    _tree(tmp_path / "js", {"server/app.js": EXPRESS_FROM_ENV, **PLACEHOLDERS})
    js = run_check("BLV705", tmp_path / "js", config_body=SOURCE)
    assert js.status is Status.PASS, [(f.status, f.message) for f in js.findings]
    assert "come from environment" in js.findings[0].message and "server/app.js:11" in js.findings[0].message

    _tree(tmp_path / "py", {"app/belvo_client.py": """\
        import os
        from belvo.client import Client

        client = Client(os.environ["BELVO_SECRET_ID"], os.environ["BELVO_SECRET_PASSWORD"], os.environ["BELVO_URL"])
        """, "README.md": PLACEHOLDERS["README.md"]})
    py = run_check("BLV705", tmp_path / "py", config_body=SOURCE)
    assert py.status is Status.PASS and "app/belvo_client.py:4" in py.findings[0].message

    root = _tree(tmp_path / "cs", {"Belvo/Accounts.cs": """\
        public class Accounts
        {
            private static readonly string User = Environment.GetEnvironmentVariable("BELVO_SECRET_ID");
            private static readonly string Password = Environment.GetEnvironmentVariable("BELVO_SECRET_PASSWORD");
            private readonly HttpClient _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

            public Task<HttpResponseMessage> List()
            {
                var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
                _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", basic);
                return _http.GetAsync("https://api.belvo.com/api/accounts/");
            }
        }
        """})
    cs = run_check("BLV705", tmp_path / "cs", config_body=SOURCE)
    assert cs.status is Status.PASS and "environment" in cs.findings[0].message
    _git(root, "init", "-q")
    _commit(root, "accounts")
    history = run_check("BLV706", tmp_path / "cs", config_body=SOURCE)
    assert history.status is Status.PASS and "environment" in history.findings[0].message


def test_placeholder_only_repos_do_not_fail(tmp_path):
    """Placeholders in docs, a committed .env and code defaults; the keys come from the environment."""
    root = _tree(tmp_path, {**PLACEHOLDERS, "server/app.js": EXPRESS_FROM_ENV.replace(
        "process.env.BELVO_SECRET_ID;", "process.env.BELVO_SECRET_ID || 'your-secret-id';").replace(
        "process.env.BELVO_SECRET_PASSWORD;", "process.env.BELVO_SECRET_PASSWORD || '<BELVO_SECRET_PASSWORD>';")})
    _git(root, "init", "-q")
    _commit(root, "placeholders")
    for check in ("BLV705", "BLV706"):
        result = run_check(check, tmp_path, config_body=SOURCE)
        assert result.status is not Status.FAIL and not _at(result, Status.FAIL), (check, result.findings)


def test_belvo_calls_whose_keys_cannot_be_traced_do_not_pass_and_say_which(tmp_path):
    root = _tree(tmp_path, {"server/mint.js": """\
        const axios = require('axios');

        async function mint(keys) {
          const answer = await axios.post('https://api.belvo.com/api/token/',
            { id: keys.id, password: keys.password, scopes: 'read_institutions,write_links' }, { timeout: 10000 });
          return answer.data.access;
        }
        module.exports = { mint };
        """})
    _git(root, "init", "-q")
    _commit(root, "mint")
    frontend = 'source: {root: repo, frontend: ["web/**"]}\n'
    (root / "web").mkdir()
    (root / "web/index.js").write_text("fetch('/widget-token').then((r) => r.json());\n")
    for check, config in (("BLV705", SOURCE), ("BLV706", SOURCE), ("BLV707", frontend)):
        result = run_check(check, tmp_path, config_body=config)
        assert result.status is Status.WARN, (check, [(f.status, f.message) for f in result.findings])
        assert _at(result) == {"server/mint.js:4:24": Status.WARN}, check
        assert "could not be traced" in result.findings[0].message and "keys.password" in result.findings[0].message


def test_generic_names_beside_belvo_calls_count_only_for_values_shaped_like_a_key(tmp_path):
    _tree(tmp_path, {"server/belvo.js": f"""\
        const axios = require('axios');
        const KEY = '{PASSWORD}';
        const USER = 'ops@acme.example';
        const ID = 'https://api.belvo.com/api/links/';
        const SECRET = 'the widget opens here';
        async function links() {{
          return axios.get('https://api.belvo.com/api/links/', {{ timeout: 10000 }});
        }}
        """})
    result = run_check("BLV705", tmp_path, config_body=SOURCE)
    assert _at(result, Status.FAIL) == {"server/belvo.js:2:14": Status.FAIL}


def test_env_defaults_in_dotnet_and_java_reaching_basic_auth_fail(tmp_path):
    _tree(tmp_path, {
        "src/Belvo.cs": f"""\
            public class Belvo
            {{
                private static readonly string Id = Environment.GetEnvironmentVariable("BELVO_ID") ?? "{KEY_ID}";
                private static readonly string Pw = Environment.GetEnvironmentVariable("BELVO_PW") ?? "{PASSWORD}";
                private readonly HttpClient _http = new HttpClient {{ Timeout = TimeSpan.FromSeconds(10) }};

                public Task<HttpResponseMessage> Accounts()
                {{
                    var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{Id}}:{{Pw}}"));
                    _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", basic);
                    return _http.GetAsync("https://api.belvo.com/api/accounts/");
                }}
            }}
            """,
        "src/Keys.java": f"""\
            class Keys {{
              static final String ID = System.getenv().getOrDefault("BELVO_ID", "{KEY_ID}");
              static final String PW = System.getenv().getOrDefault("BELVO_PW", "{PASSWORD}");
              void sync(HttpHeaders headers) {{
                headers.setBasicAuth(ID, PW);
                rest.exchange("https://api.belvo.com/api/links/", HttpMethod.GET, new HttpEntity<>(headers), String.class);
              }}
            }}
            """,
    })
    result = run_check("BLV705", tmp_path, config_body=SOURCE)
    assert set(_at(result)) == {"src/Belvo.cs:3:92", "src/Belvo.cs:4:92", "src/Keys.java:2:70", "src/Keys.java:3:70"}
    assert result.status is Status.FAIL
    _shows_no_value(result, KEY_ID, PASSWORD)
