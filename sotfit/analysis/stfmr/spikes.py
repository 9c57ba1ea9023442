"""Spikes of an ST-FMR branch (a glitch of the lock-in or of the field read-back, one point or a
few adjacent ones): found, left out of the fits and named in the spectrum's notes.

A spike is one point far from the median of its six nearest neighbours (three on each side)
while its two adjacent points lie close to that median: within 0.1 of the point's own
distance from it, which must exceed 20 times the noise of the branch
(:func:`~sotfit.analysis.stfmr.branches.noise_level`, never below the rounding of its values)
and 5 rounding steps. Points within three of either end are not judged.

No resonance that the search can find looks so. The search needs five points or more on each
side within six half widths W, so the field step is at most 1.2 W; sampled so, at any phase
and offset, every point of a mixing lineshape (symmetric and antisymmetric Lorentzians) that
stands more than 2 % of the amplitude from its neighbours' median has an adjacent point at
0.31 of that distance or more (0.375 at a step of W, 0.6 at 0.5 W). The field-derivative
lineshapes are sharper: the same bound is 0.47 at a step of 0.5 W, 0.22 at 0.8 W and falls
below the rule's 0.1 only above about 0.95 W, a sampling too coarse for a derivative lineshape
(its extremes lie 0.58 W from the centre). ``tests/test_stfmr_spikes.py`` checks these bounds.

Glitches of two or three adjacent points (:data:`GLITCH_RULE`) are found the same way under
the mixing lineshape: points of one sign, each farther from the median of the three
neighbours on each side of the run than a spike must be, the two points beside the run within
0.1 of the nearest one's distance. A mixing lineshape sampled at up to 1.2 W never looks so
(the points beside such a run stand at 0.21 of its distance or more); a field-derivative
lineshape sampled at 0.7 W or more does, so under it only single points are judged.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...data import Dataset
from .branches import noise_level, rounding_noise

__all__ = ["SPIKE_RULE", "GLITCH_RULE", "longest_glitch", "spike_indices", "without_spikes",
           "spike_note"]

#: The rule: distance from the neighbours' median in noise levels, neighbours on each side,
#: largest distance of an adjacent point from that median as a fraction of the spike's, and
#: the least distance in rounding steps.
SPIKE_RULE = {"noise_levels": 20.0, "side": 3, "calm": 0.1, "rounding_steps": 5.0}

#: Glitches of several adjacent points (a lock-in overload, a field read-back that hangs): at
#: most ``longest`` points, judged by :data:`SPIKE_RULE` as one spike, and only on branches of
#: the mixing lineshape, whose resonances sampled at the search's coarsest step (1.2 W) never
#: look so (the two points beside any one-signed run of two or three points far from the median
#: lie at 0.21 of its distance or more); a field-derivative lineshape sampled at 0.7 W or more
#: does (its narrow lobes are runs of two or three points with calm points beside them).
GLITCH_RULE = {"longest": 3, "lineshapes": ("stfmr_mixing",)}


def longest_glitch(model=None) -> int:
    """The most adjacent points judged as one glitch under the lineshape ``model`` (a
    ModelSpec; None for the mixing lineshape the fits default to): :data:`GLITCH_RULE`'s under
    the lineshapes it spares, else 1 (single points)."""
    name = "stfmr_mixing" if model is None else model.name
    return GLITCH_RULE["longest"] if name in GLITCH_RULE["lineshapes"] else 1


def spike_indices(v, longest: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the spikes of branch values ``v`` (uV, in field order) and their distances
    from the median of their neighbours in noise levels.

    With ``longest`` > 1, glitches of up to that many adjacent points are found too
    (:data:`GLITCH_RULE`): points of one sign, each as far from the median of the three
    neighbours on each side of the glitch as a spike must be, the two points beside the glitch
    as calm as a spike's."""
    v = np.asarray(v, float)
    k = SPIKE_RULE["side"]
    none = np.empty(0, int), np.empty(0)
    if v.size < 2 * k + 1 + 2:
        return none
    d2 = np.diff(v, 2)
    if not np.isfinite(d2).all():
        return none
    sigma = noise_level(v)
    # a glitch of L points, each r or more from the median and of one sign, its adjacent
    # points within 0.1 r of it, makes second differences that sum to 1.8 r or more over its
    # points (they telescope to the glitch's ends less its neighbours): one of them is at
    # least 1.8 r / L > 36 sigma / L; most branches are dismissed here
    if not np.max(np.abs(d2)) > 1.8 * SPIKE_RULE["noise_levels"] * sigma / longest:
        return none
    floor, step = rounding_noise(v, sigma)
    sigma = max(sigma, floor)
    least = max(SPIKE_RULE["noise_levels"] * sigma, SPIKE_RULE["rounding_steps"] * step)
    found: dict[int, float] = {}
    for length in range(1, longest + 1):
        if v.size < 2 * k + length:
            break
        w = sliding_window_view(v, 2 * k + length)
        median = np.median(np.concatenate([w[:, :k], w[:, k + length:]], axis=1), axis=1)
        r = w[:, k:k + length] - median[:, None]
        adjacent = np.maximum(np.abs(w[:, k - 1] - median), np.abs(w[:, k + length] - median))
        small = np.min(np.abs(r), axis=1)
        one_sign = np.all(r > 0, axis=1) | np.all(r < 0, axis=1)
        hit = np.flatnonzero((small > least) & one_sign & (adjacent < SPIKE_RULE["calm"] * small))
        for start in hit:
            for i, size in zip(range(start + k, start + k + length), np.abs(r[start]) / sigma):
                found.setdefault(int(i), float(size))
    if not found:
        return none
    idx = np.array(sorted(found), int)
    return idx, np.array([found[i] for i in idx])


def without_spikes(branch: Dataset, longest: int = 1) -> Dataset:
    """The branch without its spikes (:func:`spike_indices`; glitches of up to ``longest``
    adjacent points), which ``meta['spikes']`` lists as (|mu0H| in T, V_mix in uV, distance in
    noise levels); the branch itself when it has none."""
    idx, size = spike_indices(branch.y, longest)
    if idx.size == 0:
        return branch
    keep = np.ones(branch.y.size, bool)
    keep[idx] = False
    spikes = tuple((float(branch.x[i]), float(branch.y[i]), float(s)) for i, s in zip(idx, size))
    glitches = int(np.sum(np.diff(idx) != 1)) + 1
    return dataclasses.replace(
        branch, x=branch.x[keep], y=branch.y[keep],
        yerr=None if branch.yerr is None else branch.yerr[keep],
        meta={**branch.meta, "spikes": spikes, "spike_glitches": glitches})


def spike_note(branch: Dataset) -> str | None:
    """The note that names the spikes left out of ``branch``, or None."""
    spikes = branch.meta.get("spikes")
    if not spikes:
        return None
    shown = ", ".join(f"{h:.6g} T ({v:.4g} uV, {s:.0f} noise levels from its neighbours)"
                      for h, v, s in spikes[:5]) + (", ..." if len(spikes) > 5 else "")
    glitches = branch.meta.get("spike_glitches", len(spikes))
    what = (f"{len(spikes)} single-point spike(s)" if glitches == len(spikes) else
            f"{glitches} spike(s) of up to {GLITCH_RULE['longest']} adjacent points "
            f"({len(spikes)} points)")
    return f"{branch.meta.get('branch', '')} branch: {what} left out of the fits: {shown}"
