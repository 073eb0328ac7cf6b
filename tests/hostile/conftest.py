"""Hostile cases: configs, integrations, receivers and clients that try to make belvo-check
write, leak, escape or outlive a run. Each test asserts the exact outcome against real
processes and real files."""
