"""Reader for ST-FMR instrument output: text files -> :class:`~sotfit.data.Sweep`.

One :class:`~sotfit.data.Dataset` is returned per (file, frequency, rf power,
sweep segment), holding the whole field sweep with its sign: ``x`` is
mu0*H in T (house unit, sorted ascending), ``y`` is V_mix in uV,
``x_name='field'``, ``y_name='vmix'``. The formats, the rules by which units,
frequency, power and repeat index are found, and the checks on the sweep are
documented in ``docs/io.md``; in short:

* **Units** come from the column header (``Field (Oe)``, ``field_mT``,
  ``Voltage (V)``, ``vmix_uV``) or from the ``field_unit``/``voltage_unit``
  options; a header unit and an option that disagree is an error. The one
  format rule: a LabVIEW-style ``.lvm`` file with a ``key: value`` preamble
  and exactly two columns without a header row holds field in Oe and V_mix in
  V (the layout of the ST-FMR LabVIEW program of ElPsyKurisu/STFMR). Any other
  column without a unit is an error naming the file, the column and the
  accepted spellings: no unit is guessed from the size of the numbers.
* **Frequency** (GHz) from, in order: a frequency column (long format, one
  file holding every frequency), a header entry (``Frequency(GHz):9.0``), the
  file name (``9GHz.lvm``, ``stfmr_9.00GHz_10.00dBm_0.00mA.dat``,
  ``f9GHz``), or the ``frequency`` option. **Power** (dBm) likewise, optional.
* **Field angle** (in-plane angle phi of the field from the current, deg),
  optional, likewise from a header entry with a unit (``field_angle_deg: 30``,
  ``Angle (deg): 30``, ``phi (deg): 30``), the file name (``phi30deg``,
  ``_30deg_``, ``angle30``) or the ``field_angle`` option; two sources that
  disagree are an error naming the file.
* **Repeat**: a trailing ``_N`` in the file name (``9GHz_1.lvm`` -> 1), else 0.
* **Sweep checks**: the field may jump between the two polarity branches
  (``-0.14 -> 0`` then ``+0.14 -> 0``), but within one branch it must move
  one way. A sweep that reverses inside a branch, or comes back to a branch
  it has left, is more than one sweep: an error, or with
  ``split_sweeps=True`` one Dataset per monotonic segment (meta
  ``segment``). Exactly repeated field values inside one branch are an
  error, or with ``allow_duplicates=True`` averaged (meta
  ``averaged_duplicates``).

Input files are only ever opened for reading.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Mapping
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
    "frequency_from_name",
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
#: Largest |mu0 H| (T) and |V_mix| (V) believed; beyond, the unit is surely wrong.
_FIELD_LIMIT_T = 30.0
_VOLTAGE_LIMIT_V = 10.0

# Meta keys set by the reader; header entries never overwrite them.
_RESERVED = {
    "frequency", "power", "source", "path", "repeat", "segment", "sweep_direction",
    "sweep_direction_positive", "sweep_direction_negative", "field_unit_in_file",
    "voltage_unit_in_file", "units_from", "frequency_from", "sample", "averaged_duplicates", "n_points",
    "field_angle", "field_angle_from",
}

_FIELD_NAMES = {"field", "h", "b", "mu0h", "bfield", "hfield", "magneticfield", "appliedfield",
                "hext", "bext", "happ", "bapp", "mu0hext"}
_VOLTAGE_NAMES = {"vmix", "voltage", "v", "vdc", "signal", "mixingvoltage", "dcvoltage"}
_FREQUENCY_NAMES = {"frequency", "freq", "f", "rffrequency", "rffreq", "frequencies"}
_SAMPLE_NAMES = {"sample", "samplename", "sampleid", "device", "devicename"}
_POWER_NAMES = {"power", "rfpower", "p", "pow", "rfpow"}
_ANGLE_NAMES = {"fieldangle", "angle", "phi", "phih", "fieldphi", "inplaneangle",
                "inplanefieldangle", "anglephi"}

_FREQ_NAME_RE = re.compile(
    r"(?:^|[^0-9a-z.])(?:freq|f)?_?(?P<num>\d+(?:[.p]\d+)?)\s*(?P<unit>ghz|mhz)(?![a-z])", re.I
)
_POWER_NAME_RE = re.compile(
    r"(?:^|[^0-9a-z.])(?P<sign>[-+m]?)(?P<num>\d+(?:[.p]\d+)?)\s*dbm(?![a-z])", re.I
)
# ``phi30deg``, ``angle-15.5deg``, ``_30deg_``, ``30p5deg``; ``phi30``, ``angle30`` (degrees)
_ANGLE_UNIT_RE = re.compile(
    r"(?:^|[^0-9a-z.])(?:(?P<pre>phi|angle|ang)_?(?P<sign>[-m]?))?(?P<num>\d+(?:[.p]\d+)?)\s*"
    r"(?:deg|degrees?)(?![a-z])", re.I
)
_ANGLE_PREFIX_RE = re.compile(
    r"(?:^|[^0-9a-z.])(?:phi|angle)_?(?P<sign>[-m]?)(?P<num>\d+(?:[.p]\d+)?)(?![0-9a-z.])", re.I
)
_REPEAT_NAME_RE = re.compile(r"[_\-\s](?:rep|repeat|run)?(?P<n>\d{1,3})$", re.I)


# ----------------------------------------------------------------------------------------
# Names
# ----------------------------------------------------------------------------------------

def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", name.lower())


def _number(text: str) -> float:
    return float(text.replace("p", ".").replace("P", "."))


def _one_from_name(name: str, stem: str, patterns, value, what: str, unit: str, option: str):
    """The one quantity ``value(match)`` that ``patterns`` find in ``stem``, or ``None``;
    a :class:`DataError` naming the file when the name holds two different ones."""
    found = {value(m) for rx in patterns for m in rx.finditer(stem)}
    if len(found) > 1:
        raise DataError(f"{Path(name).name}: the file name holds several {what} "
                        f"{sorted(found)} {unit}; pass {option}=... to say which")
    return found.pop() if found else None


def _signed(m) -> float:
    """The number of a match, negative after a ``-`` or ``m`` sign."""
    v = _number(m.group("num"))
    return -v if m.group("sign") in ("-", "m") else v


def frequency_from_name(name: str) -> float | None:
    """Frequency in GHz written in a file name, or ``None``.

    Recognises ``9GHz``, ``9.00GHz``, ``9p5GHz``, ``f9GHz``, ``9000MHz``
    (case-insensitive), as a separate token of the name.

    Raises
    ------
    DataError
        If the name holds two different frequencies.
    """
    def ghz(m):
        return round(_number(m.group("num")) * (1e-3 if m.group("unit").lower() == "mhz" else 1.0), 12)

    return _one_from_name(name, Path(name).name, (_FREQ_NAME_RE,), ghz, "frequencies", "GHz",
                          "frequency")


def power_from_name(name: str) -> float | None:
    """Rf power in dBm written in a file name (``10.00dBm``, ``-5dBm``, ``m5dBm``), or ``None``."""
    return _one_from_name(name, Path(name).name, (_POWER_NAME_RE,), _signed, "powers", "dBm",
                          "power")


def angle_from_name(name: str) -> float | None:
    """In-plane field angle in degrees written in a file name, or ``None``.

    Recognises a number followed by ``deg`` (``_30deg_``, ``30p5deg``, ``phi30deg``,
    ``angle-15deg``, ``phim15deg``) and a number after ``phi`` or ``angle`` without a unit
    (``phi30``, ``angle_30``: degrees), as a separate token of the name. A sign is read only
    after ``phi``/``angle`` (``-`` or ``m``); elsewhere ``-`` separates tokens.

    Raises
    ------
    DataError
        If the name holds two different angles.
    """
    return _one_from_name(name, Path(name).stem, (_ANGLE_UNIT_RE, _ANGLE_PREFIX_RE), _signed,
                          "field angles", "deg", "field_angle")


def repeat_from_name(name: str) -> int:
    """Repeat index from a trailing ``_N`` of the file stem (``9GHz_1.lvm`` -> 1), else 0.

    Also accepts ``-N``, ``_repN``, ``_repeatN`` and ``_runN``. A stem that
    ends in a number followed by a unit (``_0.00mA``) has no repeat index.
    """
    stem = Path(name).stem
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

def _accepted(dimension: str) -> str:
    return ", ".join(FIELD_UNITS if dimension == "field" else VOLTAGE_UNITS)


def _option_unit(unit, dimension: str, option: str) -> str | None:
    if unit is None:
        return None
    try:
        key = _units.normalise_unit(str(unit))
        if _units.dimension_of(key) != dimension:
            raise UnitError("wrong dimension")
    except UnitError:
        raise UnitError(f"{option}={unit!r} is not a {dimension} unit; accepted: "
                        f"{_accepted(dimension)}") from None
    return key


def _header_unit(table: Table, col: int, dimension: str) -> tuple[str, str | None]:
    """(name, unit) of a column from its header, checking the dimension."""
    if table.columns is None:
        return "", None
    raw = table.columns[col]
    try:
        name, unit = _units.split_header(raw)
    except UnitError:
        accepted = (_accepted(dimension) if dimension in ("field", "voltage")
                    else _units.HOUSE[dimension])
        raise UnitError(
            f"{table.name}: column {raw!r} has an unknown unit; accepted {dimension} units: "
            f"{accepted}"
        ) from None
    if unit is not None and _units.dimension_of(unit) != dimension:
        raise UnitError(
            f"{table.name}: column {raw!r} is read as {dimension} but its unit {unit!r} is a "
            f"{_units.dimension_of(unit)} unit"
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


def _find_column(table: Table, spec, role: str, names: set[str], required: bool,
                 option: str) -> int | None:
    n = table.n_columns
    if spec is not None:
        if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
            idx = int(spec)
            if not -n <= idx < n:
                raise DataError(f"{table.name}: {option}={spec} but the file has {n} column(s)")
            return idx % n
        if table.columns is None:
            raise DataError(f"{table.name}: {option}={spec!r} names a column, but the file has "
                            "no column header row; give the 0-based column index instead")
        want = str(spec).strip().lower()
        parsed = _column_names(table)
        hits = [i for i, c in enumerate(table.columns)
                if c.strip().lower() == want or parsed[i] == want]
        if len(hits) != 1:
            raise DataError(f"{table.name}: {option}={spec!r} matches {len(hits)} of the "
                            f"columns {list(table.columns)}")
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
            f"{[table.columns[i] for i in hits]}; pass {option}= (name or 0-based index)"
        )
    if not hits:
        if required:
            raise DataError(
                f"{table.name}: no {role} column among {list(table.columns)}; name it "
                f"(e.g. {'Field (Oe)' if role == 'field' else 'Vmix (uV)'}) or pass {option}= "
                "(name or 0-based index)"
            )
        return None
    return hits[0]


def _resolve_unit(table: Table, col: int, dimension: str, option_unit: str | None,
                  option: str, rule_unit: str | None) -> tuple[str, str]:
    """The unit of column ``col`` and where it came from."""
    _, head = _header_unit(table, col, dimension)
    if head is not None and option_unit is not None:
        if _units.convert(1.0, head, option_unit) != 1.0:
            raise UnitError(
                f"{table.name}: column {table.columns[col]!r} says {head!r} but "
                f"{option}={option_unit!r}; remove the option or correct the header"
            )
        return head, "header"
    if head is not None:
        return head, "header"
    if option_unit is not None:
        return option_unit, "option"
    if rule_unit is not None:
        return rule_unit, "lvm layout"
    example = "field_unit='T', voltage_unit='V'"
    raise UnitError(
        f"{table.name}: {table.column_label(col)} ({dimension}) has no unit, and {option} was "
        f"not given; pass {option}= (accepted: {_accepted(dimension)}), for example "
        f"read_stfmr(..., {example}) if the file holds field in T and V_mix in V, or write "
        f"the unit in the header ('{'Field (Oe)' if dimension == 'field' else 'Vmix (V)'}', "
        f"'{'field_mT' if dimension == 'field' else 'vmix_uV'}')"
    )


def _check_finite(table: Table, col: int, what: str) -> None:
    values = table.data[:, col]
    bad = ~np.isfinite(values)
    if bad.any():
        lines = table.lines[bad][:5].tolist()
        raise DataError(
            f"{table.name}: {table.column_label(col)} ({what}) has {int(bad.sum())} missing or "
            f"non-finite value(s) (NaN, inf or empty) at line(s) {lines}; remove those rows "
            "or fill them explicitly"
        )


# ----------------------------------------------------------------------------------------
# Frequency and power
# ----------------------------------------------------------------------------------------

def _header_quantity(table: Table, names: set[str], dimension: str):
    """(value in house unit, key) of a header entry such as ``Frequency(GHz): 9``."""
    found = []
    for key, value in table.header.items():
        try:
            name, unit = _units.split_header(key)
        except UnitError:
            continue
        if _key(name) not in names:
            continue
        try:
            number, vunit = _units.parse_quantity(value)
        except UnitError:
            continue
        unit = unit or (vunit or None)
        found.append((key, number, unit))
    if not found:
        return None
    if len(found) > 1:
        raise DataError(f"{table.name}: several header entries could give the {dimension}: "
                        f"{[k for k, _, _ in found]}")
    key, number, unit = found[0]
    if unit is None:
        raise UnitError(
            f"{table.name}: header entry {key!r} = {table.header[key]!r} has no unit; write it "
            f"as '{key} ({_units.HOUSE[dimension]}): ...' or pass the value as an option"
        )
    try:
        value, _ = _units.to_house(number, unit, dimension)
    except UnitError as exc:
        raise UnitError(f"{table.name}: header entry {key!r}: {exc}") from None
    return float(value), key


def _option_quantity(value, dimension: str, default_unit: str, option: str):
    if value is None:
        return None
    try:
        return float(_units.quantity(value, dimension, default_unit=default_unit))
    except (UnitError, ValueError) as exc:
        raise UnitError(f"{option}={value!r}: {exc}") from None


def _agree(a: float, b: float) -> bool:
    return bool(np.isclose(a, b, rtol=1e-6, atol=1e-9))


def _file_level(table: Table, option_value, names, dimension, from_name, option,
                lenient=False):
    """One value for the whole file from header, file name and option (None if none).

    With ``lenient``, a header entry without a usable unit is skipped with a
    warning instead of raising (used for the optional power).
    """
    sources = []
    try:
        head = _header_quantity(table, names, dimension)
    except UnitError as exc:
        if not lenient:
            raise
        warnings.warn(f"{exc}; {dimension} not recorded from the header", stacklevel=4)
        head = None
    if head is not None:
        sources.append((head[0], f"header entry {head[1]!r}"))
    nm = from_name(table.name)
    if nm is not None:
        sources.append((nm, "file name"))
    if option_value is not None:
        sources.append((option_value, f"{option}="))
    for value, where in sources[1:]:
        if not _agree(value, sources[0][0]):
            unit = _units.HOUSE[dimension]
            raise DataError(
                f"{table.name}: the {sources[0][1]} gives {sources[0][0]:g} {unit} but the "
                f"{where} gives {value:g} {unit}"
            )
    return sources[0] if sources else None


def _column_quantity(table: Table, col: int, dimension: str, option_unit: str | None,
                     option: str) -> np.ndarray:
    name, unit = _header_unit(table, col, dimension)
    unit = unit or option_unit
    if unit is None:
        raise UnitError(
            f"{table.name}: {table.column_label(col)} ({dimension}) has no unit; write it in "
            f"the header (e.g. 'frequency (GHz)') or pass {option}= "
            f"(e.g. {_units.HOUSE[dimension]!r})"
        )
    return np.asarray(_units.to_house(table.data[:, col], unit, dimension)[0], dtype=float)


# ----------------------------------------------------------------------------------------
# Sweep structure
# ----------------------------------------------------------------------------------------

def _segments(field: np.ndarray):
    """Split a sweep (file order) into monotonic segments.

    Returns
    -------
    segments : list of (start, stop, branch, problem)
        ``branch`` holds +1/-1 per point (zero-field points join the branch
        they are measured in); ``problem`` describes why the next segment
        starts (``None`` for the last).
    """
    n = field.size
    segs = []
    start = 0
    while start < n:
        branch = np.zeros(n - start, dtype=int)
        cur_pol = int(np.sign(field[start]))
        seen = {cur_pol} if cur_pol else set()
        cur_dir = 0
        branch[0] = cur_pol
        stop, problem = n, None
        for i in range(start + 1, n):
            p = int(np.sign(field[i])) or cur_pol
            if cur_pol == 0 and p != 0:
                cur_pol = p
                seen.add(p)
                branch[: i - start] = p  # leading zeros join the first branch
            elif p != cur_pol:
                if p in seen:
                    stop = i
                    problem = (f"comes back to the {'positive' if p > 0 else 'negative'} "
                               "field branch after leaving it")
                    break
                seen.add(p)
                cur_pol, cur_dir = p, 0
                branch[i - start] = p
                continue
            branch[i - start] = cur_pol
            d = int(np.sign(field[i] - field[i - 1]))
            if d == 0:
                continue
            if cur_dir == 0:
                cur_dir = d
            elif d != cur_dir:
                stop = i
                problem = (f"reverses direction (was going {'up' if cur_dir > 0 else 'down'}) "
                           f"inside the {'positive' if cur_pol > 0 else 'negative'} field branch")
                break
        branch = branch[: stop - start]
        branch[branch == 0] = 1  # a sweep made only of zero-field points
        segs.append((start, stop, branch, problem))
        start = stop
    return segs


def _branch_direction(field: np.ndarray, branch: np.ndarray, pol: int) -> str | None:
    v = field[branch == pol]
    d = np.sign(np.diff(v))
    d = d[d != 0]
    if d.size == 0:
        return None
    return "up" if d[0] > 0 else "down"


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
                raise DataError(f"{p}: folder holds no data files ({', '.join(SUFFIXES)})")
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
        raise ValueError(f"{option} has {len(values)} entries for {n} file(s)")
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


def read_stfmr(paths, *, field_unit=None, voltage_unit=None, frequency=None, power=None,
               field_column=None, voltage_column=None, frequency_column=None,
               power_column=None, frequency_unit=None, allow_duplicates=False,
               split_sweeps=False, field_angle=None) -> Sweep:
    """Read ST-FMR spectra V_mix(H) from instrument text files.

    Parameters
    ----------
    paths : str, os.PathLike, or iterable of them
        Files, or folders (every ``.lvm``, ``.dat``, ``.txt``, ``.csv``,
        ``.tsv`` inside, in natural name order). Files are read, never written.
    field_unit : str, optional
        Unit of the field column when its header carries none: ``'T'``,
        ``'mT'``, ``'Oe'``, ``'A/m'`` (also ``'kOe'``, ``'G'``, ``'kA/m'``).
        A header unit that disagrees with it is an error.
    voltage_unit : str, optional
        Unit of the V_mix column when its header carries none: ``'V'``,
        ``'mV'``, ``'uV'`` (or ``'µV'``), ``'nV'``.
    frequency : float or str or sequence, optional
        Rf frequency, a number in GHz or a string with a unit (``'9GHz'``),
        or one per file. Used when the file gives none; if the file gives one
        that differs, that is an error.
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
        LabVIEW ``.lvm`` layout (field in Oe, V_mix in V).
    frequency_unit : str, optional
        Unit of a frequency column whose header carries none (``'GHz'``,
        ``'MHz'``, ``'Hz'``).
    allow_duplicates : bool
        Average points with exactly the same field value inside one polarity
        branch (recorded as meta ``averaged_duplicates``) instead of raising.
    split_sweeps : bool
        Read a file (or a frequency of a long-format file) that holds more
        than one monotonic sweep as one Dataset per sweep (meta ``segment``)
        instead of raising.

    Returns
    -------
    Sweep
        One Dataset per (file, frequency, power, segment), in file order and
        then by increasing frequency. ``x``: field mu0*H in T, signed, sorted
        ascending; ``y``: V_mix in uV. ``meta``: ``frequency`` (GHz),
        ``power`` (dBm, only if known), ``source`` (file name), ``path``,
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
        ``averaged_duplicates`` (when ``allow_duplicates`` merged any), and
        every header entry (raw key; numbers as float) that does not collide
        with these names.

    Raises
    ------
    DataError
        Empty file, no numeric rows, NaN/empty cells (naming column and
        line), fewer than :data:`MIN_POINTS` points, duplicated field values,
        a sweep that reverses or returns to a branch, a missing frequency, or
        conflicting frequency/power sources. Every message names the file.
    UnitError
        A missing, unknown or wrong-dimension unit, naming the file, the
        column and the accepted spellings.
    FileNotFoundError
        A path that does not exist.
    """
    files = _expand(paths)
    fu = _option_unit(field_unit, "field", "field_unit")
    vu = _option_unit(voltage_unit, "voltage", "voltage_unit")
    fq_unit = None
    if frequency_unit is not None:
        fq_unit = _units.normalise_unit(frequency_unit)
        if _units.dimension_of(fq_unit) != "frequency":
            raise UnitError(f"frequency_unit={frequency_unit!r} is not a frequency unit "
                            "(GHz, MHz, kHz, Hz)")
    freqs = [_option_quantity(v, "frequency", "GHz", "frequency")
             for v in _per_file(frequency, len(files), "frequency")]
    powers = [_option_quantity(v, "power", "dBm", "power")
              for v in _per_file(power, len(files), "power")]
    angles = [_option_quantity(v, "angle", "deg", "field_angle")
              for v in _angles_per_file(field_angle, files, paths)]

    out: list[Dataset] = []
    for path, f_opt, p_opt, a_opt in zip(files, freqs, powers, angles):
        out.extend(_read_one(path, fu, vu, f_opt, p_opt, field_column, voltage_column,
                             frequency_column, power_column, fq_unit, allow_duplicates,
                             split_sweeps, a_opt))
    return Sweep(tuple(out))


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


def _read_one(path, fu, vu, f_opt, p_opt, field_column, voltage_column, frequency_column,
              power_column, fq_unit, allow_duplicates, split_sweeps,
              a_opt=None) -> list[Dataset]:
    table = read_table(path)
    name = table.name
    lvm = _is_lvm_layout(table)

    # Columns.
    if table.columns is None and not lvm and (field_column is None or voltage_column is None):
        raise DataError(
            f"{name}: the file has no column header row, so sotfit cannot tell which column is "
            f"the field and which V_mix, nor their units; pass field_column= and voltage_column= "
            f"(0-based indices of its {table.n_columns} columns) and field_unit=, voltage_unit=, "
            f"or add a header row such as 'Field (Oe)<TAB>Vmix (V)'"
        )
    fcol = _find_column(table, field_column, "field", _FIELD_NAMES, True, "field_column")
    vcol = _find_column(table, voltage_column, "voltage", _VOLTAGE_NAMES, True, "voltage_column")
    if fcol is None:  # lvm layout
        fcol = 0
    if vcol is None:
        vcol = 1
    if fcol == vcol:
        raise DataError(f"{name}: the field and V_mix columns are the same "
                        f"({table.column_label(fcol)})")
    qcol = _find_column(table, frequency_column, "frequency", _FREQUENCY_NAMES, False,
                        "frequency_column")
    pcol = _find_column(table, power_column, "power", _POWER_NAMES, False, "power_column")
    for c in (qcol, pcol):
        if c is not None and c in (fcol, vcol):
            raise DataError(f"{name}: {table.column_label(c)} is used twice")

    # Units.
    f_unit, f_from = _resolve_unit(table, fcol, "field", fu, "field_unit", "Oe" if lvm else None)
    v_unit, v_from = _resolve_unit(table, vcol, "voltage", vu, "voltage_unit", "V" if lvm else None)
    units_from = f_from if f_from == v_from else f"field: {f_from}, voltage: {v_from}"

    for c, what in ((fcol, "field"), (vcol, "V_mix"), (qcol, "frequency"), (pcol, "power")):
        if c is not None:
            _check_finite(table, c, what)

    field_raw = table.data[:, fcol]
    field_T = np.asarray(_units.to_house(field_raw, f_unit, "field")[0], dtype=float)
    vmix_uV = np.asarray(_units.to_house(table.data[:, vcol], v_unit, "voltage")[0], dtype=float)
    fmax = float(np.max(np.abs(field_T)))
    if fmax > _FIELD_LIMIT_T:
        raise UnitError(
            f"{name}: with the field in {f_unit!r} ({f_from}) the largest |mu0 H| is {fmax:.3g} T, "
            "beyond any ST-FMR magnet; check field_unit"
        )
    vmax = float(np.max(np.abs(vmix_uV))) * 1e-6
    if vmax > _VOLTAGE_LIMIT_V:
        raise UnitError(
            f"{name}: with V_mix in {v_unit!r} ({v_from}) the largest |V_mix| is {vmax:.3g} V; "
            "check voltage_unit"
        )

    # Frequency and power.
    if qcol is not None:
        fq = _column_quantity(table, qcol, "frequency", fq_unit, "frequency_unit")
        if f_opt is not None and not np.allclose(fq, f_opt, rtol=1e-6, atol=1e-9):
            raise DataError(f"{name}: frequency={f_opt:g} GHz was given but the file has a "
                            f"frequency column {table.column_label(qcol)}")
        f_where = f"column {table.column_label(qcol)}"
    else:
        level = _file_level(table, f_opt, _FREQUENCY_NAMES, "frequency", frequency_from_name,
                            "frequency")
        if level is None:
            raise DataError(
                f"{name}: no rf frequency found. Give it in one of three ways: a frequency "
                "column (e.g. 'frequency (GHz)', or frequency_column=), a header entry "
                "(e.g. 'Frequency(GHz): 9'), or the file name (e.g. '9GHz.lvm', "
                "'stfmr_9.00GHz_10dBm.dat', 'f9GHz.csv'); or pass frequency=9 (GHz)"
            )
        fq = np.full(field_T.size, level[0])
        f_where = level[1]

    pw = None
    if pcol is not None:
        _, punit = _header_unit(table, pcol, "power")
        if punit is None:
            warnings.warn(f"{name}: power column {table.column_label(pcol)} has no unit (dBm "
                          "expected); power not recorded", stacklevel=3)
        else:
            pw = table.data[:, pcol].astype(float)
    if pw is None:
        level = _file_level(table, p_opt, _POWER_NAMES, "power", power_from_name, "power",
                            lenient=True)
        if level is not None:
            pw = np.full(field_T.size, level[0])

    angle = _file_level(table, a_opt, _ANGLE_NAMES, "angle", angle_from_name, "field_angle",
                        lenient=True)
    angle_meta = {} if angle is None else {"field_angle": float(angle[0]),
                                           "field_angle_from": angle[1]}

    repeat = repeat_from_name(name)
    sample = _sample(table)
    header_meta = _header_meta(table)

    # Group by (frequency, power), keeping file order inside a group.
    keys = np.column_stack([fq, pw if pw is not None else np.zeros_like(fq)])
    uniq = np.unique(keys, axis=0)
    datasets = []
    for fval, pval in uniq:
        rows = np.flatnonzero((keys[:, 0] == fval) & (keys[:, 1] == pval))
        label = f"{name} at {fval:g} GHz" + (f", {pval:g} dBm" if pw is not None else "")
        segs = _segments(field_raw[rows])
        if len(segs) > 1 and not split_sweeps:
            s0 = segs[0]
            line = int(table.lines[rows[s0[1]]])
            raise DataError(
                f"{label}: the field sweep {s0[3]} at line {line}, so the data hold "
                f"{len(segs)} sweeps; read each monotonic sweep as its own spectrum with "
                "split_sweeps=True, or split the file"
            )
        for k, (a, b, branch, _) in enumerate(segs):
            r = rows[a:b]
            seg_label = label + (f", sweep {k}" if len(segs) > 1 else "")
            datasets.append(_make_dataset(
                table, r, branch, field_raw[r], field_T[r], vmix_uV[r], seg_label, allow_duplicates,
                {"frequency": float(fval), **({"power": float(pval)} if pw is not None else {}),
                 "source": name, "path": str(table.path), "sample": sample,
                 "repeat": repeat, "segment": k,
                 "field_unit_in_file": f_unit, "voltage_unit_in_file": v_unit,
                 "units_from": units_from, "frequency_from": f_where, **angle_meta},
                header_meta))
    return datasets


def _make_dataset(table, rows, branch, raw, x, y, label, allow_duplicates, meta, header_meta):
    if x.size < MIN_POINTS:
        raise DataError(f"{label}: only {x.size} data point(s); a spectrum needs at least "
                        f"{MIN_POINTS} points of a field sweep")
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
                f"{label}: field value {vals[j]:g} {meta['field_unit_in_file']} appears "
                f"{int(counts[j])} times in the {'positive' if pol > 0 else 'negative'} branch "
                f"(lines {lines}); {int(np.sum(counts > 1))} value(s) are repeated. sotfit does "
                "not merge them silently: pass allow_duplicates=True to average them"
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
            d = _branch_direction(raw, branch, pol)
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
    return Dataset(x[order], y[order], x_name="field", y_name="vmix", x_unit="T", y_unit="uV",
                   meta=full_meta)
