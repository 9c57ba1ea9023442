"""Single-point glitches of the curves of the global fit (d): found in its residuals, left out of
the fit and named in the notes (docs/hall.md, method (d)).

A glitch (a rotator that reverses for a point, a lock-in overload, a row written at another
angle) is a run of one or two points whose residuals stand far, and on one side, from the
median residual of the three points on each side of the run, while the two points beside the run
agree with that median: within :data:`GLITCH_RULE` ``calm`` of the run's nearest distance, or
within ``calm_noise`` noise levels. The distance must exceed ``noise_levels`` times the noise of
the curve's residuals (:func:`~sotfit.analysis.hall.macrospin_gates._curve_noise`, from their
second differences, so a smooth misfit does not raise it). Points within three of either end are
not judged.

Sharp physics is not a glitch: where the fitted model itself has a step or a peak at the run
(magnetisation switching, the second harmonic's peak where the restoring field is small, the
field crossing a hard axis), its values at the run or beside it lie off the cubic through its
two values on each side by more than ``model_sharp`` of the run's distance
(:func:`model_sharpness`), and the run is not judged. A
switching angle the model misses by one point then leaves a one-point residual of the full
jump beside agreeing neighbours, but the model steps there, so it is passed over.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .macrospin_gates import _curve_noise

#: The rule: least distance from the neighbours' median residual in noise levels; neighbours on
#: each side; largest distance of a point beside the run from that median, as a fraction of the
#: run's nearest distance or in noise levels (either passes); longest run; largest distance of
#: the model at the run from its cubic through the two points on each side, as a fraction of the
#: run's distance, at the run and the points beside it (above it the model is sharp there:
#: physics, not judged).
GLITCH_RULE = {"noise_levels": 7.0, "side": 3, "calm": 0.25, "calm_noise": 3.0, "longest": 2,
               "model_sharp": 0.2}

#: The noise of a curve is taken no smaller than this fraction of its range (digits written,
#: noise-free simulations).
NOISE_FLOOR = 1e-9


@dataclasses.dataclass(frozen=True)
class Glitch:
    """One point of a curve left out of the global fit.

    Attributes
    ----------
    curve : int
        Index of the curve among the datasets of the global fit.
    index : int
        Index of the point in the curve as read.
    x : float
        Its scan variable (deg for rotations, T for field sweeps).
    y : float
        Its value (Ohm).
    size : float
        Its distance from its neighbours' median residual, in noise levels of the curve.
    """

    curve: int
    index: int
    x: float
    y: float
    size: float


def model_sharpness(x, m) -> np.ndarray:
    """How far (Ohm) each model value ``m`` lies from the cubic through the model's two values on
    each side of it, at its ``x`` (``x`` increasing); infinite within two points of either end
    and where two of the five ``x`` coincide.

    A smooth curve sampled finely lies on such cubics to its fourth difference; a step or a peak
    between the points (switching, a divergent second harmonic) does not.
    """
    x, m = np.asarray(x, float), np.asarray(m, float)
    out = np.full(x.size, np.inf)
    if x.size < 5:
        return out
    wx, wm = sliding_window_view(x, 5), sliding_window_view(m, 5)
    nodes, target = wx[:, [0, 1, 3, 4]], wx[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = np.ones_like(nodes)
        for a in range(4):
            for b in range(4):
                if a != b:
                    weights[:, a] *= (target - nodes[:, b]) / (nodes[:, a] - nodes[:, b])
        cubic = np.sum(weights * wm[:, [0, 1, 3, 4]], axis=1)
    dev = np.abs(wm[:, 2] - cubic)
    out[2:-2] = np.where(np.isfinite(dev), dev, np.inf)
    return out


def glitch_indices(x, y, model) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the glitches of one curve and their distances in noise levels.

    Parameters
    ----------
    x : array_like
        Scan variable of the points (deg or T), in any order.
    y : array_like
        Measured values (Ohm).
    model : array_like
        The fitted model at the points (Ohm).

    Returns
    -------
    idx : ndarray of int
        Indices (into the arrays as given) of the points judged glitches (:data:`GLITCH_RULE`).
    size : ndarray
        Their distances from the median residual of their neighbours, in noise levels.
    """
    x, y, model = (np.asarray(a, float) for a in (x, y, model))
    k, longest = GLITCH_RULE["side"], GLITCH_RULE["longest"]
    none = np.empty(0, int), np.empty(0)
    if x.size < 2 * k + 3 or not (np.isfinite(y).all() and np.isfinite(model).all()):
        return none
    order = np.argsort(x, kind="stable")
    xs, r, m = x[order], (y - model)[order], model[order]
    sigma = max(_curve_noise(r), NOISE_FLOOR * float(np.ptp(y)))
    if sigma <= 0:
        return none
    sharp = model_sharpness(xs, m)
    found: dict[int, float] = {}
    for length in range(1, longest + 1):
        for start, size in _runs(r, sigma, k, length):
            # the model smooth at the run and at the points beside it
            if np.max(sharp[start - 1:start + length + 1]) <= \
                    GLITCH_RULE["model_sharp"] * np.min(np.abs(size)) * sigma:
                for j, s in zip(range(start, start + length), size):
                    found.setdefault(int(order[j]), float(abs(s)))
    if not found:
        return none
    idx = np.array(sorted(found), int)
    return idx, np.array([found[i] for i in idx])


def _runs(r, sigma: float, k: int, length: int):
    """(start, distances in noise levels) of each run of ``length`` residuals ``r`` (in scan
    order) that stands off its neighbours as :data:`GLITCH_RULE` says."""
    if r.size < 2 * k + length:
        return []
    w = sliding_window_view(r, 2 * k + length)
    median = np.median(np.concatenate([w[:, :k], w[:, k + length:]], axis=1), axis=1)
    dev = w[:, k:k + length] - median[:, None]
    small = np.min(np.abs(dev), axis=1)
    beside = np.maximum(np.abs(w[:, k - 1] - median), np.abs(w[:, k + length] - median))
    calm = (beside <= GLITCH_RULE["calm"] * small) | (beside <= GLITCH_RULE["calm_noise"] * sigma)
    one_sign = np.all(dev > 0, axis=1) | np.all(dev < 0, axis=1)
    hit = np.flatnonzero((small > GLITCH_RULE["noise_levels"] * sigma) & one_sign & calm)
    return [(int(i) + k, dev[i] / sigma) for i in hit]


def find_glitches(res) -> list[Glitch]:
    """The glitches of every curve of a global fit ``res`` (:class:`~sotfit.results.FitResult`)."""
    out = []
    for i, d in enumerate(res.datasets):
        idx, size = glitch_indices(d.x, d.y, res.evaluate(i=i))
        out += [Glitch(i, int(j), float(d.x[j]), float(d.y[j]), float(s)) for j, s in zip(idx, size)]
    return out


def without_glitches(data, glitches) -> list:
    """The datasets ``data`` with the points of ``glitches`` left out."""
    drop: dict[int, list[int]] = {}
    for g in glitches:
        drop.setdefault(g.curve, []).append(g.index)
    out = []
    for i, d in enumerate(data):
        if i not in drop:
            out.append(d)
            continue
        keep = np.ones(len(d), bool)
        keep[drop[i]] = False
        out.append(d.replace(x=d.x[keep], y=d.y[keep],
                             yerr=None if d.yerr is None else d.yerr[keep]))
    return out
