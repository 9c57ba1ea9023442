"""Metadata from the header of an ST-FMR file (``Frequency(GHz):9.0``, ``field_angle_deg: 30``):
file-level quantities checked against the file name and the options, and the sample fields.
"""

from __future__ import annotations

import contextvars
import functools
import math
import os
import re
import warnings

import numpy as np

from ... import units as _units
from ...data import DataError
from ...units import UnitError
from .. import cache as _cache
from ..text import Table, parse_number
from .columns import RF_BAND_GHZ, _SAMPLE_NAMES, _instrument_frequency, _key, frequency_unit_of
from .names import AmbiguousSign, _stem, condition_name, decimal_reading
from .options import _STYLE, CLI_OPTIONS, _opt, _opt_quantity


# Meta keys set by the reader; header entries never overwrite them.
_RESERVED = {
    "frequency", "power", "source", "path", "repeat", "segment", "sweep_direction",
    "sweep_direction_positive", "sweep_direction_negative", "field_unit_in_file",
    "voltage_unit_in_file", "units_from", "frequency_from", "sample", "averaged_duplicates", "n_points",
    "field_angle", "field_angle_from", "block", "block_columns", "lockin_channels",
    "lockin_phase", "lockin_phase_stderr", "lockin_variance_fraction", "field_jitter_points",
    "field_jitter_max", "field_readback_noise", "reader_notes",
}


# A header value: a number, a unit, then free text without another number. The number may
# have a decimal comma (``9,5 GHz``) unless three digits follow it (``9,500``: 9.5 or 9500).
_HEADER_VALUE_RE = re.compile(
    r"^\s*(?P<num>[-+]?(?:\d+,(?!\d{3}(?!\d))\d+|\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*"
    r"(?P<unit>[^\s,;()\[\]]*)(?P<rest>[^0-9]*)$"
)
#: A number with a comma before three digits, which may be a decimal or a thousands comma.
_COMMA_THREE_RE = re.compile(r"\d,\d{3}(?!\d)")


class _UnreadableHeader(DataError):
    """A recognised header entry whose value cannot be read (an option may replace it)."""


class _SeveralHeaderEntries(DataError):
    """Several header entries could give a quantity (an option settles it).

    Attributes
    ----------
    keys : list of str
        The entries, in the order of the header.
    """

    def __init__(self, message: str, keys: list[str]):
        super().__init__(message)
        self.keys = keys


def _header_value(table: Table, key: str, dimension: str, option: str):
    """(number, unit or None) of header entry ``key``, which names a ``dimension``."""
    value = table.header[key]
    entry = f"{table.name}: header entry {key!r} = {value!r} ({table.where(key)})"
    fix = (f"correct the entry or give the {dimension} with "
           f"{_opt(option)} (the entry is then ignored)")
    try:
        _, key_unit = _units.split_header(key)
    except UnitError:
        raise _UnreadableHeader(f"{entry}: unknown unit in the key; {fix}") from None
    m = _HEADER_VALUE_RE.match(value)
    if m is None:
        comma = _COMMA_THREE_RE.search(value)
        why = (f" ({comma.group()!r} may be a number with a decimal comma or with a comma "
               "between thousands)") if comma else ""
        raise _UnreadableHeader(
            f"{entry} is not a {dimension} (a number with a unit, e.g. "
            f"'{key}: 9 {_units.HOUSE[dimension]}'){why}; {fix}")
    number, vunit = float(m.group("num").replace(",", ".")), m.group("unit")
    if vunit:
        try:
            vunit = _units.normalise_unit(vunit)
        except UnitError:
            raise _UnreadableHeader(f"{entry}: unknown unit {vunit!r}; {fix}") from None
    if key_unit and vunit and _units.dimension_of(vunit) == _units.dimension_of(key_unit) \
            and _units.convert(1.0, vunit, key_unit) != 1.0:
        raise _UnreadableHeader(f"{entry} gives two different units ({key_unit!r}, "
                                f"{vunit!r}); {fix}")
    return number, (key_unit or vunit or None)


