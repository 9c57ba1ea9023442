"""Thickness tables: CSV/TSV/whitespace tables with units in the header
(:func:`read_thickness_table`)."""

from __future__ import annotations

import dataclasses
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...data import Dataset
from ...units import (UnitError, dimension_of, normalise_unit, split_header, to_house,
                      written_unit)
from .. import table_names
from ...digits import written_step
from ..distinct_files import require_file
from . import cells as _cells
from .series import (XI_E_UNIT, ThicknessError, ThicknessSeries, _efficiency_to_house,
                     _resistivity_text, percent_suspicion)

__all__ = ["read_thickness_table", "read_thickness_tables", "COLUMN_ROLES", "SAMPLE_NAMES"]


_THICK_NAMES = {"thickness", "t", "t_n", "tn", "t_nm_layer", "d", "t_nm",
                "dicke", "schichtdicke", "epaisseur", "espesor"}   # German, French, Spanish
_EFF_NAMES = {"xi_e_dl": ("dl", True), "xie_dl": ("dl", True), "xi_dl": ("dl", False),
              "xi_e_fl": ("fl", True), "xie_fl": ("fl", True), "xi_fl": ("fl", False)}
_RHO_NAMES = {"resistivity", "rho"}
#: Keys of a header line that gives the bulk resistivity (``# bulk resistivity: 200 uOhm cm``).
_RHO_HEADER_KEYS = ("resistivity", "rho", "bulk_resistivity", "rho_bulk", "resistivity_bulk",
                    "bulk_rho")
_ERR_PATTERNS = ("{n}_stderr", "{n}_err", "{n}_error", "{n}_sd", "{n}_sigma", "d{n}",
                 "d_{n}", "delta_{n}", "sigma_{n}", "err_{n}", "error_{n}")
_META_RE = re.compile(r"^\s*#\s*([A-Za-z_][\w ]*?)\s*(?:[(\[]([^)\]]*)[)\]])?\s*[:=]\s*(.+?)\s*$")
# 'xi_E_DL +/- err', 'xi_E_DL ± sigma': a column of cells holding a value and its uncertainty
_PLUS_MINUS_NAME_RE = re.compile(r"^(?P<base>.*?\S)\s*(?:\+/-|\+-|\u00b1)\s*(?:err|error|"
                                 r"errors|stderr|std\.?\s*err(?:or)?|sd|sigma|\u03c3|"
                                 r"uncertainty|unc\.?)?$")
_MISSING_WORDS = "empty or written NaN, -, --, n/a"


#: Column roles of a thickness table (``columns=``, ``--column ROLE=NAME``).
COLUMN_ROLES = ("thickness", "xi_e_dl", "xi_e_dl_err", "xi_e_fl", "xi_e_fl_err", "xi_dl",
                "xi_dl_err", "xi_fl", "xi_fl_err", "resistivity")


def _role_key(role: str) -> str:
    """The internal column key of a role (``xi_e_dl_err`` -> ``xi_e_dl_stderr``)."""
    return role[:-4] + "_stderr" if role.endswith("_err") else role


def _apply_column_roles(p, df, cols: dict, columns, column_units, absent: list,
                        replaced: list) -> dict:
    """``cols`` (key -> (column, unit)) with the columns and units the caller named; roles
    whose column the table lacks are appended to ``absent`` (the caller decides), and a note
    for every header unit that a column unit replaces to ``replaced``."""
    cols = dict(cols)
    for role, name in dict(columns or {}).items():
        if role not in COLUMN_ROLES:
            raise ThicknessError(f"{p}: --column {role}={name}: unknown role {role!r}; roles: "
                                 + ", ".join(COLUMN_ROLES))
        want = str(name).strip()
        hits = []
        for c in df.columns:
            try:
                parsed = split_header(str(c))[0]
            except UnitError:
                parsed = None
            if str(c).strip() == want or parsed == want.lower():
                hits.append(c)
        if not hits:
            absent.append(role)
            continue
        if len(hits) > 1:
            raise ThicknessError(f"{p}: --column {role}={name}: {len(hits)} columns match "
                                 f"{want!r}; columns: {list(map(str, df.columns))}")
        c = hits[0]
        try:
            unit = split_header(str(c))[1]
        except UnitError:
            unit = None
        # the column now has this role, looked up before any other column (a 't (nm)' named
        # the thickness was passed over for a 'T (nm)' beside it, keyed 't' too)
        cols = {_role_key(role): (c, unit),
                **{k: v for k, v in cols.items() if v[0] != c and k != _role_key(role)}}
    for role, unit in dict(column_units or {}).items():
        if role not in COLUMN_ROLES:
            raise ThicknessError(f"{p}: --column-unit {role}={unit}: unknown role {role!r}; "
                                 "roles: " + ", ".join(COLUMN_ROLES))
        key = _role_key(role)
        if key not in cols and role in absent:
            continue
        if key not in cols:
            raise ThicknessError(f"{p}: --column-unit {role}={unit}: no {role} column; name it "
                                 f"with --column {role}=NAME")
        try:
            normalise_unit(unit)
        except UnitError as exc:
            raise ThicknessError(f"{p}: --column-unit {role}={unit}: {exc}") from None
        written = cols[key][1]
        if written is not None and normalise_unit(written) != normalise_unit(unit):
            replaced.append(f"column {cols[key][0]!r} read in {unit} as --column-unit {role}="
                            f"{unit} says, not in its header's {written}")
        cols[key] = (cols[key][0], unit)
    return cols


def read_thickness_table(path, *, resistivity: float | None = None, label: str | None = None,
                         thickness_unit: str | None = None, columns: Mapping | None = None,
                         column_units: Mapping | None = None,
                         absent_columns_ok: bool = False,
                         decimal_mark: str | None = None) -> ThicknessSeries:
    """Read a thickness table (see the module docstring for the layout).

    Parameters
    ----------
    path : str or Path
        CSV, TSV or whitespace-separated text; ``#`` lines before the header may hold
        ``key: value`` metadata (``resistivity``, ``sample``, ...).
    resistivity : float, optional
        Resistivity of the spin source in uOhm cm; overrides column and header.
    label : str, optional
        Sample name; default the ``sample`` header entry or the file stem.
    thickness_unit : str, optional
        Unit of a thickness column whose header has none (otherwise that is an error).
    columns : mapping, optional
        ``{role: column name}`` for tables whose names sotfit does not recognise; roles
        :data:`COLUMN_ROLES` (``thickness``, ``xi_e_dl``, ``xi_e_dl_err``, ..., ``xi_dl``,
        ``resistivity``). A name matches the header cell or its name without the unit.
    column_units : mapping, optional
        ``{role: unit}`` for columns whose header carries no unit (or a wrong one), e.g.
        ``{"xi_e_dl": "1e5/Ohm/m"}``.
    absent_columns_ok : bool
        Let a role of ``columns`` name a column this table lacks (one mapping for several
        tables, some without field-like columns); recorded in ``meta['columns_absent']``.
        Otherwise that is an error.
    decimal_mark : {None, 'point', 'comma'}
        The decimal mark the table was written with, for a semicolon- or tab-separated table
        whose points may be decimal points or separate thousands (``-156.123``): ``'comma'`` reads
        them as separators of thousands (-156123), ``'point'`` as decimal points. None: read
        where only one reading is possible, else refused, naming the columns.

    Returns
    -------
    ThicknessSeries

    Raises
    ------
    ThicknessError
        Missing columns, units or errors; negative or missing thicknesses; non-positive
        uncertainties; a value without its uncertainty (or the reverse); a column of values
        with their uncertainties beside an uncertainty column of the same quantity; a
        resistivity needed but absent; cells holding text that is neither a number nor a
        missing marker. The message names the file, the column and the file line (in a table
        of a binary file, the data row counted from 1 under the column names).

    Notes
    -----
    A cell left empty or written ``NaN``, ``-``, ``--`` or ``n/a``
    (:data:`sotfit.io.thickness.cells.MISSING_MARKERS`) leaves that point out of its quantity
    only, when the value and its uncertainty are both missing; a cell ``0.05478 +/- 0.00456``
    (``±``, or ``0.05478(456)``) gives the value and its standard error; up to three lines of
    text without a number after the last data row (a footnote) are not read. Each of these
    is said in ``meta['reader_notes']``.
    """
    found = read_thickness_tables(path, resistivity=resistivity, label=label,
                                  thickness_unit=thickness_unit, columns=columns,
                                  column_units=column_units, absent_columns_ok=absent_columns_ok,
                                  decimal_mark=decimal_mark, _one=True)
    return found[0]


def read_thickness_tables(path, *, resistivity: float | None = None, label: str | None = None,
                          thickness_unit: str | None = None, columns: Mapping | None = None,
                          column_units: Mapping | None = None,
                          absent_columns_ok: bool = False, decimal_mark: str | None = None,
                          _one: bool = False) -> list[ThicknessSeries]:
    """The thickness series of a table: one, or one per sample where a sample column
    (:data:`SAMPLE_NAMES`: ``sample``, ``stack``, ``device``, ...) names two or more samples,
    each labelled by its name. Parameters and errors as :func:`read_thickness_table`
    (``label`` is refused for a table of several samples: their names label them).

    Two samples in one long table were read as one series, the sample column left out without a
    word: sigma_s 241 +- 4e5 against 2.5, flagged only as a poor fit.
    """
    p = Path(path)
    if decimal_mark not in (None, *DECIMAL_MARKS):
        raise ThicknessError(f"{p}: decimal_mark={decimal_mark!r}; choose from "
                             + ", ".join(DECIMAL_MARKS))
    file, sheet = table_names.named_table(p)
    require_file(p, file, ThicknessError)
    text, notes, delimiter, is_text = _table_text(file, sheet, decimal_mark)
    notes = list(notes)
    header_meta = _header_lines(p, text)
    percent = _percent_said(text, is_text)
    df, rows = _read_frame(p, text, delimiter, is_text, notes)
    renamed = _repeated_names(df)
    try:
        out = _series_of(p, df, rows, notes, header_meta, columns, column_units,
                         absent_columns_ok, _one, resistivity, label, thickness_unit, sheet,
                         percent)
    except ThicknessError as exc:
        raise ThicknessError(_as_written(str(exc), renamed)) from None
    if renamed:
        out = [dataclasses.replace(s, meta={**s.meta, "reader_notes": tuple(
            _as_written(n, renamed) for n in s.meta["reader_notes"])})
            if s.meta.get("reader_notes") else s for s in out]
    return out


