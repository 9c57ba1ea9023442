"""Cells of a harmonic Hall table: reading the CSV, numeric columns, and the checks of their values
(not physical, outliers, empty cells)."""

from __future__ import annotations

import contextvars
import functools

import numpy as np

from ...units import UnitError, split_header
from .scan import HallReadError


def _safe_split(c):
    try:
        split_header(str(c))
        return True
    except UnitError:
        return False


#: The line of the file (1-based) of every data row of the table being read (or a call that
#: finds them), or None where the reader does not know them (a sheet of a workbook, a section of a file of several tables):
#: messages then count the data rows, 1 = the first row below the column names.
_LINES = contextvars.ContextVar("sotfit_hall_data_lines", default=None)


def _read_csv(path, source=None, **kw):
    """``pandas.read_csv`` of ``path`` (or of ``source``, its text in a buffer) whose failures name
    the file: empty, no header, no data rows, unreadable. Read from ``path``, the table keeps how
    to find the file line of each of its rows in ``DataFrame.attrs['lines']`` (a call of
    :func:`_file_lines`, made when a message needs them)."""
    import pandas as pd

    try:
        df = pd.read_csv(path if source is None else source, **kw)
    except pd.errors.EmptyDataError:
        raise HallReadError(f"{path}: the file is empty (no header row and no data)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise HallReadError(f"{path}: not a readable CSV table ({str(exc).strip()})") from None
    if len(df.columns) == 0:
        raise HallReadError(f"{path}: no columns found (a header row naming the columns is needed)")
    if len(df) == 0:
        raise HallReadError(f"{path}: header only, no data rows (columns: "
                            f"{', '.join(map(str, df.columns))})")
    if source is None:      # found again only for a message (:func:`_rows`), not on every read
        df.attrs["lines"] = functools.partial(_file_lines, path, len(df), kw.get("comment"))
    return df


def _file_lines(path, n_rows: int, comment=None):
    """The file lines (1-based) of the ``n_rows`` data rows that ``pandas.read_csv`` read from
    ``path``: the lines below the column header row that are not empty (nor, with ``comment``,
    comments from their first non-blank character on), as pandas skips them; None when their
    number is not ``n_rows`` (a cell in quotes over several lines) or the file is no text."""
    from ..text import _read_text

    try:
        text = _read_text(path)
    except (OSError, ValueError):
        return None
    kept = []
    for i, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if line == "" or comment is not None and line.lstrip().startswith(comment):
            continue
        kept.append(i + 1)
    rows = kept[1:]             # the first line kept is the column header row
    return rows if len(rows) == n_rows else None


def _rows(idx, n=5) -> str:
    """Where the rows of indices ``idx`` (0 = the first row of the table) are, for a message:
    ``'line(s) [..]'`` of the file (1-based) when the reader knows them (:data:`_LINES`), else
    ``'data row(s) [..]'`` (1 = the first row below the column names); the first ``n`` of them."""
    idx = list(map(int, idx))
    more = f" and {len(idx) - n} more" if len(idx) > n else ""
    lines = _LINES.get()
    if callable(lines):
        lines = lines()
    if lines is not None and all(0 <= i < len(lines) for i in idx[:n]):
        return f"line(s) {[int(lines[i]) for i in idx[:n]]}{more}"
    return f"data row(s) {[i + 1 for i in idx[:n]]}{more}"


#: Robust outlier threshold: a value further than this many robust standard deviations
#: (the median absolute deviation / 0.6745, as for a normal distribution) from the column's
#: median is refused.
OUTLIER_SIGMAS = 1e4
#: Magnitudes beyond these are refused as not physical (house units: T, deg, mA, Ohm).
_LIMITS = {"field": (45.5, "T", "the strongest steady field of any laboratory magnet; a lock-in "
                               "reads a steady field"),
           "angle": (720.0, "deg", "two full turns either way"),
           "current": (1e4, "mA", "10 A through a Hall bar"),
           "resistance": (1e6, "Ohm", "1 MOhm as a harmonic Hall resistance")}


def _numeric(df, col, path):
    """Column ``col`` as floats (empty cells NaN); a missing column or a non-numeric cell is an
    error naming the file, the column and the data rows."""
    import pandas as pd

    if col not in df.columns:
        raise HallReadError(f"{path}: no column {col!r}; columns are: {', '.join(map(str, df.columns))}")
    raw = df[col]
    v = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad_text = np.flatnonzero(np.isnan(v) & ~raw.isna().to_numpy())
    if bad_text.size:
        cells = ", ".join(repr(str(raw.iloc[i])) for i in bad_text[:3])
        raise HallReadError(f"{path}: column {col!r} has non-numeric value(s) {cells} at "
                            f"{_rows(bad_text)}; fix or remove them"
                            + _comma_hint([str(raw.iloc[i]).strip() for i in bad_text]))
    return v


def _comma_hint(cells) -> str:
    """Why cells written with a comma in a number (``1,234``, ``12,5``) were not read, or ""."""
    from ..decimal_commas import _THOUSANDS_FORM_RE, COMMA_NUMBER_RE

    if not cells or not all(COMMA_NUMBER_RE.fullmatch(c) for c in cells):
        return ""
    if all(_THOUSANDS_FORM_RE.fullmatch(c) for c in cells):
        return (": a comma before three digits may be a decimal comma or a comma between "
                "thousands and is not guessed at; write the numbers with decimal points and "
                "without commas")
    return (": decimal commas are read in a comma-separated file only where every number "
            "stands in double quotes, and in tab-, semicolon- and blank-separated files; write "
            "the numbers with decimal points, or save the file with another delimiter")


def _check_values(v, col, path, dimension, what=None):
    """Refuse values of column ``col`` (already in house units of ``dimension``) that are not
    physical (beyond :data:`_LIMITS`) or isolated outliers (more than :data:`OUTLIER_SIGMAS`
    robust standard deviations from the median), naming the file, the column and the rows."""
    v = np.asarray(v, float)
    what = what or dimension
    limit, unit, why = _LIMITS[dimension]
    out = np.flatnonzero(np.abs(v) > limit)
    if out.size:
        vals = ", ".join(f"{v[i]:.4g}" for i in out[:3])
        hint = "a corrupted or mistyped value?"
        if dimension == "field":
            # the column's unit, not a cell: a 'B (T)' column holding mT gave H_K = 600 T and
            # torque fields 1000 times too large under a limit of 100 T
            unit_hint = ("the column's unit? read it in the unit of its numbers: "
                         "--override-unit field=mT where its header writes another, "
                         "--column-unit field=mT where it writes none")
            hint = unit_hint if out.size >= 3 else f"a corrupted or mistyped value, or {unit_hint}"
        raise HallReadError(f"{path}: column {col!r}: {what} {vals} {unit} at {_rows(out)} "
                            f"beyond +-{limit:g} {unit} ({why}); {hint}")
    if v.size >= 5:
        med = float(np.median(v))
        # at least 1e-3 of the median (a nearly constant column such as a source current that
        # changes in its last digit)
        scale = max(robust_spread(v), 1e-3 * abs(med))
        if scale > 0:
            out = np.flatnonzero(np.abs(v - med) > OUTLIER_SIGMAS * scale)
            if out.size:
                vals = ", ".join(f"{v[i]:.4g}" for i in out[:3])
                raise HallReadError(
                    f"{path}: column {col!r}: {what} {vals} {unit} at {_rows(out)} lie more than "
                    f"{OUTLIER_SIGMAS:g} robust standard deviations ({scale:.3g} {unit}) from the "
                    f"median {med:.4g} {unit}: an outlier; fix or remove the row(s)")
    return v


def robust_spread(v) -> float:
    """The standard deviation of ``v`` as its middle tells it: the median absolute deviation
    over its value for a normal distribution (a wild cell does not move it)."""
    from scipy.stats import norm

    v = np.asarray(v, float)
    return float(np.median(np.abs(v - np.median(v)))) / float(norm.ppf(0.75))


def _values(p, df, col, rows):
    v = _numeric(df, col, p)[rows]
    bad = ~np.isfinite(v)
    if bad.any():
        from .options import _switch_opt

        raise HallReadError(f"{p}: column {col!r} has {bad.sum()} NaN/inf value(s) at "
                            f"{_rows(rows[np.flatnonzero(bad)])}; nothing is dropped silently: "
                            "remove or fill them first, or leave those rows out with "
                            f"{_switch_opt('drop_incomplete_rows')}")
    return v


def _complete_rows(p, df, cols, rows, meta: dict):
    """``rows`` without those that miss a value (NaN, inf, an empty cell) in a column of
    ``cols`` that the block reads, with a note naming the file, the columns and the lines
    left out (``drop_incomplete_rows``).

    Parameters
    ----------
    p : path-like
        The file (the note is the reader's note of it).
    df : pandas.DataFrame
        Its table.
    cols : sequence of str
        The columns the block reads.
    rows : ndarray of int
        The block's rows (indices into ``df``).
    meta : dict
        The block's meta; the note goes to ``meta['_notes']``.

    Returns
    -------
    ndarray of int
        The rows with a finite value (or a word) in every column of ``cols``.
    """
    import pandas as pd

    from .options import _switch_opt

    missing = np.zeros(rows.size, bool)
    named = []
    for c in cols:
        cell = df[c].iloc[rows]
        numbers = pd.to_numeric(cell, errors="coerce").to_numpy(float)
        gone = cell.isna().to_numpy() | (np.isinf(numbers))
        if gone.any():
            named.append(repr(c))
        missing |= gone
    if not missing.any():
        return rows
    meta.setdefault("_notes", []).append(
        f"{int(missing.sum())} row(s) with a missing or non-finite value in "
        f"{', '.join(named)} not read ({_rows(rows[missing])}; {_switch_opt('drop_incomplete_rows')})")
    return rows[~missing]


def _strings(p, df, col, rows):
    raw = df[col].iloc[rows]
    if raw.isna().any():
        raise HallReadError(f"{p}: column {col!r} is empty at "
                            f"{_rows(rows[np.flatnonzero(raw.isna().to_numpy())])}")
    return [str(v).strip() for v in raw]


def _axis_values(p, col, vals, rows=None):
    """A sweep-axis column -> phi_h in deg: x/longitudinal 0, y/transverse 90, or a number
    (``rows``: the table's index of each value, for the message)."""
    out = []
    for i, v in enumerate(vals):
        k = v.lower().replace(" ", "").replace("_", "")
        if k in ("x", "hx", "bx", "long", "longitudinal", "parallel", "l"):
            out.append(0.0)
        elif k in ("y", "hy", "by", "trans", "transverse", "perpendicular", "t"):
            out.append(90.0)
        else:
            try:
                out.append(float(v))
            except ValueError:
                where = _rows([i if rows is None else rows[i]])
                raise HallReadError(f"{p}: column {col!r}: {v!r} at {where} is not a sweep axis "
                                    "(x, y, longitudinal, transverse, or phi_h in deg)") from None
    return np.array(out)


#: Words of an m_z-state column (compared in lower case) and the state each stands for.
STATE_WORDS = {"up": 1.0, "down": -1.0, "+": 1.0, "-": -1.0, "+1": 1.0, "-1": -1.0,
               "pos": 1.0, "neg": -1.0, "positive": 1.0, "negative": -1.0,
               "+mz": 1.0, "-mz": -1.0, "mz+": 1.0, "mz-": -1.0, "+m": 1.0, "-m": -1.0}


def _state_values(p, df, col, rows):
    """The m_z state (+1, -1, or 0 for unknown) of every row of ``rows`` from column ``col``:
    numbers, or the words of :data:`STATE_WORDS` (``up``/``down``, ``+``/``-``, ``+1``/``-1``,
    ``pos``/``neg``, ``positive``/``negative``, ``+Mz``/``-Mz``, in any case). Any other word,
    an empty cell, or a number other than +1, -1 and 0 is an error naming the column and the
    rows."""
    import pandas as pd

    from .options import _col_opt

    raw = df[col].iloc[rows]
    empty = raw.isna().to_numpy()
    if empty.any():
        raise HallReadError(f"{p}: column {col!r} is empty at {_rows(rows[np.flatnonzero(empty)])}; "
                            "the perpendicular state is +1, -1 or 0 (unknown)")
    num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    text = [str(v).strip().lower() for v in raw]
    v = np.array([STATE_WORDS.get(t, num[i]) for i, t in enumerate(text)], dtype=float)
    words = np.flatnonzero(np.isnan(v))
    if words.size:
        cells = ", ".join(dict.fromkeys(repr(str(raw.iloc[i]).strip()) for i in words[:3]))
        raise HallReadError(
            f"{p}: column {col!r} holds {cells} at {_rows(rows[words])}, not an m_z state: write "
            "+1/-1 (or up/down, +/-, pos/neg, positive/negative, +Mz/-Mz; 0 for unknown) in the "
            "file, or "
            f"name the column that holds the state ({_col_opt('mz_state')})")
    bad = np.flatnonzero(~np.isin(v, (-1.0, 0.0, 1.0)))
    if bad.size:
        raise HallReadError(f"{p}: column {col!r} is {v[bad[0]]:g} at {_rows(rows[bad])}; "
                            "the perpendicular state is +1, -1 or 0 (unknown)")
    return v
