"""Thickness tables: CSV/TSV/whitespace tables with units in the header
(:func:`read_thickness_table`)."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ...data import Dataset
from ...units import UnitError, dimension_of, normalise_unit, split_header, to_house
from .. import table_names
from .series import (XI_E_UNIT, ThicknessError, ThicknessSeries, _efficiency_to_house,
                     _is_number, _resistivity_text)

__all__ = ["read_thickness_table", "COLUMN_ROLES"]


_THICK_NAMES = {"thickness", "t", "t_n", "tn", "t_nm_layer", "d", "t_nm"}
_EFF_NAMES = {"xi_e_dl": ("dl", True), "xie_dl": ("dl", True), "xi_dl": ("dl", False),
              "xi_e_fl": ("fl", True), "xie_fl": ("fl", True), "xi_fl": ("fl", False)}
_RHO_NAMES = {"resistivity", "rho"}
_ERR_PATTERNS = ("{n}_stderr", "{n}_err", "{n}_error", "{n}_sd", "{n}_sigma", "d{n}",
                 "sigma_{n}", "err_{n}")
_META_RE = re.compile(r"^\s*#\s*([A-Za-z_][\w ]*?)\s*(?:[(\[]([^)\]]*)[)\]])?\s*[:=]\s*(.+?)\s*$")


#: Column roles of a thickness table (``columns=``, ``--column ROLE=NAME``).
COLUMN_ROLES = ("thickness", "xi_e_dl", "xi_e_dl_err", "xi_e_fl", "xi_e_fl_err", "xi_dl",
                "xi_dl_err", "xi_fl", "xi_fl_err", "resistivity")


def _role_key(role: str) -> str:
    """The internal column key of a role (``xi_e_dl_err`` -> ``xi_e_dl_stderr``)."""
    return role[:-4] + "_stderr" if role.endswith("_err") else role


def _apply_column_roles(p, df, cols: dict, columns, column_units, absent: list) -> dict:
    """``cols`` (key -> (column, unit)) with the columns and units the caller named; roles
    whose column the table lacks are appended to ``absent`` (the caller decides)."""
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
        cols = {k: v for k, v in cols.items() if v[0] != c}  # the column now has this role
        cols[_role_key(role)] = (c, unit)
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
        cols[key] = (cols[key][0], unit)
    return cols


def read_thickness_table(path, *, resistivity: float | None = None, label: str | None = None,
                         thickness_unit: str | None = None, columns: Mapping | None = None,
                         column_units: Mapping | None = None,
                         absent_columns_ok: bool = False) -> ThicknessSeries:
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

    Returns
    -------
    ThicknessSeries

    Raises
    ------
    ThicknessError
        Missing columns, units or errors; negative thicknesses; non-positive or missing
        uncertainties; a resistivity needed but absent; non-numeric cells. The message names
        the file, the column and the row.
    """
    p = Path(path)
    file, sheet = table_names.named_table(p)
    if not file.is_file():
        raise ThicknessError(f"{p}: file not found")
    text, notes, delimiter = _table_text(file, sheet)
    header_meta = _header_lines(p, text)
    df = _read_frame(p, text, delimiter)
    cols, absent = _table_columns(p, df, columns, column_units)
    if absent and not absent_columns_ok:
        raise ThicknessError(f"{p}: no column matches --column "
                             + ", ".join(f"{r}={dict(columns)[r]}" for r in absent)
                             + f"; columns: {list(map(str, df.columns))}")
    t = _thickness_nm(p, df, cols, thickness_unit)
    rho, rho_source = _table_resistivity(p, df, cols, header_meta, resistivity)
    parts = _efficiency_parts(p, df, cols, t, rho)
    lab = label or header_meta.get("sample") or (p.stem if sheet is None else sheet)
    meta = {"source": str(p), "resistivity_source": rho_source, "header": header_meta,
            "columns_absent": tuple(absent),
            **({"reader_notes": notes} if notes else {})}
    return ThicknessSeries(parts.get("dl"), parts.get("fl"), rho, lab, meta)


