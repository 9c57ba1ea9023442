"""Helpers shared by the subcommands: quantities with units, sample files, output folders."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from ..checks import absurd, check_number
from ..units import HOUSE, quantity, to_house

__all__ = ["CLIError", "quantity_type", "number_type", "fraction", "integer_type", "unit_type",
           "pair_type", "list_type", "prepare_out_dir", "load_sample_file", "Progress",
           "write_json"]


class CLIError(Exception):
    """A user error on the command line, reported without a traceback."""


def _argparse_type(name: str, convert):
    """Wrap ``convert(text)`` as an argparse ``type``: a ValueError becomes a usage error.

    argparse then exits with status 2 and a message naming the option.
    """

    def parse(text: str):
        try:
            return convert(text)
        except ValueError as exc:  # UnitError is a ValueError too
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = name
    return parse


def quantity_type(dimension: str, default_unit: str | None = None, *, positive: bool = False,
                  nonnegative: bool = False, nonzero: bool = False, maximum=None,
                  limit: bool = False):
    """An argparse ``type`` reading ``'6nm'``, ``'2.5mA'`` into house units of ``dimension``.

    Parameters
    ----------
    dimension : str
        A key of :data:`sotfit.units.HOUSE`.
    default_unit : str, optional
        Unit of a bare number; without it a bare number is refused (give this only where
        the unit cannot be mistaken, e.g. degrees for angles).
    positive, nonnegative, nonzero : bool
        Domain of the value (see :func:`sotfit.checks.check_number`); NaN and infinities
        are always refused.
    maximum : float or str, optional
        Largest allowed magnitude, in house units or as a quantity (``'1m'``).
    limit : bool
        Refuse magnitudes beyond the absurd limit of the dimension
        (:data:`sotfit.checks.LIMITS`, e.g. 1 m for a length).

    Returns
    -------
    callable
        ``parse(text) -> float`` in house units, raising ``argparse.ArgumentTypeError``.
    """
    bounds = absurd(dimension) if limit else {}
    if maximum is not None:
        bounds = {"maximum": quantity(maximum, dimension) if isinstance(maximum, str)
                  else float(maximum), "limit_text": str(maximum)}

    def convert(text):
        value = quantity(text, dimension, default_unit)
        return check_number(repr(text), value, positive=positive, nonnegative=nonnegative,
                            nonzero=nonzero, unit=HOUSE[dimension], **bounds)

    return _argparse_type(f"{dimension} quantity", convert)


def number_type(*, positive: bool = False, nonnegative: bool = False, nonzero: bool = False,
                maximum: float | None = None):
    """An argparse ``type`` for a plain finite number within a domain.

    Parameters
    ----------
    positive, nonnegative, nonzero : bool
        Domain of the value; NaN and infinities are always refused.
    maximum : float, optional
        Largest allowed magnitude.

    Returns
    -------
    callable
        ``parse(text) -> float``.
    """

    def convert(text):
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        return check_number(repr(text), value, positive=positive, nonnegative=nonnegative,
                            nonzero=nonzero, maximum=maximum)

    return _argparse_type("number", convert)


#: A fraction in (0, 1].
fraction = number_type(positive=True, maximum=1.0)


def integer_type(minimum: int):
    """An argparse ``type`` for an integer ``>= minimum`` (a count, a seed).

    Parameters
    ----------
    minimum : int
        Smallest allowed value.

    Returns
    -------
    callable
        ``parse(text) -> int``.
    """

    def convert(text):
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not an integer") from None
        if value < minimum:
            raise ValueError(f"{text!r} must be an integer >= {minimum}")
        return value

    return _argparse_type("integer", convert)


def unit_type(dimension: str):
    """An argparse ``type`` for a unit name of ``dimension`` (``--field-unit Oe``).

    Returns
    -------
    callable
        ``parse(text) -> text`` once the unit is known to be one of ``dimension``.
    """

    def convert(text):
        to_house(1.0, text, dimension)
        return text

    return _argparse_type(f"{dimension} unit", convert)


def pair_type(value_type, form: str = "NAME=VALUE"):
    """An argparse ``type`` for ``NAME=VALUE`` with the value read by ``value_type``.

    Parameters
    ----------
    value_type : callable
        An argparse ``type`` (for example :func:`number_type` or :func:`quantity_type`).
    form : str
        How the pair is written, for the message.

    Returns
    -------
    callable
        ``parse(text) -> (name, value)``; the value is after the last ``=``.
    """

    def parse(text: str):
        name, sep, value = text.rpartition("=")
        if not sep or not name.strip() or not value.strip():
            raise argparse.ArgumentTypeError(f"{text!r}: write {form}")
        try:
            return name.strip(), value_type(value.strip())
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None

    parse.__name__ = form
    return parse


def list_type(item_type, sep: str = ","):
    """An argparse ``type`` for a ``sep``-separated list, each item read by ``item_type``.

    Returns
    -------
    callable
        ``parse(text) -> list``.
    """

    def parse(text: str):
        items = [t.strip() for t in text.split(sep)]
        if not all(items):
            raise argparse.ArgumentTypeError(f"{text!r}: an empty item in the list")
        return [item_type(t) for t in items]

    parse.__name__ = "list"
    return parse


def prepare_out_dir(path, overwrite: bool) -> Path:
    """Create the output folder; an existing non-empty one needs ``overwrite``."""
    out = Path(path)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise CLIError(f"output folder {out} exists and is not empty; "
                           "choose another --out or pass --overwrite")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def load_sample_file(path) -> dict:
    """Read a TOML or JSON file of sample fields (values are numbers with units as strings)."""
    p = Path(path)
    if not p.is_file():
        raise CLIError(f"sample file {p} not found")
    text = p.read_text(encoding="utf-8")
    try:
        if p.suffix.lower() == ".json":
            return json.loads(text)
        import tomllib

        return tomllib.loads(text)
    except Exception as exc:  # noqa: BLE001 - any parse error becomes a user error
        raise CLIError(f"sample file {p}: cannot parse ({exc})") from None


def write_json(obj, path: Path) -> None:
    """Write ``obj`` as indented JSON (the caller has prepared the folder)."""
    path.write_text(json.dumps(obj, indent=2, default=float) + "\n", encoding="utf-8")


class Progress:
    """A minimal text progress bar on stderr, silent when stderr is not a terminal."""

    def __init__(self, label: str, stream=None, force: bool = False):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 1:
            return
        width = 30
        n = int(width * done / total)
        self.stream.write(f"\r{self.label} [{'#' * n}{'.' * (width - n)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