def _repeated_names(df) -> dict[str, str]:
    """``{"'err.1'": "'err' (column 5, ...)"}``: the names pandas gives a second or later
    column of a name the header row writes more than once (``± (10^5 S/m)`` after each
    efficiency), as the messages and notes are to show them: the name written, and where."""
    names = [str(c) for c in df.columns]
    out = {}
    for k, name in enumerate(names):
        m = re.fullmatch(r"(?s)(.*)\.(\d+)", name)
        if m is None or m.group(1) not in names or int(m.group(2)) < 1:
            continue
        out[repr(name.strip())] = (f"{m.group(1).strip()!r} (column {k + 1}, the "
                                   f"{_ORDINALS.get(int(m.group(2)) + 1, f'number {int(m.group(2)) + 1}')} "
                                   "of that name)")
    return out


_ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def _as_written(text: str, renamed: dict[str, str]) -> str:
    """``text`` with the names pandas gave repeated column names (:func:`_repeated_names`)
    written as the header writes them."""
    for name, shown in renamed.items():
        text = text.replace(name, shown)
    return text


def _series_of(p, df, rows, notes, header_meta, columns, column_units, absent_columns_ok, _one,
               resistivity, label, thickness_unit, sheet, percent) -> list:
    """The series of the table ``df`` read from ``p`` (one, or one per sample)."""
    cols, absent = _table_columns(p, df, columns, column_units, notes)
    if absent and not absent_columns_ok:
        raise ThicknessError(f"{p}: no column matches --column "
                             + ", ".join(f"{r}={dict(columns)[r]}" for r in absent)
                             + f"; columns: {list(map(str, df.columns))}")
    samples = _samples(p, df, rows, {str(v).strip() for v in dict(columns or {}).values()})
    if samples is None:
        return [_one_series(p, df, rows, cols, header_meta, notes, absent, resistivity, label,
                            thickness_unit, columns, sheet, percent)]
    column, groups = samples
    names = ", ".join(repr(k) for k in groups)
    if _one:
        raise ThicknessError(f"{p}: column {column!r} names {len(groups)} samples ({names}): "
                             "read the table with read_thickness_tables, one series per sample")
    if label is not None:
        raise ThicknessError(f"{p}: column {column!r} names {len(groups)} samples ({names}), "
                             "which label their series: leave the label out")
    out = []
    for name, idx in groups.items():
        sub = df.iloc[idx].reset_index(drop=True)
        sub_rows = _Rows(tuple(rows.numbers[i] for i in idx), rows.file_lines)
        said = [*notes, f"the rows of sample {name!r} (column {column!r}; {len(groups)} "
                        f"samples in the table: {names})"]
        out.append(_one_series(p, sub, sub_rows, cols, header_meta, said, absent, resistivity,
                               name, thickness_unit, columns, sheet, percent))
    return out


#: Names of a column that tells the samples of a table apart.
SAMPLE_NAMES = {"sample", "samples", "sample_id", "sample_name", "samplename", "sampleid",
                "stack", "device", "film", "structure", "series", "label", "name", "probe",
                "probe_name", "wafer", "chip"}


def _samples(p: Path, df, rows: "_Rows", named: set):
    """``(column, {sample name: row indices})`` where a sample column (:data:`SAMPLE_NAMES`, not
    one of the columns ``named`` by the caller) names two or more samples, else None. A sample column with a row
    without a name is an error naming the rows."""
    for c in df.columns:
        try:
            name = split_header(str(c))[0]
        except UnitError:
            name = str(c)
        if _key(name) not in SAMPLE_NAMES or c in named:
            continue
        cells = [str(v).strip() for v in df[c]]
        names = list(dict.fromkeys(v for v in cells if not _cells.is_missing(v)))
        if len(names) < 2:
            return None
        blank = [i for i, v in enumerate(cells) if _cells.is_missing(v)]
        if blank:
            raise ThicknessError(f"{p}: column {c!r} names {len(names)} samples, but "
                                 f"{rows.where(blank)} {'name' if len(blank) > 1 else 'names'} "
                                 "none: write the sample of every row")
        groups = {n: [i for i, v in enumerate(cells) if v == n] for n in names}
        if max(len(g) for g in groups.values()) == 1:
            return None     # a name per film ('D1', 'D2', ...): labels of one series' rows
        return c, groups
    return None


#: Words of a line above a table that say its numbers are in percent: the word (``# xi in
#: percent``), or the sign as a unit (``in %``, ``(%)``, ``[%]``); a sign or the word after a
#: number (``# noise: 3 %``, ``3 percent of the value``, ``10 percent Bi``) says nothing of the
#: columns.
_PERCENT_RE = re.compile(r"(?<![\d.,]\s)(?<![\d.,])(?:\bper\s*cent\b|\bpercent(?:age)?s?\b"
                         r"|\bprozent\b|\bpourcent\b)|\bin\s*%|[(\[]\s*%\s*[)\]]", re.I)


def _percent_said(text: str, is_text: bool) -> str | None:
    """Where a comment line above the table of ``text`` speaks of percent (``# xi in
    percent``), for messages (``"line 2 ('# xi in percent')"``), or None."""
    for i, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        if not line.lstrip().startswith("#"):
            return None
        if _PERCENT_RE.search(line):
            where = f"line {i + 1}" if is_text else "a line above the table"
            return f"{where} ({line.strip()[:60]!r})"
    return None


def _one_series(p: Path, df, rows: "_Rows", cols: dict, header_meta: dict, notes: list,
                absent: list, resistivity, label, thickness_unit, columns, sheet,
                percent: str | None = None) -> ThicknessSeries:
    """The series of the rows ``df`` of table ``p`` (``percent``: where a line above the
    table speaks of percent, :func:`_percent_said`)."""
    t = _thickness_nm(p, df, rows, cols, thickness_unit,
                      named="thickness" in dict(columns or {}))
    rho, rho_source, rho_rows = _table_resistivity(p, df, rows, cols, header_meta, resistivity,
                                                   notes, t)
    parts = _efficiency_parts(p, df, rows, cols, t, rho, notes, rho_rows, percent,
                              named=set(dict(columns or {})))
    lab = label or header_meta.get("sample") or (p.stem if sheet is None else sheet)
    meta = {"source": str(p), "resistivity_source": rho_source, "header": header_meta,
            "columns_absent": tuple(absent),
            **({"reader_notes": tuple(notes)} if notes else {})}
    return ThicknessSeries(parts.get("dl"), parts.get("fl"), rho, lab, meta)


