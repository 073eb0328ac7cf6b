"""Which calls the timeout and error concepts judge, and how: a status-checking helper of the same module
settles a call whose answer it is given; a module-level request to the app's own origin ('/api/...') is
not a Belvo call; belvo-python resource calls on a client from a factory function in another module are;
a body read into a variable and logged is Belvo's error body logged."""

from __future__ import annotations

from tests.source.conftest import found

CONCEPTS = ["timeout", "error_handling", "unchecked_post", "request_id_logged"]



HELPER_PY = '''import requests

BELVO_URL = "https://sandbox.belvo.com"
session = requests.Session()


def ensure_ok(resp):
    if resp.status_code >= 400:
        raise RuntimeError(resp.status_code)
    return resp


def get_link(link_id):
    resp = session.get(f"{BELVO_URL}/api/links/{link_id}/", timeout=10)
    ensure_ok(resp)
    return resp.json()


def accounts(link_id):
    return ensure_ok(session.post(f"{BELVO_URL}/api/accounts/", json={"link": link_id}, timeout=10)).json()


def owners(link_id):
    resp = session.get(f"{BELVO_URL}/api/owners/?link={link_id}", timeout=10)
    print(resp)
    return resp.json()
'''
HELPER_GO = '''package bank

import (
	"fmt"
	"net/http"
	"time"
)

var client = &http.Client{Timeout: 20 * time.Second}

func mustOK(resp *http.Response) error {
	if resp.StatusCode >= 400 {
		return fmt.Errorf("belvo status %d", resp.StatusCode)
	}
	return nil
}

func Link(id string) (*http.Response, error) {
	resp, err := client.Get("https://api.belvo.com/api/links/" + id + "/")
	if err != nil {
		return nil, err
	}
	if err := mustOK(resp); err != nil {
		return nil, err
	}
	return resp, nil
}
'''


def test_an_answer_given_to_a_status_checking_helper_of_the_module_is_checked(tmp_path):
    result = found(tmp_path, CONCEPTS, {"app/belvo_api.py": HELPER_PY, "bank/belvo.go": HELPER_GO})
    handling = {(path, line, verdict) for concept, path, line, verdict in result if concept == "error_handling"}
    assert handling == {("app/belvo_api.py", 14, "ok"), ("app/belvo_api.py", 20, "ok"),
                        ("app/belvo_api.py", 24, "bad"), ("bank/belvo.go", 19, "ok")}


WIDGET_TSX = '''export function Connect() {
  // opens the Belvo widget (window.belvoSDK)
  const go = async () => {
    const res = await fetch('/api/widget-token', { method: 'POST' });
    const linked = await fetch(`/api/links/${res.id}`, { method: 'PUT' });
    return linked;
  };
  return go;
}
'''
SERVER_TS = '''const BELVO_API = 'https://sandbox.belvo.com';
export async function links() {
  return fetch(`${BELVO_API}/api/links/`);
}
export async function proxied() {
  return fetch('https://sandbox.belvo.com/api/accounts/');
}
'''
BASE_JS = '''import axios from 'axios';
axios.defaults.baseURL = process.env.BELVO_URL;
export const links = () => axios.get('/api/links/');
'''


def test_a_path_of_the_apps_own_origin_is_not_a_belvo_call(tmp_path):
    result = found(tmp_path, CONCEPTS, {"components/Connect.tsx": WIDGET_TSX, "server/belvo.ts": SERVER_TS,
                              "server/base.js": BASE_JS})
    assert not any(path == "components/Connect.tsx" for _, path, _, _ in result)
    timeouts = {(path, line, verdict) for concept, path, line, verdict in result if concept == "timeout"}
    # an absolute Belvo URL, and a relative one on a client given a base URL, are Belvo's
    assert timeouts == {("server/belvo.ts", 3, "bad"), ("server/belvo.ts", 6, "bad"), ("server/base.js", 3, "bad")}


FACTORY_PY = '''from belvo.client import Client
import os


def belvo_client():
    return Client(os.environ["BELVO_SECRET_ID"], os.environ["BELVO_SECRET_PASSWORD"], os.environ["BELVO_URL"])
'''
USES_PY = '''from belvo.exceptions import RequestError

from payments.factory import belvo_client


def connect(user, institution, username, password):
    link = belvo_client().Links.create(institution=institution, username=username, password=password)
    user.belvo_link = link["id"]


def fetch(link_id):
    created = belvo_client().Accounts.create(link_id, raise_exception=True)
    return created


def later(link_id):
    return belvo_client().Owners.create(link_id)


def django_manager(user):
    return user.accounts.create(name="main")
'''


def test_belvo_python_calls_on_a_client_from_a_factory_module_are_judged(tmp_path):
    result = found(tmp_path, CONCEPTS, {"payments/factory.py": FACTORY_PY, "payments/sync.py": USES_PY})
    sync = {(concept, line, verdict) for concept, path, line, verdict in result if path == "payments/sync.py"}
    assert ("timeout", 7, "bad") in sync and ("timeout", 12, "bad") in sync and ("timeout", 17, "bad") in sync
    assert ("unchecked_post", 7, "bad") in sync  # link["id"] read from what may be Belvo's error list
    assert ("unchecked_post", 12, "ok") in sync and ("unchecked_post", 17, "ambiguous") in sync
    assert not any(line == 21 for _, line, _ in sync)  # a Django related manager is no Belvo resource


RAW_BODY_GO = '''package belvo

import (
	"io"
	"log"
	"net/http"
	"time"
)

var c = &http.Client{Timeout: 10 * time.Second}

func Get(url string) error {
	resp, err := c.Get("https://api.belvo.com/api/links/")
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		raw, _ := io.ReadAll(resp.Body)
		log.Printf("belvo failed %d %s", resp.StatusCode, raw)
	}
	return nil
}
'''


def test_a_body_read_into_a_variable_and_logged_is_the_error_body_logged(tmp_path):
    result = found(tmp_path, CONCEPTS, {"belvo/get.go": RAW_BODY_GO})
    assert ("request_id_logged", "belvo/get.go", 19, "ok") in result
