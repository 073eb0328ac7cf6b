"""Live probes: Belvo-shaped webhook deliveries to the integration's receiver, and the --live key check."""
