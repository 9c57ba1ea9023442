"""Columns of an ST-FMR file and their units: which column is the field, the voltage, the
frequency or the power, and the unit of each from its header or an option. A column without
a unit is an error naming the file, the column and the option that gives it.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from ... import units as _units
from ...data import DataError
from ...units import UnitError, readings_text
from ..table import ERROR_WORDS
from ..text import Table
from .. import cache as _cache
from .options import _STYLE, _opt, _opt_override, _opts


__all__ = [
    "FIELD_UNITS",
    "VOLTAGE_UNITS",
]


#: Field units accepted in headers and options (aliases such as ``oe`` also work).
FIELD_UNITS = ("T", "mT", "uT", "Oe", "kOe", "G", "kG", "A/m", "kA/m")


#: Voltage units accepted in headers and options (``µV`` and ``uV`` both work).
VOLTAGE_UNITS = ("V", "mV", "uV", "nV")


# Column and header names, lower case without blanks, '_', '-' or '.'; with the German and
# French names of exports from spreadsheets set up in those languages (which also write
# decimal commas, :mod:`sotfit.io.text`).
_FIELD_NAMES = {"field", "h", "b", "mu0h", "bfield", "hfield", "magneticfield", "appliedfield",
                "hext", "bext", "happ", "bapp", "mu0hext",
                "feld", "magnetfeld", "champ", "champmagnétique", "champmagnetique"}


_VOLTAGE_NAMES = {"vmix", "voltage", "v", "vdc", "signal", "mixingvoltage", "dcvoltage",
                  "spannung", "mischspannung", "tension", "vrect", "vrectified",
                  "rectifiedvoltage", "vstfmr", "vst", "stfmrsignal", "stfmrvoltage",
                  "vsp", "spinpumpingvoltage", "vishe"} | {
                      # a field-modulated lock-in's reading, h_m dV/dH (--lineshape derivative)
                      "dv/dh", "dv/db", "dvmix/dh", "dvmix/db", "dvdh", "dvdb", "dvmixdh",
                      "dvmixdb"}
#: Voltage column names that say the column holds a field derivative of V_mix.
DERIVATIVE_NAMES = {"dv/dh", "dv/db", "dvmix/dh", "dvmix/db", "dvdh", "dvdb", "dvmixdh",
                    "dvmixdb"}


_FREQUENCY_NAMES = {"frequency", "freq", "f", "rffrequency", "rffreq", "frequencies",
                    "frequenz", "fréquence", "frequence", "frf", "fmw"}


#: Words of a frequency that is not the rf frequency (a lock-in's reference or modulation, a
#: limit or step of a sweep, a filter's corner, an analyser's span).
_NOT_RF_FREQUENCY = ("lockin", "lia", "ref", "mod", "chop", "demod", "sampling", "sample",
                     "max", "min", "start", "stop", "span", "cutoff", "corner", "filter",
                     "bandwidth", "nyquist", "clock", "trigger", "repetition")
#: Whole names of a frequency that is not the rf one: a mixer's local oscillator and its
#: intermediate frequency ('LO frequency: 7.9 GHz' was read as the rf frequency), the rate of
#: an amplitude modulation ('AM frequency: 137 Hz' beside 'MW frequency: 4 GHz').
_NOT_RF_NAMES = {"lofrequency", "lofreq", "iffrequency", "iffreq", "localoscillatorfrequency",
                 "amfrequency", "amfreq", "amplitudemodulationfrequency"}


def _instrument_frequency(key: str) -> bool:
    """Whether a name (:func:`_key`) is an instrument's name for the rf frequency when none of
    :data:`_FREQUENCY_NAMES` is there: ``mw_frequency``, ``sg_freq``, ``Microwave frequency``,
    not a lock-in's reference or modulation frequency, a sweep's limit or a local oscillator's
    (:data:`_NOT_RF_FREQUENCY`, :data:`_NOT_RF_NAMES`)."""
    return key.endswith(("frequency", "freq")) and key not in _NOT_RF_NAMES \
        and not any(w in key for w in _NOT_RF_FREQUENCY)


_SAMPLE_NAMES = {"sample", "samplename", "sampleid", "device", "devicename"}


_POWER_NAMES = {"power", "rfpower", "p", "pow", "rfpow", "leistung", "puissance"}


_ANGLE_NAMES = {"fieldangle", "angle", "phi", "phih", "fieldphi", "inplaneangle",
                "inplanefieldangle", "anglephi", "winkel", "feldwinkel"}


# Lock-in outputs: X/Y, Xchannel, X1, lockin_X, ... (a hint when no V_mix column is found)
_LOCKIN_RE = re.compile(r"^(?:lockin|li)?(?P<axis>[xy])(?:channel|chan|ch|out|output|signal|value)?"
                        r"\d*$")


#: A lock-in named in a header (``Vmix (uV, lock-in X)``, ``V (Lockin)``).
_LOCKIN_WORD_RE = re.compile(rf"(?<![a-z]){_units.LOCKIN_WORD}(?![a-z])", re.I)


#: A lock-in's magnitude and phase outputs (a hint when no V_mix column is found).
_MAGNITUDE_NAMES = {"r", "mag", "magnitude", "amplitude", "lockinr", "rchannel", "rlockin"}
_PHASE_NAMES = {"theta", "phase", "θ", "lockintheta", "thetachannel", "lockinphase"}


def _key(name: str) -> str:
    """A column or header name compared without case, spaces, underscores, dashes or dots."""
    return re.sub(r"[\s_\-.]", "", name.lower())


_ACCEPTED = {"field": FIELD_UNITS, "voltage": VOLTAGE_UNITS,
             "frequency": ("GHz", "MHz", "kHz", "Hz"), "power": ("dBm",), "current": ("A", "mA")}


def _accepted(dimension: str) -> str:
    """The unit spellings of ``dimension`` to list in a message."""
    return ", ".join(_ACCEPTED[dimension])


def _option_unit(unit, dimension: str, option: str) -> str | None:
    """The unit given by an option, normalised; a unit of another dimension is an error naming
    the option and the accepted spellings."""
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
    """The names of the header columns without their units, lower case."""
    return [_bare_name(raw) for raw in table.columns or ()]


def _bare_name(raw: str) -> str:
    """A column header's name without its unit (lower case where the unit cannot be read)."""
    try:
        return _units.split_header(raw)[0]
    except UnitError:
        return re.sub(r"\s*[(\[].*$", "", raw).strip().lower()


