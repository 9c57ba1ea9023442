"""Reader for ST-FMR instrument output: text files -> :class:`~sotfit.data.Sweep`.

One :class:`~sotfit.data.Dataset` is returned per (file, frequency, rf power,
sweep segment), or per column pair of a side-by-side file, holding the whole
field sweep with its sign: ``x`` is mu0*H in T (house unit, sorted ascending),
``y`` is V_mix in uV, ``x_name='field'``, ``y_name='vmix'``. The formats, the
rules by which units, frequency, power and repeat index are found, and the
checks on the sweep are documented in ``docs/io.md``; in short:

* **Units** come from the column header (``Field (Oe)``, ``field_mT``,
  ``Voltage (V)``, ``vmix_uV``) or from the ``field_unit``/``voltage_unit``
  options; a header unit and an option that disagree is an error. The one
  format rule: a LabVIEW-style ``.lvm`` file with a ``key: value`` preamble
  and exactly two columns without a header row holds field in Oe and V_mix in
  V (the layout of the ST-FMR LabVIEW program of ElPsyKurisu/STFMR). Any other
  column without a unit is an error naming the file, the column and the
  option that gives it: no unit is guessed from the size of the numbers.
* **Frequency** (GHz) from, in order: a frequency column (long format, one
  file holding every frequency), the label of a side-by-side column pair
  (``2pf_10.0_GHz``), a header entry (``Frequency(GHz):9.0``,
  ``# RF frequency = 4.000 GHz ; lock-in detection``), the file name
  (``9GHz.lvm``, ``stfmr_9.00GHz_10.00dBm_0.00mA.dat``, ``f9GHz``,
  ``f_10.0_GHz``), or the ``frequency`` option. **Power** (dBm) likewise,
  optional; a power column in another unit (``Power(mV)``) is not recorded.
* **Field angle** (in-plane angle phi of the field from the current, deg),
  optional, likewise from a header entry with a unit (``field_angle_deg: 30``,
  ``Angle (deg): 30``, ``phi (deg): 30``), the file name (``phi30deg``,
  ``_30deg_``, ``angle30``) or the ``field_angle`` option; two sources that
  disagree are an error naming the file.
* **Side by side**: a column header row of pairs with one label each
  (LabVIEW/Origin: field and V_mix of each spectrum, columns of unequal
  length) gives one spectrum per pair.
* **Lock-in channels**: ``lockin_channels=('X', 'Y')`` reads V_mix as
  X cos(phi) + Y sin(phi), with phi the principal axis of the (X, Y) cloud of
  the file (recorded in meta ``lockin_phase``).
* **Repeat**: a trailing ``_N`` in the file name (``9GHz_1.lvm`` -> 1), else 0.
* **Sweep checks**: the field may jump between the two polarity branches
  (``-0.14 -> 0`` then ``+0.14 -> 0``), but within one branch it must move
  one way. A step back by no more than :data:`JITTER_SIGMAS` times the
  read-back noise of the field, after which the sweep goes on, is jitter of a
  measured field and is sorted. A sweep that reverses beyond that inside a
  branch, or comes back to a branch it has left, is more than one sweep: an
  error, or with ``split_sweeps=True`` one Dataset per monotonic segment
  (meta ``segment``). Exactly repeated field values inside one branch are an
  error, or with ``allow_duplicates=True`` averaged (meta
  ``averaged_duplicates``).

Every error names the file and the option that would fix it, spelled for
Python (``split_sweeps=True``) or, with ``option_style='cli'``, for
``sotfit stfmr`` (``--split-sweeps``). Input files are only ever opened for
reading.
"""

from __future__ import annotations

import contextvars
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import units as _units
from ..data import DataError, Dataset, Sweep
from ..units import UnitError
from .text import Table, parse_number, read_table

__all__ = [
    "read_stfmr",
    "FIELD_UNITS",
    "VOLTAGE_UNITS",
    "MIN_POINTS",
    "SUFFIXES",
    "JITTER_SIGMAS",
    "CLI_OPTIONS",
    "frequency_from_name",
    "lockin_phase",
    "power_from_name",
    "angle_from_name",
    "repeat_from_name",
]

#: Field units accepted in headers and options (aliases such as ``oe`` also work).
FIELD_UNITS = ("T", "mT", "uT", "Oe", "kOe", "G", "kG", "A/m", "kA/m")
#: Voltage units accepted in headers and options (``µV`` and ``uV`` both work).
VOLTAGE_UNITS = ("V", "mV", "uV", "nV")
#: Fewest points one spectrum may have.
MIN_POINTS = 3
#: File suffixes taken when a folder is given.
SUFFIXES = (".lvm", ".dat", ".txt", ".csv", ".tsv")
#: A step back of the field by at most this many read-back standard deviations is jitter.
JITTER_SIGMAS = 5.0
#: A step back that lasts to the end of a branch is jitter only if it spans at most this
#: many points (a sweep that turns round at its end is a reversal however small).
JITTER_TAIL_POINTS = 3
#: Fewest second differences of the field from which its read-back noise is estimated;
#: with fewer, the noise is taken as zero and every step back is a reversal.
NOISE_MIN_SAMPLES = 10
#: Largest |mu0 H| (T) and |V_mix| (V) believed; beyond, the unit is surely wrong.
_FIELD_LIMIT_T = 30.0
_VOLTAGE_LIMIT_V = 10.0

#: How each reader keyword is written on the ``sotfit stfmr`` command line:
#: keyword -> (spelling with ``{}`` for the value, placeholder value).
CLI_OPTIONS = {
    "field_unit": ("--field-unit {}", "UNIT"),
    "voltage_unit": ("--voltage-unit {}", "UNIT"),
    "frequency": ("--frequency {}", "9GHz"),
    "power": ("--power {}", "10dBm"),
    "field_angle": ("--field-angle FILE={}", "30deg"),
    "field_column": ("--column field={}", "NAME"),
    "voltage_column": ("--column voltage={}", "NAME"),
    "frequency_column": ("--column frequency={}", "NAME"),
    "power_column": ("--column power={}", "NAME"),
    "frequency_unit": ("--column-unit frequency={}", "GHz"),
    "power_unit": ("--column-unit power={}", "dBm"),
    "lockin_channels": ("--lockin-channels {}", "X,Y"),
    "split_sweeps": ("--split-sweeps", None),
    "allow_duplicates": ("--allow-duplicates", None),
}
_STYLE = contextvars.ContextVar("sotfit_reader_option_style", default="python")

# Meta keys set by the reader; header entries never overwrite them.
_RESERVED = {
    "frequency", "power", "source", "path", "repeat", "segment", "sweep_direction",
    "sweep_direction_positive", "sweep_direction_negative", "field_unit_in_file",
    "voltage_unit_in_file", "units_from", "frequency_from", "sample", "averaged_duplicates", "n_points",
    "field_angle", "field_angle_from", "block", "block_columns", "lockin_channels",
    "lockin_phase", "lockin_phase_stderr", "lockin_variance_fraction", "field_jitter_points",
    "field_jitter_max", "field_readback_noise", "reader_notes",
}

_FIELD_NAMES = {"field", "h", "b", "mu0h", "bfield", "hfield", "magneticfield", "appliedfield",
                "hext", "bext", "happ", "bapp", "mu0hext"}
_VOLTAGE_NAMES = {"vmix", "voltage", "v", "vdc", "signal", "mixingvoltage", "dcvoltage"}
_FREQUENCY_NAMES = {"frequency", "freq", "f", "rffrequency", "rffreq", "frequencies"}
_SAMPLE_NAMES = {"sample", "samplename", "sampleid", "device", "devicename"}
_POWER_NAMES = {"power", "rfpower", "p", "pow", "rfpow"}
_ANGLE_NAMES = {"fieldangle", "angle", "phi", "phih", "fieldphi", "inplaneangle",
                "inplanefieldangle", "anglephi"}