#: Header quantities found: (header entries, names, dimension, option) -> (value, key) or
#: None.
_QUANTITIES = _cache.LRU()


_NOT_FOUND = object()


#: The rf source's name in a header entry, a frequency only with a unit of frequency in the
#: entry's name (``RF (GHz): 8``; ``RF (dBm): 15`` is a power).
_SOURCE_NAMES = {"rf", "mw", "microwave", "rfsource", "mwsource"}


def _header_quantity(table: Table, names: set[str], dimension: str, option: str,
                     unit_option: tuple[str, str] | None = None):
    """:func:`_find_header_quantity`, remembered for the header entries (a header that gives
    an error is read afresh every time)."""
    key = (tuple(table.header.items()), frozenset(names), dimension, option, unit_option)
    hit = _QUANTITIES.get(key, _NOT_FOUND)
    if hit is _NOT_FOUND:
        hit = _find_header_quantity(table, names, dimension, option, unit_option)
        _QUANTITIES.put(key, hit)
    return hit


def _value_unit(value) -> str | None:
    """The unit written after the number of a header value (``'10 GHz'``: ``GHz``), or None
    (:func:`sotfit.units.parse_quantity`)."""
    try:
        return _units.parse_quantity(str(value).strip())[1] or None
    except UnitError:
        return None


def _frequency_unit(unit: str | None) -> bool:
    """Whether ``unit`` is a unit of frequency."""
    if unit is None:
        return False
    try:
        return _units.dimension_of(unit) == "frequency"
    except UnitError:
        return False


def _find_header_quantity(table: Table, names: set[str], dimension: str, option: str,
                          unit_option: tuple[str, str] | None = None):
    """(value in house unit, key) of a header entry such as ``Frequency(GHz): 9``, or None.
    An entry without a unit takes the unit of ``unit_option`` = (option name, unit), the
    unit the user gave for the quantity where the file writes none (``--column-unit
    frequency=Hz``).

    Raises
    ------
    _UnreadableHeader
        A recognised entry whose value is not a number with a known unit.
    UnitError
        A recognised entry without a unit, or with a unit of another dimension.
    """
    found, instrument = [], []
    for key in table.header:
        try:
            name, key_unit = _units.split_header(key)
        except UnitError:
            name, key_unit = re.sub(r"\s*[(\[].*$", "", key), None
        if _key(name) in names:
            found.append(key)
        elif dimension == "frequency" and (
                _instrument_frequency(_key(name))       # 'MW frequency [Hz]', 'SG frequency: 8 GHz'
                or (_key(name) in _SOURCE_NAMES
                    and _frequency_unit(key_unit or _value_unit(table.header[key])))):
            instrument.append(key)      # 'RF (GHz): 8', 'RF: 10 GHz', 'MW: 9.5GHz'; not 'RF: 15 dBm'
    found = found or instrument
    if not found:
        return None
    if len(found) > 1 and dimension == "frequency":
        found = _in_rf_band(table, found, option, unit_option)
    if len(found) > 1:
        raise _SeveralHeaderEntries(
            f"{table.name}: several header entries could give the {dimension}: "
            + ", ".join(f"{k!r} ({table.where(k)})" for k in found)
            + f"; pass {_opt(option)}", found)
    key = found[0]
    number, unit = _header_value(table, key, dimension, option)
    if unit is None and unit_option is not None and unit_option[1] is not None:
        unit = unit_option[1]
    if unit is None:
        # the unit in which the number is an rf frequency (4.5E+09: Hz), as for a column
        example = (frequency_unit_of([number]) if dimension == "frequency" else None) \
            or _units.HOUSE[dimension]
        spelled = ("" if unit_option is None
                   else f", give its unit with {_opt(unit_option[0], example)}")
        raise UnitError(
            f"{table.name}: header entry {key!r} = {table.header[key]!r} has no unit "
            f"({table.where(key)}); write it as '{key} ({example}): ...'"
            f"{spelled} or pass the value with {_opt(option)}"
            + (f" (its value is an rf frequency in {example})"
               if example != _units.HOUSE[dimension] else "")
        )
    try:
        value, _ = _units.to_house(number, unit, dimension)
    except UnitError as exc:
        raise UnitError(f"{table.name}: header entry {key!r} ({table.where(key)}): {exc}") \
            from None
    return float(value), key