def is_lockin_output(label: str) -> bool:
    """Whether a column header names a lock-in output (``Lock-in X (V)``, ``Xchannel``, ``R``):
    a reading of V_mix that may hold a modulation factor."""
    k = _key(_bare_name(label))
    return bool(_LOCKIN_RE.match(k)) or k in _MAGNITUDE_NAMES \
        or _LOCKIN_WORD_RE.search(label) is not None


def _lockin_hint(table: Table) -> str:
    """A sentence naming the options for lock-in X/Y (or magnitude and phase) columns, if the
    file has them."""
    axes = {}
    for c, k in zip(table.columns or (), _column_names(table)):
        m = _LOCKIN_RE.match(_key(k))
        if m:
            axes.setdefault(m.group("axis"), c)
        elif _key(k) in _MAGNITUDE_NAMES:
            axes.setdefault("r", c)
        elif _key(k) in _PHASE_NAMES:
            axes.setdefault("theta", c)
    if "r" in axes and "theta" in axes and set(axes) != {"x", "y", "r", "theta"}:
        r, theta = axes["r"], axes["theta"]
        return (f"; {r!r} and {theta!r} look like the lock-in's magnitude and phase: the "
                "magnitude alone has lost the sign of V_mix; read both with "
                f"{_opt('lockin_channels', (r, theta))} (X = R cos(theta), Y = R sin(theta), "
                "the phase's unit, deg or rad, in its name; the lock-in phase is then fitted)")
    if not {"x", "y"} <= set(axes):
        one = axes.get("x", axes.get("y"))
        return ("" if one is None else f"; {one!r} looks like a lock-in output: read it with "
                                       f"{_opt('voltage_column', one)}")
    x, y = axes["x"], axes["y"]
    return (f"; {x!r} and {y!r} look like lock-in outputs: read one with "
            f"{_opt('voltage_column', x)}, or both with the lock-in phase fitted, "
            f"{_opt('lockin_channels', (x, y))}")


