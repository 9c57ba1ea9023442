"""``sotfit theory``: parent command of the theory families.

Each module listed in :data:`THEORY_COMMANDS` (``sotfit/cli/theory_<name>.py``)
defines ``add_parser(subparsers)`` registering ``sotfit theory <name>``.
"""

from __future__ import annotations

import importlib

#: Theory subcommand modules, in the order ``sotfit theory --help`` lists them.
THEORY_COMMANDS: list[str] = ["theory_interface"]


def add_parser(subparsers) -> None:
    """Register ``sotfit theory`` and its subcommands."""
    parser = subparsers.add_parser("theory", help="microscopic theory models",
                                   description="Microscopic theory models.")
    sub = parser.add_subparsers(dest="theory_command", metavar="MODEL")
    for name in THEORY_COMMANDS:
        importlib.import_module(f"{__package__}.{name}").add_parser(sub)

    def _help(args) -> int:
        parser.print_help()
        return 1

    parser.set_defaults(func=_help)
