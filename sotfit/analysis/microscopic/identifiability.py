"""Whether the data separate the two microscopic parameters of an interface: the verdict of
its profile chi-square plane (:func:`identifiability`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .mechanisms import DELTA_CHI2_68, DELTA_CHI2_95, G_UNIT
from .profile import ProfilePlane

__all__ = ["identifiability", "VALLEY_FACTOR"]

#: A 68 % profile region longer than this many times the width the least-squares errors give
#: it (2 x 1.515 sigma: the projection of the joint 68 % ellipse) is a valley, not an ellipse.
VALLEY_FACTOR = 3.0


def _regions(plane: ProfilePlane, level: float):
    """Separate pieces of ``delta_chi2 < level``: labelled per sign of a
    symmetric-logarithmic axis (never joined across zero) after a one-cell dilation (pieces
    of one narrow valley that a grid cuts apart stay one)."""
    from scipy import ndimage

    inside = plane.delta_chi2 < level
    split = plane.b.min() < 0 < plane.b.max()
    halves = [(plane.b < 0), (plane.b > 0)] if split else [np.ones(plane.b.size, bool)]
    pieces = []
    for cols in halves:
        m = inside[:, cols]
        if not m.any():
            continue
        grown = ndimage.binary_dilation(m, structure=np.ones((3, 3)))
        lab, n = ndimage.label(grown, structure=np.ones((3, 3)))
        for r in range(1, n + 1):
            piece = np.zeros_like(inside)
            sub = np.zeros_like(m)
            sub[(lab == r) & m] = True
            piece[:, cols] = sub
            if piece.any():
                pieces.append(piece)
    return inside, pieces


def identifiability(plane: ProfilePlane, errors: Sequence | None = None) -> dict:
    """Whether the data separate the two microscopic parameters, from the profile.

    Verdicts:

    * ``identified``: one closed 68 % region inside the allowed range;
    * ``ridge``: the 68 % region reaches the edge of the allowed range (or the smallest
      magnitude of a logarithmic axis), or is a curved valley more than
      :data:`VALLEY_FACTOR` times longer than the least-squares errors (``errors``) say: the
      data fix a combination of the two parameters (in practice G), not both;
    * ``several optima``: the 68 % region falls apart into separate pieces, e.g. the mirror
      images J -> -J (``G(-J) = G(J)^*``) when only DL data constrain the interface.

    Parameters
    ----------
    plane : ProfilePlane
    errors : (float, float), optional
        Least-squares standard errors of the two parameters (same units as the axes).

    Returns
    -------
    dict
        JSON-ready: ``verdict``, ``explanation``, ``regions_68`` (number of separate
        pieces), ``range_68`` and ``range_95`` (per parameter, summary names, [lo, hi] over
        the region), ``touches_edge``, ``length_over_errors`` (per parameter, the range of
        the piece holding the best point over 3.03 least-squares errors), ``optima`` (the
        best point of each piece), ``g_interval_68`` (profile-likelihood 68 % intervals of
        Re G and Im G), ``grid`` (sizes) and ``delta_chi2_levels``.
    """
    d = plane.delta_chi2
    inside, pieces = _regions(plane, DELTA_CHI2_68)
    nreg = len(pieces)
    touches = bool(np.any(inside & _edge_mask(plane)))
    ratios = _length_ratios(plane, pieces, errors)
    verdict, why = _verdict(plane, nreg, touches, ratios, pieces)
    out = {"verdict": verdict, "explanation": why, "regions_68": int(nreg),
           "touches_edge": touches, "length_over_errors": ratios,
           "range_68": _range(plane, inside), "range_95": _range(plane, d < DELTA_CHI2_95),
           "best": dict(zip(plane.stable, plane.best)),
           "units": dict(zip(plane.stable, plane.units)),
           "grid": [int(plane.a.size), int(plane.b.size)],
           "delta_chi2_levels": [DELTA_CHI2_68, DELTA_CHI2_95],
           "profiled": ["spin_hall_conductivity", "spin_diffusion_length"],
           "held_at_fit": "other interfaces, calibration factors, g_sf"}
    gi = _g_interval(plane)
    if gi is not None:
        out["g_interval_68"] = gi
    if nreg > 1:
        out["optima"] = _optima(plane, pieces)
    return out


def _edge_mask(plane: ProfilePlane) -> np.ndarray:
    """Grid cells on the edge of the allowed range (and, for a symmetric-logarithmic axis,
    at its smallest magnitude)."""
    edge = np.zeros(plane.delta_chi2.shape, bool)
    lo_a, hi_a, lo_b, hi_b = plane.edges
    edge[0, :] |= lo_a
    edge[-1, :] |= hi_a
    edge[:, 0] |= lo_b
    edge[:, -1] |= hi_b
    if plane.b.min() < 0 < plane.b.max() or (plane.coarse is not None and
                                             plane.coarse.b.min() < 0 < plane.coarse.b.max()):
        # the smallest magnitude of a symmetric-logarithmic axis is an edge too
        small = np.abs(plane.b) <= np.min(np.abs(plane.coarse.b if plane.coarse is not None
                                                 else plane.b)) * (1 + 1e-12)
        edge[:, small] = True
    return edge


def _range(plane: ProfilePlane, mask) -> dict:
    """``{summary name: [lo, hi]}`` of the two parameters over ``mask`` (None when empty)."""
    if not mask.any():
        return {s: None for s in plane.stable}
    ia, ib = np.nonzero(mask)
    return {plane.stable[0]: [float(plane.a[ia].min()), float(plane.a[ia].max())],
            plane.stable[1]: [float(plane.b[ib].min()), float(plane.b[ib].max())]}


def _length_ratios(plane: ProfilePlane, pieces, errors) -> dict:
    """Per parameter: the range of the 68 % piece holding the best point over the width the
    least-squares errors give it (2 x 1.515 errors); empty without errors."""
    ratios = {}
    if errors is not None and pieces:
        # the length of the piece holding the best point (not of separate optima together)
        d = plane.delta_chi2
        main = min(pieces, key=lambda m: float(np.min(np.where(m, d, np.inf))))
        r68 = _range(plane, main)
        for name, err in zip(plane.stable, errors):
            if err is not None and math.isfinite(err) and err > 0:
                ratios[name] = float((r68[name][1] - r68[name][0]) / (2 * 1.515 * err))
    return ratios


def _verdict(plane: ProfilePlane, nreg: int, touches: bool, ratios: dict, pieces):
    """The verdict (``identified``, ``ridge``, ``several optima``) and its explanation."""
    valley = [n for n, r in ratios.items() if r > VALLEY_FACTOR]
    if nreg == 0:
        verdict = "identified"
        why = ("the 68 % region is smaller than the grid spacing: the two parameters are "
               "determined (the least-squares errors describe them)")
    elif touches or valley:
        verdict = "ridge"
        if touches:
            why = (f"the 68 % region runs into the edge of the allowed range of "
                   f"({plane.stable[0]}, {plane.stable[1]}): the data fix a combination of the "
                   "two (in practice G), not both; their least-squares errors are not meaningful")
        else:
            why = (f"the 68 % region is a curved valley {max(ratios[n] for n in valley):.1f} "
                   f"times longer in {', '.join(valley)} than the least-squares errors say: the "
                   "data fix a combination of the two parameters (in practice G); range_68 and "
                   "range_95, not the least-squares errors, describe them")
        if nreg > 1:
            why += (f" (the region shows as {nreg} pieces: a valley thinner than the grid in "
                    "places, or separate optima along it)")
    elif nreg > 1:
        verdict = "several optima"
        why = (f"the 68 % region (Delta chi^2 < {DELTA_CHI2_68:.2f}) has {nreg} separate "
               f"pieces in the ({plane.stable[0]}, {plane.stable[1]}) plane: the data allow "
               "several microscopic explanations")
    else:
        verdict = "identified"
        why = "one closed 68 % region inside the allowed range"
    if nreg > 1:
        signs = {float(np.sign(plane.b[np.nonzero(p)[1]]).mean()) for p in pieces}
        if {-1.0, 1.0} <= signs:
            why += (f"; both signs of {plane.stable[1]} fit: G(-J) = G(J)^*, and data that do "
                    "not fix the sign of Im G (e.g. DL data alone) cannot fix its sign")
    return verdict, why


def _optima(plane: ProfilePlane, pieces) -> list[dict]:
    """The best point of each 68 % piece, best first."""
    d = plane.delta_chi2
    optima = []
    for p in pieces:
        sub = np.where(p, d, np.inf)
        i, j = np.unravel_index(int(np.argmin(sub)), d.shape)
        optima.append({plane.stable[0]: float(plane.a[i]), plane.stable[1]: float(plane.b[j]),
                       "delta_chi2": float(d[i, j])})
    optima.sort(key=lambda o: o["delta_chi2"])
    return optima


def _g_interval(plane: ProfilePlane):
    """Profile-likelihood 68 % intervals of Re G and Im G (1e13 Ohm^-1 m^-2): their range
    over Delta chi^2 < 1 of the plane (and of the grid over the whole range)."""
    vals = []
    for pl in (plane, plane.coarse):
        if pl is None:
            continue
        m = pl.delta_chi2 < 1.0
        if m.any():
            vals.append(pl.g[m])
    if not vals:
        return None
    g = np.concatenate(vals)
    return {"re_g_mix": [float(g.real.min()), float(g.real.max())],
            "im_g_mix": [float(g.imag.min()), float(g.imag.max())], "unit": G_UNIT,
            "delta_chi2": 1.0}