#: A magnet's current, not its field (a hint when no field column is found).
_MAGNET_CURRENT_RE = re.compile(r"(magnet|coil|electromagnet|psu|supply).*(current|curr|i)$|"
                                r"^i(magnet|coil)$|^(current|i)$")


def _magnet_current_column(table: Table) -> int | None:
    """The column that looks like the magnet's current (``Magnet current (A)``), or None."""
    hits = [i for i, k in enumerate(_column_names(table)) if _MAGNET_CURRENT_RE.search(_key(k))]
    return hits[0] if len(hits) == 1 else None


def _field_hint(table: Table) -> str:
    """A sentence for a file without a field column that sweeps the frequency, or logs the
    magnet's current, or ""."""
    names = [_key(k) for k in _column_names(table)]
    for i, (c, k) in enumerate(zip(table.columns or (), names)):
        values = table.data[:, i] if table.data is not None and i < table.data.shape[1] else ()
        swept = len(values) > 2 and len(np.unique(values)) > len(values) // 2
        if (k in _FREQUENCY_NAMES or "freq" in k) and swept:
            return (f"; {c!r} is a frequency: a spectrum swept in frequency at a fixed field is "
                    "not read (sotfit stfmr fits field sweeps, one frequency each)")
    for c, k in zip(table.columns or (), names):
        if _MAGNET_CURRENT_RE.search(k):
            return (f"; {c!r} looks like the magnet's current, not the field: give the "
                    f"magnet's calibration table with {_opt('calibration')} (current against "
                    f"field), or name the column with {_opt('field_column', c)} if it is the "
                    "field")
    return ""


def _find_column(table: Table, spec, role: str, names: set[str], required: bool,
                 option: str) -> int | None:
    """The index of the column of ``role``: the one named or numbered by ``spec`` (the option),
    else the one whose name is in ``names``; None when not found and not ``required``."""
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
            text = [n for n in table.notes if "of text not read" in n
                    and f"{spec!r}".lower() in n.lower()] if not hits else []
            raise DataError(f"{table.name}: {_opt(option, spec)} matches {len(hits)} of the "
                            f"columns {list(table.columns)}; "
                            + (f"the reader left that column out as text ({text[0]}): no "
                               "option reads it, write its cells as numbers" if text else
                               "give the name as written in the header, or the 0-based index"))
        return hits[0]
    if table.columns is None:
        return None
    parsed = [_key(c) for c in _column_names(table)]
    hits = [i for i, c in enumerate(parsed) if c in names]
    if hits and role == "field":        # 'Field (mT)' beside 'Field measured (mT)': which?
        hits += [i for i, c in enumerate(parsed) if i not in hits and "field" in c
                 and not any(w in c for w in ERROR_WORDS)
                 and _units.header_dimension(table.columns[i]) == "field"]
    if not hits and role == "field":
        hits = [i for i, c in enumerate(parsed) if "field" in c]
    if not hits and role == "voltage":
        hits = [i for i, c in enumerate(parsed) if "vmix" in c or "voltage" in c]
    if not hits and role == "field":    # the one column in tesla, oersted or A/m when no name
        # says which (an instrument's: probe_reading (mT)) and no magnet current may be the
        # swept quantity; never so for V_mix, whose one column in volts may be a lock-in's
        # magnitude or a power detector's reading
        hits = [i for i in range(n) if _units.header_dimension(table.columns[i]) == "field"]
        current = any(_MAGNET_CURRENT_RE.search(k) for k in parsed)
        hits = hits if len(hits) == 1 and not current else []
    if not hits and role == "frequency":       # an instrument's: mw_frequency, sg_freq
        hits = [i for i, c in enumerate(parsed) if _instrument_frequency(c)]
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
                + (_lockin_hint(table) if role == "voltage" else _field_hint(table))
                + "".join(f"; the reader found {n} (no option names a column of text)"
                          for n in table.notes if "of text not read" in n)
            )
        return None
    return hits[0]


