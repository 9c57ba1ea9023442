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
