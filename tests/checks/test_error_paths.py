"""BLV210 judges error handling on the path the error really takes: a client that raises (RestTemplate,
axios, raise_for_status) throws before a status check after the call runs, so only a catch of its exception
(or a superclass, or an untyped one) counts, around the call, around every call of its function, or in a
handler the tree registers; a handler of other types does not. A handler that reads the second element of
Belvo's (one-element) error list warns at its line."""

from __future__ import annotations

from belvo_check.model import Status
from tests.checks.recorded import run_check
from tests.checks.test_errors import _at, _scanned

GATEWAY_JAVA = """\
    package mx.acme;

    import org.springframework.http.HttpStatus;
    import org.springframework.http.ResponseEntity;
    import org.springframework.web.client.RestTemplate;

    public class BelvoGateway {
        private static final String BELVO_API = "https://api.belvo.com";
        private final RestTemplate rest;

        public BelvoGateway(RestTemplate rest) { this.rest = rest; }

        public String createLink(Object body) {
            ResponseEntity<String> resp = rest.postForEntity(BELVO_API + "/api/links/", body, String.class);
            if (resp.getStatusCode() == HttpStatus.CREATED) {
                return resp.getBody();
            }
            throw new LinkFailed(resp.getStatusCode().value());
        }
    }
    """
ADVICE_JAVA = """\
    package mx.acme;

    import org.springframework.web.bind.annotation.ExceptionHandler;
    import org.springframework.web.bind.annotation.RestControllerAdvice;

    @RestControllerAdvice
    public class ApiAdvice {
        @ExceptionHandler(LinkFailed.class)
        public String linkFailed(LinkFailed e) { return "link failed"; }

        @ExceptionHandler({ValidationFailed.class, NotFound.class})
        public String invalid(RuntimeException e) { return "bad"; }
    }
    """
SERVICE_JAVA = """\
    package mx.acme;

    public class LinkService {
        private final BelvoGateway gateway;
        public LinkService(BelvoGateway gateway) { this.gateway = gateway; }
        public String connect(Object body) {
            try {
                return gateway.createLink(body);
            } catch (%s e) {
                return null;
            }
        }
    }
    """
SPRING = "src/main/java/mx/acme/"


def test_blv210_a_restTemplate_status_check_with_advice_for_other_types_is_no_pass(tmp_path):
    files = {SPRING + "BelvoGateway.java": GATEWAY_JAVA, SPRING + "ApiAdvice.java": ADVICE_JAVA}
    result = run_check("BLV210", tmp_path, source=_scanned(tmp_path, files))
    assert result.status is Status.WARN and _at(result, Status.WARN) == [("BelvoGateway.java", 14, 39)]
    message = result.findings[0].message
    assert "status check after the call never sees an error answer" in message
    assert "catch only LinkFailed, NotFound, ValidationFailed" in message
    # A caller that catches another type is no handling either.
    other = {**files, SPRING + "LinkService.java": SERVICE_JAVA % "IllegalStateException"}
    assert run_check("BLV210", tmp_path / "b", source=_scanned(tmp_path / "b", other)).status is Status.WARN


def test_blv210_passes_a_restTemplate_call_whose_exception_is_caught_or_handled(tmp_path):
    # every call of createLink() is inside a try catching RestClientException
    caller = {SPRING + "BelvoGateway.java": GATEWAY_JAVA,
              SPRING + "LinkService.java": SERVICE_JAVA % "RestClientException"}
    result = run_check("BLV210", tmp_path, source=_scanned(tmp_path, caller))
    assert result.status is Status.PASS and "every call of createLink()" in result.findings[0].message
    # an advice registered for a superclass of what RestTemplate raises
    advised = {SPRING + "BelvoGateway.java": GATEWAY_JAVA, SPRING + "ApiAdvice.java": ADVICE_JAVA.replace(
        "LinkFailed.class)", "RestClientResponseException.class)")}
    result = run_check("BLV210", tmp_path / "b", source=_scanned(tmp_path / "b", advised))
    assert result.status is Status.PASS and "handler registered at" in result.findings[0].message


CLIENT_CS = """\
    using System.Net.Http;
    using System.Text.Json;

    public class BelvoClient {
        private readonly HttpClient http = new HttpClient { BaseAddress = new Uri("https://api.belvo.com") };

        public async Task<string> CreateLink(HttpContent body) {
            var resp = await http.PostAsync("/api/links/", body);
            if (!resp.IsSuccessStatusCode) {
                var errors = JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement;
                throw new BelvoError(errors[%d].GetProperty("request_id").GetString());
            }
            return await resp.Content.ReadAsStringAsync();
        }
    }
    """


