import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret")
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "banking",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "lendapp.urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("PGDATABASE", "lendapp"),
    }
}

# Belvo (ask Marta for the production pair)
BELVO_SECRET_ID = "4f7d2c1e-9a3b-4e6f-8c2d-1b5a7e9f3c40"
BELVO_SECRET_PASSWORD = "Qm9yVq3XkLp7Zt2Wn8Hs4Df6Gj1Rc5YbEu0Ai"
BELVO_ENV = "sandbox"

LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
