"""Resonance search of ST-FMR branches by local variable projection.

:func:`find_resonances` groups branches by length and shared field values and runs the fast
search of :mod:`sotfit.analysis.stfmr.search_groups`; :func:`_find_resonance_exhaustive`
scans every candidate and is the reference the fast search is tested against.
"""

from __future__ import annotations

import math

import numpy as np

from ...models.lineshapes import derivative_design, mixing_design
from .branches import noise_level, rounding_noise
from .scores import _bin_rows, _window_improvement
from .search_groups import _SHARED_MIN, _search_group, _search_shared


__all__ = [
    "find_resonance",
    "find_resonances",
]


#: Candidate grid of the resonance search: centres, widths, points needed per side and in all.
SEARCH_GRID = {"n_centre": 160, "n_width": 24, "min_side": 5, "min_points": 15}


#: Branches with more points are searched on the means of consecutive points (at most this
#: many); the fit uses every point of its window.
SEARCH_MAX_POINTS = 4096


def find_resonances(branches, *, window_widths: float = 6.0, derivative: bool = False,
                    exhaustive: bool = False, **grid) -> list:
    """:func:`find_resonance` for many branches at once.

    Parameters
    ----------
    branches : sequence of (h, v)
        |mu0H| in T (ascending) and V_mix in uV of each branch.
    window_widths, derivative, exhaustive
        As :func:`find_resonance`.
    **grid
        ``n_centre``, ``n_width``, ``min_side``, ``min_points`` (:data:`SEARCH_GRID`).

    Returns
    -------
    list
        Per branch the dict of :func:`find_resonance`, or the ValueError it would raise.
    """
    opts = {**SEARCH_GRID, **grid}
    out: list = [None] * len(branches)
    groups: dict[int, list[int]] = {}
    prepared = []
    raw = []
    for i, (h, v) in enumerate(branches):
        h = np.asarray(h, float)
        v = np.asarray(v, float)
        order = np.argsort(h)
        h, v = h[order], v[order]
        raw.append((h, v))
        binned = 1
        if h.size > SEARCH_MAX_POINTS and not exhaustive:
            binned = -(-h.size // SEARCH_MAX_POINTS)
            h, _ = _bin_rows(h[None, :], binned)
            v, _ = _bin_rows(v[None, :], binned)
            h, v = h[0], v[0]
        v, line = _without_line(h, v)
        prepared.append((h, v, binned, line))
        if _only_rounding(h, v, line):
            out[i] = ValueError("the signal is a straight line (no noise, no resonance)")
            continue
        if exhaustive or h.size < 2:
            try:
                out[i] = _find_resonance_exhaustive(h, v, window_widths=window_widths,
                                                    derivative=derivative, **opts)
            except ValueError as exc:
                out[i] = exc
            continue
        groups.setdefault(h.size, []).append(i)
    for n, idx in groups.items():
        # branches sharing their field values: the exhaustive scan by matrix products
        same: dict[bytes, list[int]] = {}
        for i in idx:
            same.setdefault(prepared[i][0].tobytes(), []).append(i)
        rest = []
        for members in same.values():
            if len(members) < _SHARED_MIN:
                rest.extend(members)
                continue
            v = np.stack([prepared[i][1] for i in members])
            res = _search_shared(prepared[members[0]][0], v, k=window_widths,
                                 derivative=derivative, **opts)
            for i, r in zip(members, res):
                out[i] = r
        if not rest:
            continue
        rest.sort()
        h = np.stack([prepared[i][0] for i in rest])
        v = np.stack([prepared[i][1] for i in rest])
        for i, res in zip(rest, _search_group(h, v, k=window_widths, derivative=derivative,
                                              **opts)):
            out[i] = res
    for i, (_, _, binned, (centre, level, slope)) in enumerate(prepared):
        if isinstance(out[i], dict):
            out[i]["offset"] += level + slope * (out[i]["h_res"] - centre)
            out[i]["slope"] += slope
            if binned > 1:
                out[i]["search_bin"] = binned
            _noise_at_least_rounding(out[i], *raw[i], binned, window_widths)
    return out


def _noise_at_least_rounding(found: dict, h, v, binned: int, window_widths: float) -> None:
    """Take the noise of a winner ``found`` no smaller than the rounding of the grid its
    branch's values lie on (:func:`~sotfit.analysis.stfmr.branches.rounding_noise`, over the
    square root of the points averaged when the search ran on binned points), and its
    significance with it; the grid's step goes into ``rounding_step`` (uV) when it does."""
    near = np.abs(h - found["h_res"]) < window_widths * found["width"]
    floor, step = rounding_noise(v, found["noise"] * math.sqrt(binned), near)
    floor /= math.sqrt(binned)
    if floor > found["noise"]:
        found["significance"] *= (found["noise"] / floor) ** 2
        found["noise"] = floor
        found["rounding_step"] = step


def _only_rounding(h, v, line) -> bool:
    """Whether the branch ``v`` freed of its straight ``line`` (:func:`_without_line`) holds
    nothing but the rounding of the line itself: a noiseless straight line (a constant or
    dead channel, say), whose scores would be ratios of rounding errors."""
    if v.size == 0:
        return False
    centre, level, slope = line
    largest = float(np.max(np.abs(v)))
    scale = abs(level) + abs(slope) * float(np.max(np.abs(h - centre))) + largest
    return largest <= 64 * np.finfo(float).eps * scale


def _without_line(h, v):
    """The branch v freed of its least-squares straight line in h, and that line as (centre
    field in T, value there in uV, slope in uV/T). Every candidate's window model holds a
    straight line, so its score is the same with or without it; without it, the sums of the
    search do not cancel a large offset or slope against a small resonance. A branch whose
    line is not finite (fewer than two fields, or values that are not finite) is left as it
    is, with a zero line."""
    if h.size < 2:
        return v, (0.0, 0.0, 0.0)
    centre = float(np.mean(h))
    hc = h - centre
    hh = float(hc @ hc)
    level = float(np.mean(v))
    slope = float(hc @ v) / hh if hh > 0 else 0.0
    if not (np.isfinite(level) and np.isfinite(slope)):
        return v, (0.0, 0.0, 0.0)
    return v - (level + slope * hc), (centre, level, slope)


def find_resonance(h, v, *, window_widths: float = 6.0, derivative: bool = False,
                   n_centre: int = 160, n_width: int = 24, min_side: int = 5,
                   min_points: int = 15, exhaustive: bool = False) -> dict[str, float]:
    """Locate the resonance of one branch by a local variable-projection search.

    For every candidate (h_res, W) of a grid (``n_centre`` centres evenly spread over the
    branch, ``n_width`` widths geometrically spaced from 1.5 field steps to a quarter of
    the span) the linear amplitudes (V_s, V_a, offset, slope) are solved by least squares
    *within* |h - h_res| < window_widths W, and compared with a background-only line in the
    same window. The winner maximises the chi-square improvement (in units of the robust
    noise variance, :func:`noise_level`), so a narrow resonance on a large sloped background
    wins over smooth background curvature. A candidate needs at least ``min_side`` points on
    each side of h_res and ``min_points`` in all inside its window, and must lie at least one
    half width inside the sweep.

    The grid is not scanned candidate by candidate: a coarse stage scores every fourth
    centre and every second width on the branch binned to about 64 points; from its best
    candidate (and up to two others elsewhere that come within a factor 2 of it) the exact
    scores climb the full grid to a local maximum. The winner is the exhaustive scan's
    whenever its maximum is the one the climb reaches (``exhaustive=True`` scans every
    candidate; the two agree on every branch of the bundled example and of the measured
    sets, ``tests/test_stfmr_search.py``). Branches longer than
    :data:`SEARCH_MAX_POINTS` are searched on the means of consecutive points
    (``search_bin`` in the result says how many).

    Parameters
    ----------
    h : array_like
        |mu0H| in T, ascending.
    v : array_like
        V_mix in uV.
    window_widths : float
        Half window in units of W.
    derivative : bool
        Search with the field-derivative lineshape instead.
    exhaustive : bool
        Score every candidate of the grid (slow; the reference of the faster search).

    Returns
    -------
    dict
        ``h_res``, ``width``, ``vs``, ``va``, ``offset``, ``slope`` (T, uV, uV/T),
        ``significance`` (chi-square improvement / noise variance) and ``noise`` (uV): the
        noise of second differences, or the rounding of the grid the values lie on when that
        is larger (written digits, a voltmeter's levels; then ``rounding_step``, uV).

    Raises
    ------
    ValueError
        When the field does not vary or no candidate has enough points.
    """
    res = find_resonances([(h, v)], window_widths=window_widths, derivative=derivative,
                          exhaustive=exhaustive, n_centre=n_centre, n_width=n_width,
                          min_side=min_side, min_points=min_points)[0]
    if isinstance(res, Exception):
        raise res
    return res


def _find_resonance_exhaustive(h, v, *, window_widths: float = 6.0, derivative: bool = False,
                               n_centre: int = 160, n_width: int = 24, min_side: int = 5,
                               min_points: int = 15) -> dict[str, float]:
    """The resonance search of :func:`find_resonance`, scanning every candidate of the grid.

    For every candidate (h_res, W) the linear amplitudes (V_s, V_a, offset,
    slope) are solved by least squares *within* |h - h_res| < window_widths W,
    and compared with a background-only line in the same window. The winner
    maximises the chi-square improvement (in units of the robust noise
    variance, :func:`noise_level`), so a narrow resonance on a large sloped
    background wins over smooth background curvature. A candidate needs at
    least ``min_side`` points on each side of h_res and ``min_points`` in all
    inside its window, and must lie at least one half width inside the sweep.

    Parameters and returns are those of :func:`find_resonance` (h in T ascending, v in uV;
    the dict holds h_res, width in T, vs, va, offset in uV, slope in uV/T, significance, noise).
    """
    h = np.asarray(h, float)
    v = np.asarray(v, float)
    order = np.argsort(h)
    h, v = h[order], v[order]
    v, (centre, level, line_slope) = _without_line(h, v)
    sig = noise_level(v)
    step = float(np.median(np.diff(h)))
    span = float(h[-1] - h[0])
    if not (step > 0 and span > 0):
        raise ValueError("the field does not vary")
    centres = np.linspace(h[min(2, h.size - 1)], h[max(h.size - 3, 0)], n_centre)
    widths = np.geomspace(1.5 * step, max(span / 4, 3 * step), n_width)
    design = derivative_design if derivative else mixing_design
    best = None
    # process in blocks of widths to bound memory (n_centre x n x 4 per block)
    for w in widths:
        c = centres[:, None]
        m = np.abs(h[None, :] - c) < window_widths * w
        left = (m & (h[None, :] < c)).sum(1)
        right = (m & (h[None, :] > c)).sum(1)
        ok = ((left >= min_side) & (right >= min_side) & (left + right >= min_points)
              & (c[:, 0] - w >= h[0]) & (c[:, 0] + w <= h[-1]))
        if not ok.any():
            continue
        mf = m[ok].astype(float)
        cc = c[ok]
        a = design(h[None, :], cc, w) * mf[..., None]
        vv = v[None, :] * mf
        improvement, coefs = _window_improvement(a, vv)
        score = improvement / sig**2
        k = int(np.argmax(score))
        if best is None or score[k] > best[0]:
            vs, va, off, sl = coefs[k]
            best = (float(score[k]), {"h_res": float(cc[k, 0]), "width": float(w), "vs": float(vs),
                                      "va": float(va), "offset": float(off), "slope": float(sl)})
    if best is None:
        raise ValueError("too few points for a resonance search")
    out = dict(best[1])
    out["offset"] += level + line_slope * (out["h_res"] - centre)
    out["slope"] += line_slope
    out["significance"] = best[0]
    out["noise"] = sig
    return out
