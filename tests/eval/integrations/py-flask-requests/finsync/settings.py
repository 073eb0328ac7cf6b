import os

BELVO_API_URL = os.environ.get("BELVO_API_URL", "https://api.belvo.com")
BELVO_SECRET_ID = os.environ["BELVO_SECRET_ID"]
BELVO_SECRET_PASSWORD = os.environ["BELVO_SECRET_PASSWORD"]
WEBHOOK_TOKEN = os.environ["BELVO_WEBHOOK_TOKEN"]
DATABASE = os.environ.get("FINSYNC_DB", "finsync.db")