def _in_rf_band(table: Table, keys: list[str], option: str, unit_option) -> list[str]:
    """Of several header entries that could give the frequency, those that are not read as
    a frequency outside :data:`~sotfit.io.stfmr.columns.RF_BAND_GHZ` (an amplitude or field
    modulation at 137 Hz, a chopper's rate); all of them when none would be left. An entry
    whose value or unit cannot be read stays (its error is the reader's to give)."""
    lo, hi = RF_BAND_GHZ
    kept = []
    for key in keys:
        try:
            number, unit = _header_value(table, key, "frequency", option)
            unit = unit or (unit_option[1] if unit_option is not None else None)
            ghz = None if unit is None else float(_units.to_house(number, unit, "frequency")[0])
        except (DataError, UnitError):
            ghz = None
        if ghz is None or lo <= ghz <= hi:
            kept.append(key)
    return kept or keys


def _option_quantity(value, dimension: str, default_unit: str, option: str):
    """An option value (a number in ``default_unit`` or a string with a unit) in house units;
    None when not given."""
    if value is None:
        return None
    try:
        return float(_units.quantity(value, dimension, default_unit=default_unit))
    except (UnitError, ValueError) as exc:
        raise UnitError(f"{_opt(option, value)}: {exc}") from None


def _agree(a: float, b: float) -> bool:
    """Whether two values of one quantity from different sources agree (1e-6 relative):
    ``numpy.isclose``, whose test for finite values is written out."""
    a, b = float(a), float(b)
    if math.isfinite(a) and math.isfinite(b):
        return abs(a - b) <= 1e-9 + 1e-6 * abs(b)
    return bool(np.isclose(a, b, rtol=1e-6, atol=1e-9))


