"""Rotations of several fields written side by side in one table, the field in the column names
(``phi (deg), X1_5mT (uV), Y1_5mT (uV), ..., Y2_400mT (uV)``, or an angle column per field,
``phi_5mT (deg), X1_5mT (uV), ...``), read as the long table they hold: one row per angle and
field, with a field column (docs/io.md, "Rotations side by side").
"""

from __future__ import annotations

import functools

import numpy as np

from ...units import to_house
from .columns import _harmonic_of, _is_angle_col, _is_field_col
from .file_quantities import _NAME_FIELD_RE, _NAME_UNITS, name_number
from .name_tokens import name_without

__all__ = ["rotations_side_by_side"]


def _field_of(column) -> tuple[float, str, str] | None:
    """The field (T) one field in the name of ``column`` gives, its text, and the name without
    it; None for a name with no field or more than one."""
    name = str(column)
    hits = list(_NAME_FIELD_RE.finditer(name))
    if len(hits) != 1:
        return None
    (hit,) = hits
    unit = _NAME_UNITS.get(hit.group("unit"), hit.group("unit"))
    value = float(to_house(name_number(hit.group("num"), name), unit, "field")[0])
    return value, hit.group(0).strip("_=- "), name_without(name, hit.start(), hit.end())


def rotations_side_by_side(df):
    """The long table of a table of rotations side by side, or None for any other table.

    A table is read so when the names of its lock-in (or Hall) columns each carry one field of
    two or more (``X1_5mT``, ``phi_10mT_X2``, ``B=0.1T 2f_voltage``), every field has the same
    columns once its field is taken out of their names, and each field has one angle column
    (its own, ``phi_5mT``, or one shared by all, ``phi``). Columns without a field that are
    neither angles nor harmonics (a time, a temperature) go with every field; a field column
    or a harmonic column without a field makes it any other table.

    Parameters
    ----------
    df : pandas.DataFrame
        A table as the reader found it (``attrs['lines']`` the file lines of its rows).

    Returns
    -------
    (pandas.DataFrame, str) or None
        The rows of every field one after another (the trailing rows of a field whose cells are
        all empty, padding to the longest, left out), with the column ``field (T)``; the file
        lines of the rows kept. And the note that says so.
    """
    import pandas as pd

    groups: dict[float, dict] = {}
    shared, texts = [], {}
    for c in df.columns:
        found = _field_of(c)
        if found is None:
            if _is_field_col(c) or _harmonic_of(c) is not None:
                return None
            shared.append(c)
            continue
        value, text, rest = found
        if _harmonic_of(rest) is None and not _is_angle_col(rest):
            return None
        if rest in groups.setdefault(value, {}).values():
            return None
        groups[value][c] = rest
        texts.setdefault(value, text)
    if len(groups) < 2:
        return None
    layouts = {tuple(sorted(g.values())) for g in groups.values()}
    if len(layouts) != 1:
        return None
    own_angles = [r for r in next(iter(layouts)) if _is_angle_col(r)]
    shared_angles = [c for c in shared if _is_angle_col(c)]
    if len(own_angles) + len(shared_angles) != 1:
        return None
    parts, lines = [], []
    for value, columns in groups.items():
        part = df[shared + list(columns)].rename(columns=columns)
        harmonics = [r for r in columns.values() if not _is_angle_col(r)]
        filled = np.flatnonzero(part[harmonics].notna().any(axis=1).to_numpy())
        rows = np.arange(filled[-1] + 1 if filled.size else 0)
        part = part.iloc[rows].assign(**{"field (T)": value})
        parts.append(part)
        lines.append(rows)
    out = pd.concat(parts, ignore_index=True)
    out.attrs["lines"] = functools.partial(_lines_of_rows, df.attrs.get("lines"),
                                           np.concatenate(lines))
    shown = ", ".join(texts[v] for v in groups)
    note = (f"the columns of {len(groups)} fields side by side ({shown}), the field in their "
            "names: read as one rotation per field")
    return out, note


def _lines_of_rows(lines, rows):
    """The file lines of the rows ``rows`` of a table whose rows are on ``lines`` (a list, or a
    call that gives it); None when those are not known."""
    if callable(lines):
        lines = lines()
    if lines is None:
        return None
    return [lines[i] for i in rows]
