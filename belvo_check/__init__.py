"""belvo-check: verify a Belvo integration against Belvo's go-live checklist, with evidence."""

__version__ = "0.1.0"
