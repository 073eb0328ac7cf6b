"""Acme's Belvo integration: link bank accounts, sync transactions, receive webhooks."""

__version__ = "1.0.0"
