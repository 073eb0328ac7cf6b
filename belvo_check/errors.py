"""Errors that end a run with exit code 2: the user's input is wrong, not a check."""


class UsageError(Exception):
    """Bad command-line input, a bad selector, or a plugin that cannot load."""


class ConfigError(UsageError):
    """The config file is missing, unreadable or invalid. The message names where."""