# Lock-in outputs: X/Y, Xchannel, X1, lockin_X, ... (a hint when no V_mix column is found)
_LOCKIN_RE = re.compile(r"^(?:lockin|li)?(?P<axis>[xy])(?:channel|chan|ch|out|output|signal|value)?"
                        r"\d*$")

_NUM = r"(?P<num>\d+(?:[.p]\d+)?)"
_FREQ_NAME_RE = re.compile(
    r"(?:^|[^0-9a-z.])(?:freq|f)?_?" + _NUM + r"[\s_]*(?P<unit>ghz|mhz)(?![a-z])", re.I
)
_POWER_NAME_RE = re.compile(
    r"(?:^|[^0-9a-z.])(?P<sign>[-+m]?)" + _NUM + r"[\s_]*dbm(?![a-z])", re.I
)
# ``phi30deg``, ``angle-15.5deg``, ``_30deg_``, ``30p5deg``; ``phi30``, ``angle30`` (degrees)
_ANGLE_UNIT_RE = re.compile(
    r"(?:^|[^0-9a-z.])(?:(?P<pre>phi|angle|ang)_?(?P<sign>[-m]?))?" + _NUM + r"[\s_]*"
    r"(?:deg|degrees?)(?![a-z])", re.I
)
_ANGLE_PREFIX_RE = re.compile(
    r"(?:^|[^0-9a-z.])(?:phi|angle)_?(?P<sign>[-m]?)" + _NUM + r"(?![0-9a-z.])", re.I
)
_REPEAT_NAME_RE = re.compile(r"[_\-\s](?:rep|repeat|run)?(?P<n>\d{1,3})$", re.I)
# A header value: a number, a unit, then free text without another number.
_HEADER_VALUE_RE = re.compile(
    r"^\s*(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<unit>[^\s,;()\[\]]*)"
    r"(?P<rest>[^0-9]*)$"
)


# ----------------------------------------------------------------------------------------
# Option spelling
# ----------------------------------------------------------------------------------------

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


def _opts(*spelled: str) -> str:
    """Several options as one example: ``read_stfmr(..., a, b)`` or ``a b``."""
    if _STYLE.get() == "cli":
        return " ".join(spelled)
    return f"read_stfmr(..., {', '.join(spelled)})"


# ----------------------------------------------------------------------------------------
# Names
# ----------------------------------------------------------------------------------------

def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", name.lower())


def _number(text: str) -> float:
    return float(text.replace("p", ".").replace("P", "."))


def _one_in(text: str, patterns, value, what: str, unit: str, option: str, where: str):
    """The one quantity ``value(match)`` that ``patterns`` find in ``text``, or ``None``;
    a :class:`DataError` naming ``where`` when ``text`` holds two different ones."""
    found = {value(m) for rx in patterns for m in rx.finditer(text)}
    if len(found) > 1:
        raise DataError(f"{where} holds several {what} {sorted(found)} {unit}; pass "
                        f"{_opt(option)}... to say which")
    return found.pop() if found else None


def _stem(name) -> str:
    """The file name without its suffix; a name without an extension is its own stem
    (``test1_13G_8dmb_0.1V_005``: ``.1V_005`` is not a suffix)."""
    p = Path(name)
    return p.stem if re.fullmatch(r"\.[A-Za-z][A-Za-z0-9]{0,4}", p.suffix) else p.name


def _signed(m) -> float:
    """The number of a match, negative after a ``-`` or ``m`` sign."""
    v = _number(m.group("num"))
    return -v if m.group("sign") in ("-", "m") else v


def _ghz(m) -> float:
    return round(_number(m.group("num")) * (1e-3 if m.group("unit").lower() == "mhz" else 1.0), 12)


def _frequency_in(text: str, where: str) -> float | None:
    return _one_in(text, (_FREQ_NAME_RE,), _ghz, "frequencies", "GHz", "frequency", where)


def _power_in(text: str, where: str) -> float | None:
    return _one_in(text, (_POWER_NAME_RE,), _signed, "powers", "dBm", "power", where)


def _angle_in(text: str, where: str) -> float | None:
    return _one_in(text, (_ANGLE_UNIT_RE, _ANGLE_PREFIX_RE), _signed, "field angles", "deg",
                   "field_angle", where)


def frequency_from_name(name: str) -> float | None:
    """Frequency in GHz written in a file name, or ``None``.

    Recognises ``9GHz``, ``9.00GHz``, ``9p5GHz``, ``f9GHz``, ``9000MHz``,
    ``10.0_GHz`` (case-insensitive), as a separate token of the name.

    Raises
    ------
    DataError
        If the name holds two different frequencies.
    """
    base = Path(name).name
    return _frequency_in(base, f"{base}: the file name")


def power_from_name(name: str) -> float | None:
    """Rf power in dBm written in a file name (``10.00dBm``, ``-5dBm``, ``m5dBm``,
    ``10_dBm``), or ``None``."""
    base = Path(name).name
    return _power_in(base, f"{base}: the file name")


def angle_from_name(name: str) -> float | None:
    """In-plane field angle in degrees written in a file name, or ``None``.

    Recognises a number followed by ``deg`` (``_30deg_``, ``30p5deg``, ``phi30deg``,
    ``angle-15deg``, ``phim15deg``, ``45_deg``) and a number after ``phi`` or ``angle``
    without a unit (``phi30``, ``angle_30``: degrees), as a separate token of the name. A
    sign is read only after ``phi``/``angle`` (``-`` or ``m``); elsewhere ``-`` separates
    tokens.

    Raises
    ------
    DataError
        If the name holds two different angles.
    """
    return _angle_in(_stem(name), f"{Path(name).name}: the file name")


def repeat_from_name(name: str) -> int:
    """Repeat index from a trailing ``_N`` of the file stem (``9GHz_1.lvm`` -> 1), else 0.

    Also accepts ``-N``, ``_repN``, ``_repeatN`` and ``_runN``. A stem that
    ends in a number followed by a unit (``_0.00mA``) has no repeat index. A name without
    an extension is its own stem (``test1_13G_8dmb_0.1V_005`` -> 5).
    """
    stem = _stem(name)
    m = _REPEAT_NAME_RE.search(stem)
    if not m:
        return 0
    before = stem[: m.start()]
    if re.search(r"\d[.p]$", before):  # the digits are the decimals of a number
        return 0
    return int(m.group("n"))


# ----------------------------------------------------------------------------------------
# Units and columns
# ----------------------------------------------------------------------------------------

_ACCEPTED = {"field": FIELD_UNITS, "voltage": VOLTAGE_UNITS,
             "frequency": ("GHz", "MHz", "kHz", "Hz"), "power": ("dBm",)}


def _accepted(dimension: str) -> str:
    """The unit spellings of ``dimension`` to list in a message."""
    return ", ".join(_ACCEPTED[dimension])


def _option_unit(unit, dimension: str, option: str) -> str | None:
    if unit is None:
        return None
    try:
        key = _units.normalise_unit(str(unit))
        if _units.dimension_of(key) != dimension:
            raise UnitError("wrong dimension")
    except UnitError:
        raise UnitError(f"{_opt(option, unit)} is not a {dimension} unit; accepted: "
                        f"{_accepted(dimension)}") from None
    return key


class _UnknownUnit(UnitError):
    """A column header whose unit sotfit does not know (an option may name it instead)."""


#: Column role -> (the keyword that picks the column, the keyword that gives its unit).
_ROLE_OPTIONS = {"field": ("field_column", "field_unit"),
                 "voltage": ("voltage_column", "voltage_unit"),
                 "frequency": ("frequency_column", "frequency_unit"),
                 "power": ("power_column", "power_unit")}


