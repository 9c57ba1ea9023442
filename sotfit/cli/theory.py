"""``sotfit theory``: band-model torque calculations, one subcommand module per theory.

Each module ``sotfit.cli.theory_<name>`` listed in :data:`THEORY_COMMANDS` defines
``add_parser(subparsers)``, registering ``sotfit theory <name>`` and setting ``func``.
"""

from __future__ import annotations

import importlib

#: Theory subcommand modules (``sotfit/cli/theory_<name>.py``).
THEORY_COMMANDS: list[str] = ["theory_tmatrix"]


def add_parser(subparsers) -> None:
    """Register ``sotfit theory`` and its subcommands."""
    p = subparsers.add_parser("theory", help="band-model spin-orbit-torque theories",
                              description="Band-model spin-orbit-torque theories.")
    sub = p.add_subparsers(dest="theory", metavar="THEORY")
    for name in THEORY_COMMANDS:
        importlib.import_module(f"{__package__}.{name}").add_parser(sub)
    p.set_defaults(func=lambda args: (p.print_help(), 1)[1])