def _file_level(table: Table, option_value, names, dimension, in_text, option,
                lenient=False, block=None, unit_option=None):
    """One value for a spectrum from its block label, the header, the file name and the
    option (``None`` if none); sources that disagree are an error.

    A header entry without a usable unit is skipped with a warning when ``lenient`` (the
    optional power and angle), or read in the unit of ``unit_option`` (option name, unit or
    None; :func:`_find_header_quantity`); a header entry that cannot be read at all is an error
    unless the option gives the value (then it is skipped with a warning).
    """
    sources = []
    if block is not None:
        v = in_text(block, f"{table.name}: the column label {block!r}")
        if v is not None:
            sources.append((v, f"column label {block!r}"))
    try:
        head = _header_quantity(table, names, dimension, option, unit_option)
    except _SeveralHeaderEntries as exc:
        if option_value is None:
            raise
        # the option gives the quantity, as the error without it asks
        warnings.warn(f"{table.name}: header entries "
                      + ", ".join(f"{k!r} ({table.where(k)})" for k in exc.keys)
                      + f" could each give the {dimension}; not used: "
                      f"{_opt_quantity(option, option_value, _units.HOUSE[dimension])} gives it",
                      stacklevel=6)
        head = None
    except _UnreadableHeader as exc:
        if option_value is None:
            raise
        warnings.warn(f"{exc}; using {_opt(option, option_value)}", stacklevel=6)
        head = None
    except UnitError as exc:
        if not lenient:
            raise
        warnings.warn(f"{exc}; {dimension} not recorded from the header", stacklevel=6)
        head = None
    if head is not None and head[1] in table.header_repeats:
        # 'f = 8 GHz' then 'f = 10 GHz': the first was read without a word
        written = "; ".join([f"line {table.header_lines.get(head[1])}: "
                             f"{table.header[head[1]]!r}"]
                            + [f"line {ln}: {v!r}" for ln, v in table.header_repeats[head[1]]])
        if option_value is None:
            raise DataError(
                f"{table.name}: the header entry {head[1]!r} that gives the {dimension} is "
                f"written more than once with different values ({written}); give the right "
                f"one with its option (e.g. "
                f"{_settling_option(option, table.name, head[0], _units.HOUSE[dimension])}), "
                "or correct the file's header")
        warnings.warn(f"{table.name}: the header entry {head[1]!r} is written more than once "
                      f"with different values ({written}); not used: "
                      f"{_opt_quantity(option, option_value, _units.HOUSE[dimension])} gives the "
                      f"{dimension}", stacklevel=6)
        head = None
    if head is not None:
        sources.append((head[0], f"header entry {head[1]!r}"))
    base = table.name
    try:
        nm = in_text(_stem(base) if dimension == "angle" else base, f"{base}: the file name")
    except AmbiguousSign as exc:
        # 'Py-45deg': -45 or 45 deg; the option settles it when it gives one of the two
        if option_value is None or not any(_agree(v, option_value) for v in exc.values):
            options = " or ".join(_settling_option(option, base, v, _units.HOUSE[dimension])
                                  for v in sorted(exc.values))
            raise DataError(f"{exc} ({options})") from None
        nm = option_value
    if dimension == "frequency":
        other = decimal_reading(base, nm)
        if other is not None and option_value is not None and _agree(option_value, other[0]):
            nm = option_value       # '8_5GHz' meant 8.5 GHz, as the option says
        elif other is not None and option_value is None:
            warnings.warn(
                f"{base}: the file name's {other[1]!r} is read as {nm:g} GHz (the underscore "
                f"separates it from a number before it, as in 'dev2_10GHz'); if it means "
                f"{other[0]:g} GHz, give {_settling_option(option, base, other[0], 'GHz')}",
                stacklevel=6)
    if nm is not None:
        sources.append((nm, "file name"))
    if option_value is not None:
        sources.append((option_value, _opt_quantity(option, option_value, _units.HOUSE[dimension])))
    if not sources:         # the last resort: a folder per frequency (``8GHz/spectrum.csv``)
        folder = _folder_name(table.path)
        value = _in_folder_name(folder, in_text)
        if value is not None:
            sources.append((value, f"folder name {folder!r}"))
    unit = _units.HOUSE[dimension]
    own = sources[:-1] if option_value is not None else sources
    if (option_value is not None and len(own) > 1
            and any(not _agree(v, own[0][0]) for v, _ in own[1:])
            and any(_agree(v, option_value) for v, _ in own)):
        # the file says two things; the option picks one of them (never a third value)
        overruled = "; ".join(f"the {w} gives {v:g} {unit}" for v, w in own
                              if not _agree(v, option_value))
        warnings.warn(f"{table.name}: {overruled}: {sources[-1][1]} takes {option_value:g} "
                      f"{unit}, as the {', '.join(w for v, w in own if _agree(v, option_value))}"
                      " gives", stacklevel=6)
        return sources[-1]
    for value, where in sources[1:]:
        if not _agree(value, sources[0][0]):
            line = f" (the header entry is at {table.where(head[1])})" if head else ""
            settle = (f"; if the file is wrong, the option with the right one of the two "
                      f"settles it ({_settling_option(option, table.name, value, unit)})"
                      if len(own) > 1 and option_value is None else "")
            raise DataError(
                f"{table.name}: the {sources[0][1]} gives {sources[0][0]:g} {unit} but the "
                f"{where} gives {value:g} {unit}{line}{settle}"
            )
    return sources[0] if sources else None


