"""Options of the ST-FMR reader, and their spelling in error messages: for Python
(``split_sweeps=True``) or, with ``option_style='cli'``, for ``sotfit stfmr``
(``--split-sweeps``).
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np

from ..brackets import split_outside_brackets


__all__ = [
    "CLI_OPTIONS",
]


#: How each reader keyword is written on the ``sotfit stfmr`` command line:
#: keyword -> (spelling with ``{}`` for the value, placeholder value).
CLI_OPTIONS = {
    "field_unit": ("--field-unit {}", "UNIT"),
    "voltage_unit": ("--voltage-unit {}", "UNIT"),
    "frequency": ("--frequency {}", "9GHz"),     # or --frequency FILE=9GHz
    "power": ("--power {}", "10dBm"),
    "field_angle": ("--field-angle FILE={}", "30deg"),
    "field_column": ("--column field={}", "NAME"),
    "voltage_column": ("--column voltage={}", "NAME"),
    "frequency_column": ("--column frequency={}", "NAME"),
    "power_column": ("--column power={}", "NAME"),
    "angle_column": ("--column angle={}", "NAME"),
    "frequency_unit": ("--column-unit frequency={}", "GHz"),
    "power_unit": ("--column-unit power={}", "dBm"),
    "angle_unit": ("--column-unit angle={}", "deg"),
    "phase_unit": ("--column-unit phase={}", "rad"),
    "voltage_gain": ("--voltage-gain {}", "100"),
    "lockin_channels": ("--lockin-channels {}", "X,Y"),
    "calibration": ("--calibration {}", "FILE"),
    "extrapolate_calibration": ("--extrapolate-calibration", None),
    "magnet_current_unit": ("--magnet-current-unit {}", "A"),
    "split_sweeps": ("--split-sweeps", None),
    "sort_field": ("--sort-field", None),
    "allow_duplicates": ("--allow-duplicates", None),
    "drop_incomplete_rows": ("--drop-incomplete-rows", None),
    "negative_field": ("--negative-field {}", "FILE"),
    "override_header_units": ("--override-unit {}", "field=UNIT"),
}


_STYLE = contextvars.ContextVar("sotfit_reader_option_style", default="python")


_NO_VALUE = object()


def _opt(name: str, value=_NO_VALUE) -> str:
    """Reader keyword ``name`` (with ``value``) as the caller writes it.

    ``split_sweeps=True`` / ``field_unit='T'`` / ``field_unit=`` in Python;
    ``--split-sweeps`` / ``--field-unit T`` / ``--field-unit UNIT`` on the command line.
    """
    spelling, placeholder = CLI_OPTIONS[name]
    if _STYLE.get() == "cli":
        if placeholder is None:
            return spelling
        if value is _NO_VALUE or value is None:
            value = placeholder
        elif isinstance(value, (tuple, list)):
            value = ",".join(str(v) for v in value)
        value = str(value)
        return spelling.format(f'"{value}"' if " " in value else value)
    if placeholder is None:
        return f"{name}=True"
    if value is _NO_VALUE or value is None:
        return f"{name}="
    return f"{name}={value!r}"


def _opt_quantity(name: str, value: float, unit: str) -> str:
    """Reader keyword ``name`` with the quantity ``value`` (in ``unit``) as the caller wrote it:
    ``--frequency 10GHz`` on the command line, ``frequency=10.0`` in Python."""
    return _opt(name, f"{value:g}{unit}" if _STYLE.get() == "cli" else value)


def _opt_override(quantity: str, unit: str) -> str:
    """The option that reads the column of ``quantity`` in ``unit`` over its header's unit:
    ``--override-unit field=T`` on the command line, ``override_header_units=('field',)``
    (with ``field_unit='T'``) in Python."""
    if _STYLE.get() == "cli":
        return _opt("override_header_units", f"{quantity}={unit}")
    return f"{_opt('override_header_units', (quantity,))} with {_opt(quantity + '_unit', unit)}"


def _opts(*spelled: str) -> str:
    """Several options as one example: ``read_stfmr(..., a, b)`` or ``a b``."""
    if _STYLE.get() == "cli":
        return " ".join(spelled)
    return f"read_stfmr(..., {', '.join(spelled)})"


def _per_file(value, n: int, option: str) -> list:
    """An option as one value per file: a single value repeated, or a sequence of one per file."""
    if value is None or isinstance(value, (str, int, float, np.number)):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(f"{_opt(option)} has {len(values)} entries for {n} file(s)")
    return values


@dataclass(frozen=True)
class _Options:
    """The reader options that apply to every file of one call."""

    field_unit: str | None = None
    voltage_unit: str | None = None
    frequency_unit: str | None = None
    power_unit: str | None = None
    field_column: object = None
    voltage_column: object = None
    frequency_column: object = None
    power_column: object = None
    angle_column: object = None
    angle_unit: str | None = None
    lockin_channels: tuple | None = None
    phase_unit: str | None = None
    voltage_gain: float | None = None
    allow_duplicates: bool = False
    drop_incomplete_rows: bool = False
    split_sweeps: bool = False
    sort_field: bool = False
    calibration: object = None
    extrapolate_calibration: bool = False
    magnet_current_unit: str | None = None
    override_header_units: frozenset = frozenset()

    @cached_property
    def key(self) -> tuple:
        """The options as a hashable key that tells values of different types apart
        (``1``, ``True``, ``1.0`` and ``'1'`` pick columns differently)."""
        return tuple(_typed(getattr(self, f.name)) for f in fields(self))


def _typed(value):
    """``value`` with the type of it and of every item of a tuple or list, for a cache key (an
    object that cannot be hashed, a magnet calibration, by its identity)."""
    if isinstance(value, (tuple, list)):
        return (type(value), tuple(_typed(v) for v in value))
    try:
        hash(value)
    except TypeError:
        return (type(value), id(value))
    return (type(value), value)


def _lockin_option(value) -> tuple | None:
    """The ``lockin_channels`` option as a pair (X, Y) of column names or indices, or None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [v.strip() for v in split_outside_brackets(value)]   # 'X (uV, lock-in)'
    value = tuple(value)
    if len(value) != 2 or any(v in ("", None) for v in value):
        raise ValueError(f"{_opt('lockin_channels', value)}: give two columns, X and Y")
    return value