def test_blv210_warns_where_a_handler_reads_the_second_error_of_belvos_list(tmp_path):
    result = run_check("BLV210", tmp_path, source=_scanned(tmp_path, {"Belvo/BelvoClient.cs": CLIENT_CS % 1}))
    assert result.status is Status.WARN and _at(result, Status.WARN) == [("BelvoClient.cs", 11, 34)]
    assert "element 1 of what looks like Belvo's error list" in result.findings[0].message
    first = run_check("BLV210", tmp_path / "b", source=_scanned(tmp_path / "b", {"Belvo/BelvoClient.cs": CLIENT_CS % 0}))
    assert first.status is Status.PASS


AXIOS_JS = """\
    const axios = require('axios');
    const API = 'https://api.belvo.co/api';

    async function accounts(link) {
      try {
        const res = await axios.get(`${API}/accounts/`, { params: { link }, timeout: 5000 });
        if (res.status === 200) return res.data;
      } %s
    }
    """


def test_blv210_an_axios_call_is_handled_by_its_catch_not_by_a_status_check(tmp_path):
    caught = run_check("BLV210", tmp_path, source=_scanned(tmp_path, {
        "server/belvo.js": AXIOS_JS % "catch (err) { console.error(err.response.data); throw err; }"}))
    assert caught.status is Status.PASS
    unhandled = run_check("BLV210", tmp_path / "b", source=_scanned(tmp_path / "b", {
        "server/belvo.js": AXIOS_JS % "finally { console.log('done'); }"}))
    assert unhandled.status is Status.WARN and _at(unhandled, Status.WARN) == [("belvo.js", 6, 23)]


GATEWAY_PY = """\
    import os
    import requests

    BELVO = os.environ["BELVO_API_URL"]


    def owners(link):
        resp = requests.get(f"{BELVO}/api/owners/", params={"link": link}, timeout=20)
        resp.raise_for_status()
        if resp.status_code == 200:
            return resp.json()["results"]
    """
JOB_PY = """\
    from app.belvo_gateway import owners


    def nightly(link):
        try:
            return owners(link)
        except %s as error:
            print("owners failed", error.response.text)
    """


def test_blv210_raise_for_status_is_handled_where_its_exception_is_caught(tmp_path):
    handled = {"app/__init__.py": "", "app/belvo_gateway.py": GATEWAY_PY,
               "app/job.py": JOB_PY % "requests.HTTPError"}
    result = run_check("BLV210", tmp_path, source=_scanned(tmp_path, handled))
    assert result.status is Status.PASS and "every call of owners()" in result.findings[0].message
    other = {**handled, "app/job.py": JOB_PY % "ValueError"}
    unsure = run_check("BLV210", tmp_path / "b", source=_scanned(tmp_path / "b", other))
    assert unsure.status is Status.WARN and _at(unsure, Status.WARN) == [("belvo_gateway.py", 8, 12)]
    assert "raise_for_status()" in unsure.findings[0].message and "ValueError" not in unsure.findings[0].message


FARADAY_RB = """\
    require 'faraday'

    class BelvoGateway
      BASE = 'https://sandbox.belvo.com'

      def initialize
        @http = Faraday.new(url: BASE, request: { timeout: 20 }) do |f|
          f.request :authorization, :basic, ENV['BELVO_ID'], ENV['BELVO_PASSWORD']
          f.response :raise_error
        end
      end

      def owners(link)
        response = @http.get('/api/owners/', link: link)
        return response.body if response.status == 200
      end
    end
    """


def test_blv210_faraday_with_raise_error_raises_and_a_rescue_handles_it(tmp_path):
    unsure = run_check("BLV210", tmp_path, source=_scanned(tmp_path, {"lib/belvo_gateway.rb": FARADAY_RB}))
    assert unsure.status is Status.WARN and "Faraday raises on error answers" in unsure.findings[0].message
    rescued = FARADAY_RB.replace("        return response.body if response.status == 200\n",
                                 "        response.body\n      rescue Faraday::ClientError, Faraday::ServerError => e\n"
                                 "        Rails.logger.error(e.response[:body])\n        raise\n")
    handled = run_check("BLV210", tmp_path / "b", source=_scanned(tmp_path / "b", {"lib/belvo_gateway.rb": rescued}))
    assert handled.status is Status.PASS, handled.findings