def _header_unit(table: Table, col: int, dimension: str) -> tuple[str, str | None]:
    """(name, unit) of a column from its header, checking the dimension."""
    if table.columns is None:
        return "", None
    raw = table.columns[col]
    column_option, unit_option = _ROLE_OPTIONS[dimension]
    try:
        name, unit = _units.split_header(raw)
    except UnitError:
        raise _UnknownUnit(
            f"{table.name}: column {raw!r} has an unknown unit; accepted {dimension} units: "
            f"{_accepted(dimension)}; or name the unit with {_opt(unit_option)}"
        ) from None
    if unit is not None and _units.dimension_of(unit) != dimension:
        raise UnitError(
            f"{table.name}: column {raw!r} is read as {dimension} but its unit {unit!r} is a "
            f"{_units.dimension_of(unit)} unit; if it is not the {dimension} column, pick "
            f"that with {_opt(column_option)}"
        )
    return name, unit


def _column_names(table: Table) -> list[str]:
    out = []
    for raw in table.columns or ():
        try:
            name, _ = _units.split_header(raw)
        except UnitError:
            name = re.sub(r"\s*[(\[].*$", "", raw).strip().lower()
        out.append(name)
    return out


def _lockin_hint(table: Table) -> str:
    """A sentence naming the options for lock-in X/Y columns, if the file has them."""
    axes = {}
    for c, k in zip(table.columns or (), _column_names(table)):
        m = _LOCKIN_RE.match(_key(k))
        if m:
            axes.setdefault(m.group("axis"), c)
    if set(axes) != {"x", "y"}:
        return ""
    x, y = axes["x"], axes["y"]
    return (f"; {x!r} and {y!r} look like lock-in outputs: read one with "
            f"{_opt('voltage_column', x)}, or both with the lock-in phase fitted, "
            f"{_opt('lockin_channels', (x, y))}")


def _find_column(table: Table, spec, role: str, names: set[str], required: bool,
                 option: str) -> int | None:
    n = table.n_columns
    if spec is not None:
        if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
            idx = int(spec)
            if not -n <= idx < n:
                raise DataError(f"{table.name}: {_opt(option, spec)} but the file has {n} "
                                "column(s) (0-based indices)")
            return idx % n
        if table.columns is None:
            raise DataError(f"{table.name}: {_opt(option, spec)} names a column, but the file "
                            "has no column header row; give the 0-based column index instead")
        want = str(spec).strip().lower()
        parsed = _column_names(table)
        hits = [i for i, c in enumerate(table.columns)
                if c.strip().lower() == want or parsed[i] == want]
        if len(hits) != 1:
            raise DataError(f"{table.name}: {_opt(option, spec)} matches {len(hits)} of the "
                            f"columns {list(table.columns)}; give the name as written in the "
                            "header, or the 0-based index")
        return hits[0]
    if table.columns is None:
        return None
    parsed = [_key(c) for c in _column_names(table)]
    hits = [i for i, c in enumerate(parsed) if c in names]
    if not hits and role == "field":
        hits = [i for i, c in enumerate(parsed) if "field" in c]
    if not hits and role == "voltage":
        hits = [i for i, c in enumerate(parsed) if "vmix" in c or "voltage" in c]
    if len(hits) > 1:
        raise DataError(
            f"{table.name}: several columns could be the {role}: "
            f"{[table.columns[i] for i in hits]}; pass {_opt(option)} (name or 0-based index)"
        )
    if not hits:
        if required:
            raise DataError(
                f"{table.name}: no {role} column among {list(table.columns)}; name it "
                f"(e.g. {'Field (Oe)' if role == 'field' else 'Vmix (uV)'}) or pass "
                f"{_opt(option)} (name or 0-based index)"
                + (_lockin_hint(table) if role == "voltage" else "")
            )
        return None
    return hits[0]


def _resolve_unit(table: Table, col: int, dimension: str, option_unit: str | None,
                  option: str, rule_unit: str | None, block: str | None = None,
                  notes: list | None = None) -> tuple[str, str]:
    """The unit of column ``col`` and where it came from.

    In a side-by-side layout (``block`` is the pair's label) the header holds labels, not
    units, so the unit must come from the option. A header unit that sotfit does not know
    gives way to the option (with a note in ``notes``); a known one must agree with it.
    """
    head = None
    if block is None:
        try:
            head = _header_unit(table, col, dimension)[1]
        except _UnknownUnit:
            if option_unit is None:
                raise
            if notes is not None:
                notes.append(f"{table.column_label(col)}: unit not known, read in "
                             f"{option_unit} as {_opt(option, option_unit)} says")
            return option_unit, "option"
    if head is not None and option_unit is not None:
        if _units.convert(1.0, head, option_unit) != 1.0:
            raise UnitError(
                f"{table.name}: column {table.columns[col]!r} says {head!r} but "
                f"{_opt(option, option_unit)}; remove the option or correct the header"
            )
        return head, "header"
    if head is not None:
        return head, "header"
    if option_unit is not None:
        return option_unit, "option"
    if rule_unit is not None:
        return rule_unit, "lvm layout"
    example = _opts(_opt("field_unit", "T"), _opt("voltage_unit", "V"))
    if block is not None:
        raise UnitError(
            f"{table.name}: {table.column_label(col)} ({dimension}) has no unit: the columns "
            f"are side-by-side pairs whose label ({block!r}) names the spectrum, not the "
            f"units; pass {_opt(option)} (accepted: {_accepted(dimension)}), for example "
            f"{_opts(_opt('field_unit', 'Oe'), _opt('voltage_unit', 'V'))}"
        )
    raise UnitError(
        f"{table.name}: {table.column_label(col)} ({dimension}) has no unit, and "
        f"{_opt(option)} was not given; pass {_opt(option)} (accepted: {_accepted(dimension)}), "
        f"for example {example} if the file holds field in T and V_mix in V, or write "
        f"the unit in the header ('{'Field (Oe)' if dimension == 'field' else 'Vmix (V)'}', "
        f"'{'field_mT' if dimension == 'field' else 'vmix_uV'}')"
    )


def _check_finite(table: Table, col: int, what: str, option: str, rows=None) -> None:
    values = table.data[:, col] if rows is None else table.data[rows, col]
    bad = ~np.isfinite(values)
    if bad.any():
        lines = (table.lines if rows is None else table.lines[rows])[bad][:5].tolist()
        raise DataError(
            f"{table.name}: {table.column_label(col)} ({what}) has {int(bad.sum())} missing or "
            f"non-finite value(s) (NaN, inf or empty) at line(s) {lines}; remove those rows "
            f"or fill them explicitly, or if this is not the {what} column pick another with "
            f"{_opt(option)}"
        )


# ----------------------------------------------------------------------------------------
# Frequency, power and angle
# ----------------------------------------------------------------------------------------

class _UnreadableHeader(DataError):
    """A recognised header entry whose value cannot be read (an option may replace it)."""


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
        raise _UnreadableHeader(
            f"{entry} is not a {dimension} (a number with a unit, e.g. "
            f"'{key}: 9 {_units.HOUSE[dimension]}'); {fix}")
    number, vunit = float(m.group("num")), m.group("unit")
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


def _header_quantity(table: Table, names: set[str], dimension: str, option: str):
    """(value in house unit, key) of a header entry such as ``Frequency(GHz): 9``, or None.

    Raises
    ------
    _UnreadableHeader
        A recognised entry whose value is not a number with a known unit.
    UnitError
        A recognised entry without a unit, or with a unit of another dimension.
    """
    found = []
    for key in table.header:
        try:
            name, _ = _units.split_header(key)
        except UnitError:
            name = re.sub(r"\s*[(\[].*$", "", key)
        if _key(name) in names:
            found.append(key)
    if not found:
        return None
    if len(found) > 1:
        raise DataError(f"{table.name}: several header entries could give the {dimension}: "
                        + ", ".join(f"{k!r} ({table.where(k)})" for k in found)
                        + f"; pass {_opt(option)}")
    key = found[0]
    number, unit = _header_value(table, key, dimension, option)
    if unit is None:
        raise UnitError(
            f"{table.name}: header entry {key!r} = {table.header[key]!r} has no unit "
            f"({table.where(key)}); write it as '{key} ({_units.HOUSE[dimension]}): ...' or "
            f"pass the value with {_opt(option)}"
        )
    try:
        value, _ = _units.to_house(number, unit, dimension)
    except UnitError as exc:
        raise UnitError(f"{table.name}: header entry {key!r} ({table.where(key)}): {exc}") \
            from None
    return float(value), key


