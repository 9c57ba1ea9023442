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

__all__ = ["rows_at_current", "current_levels", "is_one_current", "levels_text",
           "CURRENT_LEVEL_GAP"]

#: Currents of one table further apart than this fraction (of the larger) are different
#: currents; a group whose spread (largest less smallest) is within this fraction of its mean
#: is one current read back with jitter.
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


def is_one_current(level: np.ndarray) -> bool:
    """Whether the values of one level of :func:`current_levels` are one current: their
    spread (largest less smallest) within :data:`CURRENT_LEVEL_GAP` of their mean. A level
    split only where neighbours differ by more than that may be a chain of currents in finer
    steps (2.00 to 2.22 mA in steps of 1.5 %), which is none.

    Parameters
    ----------
    level : numpy.ndarray
        Source currents of one level (any one unit).

    Returns
    -------
    bool
    """
    level = np.asarray(level, float)
    return bool(np.ptp(level) <= CURRENT_LEVEL_GAP * abs(float(np.mean(level)))
                * (1.0 + 1e-12))


def levels_text(levels: list[np.ndarray], unit: str = "mA") -> str:
    """The currents of ``levels`` as a message says them: each level's mean (``1.5, 3 mA``),
    and a level that is no one current (:func:`is_one_current`) by its smallest and largest
    value and its spread (``1 mA, 2 to 2.22 mA (spread by 10 %)``).

    Parameters
    ----------
    levels : list of numpy.ndarray
        Levels of :func:`current_levels`, in ``unit``.
    unit : str
        The unit written after the currents.

    Returns
    -------
    str
    """
    if all(is_one_current(lv) for lv in levels):
        return ", ".join(f"{float(np.mean(lv)):.4g}" for lv in levels) + f" {unit}"
    return ", ".join(f"{float(np.mean(lv)):.4g} {unit}" if is_one_current(lv) else
                     f"{float(np.min(lv)):.4g} to {float(np.max(lv)):.4g} {unit} (spread by "
                     f"{100 * float(np.ptp(lv)) / abs(float(np.mean(lv))):.2g} %)"
                     for lv in levels)


def chain_text(levels: list[np.ndarray]) -> str:
    """What a message says after :func:`levels_text` when a level is no one current: currents
    in steps closer than :data:`CURRENT_LEVEL_GAP` spread wider than it in all; ``''`` when
    every level is one current."""
    if all(is_one_current(lv) for lv in levels):
        return ""
    return (f": currents in steps closer than the {100 * CURRENT_LEVEL_GAP:g} % of one current "
            "read back, but spread wider than it, are neither one current nor currents told "
            "apart")


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
    if len(levels) < 2 and all(is_one_current(lv) for lv in levels):
        return df, None
    # a chain of currents in steps under the gap ('2.00, 2.03, ..., 2.22 mA') is no one current:
    # its rows were merged per field at their mean
    shown, chain = levels_text(levels), chain_text(levels)
    ones = [lv for lv in levels if is_one_current(lv)]
    given = o["current"]
    several = "several" if len(levels) < 2 else str(len(levels))
    if given is None:
        own = "write each current's rows to a table of its own"
        if ones:
            example = f"{float(np.mean(ones[0])):.4g}mA" if _STYLE.get() == "cli" \
                else float(np.mean(ones[0]))
            advice = (f"Give the current whose rows to read ({_opt('current', example)}), once "
                      "per current" + (f", or {own}" if chain else ""))
        else:
            advice = own[0].upper() + own[1:]
        raise HallReadError(
            f"{p}: column {col!r} holds scans at {several} source currents ({shown})"
            f"{chain}, and the torque fields scale with the current: they are not one scan. "
            + advice)
    keep = np.abs(values - given) <= CURRENT_LEVEL_GAP * abs(given)
    if not keep.any():
        said = f"{given:g}mA" if _STYLE.get() == "cli" else given
        raise HallReadError(f"{p}: column {col!r} holds the source currents {shown}{chain}; "
                            f"{_opt('current', said)} names none of them")
    if not is_one_current(values[keep]) or any(
            not is_one_current(lv) and np.any(keep & (values >= lv[0]) & (values <= lv[-1]))
            for lv in levels):
        said = f"{given:g}mA" if _STYLE.get() == "cli" else given
        raise HallReadError(f"{p}: column {col!r} holds the source currents {shown}{chain}; "
                            f"the rows {_opt('current', said)} names cannot be told from "
                            "those at the currents next to it: write each current's rows to a "
                            "table of its own")
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
    return out, (f"column {col!r} holds scans at {several} source currents ({shown}): "
                 f"the {int(keep.sum())} rows at {given:g} mA read, as the current option says")
