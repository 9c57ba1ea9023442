"""Single-point spikes of an ST-FMR branch (a glitch of the lock-in or of the field read-back):
found, left out of the fits and named in the spectrum's notes.

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
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...data import Dataset
from .branches import noise_level, rounding_noise

__all__ = ["SPIKE_RULE", "spike_indices", "without_spikes", "spike_note"]

#: The rule: distance from the neighbours' median in noise levels, neighbours on each side,
#: largest distance of an adjacent point from that median as a fraction of the spike's, and
#: the least distance in rounding steps.
SPIKE_RULE = {"noise_levels": 20.0, "side": 3, "calm": 0.1, "rounding_steps": 5.0}


def spike_indices(v) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the spikes of branch values ``v`` (uV, in field order) and their distances
    from the median of their neighbours in noise levels."""
    v = np.asarray(v, float)
    k = SPIKE_RULE["side"]
    none = np.empty(0, int), np.empty(0)
    if v.size < 2 * k + 1 + 2:
        return none
    d2 = np.diff(v, 2)
    if not np.isfinite(d2).all():
        return none
    sigma = noise_level(v)
    # a spike r from the median, its adjacent points within 0.1 r of it, makes a second
    # difference of at least 1.8 r > 36 sigma: most branches are dismissed here
    if not np.max(np.abs(d2)) > 1.8 * SPIKE_RULE["noise_levels"] * sigma:
        return none
    floor, step = rounding_noise(v, sigma)
    sigma = max(sigma, floor)
    least = max(SPIKE_RULE["noise_levels"] * sigma, SPIKE_RULE["rounding_steps"] * step)
    w = sliding_window_view(v, 2 * k + 1)
    median = np.median(np.delete(w, k, axis=1), axis=1)
    r = w[:, k] - median
    adjacent = np.maximum(np.abs(w[:, k - 1] - median), np.abs(w[:, k + 1] - median))
    hit = (np.abs(r) > least) & (adjacent < SPIKE_RULE["calm"] * np.abs(r))
    idx = np.flatnonzero(hit)
    return idx + k, np.abs(r[idx]) / sigma


def without_spikes(branch: Dataset) -> Dataset:
    """The branch without its spikes (:func:`spike_indices`), which ``meta['spikes']`` lists
    as (|mu0H| in T, V_mix in uV, distance in noise levels); the branch itself when it has
    none."""
    idx, size = spike_indices(branch.y)
    if idx.size == 0:
        return branch
    keep = np.ones(branch.y.size, bool)
    keep[idx] = False
    spikes = tuple((float(branch.x[i]), float(branch.y[i]), float(s)) for i, s in zip(idx, size))
    return dataclasses.replace(
        branch, x=branch.x[keep], y=branch.y[keep],
        yerr=None if branch.yerr is None else branch.yerr[keep],
        meta={**branch.meta, "spikes": spikes})


def spike_note(branch: Dataset) -> str | None:
    """The note that names the spikes left out of ``branch``, or None."""
    spikes = branch.meta.get("spikes")
    if not spikes:
        return None
    shown = ", ".join(f"{h:.6g} T ({v:.4g} uV, {s:.0f} noise levels from its neighbours)"
                      for h, v, s in spikes[:5]) + (", ..." if len(spikes) > 5 else "")
    return (f"{branch.meta.get('branch', '')} branch: {len(spikes)} single-point spike(s) left "
            f"out of the fits: {shown}")