def _settling_option(option: str, name: str, value: float, unit: str) -> str:
    """The option that gives file ``name`` the value ``value`` (in ``unit``), as the caller
    writes it: ``--frequency run.csv=9GHz`` (``--power 10dBm``: for every file) or
    ``frequency={'run.csv': 9}``."""
    if _STYLE.get() == "cli":
        flag = CLI_OPTIONS[option][0].split()[0]
        return f"{flag} {value:g}{unit}" if option == "power" else f"{flag} {name}={value:g}{unit}"
    return f"{option}={{{name!r}: {value:g}}}"


#: Header meta found: header entries -> (meta items, sample named in the header or None).
_META = _cache.LRU()


def _meta_of(table: Table) -> tuple:
    """(:func:`_header_meta` items, the sample the header names or None), remembered for the
    header entries."""
    key = tuple(table.header.items())
    hit = _META.get(key)
    if hit is None:
        meta = {}
        for k, v in table.header.items():
            if k in _RESERVED:
                continue
            num = parse_number(v) if v.strip() else None
            meta[k] = num if (num is not None and np.isfinite(num)) else v
        sample = next((v.strip() for k, v in table.header.items()
                       if _key(k) in _SAMPLE_NAMES and v.strip()), None)
        hit = (tuple(meta.items()), sample)
        _META.put(key, hit)
    return hit


def _header_meta(table: Table) -> dict:
    """The header entries that are not reader meta keys (:data:`_RESERVED`), numbers as float."""
    return dict(_meta_of(table)[0])


def _in_folder_name(folder: str, in_text) -> float | None:
    """The one value of a quantity (``in_text``: :func:`~sotfit.io.stfmr.names._frequency_in`,
    ...) the name of a folder gives, or None: also for a name that gives several, or that is
    more than conditions of a measurement (:func:`~sotfit.io.stfmr.names.condition_name`:
    ``2-20GHz`` is a range)."""
    if not condition_name(folder):
        return None
    try:
        return in_text(folder, f"the folder {folder!r}")
    except DataError:
        return None


@functools.lru_cache(maxsize=1024)
def _names_a_condition(folder: str) -> bool:
    """Whether a folder's name gives a frequency, a power or a field angle (``8GHz``,
    ``15dBm``, ``phi_30deg``): a folder of the spectra measured at it, not a sample."""
    from .names import _angle_in, _frequency_in, _power_in

    return any(_in_folder_name(folder, f) is not None for f in (_frequency_in, _power_in, _angle_in))


def _sample(table: Table) -> str:
    """The sample named in the header, else the name of the file's folder, or of the folder
    above it when the folder is named by a measurement condition (``run3/8GHz/...``: ``run3``)."""
    sample = _meta_of(table)[1]
    if sample is not None:
        return sample
    folder = _folder_name(table.path)
    if _names_a_condition(folder):
        return os.path.basename(os.path.dirname(os.path.dirname(os.path.realpath(table.path))))
    return folder


#: Folder -> name of the folder it resolves to, for the files of one reading (set by
#: :func:`sotfit.io.read_stfmr` for the duration of a call; ``None`` outside it).
_FOLDERS = contextvars.ContextVar("sotfit_reader_folders", default=None)


def _folder_name(path) -> str:
    """The name of the folder of the resolved path of a file that was read, as
    ``Path(path).resolve().parent.name`` gives it.

    A file that is not a symbolic link lies in the folder its folder resolves to, so
    within one reading each folder is resolved once (on POSIX systems, unless
    :data:`sotfit.io.cache.ENABLED` is false).
    """
    s = os.fspath(path)
    folders = _FOLDERS.get()
    head, tail = os.path.split(s)
    if (folders is None or not _cache.ENABLED or os.name != "posix" or tail in ("", ".", "..")
            or os.path.islink(s)):
        return os.path.basename(os.path.dirname(os.path.realpath(s)))
    name = folders.get(head)
    if name is None:
        name = folders[head] = os.path.basename(os.path.realpath(head))
    return name
