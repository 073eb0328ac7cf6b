"""Every concept judges the same Belvo calls (clients.belvo_calls): a module-level request to the app's own
origin is no Belvo call for pagination or create_status either; a belvo-python resource call on a client
from a factory module is one for pagination too; `from app.factory import belvo` is not the SDK, so a Django
manager in that file is no SDK call."""

from __future__ import annotations

from tests.source.conftest import found

CONCEPTS = ["timeout", "pagination", "create_status", "json_on_204", "error_handling"]

OWN_ROUTES_JS = '''export async function connect(body) {
  const res = await fetch('/api/links/', { method: 'POST', body: JSON.stringify(body) });
  if (res.status === 200) return res.json();
  throw new Error('failed');
}

export async function transactions() {
  const res = await fetch('/api/transactions/?link=1');
  return res.json();
}

export async function forget(id) {
  const res = await fetch(`/api/links/${id}/`, { method: 'DELETE' });
  return res.json();
}
'''
BELVO_ROUTES_JS = '''const BELVO = 'https://sandbox.belvo.com';

export async function connect(body) {
  const res = await fetch(`${BELVO}/api/links/`, { method: 'POST', body: JSON.stringify(body) });
  if (res.status === 200) return res.json();
  throw new Error('failed');
}
'''
FACTORY_PY = '''from belvo.client import Client
import os


def client():
    return Client(os.environ["BELVO_SECRET_ID"], os.environ["BELVO_SECRET_PASSWORD"], os.environ["BELVO_URL"])
'''
USES_PY = '''from payments.belvo_factory import client


def transactions(link_id):
    return client().Transactions.list(link=link_id)
'''
APP_OBJECT_PY = '''from app.factory import belvo


def open_account(user):
    return user.accounts.create(name="main")


def link(institution):
    return belvo.Links.create(institution=institution, username="u", password="p", raise_exception=True)
'''



def test_requests_to_the_apps_own_routes_are_no_belvo_calls_for_any_concept(tmp_path):
    result = found(tmp_path, CONCEPTS, {"web/api.js": OWN_ROUTES_JS, "server/belvo.js": BELVO_ROUTES_JS})
    assert not any(path == "web/api.js" for _, path, _, _ in result)
    # the same code against a Belvo host is judged by every concept
    assert ("create_status", "server/belvo.js", 5, "bad") in result
    assert ("timeout", "server/belvo.js", 4, "bad") in result


def test_a_belvo_python_list_on_a_factory_client_is_judged_by_pagination(tmp_path):
    result = found(tmp_path, CONCEPTS, {"payments/belvo_factory.py": FACTORY_PY, "payments/sync.py": USES_PY})
    assert ("pagination", "payments/sync.py", 5, "ok") in result  # belvo-python list() follows next
    assert ("timeout", "payments/sync.py", 5, "ok") in result  # its GET default is 5 s


def test_an_app_object_named_belvo_is_not_the_sdk(tmp_path):
    result = found(tmp_path, CONCEPTS, {"app/views.py": APP_OBJECT_PY})
    lines = {line for concept, path, line, _ in result if concept == "timeout"}
    assert lines == {9}  # belvo.Links.create: a belvo-named receiver; user.accounts.create is Django's
