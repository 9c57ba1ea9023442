"""Cells of a harmonic Hall table: reading the CSV, numeric columns, and the checks of their values
(not physical, outliers, empty cells)."""

from __future__ import annotations

import numpy as np

from ...units import UnitError, split_header
from .scan import HallReadError


def _safe_split(c):
    try:
        split_header(str(c))
        return True
    except UnitError:
        return False


def _read_csv(path, source=None, **kw):
    """``pandas.read_csv`` of ``path`` (or of ``source``, its text in a buffer) whose failures name
    the file: empty, no header, no data rows, unreadable."""
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
    return df


def _rows(idx, n=5) -> str:
    """'data row(s) [..]' for the first ``n`` indices (0 = the first row after the header)."""
    idx = list(map(int, idx))
    more = f" and {len(idx) - n} more" if len(idx) > n else ""
    return f"data row(s) {idx[:n]}{more}"


#: Robust outlier threshold: a value further than this many robust standard deviations
#: (the median absolute deviation / 0.6745, as for a normal distribution) from the column's
#: median is refused.
OUTLIER_SIGMAS = 1e4
#: Magnitudes beyond these are refused as not physical (house units: T, deg, mA, Ohm).
_LIMITS = {"field": (100.0, "T", "no laboratory magnet reaches it"),
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
                            f"{_rows(bad_text)}; fix or remove them")
    return v


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
        raise HallReadError(f"{path}: column {col!r}: {what} {vals} {unit} at {_rows(out)} "
                            f"beyond +-{limit:g} {unit} ({why}); a corrupted or mistyped value?")
    if v.size >= 5:
        from scipy.stats import norm

        med = float(np.median(v))
        # robust spread: the median absolute deviation over its value for a normal distribution,
        # at least 1e-3 of the median (a nearly constant column such as a source current that
        # changes in its last digit)
        mad = float(np.median(np.abs(v - med)))
        scale = max(mad / float(norm.ppf(0.75)), 1e-3 * abs(med))
        if scale > 0:
            out = np.flatnonzero(np.abs(v - med) > OUTLIER_SIGMAS * scale)
            if out.size:
                vals = ", ".join(f"{v[i]:.4g}" for i in out[:3])
                raise HallReadError(
                    f"{path}: column {col!r}: {what} {vals} {unit} at {_rows(out)} lie more than "
                    f"{OUTLIER_SIGMAS:g} robust standard deviations ({scale:.3g} {unit}) from the "
                    f"median {med:.4g} {unit}: an outlier; fix or remove the row(s)")
    return v


def _values(p, df, col, rows):
    v = _numeric(df, col, p)[rows]
    bad = ~np.isfinite(v)
    if bad.any():
        idx = rows[np.flatnonzero(bad)][:5].tolist()
        raise HallReadError(f"{p}: column {col!r} has {bad.sum()} NaN/inf value(s) at data row(s) "
                            f"{idx}; nothing is dropped silently: remove or fill them first")
    return v


def _strings(p, df, col, rows):
    raw = df[col].iloc[rows]
    if raw.isna().any():
        idx = rows[np.flatnonzero(raw.isna().to_numpy())][:5].tolist()
        raise HallReadError(f"{p}: column {col!r} is empty at data row(s) {idx}")
    return [str(v).strip() for v in raw]


def _axis_values(p, col, vals):
    """A sweep-axis column -> phi_h in deg: x/longitudinal 0, y/transverse 90, or a number."""
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
                raise HallReadError(f"{p}: column {col!r}: {v!r} at data row {i} is not a sweep axis "
                                    "(x, y, longitudinal, transverse, or phi_h in deg)") from None
    return np.array(out)