#: Units found for a column: (header row, column, options of the unit) -> ((unit, where),
#: notes added).
_UNITS = _cache.LRU()


def _resolve_unit(table: Table, col: int, dimension: str, option_unit: str | None,
                  option: str, rule_unit: str | None, block: str | None = None,
                  notes: list | None = None, override: bool = False) -> tuple[str, str]:
    """The unit of column ``col`` and where it came from (:func:`_find_unit`), remembered
    for the header row and the options (the notes are spelled in the option style)."""
    key = (table.columns, col, dimension, option_unit, option, rule_unit, block, _STYLE.get(),
           override)
    hit = _UNITS.get(key)
    if hit is None:
        added: list[str] = []
        hit = (_find_unit(table, col, dimension, option_unit, option, rule_unit, block, added,
                          override), tuple(added))
        _UNITS.put(key, hit)
    if notes is not None:
        notes.extend(hit[1])
    return hit[0]


def _find_unit(table: Table, col: int, dimension: str, option_unit: str | None,
               option: str, rule_unit: str | None, block: str | None = None,
               notes: list | None = None, override: bool = False) -> tuple[str, str]:
    """The unit of column ``col`` and where it came from.

    In a side-by-side layout (``block`` is the pair's label) the header holds labels, not
    units, so the unit must come from the option. A header unit that sotfit does not know
    gives way to the option (with a note in ``notes``); a known one must agree with it, unless
    ``override`` (the header's unit is known to be wrong): then the option's unit is read, noted.
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
            if override:
                if notes is not None:
                    notes.append(f"{table.column_label(col)} read in {option_unit}, not in the "
                                 f"{head} its header says, as "
                                 f"{_opt_override(dimension, option_unit)} says")
                return option_unit, "option (over the header)"
            raise UnitError(
                f"{table.name}: column {table.columns[col]!r} says {head!r} but "
                f"{_opt(option, option_unit)}; remove the option, or if the header's unit is "
                f"wrong, pass {_opt_override(dimension, option_unit)}"
            )
        return head, "header"
    if head is not None:
        note = _units.prefix_case_note(_units.written_unit(table.columns[col]))
        if note is not None and notes is not None:
            notes.append(f"{table.column_label(col)}: {note}")
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
    # what each unit would make of the numbers: an example unit alone invites the wrong one
    readings = readings_text(table.data[:, col], dimension) if table.data.ndim == 2 else None
    raise UnitError(
        f"{table.name}: {table.column_label(col)} ({dimension}) has no unit"
        f"{f' ({readings})' if readings else ''}, and "
        f"{_opt(option)} was not given; pass {_opt(option)} (accepted: {_accepted(dimension)}), "
        f"for example {example} if the file holds field in T and V_mix in V, or write "
        f"the unit in the header ('{'Field (Oe)' if dimension == 'field' else 'Vmix (V)'}', "
        f"'{'field_mT' if dimension == 'field' else 'vmix_uV'}')"
    )


#: The magnitude from which a number is an instrument's overrange marker, not a reading: SCPI
#: instruments (Keysight, Keithley, Tektronix) write 9.9E37 (Keithley 9.91E37) where a reading
#: was out of range or missing.
OVERRANGE_MARKER = 9.9e37


def _check_finite(table: Table, col: int, what: str, option: str, rows=None) -> None:
    """Refuse missing or non-finite values in a column, and instruments' overrange markers
    (:data:`OVERRANGE_MARKER`), naming the file, the column and the lines."""
    values = table.data[:, col] if rows is None else table.data[rows, col]
    all_lines = table.lines if rows is None else table.lines[rows]
    marked = np.isfinite(values) & (np.abs(values) >= OVERRANGE_MARKER)
    if marked.any():
        lines = all_lines[marked][:5].tolist()
        raise DataError(
            f"{table.name}: {table.column_label(col)} ({what}) holds {int(marked.sum())} "
            f"overrange marker(s) ({values[marked][0]:.3g}, what instruments write where a "
            f"reading was out of range, not a {what}) at line(s) {lines}; remove those rows or "
            "make them comments with '#'")
    bad = ~np.isfinite(values)
    if bad.any():
        raise DataError(
            f"{table.name}: {table.column_label(col)} ({what}) has {int(bad.sum())} missing or "
            f"non-finite value(s) (NaN, NA, #N/A, --, inf or empty) at line(s) {all_lines[bad][:5].tolist()}; "
            "remove those rows "
            f"or fill them explicitly, or leave them out with {_opt('drop_incomplete_rows')} "
            f"(an interrupted sweep), or if this is not the {what} column pick another with "
            f"{_opt(option)}"
        )


#: The band of rf frequencies (GHz) an ST-FMR spectrum can be taken at: ferromagnetic
#: resonance lies above about 0.1 GHz at any field that saturates a film, antiferromagnetic
#: resonance below a few THz. A frequency outside it is not the rf frequency (a lock-in's
#: reference of 1.7 kHz, a frequency in Hz read as GHz).
RF_BAND_GHZ = (0.01, 5000.0)

#: The frequency units a column without one may be in, with their factor to GHz, in the order
#: they are tried (:func:`frequency_unit_of`).
_FREQUENCY_UNITS = (("GHz", 1.0), ("MHz", 1e-3), ("Hz", 1e-9), ("kHz", 1e-6), ("THz", 1e3))


def frequency_unit_of(values, units=_FREQUENCY_UNITS, band=RF_BAND_GHZ) -> str | None:
    """The first unit of ``units`` (default :data:`_FREQUENCY_UNITS`) in which all ``values``
    (numbers as written) are rf frequencies of ``band`` (GHz; default :data:`RF_BAND_GHZ`), or
    None."""
    v = np.abs(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    lo, hi = band
    for unit, to_ghz in units:
        if v.size and np.all((v * to_ghz >= lo) & (v * to_ghz <= hi)):
            return unit
    return None


def _column_quantity(table: Table, col: int, dimension: str, option_unit: str | None,
                     option: str, rows, override: bool = False) -> np.ndarray:
    """The values of a frequency or power column in house units (GHz, dBm), its unit from the
    header or the option (the option's over the header's with ``override``)."""
    try:
        unit = _header_unit(table, col, dimension)[1]
    except _UnknownUnit:
        if option_unit is None:
            raise
        unit = None
    unit = option_unit if override and option_unit is not None else unit or option_unit
    if unit is None:
        example = _units.HOUSE[dimension]
        if dimension == "frequency":
            example = frequency_unit_of(table.data[rows, col]) or example
        raise UnitError(
            f"{table.name}: {table.column_label(col)} ({dimension}) has no unit; write it in "
            f"the header (e.g. '{dimension} ({example})') or pass {_opt(option, example)}"
            + (f" (its values, {np.nanmin(table.data[rows, col]):.4g} to "
               f"{np.nanmax(table.data[rows, col]):.4g}, are rf frequencies in {example})"
               if example != _units.HOUSE[dimension] else ""))
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