def _table_text(p: Path, sheet: str | None = None, decimal_mark: str | None = None
                ) -> tuple[str, tuple, str | None, bool]:
    """The text of table ``p`` (its table ``sheet`` of several, :mod:`sotfit.io.table_names`)
    as the parser takes it, the notes saying what was done, its delimiter (``'\\t'``,
    ``';'`` or ``','``; None: the parser sniffs it from the column header row), and whether
    it is the text of the file line by line (False: a table of a binary file, whose lines are
    not the file's).

    Text in UTF-8 (or, failing that, Windows-1252: ``µOhm cm`` as Excel on Windows saves it), or
    the sheet with numbers of an Excel workbook (:mod:`sotfit.io.containers`); numbers written
    with decimal commas rewritten with points where the comma cannot be the delimiter
    (:mod:`sotfit.io.decimal_commas`); in a semicolon- or tab-separated table without decimal
    commas, points between groups of thousands (``-156.123``) removed where they can only be
    such or ``decimal_mark`` is ``'comma'`` (:func:`_points_between_thousands`); a row of units
    under the column names written into the names (:mod:`sotfit.io.unit_rows`). Other binary
    files are refused.

    The delimiter is that of the first data row as :mod:`sotfit.io.text` finds it (tab, else
    semicolon, else comma), when the column header row splits into as many names with it: a
    name holding a comma (``xi_E,DL (1e5 Ohm^-1 m^-1)`` above rows ``6;0,05478;0,00456``) then
    stays one name. Blank-separated tables, and headers that split otherwise, are sniffed.
    """
    from .. import containers
    from ..decimal_commas import DIGIT_COMMA_DIGIT_RE, with_decimal_points
    from ..digit_groups import without_digit_groups
    from ..text import (_data_start, _decode, _is_content, _looks_like_key_value, _split,
                        _split_header_row, with_ascii_minus)
    from ..unit_rows import with_units_joined

    raw = containers.container_bytes(p)
    notes: list[str] = []
    if containers.is_binary(raw):
        try:
            sheets = containers.container_texts(p, raw, sheet)
            if sheet is not None:
                sheets = table_names.chosen(sheets, [n for n, _ in sheets], sheet, p)
        except Exception as exc:  # noqa: BLE001 - a DataError naming the kind of file
            raise ThicknessError(f"{p}: not a text table: {exc}") from None
        if len(sheets) > 1:
            raise ThicknessError(f"{p}: {containers.several_tables(raw, [n for n, _ in sheets])}; "
                                 f"give each sample's table by its name ('{p}[NAME]'), or save "
                                 "each as its own workbook or CSV file")
        text = "\n".join(ln for ln in sheets[0][1].splitlines() if ln.strip())
        notes.append(f"read from {containers.table_origin(raw, sheets[0][0])}")
    elif sheet is not None:
        try:
            table_names.chosen([], [None], sheet, p)
        except Exception as exc:  # noqa: BLE001 - the DataError naming the table asked for
            raise ThicknessError(str(exc)) from None
    elif b"\x00" in raw and containers.wide_text_encoding(raw) is None:
        raise ThicknessError(f"{p}: not a text table (it holds NUL bytes where text does not: "
                             "a binary file; save the table as CSV)")
    else:
        text = _decode(raw)
    text, minus_note = with_ascii_minus(text)
    if minus_note is not None:
        notes.append(minus_note)
    text, groups_note = without_digit_groups(text)
    if groups_note is not None:
        notes.append(groups_note)
    lines = text.splitlines()
    commas = False
    if DIGIT_COMMA_DIGIT_RE.search(text) is not None:
        converted = with_decimal_points(lines, None)
        if converted is None:
            converted = _decimal_points_beside_text(lines)
        if converted is not None:
            lines, commas = converted[0], True
            notes.append(converted[1])
    found = _data_start(lines)
    delimiter = None
    # a column of text filled on every row (sample names, remarks) leaves no row of numbers
    # only: the first data row is then that of the rows without those columns
    start = found if found is not None else _data_start_beside_text(lines)
    start = start if start is not None else _data_start_of_uncertainty_cells(lines)
    if start is not None and start[1] in (";", "\t") and not commas:
        lines = _points_between_thousands(p, lines, start[0], start[1], decimal_mark, notes)
        found = _data_start(lines)
        start = found if found is not None else _data_start_beside_text(lines)
        start = start if start is not None else _data_start_of_uncertainty_cells(lines)
    if start is not None:
        joined = with_units_joined(lines, start[0], start[1], len(start[2]))
        width = len(_split(lines[start[0]], start[1])) if start[1] != "whitespace" else 0
        if joined is None and width > len(start[2]):
            # a column of text beside the numbers ('comment', empty in the units row): the
            # units row was not seen, and 'nm' was read as a thickness
            joined = with_units_joined(lines, start[0], start[1], width)
        if joined is not None:
            lines = joined[0]
            notes.append(joined[2])
        # 'resistivity: 350 uOhm cm' above the table without its '#': a header entry too,
        # without the empty cells a sheet saved as text pads it with to the table's width
        # ('resistivity (µΩ cm): 200,,' was "cannot read the resistivity '200,, µΩ cm'")
        lines = [f"# {_without_padding(ln, start[1])}" if i < start[0] and _looks_like_key_value(ln)
                 and not ln.lstrip().startswith("#") else ln for i, ln in enumerate(lines)]
        lines = _without_titles(lines, start[0], start[1], notes, not containers.is_binary(raw))
        header = next((ln for ln in reversed(lines[:start[0]]) if _is_content(ln)), None)
        n = len(found[2]) if found is not None else width   # beside text: every cell's name
        if start[1] != "whitespace" and header is not None and _split_header_row(
                header, start[1], n, join_units=False) is not None:
            delimiter = start[1]
    return "\n".join(lines) + "\n", tuple(notes), delimiter, not containers.is_binary(raw)


def _without_titles(lines: list[str], first: int, delimiter: str, notes: list,
                    is_text: bool) -> list[str]:
    """``lines`` with the rows of one cell of text above the column names of a table of three
    columns or more (a caption, ``Table S3. Spin-orbit torques of BiSb(t)/NiFe(6 nm)``, as a
    supplementary workbook writes one above its table) made comments, with a note. ``first``
    is the index of the first data row; ``key: value`` rows are header entries already."""
    from ..text import _is_content, _split

    if delimiter == "whitespace":
        return lines
    above = [i for i in range(first) if _is_content(lines[i])]
    if len(above) < 2 or len(_split(lines[above[-1]], delimiter)) < 3:
        return lines
    titles = []
    for i in above[:-1]:                # the last one names the columns
        cells = [c for c in _split(lines[i], delimiter) if c.strip().strip('"')]
        if len(cells) == 1 and re.search(r"[^\W\d_]", cells[0]):
            titles.append(i)
    if not titles:
        return lines
    where = (f"line(s) {', '.join(str(i + 1) for i in titles)}" if is_text else
             f"row(s) {', '.join(str(i + 1) for i in titles)} of the sheet")
    notes.append(f"{where} above the column names ({lines[titles[0]].strip()[:50]!r}) read as "
                 "a title, not as the column names")
    return [f"# {ln}" if i in titles else ln for i, ln in enumerate(lines)]


def _blank_separated_names(header: str, rows: list[str]) -> list[str] | None:
    """The column names of a blank-separated table whose header row splits at every blank
    into another count than its rows' cells, split as :mod:`sotfit.io.text` splits such a
    row (two or more blanks, a tab, a unit in brackets kept with its name: ``thickness (nm)
    xi_dl xi_dl_err`` over rows of three numbers); None when it splits at every blank into as
    many names, or into none of the rows' width."""
    from ..text import _split_header_row

    widths = {len(r.split()) for r in rows if r.strip()}
    if len(widths) != 1:
        return None
    (n,) = widths
    if len(header.split()) == n:
        return None
    return _split_header_row(header, "whitespace", n)


def _without_end_comment(line: str, delimiter: str, width: int) -> str:
    """A data row without a comment after ``#`` at its end (``6,0.05,0.004  # a bad film``),
    where the row before it still has the ``width`` cells of the column names; a ``#`` inside
    a cell (a sample ``NiFe/BiSb #3``) stays: the row was cut there, and the error said its
    thickness was missing."""
    from ..text import _split

    at = line.find("#")
    while at >= 0:
        before = line[:at]
        cells = _split(before.rstrip(), delimiter)
        if len(cells) >= width and cells[-1].strip():
            return before
        at = line.find("#", at + 1)
    return line


def _data_start_beside_text(lines: list[str]):
    """``(index, delimiter, numbers)`` of the first data row of a table whose every row holds a
    cell of text (a sample name, a remark), found in the rows without those columns
    (:func:`sotfit.io.text_columns.without_text_columns`; each line keeps its place), or None."""
    from ..text import _data_start
    from ..text_columns import without_text_columns

    dropped = without_text_columns(lines)
    return None if dropped is None else _data_start(dropped[0])


def _without_padding(line: str, delimiter: str) -> str:
    """``line`` without the empty cells at its end (``resistivity: 200,,`` as a spreadsheet
    saved as text pads a row of one cell to the table's width); unchanged for a
    blank-separated table."""
    if delimiter == "whitespace":
        return line
    return re.sub(rf"(?:\s*{re.escape(delimiter)})+\s*$", "", line)


def _data_start_of_uncertainty_cells(lines: list[str]):
    """``(index, delimiter, cells)`` of the first data row of a table whose every efficiency
    cell writes a value with its uncertainty (``1.3484±0.0434``; no row of numbers alone), as
    :func:`sotfit.io.uncertainty_cells.with_uncertainty_columns` finds it, or None. A setting
    above such a table (``resistivity (µΩ cm): 200``, a workbook's row of two cells) was then
    taken for the column names: "some data rows have more cells than the header has column
    names"."""
    from ...data import DataError
    from ..text import _data_start, _detect_delimiter, _split
    from ..uncertainty_cells import with_uncertainty_columns

    try:
        paired = with_uncertainty_columns("table", lines)
    except DataError:           # a value without its uncertainty: the cell reader names it
        return None
    found = None if paired is None else _data_start(paired[0])
    if found is None or _detect_delimiter(lines[found[0]]) != found[1]:
        return None             # a blank-separated table: its rows were written with tabs
    return found[0], found[1], _split(lines[found[0]], found[1])


#: A number with a decimal comma in a line above a table (``# resistivity: 350,3 uOhm cm``):
#: not three digits after the comma, which a comma between thousands would have.
_PREAMBLE_DECIMAL_COMMA_RE = re.compile(r"(?<![\d,.])\d+,(?:\d{1,2}|\d{4,})(?![\d,.])")

#: The values of ``decimal_mark`` (``--decimal-mark``).
DECIMAL_MARKS = ("point", "comma")