def _table_text(p: Path, sheet: str | None = None) -> tuple[str, tuple, str | None]:
    """The text of table ``p`` (its table ``sheet`` of several, :mod:`sotfit.io.table_names`)
    as the parser takes it, the notes saying what was done, and its delimiter (``'\\t'``,
    ``';'`` or ``','``; None: the parser sniffs it from the column header row).

    Text in UTF-8 (or, failing that, Windows-1252: ``µOhm cm`` as Excel on Windows saves it), or
    the sheet with numbers of an Excel workbook (:mod:`sotfit.io.containers`); numbers written
    with decimal commas rewritten with points where the comma cannot be the delimiter
    (:mod:`sotfit.io.decimal_commas`); a row of units under the column names written into the
    names (:mod:`sotfit.io.unit_rows`). Other binary files are refused.

    The delimiter is that of the first data row as :mod:`sotfit.io.text` finds it (tab, else
    semicolon, else comma), when the column header row splits into as many names with it: a
    name holding a comma (``xi_E,DL (1e5 Ohm^-1 m^-1)`` above rows ``6;0,05478;0,00456``) then
    stays one name. Blank-separated tables, and headers that split otherwise, are sniffed.
    """
    from .. import containers
    from ..decimal_commas import DIGIT_COMMA_DIGIT_RE, with_decimal_points
    from ..digit_groups import without_digit_groups
    from ..text import (_data_start, _decode, _is_content, _looks_like_key_value,
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
    if DIGIT_COMMA_DIGIT_RE.search(text) is not None:
        converted = with_decimal_points(lines, None)
        if converted is not None:
            lines = converted[0]
            notes.append(converted[1])
    found = _data_start(lines)
    delimiter = None
    if found is not None:
        joined = with_units_joined(lines, found[0], found[1], len(found[2]))
        if joined is not None:
            lines = joined[0]
            notes.append(joined[2])
        # 'resistivity: 350 uOhm cm' above the table without its '#': a header entry too
        lines = [f"# {ln}" if i < found[0] and _looks_like_key_value(ln) and not
                 ln.lstrip().startswith("#") else ln for i, ln in enumerate(lines)]
        header = next((ln for ln in reversed(lines[:found[0]]) if _is_content(ln)), None)
        if found[1] != "whitespace" and header is not None and _split_header_row(
                header, found[1], len(found[2]), join_units=False) is not None:
            delimiter = found[1]
    return "\n".join(lines) + "\n", tuple(notes), delimiter


def _header_lines(p: Path, text: str) -> dict[str, str]:
    """The ``# key: value`` lines before the header of ``p`` (its ``text``; keys lower case,
    spaces as ``_``); refuses a file that holds no table."""
    header_meta: dict[str, str] = {}
    has_table = False
    for line in text.splitlines():
        if not line.strip():
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


def _read_frame(p: Path, text: str, delimiter: str | None = None):
    """The table of ``p`` (its ``text``) as a pandas DataFrame (split at ``delimiter``, or at
    the separator sniffed from the column header row when it is None; ``#`` comments
    skipped)."""
    import io

    import pandas as pd

    with warnings.catch_warnings():
        # index_col=False: a data row with more cells than the header has names must not
        # shift the columns (pandas would silently use the first column as the index)
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            df = pd.read_csv(io.StringIO(text), comment="#", sep=delimiter, engine="python",
                             skipinitialspace=True, index_col=False)
        except pd.errors.ParserWarning:
            raise ThicknessError(f"{p}: some data rows have more cells than the header has "
                                 "column names; name every column or remove the extra cells"
                                 ) from None
        except Exception as exc:  # noqa: BLE001 - any parse failure is a user error
            raise ThicknessError(f"{p}: cannot read the table ({exc})") from None
    if len(df) == 0:
        raise ThicknessError(f"{p}: no data rows under the header (columns: "
                             f"{list(map(str, df.columns))})")
    return df


def _key(name: str) -> str:
    """The key a column name is matched by: blanks and dashes as ``_``, the Greek letters
    spelled out (``xi_DL error`` and ``ξ_DL-error`` as ``xi_dl_error``)."""
    name = name.replace("ξ", "xi").replace("ρ", "rho")
    return re.sub(r"[\s\-]+", "_", name.strip())


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


def _table_columns(p: Path, df, columns, column_units) -> tuple[dict, list[str]]:
    """``{name: (column, unit)}`` from the header cells and the caller's roles, and the roles
    whose column the table lacks."""
    cols = {}
    for c in df.columns:
        try:
            name, unit = split_header(str(c))
        except UnitError as exc:
            raise ThicknessError(f"{p}: {exc}") from None
        cols[_key(name)] = (c, unit)
    absent: list[str] = []
    cols = _apply_column_roles(p, df, cols, columns, column_units, absent)
    return cols, absent


def _column(p: Path, df, cols: dict, name: str):
    """Values (finite floats), unit and header cell of column ``name``."""
    import pandas as pd

    c, unit = cols[name]
    try:
        v = pd.to_numeric(df[c], errors="raise").to_numpy(float)
    except (ValueError, TypeError):
        bad = [i + 1 for i, x in enumerate(df[c]) if not _is_number(x)]
        raise ThicknessError(f"{p}: column {c!r} has non-numeric cells in data row(s) "
                             f"{bad[:5]}") from None
    if not np.all(np.isfinite(v)):
        bad = (np.flatnonzero(~np.isfinite(v)) + 1).tolist()
        raise ThicknessError(f"{p}: column {c!r} has empty or non-finite cells in data "
                             f"row(s) {bad[:5]}")
    return v, unit, c


def _thickness_nm(p: Path, df, cols: dict, thickness_unit) -> np.ndarray:
    """The thickness column in nm (never negative)."""
    tname = _thickness_name(cols)
    if tname is None:
        several = [str(c) for n, (c, unit) in cols.items() if re.fullmatch(r"t_[a-z0-9]+", n)]
        which = (f"{' and '.join(map(repr, several))} could each be the thickness of the series"
                 if len(several) > 1 else f"no thickness column among "
                 f"{list(map(str, df.columns))}")
        raise ThicknessError(f"{p}: {which}; name one 'thickness (nm)' or pass --column "
                             "thickness=NAME (with --column-unit thickness=nm when its header "
                             "has no unit)")
    t, tunit, tcol = _column(p, df, cols, tname)
    tunit = tunit or thickness_unit
    if tunit is None:
        raise ThicknessError(f"{p}: column {tcol!r} has no unit; write e.g. 'thickness (nm)' "
                             "or pass --column-unit thickness=nm")
    try:
        t = to_house(t, tunit, "length")[0]
    except UnitError as exc:
        raise ThicknessError(f"{p}: column {tcol!r}: {exc}") from None
    if np.any(t < 0):
        rows = (np.flatnonzero(t < 0) + 1).tolist()
        raise ThicknessError(f"{p}: column {tcol!r} has negative thickness in data row(s) {rows}")
    return t


def _table_resistivity(p: Path, df, cols: dict, header_meta: dict, resistivity):
    """The resistivity in uOhm cm (or None) and where it came from: the option, else a
    ``resistivity``/``rho`` column (one value), else a header line."""
    rho_source = None
    rho = None
    if resistivity is not None:
        rho, rho_source = float(resistivity), "option"
    else:
        rname = next((n for n in cols if n in _RHO_NAMES), None)
        if rname is not None:
            rv, runit, rcol = _column(p, df, cols, rname)
            if runit is None:
                raise ThicknessError(f"{p}: column {rcol!r} has no unit; write e.g. "
                                     "'resistivity (uOhm cm)'")
            rv = to_house(rv, runit, "resistivity")[0]
            if np.ptp(rv) > 1e-9 * np.max(np.abs(rv)):
                raise ThicknessError(
                    f"{p}: column {rcol!r} varies with thickness ({rv.min():.4g}-{rv.max():.4g} "
                    "uOhm cm); the drift-diffusion model takes one bulk resistivity: give it "
                    "with the resistivity option")
            rho, rho_source = float(rv[0]), f"column {rcol!r}"
        elif "resistivity" in header_meta or "rho" in header_meta:
            key = "resistivity" if "resistivity" in header_meta else "rho"
            rho, rho_source = _resistivity_text(header_meta[key], f"{p} header"), "header"
    if rho is not None and not (math.isfinite(rho) and rho > 0):
        raise ThicknessError(f"{p}: resistivity must be > 0 uOhm cm, got {rho}")
    return rho, rho_source


def _efficiency_parts(p: Path, df, cols: dict, t, rho) -> dict[str, Dataset]:
    """``{"dl": Dataset, "fl": Dataset}`` of the efficiency columns present (xi^E in
    1e5 Ohm^-1 m^-1 versus thickness in nm, sorted by thickness)."""
    parts: dict[str, Dataset] = {}
    for name, (kind, per_field) in _EFF_NAMES.items():
        if name not in cols:
            continue
        if kind in parts:
            raise ThicknessError(f"{p}: two {kind.upper()} efficiency columns; keep one of "
                                 "xi_e_{kind} and xi_{kind}".format(kind=kind))
        y, yunit, ycol = _column(p, df, cols, name)
        role = f"xi_e_{kind}" if per_field else f"xi_{kind}"
        # the error column the caller named (--column xi_e_dl_err=NAME) pairs with the value
        # column of its role however that one was found (a header 'xiE_DL' read as xie_dl)
        ename = next((e for e in (_role_key(f"{role}_err"),
                                  *(pat.format(n=name) for pat in _ERR_PATTERNS))
                      if e in cols), None)
        if ename is None:
            raise ThicknessError(
                f"{p}: no uncertainty column for {ycol!r}; name one e.g. {name}_stderr or pass "
                f"--column {role}_err=NAME (the fits weight every point by its error)")
        e, eunit, ecol = _column(p, df, cols, ename)
        y = _efficiency_to_house(y, yunit, per_field, rho, f"{p}: column {ycol!r}")
        e = _efficiency_to_house(e, eunit if eunit is not None else yunit, per_field, rho,
                                 f"{p}: column {ecol!r}")
        if np.any(e <= 0):
            rows = (np.flatnonzero(e <= 0) + 1).tolist()
            raise ThicknessError(f"{p}: column {ecol!r} has zero or negative uncertainties in "
                                 f"data row(s) {rows}")
        order = np.argsort(t, kind="stable")
        parts[kind] = Dataset(t[order], y[order], e[order], x_name="thickness",
                              y_name=f"xi_e_{kind}", x_unit="nm", y_unit=XI_E_UNIT,
                              meta={"source": str(p), "column": str(ycol), "part": kind,
                                    "resistivity": rho})
    if not parts:
        raise ThicknessError(f"{p}: no efficiency column among {list(map(str, df.columns))}; "
                             "expected xi_e_dl / xi_e_fl (with a conductivity unit) or xi_dl / "
                             "xi_fl, or pass --column xi_e_dl=NAME --column xi_e_dl_err=NAME "
                             "(--column-unit xi_e_dl=1e5/Ohm/m when the header has no unit)")
    return parts
