"""The layouts of an ST-FMR file read into Datasets: side-by-side column pairs, long tables of
several frequencies or powers, and lock-in X, Y channels (V_mix = X cos(phi) + Y sin(phi)).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from ... import units as _units
from .. import cache as _cache
from ...data import DataError, Dataset
from ...units import UnitError, normalise_unit
from ..text import Table, TruncatedRowError, parse_number, read_tables

from .columns import (
    _ANGLE_NAMES, _FIELD_NAMES, _FREQUENCY_NAMES, _POWER_NAMES, _VOLTAGE_NAMES, _check_finite,
    DERIVATIVE_NAMES,
    _column_quantity, _find_column, _header_unit, _key, _magnet_current_column, _power_column,
    _resolve_unit, RF_BAND_GHZ, frequency_unit_of, is_lockin_output,
)
from .files import _is_lvm_layout
from .frequency_groups import group_frequencies, unsplittable_error
from .power_groups import changes_within_sweeps, group_powers, unsplittable_power_error
from .headers import _file_level, _header_meta, _sample
from .names import _angle_in, _frequency_in, _power_in, repeat_from_name
from ..gains import gain_entry, gain_factor, gain_in_name, gain_in_text
from ..igor_text import WAVES_OWN_NOTES
from .options import _STYLE, _Options, _opt, _opt_override, _opts
from .sweeps import (
    JITTER_SIGMAS, MIN_POINTS, _jittery_sweep, _make_dataset, _readback_noise, _segments,
    _strictly_monotonic,
)


__all__ = [
    "lockin_phase",
]


#: Largest |mu0 H| (T) and |V_mix| (V) believed; beyond, the unit is surely wrong.
_FIELD_LIMIT_T = 30.0


_VOLTAGE_LIMIT_V = 10.0


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


def _read_one(path, opts: _Options, f_opt, p_opt, a_opt) -> list[Dataset]:
    """The Datasets of one file: those of its table, or of each sheet of a workbook in turn."""
    try:
        tables = read_tables(path, drop_cut_row=opts.drop_incomplete_rows)
    except TruncatedRowError as exc:
        raise DataError(f"{exc}; {_opt('drop_incomplete_rows')} leaves that row out and "
                        "reads the rows before it") from None
    return [d for table in tables for d in _read_table(table, opts, f_opt, p_opt, a_opt)]


def _read_table(table: Table, opts: _Options, f_opt, p_opt, a_opt) -> list[Dataset]:
    """The Datasets of one table: one per side-by-side column pair, or those of the whole table
    (:func:`_read_part`)."""
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
        return _read_blocks(table, blocks, opts, f_opt, p_opt, a_opt)

    stacked = _polarity_columns(table, opts) or _matrix_with_corner(table, opts)
    if stacked is not None:
        table = stacked
    key = (table.columns, table.n_columns, opts.key)
    wide = _WIDE.get(key, _NOT_READ)
    if wide is _NOT_READ:
        wide = _wide_blocks(table, opts) or _named_pair_blocks(table, opts)
        _WIDE.put(key, wide)
    if wide is not None:
        return _read_blocks(table, wide, opts, f_opt, p_opt, a_opt, wide=True)
    lvm = _is_lvm_layout(table)
    key = (table.columns, table.n_columns, lvm, opts.key)
    found = _COLUMNS.get(key)
    if found is None:
        try:
            found = _find_columns(table, opts, lvm)
        except DataError as exc:
            pair = _lockin_pairs_named(table) if opts.lockin_channels is None else None
            if pair is None:
                raise
            raise DataError(f"{exc}; the columns are lock-in channels {pair[0]} and {pair[1]} "
                            f"of each frequency: read them with "
                            f"{_opt('lockin_channels', ','.join(pair))}") from None
        _COLUMNS.put(key, found)
    fcol, vcol, qcol, pcol, acol = found
    part = _Part(table, np.arange(table.data.shape[0]), fcol, vcol, qcol, pcol, lvm=lvm,
                 acol=acol)
    return _read_part(part, opts, f_opt, p_opt, a_opt)


def _named_polarity(part: "_Part") -> dict:
    """``{"voltage_named_polarity": -1}`` for a V_mix column named for the negative field
    polarity (``Vmix(-H)``), read alone: over a field column of |H| it is the -H branch only
    with ``negative_field`` (:func:`sotfit.io.stfmr.polarities.join_polarities` checks it);
    else ``{}``."""
    table = part.table
    if table.columns is None or isinstance(part.vcol, tuple):
        return {}
    c = table.columns[part.vcol]
    found = _polarity_of(_units.split_header(c)[0] if _units.header_dimension(c) else c)
    return {"voltage_named_polarity": -1} if found is not None and found[0] < 0 else {}


def _read_blocks(table: Table, blocks, opts: _Options, f_opt, p_opt, a_opt,
                 wide: bool = False) -> list[Dataset]:
    """The Datasets of the blocks ``((label, field column, V_mix column), ...)`` of a table
    (side-by-side pairs, or a wide table's voltage columns beside one field column), in order
    of frequency, power and block; a block's rows are those where either column has a value."""
    out = []
    for k, (label, fi, vi) in enumerate(blocks):
        vfirst = vi[0] if isinstance(vi, tuple) else vi      # a lock-in pair: its X column
        both = np.isnan(table.data[:, fi]) & np.isnan(table.data[:, vfirst])
        rows = np.flatnonzero(~both)
        notes = ()
        if wide:
            # one field column for every frequency, each voltage column blank before and after
            # its own sweep: the rows from its first value to its last
            held = np.flatnonzero(~np.isnan(table.data[:, vfirst]))
            rows = np.arange(held[0], held[-1] + 1) if held.size else held
            if 0 < held.size < rows.size and _joined_grids(table, held, rows, vfirst):
                # the field grids of the frequencies joined into one (pandas' outer join): a
                # blank cell is a field this frequency was not measured at
                notes = (f"column {table.columns[vfirst]!r}: {rows.size - held.size} rows without a "
                         "value left out (the table joins the field grids of its frequencies: "
                         "a blank cell is a field not measured at this frequency)",)
                rows = held
        if rows.size == 0:
            raise DataError(f"{table.name}: the column pair {label!r} (columns {fi}, {vi}) is "
                            "empty")
        part = _Part(table, rows, fi, vi, None, None, label=label, wide=wide, notes=notes)
        out.extend((d.meta["frequency"], d.meta.get("power", 0.0), k, d)
                   for d in _read_part(part, opts, f_opt, p_opt, a_opt))
    return [d for *_, d in sorted(out, key=lambda t: t[:3])]


def _joined_grids(table: Table, held, rows, vi) -> bool:
    """Whether a wide table's voltage column is blank inside its sweep because the table joins
    the field grids of several frequencies: every other voltage column has a value in each row
    where this one is blank (a dropout of this column's readings has no such partner)."""
    blank = np.setdiff1d(rows, held)
    others = [j for j in range(table.n_columns) if j != vi]
    values = ~np.isnan(table.data[np.ix_(blank, others)])
    # a blank row of this column is a point of another frequency's grid: one or more of the
    # other voltage columns (beyond the field column) holds a value there
    return bool(np.all(values.sum(axis=1) >= 2))


#: The blocks of a wide table by (columns, number of columns, options) (:func:`_wide_blocks`
#: depends on them alone).
_WIDE = _cache.LRU()
_NOT_READ = object()


def _wide_blocks(table: Table, opts: _Options) -> tuple | None:
    """The blocks of a wide table: one field column and one V_mix column per frequency, each
    named by it (``Field (mT), V_8GHz (uV), V_10GHz (uV)``, ``B (T), 8 GHz, 10 GHz``), as
    ``((label, field column, V_mix column), ...)``; None for any other table (a column without
    a frequency in its name, two with one frequency), or when options name the columns (which
    then read it as one table)."""
    if table.columns is None or table.n_columns < 2 or any(
            getattr(opts, o) is not None for o in ("field_column", "voltage_column",
                                                   "frequency_column")):
        return None
    try:
        fcol = _find_column(table, None, "field", _FIELD_NAMES, False, "field_column")
    except DataError:
        return None
    if fcol is None:
        return None
    if opts.lockin_channels is not None:
        return _wide_lockin_pairs(table, opts.lockin_channels, fcol)
    labels, bare = {}, {}
    for i, c in enumerate(table.columns):
        if i == fcol:
            continue
        try:
            ghz = _frequency_in(_units.split_header(c)[0] if _units.header_dimension(c) else c, c)
        except DataError:
            return None
        if ghz is None:
            number = parse_number(c.strip())
            if number is not None:      # a column named by a bare number (a pivoted table)
                bare[i] = number
                continue
            if _voltage_like(c):        # a voltage of no frequency: not a wide table
                return None
            continue                    # time, temperature, an index, the rf power: not read
        if ghz in labels.values():      # X_8GHz, Y_8GHz: lock-in channels
            return None
        labels[i] = ghz
    if bare and not labels:
        unit = _bare_frequency_unit(list(bare.values()))
        if unit is None:
            return None
        # the unit read is in each block's name, and so in every source and message
        return tuple((f"{table.columns[i].strip()} {unit}", fcol, i) for i in bare)
    if not labels:
        return None
    return tuple((table.columns[i].strip(), fcol, i) for i in labels)


def _wide_lockin_pairs(table: Table, channels, fcol: int) -> tuple | None:
    """The blocks of a wide table of lock-in channels, one pair per frequency named by it
    (``Field (mT), X_6GHz (uV), Y_6GHz (uV), X_8GHz (uV), ...``) with ``channels`` the names
    of the two channels without the frequency (``('X', 'Y')``), as ``((label, field column,
    (X column, Y column)), ...)``; None where a column is named by a channel exactly (a table
    of one spectrum) or the columns do not pair so."""
    if any(isinstance(c, (int, np.integer)) for c in channels):
        return None
    wanted = [_channel_key(str(c)) for c in channels]
    if any(_channel_key(str(name)) in wanted for name in table.columns):
        return None
    pairs: dict[float, dict[int, int]] = {}
    for i, c in enumerate(table.columns):
        if i == fcol:
            continue
        try:
            bare = _units.split_header(c)[0] if _units.header_dimension(c) else c
            ghz = _frequency_in(bare, c)
        except (DataError, UnitError):
            return None
        if ghz is None:
            continue
        key = _channel_key(_FREQUENCY_TOKEN_RE.sub(" ", bare))
        if key not in wanted:
            return None
        channel = pairs.setdefault(ghz, {})
        if wanted.index(key) in channel:
            return None
        channel[wanted.index(key)] = i
    if not pairs or any(len(c) != 2 for c in pairs.values()):
        return None
    return tuple((f"{table.columns[c[0]].strip()} + {table.columns[c[1]].strip()}", fcol,
                  (c[0], c[1])) for _, c in sorted(pairs.items()))


def _lockin_pairs_named(table: Table) -> tuple[str, str] | None:
    """The two channel names (``('X', 'Y')``) of a wide table whose columns are those two
    lock-in channels of each frequency (``X_6GHz (uV), Y_6GHz (uV), ...``), for a message;
    None otherwise."""
    if table.columns is None:
        return None
    names: dict[str, str] = {}
    for c in table.columns:
        bare = re.split(r"[(\[]", c)[0]          # as written (split_header folds the case)
        if _FREQUENCY_TOKEN_RE.search(bare):
            name = _FREQUENCY_TOKEN_RE.sub(" ", bare).strip(" _-")
            names.setdefault(_channel_key(name), name)
    if len(names) != 2:
        return None
    pair = tuple(names.values())
    try:
        fcol = _find_column(table, None, "field", _FIELD_NAMES, False, "field_column")
    except DataError:
        return None
    return pair if fcol is not None and _wide_lockin_pairs(table, pair, fcol) else None


#: A frequency written in a column's name (``_6GHz``, ``8.5 GHz``, ``-12GHz``), cut from it to
#: leave the name of the lock-in channel.
_FREQUENCY_TOKEN_RE = re.compile(r"[\s_\-]*\d+(?:[.,p]\d+)?\s*[kMG]?Hz\b", re.I)


def _channel_key(name: str) -> str:
    """A column or channel name as compared (case, blanks, ``_`` and ``-`` aside)."""
    return re.sub(r"[\s_\-]", "", name).lower()


def _bare_frequency_unit(values: list[float]) -> str | None:
    """The unit of frequencies written as bare numbers naming a wide table's columns (pandas
    writes a table pivoted by frequency so: ``B (T),6.0E+09,8.0E+09``): GHz, else Hz, where
    every one lies in 0.1-500 GHz (:func:`frequency_unit_of` on those two units and a band
    narrower than a frequency column's: a name is a weaker witness than a column's header);
    None otherwise (a number that is no frequency of either)."""
    return frequency_unit_of(values, units=(("GHz", 1.0), ("Hz", 1e-9)), band=(0.1, 500.0))


#: A mark of the field's polarity in a column name: ``Vmix(+H)``, ``V_-H``, ``V (H<0)``,
#: ``V_neg``, ``V positive field``; the sign (or word) is group ``s``.
_POLARITY_MARK = re.compile(
    r"\(\s*(?P<s1>[+\-\u2212])\s*(?:mu0\s*)?[hb]\s*\)"              # (+H), (-H)
    r"|(?<![a-z0-9])(?P<s2>[+\-\u2212])\s*(?:mu0\s*)?[hb](?![a-z0-9])"    # +H, -H
    r"|(?<![a-z0-9])[hb]\s*(?P<s3>[<>])\s*0(?![0-9.])"                    # H>0, H<0
    r"|(?<![a-z])(?P<s4>pos|neg|positive|negative)(?![a-z])", re.IGNORECASE)


def _polarity_of(name: str) -> tuple[int, str] | None:
    """(+1 or -1, the name without its mark) of a column named for one field polarity."""
    marks = list(_POLARITY_MARK.finditer(name))
    if len(marks) != 1:
        return None
    m = marks[0]
    sign = next(g for g in m.groups() if g is not None).lower()
    positive = sign in ("+", ">", "pos", "positive")
    base = re.sub(r"[\s_]+", " ", (name[:m.start()] + name[m.end():])).strip(" _()")
    return (1 if positive else -1), base


def _polarity_columns(table: Table, opts: _Options) -> Table | None:
    """The table of a field column of one sign (|H|) beside two V_mix columns named for the two
    polarities (``|H| (mT), Vmix(+H) (uV), Vmix(-H) (uV)``), as one signed sweep: the second
    column's rows at -|H|, noted; None for any other table (or when an option names the
    voltage). Before, it was "several columns could be the voltage", and naming the -H one
    read it as the +H branch: both torques of the wrong sign, exit 0."""
    if table.columns is None or table.n_columns < 3 or any(
            getattr(opts, o) is not None for o in ("voltage_column", "lockin_channels")):
        return None
    try:
        fcol = _find_column(table, opts.field_column, "field", _FIELD_NAMES, False,
                            "field_column")
    except DataError:
        return None
    if fcol is None:
        return None
    by_base: dict = {}
    for i, c in enumerate(table.columns):
        if i == fcol:
            continue
        name, unit = (_units.split_header(c) if _units.header_dimension(c) else (c, None))
        found = _polarity_of(name)
        if found is not None:
            by_base.setdefault((found[1].lower(), unit), {})[found[0]] = i
    pairs = [(key, cols) for key, cols in by_base.items() if set(cols) == {1, -1}]
    if len(pairs) != 1:
        return None
    (base, unit), cols = pairs[0]
    h = table.data[:, fcol]
    held = h[~np.isnan(h)]
    if held.size == 0 or np.any(held < 0):
        return None                 # a signed field: the columns are something else
    plus, minus = cols[1], cols[-1]
    keep_p = ~np.isnan(h) & ~np.isnan(table.data[:, plus])
    keep_m = ~np.isnan(h) & ~np.isnan(table.data[:, minus]) & (h > 0)
    field = np.concatenate([h[keep_p], -h[keep_m]])
    volt = np.concatenate([table.data[keep_p, plus], table.data[keep_m, minus]])
    lines = np.concatenate([table.lines[keep_p], table.lines[keep_m]])
    order = np.argsort(field, kind="stable")
    if np.all(np.diff(h[~np.isnan(h)]) < 0):
        order = order[::-1]         # swept down: the signed sweep too
    vname = table.columns[plus]
    name = _units.split_header(vname)[0] if unit else vname
    label = _polarity_of(name)[1] + (f" ({unit})" if unit else "")
    note = (f"columns {table.columns[plus]!r} and {table.columns[minus]!r} read as V_mix of the "
            f"two field polarities: the second at minus the field of column "
            f"{table.columns[fcol]!r}")
    return replace(table, columns=(table.columns[fcol], label),
                   data=np.column_stack([field[order], volt[order]]), lines=lines[order],
                   notes=tuple(table.notes) + (note,), column_comments=None)


#: The fewest columns named by numbers in a matrix of V_mix (a field sweep's points).
MATRIX_MIN_COLUMNS = 20


def _matrix_with_corner(table: Table, opts: _Options) -> Table | None:
    """A matrix of V_mix, one row per frequency and one column per field, its corner cell
    naming both (``f (GHz) \\ H (mT)``, as a 2D map is exported): the table turned so that
    each frequency is a column named by its value and unit (a wide table, noted); None for any
    other table or when an option names a column. The other way round (``H (mT) \\ f (GHz)``:
    one row per field) is the wide table with its field column named."""
    cols = table.columns
    if cols is None or len(cols) < 3 or any(
            getattr(opts, o) is not None for o in ("field_column", "voltage_column",
                                                   "frequency_column", "lockin_channels")):
        return None
    corner = str(cols[0])
    if corner.count("\\") != 1:
        return None
    rows_q, cols_q = (part.strip() for part in corner.split("\\"))
    kinds = [_units.header_dimension(q) if "(" in q or "[" in q else None
             for q in (rows_q, cols_q)]
    numbers = [parse_number(str(c).strip()) for c in cols[1:]]
    if None in numbers or len(set(numbers)) != len(numbers):
        return None
    if kinds == ["field", "frequency"]:             # one row per field: a wide table
        unit = _units.split_header(cols_q)[1]
        return replace(table, columns=(rows_q, *[f"{v:g} {unit}" for v in numbers]),
                       notes=tuple(table.notes) + (
                           f"the corner cell {corner!r} names the rows fields and the columns "
                           "frequencies",))
    if kinds != ["frequency", "field"] or len(numbers) < MATRIX_MIN_COLUMNS:
        return None
    f_unit = _units.split_header(rows_q)[1]
    freqs = table.data[:, 0]
    if np.any(~np.isfinite(freqs)) or len(set(freqs.tolist())) != freqs.size:
        return None
    data = np.column_stack([np.asarray(numbers, float), table.data[:, 1:].T])
    line = int(table.lines[0]) - 1 if table.lines is not None and len(table.lines) else 0
    return replace(table, columns=(cols_q, *[f"{v:g} {f_unit}" for v in freqs]), data=data,
                   lines=np.full(data.shape[0], line), column_comments=None,
                   notes=tuple(table.notes) + (
                       f"one row per frequency and one column per field (the corner cell "
                       f"{corner!r}): read turned, each frequency a column",))


def _voltage_like(column: str) -> bool:
    """Whether a column's name or unit makes it a voltage (``V (uV)``, ``signal``)."""
    name, _ = _units.split_header(column) if _units.header_dimension(column) else (column, None)
    return _units.header_dimension(column) == "voltage" or _key(name) in _VOLTAGE_NAMES


def _named_pair_blocks(table: Table, opts: _Options) -> tuple | None:
    """The blocks of column pairs named per column with their frequency and unit (``Field 8GHz
    (mT), Vmix 8GHz (uV), Field 10GHz (mT), Vmix 10GHz (uV), ...``, as Origin and spreadsheets
    export XY pairs): each frequency's column in a field unit and its one other column, as
    ``((V_mix column name, field column, V_mix column), ...)`` in the order of the file; None
    unless every column is in such a pair, there are two pairs or more, and no option names
    the columns."""
    if table.columns is None or table.n_columns < 4 or any(
            getattr(opts, o) is not None for o in ("field_column", "voltage_column",
                                                   "frequency_column", "lockin_channels")):
        return None
    pairs: dict[float, list] = {}
    for i, c in enumerate(table.columns):
        dimension = _units.header_dimension(c)
        try:
            ghz = _frequency_in(_units.split_header(c)[0] if dimension else c, c)
        except DataError:
            return None
        if ghz is None:
            return _x_value_pair_blocks(table)
        pairs.setdefault(ghz, []).append((dimension == "field", i))
    blocks = []
    for members in pairs.values():
        fields = [i for is_field, i in members if is_field]
        others = [i for is_field, i in members if not is_field]
        if len(fields) != 1 or len(others) != 1:
            return None
        blocks.append((table.columns[others[0]].strip(), fields[0], others[0]))
    return tuple(sorted(blocks, key=lambda b: b[2])) if len(blocks) >= 2 else None


def _x_value_pair_blocks(table: Table) -> tuple | None:
    """The blocks of waves each with its x values in the column before it, named as Igor names
    a wave's x values (``sweep1.x (mT), sweep1 (uV), sweep2.x (mT), sweep2 (uV)``; the Igor
    Text reader writes x-scaled waves so): one spectrum per wave, its frequency from the file
    (header, name, option) when the waves' names give none. None unless every column is in such
    a pair, the x columns in a field unit, and there are two pairs or more.

    Such waves were "no field column" (the pairs are found by the frequencies in their names
    otherwise, :func:`_named_pair_blocks`)."""
    columns = table.columns
    if len(columns) % 2:
        return None
    blocks = []
    for k in range(0, len(columns), 2):
        x, wave = columns[k], columns[k + 1]
        if _units.header_dimension(x) != "field":
            return None
        name_x = _units.split_header(x)[0].strip()
        name = (_units.split_header(wave)[0] if _units.header_dimension(wave) else wave).strip()
        if name_x != f"{name}.x":
            return None
        blocks.append((wave.strip(), k, k + 1))
    return tuple(blocks) if len(blocks) >= 2 else None


#: Columns found in a header row: (columns, number of columns, lvm layout, options) ->
#: (field, V_mix, frequency, power column).
_COLUMNS = _cache.LRU()


def _find_columns(table: Table, opts: _Options, lvm: bool) -> tuple:
    """(field, V_mix or lock-in (X, Y), frequency or None, power or None) columns of a table
    read as one part; they depend on the header row, the number of columns, the layout and the
    options only (the file name appears in errors alone)."""
    name = table.name
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
    fcol = (_magnet_current_column(table) if opts.calibration is not None
            and opts.field_column is None else None)
    if fcol is None:
        fcol = _find_column(table, opts.field_column, "field", _FIELD_NAMES, True,
                            "field_column")
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
    acol = _find_column(table, opts.angle_column, "angle", _ANGLE_NAMES, False, "angle_column")
    if acol is not None and acol in (fcol, *vcols, qcol, pcol):
        if opts.angle_column is not None:
            raise DataError(f"{name}: {table.column_label(acol)} is used twice; pick the "
                            f"columns with {_opt('angle_column')}")
        acol = None         # a lock-in's phase named 'theta' or 'phi' (--lockin-channels R,phi)
    return fcol, vcol, qcol, pcol, acol


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
    wide: bool = False      # a wide table's column: its header names the unit too
    notes: tuple = ()       # what reading the part decided (rows left out)
    acol: int | None = None  # the field angle of each sweep (an angle scan kept as one table)

    @property
    def pair_label(self) -> str | None:
        """The label of a side-by-side pair, whose header holds no units; else None."""
        return None if self.wide else self.label

    @property
    def source(self) -> str:
        return self.table.name if self.label is None else f"{self.table.name} [{self.label}]"


def _angle_unit(table: Table, col: int) -> str | None:
    """The angle unit (deg, rad) in the header of column ``col`` (a lock-in's phase), or None."""
    if not table.columns:
        return None
    try:
        unit = _units.split_header(table.columns[col])[1]
    except UnitError:
        return None
    return unit if unit is not None and _units.dimension_of(unit) == "angle" else None


#: Header names of a lock-in's phase output.
_PHASE_NAMES = {"phase", "theta", "θ", "phi", "angle", "ph"}


def _phase_unit(part: _Part, opts: _Options) -> str | None:
    """The unit of the second lock-in channel where it is a phase: its header's angle unit, or
    ``phase_unit``; None for a voltage Y. A header named like a phase without a unit is an
    error naming ``phase_unit`` (it was read as a voltage: the lineshape fit of a phase)."""
    table, col = part.table, part.vcol[1]
    header = _angle_unit(table, col)
    label = table.column_label(col)
    if opts.phase_unit is not None:
        if header is not None and header != opts.phase_unit:
            raise DataError(f"{part.source}: {label} is in {header} but "
                            f"{_opt('phase_unit', opts.phase_unit)} was given")
        return opts.phase_unit
    if header is None and table.columns:
        name = str(table.columns[col]).strip().lower()
        words = set(name.replace("(", " ").replace(")", " ").replace("_", " ").split())
        if name in _PHASE_NAMES or words & _PHASE_NAMES:
            raise DataError(f"{part.source}: {label}, the second lock-in channel, is named like "
                            "the lock-in's phase but its header has no unit (read as a "
                            f"voltage, it would be fitted as one): give {_opt('phase_unit')} "
                            "(rad or deg)")
    return header


def _lockin_reading(part: _Part) -> str | None:
    """The name of the lock-in output(s) V_mix is read from (``--lockin-channels``, or a
    voltage column named like a lock-in output), or None."""
    table = part.table
    cols = part.vcol if isinstance(part.vcol, tuple) else (part.vcol,)
    named = table.columns is not None
    labels = [str(table.columns[c]) if named and isinstance(c, (int, np.integer))
              else str(table.column_label(c)) for c in cols]
    if isinstance(part.vcol, tuple) or any(is_lockin_output(lb) for lb in labels):
        return ",".join(labels)
    return None


def _voltage_gain(part: _Part, opts: _Options) -> float:
    """The amplifier gain V_mix is divided by: ``voltage_gain``, else 1 unless the file's
    preamble writes a gain, when the user says whether the readings hold it."""
    if opts.voltage_gain is not None:
        return opts.voltage_gain
    table = part.table
    for col in (part.vcol if isinstance(part.vcol, tuple) else (part.vcol,)):
        name = str(table.columns[col]) if table.columns is not None else ""
        number = gain_in_name(name) if name else None
        if number is not None:
            # 'Vmix x100 (uV)' was read as it stands: torques 100 times too large, no word
            raise DataError(f"{part.source}: {table.column_label(col)} writes a gain {number} "
                            "in its name, and whether V_mix in the file is divided by it "
                            f"already the file does not say: give "
                            f"{_opt('voltage_gain', number)} if it is not (the readings of the "
                            f"amplified signal) or {_opt('voltage_gain', 1)} if it is")
    for key, value in table.header.items():
        found = gain_entry(key, value)
        if found is None or gain_factor(found[0]) == 1.0:     # a gain of 1: nothing to ask
            continue
        factor = f"{gain_factor(found[0]):g}"
        raise DataError(f"{part.source}: the header entry {key.strip()!r} writes an amplifier "
                        f"gain {found[0]!r}, and whether V_mix in the file is divided by it "
                        f"already the file does not say: give {_opt('voltage_gain', factor)} if "
                        f"it is not (the readings of the amplified signal) or "
                        f"{_opt('voltage_gain', 1)} if it is")
    # a gain in an entry's value or in a remark ('Preamplifier: SR560, gain 100', '# signal
    # amplified 100x by an SR560'): read as it stood before, torques 10 or 100 times too large
    lines = (tuple(f"{k.strip()}: {v.strip()}" for k, v in table.header.items())
             + tuple(table.remarks))
    if _NO_GAIN_IN_TEXT.get(lines) is not None:     # a header read before: no gain in it
        return 1.0
    for line in lines:
        number = gain_in_text(line)
        if number is None or gain_factor(number) == 1.0:
            continue
        factor = f"{gain_factor(number):g}"
        raise DataError(f"{part.source}: the header writes an amplifier gain {number!r} "
                        f"({line[:70]!r}), and whether V_mix in the file is divided by it "
                        f"already the file does not say: give {_opt('voltage_gain', factor)} if "
                        f"it is not (the readings of the amplified signal) or "
                        f"{_opt('voltage_gain', 1)} if it is")
    _NO_GAIN_IN_TEXT.put(lines, True)
    return 1.0


#: The header lines and remarks (as :func:`_voltage_gain` joins them) found to write no
#: amplifier gain other than 1: the files of a set share them, and the search of their text
#: for a gain was the dearest part of reading a small file's header.
_NO_GAIN_IN_TEXT = _cache.LRU()


def _voltage(part: _Part, opts: _Options, notes: list):
    """V_mix (uV) of a part, its unit in the file, where the unit came from, and meta."""
    table, rows = part.table, part.rows
    if not isinstance(part.vcol, tuple):
        unit, where = _resolve_unit(table, part.vcol, "voltage", opts.voltage_unit,
                                    "voltage_unit", "V" if part.lvm else None, part.pair_label,
                                    notes, "voltage" in opts.override_header_units)
        _check_finite(table, part.vcol, "V_mix", "voltage_column", rows)
        v = np.asarray(_units.to_house(table.data[rows, part.vcol], unit, "voltage")[0], float)
        return v, unit, where, {}
    chans, units, wheres = [], [], []
    phase_unit = _phase_unit(part, opts)
    for c in part.vcol if phase_unit is None else part.vcol[:1]:
        unit, where = _resolve_unit(table, c, "voltage", opts.voltage_unit, "voltage_unit",
                                    None, notes=notes,
                                    override="voltage" in opts.override_header_units)
        _check_finite(table, c, "lock-in channel", "lockin_channels", rows)
        chans.append(np.asarray(_units.to_house(table.data[rows, c], unit, "voltage")[0], float))
        units.append(unit)
        wheres.append(where)
    x, y = (table.columns[c] if table.columns else f"column {c}" for c in part.vcol)
    if phase_unit is not None:      # magnitude R and phase theta: X = R cos(theta), Y = R sin(theta)
        _check_finite(table, part.vcol[1], "lock-in phase", "lockin_channels", rows)
        theta = np.radians(_units.convert(table.data[rows, part.vcol[1]], phase_unit, "deg"))
        chans = [chans[0] * np.cos(theta), chans[0] * np.sin(theta)]
        units, wheres = units * 2, wheres * 2
        notes.append(f"lock-in X = R cos(theta), Y = R sin(theta) from the magnitude {x} and the "
                     f"phase {y}")
    phi, phi_err, fraction = lockin_phase(*chans)
    lx, ly = (x, y) if phase_unit is None else ("X", "Y")
    notes.append(f"V_mix = {lx} cos(phi) + {ly} sin(phi) with the lock-in phase phi = {phi:.2f} "
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
    """The Datasets of one part of a file (a table or a side-by-side column pair): one per
    (frequency, power, sweep segment), field in T and V_mix in uV."""
    if opts.drop_incomplete_rows:
        part = _complete_rows(part)
    table, name = part.table, part.table.name
    notes: list[str] = list(table.notes) + list(part.notes)
    values = _field_and_voltage(part, opts, notes)

    def level(kind, option_value):
        names, dimension, in_text, option, lenient = _QUANTITIES[kind]
        unit_option = ("frequency_unit", opts.frequency_unit) if kind == "frequency" else None
        block = part.label
        if kind == "frequency" and block is None and table.columns is not None \
                and not isinstance(part.vcol, tuple):
            block = table.columns[part.vcol]    # a V_mix column named 'V_12GHz (uV)'
            comments = table.column_comments
            comment = comments[part.vcol] if comments else ""
            if comment:                         # Origin's comment of the column: '8 GHz'
                block = f"{block} [comment {comment}]"
        return _file_level(table, option_value, names, dimension, in_text, option,
                           lenient=lenient, block=block, unit_option=unit_option)

    fq, f_where = _frequencies(part, opts, f_opt, values["field_T"].size, level, notes)
    pw = power = None
    if part.pcol is not None and p_opt is not None:
        notes.append(f"power column {table.column_label(part.pcol)} not read: "
                     f"{_opt('power', f'{p_opt:g}dBm')} gives the power of the file")
    elif part.pcol is not None:
        pw = _power_column(table, part.pcol, opts.power_unit, part.rows, notes)
    if pw is None:
        power = level("power", p_opt)
        if power is not None:
            pw = np.full(values["field_T"].size, power[0])
    if pw is not None:
        _check_power(name, pw, power[1] if power is not None else
                     f"column {table.columns[part.pcol]!r}" if table.columns is not None
                     else f"column {part.pcol}")
    angle = level("angle", a_opt)
    if part.acol is not None:
        values["angle_deg"] = _angle_column(part, opts, a_opt, angle, notes)
        angle = None        # each sweep's own, from the column
    for what, found, unit in (("frequency", (fq[0], f_where) if fq.size else None, "GHz"),
                              ("rf power", power, "dBm"), ("field angle", angle, "deg")):
        if found is not None and found[1].startswith("folder name"):
            notes.append(f"{what} {found[0]:g} {unit} from the {found[1]} (the file, its name "
                         "and the options give none)")
    repeat = repeat_from_name(name)
    meta = {"source": part.source, "path": str(table.path), "sample": _sample(table),
            "repeat": repeat}
    file_meta = {"field_unit_in_file": values["f_unit"], "voltage_unit_in_file": values["v_unit"],
                 "units_from": values["units_from"], "frequency_from": f_where,
                 **({} if angle is None else {"field_angle": float(angle[0]),
                                              "field_angle_from": angle[1]}),
                 **({} if part.label is None
                    else {"block": part.label, "block_columns": (part.fcol, part.vcol)}),
                 **values["lockin_meta"]}
    return _group_datasets(part, opts, values, fq, pw, meta, file_meta, notes)


def _angle_column(part: _Part, opts: _Options, a_opt, file_angle, notes: list) -> np.ndarray:
    """The field angle (deg) of each row of ``part`` from its angle column (an angle scan kept
    as one table, a sweep per angle): its header's unit (deg, rad) or ``angle_unit``. Not
    together with ``field_angle`` for the file; an angle of the header or the name is left
    for the column's, noted."""
    table, col = part.table, part.acol
    label = table.column_label(col)
    if a_opt is not None:
        raise DataError(f"{table.name}: {label} gives the field angle of each sweep, and "
                        f"{_opt('field_angle')} one for the file: give one of them")
    raw = table.data[part.rows, col]
    if not np.all(np.isfinite(raw)):
        bad = table.lines[part.rows[~np.isfinite(raw)]][:5]
        raise DataError(f"{table.name}: {label} has missing or non-finite field angles at "
                        f"line(s) {', '.join(map(str, bad))}; remove those rows, or leave them "
                        f"out with {_opt('drop_incomplete_rows')}")
    unit = _angle_unit(table, col) or opts.angle_unit
    if unit is None:
        raise DataError(f"{table.name}: {label} holds field angles without a unit; give it "
                        f"in the header ('Angle (deg)') or with {_opt('angle_unit', 'deg')}")
    deg = raw * (180.0 / np.pi if normalise_unit(unit) == "rad" else 1.0)
    shown = ", ".join(f"{a:g}" for a in np.unique(deg)[:8])
    notes.append(f"the field angle of each sweep from {label} ({shown}"
                 f"{', ...' if np.unique(deg).size > 8 else ''} deg)"
                 + (f"; the file's {file_angle[0]:g} deg ({file_angle[1]}) not used"
                    if file_angle is not None else ""))
    return deg


def _complete_rows(part: _Part) -> _Part:
    """``part`` without its rows that miss a value (NaN, inf, an empty cell) in a column it
    reads (field, V_mix or the lock-in channels, frequency, power), with a note naming the
    columns and how many rows were left out (``drop_incomplete_rows``; the note goes with
    the spectra of the file, whose name the command puts before it)."""
    table = part.table
    cols = [part.fcol, *(part.vcol if isinstance(part.vcol, tuple) else (part.vcol,)),
            *(c for c in (part.qcol, part.pcol, part.acol) if c is not None)]
    values = table.data[np.ix_(part.rows, cols)]
    whole = np.isfinite(values).all(axis=1)
    if whole.all():
        return part
    dropped = part.rows[~whole]
    lines = table.lines[dropped]
    columns = [table.column_label(c) for k, c in enumerate(cols)
               if not np.isfinite(values[:, k]).all()]
    note = (f"{dropped.size} row(s) with a missing or non-finite value in "
            f"{', '.join(columns)} not read (line(s) {', '.join(map(str, lines[:5]))}"
            f"{', ...' if lines.size > 5 else ''}; {_opt('drop_incomplete_rows')})")
    return replace(part, rows=part.rows[whole], notes=(*part.notes, note))


def _check_power(name: str, powers, where: str) -> None:
    """Refuse rf powers outside :data:`sotfit.checks.RF_POWER_RANGE` (a header's 1.5E+3 dBm
    went into the tables)."""
    from ...checks import RF_POWER_RANGE

    lo, hi = RF_POWER_RANGE
    p = np.asarray(powers, dtype=float)
    bad = p[~((p >= lo) & (p <= hi))]
    if bad.size:
        raise DataError(f"{name}: an rf power of {bad[0]:g} dBm ({where}) lies outside {lo:g} "
                        f"to {hi:g} dBm, beyond any source and amplifier: check its unit")


def _field_and_voltage(part: _Part, opts: _Options, notes: list) -> dict:
    """Field (raw, and in T) and V_mix (uV) of a part, with their units and where the units
    came from; a largest |mu0 H| or |V_mix| beyond any ST-FMR set-up is a unit error."""
    table, rows, src = part.table, part.rows, part.source
    _check_finite(table, part.fcol, "field", "field_column", rows)
    field_raw = table.data[rows, part.fcol]
    if opts.calibration is not None:
        field_T, f_unit, f_from = _calibrated_field(part, opts, field_raw, notes)
    else:
        f_unit, f_from = _resolve_unit(table, part.fcol, "field", opts.field_unit, "field_unit",
                                       "Oe" if part.lvm else None, part.pair_label, notes,
                                       "field" in opts.override_header_units)
        field_T = np.asarray(_units.to_house(field_raw, f_unit, "field")[0], dtype=float)
    vmix_uV, v_unit, v_from, lockin_meta = _voltage(part, opts, notes)
    gain = _voltage_gain(part, opts)
    if gain != 1.0:
        vmix_uV = vmix_uV / gain
        lockin_meta = {**lockin_meta, "voltage_gain": gain}
    lockin_meta = {**lockin_meta, **_named_polarity(part)}
    if not isinstance(part.vcol, tuple) and table.columns is not None:
        vname = _units.split_header(table.columns[part.vcol])[0] \
            if _units.header_dimension(table.columns[part.vcol]) else table.columns[part.vcol]
        if _key(vname) in DERIVATIVE_NAMES:         # 'dV/dH (uV)': for --lineshape derivative
            lockin_meta = {**lockin_meta, "vmix_derivative_column": str(table.columns[part.vcol])}
    reading = _lockin_reading(part)
    if reading is not None and opts.voltage_gain is None:
        # a lock-in's reading of amplitude-modulated rf is a fraction of V_mix: the absolute
        # torques made from it are flagged until --voltage-gain states the relation
        lockin_meta = {**lockin_meta, "vmix_lockin_reading": reading}
    units_from = f_from if f_from == v_from else f"field: {f_from}, voltage: {v_from}"
    supposed = [(part.fcol, "the field", f_unit, "field_unit")] * (f_from == "lvm layout") + \
        [(part.vcol, "V_mix", v_unit, "voltage_unit")] * (v_from == "lvm layout")
    if supposed:    # the units of the layout rule, which the file does not write: said
        notes.append(" and ".join(f"column {c} read as {what} in {u}" for c, what, u, _ in supposed)
                     + ", as the ST-FMR LabVIEW .lvm files without column names write them ("
                     + " and ".join(_opt(o) for *_, o in supposed) + " for other units)")
    if part.qcol is not None:
        _check_finite(table, part.qcol, "frequency", "frequency_column", rows)
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
    return {"field_raw": field_raw, "field_T": field_T, "vmix_uV": vmix_uV, "f_unit": f_unit,
            "v_unit": v_unit, "units_from": units_from, "lockin_meta": lockin_meta}


def _calibrated_field(part: _Part, opts: _Options, current, notes: list):
    """(field in T, unit of the current column, where that unit came from) of a part whose field
    column holds the magnet's current, through the magnet calibration ``opts.calibration``."""
    table, src = part.table, part.source
    label = table.column_label(part.fcol)
    try:
        unit = _units.split_header(table.columns[part.fcol])[1] if table.columns else None
    except UnitError:
        unit = None
    if unit is not None and _units.dimension_of(unit) != "current":
        raise UnitError(f"{src}: {label} is a {_units.dimension_of(unit)} column, but "
                        f"{_opt('calibration')} converts a magnet current; name the current "
                        f"column with {_opt('field_column')}, or leave out {_opt('calibration')}")
    where = "header"
    if unit is None:
        if opts.magnet_current_unit is None:
            raise UnitError(f"{src}: {label} (the magnet current) has no unit; pass "
                            f"{_opt('magnet_current_unit', 'A')} or write it in the header "
                            "('Magnet current (A)')")
        unit, where = opts.magnet_current_unit, "option"
    amps = np.asarray(_units.to_house(current, unit, "current")[0], float) / 1e3   # mA -> A
    cal = opts.calibration
    try:
        field, err, outside = cal(amps, extrapolate=opts.extrapolate_calibration)
    except DataError as exc:
        raise DataError(f"{src}: {exc}") from None
    largest = float(np.max(err)) if err.size else 0.0
    notes.append(f"field from the magnet current {label} through the calibration {cal.source} "
                 f"(its uncertainty, up to {largest * 1e3:.3g} mT on this sweep, is a systematic "
                 "error of the resonance fields, not in their standard errors)"
                 + (f"; {int(outside.sum())} current(s) outside the calibration table, "
                    "extrapolated by a straight line through it" if outside.any() else ""))
    return np.asarray(field, float), unit, where


def _frequencies(part: _Part, opts: _Options, f_opt, n: int, level, notes: list) -> tuple:
    """The frequency (GHz) of every point of a part, from its frequency column or else from
    the file level (header, name, option); returns (frequencies, where they came from)."""
    table, name, src = part.table, part.table.name, part.source
    if part.qcol is not None:
        where = f"column {table.column_label(part.qcol)}"
        try:
            override = "frequency" in opts.override_header_units
            fq = _column_quantity(table, part.qcol, "frequency", opts.frequency_unit,
                                  "frequency_unit", part.rows, override=override)
            if override:
                notes.append(f"the {where} read in {opts.frequency_unit} whatever its header "
                             "says (the option)")
        except UnitError as exc:
            if f_opt is None:
                found = _no_rf_column(part, level)
                if found is not None:
                    notes.append(f"frequency {found[0]:g} GHz from the {found[1]}; the {where} "
                                 f"(no unit, {np.median(table.data[part.rows, part.qcol]):g}) "
                                 "is that frequency in no unit (a lock-in's oscillator "
                                 "frequency?): not read")
                    return _rf_frequencies(np.full(n, found[0]), found[1], src), found[1]
                raise UnitError(f"{exc}; or give the rf frequency with "
                                f"{_opt('frequency', table.name + '=9GHz')} (the column is then "
                                "not read: a lock-in's oscillator frequency, for example)") from None
            # the option gives the rf frequency: a column of no unit (a lock-in's oscillator
            # frequency, 1713) need not be read (it stopped the file with every option given)
            notes.append(f"frequency {f_opt:g} GHz from the option; the {where} (no unit) "
                         "not read")
            return _rf_frequencies(np.full(n, float(f_opt)), "option", src), "option"
        if f_opt is not None and not np.allclose(fq, f_opt, rtol=1e-6, atol=1e-9):
            if _one_frequency(fq) is None:
                raise DataError(f"{name}: {_opt('frequency', f'{f_opt:g}GHz')} was given but "
                                f"the file has a frequency column {table.column_label(part.qcol)}"
                                f" of several frequencies ({np.min(fq):g}-{np.max(fq):g} GHz)")
            # the option says which of two statements of the file holds (a stale column)
            notes.append(f"frequency {f_opt:g} GHz from the option; the {where} "
                              f"({np.median(fq):g} GHz) not read")
            return _rf_frequencies(np.full(n, float(f_opt)), "option", src), "option"
        lo, hi = RF_BAND_GHZ
        if fq.size and not np.any((fq >= lo) & (fq <= hi)):
            # no rf frequency at all (a lock-in's oscillator at 1713 Hz): the file's own
            # frequency, where it gives one, is the rf frequency
            found = _file_frequency(level)
            if found is not None:
                notes.append(f"frequency {found[0]:g} GHz from the {found[1]}; the {where} "
                             f"({np.median(fq):.4g} GHz) is no rf frequency (a lock-in's "
                             "oscillator frequency?): not read")
                return _rf_frequencies(np.full(n, found[0]), found[1], src), found[1]
        _check_column_against_file(part, fq, where, level)
        return _rf_frequencies(fq, where, src, _column_unit_fix(part, opts)), where
    found = level("frequency", f_opt)
    if found is None:
        raise DataError(
            f"{src}: no rf frequency found. Give it in one of four ways: a frequency "
            f"column (e.g. 'frequency (GHz)', or {_opt('frequency_column')}), a header "
            "entry (e.g. 'Frequency(GHz): 9'), the file name (e.g. '9GHz.lvm', "
            f"'stfmr_9.00GHz_10dBm.dat', 'f9GHz.csv', or its folder's, '9GHz/run1.csv'); or "
            f"pass {_opt('frequency', '9GHz')} for every file, or "
            + (f"{_opt('frequency', table.name + '=9GHz')} for this one (repeated for each "
               "file)" if _STYLE.get() == "cli" else
               f"frequency={{{table.name!r}: '9GHz', ...}} for each file")
            + (f"; the column pairs of this file ({part.label!r} and the others) are spectra "
               "of that one frequency then: pairs at different frequencies are told apart by "
               "their names ('vmix_9GHz', 'Field 9GHz (mT)')" if part.label else "")
            + "".join(f"; {n[n.index(WAVES_OWN_NOTES):]}" for n in table.notes
                      if WAVES_OWN_NOTES in n)
        )
    return _rf_frequencies(np.full(n, found[0]), found[1], src), found[1]




def _file_frequency(level):
    """The frequency (GHz, where) the file itself states beside a column (header entry, name,
    folder), or None; a statement of several frequencies (a name '8GHz_to_9GHz') says none."""
    try:
        return level("frequency", None)
    except DataError:
        return None


def _one_frequency(values: np.ndarray) -> float | None:
    """The one frequency a column holds (its median, within :data:`_SAME_FREQUENCY`), or None
    for an empty column or one of several frequencies."""
    v = values[np.isfinite(values)]
    if v.size == 0 or np.ptp(v) > _SAME_FREQUENCY * np.median(np.abs(v)):
        return None
    return float(np.median(v))


def _no_rf_column(part: _Part, level):
    """The file's own frequency (value GHz, where) when its frequency column, of one value and
    no unit, is that frequency in no unit (Hz, kHz, MHz, GHz): a lock-in's oscillator frequency
    (1713) beside the rf frequency of the file's name; else None."""
    f_col = _one_frequency(part.table.data[part.rows, part.qcol])
    found = None if f_col is None else _file_frequency(level)
    if found is None:
        return None
    f_file = float(found[0])
    if any(abs(f_col * scale - f_file) <= _SAME_FREQUENCY * abs(f_file)
           for scale in (1e-9, 1e-6, 1e-3, 1.0)):
        return None                     # the column may be the rf frequency: its unit is asked
    return found


#: Largest relative spread of a frequency column read as one frequency, and largest relative
#: difference of a column's one frequency from the file's name or header entry (a synthesizer's
#: read-back, a name rounded to 0.1 GHz).
_SAME_FREQUENCY = 0.02


def _check_column_against_file(part: _Part, fq: np.ndarray, where: str, level) -> None:
    """Refuse a frequency column of one frequency that another statement of the file (its
    header entry, its name) contradicts: a file named ``py_10GHz.csv`` with ``# RF frequency:
    10 GHz`` and a column of 8 GHz was read at 8 GHz, no word. A folder's name (``12GHz_run``
    holding a frequency series) and a statement outside the rf band (``AM frequency: 1713
    Hz``) contradict nothing."""
    f_col = _one_frequency(fq)
    found = None if f_col is None else _file_frequency(level)   # several: the file's own
    if found is None or found[1].startswith("folder name"):
        return                  # a folder's name ('12GHz_run', 'step_1GHz') is no file's own
    f_file = float(found[0])
    lo, hi = RF_BAND_GHZ
    if not lo <= f_file <= hi:
        return                  # 'AM frequency: 1713 Hz' beside the rf column is no rf frequency
    if abs(f_col - f_file) <= _SAME_FREQUENCY * abs(f_file):
        return
    name = part.table.name
    raise DataError(
        f"{part.source}: the {where} gives {f_col:g} GHz but the {found[1]} gives "
        f"{f_file:g} GHz: one of them is stale; give the frequency with "
        + (f"{_opt('frequency', name + '=' + format(f_file, 'g') + 'GHz')} (or "
           f"{_opt('frequency', name + '=' + format(f_col, 'g') + 'GHz')})"
           if _STYLE.get() == "cli" else
           f"frequency={{{name!r}: ...}} ({f_file:g} or {f_col:g})")
        + " to say which")


def _column_unit_fix(part: _Part, opts: _Options) -> str | None:
    """How to read a frequency column whose numbers, as written, are rf frequencies in another
    unit than the one it was read in: ``--override-unit frequency=MHz`` where its header writes
    a unit (``--column-unit`` lost to the header: the advice went round in a circle), else
    ``--column-unit frequency=MHz``; None when no unit makes them rf frequencies."""
    raw = part.table.data[part.rows, part.qcol]
    unit = frequency_unit_of(raw)
    try:
        header_unit = _header_unit(part.table, part.qcol, "frequency")[1]
    except UnitError:
        header_unit = None
    read_in = opts.frequency_unit if "frequency" in opts.override_header_units \
        else header_unit or opts.frequency_unit
    if unit is None or read_in is not None and normalise_unit(unit) == normalise_unit(read_in):
        return None
    option = (_opt_override("frequency", unit) if header_unit is not None
              else _opt("frequency_unit", unit))
    return (f"its numbers as written ({np.nanmin(raw):.6g} to {np.nanmax(raw):.6g}) are rf "
            f"frequencies in {unit}: read them so with {option}")


def _rf_frequencies(fq: np.ndarray, where: str, src: str, column_fix: str | None = None
                    ) -> np.ndarray:
    """``fq`` (GHz), or an error naming where they were read when one lies outside
    :data:`RF_BAND_GHZ` (``column_fix``: how to read a column in the unit of its numbers)."""
    lo, hi = RF_BAND_GHZ
    bad = fq[~((fq >= lo) & (fq <= hi))]
    if bad.size:
        fix = column_fix or (f"give the rf frequency with {_opt('frequency', '9GHz')} or "
                             f"correct the {where.split(' ', 1)[0]}")
        raise DataError(
            f"{src}: the {where} gives an rf frequency of {bad[0]:.6g} GHz, outside the "
            f"{lo:g}-{hi:g} GHz of ferromagnetic resonance (a lock-in's reference frequency, or "
            f"a unit missing or wrong?); {fix}")
    return fq


def _group_datasets(part: _Part, opts: _Options, values: dict, fq, pw, meta: dict,
                    file_meta: dict, notes: list) -> list[Dataset]:
    """Group the points by (frequency, power), keeping file order inside a group, and split
    every group into its monotonic sweeps (an error unless ``split_sweeps``)."""
    table, rows, src = part.table, part.rows, part.source
    field_label = ("the field column " if table.columns is not None else "the field, ") \
        + table.column_label(part.fcol)
    field_raw, f_unit = values["field_raw"], values["f_unit"]
    header_meta = _header_meta(table)
    jitter = None if part.qcol is None else group_frequencies(fq)
    if jitter is not None:
        fq = jitter.row_frequency
        notes.append(jitter.note(table.column_label(part.qcol)))
    readback = (group_powers(pw) if pw is not None and part.pcol is not None
                and changes_within_sweeps(pw, field_raw, fq) else None)
    if readback is not None:
        pw = readback.row_power
        notes.append(readback.note(table.column_label(part.pcol)))
    pk = pw if pw is not None else np.zeros_like(fq)
    groups = _groups(fq, pk)
    if part.qcol is not None:
        _check_rows_per_group(part, fq, groups)
    if pw is not None and part.pcol is not None:
        _check_rows_per_power(part, pw, groups)
    angles = values.get("angle_deg")
    groups = [(f, p, grp, None) for f, p, grp in groups] if angles is None else [
        (f, p, grp[angles[grp] == a], float(a)) for f, p, grp in groups
        for a in np.unique(angles[grp])]
    datasets = []
    for fval, pval, grp, aval in groups:
        label = (f"{src} at {fval:g} GHz" + (f", {pval:g} dBm" if pw is not None else "")
                 + (f", {aval:g} deg" if aval is not None else ""))
        if opts.sort_field:
            moved = np.argsort(field_raw[grp], kind="stable")
            if np.any(moved != np.arange(moved.size)):
                grp = grp[moved]
                notes.append(f"the rows at {fval:g} GHz put in the order of their field "
                             f"({_opt('sort_field')})")
        raw = field_raw[grp]
        strict = _strictly_monotonic(raw)
        noise = _readback_noise(raw, strict)
        tol = JITTER_SIGMAS * noise
        segs = _segments(raw, tol, strict)
        if len(segs) > 1 and not opts.split_sweeps:
            s0 = segs[0]
            line = int(table.lines[rows[grp[s0[1]]]])
            unordered = _unordered_hint(segs, raw.size)
            # a jitter at the level of the floating-point rounding of the written fields (a
            # programmed sweep without noise, 2e-14 mT) is none worth naming
            allowed = (f" (more than the jitter of {tol:.3g} {f_unit} allowed by the field "
                       "read-back noise)"
                       if tol > _ROUNDING * float(np.max(np.abs(raw))) and not unordered else "")
            jittery = None if unordered else _jittery_sweep(raw, segs, tol)
            if jittery is not None:
                raise DataError(
                    f"{label}: the field sweep {s0[3]} at line {line} of {field_label}"
                    f"{allowed}, but every step back lasts at most {jittery[0]} point(s) and "
                    f"goes back by at most {jittery[1]:.3g} {f_unit}, after which the sweep "
                    f"goes on past where it turned: one sweep whose field read-back jitters "
                    f"beyond its estimated noise, not {len(segs)} sweeps; read its rows in "
                    f"field order with {_opt('sort_field')} ({_opt('split_sweeps')} would cut "
                    f"it at each step back, into sweeps of as few as "
                    f"{min(b - a for a, b, *_ in segs)} point(s))")
            raise DataError(
                f"{label}: the field sweep {s0[3]} at line {line} of {field_label}{allowed}, "
                f"so the data hold "
                f"{len(segs)} sweeps; read each monotonic sweep as its own spectrum with "
                f"{_opt('split_sweeps')}, or split the file" + _lone_row_hint(table, rows, grp, raw, tol)
                + _sweep_column_hint(part, grp, segs) + unordered
            )
        for k, (a, b, branch, _) in enumerate(segs):
            r = grp[a:b]
            seg_label = label + (f", sweep {k}" if len(segs) > 1 else "")
            seg_meta = {"frequency": float(fval),
                        **({"power": float(pval)} if pw is not None else {}),
                        **meta, "segment": k, **file_meta,
                        **({} if aval is None else {
                            "field_angle": aval,
                            "field_angle_from": f"column {table.column_label(part.acol)}"}),
                        **({} if jitter is None else jitter.meta(fval)),
                        **({} if readback is None else readback.meta(pval))}
            datasets.append(_make_dataset(
                table, rows[r], branch, field_raw[r], values["field_T"][r], values["vmix_uV"][r],
                seg_label, opts.allow_duplicates, seg_meta, header_meta, tol, noise, list(notes),
                field_label, strict if len(segs) == 1 else None))
    return datasets


#: Relative size of a field jitter at the floating-point rounding of the written fields and
#: their unit conversion (a noise-free sweep's estimate is 1e-16 to 1e-13 of its fields), far
#: below the resolution of any written field (1e-7 of it for eight digits).
_ROUNDING = 1e-9


def _lone_row_hint(table, rows: np.ndarray, grp: np.ndarray, raw: np.ndarray, tol: float) -> str:
    """What to add to the error of a group holding several sweeps (field values ``raw``) that
    is one sweep without its first or its last row (``8.000000  15.000000``, a row of settings
    a program writes above the data, or a stray reading at the end), or ""."""
    for keep, k in ((slice(1, None), 0), (slice(None, -1), -1)):
        rest = raw[keep]
        if rest.size > 2 and len(_segments(rest, tol, _strictly_monotonic(rest))) == 1:
            row = rows[grp[k]]
            cells = "  ".join(f"{v:g}" for v in table.data[row])
            return (f"; without line {int(table.lines[row])} ({cells}) the rest is one sweep: "
                    "if that row is not a reading (settings written above the data, such as "
                    "the frequency and power), make it a comment ('# ...') or remove it "
                    f"({_opt('split_sweeps')} would make it a spectrum of its own)")
    return ""


def _sweep_column_hint(part: _Part, grp: np.ndarray, segs: list) -> str:
    """What to add to the error of a group holding several sweeps when another column holds one
    value per sweep and differs between them (a dc bias current, a temperature), or ""."""
    table = part.table
    used = {part.fcol, part.qcol, part.pcol, *(part.vcol if isinstance(part.vcol, tuple)
                                                else (part.vcol,))}
    rows = part.rows[grp]
    for k in range(table.n_columns):
        if k in used:
            continue
        col = table.data[rows, k]
        per_sweep = [col[a:b] for a, b, *_ in segs]
        if any(v.size == 0 or np.ptp(v) != 0 for v in per_sweep):
            continue
        values = [float(v[0]) for v in per_sweep]
        if len(set(values)) > 1:
            shown = ", ".join(f"{v:g}" for v in values[:6]) + (", ..." if len(values) > 6 else "")
            if _is_angle_column(table, k):
                name = table.columns[k] if table.columns is not None else k
                return (f"; {table.column_label(k)} holds one field angle per sweep ({shown}): "
                        "an angle scan kept as one table, read as one with "
                        f"{_opt('angle_column', name)} (each sweep a spectrum at its angle; "
                        f"{_opt('split_sweeps')} alone would leave the sweeps without their "
                        "angles)")
            if _is_sweep_counter(table, k, values):
                return (f"; {table.column_label(k)} numbers the sweeps ({shown}): repeated "
                        f"sweeps, read each as a spectrum of its own with {_opt('split_sweeps')} "
                        "(the repeats of one frequency are then compared; that column not read)")
            return (f"; {table.column_label(k)} holds one value per sweep ({shown}): sotfit "
                    "stfmr does not analyse a series in that quantity; split the file by it, "
                    f"or with {_opt('split_sweeps')} each sweep is a spectrum of its own (that "
                    "column not read)")
    return ""


#: Names of a column that numbers repeated sweeps (``Sweep``, ``Repeat``, ``Scan #``, ``Run
#: no.``), compared without blanks, ``_``, ``-``, ``#``, ``.`` and case.
_SWEEP_COUNTER_NAMES = {"sweep", "sweepno", "sweepnumber", "sweepindex", "sweepnr", "sweepcount",
                        "repeat", "repeatno", "repeatnumber", "rep", "repetition", "run",
                        "runno", "runnumber", "scan", "scanno", "scannumber", "scanindex",
                        "iteration", "iter", "loop", "cycle", "pass", "trace", "average",
                        "averageno"}


def _is_sweep_counter(table: Table, k: int, values: list[float]) -> bool:
    """Whether column ``k`` numbers the sweeps it holds one value of each: named as a counter
    of repeated sweeps (:data:`_SWEEP_COUNTER_NAMES`), without a unit, its values whole
    numbers that differ from sweep to sweep. Such a column said 'sotfit stfmr does not
    analyse a series in that quantity', as of a dc bias, for repeats of one sweep."""
    if table.columns is None:
        return False
    try:
        bare, unit = _units.split_header(table.columns[k])
    except UnitError:
        return False
    return (unit is None and re.sub(r"[\s_\-#.]", "", bare).lower() in _SWEEP_COUNTER_NAMES
            and all(float(v).is_integer() for v in values) and len(set(values)) == len(values))


def _is_angle_column(table: Table, k: int) -> bool:
    """Whether column ``k`` is named as a field angle (``Angle (deg)``, ``phi``) or writes an
    angle unit in its header."""
    if table.columns is None:
        return False
    name = table.columns[k]
    try:
        bare, unit = _units.split_header(name)
    except UnitError:
        return False
    if unit is not None and _units.header_dimension(name) == "angle":
        return True
    return re.sub(r"[\s_\-]", "", bare).lower() in _ANGLE_NAMES


def _groups(fq: np.ndarray, pw: np.ndarray):
    """(frequency, power, row indices in file order) of each distinct pair, by increasing
    frequency, then power."""
    if fq.size == 0 or (np.all(fq == fq[0]) and np.all(pw == pw[0])):
        return [(fq[0], pw[0], np.arange(fq.size))] if fq.size else []
    fu, fi = np.unique(fq, return_inverse=True)
    pu, pi = np.unique(pw, return_inverse=True)
    ids = (fi * pu.size + pi).ravel()
    order = np.argsort(ids, kind="stable")
    bounds = np.flatnonzero(np.diff(ids[order])) + 1
    keys = ids[order[np.r_[0, bounds]]]
    return [(fu[k // pu.size], pu[k % pu.size], grp)
            for k, grp in zip(keys, np.split(order, bounds))]


def _check_rows_per_power(part: _Part, pw: np.ndarray, groups: list) -> None:
    """Refuse a power column that changes within the field sweeps without clustering: two or
    more of the powers it gives hold fewer than ``MIN_POINTS`` rows (a read-back whose values
    do not group into set powers, :func:`sotfit.io.stfmr.power_groups.group_powers`); one
    stray row is left to the error of its spectrum."""
    if len(groups) < 2:
        return
    counts = np.unique(pw, return_counts=True)[1]
    if int(np.count_nonzero(counts < MIN_POINTS)) < 2:
        return
    raise unsplittable_power_error(part.source, part.table.column_label(part.pcol), pw,
                                   int(counts.max()))


def _unordered_hint(segs, n: int) -> str:
    """A hint for fields in no sweep order (a direction change every few rows): splitting would
    give spectra of a few points, which no option reads."""
    if len(segs) < 20 or n / len(segs) >= 6:
        return ""
    return (f". The field changes direction {len(segs) - 1} times in {n} rows: the rows are in "
            "no sweep order (split, each sweep would hold a few points); if they are one sweep "
            f"measured or written out of order, read them in field order with "
            f"{_opt('sort_field')}")


def _check_rows_per_group(part: _Part, fq: np.ndarray, groups: list) -> None:
    """Refuse a frequency column that changes on (nearly) every row: every frequency it gives
    has too few rows for a spectrum (fewer than ``MIN_POINTS``), or two or more of them do (a
    read-back jittering beyond the grouping's bounds, whose values repeat now and then); one
    stray row is left to the error of its spectrum."""
    if len(groups) < 2:
        return
    counts = np.unique(fq, return_counts=True)[1]        # the frequencies' own, not the powers'
    thin = int(np.count_nonzero(counts < MIN_POINTS))
    if thin < 2:
        return
    if thin == counts.size and part.fcol is not None:
        field = np.asarray(part.table.data[part.rows, part.fcol], float)
        field = field[np.isfinite(field)]
        if field.size and np.ptp(field) <= 1e-6 * max(float(np.max(np.abs(field))), 1e-300):
            # the advice to round the frequencies did not apply (a sweep of the frequency)
            raise DataError(
                f"{part.source}: the frequency column {part.table.column_label(part.qcol)} "
                f"changes on every row while the field column "
                f"{part.table.column_label(part.fcol)} holds one value ({field[0]:g}): a "
                "frequency sweep at a fixed field. sotfit fits field sweeps at fixed "
                "frequencies (the resonance field, linewidth and torques of each are what the "
                "Kittel, damping and torque analyses take); a frequency-swept spectrum is not "
                "read")
    raise unsplittable_error(part.source, part.table.column_label(part.qcol), fq,
                             int(counts.max()), thin=None if thin == counts.size else thin)