def _points_between_thousands(p: Path, lines: list[str], start: int, delimiter: str,
                              decimal_mark, notes: list) -> list[str]:
    """The ``lines`` of a semicolon- or tab-separated table (``delimiter``) without decimal
    commas (its data from line index ``start``; a spreadsheet set up with decimal commas saves
    both), with the points between groups of three digits of its numbers removed
    where they separate thousands (``-156.123`` as -156123, Excel's ``#.##0`` in a locale with
    decimal commas), and the note said in ``notes``.

    The points separate thousands where :func:`sotfit.io.thousands.points_of` finds that
    they can only do so, where a line above the table writes a number with a decimal comma
    (``# resistivity: 350,3 uOhm cm``: the file was written with decimal commas; that number
    is then read as a decimal) and every point of the data may separate thousands, or where
    ``decimal_mark`` is ``'comma'``. Where every point may be either and nothing tells which,
    the table is refused, naming its columns, a cell and the option (``--decimal-mark``);
    ``'point'`` reads them as decimal points. Read as decimals, ``-156.123`` S/m for -156123
    S/m gave efficiencies 1000 times small without a word."""
    from ..decimal_commas import _with_points
    from ..text import _is_content, _split
    from ..thousands import points_of, without_thousands_points

    if decimal_mark == "point":
        return lines
    data = [i for i in range(start, len(lines)) if _is_content(lines[i])]
    verdict = points_of([_split(lines[i], delimiter) for i in data])
    above = [i for i in range(start) if _PREAMBLE_DECIMAL_COMMA_RE.search(lines[i])]
    header = next((lines[i] for i in reversed(range(start)) if _is_content(lines[i])), "")
    names = _split(header, delimiter)

    def named(columns) -> str:
        return ", ".join(repr(names[k].strip()) if k < len(names) else f"column {k + 1}"
                         for k in columns)

    if verdict.kind == "decimal":
        if decimal_mark == "comma" and verdict.example:
            raise ThicknessError(
                f"{p}: --decimal-mark comma, but column {named(verdict.columns)} writes "
                f"{verdict.example!r}, a decimal point (no grouping of thousands writes it): "
                "leave out --decimal-mark, or give --decimal-mark point")
        return lines
    if verdict.kind == "ambiguous" and decimal_mark != "comma" and not above:
        raise ThicknessError(
            f"{p}: the numbers of column(s) {named(verdict.columns)} are written with a point "
            f"before three digits ({verdict.example!r}) in a "
            f"{'semicolon' if delimiter == ';' else 'tab'}-separated table without "
            "decimal commas: a decimal point, or a point between thousands as a spreadsheet "
            f"set up with decimal commas writes integers ({verdict.example!r} = "
            f"{verdict.example.replace('.', '')}), which cannot be told apart; give "
            "--decimal-mark comma (points between thousands) or --decimal-mark point (decimal "
            "points; Python: decimal_mark=)")
    out = list(lines)
    for i in above:
        out[i] = _with_points(out[i])
    for i in data:
        out[i] = delimiter.join(without_thousands_points(_split(lines[i], delimiter)))
    why = ("as --decimal-mark comma says" if decimal_mark == "comma" else
           f"as line {above[0] + 1} writes {lines[above[0]].strip()[:40]!r} with a decimal "
           "comma" if verdict.kind == "ambiguous" else
           "no other reading: " + ("a number of several groups" if verdict.example.count(".") > 1
                                  else "integers below 1000 written without a point beside them"))
    notes.append(f"points between groups of three digits in column(s) {named(verdict.columns)} "
                 f"read as separators of thousands ({verdict.example!r} as "
                 f"{verdict.example.replace('.', '')}; {why})"
                 + (f"; the decimal comma(s) of line(s) {', '.join(str(i + 1) for i in above)} "
                    "read as decimals" if above else ""))
    return out


def _decimal_points_beside_text(lines: list[str]):
    """The lines of a table with decimal commas whose every row holds a cell of text (a sample
    name, a remark), each number written with a decimal point, and the note to give; None where
    the rows without those columns are not a table of decimal commas
    (:func:`sotfit.io.decimal_commas.with_decimal_points` decides on them)."""
    from ..decimal_commas import _with_points, with_decimal_points
    from ..text import _data_start
    from ..text_columns import without_text_columns

    dropped = without_text_columns(lines)
    if dropped is None:
        return None
    converted = with_decimal_points(dropped[0], _data_start(dropped[0]))
    if converted is None:
        return None
    return [_with_points(ln) for ln in lines], converted[1]


