"""ST-FMR spectra split into field branches, and the robust noise level of a branch.

A spectrum ``V_mix(mu0H)`` with signed field is split into the ``+`` branch (H > 0) and the
``-`` branch (H < 0); points at H = 0 belong to neither (docs/stfmr.md, "Field polarity").
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ...data import Dataset
from .errors import STFMRError


__all__ = [
    "split_branches",
    "noise_level",
    "unresolved_step",
]


def _label(d: Dataset) -> str:
    """A spectrum's name in messages: its source, and its repeat index when it has one."""
    rep = d.meta.get("repeat")
    return d.source + (f" (repeat {rep})" if rep not in (None, 0) else "")


def split_branches(d: Dataset, min_points: int = 8) -> list[Dataset]:
    """Split a spectrum with signed field into + and - branches in |mu0H|.

    Parameters
    ----------
    d : Dataset
        Signed field mu0H in T (x), V_mix in uV (y); ``meta['frequency']`` in GHz.
    min_points : int
        Branches with fewer points are dropped.

    Returns
    -------
    list of Dataset
        One per polarity present, x = |mu0H| ascending (T), y = V_mix as measured
        (uV), meta adds ``polarity`` (+1 or -1), ``branch`` ('+' or '-') and
        ``n_points_branch``.

    Raises
    ------
    STFMRError
        If no branch has ``min_points`` points, naming the file.
    """
    if d.x_unit and d.x_unit != "T":
        raise STFMRError(f"{_label(d)}: field must be mu0H in T (house unit), got {d.x_unit!r}")
    out = []
    sign = np.sign(d.x)
    for p, label in ((1, "+"), (-1, "-")):
        mask = sign == p
        n = int(mask.sum())
        if n < min_points:
            continue
        x = np.abs(d.x[mask])
        order = np.argsort(x, kind="stable")
        x = x[order]
        if np.any(np.diff(x) == 0):
            raise STFMRError(f"{_label(d)}: duplicated field values on the {label} branch; "
                             "average repeated points or split the repeats before fitting")
        out.append(dataclasses.replace(
            d, x=x, y=d.y[mask][order], yerr=None if d.yerr is None else d.yerr[mask][order],
            meta={**d.meta, "polarity": p, "branch": label, "n_points_branch": n}))
    if not out:
        raise STFMRError(f"{_label(d)}: no field branch has at least {min_points} points "
                         f"({len(d)} points in total)")
    return out


def noise_level(v) -> float:
    """Robust standard deviation of point-to-point noise (uV) from second differences.

    sigma = 1.4826 MAD(Delta^2 v) / sqrt(6): insensitive to smooth backgrounds
    and to the resonance itself.
    """
    v = np.asarray(v, float)
    if v.size < 5:
        return float(np.std(v)) or 1.0
    d2 = np.diff(v, 2)
    s = 1.4826 * np.median(np.abs(d2 - np.median(d2))) / math.sqrt(6.0)
    if s <= 0:
        s = float(np.std(d2)) / math.sqrt(6.0)
    return float(s) if s > 0 else float(np.finfo(float).eps * max(1.0, np.max(np.abs(v))))


def _significant_digits(v) -> int:
    """The fewest significant decimal digits with which at least 90 % of the (non-zero) values
    are written exactly (to the rounding of their conversion to uV), or 0 when more than 12
    would be needed."""
    v = np.abs(v[v != 0])
    if v.size < 8:
        return 0
    exponent = np.floor(np.log10(v))

    def written_with(digits: int) -> bool:
        r = v / 10.0 ** (exponent - digits + 1)
        return np.mean(np.abs(r - np.round(r)) <= 1e-3 + 1e-14 * r) >= 0.9

    lo, hi = 1, 12
    if not written_with(hi):
        return 0
    while lo < hi:                      # the fewest digits: a value written with d is with d + 1
        mid = (lo + hi) // 2
        if written_with(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def unresolved_step(v, amplitude: float, near=None) -> float:
    """A step of at least half of ``amplitude`` on which the values of a branch lie, or 0.

    Values written with a fixed number of digits lie on a decimal grid whose step grows with
    their size; values read by a voltmeter or an ADC of fixed range take levels a step q
    apart (they repeat, and every gap between levels is a whole multiple of the smallest). A
    lineshape whose amplitude is a step or two of that grid is not resolved by the data: the
    noise of second differences (:func:`noise_level`) is then nearly zero and says nothing,
    and such a "resonance" is a step of the grid (a dead channel written with seven digits, a
    staircase background).

    Parameters
    ----------
    v : array_like
        V_mix in uV.
    amplitude : float
        |V_s| + |V_a| of the candidate resonance, uV.
    near : array of bool, optional
        The points of the candidate's window (where the step of written digits is taken).

    Returns
    -------
    float
        The step in uV (at least ``amplitude / 2``), or 0 when the values lie on no such grid.
    """
    v = np.asarray(v, float)
    ok = np.isfinite(v)
    if ok.sum() < 8 or not amplitude > 0:
        return 0.0
    w = v[ok & (True if near is None else near)]
    if w.size and amplitude < 1e-2 * float(np.max(np.abs(w))):   # small beside the values
        digits = _significant_digits(v[ok])
        if digits:
            big = float(np.max(np.abs(w)))
            step = 10.0 ** (math.floor(math.log10(big)) - digits + 1)
            if step >= amplitude / 2:
                return step
    v = v[ok]
    if np.mean(v[1:] == v[:-1]) < 0.1:                          # levels that repeat
        return 0.0
    levels = np.unique(v)
    if levels.size < 3:
        return 0.0
    gaps = np.diff(levels)
    q = float(gaps.min())
    ratio = gaps / q
    on_steps = np.mean(np.abs(ratio - np.round(ratio)) <= 0.01) >= 0.9
    return q if on_steps and q >= amplitude / 2 else 0.0
