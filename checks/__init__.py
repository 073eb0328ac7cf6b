"""Built-in checks: one module per section of Belvo's go-live checklist.

Every module here is imported by `belvo_check.registry.load_registry`; each check in it
registers itself with the `@check` decorator.
"""
