"""An Express backend on Belvo's legacy host (api.belvo.co, the URL in a module constant joined with
template literals and +) is judged on every concept it shows, not skipped as showing nothing; BLV701
still fails its host. Its good counterpart passes what the code can settle. A failure branch that logs
or rethrows the whole error body keeps the request_id, and a create accepting 201 or 200 handles 201."""

from __future__ import annotations

from belvo_check.model import Status
from tests.checks.recorded import run_check
from tests.checks.test_errors import _at, _scanned

LEGACY = """\
    const express = require('express');
    const axios = require('axios');

    const API = 'https://api.belvo.co/api';
    const auth = { username: process.env.BELVO_ID, password: process.env.BELVO_PASSWORD };

    const app = express();
    app.use(express.json());

    app.post('/widget-token', async (req, res) => {
      const r = await axios.post(`${API}/token/`, { scopes: 'read_institutions,write_links' }, { auth });
      res.json({ access: r.data.access });
    });

    app.get('/accounts/:link', async (req, res) => {
      try {
        const r = await axios.get(API + '/accounts/?link=' + req.params.link, { auth });
        res.json(r.data.results);
      } catch (err) {
        console.log(err.message);
        res.status(500).end();
      }
    });

    app.listen(3000);
    """
GOOD = """\
    const express = require('express');
    const axios = require('axios');

    const API = process.env.BELVO_API_URL;
    const auth = { username: process.env.BELVO_ID, password: process.env.BELVO_PASSWORD };

    const app = express();
    app.use(express.json());

    app.post('/widget-token', async (req, res) => {
      try {
        const r = await axios.post(`${API}/api/token/`, { scopes: 'read_institutions,write_links' },
          { auth, timeout: 10000 });
        res.json({ access: r.data.access });
      } catch (err) {
        console.error('belvo token failed', err.response?.data);
        res.status(502).end();
      }
    });

    app.get('/accounts/:link', async (req, res) => {
      try {
        const rows = [];
        let url = `${API}/api/accounts/?link=${req.params.link}`;
        while (url) {
          const r = await axios.get(url, { auth, timeout: 10000 });
          rows.push(...r.data.results);
          url = r.data.next;
        }
        res.json(rows);
      } catch (err) {
        console.error(err.response.data);
        res.status(502).end();
      }
    });

    app.listen(3000);
    """
CONFIG = "belvo: {base_url: https://api.belvo.com}\n"


def test_the_legacy_host_backend_is_judged_on_every_concept_it_shows(tmp_path):
    scan = _scanned(tmp_path, {"server.js": LEGACY})
    verdicts = {check: run_check(check, tmp_path, source=scan) for check in
                ("BLV101", "BLV201", "BLV208", "BLV210", "BLV303")}
    assert not [check for check, result in verdicts.items() if result.status is Status.SKIP]
    assert verdicts["BLV208"].status is Status.FAIL  # no timeout on either call
    assert sorted(_at(verdicts["BLV208"], Status.FAIL)) == [("server.js", 11, 19), ("server.js", 17, 21)]
    assert verdicts["BLV303"].status is Status.FAIL  # the accounts list never follows next
    assert ("server.js", 11, 19) in _at(verdicts["BLV210"], Status.WARN)  # the token request is caught nowhere
    assert "request_id" in verdicts["BLV201"].findings[0].message  # judged: no log names it
    minted = verdicts["BLV101"].findings[0]
    assert minted.location.path.endswith("server.js") and minted.location.line == 11
    assert run_check("BLV701", tmp_path, config_body=CONFIG, source=scan).status is Status.FAIL


def test_its_good_counterpart_passes_what_the_code_settles(tmp_path):
    scan = _scanned(tmp_path, {"server.js": GOOD})
    for check in ("BLV210", "BLV303"):
        assert run_check(check, tmp_path, source=scan).status is Status.PASS, check
    for check in ("BLV101", "BLV201", "BLV208"):  # only behaviour fully proves these: a pass decided by source
        assert run_check(check, tmp_path, source=scan).status is Status.PASS, check
    logged = run_check("BLV201", tmp_path, source=scan)
    assert "error body" in logged.findings[0].message and "dropped" not in logged.findings[0].message


def test_a_branch_logging_or_rethrowing_the_body_keeps_the_request_id_and_201_or_200_handles_201(tmp_path):
    files = {"app/belvo.js": """\
        const BELVO = process.env.BELVO_API_URL;
        export async function createLink(body) {
          const res = await fetch(`${BELVO}/api/links/`, { method: 'POST', body, signal: AbortSignal.timeout(9000) });
          if (res.status === 201 || res.status === 200) return res.json();
          const problem = await res.json();
          console.error(problem);
          throw new Error(JSON.stringify(problem));
        }
        """, "app/belvo.py": """\
        import os
        import requests

        def owners(link):
            resp = requests.post(os.environ["BELVO_API_URL"] + "/api/owners/", json={"link": link}, timeout=30)
            if resp.status_code not in (200, 201):
                raise RuntimeError(resp.text)
            return resp.json()
        """}
    scan = _scanned(tmp_path, files)
    logged = run_check("BLV201", tmp_path, source=scan)
    assert logged.status is not Status.FAIL and not _at(logged, Status.FAIL)
    assert run_check("BLV301", tmp_path, source=scan).status is not Status.FAIL
    kept = {(f.path.rsplit("/", 1)[-1], f.line) for f in scan.findings
            if f.concept == "request_id_logged" and f.verdict == "ok"}
    assert {("belvo.js", 6), ("belvo.js", 7), ("belvo.py", 7)} <= kept


def test_a_body_read_into_any_variable_before_the_failure_branch_is_not_dropped(tmp_path):
    scan = _scanned(tmp_path, {"app/belvo.js": """\
        const BELVO = process.env.BELVO_API_URL;
        export async function owners(link) {
          const belvoRes = await fetch(`${BELVO}/api/owners/?link=${link}`, { signal: AbortSignal.timeout(9000) });
          const payload = await belvoRes.json();
          if (!belvoRes.ok) {
            console.error(payload);
            throw new Error('owners failed');
          }
          return payload;
        }
        """})
    logged = {(f.line, f.verdict) for f in scan.findings if f.concept == "request_id_logged"}
    assert logged == {(6, "ok")}  # console.error(payload) logs the body; the branch drops nothing
