"""The evaluation integrations are read by belvo-check, never collected or run by pytest."""

collect_ignore_glob = ["integrations/*"]
