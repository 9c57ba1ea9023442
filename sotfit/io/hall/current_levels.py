"""Scans at several source currents in one table (a current column of ``1, 2, 4 mA``): the
torque fields scale with the current, so such rows are never one scan. :func:`rows_at_current`
keeps the rows at the current ``--current`` names, and without it refuses the table, naming the
currents (docs/io.md, "Harmonic Hall tables").

Rotations at 1, 2 and 4 mA in one long table were merged per field, at the mean current (3.3
mA, a current never applied): mu0 H_DL 1.17 times the 2 mA value, errors 100 times too large,
no word.
"""

from __future__ import annotations

import numpy as np

from .options import _STYLE, _opt, _unit_of_role
from .scan import HallReadError
from .values import _numeric

__all__ = ["rows_at_current", "current_levels", "CURRENT_LEVEL_GAP"]

#: Currents of one table further apart than this fraction (of the larger) are different
#: currents; closer ones are one current read back with jitter.
CURRENT_LEVEL_GAP = 0.02


def current_levels(values: np.ndarray) -> list[np.ndarray]:
    """The values grouped into currents: sorted, split where the gap exceeds
    :data:`CURRENT_LEVEL_GAP` of the larger value.

    Parameters
    ----------
    values : numpy.ndarray
        Source currents (any one unit); values that are not finite are left out.

    Returns
    -------
    list of numpy.ndarray
        The values of each current, sorted, in increasing order of current.
    """
    v = np.sort(values[np.isfinite(values)])
    if v.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(v) > CURRENT_LEVEL_GAP * np.abs(v[1:]))
    return np.split(v, cuts + 1)


def current_unit_and_form(p, col, o) -> tuple[str, str | None]:
    """The unit of a source current's column and the amplitude its name says (``'rms'``,
    ``'peak'``, ``'pk-pk'``; ``I_peak (uA)``, ``I (mA, rms)``), or None."""
    from .file_quantities import _key_current_is

    bare, form = _key_current_is(str(col))
    return _unit_of_role(p, bare if form else col, "current", "current", o, None), form


def rows_at_current(p, df, blocks, o):
    """``df`` with only the rows at the current ``o['current']`` (mA) where a block's current
    column holds several currents, with a note; ``df`` and None where it holds one.

    Raises
    ------
    HallReadError
        Several currents and no ``current`` option, or one that is none of them.
    """
    columns = {b.roles.get("current") for b in blocks} - {None}
    if len(columns) != 1:
        return df, None
    (col,) = columns
    from ...units import to_house

    unit, form = current_unit_and_form(p, col, o)
    values = np.asarray(to_house(_numeric(df, col, p), unit, "current")[0], float)
    if form == "pk-pk":
        values = values / 2.0
    levels = current_levels(values)
    if len(levels) < 2:
        return df, None
    shown = ", ".join(f"{float(np.mean(lv)):.4g}" for lv in levels)
    example = f"{float(np.mean(levels[0])):.4g}mA" if _STYLE.get() == "cli" \
        else float(np.mean(levels[0]))
    given = o["current"]
    if given is None:
        raise HallReadError(
            f"{p}: column {col!r} holds scans at {len(levels)} source currents ({shown} mA), "
            "and the torque fields scale with the current: they are not one scan. Give the "
            f"current whose rows to read ({_opt('current', example)}), once per current")
    keep = np.abs(values - given) <= CURRENT_LEVEL_GAP * abs(given)
    if not keep.any():
        said = f"{given:g}mA" if _STYLE.get() == "cli" else given
        raise HallReadError(f"{p}: column {col!r} holds the source currents {shown} mA; "
                            f"{_opt('current', said)} names none of them")
    out = df[keep].copy()
    out.attrs = dict(df.attrs)
    lines = df.attrs.get("lines")
    if lines is not None:
        kept = np.flatnonzero(keep)
        if callable(lines):
            source = lines
            out.attrs["lines"] = lambda: [source()[i] for i in kept] if source() else None
        else:
            out.attrs["lines"] = [lines[i] for i in kept]
    return out, (f"column {col!r} holds scans at {len(levels)} source currents ({shown} mA): "
                 f"the {int(keep.sum())} rows at {given:g} mA read, as the current option says")