APP_JS = """\
    require('express-async-errors');
    const express = require('express');
    const { owners } = require('./bank');
    const app = express();
    app.get('/owners/:link', async (req, res) => res.json(await owners(req.params.link)));
    app.use((err, req, res, next) => {
      console.error(err.response ? err.response.data : err);
      res.status(502).end();
    });
    """
OWNERS_JS = """\
    const axios = require('axios');
    const BELVO = process.env.BELVO_API_URL;
    async function owners(link) {
      const { data } = await axios.get(`${BELVO}/api/owners/`, { params: { link }, timeout: 5000 });
      return data;
    }
    module.exports = { owners };
    """


def test_blv210_express_error_middleware_handles_rejections_only_with_express_async_errors(tmp_path):
    files = {"server/app.js": APP_JS, "server/bank.js": OWNERS_JS}  # app.js never names Belvo
    assert run_check("BLV210", tmp_path, source=_scanned(tmp_path, files)).status is Status.PASS
    plain = {**files, "server/app.js": APP_JS.replace("require('express-async-errors');\n", "")}
    # Express 4 does not pass a rejected async route to the error middleware
    assert run_check("BLV210", tmp_path / "b", source=_scanned(tmp_path / "b", plain)).status is Status.WARN


def test_blv210_a_try_closed_before_the_call_or_opened_after_it_does_not_hold_it(tmp_path):
    files = {"server/belvo.js": """\
        const axios = require('axios');
        const BELVO = process.env.BELVO_API_URL;
        async function go(link) {
          try { JSON.parse('{}'); } catch (e) { console.log(e); }
          const r = await axios.get(`${BELVO}/api/owners/`, { timeout: 5000 });
          try { JSON.parse('{}'); } catch (e) { console.log(e); }
          return r.data;
        }
        """, "app/belvo.py": """\
        import requests
        BELVO = "https://api.belvo.com"
        def go(link):
            r = requests.get(f"{BELVO}/api/owners/", timeout=5)
            try:
                r.raise_for_status()
            except requests.HTTPError:
                return None
            return r.json()
        """}
    result = run_check("BLV210", tmp_path, source=_scanned(tmp_path, files))
    assert _at(result, Status.WARN) == [("belvo.js", 5, 19)]
    assert [f.location.path.rsplit("/", 1)[-1] for f in result.findings if f.status is Status.PASS] == []
    python = run_check("BLV210", tmp_path / "b", source=_scanned(tmp_path / "b", {"app/belvo.py": files["app/belvo.py"]}))
    assert python.status is Status.PASS  # the raise_for_status() is inside the try


def test_blv210_the_fixed_index_warning_is_about_belvos_error_list_only(tmp_path):
    files = {"server/belvo.js": """\
        const axios = require('axios');
        const BELVO = process.env.BELVO_API_URL;
        async function owners(link, row) {
          try {
            const { data } = await axios.get(`${BELVO}/api/owners/`, { params: { link }, timeout: 5000 });
            const second = row.split(',')[1];
            return [data, second, data[1]];
          } catch (err) {
            console.error(err.response.data[1].code);
            throw err;
          }
        }
        """}
    result = run_check("BLV210", tmp_path, source=_scanned(tmp_path, files))
    assert _at(result, Status.WARN) == [("belvo.js", 9, 31)]  # err.response.data[1], not data[1] of a page


def test_blv210_only_handlers_registered_for_every_route_count(tmp_path):
    gateway = {SPRING + "BelvoGateway.java": GATEWAY_JAVA}
    controller = ADVICE_JAVA.replace("@RestControllerAdvice", "@RestController").replace(
        "LinkFailed.class)", "RestClientException.class)").replace("RestControllerAdvice;", "RestController;")
    own = run_check("BLV210", tmp_path, source=_scanned(tmp_path, {**gateway, SPRING + "Other.java": controller}))
    assert own.status is Status.WARN  # a controller's own handler covers that controller only
    flask = {"app/__init__.py": "", "app/belvo_gateway.py": GATEWAY_PY, "app/web.py": """\
        import requests
        from flask import Flask

        app = Flask(__name__)


        @app.errorhandler(requests.HTTPError)
        def belvo_failed(error):
            return {"error": error.response.text}, 502
        """}
    assert run_check("BLV210", tmp_path / "b", source=_scanned(tmp_path / "b", flask)).status is Status.PASS