def _leading_settings(lines: list[str]) -> tuple[dict[int, tuple[str, str]], set[int]]:
    """The settings of two cells above the column names of a table of more columns
    (``resistivity (uOhm cm),350.3``, ``Sample,NiFe(6)/BiSb(t)``, padded or not, as a
    spreadsheet writes them), by line index as (name, value), and the indices of the rows of
    delimiters only among them (``,,,,``, an empty spreadsheet row)."""
    from ..text import _detect_delimiter, _split

    content = [i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")]
    if not content:
        return {}, set()
    delimiter = _detect_delimiter(lines[content[-1]])
    if delimiter == "whitespace":
        return {}, set()
    n = len([c for c in _split(lines[content[-1]], delimiter) if c.strip()])
    settings: dict[int, tuple[str, str]] = {}
    spacers: set[int] = set()
    for i in content:
        cells = [c.strip().strip('"') for c in _split(lines[i], delimiter) if c.strip()]
        if not cells:
            spacers.add(i)
        elif len(cells) == 2 and n > 2 and re.search(r"[^\W\d_]", cells[0]):
            settings[i] = (cells[0], cells[1])
        else:
            break
    return settings, spacers


def _header_lines(p: Path, text: str) -> dict[str, str]:
    """The ``# key: value`` lines before the header of ``p`` (its ``text``; keys lower case,
    spaces as ``_``), and its settings of two cells (:func:`_leading_settings`); refuses a
    file that holds no table."""
    header_meta: dict[str, str] = {}
    has_table = False
    lines = text.splitlines()
    settings, spacers = _leading_settings(lines)
    for i, line in enumerate(lines):
        if not line.strip() or i in spacers:
            continue
        if i in settings:       # 'resistivity (uOhm cm),350.3': the unit goes with the value
            key, value = settings[i]
            try:
                name, unit = split_header(key)
            except UnitError:
                name, unit = key.strip().lower(), None
            header_meta[name.replace(" ", "_")] = value if unit is None else f"{value} {unit}"
            continue
        if not line.lstrip().startswith("#"):
            has_table = True
            break
        m = _META_RE.match(line)
        if m:   # 'resistivity: 350 uOhm cm', or 'resistivity (uOhm cm): 350'
            value = m.group(3) if m.group(2) is None else f"{m.group(3)} {m.group(2)}"
            header_meta[m.group(1).strip().lower().replace(" ", "_")] = value
    if not has_table:
        raise ThicknessError(f"{p}: no table: the file is empty" if p.stat().st_size == 0 else
                             f"{p}: no table: the file holds only blank or '#' comment lines; "
                             "a header line such as 'thickness (nm), xi_e_dl (1e5 Ohm^-1 m^-1), "
                             "xi_e_dl_stderr (1e5 Ohm^-1 m^-1)' and data rows are needed")
    return header_meta


@dataclass(frozen=True)
class _Rows:
    """Where the data rows of a table are, for messages and notes.

    Attributes
    ----------
    numbers : tuple of int
        For each data row, its file line (from 1), or for a table of a binary file (a
        workbook sheet, ...) its place among the rows under the column names (from 1).
    file_lines : bool
        Whether ``numbers`` are file lines.
    """

    numbers: tuple[int, ...]
    file_lines: bool

    def where(self, idx) -> str:
        """``'line 7'``, ``'lines 4, 8, 11'`` (or ``'data row 3 (counted from 1 under the
        column names)'``) for the data rows ``idx`` (0 = the first row read)."""
        nums = [self.numbers[int(i)] for i in idx]
        listed = ", ".join(map(str, nums[:8])) + (f", ... ({len(nums)} in all)"
                                                   if len(nums) > 8 else "")
        plural = "s" if len(nums) > 1 else ""
        if self.file_lines:
            return f"line{plural} {listed}"
        return f"data row{plural} {listed} (counted from 1 under the column names)"

    def without(self, idx) -> "_Rows":
        """The rows but those of ``idx``."""
        drop = set(int(i) for i in idx)
        return _Rows(tuple(n for i, n in enumerate(self.numbers) if i not in drop),
                     self.file_lines)


def _read_frame(p: Path, text: str, delimiter: str | None, is_text: bool, notes: list):
    """The table of ``p`` (its ``text``) as a pandas DataFrame of text cells, and where its
    rows are (:class:`_Rows`).

    Split at ``delimiter``, or at the separator sniffed from the column header row when it is
    None; ``#`` comments skipped. A footer (:func:`sotfit.io.thickness.cells.footer_count`)
    and rows that hold no value in any cell are left out, each with a note in ``notes``.
    """
    import io

    import pandas as pd

    lines = text.splitlines()
    settings, spacers = _leading_settings(lines)
    if settings:
        notes.append(f"line(s) {', '.join(str(i + 1) for i in sorted(settings))} above the "
                     "column names read as settings ("
                     + ", ".join(f"{k} = {v}" for k, v in list(settings.values())[:3]) + ")")
    content = [i for i, ln in enumerate(lines) if ln.split("#", 1)[0].strip()
               and i not in settings and i not in spacers]
    data = content[1:]              # content[0]: the column names (_header_lines saw a table)

    from ..text import _first_words

    cut = _cells.footer_count([lines[i] for i in data], delimiter)
    if cut:
        foot, data = data[-cut:], data[:-cut]
        where = (f"line(s) {', '.join(str(i + 1) for i in foot)}" if is_text else
                 f"the last {cut} row(s) of the table")
        notes.append(f"{where} after the data ({_first_words(lines, foot)!r}) not read: text "
                     "without a number, a footer")
    if content:
        from ..text import _detect_delimiter, _split

        split_at = delimiter or _detect_delimiter(lines[content[0]])
        width = len(_split(lines[content[0]], split_at))
        rows_text = [_without_end_comment(lines[i], split_at, width) for i in data]
        names = _blank_separated_names(lines[content[0]], rows_text) \
            if delimiter is None and split_at == "whitespace" else None
        if names is not None:
            # names with a blank (units in brackets, 'thickness (nm) xi_dl') as the text reader
            # splits them: every blank was a separator and the unit a column of its own
            delimiter = "\t"
            body = "\n".join(["\t".join(names), *("\t".join(r.split()) for r in rows_text)]) + "\n"
        else:
            body = "\n".join([lines[content[0]], *rows_text]) + "\n"
    else:
        body = text
    with warnings.catch_warnings():
        # index_col=False: a data row with more cells than the header has names must not
        # shift the columns (pandas would silently use the first column as the index)
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            df = pd.read_csv(io.StringIO(body), sep=delimiter, engine="python",
                             skipinitialspace=True, index_col=False, dtype=str,
                             keep_default_na=False)
        except pd.errors.ParserWarning:
            raise ThicknessError(f"{p}: some data rows have more cells than the header has "
                                 "column names; name every column or remove the extra cells"
                                 ) from None
        except Exception as exc:  # noqa: BLE001 - any parse failure is a user error
            raise ThicknessError(f"{p}: cannot read the table ({exc})") from None
    if len(df) == 0:
        raise ThicknessError(f"{p}: no data rows under the header (columns: "
                             f"{list(map(str, df.columns))})")
    # one row per line unless a quoted cell spans lines: then rows are counted, not lines
    if is_text and len(df) == len(data):
        rows = _Rows(tuple(i + 1 for i in data), True)
    else:
        rows = _Rows(tuple(range(1, len(df) + 1)), False)
    empty = [i for i in range(len(df)) if all(_cells.is_missing(c) for c in df.iloc[i])]
    if empty:
        notes.append(f"{rows.where(empty)} {'holds' if len(empty) == 1 else 'hold'} no value in "
                     f"any cell ({_MISSING_WORDS}): not read")
        df = df.drop(index=df.index[empty]).reset_index(drop=True)
        rows = rows.without(empty)
        if len(df) == 0:
            raise ThicknessError(f"{p}: no data rows under the header (columns: "
                                 f"{list(map(str, df.columns))}); every row is empty")
    return df, rows


#: The field-normalised efficiency written with a superscript E (``ξ_DL^E``, ``xi^E_DL``).
_SUPERSCRIPT_E_RE = re.compile(r"^xi(?:_(dl|fl)\^e|\^e_(dl|fl))(?=$|_)", re.I)


#: A word before an efficiency's name that makes it the name of its error column (``d xi_DL^E``,
#: ``delta xi_dl``, ``σ xi_DL``, ``err xi_e_dl``), with a blank or ``_`` between.
_ERROR_WORD_RE = re.compile(r"^(?P<word>d|delta|sigma|\u03c3|err|error)[\s_]+(?=xi)", re.I)


def _key(name: str) -> str:
    """The key a column name is matched by: blanks and dashes as ``_``, the Greek letters
    spelled out (``xi_DL error`` and ``ξ_DL-error`` as ``xi_dl_error``), a superscript E as
    the subscript (``ξ_DL^E`` and ``xi^E_DL`` as ``xi_e_DL``), a leading Delta as the ``d``
    of an error column (``Δξ_DL^E`` as ``dxi_e_DL``) and a word before the efficiency's name
    that makes it its error column's as a word (``d xi_DL^E`` as ``d_xi_e_DL``, ``σ ξ_DL`` as
    ``sigma_xi_DL``, :data:`_ERROR_WORD_RE`; such a name is an efficiency's error column's
    and nothing else's)."""
    name = name.strip().replace("ξ", "xi").replace("ρ", "rho")
    delta = name[:1] in ("Δ", "δ")
    name = name[1:].lstrip() if delta else name
    word = _ERROR_WORD_RE.match(name)
    if word is not None:
        name = name[word.end():]
    # 'ξDL', 'ξDL^E': the subscript copied from a typeset table without its '_'
    name = re.sub(r"(?i)^xi(dl|fl)(?=$|[_\s^\-])", r"xi_\1", name)
    name = _SUPERSCRIPT_E_RE.sub(lambda m: f"xi_e_{m.group(1) or m.group(2)}", name)
    prefix = ("d" if delta else "") + ("" if word is None else
                                       word.group("word").replace("\u03c3", "sigma") + "_")
    return prefix + re.sub(r"[\s\-]+", "_", name.strip())


def _thickness_name(cols: dict) -> str | None:
    """The key of the thickness column: a name of :data:`_THICK_NAMES` or starting with
    ``thickness``, else the one name holding the word (``Pt thickness``, ``thickness_of_Pt``)
    or written ``t_<layer>`` with a length unit (``t_Pt (nm)``); None when there is none, or
    several of the second kind (the caller names one)."""
    first = next((n for n in cols if n in _THICK_NAMES or n.startswith("thickness")), None)
    if first is not None:
        return first
    found = [n for n, (_, unit) in cols.items()
             if "thickness" in n.split("_") or re.fullmatch(r"t_[a-z0-9]+", n) and unit
             and dimension_of(unit) == "length"]
    return found[0] if len(found) == 1 else None


def _table_columns(p: Path, df, columns, column_units, notes: list) -> tuple[dict, list[str]]:
    """``{name: (column, unit)}`` from the header cells and the caller's roles, and the roles
    whose column the table lacks. A name ending in ``+/- err`` or ``± err`` (a column of
    values with their uncertainties) is matched by the name before it."""
    cols = {}
    same: dict[str, list[str]] = {}      # keys that two or more columns give
    named = {str(v).strip(): role for role, v in dict(columns or {}).items()}
    for c in df.columns:
        try:
            name, unit = split_header(str(c))
        except UnitError as exc:        # 'thickness (Nm)': the options can say what it is
            role = named.get(str(c).strip())
            if role is None and re.search(r"a/m\^?2|a\s*m\^?-2|/\s*j\b|per\s+j\b", str(c),
                                          re.I):
                # 'H_DL/j (mT per 1e11 A/m^2)': no role reads a field per current density
                raise ThicknessError(
                    f"{p}: column {str(c).strip()!r} looks like a torque field per current "
                    "density, which thickness tables do not take: convert it to the efficiency "
                    "xi = (2e/hbar) M_s t_FM (mu0 H) / j (M_s in A/m, mu0 H in T, j in A/m^2; "
                    "dimensionless) or xi^E = xi / rho, and name that column (--column "
                    "xi_dl=NAME or xi_e_dl=NAME)") from None
            if role is None and re.search(r"t\s*m\s*/\s*v\b|/\s*\(?v\s*/\s*m|/\s*e\b|"
                                          r"per\s+e\b", str(c), re.I):
                # 'mu0H_DL/E (T m/V)': the advice to give its unit with --column-unit led to a
                # list of 90 units none of which is a field per electric field
                raise ThicknessError(
                    f"{p}: column {str(c).strip()!r} looks like a torque field per electric "
                    "field, which thickness tables do not take: convert it to the efficiency "
                    "per field xi^E = (2e/hbar) M_s t_FM (mu0 H) / E (seed 003; M_s in A/m, "
                    "t_FM in m, mu0 H / E in T m/V: xi^E in S/m), and name that column "
                    "(--column xi_e_dl=NAME with --column-unit xi_e_dl=S/m)") from None
            given = _unit_of_its_values(df, c, columns, column_units)
            if given is not None:
                # an error column in the unknown unit of its values, whose unit --column-unit
                # gives: it takes that unit (read as the values' when its own is None); a
                # second --column-unit for it was needed, which no message named
                unit_given, value_role, value_column = given
                notes.append(f"column {str(c).strip()!r}, the error column of {value_column!r}, "
                             f"read in {unit_given} as --column-unit {value_role}={unit_given} "
                             f"says for its values: it writes the same unit "
                             f"({written_unit(str(c))!r})")
                name = _bare_name(str(c)).lower() if role is None else str(c).strip().lower()
                unit = None
            elif role is None or role not in dict(column_units or {}):
                raise ThicknessError(f"{p}: {exc}; name the column and give its unit "
                                     f"(--column \"ROLE={str(c).strip()}\" --column-unit "
                                     "ROLE=UNIT; its error column takes that unit where its "
                                     "header writes the same)") from None
            else:
                name, unit = str(c).strip().lower(), None
        if unit is not None and dimension_of(unit) == "temperature":
            # a cryostat's 'T (K)' is no thickness: as the key 't' it took the place of a
            # 't (nm)' before it, and the table was refused as 'K is a temperature unit, but
            # a length unit is needed'. No role reads a temperature (a role named with
            # --column is found among the table's columns below)
            continue
        m = _PLUS_MINUS_NAME_RE.match(name)
        key = _key(m.group("base")) if m is not None else _key(name)
        if m is not None and key in cols:    # a column of that name too: keep the name whole
            key = _key(name)
        if key in cols:
            same.setdefault(key, [str(cols[key][0]).strip()]).append(str(c).strip())
        cols[key] = (c, unit)
    given_names = {str(v).strip() for v in dict(columns or {}).values()}
    for headers in same.values():
        if not given_names & set(headers):
            # 't (nm)' beside 'T (nm)': the later was read without a word
            raise ThicknessError(f"{p}: columns {', '.join(repr(h) for h in headers)} are one "
                                 f"name as columns are matched (case, blanks and dashes aside), "
                                 f"and only one can be read: name the one to read with --column "
                                 f"ROLE=NAME (e.g. --column \"thickness={headers[0]}\")")
    absent: list[str] = []
    cols = _apply_column_roles(p, df, cols, columns, column_units, absent, notes)
    return cols, absent


def _bare_name(header: str) -> str:
    """A column header without the unit it writes (``xi_e_dl_err (Ohm^-1 m^-1 x 10^5)`` ->
    ``xi_e_dl_err``), whether sotfit knows the unit or not."""
    from ...units import _header_match

    m = _header_match(header.strip())
    return header.strip() if m is None else m.group("name").strip()


def _same_written_unit(a: str | None, b: str | None) -> bool:
    """Whether two units are written alike (blanks aside)."""
    return a is not None and b is not None and a.split() == b.split()


def _unit_of_its_values(df, c, columns, column_units):
    """``(unit, value role, value column)`` where column ``c``, whose header writes a unit sotfit
    does not know, is the error column of a value column named by ``columns`` whose unit
    ``column_units`` gives and whose header writes the same unit: named so by ``--column
    ROLE_err=`` (without a unit of its own), by its name (an error name of the role,
    :data:`_ERR_PATTERNS`: ``xi_e_dl_err``, ``d xi_e_dl``), or as Origin writes error bars
    (``err`` right of the values, :data:`_BARE_ERROR_NAMES`); None otherwise."""
    units = dict(column_units or {})
    named = {role: str(v).strip() for role, v in dict(columns or {}).items()}
    header = str(c).strip()
    written = written_unit(header)
    if written is None or header in named.values() and not any(
            named.get(r) == header and r.endswith("_err") and r not in units for r in named):
        return None
    key = _key(_bare_name(header).lower())
    order = [str(v).strip() for v in df.columns]
    for role, unit in units.items():
        if role.endswith("_err") or role not in named or named[role] not in order:
            continue
        value = named[role]
        if not _same_written_unit(written_unit(value), written):
            continue
        by_role = named.get(f"{role}_err") == header and f"{role}_err" not in units
        by_name = key in {pat.format(n=role) for pat in _ERR_PATTERNS}
        beside = (order.index(header) == order.index(value) + 1
                  and re.sub(r"\.\d+$", "", _bare_name(header)).lower() in _BARE_ERROR_NAMES)
        if by_role or by_name or beside:
            return unit, role, value
    return None


_NOT_A_NUMBER = (f"a cell without a value may be {_MISSING_WORDS}; a value with its "
                 "uncertainty may be written '0.05478 +/- 0.00456' in a value column")


def _read_cells(p: Path, df, rows: _Rows, c):
    """The cells of column ``c``: values (NaN where missing), uncertainties written in the
    cell (NaN where none), and the masks of missing cells and of cells with an uncertainty.
    Text that is neither a number nor a missing marker is refused, naming its lines."""
    n = len(df)
    values, errs = np.full(n, np.nan), np.full(n, np.nan)
    missing, paired = np.zeros(n, bool), np.zeros(n, bool)
    text = []
    for i, cell in enumerate(df[c]):
        if _cells.is_missing(cell):
            missing[i] = True
            continue
        v = _cells.number(cell)
        if v is not None:
            values[i] = v
            continue
        ve = _cells.with_uncertainty(cell)
        if ve is None:
            text.append(i)
            continue
        values[i], errs[i] = ve
        paired[i] = True
    if text:
        first = str(df[c].iloc[text[0]]).strip()
        if first.endswith("%") and _cells.number(first[:-1].strip()) is not None:
            # '1.278%', as a spreadsheet writes a cell formatted as percent
            raise ThicknessError(
                f"{p}: column {c!r} holds numbers with a percent sign on {rows.where(text)} "
                f"({first!r}): write the numbers without the sign and the unit in the column's "
                f"header ('{str(c).strip()} (%)'), or save the cells as numbers")
        raise ThicknessError(f"{p}: column {c!r} holds text that is not a number on "
                             f"{rows.where(text)} ({first!r}); " + _NOT_A_NUMBER)
    return values, errs, missing, paired


def _refuse_non_finite(p: Path, rows: _Rows, c, v, idx=None):
    """Refuse infinite values of column ``c`` (``v`` at the data rows ``idx``, default all)."""
    idx = np.arange(len(v)) if idx is None else np.asarray(idx)
    bad = idx[~np.isfinite(v)]
    if bad.size:
        raise ThicknessError(f"{p}: column {c!r} has non-finite cells (inf) on "
                             f"{rows.where(bad)}")


def _column(p: Path, df, rows: _Rows, cols: dict, name: str, what: str, fix: str):
    """Values (finite floats, one per row), unit and header cell of column ``name``, the
    ``what`` of every row (``fix``: what to do about an empty cell, for the message)."""
    c, unit = cols[name]
    v, _, missing, paired = _read_cells(p, df, rows, c)
    if paired.any():
        raise ThicknessError(f"{p}: column {c!r} holds a value with an uncertainty on "
                             f"{rows.where(np.flatnonzero(paired))} "
                             f"({str(df[c].iloc[int(np.flatnonzero(paired)[0])]).strip()!r}); "
                             f"give the {what} alone")
    if missing.any():
        raise ThicknessError(f"{p}: column {c!r} has no value on "
                             f"{rows.where(np.flatnonzero(missing))}"
                             f" ({_MISSING_WORDS}); every row needs its {what}: {fix}")
    _refuse_non_finite(p, rows, c, v)
    return v, unit, c


#: Layers that are ferromagnets, by name (lower case) or by an element symbol they hold.
_MAGNET_LAYERS = {"py", "permalloy", "yig", "fm", "ferromagnet", "magnet", "nife", "cofe",
                  "cofeb", "feco", "fecob", "cotb", "gdfeco", "coni", "fe", "co", "ni", "gd"}
_MAGNET_ELEMENTS = {"Fe", "Co", "Ni", "Gd", "Tb", "Dy"}


def _ferromagnet_layer(column) -> str | None:
    """The layer a thickness column ``t_<layer>`` is of when the layer is a ferromagnet
    (``t_NiFe (nm)``, ``t_CoFeB``, ``t_FM``), else None."""
    m = re.match(r"^\s*t[_\s-]+(?P<layer>[A-Za-z0-9]+)", str(column))
    if m is None:
        return None
    return _magnet_layer(m.group("layer"))


def _magnet_layer(layer: str) -> str | None:
    """``layer`` where it names a ferromagnet (``NiFe``, ``CoFeB``, ``FM``, ``Py``), else None."""
    symbols = re.findall(r"[A-Z][a-z]?", layer)
    if layer.lower() in _MAGNET_LAYERS or (
            "".join(symbols) == re.sub(r"[0-9]", "", layer) and _MAGNET_ELEMENTS & set(symbols)):
        return layer
    return None


def _repeated_rows(t, y, e, lines) -> dict[int, int]:
    """``{line: earlier line}`` of the rows of one efficiency series that repeat an earlier row
    exactly (thickness, value and error); ``lines`` are the rows' file lines."""
    seen: dict = {}
    out = {}
    for i, key in enumerate(zip(t.tolist(), y.tolist(), e.tolist())):
        if key in seen:
            out[int(lines[i])] = int(lines[seen[key]])
        else:
            seen[key] = i
    return out


#: Values on a grid whose step is at least this fraction of their median error carry too few
#: digits to tell a row pasted twice from two devices that agree to the digits written.
COARSE_DIGITS = 0.3


def _coarse(y: np.ndarray, e: np.ndarray) -> bool:
    """Whether the values ``y`` (errors ``e``) are written with so few digits that two
    measurements agree exactly by chance: the step of their written digits at their largest
    (:func:`sotfit.digits.written_step`) at least :data:`COARSE_DIGITS` of their median
    error."""
    return written_step(y, min_values=2) >= COARSE_DIGITS * float(np.median(e))


def _whole_rows_repeated(p: Path, repeats: dict, rows: _Rows, notes: list) -> str | None:
    """Say in ``notes`` which rows repeat an earlier row in every efficiency series read
    (``repeats``: per series, (:func:`_repeated_rows`, values, errors)): a row pasted twice
    counts as a measurement of its own and shrinks every standard error. A row whose one
    series repeats while the other differs is another device's: not said. Returns what is
    said, to flag the fit with, or None (also when the values carry too few digits to tell a
    row pasted twice from two devices that agree to those digits, :func:`_coarse`: then the
    note only)."""
    found = [r for r, _, _ in repeats.values()]
    common = set.intersection(*(set(r) for r in found)) if found else set()
    if not common:
        return None
    first = {found[0][line] for line in common}
    coarse = any(_coarse(y, e) for _, y, e in repeats.values())
    said = (f"{rows.where(sorted(common))} {'repeats' if len(common) == 1 else 'repeat'} "
            f"{rows.where(sorted(first))} exactly in every column read (thickness, values and "
            "errors); each is fitted as a measurement of its own, which shrinks every "
            "standard error: delete a row pasted twice"
            + (" (the values carry few digits beside their errors: two devices may agree "
               "to them)" if coarse else " (or, if two devices agree to the digits written, "
               "write more digits)"))
    notes.append(said)
    return None if coarse else f"{p.name}: {said}"


def _thickness_nm(p: Path, df, rows: _Rows, cols: dict, thickness_unit,
                  named: bool = False) -> np.ndarray:
    """The thickness column in nm (never negative). A column found by its name ``t_<layer>``
    whose layer is a ferromagnet (``t_NiFe``) is refused unless ``named`` (the caller named it):
    the model is a series in the thickness of the spin source."""
    tname = _thickness_name(cols)
    layer = None if tname is None or named else _ferromagnet_layer(cols[tname][0])
    if layer is not None:
        raise ThicknessError(
            f"{p}: column {cols[tname][0]!r} is the thickness of {layer}, a ferromagnet; the "
            "model (eqs. (1)-(2)) is a series in the thickness of the spin source, the layer "
            "the spin current comes from. Name the spin source's thickness column 'thickness "
            f"(nm)', or, if {layer} is the spin source, pass --column "
            f"\"thickness={str(cols[tname][0]).strip()}\"")
    if tname is None:
        several = [str(c) for n, (c, unit) in cols.items() if re.fullmatch(r"t_[a-z0-9]+", n)]
        which = (f"{' and '.join(map(repr, several))} could each be the thickness of the series"
                 if len(several) > 1 else f"no thickness column among "
                 f"{list(map(str, df.columns))}")
        amperes = [str(c).strip() for n, (c, unit) in cols.items()
                   if unit == "A" and (re.fullmatch(r"t_[a-z0-9]+", n) or n in _THICK_NAMES
                                       or "thickness" in n.split("_"))]
        if len(several) <= 1 and len(amperes) == 1:
            # 't_BiSb (A)': Angstrom written as the ampere's A (Å is not on every keyboard)
            raise ThicknessError(
                f"{p}: column {amperes[0]!r} is named as a thickness, but its unit A is the "
                "ampere's; if it means Angstrom, write 'Å' or 'Ang' in the header, or pass "
                f"--column \"thickness={amperes[0]}\" --column-unit thickness=Ang")
        raise ThicknessError(f"{p}: {which}; name one 'thickness (nm)' or pass --column "
                             "thickness=NAME (with --column-unit thickness=nm when its header "
                             "has no unit)")
    t, tunit, tcol = _column(p, df, rows, cols, tname, "thickness",
                             "write it there, or delete the row")
    tunit = tunit or thickness_unit
    if tunit is None:
        raise ThicknessError(f"{p}: column {tcol!r} has no unit; write e.g. 'thickness (nm)' "
                             "or pass --column-unit thickness=nm")
    try:
        t = to_house(t, tunit, "length")[0]
    except UnitError as exc:
        hint = ("; if A means Angstrom, write 'Å' or 'Ang' in the header, or pass "
                "--column-unit thickness=Ang" if tunit == "A" else "")
        raise ThicknessError(f"{p}: column {tcol!r}: {exc}{hint}") from None
    # 0 nm is a control without the spin source (the model gives no torque there): a row of
    # a torque at 0 nm is the fit's to judge (its reduced chi-square), not refused
    if np.any(t < 0):
        raise ThicknessError(f"{p}: column {tcol!r} has negative thickness on "
                             f"{rows.where(np.flatnonzero(t < 0))}")
    return t


#: Subscripts of a resistivity that is not the spin source's longitudinal one: the Hall
#: resistivities (transverse, anomalous, ordinary).
_HALL_RESISTIVITIES = {"xy", "yx", "h", "hall", "ah", "ahe", "aha", "oh", "ohe", "ane", "she", "sh"}


def _other_resistivity(column) -> bool:
    """Whether a column named for a resistivity (``rho_<x> (uOhm cm)``) is that of another layer
    or quantity than the spin source's longitudinal one: a ferromagnet's (``rho_NiFe``,
    ``rho_FM``, as :func:`_ferromagnet_layer` tells a thickness column's layer) or a Hall
    resistivity (``rho_xy``, ``rho_AHE``)."""
    m = re.match(r"^\s*(?:rho|\u03c1|resistivity)[_\s-]+(?P<sub>[A-Za-z0-9]+)", str(column),
                 re.IGNORECASE)
    if m is None:
        return False
    sub = m.group("sub")
    return sub.lower() in _HALL_RESISTIVITIES or _magnet_layer(sub) is not None


def _table_resistivity(p: Path, df, rows: _Rows, cols: dict, header_meta: dict, resistivity,
                       notes: list, t):
    """The bulk resistivity of the model in uOhm cm (or None), where it came from, and the
    resistivity of every row when a column gives one that varies with thickness (else None).

    The bulk value: the option, else a ``resistivity``/``rho`` column of one value, else a header
    line. A column that varies with thickness (thin films are more resistive) converts each
    row's dimensionless xi to xi^E = xi / rho with the row's own value (it was made with it);
    the model's g = 2 lambda_s rho G takes one bulk value, which the option or the header line
    then gives (none of the two: an error naming the option). Read with one value instead, a
    series of xi made with 204-300 uOhm cm gave lambda_s 13.6 for 15 nm without a word."""
    rname = next((n for n in cols if n in _RHO_NAMES), None)
    if rname is None:
        # 'ρ_xx (µΩ cm)', 'rho_BiSb (uOhm cm)': a name of a resistivity with its unit
        named = [n for n, (c, unit) in cols.items()
                 if re.match(r"(?:rho|resistivity)(?:_|$)", n) and unit
                 and dimension_of(unit) == "resistivity" and not _other_resistivity(c)]
        if len(named) == 1:
            rname = named[0]
            notes.append(f"column {cols[rname][0]!r} read as the resistivity (a resistivity's "
                         "name and unit)")
    rv = rcol = None
    if rname is not None:
        rv, runit, rcol = _column(p, df, rows, cols, rname, "resistivity",
                                  "write it there, or give it with --rho (used instead of "
                                  "the column)")
        if runit is None:
            raise ThicknessError(f"{p}: column {rcol!r} has no unit; write e.g. "
                                 "'resistivity (uOhm cm)'")
        rv = to_house(rv, runit, "resistivity")[0]
    varies = rv is not None and np.ptp(rv) > 1e-9 * np.max(np.abs(rv))
    header_key = next((k for k in _RHO_HEADER_KEYS if k in header_meta), None)
    if rv is not None and not varies and header_key is not None:
        _option_agrees_with_file(p, float(rv[0]), None, False, None, header_meta, header_key,
                                 given=f"column {rcol!r}")
    if resistivity is not None:
        rho, rho_source = float(resistivity), "option"
        _option_agrees_with_file(p, float(resistivity), rv, varies, rcol, header_meta,
                                 header_key)
    elif rv is not None and not varies:
        rho, rho_source = float(rv[0]), f"column {rcol!r}"
    elif header_key is not None:
        rho, rho_source = (_resistivity_text(header_meta[header_key], f"{p} header"),
                           "header")
    elif varies:
        raise ThicknessError(
            f"{p}: column {rcol!r} varies with thickness ({rv.min():.4g}-{rv.max():.4g} uOhm cm): "
            + ("each row's dimensionless xi is converted with its own, but " if
               _dimensionless(cols) else "")
            + "the model (g = 2 lambda_s rho G) takes one bulk resistivity of the spin source: "
            "give it with --rho (Python: resistivity=), e.g. --rho "
            f"{rv[int(np.argmax(t))]:.4g}uOhmcm "
            "(the thickest film's)")
    else:
        rho, rho_source = None, None
    if rho is not None and not (math.isfinite(rho) and rho > 0):
        raise ThicknessError(f"{p}: resistivity must be > 0 uOhm cm, got {rho}")
    if rho is not None and rho > RESISTIVITY_LIMIT:
        # '350.3 Ohm m' in a header: every least-squares start failed, and the message named
        # a keyword of the Python fit (bounds=) and not the header
        raise ThicknessError(
            f"{p}: the resistivity from the {rho_source} ({rho:.4g} uOhm cm = "
            f"{rho * 1e-8:.4g} Ohm m) is beyond {RESISTIVITY_LIMIT:g} uOhm cm, a semiconductor's, "
            "not a spin source's (metals 2-300, topological insulators up to about 1e4 uOhm "
            "cm): check its unit (uOhm cm, uOhm m and Ohm m differ by 100 and 1e8)")
    rows_rho = None
    if varies:
        if np.any(rv <= 0):
            raise ThicknessError(f"{p}: column {rcol!r} has resistivities <= 0 on "
                                 f"{rows.where(np.flatnonzero(rv <= 0))}")
        if _dimensionless(cols):
            rows_rho = rv
            notes.append(f"dimensionless xi converted row by row with column {rcol!r} "
                         f"({rv.min():.4g}-{rv.max():.4g} uOhm cm); the model takes the bulk "
                         f"resistivity {rho:g} uOhm cm ({rho_source})")
        else:
            notes.append(f"column {rcol!r} not used: xi^E needs no resistivity to convert it, "
                         f"and the model takes the bulk {rho:g} uOhm cm ({rho_source})")
    return rho, rho_source, rows_rho


#: Largest bulk resistivity (uOhm cm) read from a table, a header or --rho: 0.1 Ohm cm, a
#: semiconductor's.
RESISTIVITY_LIMIT = 1e5


#: Largest relative difference between --rho and the one resistivity a file writes.
RHO_AGREEMENT = 1e-3


def _option_agrees_with_file(p: Path, rho: float, rv, varies: bool, rcol, header_meta: dict,
                             header_key, given: str = "--rho") -> None:
    """Refuse a resistivity ``rho`` (``--rho``, or the ``given`` column) that differs from the
    one the file writes (a header line, or a column of one value): the file's efficiencies were
    made with its value, and the option replaced it without a word (sigma_s and G 75 % high for
    200 against 350.3 uOhm cm). A column that varies with thickness writes no one bulk value:
    the option gives it."""
    written = []
    if rv is not None and not varies:
        written.append((float(rv[0]), f"column {rcol!r}"))
    if header_key is not None:
        written.append((_resistivity_text(header_meta[header_key], f"{p} header"),
                        f"header entry {header_key!r}"))
    for value, where in written:
        if abs(value - rho) > RHO_AGREEMENT * abs(value):
            raise ThicknessError(
                f"{p}: {given} ({rho:g} uOhm cm) disagrees with the file's {where} ({value:g} "
                "uOhm cm): the efficiencies were made with one resistivity, which the model "
                "takes too; " + ("leave out --rho, or correct the file" if given == "--rho"
                                 else "correct the file"))


#: Names of an error column that say whose error it is by its place only (Origin writes the
#: error bars of a column in the column to its right: ``xi_e_dl, err, xi_e_fl, err``). Not
#: ``sigma`` (a conductivity, ``sigma [S/m]``) nor ``delta``: those are named with --column.
_BARE_ERROR_NAMES = {"err", "error", "errors", "stderr", "sd", "std", "yerr", "y_err",
                     "uncertainty", "unc", "±", "+/-", "+-",
                     # as supplementary tables head them (not 'sigma', 'σ': a spin Hall
                     # conductivity is written so)
                     "se", "s.e.", "s.e", "std. error", "std error", "std. err.", "std. err",
                     "standard error", "standard deviation", "std. dev.", "s.d.", "1σ",
                     "± sd", "± se", "±sd", "±se", "± err", "± error", "error bar",
                     "error bars"}


def _error_column_beside(df, ycol, yunit):
    """``(column, unit)`` of the column right of the value column ``ycol`` where its name is
    an error's and nothing else (``err``, ``err.1`` as pandas tells a second ``err`` apart,
    ``SD (1e5 Ohm^-1 m^-1)``), its unit that of its header or else ``yunit``; None otherwise."""
    columns = list(df.columns)
    k = columns.index(ycol) + 1
    if k >= len(columns):
        return None
    label = re.sub(r"\.\d+$", "", str(columns[k]).strip())
    try:
        bare, unit = split_header(label)
    except UnitError:
        # a unit sotfit does not know, written as its values' whose unit an option gives
        # (:func:`_unit_of_its_values`): read in the values' unit
        if yunit is None or not _same_written_unit(written_unit(label),
                                                   written_unit(str(ycol))):
            return None
        bare, unit = _bare_name(label), None
    if bare.strip().lower() not in _BARE_ERROR_NAMES:
        return None
    return columns[k], unit if unit else yunit


def _dimensionless(cols: dict) -> bool:
    """Whether the table has a dimensionless efficiency column (``xi_dl``, ``xi_fl``)."""
    return any(not per_field and name in cols for name, (_, per_field) in _EFF_NAMES.items())


def _efficiency_parts(p: Path, df, rows: _Rows, cols: dict, t, rho,
                      notes: list, rho_rows=None, percent: str | None = None,
                      named: set | None = None) -> dict[str, Dataset]:
    """``{"dl": Dataset, "fl": Dataset}`` of the efficiency columns present (xi^E in
    1e5 Ohm^-1 m^-1 versus thickness in nm, sorted by thickness); what was left out, or read
    from cells holding a value and its uncertainty, is appended to ``notes``.

    A dimensionless efficiency column without a unit in a table where a line above it speaks
    of percent (``percent``: ``# xi in percent``) is refused, naming the option that gives its
    unit: read as fractions, xi in percent of 0.08-0.45 gave sigma_s 100 times large without
    a word (values below 1 raise no other suspicion).

    Two or more error columns of one efficiency by their names (``err xi_DL`` and ``d xi_DL``,
    ``xi_DL_err`` and ``xi_DL_stderr``) are refused, naming them, unless the caller named the
    error column's role (``named``: the roles of ``--column``): one was taken by the order of
    the name patterns, which nothing documents, and the fit's weights with it."""
    parts: dict[str, Dataset] = {}
    repeats: dict[str, dict] = {}
    kinds_seen: set[str] = set()
    for name, (kind, per_field) in _EFF_NAMES.items():
        if name not in cols:
            continue
        if kind in kinds_seen:
            raise ThicknessError(f"{p}: two {kind.upper()} efficiency columns; keep one of "
                                 "xi_e_{kind} and xi_{kind}".format(kind=kind))
        kinds_seen.add(kind)
        ycol, yunit = cols[name]
        y, y_err, y_missing, paired = _read_cells(p, df, rows, ycol)
        role = f"xi_e_{kind}" if per_field else f"xi_{kind}"
        # the error column the caller named (--column xi_e_dl_err=NAME) pairs with the value
        # column of its role however that one was found (a header 'xiE_DL' read as xie_dl)
        candidates = [e for e in (_role_key(f"{role}_err"),
                                  *(pat.format(n=name) for pat in _ERR_PATTERNS))
                      if e in cols and cols[e][0] != ycol]
        if f"{role}_err" in (named or ()) and _role_key(f"{role}_err") in candidates:
            candidates = [_role_key(f"{role}_err")]
        distinct = sorted(dict.fromkeys(cols[e][0] for e in candidates),
                          key=list(df.columns).index)
        if len(distinct) > 1:
            raise ThicknessError(
                f"{p}: {len(distinct)} columns are named as uncertainties of {ycol!r} ("
                + ", ".join(repr(str(c)) for c in distinct) + "); name the one to read with "
                f"--column {role}_err=NAME, or keep one of them in the table")
        ename = candidates[0] if candidates else None
        if paired.any():
            example = str(df[ycol].iloc[int(np.flatnonzero(paired)[0])]).strip()
            if ename is not None:
                raise ThicknessError(
                    f"{p}: column {ycol!r} gives values with their uncertainties ({example!r}) "
                    f"and column {cols[ename][0]!r} gives uncertainties of the same quantity; "
                    "keep one of the two in the table (or name the value column with "
                    f"--column {role}=NAME and its uncertainty column with --column "
                    f"{role}_err=NAME)")
            alone = np.flatnonzero(~paired & ~y_missing)
            if alone.size:
                raise ThicknessError(
                    f"{p}: column {ycol!r} holds values with their uncertainties "
                    f"({example!r}), but on {rows.where(alone)} a value without one "
                    f"({str(df[ycol].iloc[int(alone[0])]).strip()!r}); write its uncertainty "
                    "there (a point without its error cannot be weighted)")
            e, e_missing, ecol, eunit = y_err, y_missing, ycol, yunit
            notes.append(f"column {ycol!r}: each cell read as a value and its standard error "
                         f"({example!r}: value {y[paired][0]:.6g}, standard error "
                         f"{y_err[paired][0]:.6g}, unit of the column)")
        else:
            beside = _error_column_beside(df, ycol, yunit) if ename is None else None
            if ename is None and beside is None:
                raise ThicknessError(
                    f"{p}: no uncertainty column for {ycol!r}; name one e.g. {name}_stderr or "
                    f"pass --column {role}_err=NAME (the fits weight every point by its error)")
            if beside is not None:
                ecol, eunit = beside
                notes.append(f"column {ecol!r} (the one right of {ycol!r}, named as an error "
                             "column, as Origin writes a column's error bars) read as its "
                             "standard errors" + ("" if eunit is not yunit else
                                                  f", in the unit of {ycol!r}"))
            else:
                ecol, eunit = cols[ename]
            if eunit == "%" and yunit != "%":
                # 'xi_dl (1)' beside 'xi_dl_err (%)': 3.2 % of each value read as 0.032, an
                # error of 0.032 on values of 0.01-0.3 (errors up to 90 times large, flagged
                # only as a chi-square improbably small)
                said = ("without a unit, read as fractions" if yunit is None else
                        "fractions" if yunit in ("", "1") else f"in {yunit}")
                raise ThicknessError(
                    f"{p}: column {ecol!r} is in % where its values {ycol!r} are {said}: "
                    "errors in percent of each value (relative errors) are not read. Write "
                    "the errors in the unit of the values (value x percent / 100)"
                    + ("" if per_field else ", or label both columns in % if both are "
                       "percentages of a whole"))
            e, _, e_missing, e_paired = _read_cells(p, df, rows, ecol)
            if e_paired.any():
                raise ThicknessError(
                    f"{p}: column {ecol!r} holds a value with an uncertainty on "
                    f"{rows.where(np.flatnonzero(e_paired))}; an uncertainty column holds the "
                    "uncertainties alone")
            for have, hc, lc in ((~y_missing & e_missing, ycol, ecol),
                                 (y_missing & ~e_missing, ecol, ycol)):
                if have.any():
                    raise ThicknessError(
                        f"{p}: column {hc!r} has a value on {rows.where(np.flatnonzero(have))} "
                        f"where column {lc!r} has none; give the value and its uncertainty "
                        "both, or neither (the point is then left out)")
        keep = np.flatnonzero(~y_missing)
        left = np.flatnonzero(y_missing)
        both = repr(ycol) if ecol == ycol else f"{ycol!r} and {ecol!r}"
        if keep.size == 0:
            notes.append(f"{both} hold no value on any line ({_MISSING_WORDS}): no "
                         f"{kind.upper()} series")
            continue
        if left.size:
            at = ", ".join(f"{x:g}" for x in t[left])
            points = "this point is" if left.size == 1 else "these points are"
            notes.append(f"{both} have no value at {at} nm ({rows.where(left)}; "
                         f"{_MISSING_WORDS}): {points} left out of the {kind.upper()} series "
                         f"only, which keeps {keep.size} of {len(t)}")
        y, e = y[keep], e[keep]
        _refuse_non_finite(p, rows, ycol, y, keep)
        _refuse_non_finite(p, rows, ecol, e, keep)
        rho_of = rho if rho_rows is None else rho_rows[keep]    # each row's own, or the bulk
        if not per_field and yunit in (None, "") and percent is not None:
            raise ThicknessError(
                f"{p}: column {ycol!r} has no unit, and {percent} speaks of percent: are its "
                f"efficiencies in percent or fractions? Give its unit: --column-unit {role}=% "
                f"(percent) or --column-unit {role}=1 (fractions), or write it in the header "
                f"('{role} (%)')")
        suspicion = None if per_field or yunit not in (None, "") else \
            percent_suspicion(y, f"{p}: column {ycol!r}")
        y = _efficiency_to_house(y, yunit, per_field, rho_of, f"{p}: column {ycol!r}")
        e = _efficiency_to_house(e, eunit if eunit is not None else yunit, per_field, rho_of,
                                 f"{p}: column {ecol!r}")
        if np.any(e <= 0):
            raise ThicknessError(f"{p}: column {ecol!r} has zero or negative uncertainties on "
                                 f"{rows.where(keep[e <= 0])}")
        tk = t[keep]
        repeats[kind] = (_repeated_rows(tk, y, e, keep), y, e)
        order = np.argsort(tk, kind="stable")
        parts[kind] = Dataset(tk[order], y[order], e[order], x_name="thickness",
                              y_name=f"xi_e_{kind}", x_unit="nm", y_unit=XI_E_UNIT,
                              meta={"source": str(p), "column": str(ycol), "part": kind,
                                    "resistivity": rho,
                                    **({"suspect_percent": suspicion} if suspicion else {}),
                                    **({"left_out_nm": tuple(float(x) for x in t[left])}
                                       if left.size else {})})
    if not parts:
        if kinds_seen:
            raise ThicknessError(f"{p}: the efficiency columns hold no value on any line "
                                 f"(every cell {_MISSING_WORDS}); columns: "
                                 f"{list(map(str, df.columns))}")
        raise ThicknessError(f"{p}: no efficiency column among {list(map(str, df.columns))}; "
                             "expected xi_e_dl / xi_e_fl (with a conductivity unit) or xi_dl / "
                             "xi_fl, or pass --column xi_e_dl=NAME --column xi_e_dl_err=NAME "
                             "(--column-unit xi_e_dl=1e5/Ohm/m when the header has no unit)")
    said = _whole_rows_repeated(p, repeats, rows, notes)
    if said:        # the summary flags the fitted values with it (a note alone left --strict 0)
        parts = {k: dataclasses.replace(d, meta={**d.meta, "repeated_rows": said})
                 for k, d in parts.items()}
    return parts
