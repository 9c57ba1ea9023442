"""The one error type of the command line."""


class CLIError(Exception):
    """A user error on the command line, reported without a traceback (exit status 2)."""
