"""The two lines of a two-resonance fit (``stfmr_two_resonances``) named the same way in both
branches of a spectrum.

The fit's "first" and "second" lines are whichever its start put first: the two branches of
one spectrum could name the main line first on one and the weak mode first on the other, and
their combined values then averaged the main line of one branch with the weak mode of the
other (a second mode of 20 % amplitude 1.5-2 widths away: H_res 20.4 +- 0.3 mT for 22.5, V_a
2.1 for 3.7 uV, the spectrum's flags 'none', on 2-6 of 96 branches). Where the two branches'
resonance fields pair the other way round, the branch whose two amplitudes are closer to each
other now follows the other, and the larger line (amplitude sqrt(V_s^2 + V_a^2), summed over the
branches) is named first where it is clearly the larger (:data:`LARGER_FACTOR`).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ...results import FitResult, LazyParams

__all__ = ["name_modes_alike"]

#: The parameters of the first line and of the second, in pairs.
_PAIRS = (("h_res", "h_res2"), ("width", "width2"), ("vs", "vs2"), ("va", "va2"))
_SWAP = {a: b for a, b in _PAIRS} | {b: a for a, b in _PAIRS}


def _two(r) -> bool:
    return isinstance(r, FitResult) and "h_res2" in r.params


def _amplitudes(r: FitResult) -> tuple[float, float]:
    """sqrt(V_s^2 + V_a^2) of the first line and of the second (uV)."""
    return (math.hypot(r.value("vs"), r.value("va")),
            math.hypot(r.value("vs2"), r.value("va2")))


def swapped(r: FitResult) -> FitResult:
    """The fit ``r`` with its first and second lines exchanged: values, covariance and the
    metadata keyed by parameter name (the same curve, the same fit). The background's slope
    is taken about the first line's field (:func:`~sotfit.models.lineshape_functions.
    mixing_voltage_two`), so the offset becomes offset + slope (H_res2 - H_res), and its
    errors and correlations with it."""
    h1, h2, slope = r.value("h_res"), r.value("h_res2"), r.value("slope")
    nominal = {k: r.value(_SWAP.get(k, k)) for k in r.params}
    nominal["offset"] = r.value("offset") + slope * (h2 - h1)
    cov = r.covar
    if cov is not None:
        # new = M old, linear in the old varied parameters (exact: offset' is linear in
        # offset, and bilinear in slope and the fields, linearised about the values)
        idx = {n: i for i, n in enumerate(r.varied)}
        m = np.zeros((len(r.varied), len(r.varied)))
        for i, n in enumerate(r.varied):
            m[i, idx[_SWAP.get(n, n)]] = 1.0
        if "offset" in idx:
            row = m[idx["offset"]]
            for n, d in (("slope", h2 - h1), ("h_res2", slope), ("h_res", -slope)):
                if n in idx:
                    row[idx[n]] += d
        cov = m @ np.asarray(cov) @ m.T
        cov.setflags(write=False)
    meta = dict(r.meta)
    if isinstance(meta.get("independent_stderrs"), dict):
        meta["independent_stderrs"] = {_SWAP.get(k, k): v
                                       for k, v in meta["independent_stderrs"].items()}
    return dataclasses.replace(r, covar=cov, params=LazyParams(nominal, r.varied, cov),
                               meta=meta)


#: The first line is made the larger where the two lines' amplitudes (summed over a
#: spectrum's branches) differ by more than this factor; nearer, the fit's own naming is kept
#: (two lines of equal amplitude named by their noise took the upper mode at one frequency and
#: the lower at the others: M_eff 0.61 +- 0.38 T for 0.85).
LARGER_FACTOR = 1.5


def name_modes_alike(results: list) -> list:
    """The branch fits ``results`` of one spectrum with their two lines named alike: the two
    branches paired by resonance field (the branch whose amplitudes are nearer each other
    takes the other's naming), then the larger line first where the lines' amplitudes, summed
    over the branches, differ by more than :data:`LARGER_FACTOR`. Results of other
    lineshapes, and errors, are returned as they are."""
    out = list(results)
    two = [i for i, r in enumerate(out) if _two(r)]
    if not two:
        return out
    if len(two) == 2:
        a, b = (out[i] for i in two)
        same = (abs(a.value("h_res") - b.value("h_res"))
                + abs(a.value("h_res2") - b.value("h_res2")))
        cross = (abs(a.value("h_res") - b.value("h_res2"))
                 + abs(a.value("h_res2") - b.value("h_res")))
        if cross < same:
            ratio = [max(_amplitudes(r)) / max(min(_amplitudes(r)), 1e-300) for r in (a, b)]
            i = two[0] if ratio[0] < ratio[1] else two[1]
            out[i] = swapped(out[i])
    first = sum(_amplitudes(out[i])[0] for i in two)
    second = sum(_amplitudes(out[i])[1] for i in two)
    if second > LARGER_FACTOR * first:
        for i in two:
            out[i] = swapped(out[i])
    return out
