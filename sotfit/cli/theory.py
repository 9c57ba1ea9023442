"""``sotfit theory ...``: band-structure and scattering theory of spin-orbit torques.

A parent command whose sub-commands are the modules ``sotfit.cli.theory_<name>`` listed in
:data:`THEORY_COMMANDS`; each defines ``add_parser(subparsers)`` and sets ``func``.
"""

from __future__ import annotations

import importlib

#: Theory sub-commands (modules ``theory_<name>.py``), in the order ``--help`` lists them.
THEORY_COMMANDS: list[str] = ["kp", "interface", "tmatrix", "compare"]


def add_parser(subparsers) -> None:
    """Register ``theory`` and its sub-commands."""
    p = subparsers.add_parser(
        "theory", help="spin-orbit torques from band models and scattering theory",
        description="Spin-orbit torques from theory: band (k.p) models, interfaces, T-matrix.")
    sub = p.add_subparsers(dest="theory_command", metavar="MODEL")
    for name in THEORY_COMMANDS:
        importlib.import_module(f"{__package__}.theory_{name}").add_parser(sub)

    def _help(args):
        # no model named: a usage error, as `sotfit` alone (it printed the help and exit 1)
        import sys

        p.print_help(sys.stderr)
        return 2

    p.set_defaults(func=_help)
