from belvo.client import Client
from django.conf import settings

_client = None


def client():
    global _client
    if _client is None:
        _client = Client(settings.BELVO_SECRET_ID, settings.BELVO_SECRET_PASSWORD, "sandbox")
    return _client