def _option_quantity(value, dimension: str, default_unit: str, option: str):
    if value is None:
        return None
    try:
        return float(_units.quantity(value, dimension, default_unit=default_unit))
    except (UnitError, ValueError) as exc:
        raise UnitError(f"{_opt(option, value)}: {exc}") from None


def _agree(a: float, b: float) -> bool:
    return bool(np.isclose(a, b, rtol=1e-6, atol=1e-9))


def _file_level(table: Table, option_value, names, dimension, in_text, option,
                lenient=False, block=None):
    """One value for a spectrum from its block label, the header, the file name and the
    option (``None`` if none); sources that disagree are an error.

    A header entry without a usable unit is skipped with a warning when ``lenient`` (the
    optional power and angle); a header entry that cannot be read at all is an error
    unless the option gives the value (then it is skipped with a warning).
    """
    sources = []
    if block is not None:
        v = in_text(block, f"{table.name}: the column label {block!r}")
        if v is not None:
            sources.append((v, f"column label {block!r}"))
    try:
        head = _header_quantity(table, names, dimension, option)
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
    if head is not None:
        sources.append((head[0], f"header entry {head[1]!r}"))
    base = table.name
    nm = in_text(_stem(base) if dimension == "angle" else base, f"{base}: the file name")
    if nm is not None:
        sources.append((nm, "file name"))
    if option_value is not None:
        sources.append((option_value, _opt(option)))
    for value, where in sources[1:]:
        if not _agree(value, sources[0][0]):
            unit = _units.HOUSE[dimension]
            line = f" (the header entry is at {table.where(head[1])})" if head else ""
            raise DataError(
                f"{table.name}: the {sources[0][1]} gives {sources[0][0]:g} {unit} but the "
                f"{where} gives {value:g} {unit}{line}"
            )
    return sources[0] if sources else None


def _column_quantity(table: Table, col: int, dimension: str, option_unit: str | None,
                     option: str, rows) -> np.ndarray:
    try:
        unit = _header_unit(table, col, dimension)[1]
    except _UnknownUnit:
        if option_unit is None:
            raise
        unit = None
    unit = unit or option_unit
    if unit is None:
        raise UnitError(
            f"{table.name}: {table.column_label(col)} ({dimension}) has no unit; write it in "
            f"the header (e.g. '{dimension} ({_units.HOUSE[dimension]})') or pass "
            f"{_opt(option, _units.HOUSE[dimension])}"
        )
    return np.asarray(_units.to_house(table.data[rows, col], unit, dimension)[0], dtype=float)


def _power_column(table: Table, col: int, option_unit: str | None, rows, notes: list):
    """Power (dBm) from a column, or ``None``: with a note when the column is in another unit
    (``Power(mV)``), with a warning when it has none."""
    try:
        _, unit = _header_unit(table, col, "power")
    except UnitError:  # 'Power(mV)': a level read back in volts, not an rf power in dBm
        notes.append(f"column {table.columns[col]!r} is not an rf power in dBm and is not read "
                     f"as one (give the power with {_opt('power')} if needed)")
        return None
    unit = unit or option_unit
    if unit is None:
        warnings.warn(f"{table.name}: power column {table.column_label(col)} has no unit (dBm "
                      f"expected; {_opt('power_unit', 'dBm')}); power not recorded", stacklevel=5)
        return None
    _check_finite(table, col, "power", "power_column", rows)
    return np.asarray(_units.to_house(table.data[rows, col], unit, "power")[0], dtype=float)


# ----------------------------------------------------------------------------------------
# Sweep structure
# ----------------------------------------------------------------------------------------

def _readback_noise(field: np.ndarray) -> float:
    """Robust standard deviation of the field read-back about a smooth sweep (file unit).

    From the median absolute deviation of the second differences
    h[i+2] - 2 h[i+1] + h[i] inside one polarity branch (their standard deviation is
    sqrt(6) times that of the read-back for independent noise), leaving out every point
    next to a step against the branch's main direction (the reversals to be judged).
    Zero when fewer than :data:`NOISE_MIN_SAMPLES` differences remain: a short sweep gives
    no estimate, and every step back in it is a reversal.
    """
    n = field.size
    if n < 3:
        return 0.0
    pol = np.sign(field)
    steps = np.diff(field)
    inside = pol[1:] == pol[:-1]
    near_back = np.zeros(n, dtype=bool)
    for p in (-1.0, 1.0):
        m = inside & (pol[1:] == p)
        if m.any():
            main = np.sign(np.median(steps[m]))
            back = m & (np.sign(steps) == -main) & (main != 0)
            near_back[:-1] |= back
            near_back[1:] |= back
    ok = inside[:-1] & inside[1:] & ~(near_back[:-2] | near_back[1:-1] | near_back[2:])
    d2 = np.diff(field, 2)[ok]
    if d2.size < NOISE_MIN_SAMPLES:
        return 0.0
    return float(1.4826 * np.median(np.abs(d2 - np.median(d2))) / np.sqrt(6.0))


def _direction(h: np.ndarray, tol: float) -> int:
    """+1 (up), -1 (down) or 0: the sign of the first move away from ``h[0]`` by more than
    ``tol``, else of ``h[-1] - h[0]``."""
    away = np.flatnonzero(np.abs(h - h[0]) > tol)
    if away.size:
        return int(np.sign(h[away[0]] - h[0]))
    return int(np.sign(h[-1] - h[0]))


