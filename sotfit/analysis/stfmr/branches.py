"""ST-FMR spectra split into field branches, and the robust noise level of a branch.

A spectrum ``V_mix(mu0H)`` with signed field is split into the ``+`` branch (H > 0) and the
``-`` branch (H < 0); points at H = 0 belong to neither (docs/stfmr.md, "Field polarity").
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ...data import Dataset
from ...digits import written_step
from .errors import STFMRError


__all__ = [
    "split_branches",
    "noise_level",
    "second_difference_noise",
    "quantisation_step",
    "rounding_noise",
]


def _label(d: Dataset) -> str:
    """A spectrum's name in messages and tables: its source. The repeat index read from a
    file name (``9GHz_1.lvm``) is not added: the name already holds it, and files at one
    frequency are not always repeats (a power series is named the same way)."""
    return d.source


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


def _median(x: np.ndarray) -> float:
    """The median of ``x`` as :func:`numpy.median` gives it (the mean of the two middle values
    of an even count), by partition: faster on the few hundred values of a branch."""
    h = x.size // 2
    if x.size % 2:
        return float(np.partition(x, h)[h])
    part = np.partition(x, [h - 1, h])
    return float(0.5 * (part[h - 1] + part[h]))


def second_difference_noise(d2):
    """Robust standard deviation (uV) of the point-to-point noise of voltages whose second
    differences are ``d2`` (uV): 1.4826 MAD(d2) / sqrt(6), along the last axis (a float for
    one row, an array for many). The second difference of independent noise of standard
    deviation sigma has variance 6 sigma^2; the median absolute deviation hardly moves with a
    smooth background, a resonance or a single step."""
    d2 = np.asarray(d2, float)
    if d2.ndim == 1:
        return 1.4826 * _median(np.abs(d2 - _median(d2))) / math.sqrt(6.0)
    mad = np.median(np.abs(d2 - np.median(d2, axis=-1)[..., None]), axis=-1)
    return 1.4826 * mad / math.sqrt(6.0)


def noise_level(v) -> float:
    """Robust standard deviation of point-to-point noise (uV) from second differences.

    sigma = 1.4826 MAD(Delta^2 v) / sqrt(6): insensitive to smooth backgrounds
    and to the resonance itself.
    """
    v = np.asarray(v, float)
    if v.size < 5:
        return float(np.std(v)) or 1.0
    d2 = np.diff(v, 2)
    s = second_difference_noise(d2)
    if s <= 0:
        s = float(np.std(d2)) / math.sqrt(6.0)
    return float(s) if s > 0 else float(np.finfo(float).eps * max(1.0, np.max(np.abs(v))))


def quantisation_step(v, near=None) -> float:
    """The step of the grid on which the values of a branch lie, where it is coarser than any
    difference the values show otherwise; 0 when they lie on none.

    Values written with a fixed number of digits lie on a decimal grid whose step grows with
    their size (taken at the largest value of ``near``, the points of a candidate's window:
    the coarsest rounding there);
    values read by a voltmeter or an ADC of fixed range take levels a step q apart (they
    repeat, and every gap between levels is a whole multiple of the smallest). The noise of
    such values is at least that of the rounding, q / sqrt(12), where the noise of second
    differences (:func:`noise_level`) is nearly zero (a staircase background, a dead channel
    written with seven digits).

    Parameters
    ----------
    v : array_like
        V_mix in uV.
    near : array of bool, optional
        The points where the step of written digits is taken (default: all).

    Returns
    -------
    float
        q in uV, or 0.
    """
    v = np.asarray(v, float)
    if v.size < 8 or not np.isfinite(v).all():
        return 0.0
    steps = []
    step = written_step(v, v if near is None or not np.any(near) else v[near])
    if step > 0:
        steps.append(step)
    if np.mean(v[1:] == v[:-1]) >= 0.1:                         # levels that repeat
        levels = np.unique(v)
        if levels.size >= 3:
            gaps = np.diff(levels)
            q = float(gaps.min())
            ratio = gaps / q
            if np.mean(np.abs(ratio - np.round(ratio)) <= 0.01) >= 0.9:
                steps.append(q)
    return max(steps, default=0.0)


def rounding_noise(v, noise: float, near=None) -> tuple[float, float]:
    """The standard deviation of the rounding of values on a grid of step q, q / sqrt(12)
    (a uniform error over one step), with q from :func:`quantisation_step`; and q. (0, 0) when
    no grid is coarser than ``noise`` (uV): the smallest difference between values bounds
    the step from above, so most branches are dismissed without looking for a grid."""
    v = np.asarray(v, float)
    d = np.abs(np.diff(v))
    d = d[d > 0]
    if d.size == 0 or not float(d.min()) / math.sqrt(12.0) > noise:
        return 0.0, 0.0
    q = quantisation_step(v, near)
    return q / math.sqrt(12.0), q
