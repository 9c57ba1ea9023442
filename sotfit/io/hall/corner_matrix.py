"""Rotations written as a matrix: one row per angle, one column per field, the corner cell
naming both axes (``phi (deg) \\ B (mT),30,50,80,...``; an Origin or spreadsheet matrix
export), one file per harmonic (``R1w_map.csv``, ``R2w_map.csv``). :func:`rotations_in_a_matrix`
reads it as the long table it holds (docs/io.md, "Harmonic Hall tables").
"""

from __future__ import annotations

import re

import numpy as np

from .columns import _is_angle_col, _is_field_col
from .pairing import file_harmonic
from .scan import HallReadError

__all__ = ["rotations_in_a_matrix"]

#: The corner cell: the rows' axis, a backslash (or a slash between blanks), the columns' axis.
_CORNER_RE = re.compile(r"^\s*(?P<rows>[^\\]+?)\s*(?:\\|\s/\s)\s*(?P<cols>.+?)\s*$")


def _number(text) -> float | None:
    try:
        return float(str(text).strip())
    except ValueError:
        return None


def rotations_in_a_matrix(p, df):
    """The long table of a matrix of rotations (angles down, fields across), or None for any
    other table.

    Returns
    -------
    (pandas.DataFrame, str) or None
        Columns: the angle (the corner's row axis), the field (its column axis, the headers'
        numbers in the corner's field unit) and ``R1w`` or ``R2w`` (the harmonic the file's name
        gives; its unit, which the matrix does not write, is asked as for any resistance column
        without one); and the note that says so.

    Raises
    ------
    HallReadError
        A matrix whose file name gives no harmonic.
    """
    import pandas as pd

    cols = list(df.columns)
    if len(cols) < 3:
        return None
    m = _CORNER_RE.match(str(cols[0]))
    fields = [_number(c) for c in cols[1:]]
    if m is None or any(f is None for f in fields):
        return None
    rows_axis, cols_axis = m.group("rows"), m.group("cols")
    if not (_is_angle_col(rows_axis) and _is_field_col(cols_axis)):
        return None
    h = file_harmonic(p)
    if h is None:
        raise HallReadError(f"{p}: a matrix of rotations ({rows_axis!r} down, {cols_axis!r} "
                            "across), and its file name says no harmonic: name the file with "
                            "its harmonic (R1w_map.csv and R2w_map.csv, or ..._1f / ..._2f)")
    angles = pd.to_numeric(df[cols[0]], errors="coerce").to_numpy(float)
    values = df[cols[1:]].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    keep = np.isfinite(values)
    n_rows, n_cols = values.shape
    out = pd.DataFrame({rows_axis: np.repeat(angles[None, :], n_cols, axis=0).ravel(),
                        cols_axis: np.repeat(np.array(fields, float), n_rows),
                        f"R{h}w": values.T.ravel()})[keep.T.ravel()].reset_index(drop=True)
    out.attrs = {k: v for k, v in df.attrs.items() if k != "lines"}
    return out, (f"a matrix of rotations ({rows_axis!r} down, {n_cols} fields of {cols_axis!r} "
                 f"across) read as one rotation per field, its cells as R_{h}w (the file name's "
                 "harmonic)")