def _steps_back(g: np.ndarray):
    """Runs of points of an increasing sweep ``g`` below the maximum reached before them.

    Returns
    -------
    starts, stops : numpy.ndarray
        Index ranges of the runs.
    depth : numpy.ndarray
        How far below that maximum each run goes.
    """
    runmax = np.maximum.accumulate(g)
    behind = g < runmax
    if not behind.any():
        empty = np.empty(0, dtype=int)
        return empty, empty, np.empty(0)
    edges = np.diff(np.concatenate([[0], behind.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    depth = np.maximum.reduceat(runmax - g, starts)
    return starts, stops, depth


def _first_reversal(h: np.ndarray, tol: float):
    """(index, direction) of the first real reversal of one polarity run ``h`` (file
    order), index ``None`` if there is none.

    A step back is jitter when it goes no deeper than ``tol`` below the furthest point
    reached and the sweep then passes that point again (or the step back is at most
    :data:`JITTER_TAIL_POINTS` points at the end of the run). With ``tol = 0`` every step
    back is a reversal. The run is examined in growing windows, so that a file with many
    reversals costs no more than one pass.
    """
    n = h.size
    w = min(n, 256)
    while True:
        part = h[:w]
        complete = w == n
        away = np.flatnonzero(np.abs(part - part[0]) > tol)
        sign = int(np.sign(part[away[0]] - part[0])) if away.size else (
            int(np.sign(part[-1] - part[0])) if complete else 0)
        if sign:
            starts, stops, depth = _steps_back(part * sign)
            real = depth > tol
            if complete and stops.size and stops[-1] == n \
                    and stops[-1] - starts[-1] > JITTER_TAIL_POINTS:
                real[-1] = True
            if real.any():
                return int(starts[np.flatnonzero(real)[0]]), sign
        if complete:
            return None, sign
        w = min(n, 4 * w)


def _segments(field: np.ndarray, tol: float = 0.0):
    """Split a sweep (file order) into monotonic segments.

    Parameters
    ----------
    field : numpy.ndarray
        The field in the file's unit and order.
    tol : float
        Jitter allowed (same unit): steps back by at most ``tol`` are not reversals,
        and points with ``|field| <= tol`` count as zero field.

    Returns
    -------
    segments : list of (start, stop, branch, problem)
        ``branch`` holds +1/-1 per point (zero-field points join the branch
        they are measured in); ``problem`` describes why the next segment
        starts (``None`` for the last).
    """
    n = field.size
    big = np.abs(field) > tol
    idx = np.arange(n)
    # polarity of the last point beyond tol at or before each point (0 before the first)
    last_big = np.maximum.accumulate(np.where(big, idx, -1))
    pol = np.where(last_big >= 0, np.sign(field[np.maximum(last_big, 0)]), 0).astype(int)
    next_big = np.minimum.accumulate(np.where(big, idx, n)[::-1])[::-1]
    bounds = np.concatenate([np.flatnonzero(pol[1:] != pol[:-1]) + 1, [n]])

    def run_end(i: int) -> int:
        return int(bounds[np.searchsorted(bounds, i, side="right")])

    segs = []
    start = 0
    while start < n:
        j0 = int(next_big[start])
        if j0 == n:  # only zero field from here on
            segs.append((start, n, np.ones(n - start, dtype=int), None))
            break
        first = int(pol[j0])
        seen: set[int] = set()
        a, stop, problem = start, n, None
        while a < n:
            p = first if a == start else int(pol[a])
            b = run_end(j0 if a == start else a)
            if p in seen:
                stop = a
                problem = (f"comes back to the {'positive' if p > 0 else 'negative'} "
                           "field branch after leaving it")
                break
            seen.add(p)
            r, sign = _first_reversal(field[a:b], tol)
            if r is not None:
                stop = a + r
                problem = (f"reverses direction (was going {'up' if sign > 0 else 'down'}) "
                           f"inside the {'positive' if p > 0 else 'negative'} field branch")
                break
            a = b
        branch = pol[start:stop].copy()
        branch[: j0 - start] = first  # leading zero-field points join the first branch
        segs.append((start, stop, branch, problem))
        start = stop
    return segs


def _branch_direction(field: np.ndarray, branch: np.ndarray, pol: int,
                      tol: float = 0.0) -> str | None:
    v = field[branch == pol]
    d = _direction(v, tol) if v.size > 1 else 0
    if d == 0:
        return None
    return "up" if d > 0 else "down"


def _jitter(field: np.ndarray, branch: np.ndarray, tol: float) -> tuple[int, float]:
    """(points behind the sweep, deepest step back) in one segment, file unit."""
    count, deepest = 0, 0.0
    for pol in (-1, 1):
        v = field[branch == pol]
        if v.size < 2:
            continue
        sign = _direction(v, tol)
        if sign:
            starts, stops, depth = _steps_back(v * sign)
            count += int(np.sum(stops - starts))
            deepest = max([deepest, *depth.tolist()])
    return count, deepest


# ----------------------------------------------------------------------------------------
# Lock-in channels
# ----------------------------------------------------------------------------------------

def lockin_phase(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """The lock-in phase that puts the signal of two channels into one.

    The principal axis of the centred (X, Y) cloud: phi maximises the variance of
    X cos(phi) + Y sin(phi). Of the two opposite directions of the axis the one whose
    larger component is positive is taken, phi in (-45, 135] deg, so the combined
    signal has the sign of the channel that holds most of it (files of one set, whose
    phases differ by a few degrees, then keep one sign).

    Parameters
    ----------
    x, y : numpy.ndarray
        The two channels (same unit), one value per field point.

    Returns
    -------
    phi : float
        Phase in degrees, in (-45, 135].
    phi_stderr : float
        Its standard error in degrees, sqrt(l1 l2 / (n - 1)) / (l1 - l2) with l1 >= l2 the
        eigenvalues of the covariance matrix (Anderson, Ann. Math. Statist. 34, 122
        (1963)); infinite when the cloud is round.
    fraction : float
        l1 / (l1 + l2): the share of the variance in the combined channel.
    """
    n = x.size
    xc, yc = x - x.mean(), y - y.mean()
    sxx, syy, sxy = (xc @ xc) / (n - 1), (yc @ yc) / (n - 1), (xc @ yc) / (n - 1)
    phi = np.degrees(0.5 * np.arctan2(2.0 * sxy, sxx - syy))  # (-90, 90]
    if phi <= -45.0:
        phi += 180.0
    half = np.hypot(0.5 * (sxx - syy), sxy)
    l1, l2 = 0.5 * (sxx + syy) + half, max(0.5 * (sxx + syy) - half, 0.0)
    stderr = (np.sqrt(l1 * l2 / (n - 1)) / (l1 - l2)) if l1 > l2 else np.inf
    fraction = l1 / (l1 + l2) if l1 + l2 > 0 else 0.5
    return float(phi), float(np.degrees(stderr)), float(fraction)


# ----------------------------------------------------------------------------------------
# The reader
# ----------------------------------------------------------------------------------------

def _natural_key(p: Path):
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", p.name)]


def _expand(paths) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    elif not isinstance(paths, Iterable):
        raise TypeError("paths must be a file, a folder or a list of them, "
                        f"not {type(paths).__name__}")
    out: list[Path] = []
    for p in paths:
        p = Path(os.fspath(p))
        if p.is_dir():
            files = sorted((q for q in p.iterdir() if q.is_file() and q.suffix.lower() in SUFFIXES),
                           key=_natural_key)
            if not files:
                others = sum(1 for q in p.iterdir() if q.is_file())
                raise DataError(
                    f"{p}: folder holds no data files ({', '.join(SUFFIXES)})"
                    + (f"; its {others} other file(s) are read only when named one by one "
                       "(files without an extension, for example)" if others else ""))
            out.extend(files)
        elif not p.exists():
            raise FileNotFoundError(f"{p}: no such file")
        else:
            out.append(p)
    if not out:
        raise DataError("read_stfmr: no files given")
    return out


def _per_file(value, n: int, option: str) -> list:
    if value is None or isinstance(value, (str, int, float, np.number)):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(f"{_opt(option)} has {len(values)} entries for {n} file(s)")
    return values


def _is_lvm_layout(table: Table) -> bool:
    """The LabVIEW ST-FMR layout: ``.lvm``, a key:value preamble, two unnamed columns."""
    return (table.path.suffix.lower() == ".lvm" and table.columns is None
            and table.n_columns == 2 and len(table.header) > 0)


def _header_meta(table: Table) -> dict:
    meta = {}
    for k, v in table.header.items():
        if k in _RESERVED:
            continue
        num = parse_number(v) if v.strip() else None
        meta[k] = num if (num is not None and np.isfinite(num)) else v
    return meta


def _sample(table: Table) -> str:
    """The sample named in the header, else the name of the file's folder."""
    for k, v in table.header.items():
        if _key(k) in _SAMPLE_NAMES and v.strip():
            return v.strip()
    return table.path.resolve().parent.name


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
    lockin_channels: tuple | None = None
    allow_duplicates: bool = False
    split_sweeps: bool = False


def _lockin_option(value) -> tuple | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    value = tuple(value)
    if len(value) != 2 or any(v in ("", None) for v in value):
        raise ValueError(f"{_opt('lockin_channels', value)}: give two columns, X and Y")
    return value


def read_stfmr(paths, *, field_unit=None, voltage_unit=None, frequency=None, power=None,
               field_column=None, voltage_column=None, frequency_column=None,
               power_column=None, frequency_unit=None, power_unit=None, lockin_channels=None,
               allow_duplicates=False, split_sweeps=False, field_angle=None,
               option_style="python") -> Sweep:
    """Read ST-FMR spectra V_mix(H) from instrument text files.

    Parameters
    ----------
    paths : str, os.PathLike, or iterable of them
        Files (with any extension, or none), or folders (every ``.lvm``, ``.dat``,
        ``.txt``, ``.csv``, ``.tsv`` inside, in natural name order). Files are read,
        never written.
    field_unit : str, optional
        Unit of the field column when its header carries none: ``'T'``,
        ``'mT'``, ``'Oe'``, ``'A/m'`` (also ``'kOe'``, ``'G'``, ``'kA/m'``).
        A header unit that disagrees with it is an error.
    voltage_unit : str, optional
        Unit of the V_mix column (or of both lock-in channels) when its header carries
        none: ``'V'``, ``'mV'``, ``'uV'`` (or ``'µV'``), ``'nV'``.
    frequency : float or str or sequence, optional
        Rf frequency, a number in GHz or a string with a unit (``'9GHz'``),
        or one per file. Used when the file gives none; if the file gives one
        that differs, that is an error. A header entry that names the frequency but
        cannot be read is ignored (with a warning) when this is given.
    power : float or str or sequence, optional
        Rf power in dBm (number or ``'10dBm'``), or one per file; as
        ``frequency``.
    field_angle : float or str or sequence or mapping, optional
        In-plane field angle phi from the current (a number in deg, or a string with a unit,
        ``'30deg'``), one per file, or a mapping from file name (or path as given) to
        angle. Used when the file gives none; if its header or name gives a different one,
        that is an error. A mapping key that matches no file is an error.
    field_column, voltage_column, frequency_column, power_column : str or int, optional
        The column, by header name (with or without unit) or 0-based index.
        Without them, columns are found by name (``field``/``H``/``B``;
        ``vmix``/``voltage``/``V``; ``frequency``/``freq``/``f``;
        ``power``). A file without a column header row needs
        ``field_column`` and ``voltage_column`` (and units), except the
        LabVIEW ``.lvm`` layout (field in Oe, V_mix in V). Giving ``field_column`` or
        ``voltage_column`` reads a side-by-side file as one table.
    frequency_unit : str, optional
        Unit of a frequency column whose header carries none (``'GHz'``,
        ``'MHz'``, ``'Hz'``).
    power_unit : str, optional
        Unit of a power column whose header carries none (``'dBm'``).
    lockin_channels : (str or int, str or int) or str, optional
        Two lock-in output columns X and Y (``('Xchannel', 'Ychannel')`` or
        ``'Xchannel,Ychannel'``), read as V_mix = X cos(phi) + Y sin(phi) with phi the
        principal axis of the file's (X, Y) cloud (:func:`lockin_phase`), in place of a
        V_mix column. Both channels take ``voltage_unit`` (or their header units).
    allow_duplicates : bool
        Average points with exactly the same field value inside one polarity
        branch (recorded as meta ``averaged_duplicates``) instead of raising.
    split_sweeps : bool
        Read a file (or a frequency of a long-format file) that holds more
        than one monotonic sweep as one Dataset per sweep (meta ``segment``)
        instead of raising. Steps back of a measured field within its read-back noise
        are not sweeps (see :data:`JITTER_SIGMAS`).
    option_style : {'python', 'cli'}
        How error messages name the options: as these keywords (``split_sweeps=True``)
        or as the options of ``sotfit stfmr`` (``--split-sweeps``, :data:`CLI_OPTIONS`).

    Returns
    -------
    Sweep
        One Dataset per (file, frequency, power, segment), or per column pair of a
        side-by-side file, in file order and then by increasing frequency. ``x``: field
        mu0*H in T, signed, sorted ascending; ``y``: V_mix in uV. ``meta``:
        ``frequency`` (GHz), ``power`` (dBm, only if known), ``source`` (file name;
        ``'file [label]'`` for a column pair), ``path``,
        ``sample`` (a ``sample``/``Samplename``/``device`` header entry if
        not empty, else the name of the file's folder: repeats are the
        spectra that share ``sample`` and ``frequency``),
        ``repeat`` (int from the file name, 0 for the first),
        ``segment`` (int, 0 unless ``split_sweeps`` split the file),
        ``sweep_direction`` (``'up'``, ``'down'``, or ``'mixed'`` when the
        two polarity branches were swept in opposite directions, as in a
        ``-0.14 -> 0, +0.14 -> 0`` file), ``sweep_direction_positive`` /
        ``sweep_direction_negative`` (per branch, when present),
        ``field_angle`` (deg) and ``field_angle_from`` (only if known),
        ``field_unit_in_file``, ``voltage_unit_in_file``, ``units_from``
        (``'header'``, ``'option'`` or ``'lvm layout'``), ``n_points``,
        ``averaged_duplicates`` (when ``allow_duplicates`` merged any),
        ``block`` and ``block_columns`` (column pairs), ``lockin_channels``,
        ``lockin_phase``, ``lockin_phase_stderr`` (deg) and ``lockin_variance_fraction``
        (lock-in channels), ``field_jitter_points``, ``field_jitter_max`` and
        ``field_readback_noise`` (T; when a jittering read-back was sorted),
        ``reader_notes`` (tuple of str, what the reader decided that a user should
        know), and every header entry (raw key; numbers as float) that does not
        collide with these names.

    Raises
    ------
    DataError
        Empty file, no numeric rows, NaN/empty cells (naming column and
        line), fewer than :data:`MIN_POINTS` points, duplicated field values,
        a sweep that reverses or returns to a branch, a missing frequency,
        conflicting frequency/power sources, or a frequency, power or angle header entry
        that cannot be read (naming its line). Every message names the file and the
        option that would fix it.
    UnitError
        A missing, unknown or wrong-dimension unit, naming the file, the
        column, the option and the accepted spellings.
    FileNotFoundError
        A path that does not exist.
    """
    if option_style not in ("python", "cli"):
        raise ValueError(f"option_style must be 'python' or 'cli', not {option_style!r}")
    token = _STYLE.set(option_style)
    try:
        files = _expand(paths)
        fq_unit = _option_unit(frequency_unit, "frequency", "frequency_unit")
        pw_unit = _option_unit(power_unit, "power", "power_unit")
        opts = _Options(
            field_unit=_option_unit(field_unit, "field", "field_unit"),
            voltage_unit=_option_unit(voltage_unit, "voltage", "voltage_unit"),
            frequency_unit=fq_unit, power_unit=pw_unit, field_column=field_column,
            voltage_column=voltage_column, frequency_column=frequency_column,
            power_column=power_column, lockin_channels=_lockin_option(lockin_channels),
            allow_duplicates=allow_duplicates, split_sweeps=split_sweeps)
        if opts.lockin_channels is not None and voltage_column is not None:
            raise ValueError(f"give {_opt('voltage_column')} or {_opt('lockin_channels')}, "
                             "not both")
        freqs = [_option_quantity(v, "frequency", "GHz", "frequency")
                 for v in _per_file(frequency, len(files), "frequency")]
        powers = [_option_quantity(v, "power", "dBm", "power")
                  for v in _per_file(power, len(files), "power")]
        angles = [_option_quantity(v, "angle", "deg", "field_angle")
                  for v in _angles_per_file(field_angle, files, paths)]
        out: list[Dataset] = []
        for path, f_opt, p_opt, a_opt in zip(files, freqs, powers, angles):
            out.extend(_read_one(path, opts, f_opt, p_opt, a_opt))
        return Sweep(tuple(out))
    finally:
        _STYLE.reset(token)


def _angles_per_file(value, files: list[Path], paths) -> list:
    """``field_angle`` as one entry per file (a mapping is matched by file name or path)."""
    if not isinstance(value, Mapping):
        return _per_file(value, len(files), "field_angle")
    given = {os.fspath(k): v for k, v in value.items()}
    out, used = [], set()
    for f in files:
        hits = [k for k in given if k in (f.name, str(f), os.fspath(f.resolve()))
                or Path(k) == f]
        if len(hits) > 1 and len({str(given[k]) for k in hits}) > 1:
            raise DataError(f"{f.name}: field_angle gives it twice with different values "
                            f"({', '.join(f'{k}={given[k]}' for k in hits)})")
        used.update(hits)
        out.append(given[hits[0]] if hits else None)
    unused = [k for k in given if k not in used]
    if unused:
        raise DataError(f"field_angle names {unused}, which match none of the files read "
                        f"({', '.join(f.name for f in files)})")
    return out


def _read_one(path, opts: _Options, f_opt, p_opt, a_opt) -> list[Dataset]:
    table = read_table(path)
    name = table.name
    blocks = table.blocks
    if blocks is not None and opts.field_column is None and opts.voltage_column is None:
        for option in ("frequency_column", "power_column", "lockin_channels"):
            if getattr(opts, option) is not None:
                raise DataError(
                    f"{name}: the columns are side-by-side pairs (field, V_mix) labelled "
                    f"{[b[0] for b in blocks][:3]}..., one per spectrum; {_opt(option)} does "
                    f"not apply (give {_opt('field_column')} and {_opt('voltage_column')} to "
                    "read the file as one table)")
        out = []
        for k, (label, fi, vi) in enumerate(blocks):
            both = np.isnan(table.data[:, fi]) & np.isnan(table.data[:, vi])
            rows = np.flatnonzero(~both)
            if rows.size == 0:
                raise DataError(f"{name}: the column pair {label!r} (columns {fi}, {vi}) is "
                                "empty")
            part = _Part(table, rows, fi, vi, None, None, label=label)
            out.extend((d.meta["frequency"], d.meta.get("power", 0.0), k, d)
                       for d in _read_part(part, opts, f_opt, p_opt, a_opt))
        return [d for *_, d in sorted(out, key=lambda t: t[:3])]

    lvm = _is_lvm_layout(table)
    if table.columns is None and not lvm and (opts.field_column is None
                                             or (opts.voltage_column is None
                                                 and opts.lockin_channels is None)):
        raise DataError(
            f"{name}: the file has no column header row, so sotfit cannot tell which column is "
            f"the field and which V_mix, nor their units; pass "
            f"{_opts(_opt('field_column', 0), _opt('voltage_column', 1), _opt('field_unit'), _opt('voltage_unit'))} "
            f"(0-based indices of its {table.n_columns} columns, and units), "
            f"or add a header row such as 'Field (Oe)<TAB>Vmix (V)'"
        )
    fcol = _find_column(table, opts.field_column, "field", _FIELD_NAMES, True, "field_column")
    if opts.lockin_channels is not None:
        vcol = tuple(_find_column(table, c, "voltage", _VOLTAGE_NAMES, True, "lockin_channels")
                     for c in opts.lockin_channels)
        if vcol[0] == vcol[1]:
            raise DataError(f"{name}: {_opt('lockin_channels', opts.lockin_channels)} names "
                            f"one column twice ({table.column_label(vcol[0])})")
    else:
        vcol = _find_column(table, opts.voltage_column, "voltage", _VOLTAGE_NAMES, True,
                            "voltage_column")
    if fcol is None:  # lvm layout
        fcol = 0
    if vcol is None:
        vcol = 1
    vcols = vcol if isinstance(vcol, tuple) else (vcol,)
    if fcol in vcols:
        raise DataError(f"{name}: the field and V_mix columns are the same "
                        f"({table.column_label(fcol)}); pick them with {_opt('field_column')} "
                        f"and {_opt('voltage_column')}")
    qcol = _find_column(table, opts.frequency_column, "frequency", _FREQUENCY_NAMES, False,
                        "frequency_column")
    pcol = _find_column(table, opts.power_column, "power", _POWER_NAMES, False, "power_column")
    for c, option in ((qcol, "frequency_column"), (pcol, "power_column")):
        if c is not None and c in (fcol, *vcols):
            raise DataError(f"{name}: {table.column_label(c)} is used twice; pick the columns "
                            f"with {_opt(option)}")
    part = _Part(table, np.arange(table.data.shape[0]), fcol, vcol, qcol, pcol, lvm=lvm)
    return _read_part(part, opts, f_opt, p_opt, a_opt)


@dataclass(frozen=True)
class _Part:
    """The rows and columns of a table that hold one set of spectra."""

    table: Table
    rows: np.ndarray
    fcol: int
    vcol: object  # a column index, or (X, Y) lock-in columns
    qcol: int | None
    pcol: int | None
    label: str | None = None
    lvm: bool = False

    @property
    def source(self) -> str:
        return self.table.name if self.label is None else f"{self.table.name} [{self.label}]"


def _voltage(part: _Part, opts: _Options, notes: list):
    """V_mix (uV) of a part, its unit in the file, where the unit came from, and meta."""
    table, rows = part.table, part.rows
    if not isinstance(part.vcol, tuple):
        unit, where = _resolve_unit(table, part.vcol, "voltage", opts.voltage_unit,
                                    "voltage_unit", "V" if part.lvm else None, part.label, notes)
        _check_finite(table, part.vcol, "V_mix", "voltage_column", rows)
        v = np.asarray(_units.to_house(table.data[rows, part.vcol], unit, "voltage")[0], float)
        return v, unit, where, {}
    chans, units, wheres = [], [], []
    for c in part.vcol:
        unit, where = _resolve_unit(table, c, "voltage", opts.voltage_unit, "voltage_unit",
                                    None, notes=notes)
        _check_finite(table, c, "lock-in channel", "lockin_channels", rows)
        chans.append(np.asarray(_units.to_house(table.data[rows, c], unit, "voltage")[0], float))
        units.append(unit)
        wheres.append(where)
    phi, phi_err, fraction = lockin_phase(*chans)
    x, y = (table.columns[c] if table.columns else f"column {c}" for c in part.vcol)
    notes.append(f"V_mix = {x} cos(phi) + {y} sin(phi) with the lock-in phase phi = {phi:.2f} "
                 f"+/- {phi_err:.2g} deg fitted to the file (principal axis of the (X, Y) "
                 f"cloud; {100 * fraction:.1f} % of the variance)")
    rad = np.radians(phi)
    meta = {"lockin_channels": (x, y), "lockin_phase": phi, "lockin_phase_stderr": phi_err,
            "lockin_variance_fraction": fraction}
    unit = units[0] if units[0] == units[1] else f"{x}: {units[0]}, {y}: {units[1]}"
    where = wheres[0] if wheres[0] == wheres[1] else f"{x}: {wheres[0]}, {y}: {wheres[1]}"
    return chans[0] * np.cos(rad) + chans[1] * np.sin(rad), unit, where, meta


_QUANTITIES = {  # kind -> (header names, dimension, find in text, option, optional)
    "frequency": (_FREQUENCY_NAMES, "frequency", _frequency_in, "frequency", False),
    "power": (_POWER_NAMES, "power", _power_in, "power", True),
    "angle": (_ANGLE_NAMES, "angle", _angle_in, "field_angle", True),
}


def _read_part(part: _Part, opts: _Options, f_opt, p_opt, a_opt) -> list[Dataset]:
    table, rows, name, src = part.table, part.rows, part.table.name, part.source
    field_label = f"the field column {table.column_label(part.fcol)}"
    notes: list[str] = []

    # Units and values.
    f_unit, f_from = _resolve_unit(table, part.fcol, "field", opts.field_unit, "field_unit",
                                   "Oe" if part.lvm else None, part.label, notes)
    _check_finite(table, part.fcol, "field", "field_column", rows)
    field_raw = table.data[rows, part.fcol]
    vmix_uV, v_unit, v_from, lockin_meta = _voltage(part, opts, notes)
    units_from = f_from if f_from == v_from else f"field: {f_from}, voltage: {v_from}"
    if part.qcol is not None:
        _check_finite(table, part.qcol, "frequency", "frequency_column", rows)
    field_T = np.asarray(_units.to_house(field_raw, f_unit, "field")[0], dtype=float)
    fmax = float(np.max(np.abs(field_T)))
    if fmax > _FIELD_LIMIT_T:
        raise UnitError(
            f"{src}: with the field in {f_unit!r} ({f_from}) the largest |mu0 H| is {fmax:.3g} T, "
            f"beyond any ST-FMR magnet; check {_opt('field_unit')}"
        )
    vmax = float(np.max(np.abs(vmix_uV))) * 1e-6
    if vmax > _VOLTAGE_LIMIT_V:
        raise UnitError(
            f"{src}: with V_mix in {v_unit!r} ({v_from}) the largest |V_mix| is {vmax:.3g} V; "
            f"check {_opt('voltage_unit')}"
        )

    # Frequency, power and angle.
    def level(kind, option_value):
        names, dimension, in_text, option, lenient = _QUANTITIES[kind]
        return _file_level(table, option_value, names, dimension, in_text, option,
                           lenient=lenient, block=part.label)

    if part.qcol is not None:
        fq = _column_quantity(table, part.qcol, "frequency", opts.frequency_unit,
                              "frequency_unit", rows)
        if f_opt is not None and not np.allclose(fq, f_opt, rtol=1e-6, atol=1e-9):
            raise DataError(f"{name}: {_opt('frequency', f'{f_opt:g}GHz')} was given but the "
                            f"file has a frequency column {table.column_label(part.qcol)}")
        f_where = f"column {table.column_label(part.qcol)}"
    else:
        found = level("frequency", f_opt)
        if found is None:
            raise DataError(
                f"{src}: no rf frequency found. Give it in one of four ways: a frequency "
                f"column (e.g. 'frequency (GHz)', or {_opt('frequency_column')}), a header "
                "entry (e.g. 'Frequency(GHz): 9'), the file name (e.g. '9GHz.lvm', "
                f"'stfmr_9.00GHz_10dBm.dat', 'f9GHz.csv'); or pass {_opt('frequency', '9GHz')}"
            )
        fq = np.full(field_T.size, found[0])
        f_where = found[1]

    pw = None
    if part.pcol is not None:
        pw = _power_column(table, part.pcol, opts.power_unit, rows, notes)
    if pw is None:
        found = level("power", p_opt)
        if found is not None:
            pw = np.full(field_T.size, found[0])

    angle = level("angle", a_opt)
    angle_meta = {} if angle is None else {"field_angle": float(angle[0]),
                                           "field_angle_from": angle[1]}
    block_meta = ({} if part.label is None
                  else {"block": part.label, "block_columns": (part.fcol, part.vcol)})

    repeat = repeat_from_name(name)
    sample = _sample(table)
    header_meta = _header_meta(table)

    # Group by (frequency, power), keeping file order inside a group.
    pk = pw if pw is not None else np.zeros_like(fq)
    datasets = []
    for fval, pval, grp in _groups(fq, pk):
        label = f"{src} at {fval:g} GHz" + (f", {pval:g} dBm" if pw is not None else "")
        raw = field_raw[grp]
        noise = _readback_noise(raw)
        tol = JITTER_SIGMAS * noise
        segs = _segments(raw, tol)
        if len(segs) > 1 and not opts.split_sweeps:
            s0 = segs[0]
            line = int(table.lines[rows[grp[s0[1]]]])
            allowed = (f" (more than the jitter of {tol:.3g} {f_unit} allowed by the field "
                       "read-back noise)" if tol > 0 else "")
            raise DataError(
                f"{label}: the field sweep {s0[3]} at line {line} of {field_label}{allowed}, "
                f"so the data hold "
                f"{len(segs)} sweeps; read each monotonic sweep as its own spectrum with "
                f"{_opt('split_sweeps')}, or split the file"
            )
        for k, (a, b, branch, _) in enumerate(segs):
            r = grp[a:b]
            seg_label = label + (f", sweep {k}" if len(segs) > 1 else "")
            meta = {"frequency": float(fval),
                    **({"power": float(pval)} if pw is not None else {}),
                    "source": src, "path": str(table.path), "sample": sample,
                    "repeat": repeat, "segment": k,
                    "field_unit_in_file": f_unit, "voltage_unit_in_file": v_unit,
                    "units_from": units_from, "frequency_from": f_where, **angle_meta,
                    **block_meta, **lockin_meta}
            datasets.append(_make_dataset(
                table, rows[r], branch, field_raw[r], field_T[r], vmix_uV[r], seg_label,
                opts.allow_duplicates, meta, header_meta, tol, noise, list(notes), field_label))
    return datasets


def _groups(fq: np.ndarray, pw: np.ndarray):
    """(frequency, power, row indices in file order) of each distinct pair, by increasing
    frequency, then power."""
    if fq.size == 0 or (np.all(fq == fq[0]) and np.all(pw == pw[0])):
        return [(fq[0], pw[0], np.arange(fq.size))] if fq.size else []
    fu, fi = np.unique(fq, return_inverse=True)
    pu, pi = np.unique(pw, return_inverse=True)
    ids = fi * pu.size + pi
    return [(fu[k // pu.size], pu[k % pu.size], np.flatnonzero(ids == k)) for k in np.unique(ids)]


def _make_dataset(table, rows, branch, raw, x, y, label, allow_duplicates, meta, header_meta,
                  tol=0.0, noise=0.0, notes=(), field_label="the field column"):
    if x.size < MIN_POINTS:
        raise DataError(f"{label}: only {x.size} data point(s); a spectrum needs at least "
                        f"{MIN_POINTS} points of a field sweep")
    notes = list(notes)
    f_unit = meta["field_unit_in_file"]
    jitter, deepest = _jitter(raw, branch, tol) if tol > 0 else (0, 0.0)
    # Exactly repeated field values inside one polarity branch.
    averaged = 0
    keep = np.ones(x.size, dtype=bool)
    y = y.copy()
    for pol in (-1, 1):
        idx = np.flatnonzero(branch == pol)
        if idx.size < 2:
            continue
        vals, inverse, counts = np.unique(raw[idx], return_inverse=True, return_counts=True)
        if np.all(counts == 1):
            continue
        if not allow_duplicates:
            j = int(np.flatnonzero(counts > 1)[0])
            lines = table.lines[rows[idx[inverse == j]]].tolist()
            raise DataError(
                f"{label}: field value {vals[j]:g} {f_unit} appears "
                f"{int(counts[j])} times in the {'positive' if pol > 0 else 'negative'} branch "
                f"(lines {lines}); {int(np.sum(counts > 1))} value(s) are repeated in "
                f"{field_label}. sotfit does not merge them silently: pass "
                f"{_opt('allow_duplicates')} to average them"
            )
        for j in np.flatnonzero(counts > 1):
            members = idx[inverse == j]
            y[members[0]] = y[members].mean()
            keep[members[1:]] = False
            averaged += members.size - 1
    x, y, raw, branch = x[keep], y[keep], raw[keep], branch[keep]
    if x.size < MIN_POINTS:
        raise DataError(f"{label}: only {x.size} distinct field value(s); a spectrum needs at "
                        f"least {MIN_POINTS}")
    dirs = {}
    for pol, key in ((1, "sweep_direction_positive"), (-1, "sweep_direction_negative")):
        if np.any(branch == pol):
            d = _branch_direction(raw, branch, pol, tol)
            if d is not None:
                dirs[key] = d
    distinct = set(dirs.values())
    if len(distinct) == 1:
        direction = distinct.pop()
    elif distinct:
        direction = "mixed"
    else:  # one point per branch: the order across the jump decides
        direction = "up" if raw[-1] > raw[0] else "down"
    order = np.argsort(x, kind="stable")
    full_meta = dict(header_meta)
    full_meta.update(meta)
    full_meta.update(dirs)
    full_meta["sweep_direction"] = direction
    full_meta["n_points"] = int(x.size)
    if averaged:
        full_meta["averaged_duplicates"] = averaged
    if jitter:
        to_t = float(_units.to_house(1.0, f_unit, "field")[0])
        full_meta.update(field_jitter_points=jitter, field_jitter_max=deepest * to_t,
                         field_readback_noise=noise * to_t)
        notes.append(
            f"the field read-back jitters: {jitter} point(s) behind the sweep by at most "
            f"{deepest:.3g} {f_unit} (read-back noise {noise:.3g} {f_unit}); sorted as one "
            f"sweep (a step back beyond {JITTER_SIGMAS:g} times the noise would be a new sweep)")
    if notes:
        full_meta["reader_notes"] = tuple(notes)
    return Dataset(x[order], y[order], x_name="field", y_name="vmix", x_unit="T", y_unit="uV",
                   meta=full_meta)
