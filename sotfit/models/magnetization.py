"""Ferromagnetic resonance relations: Kittel dispersion and linewidth.

Conventions (docs/CONVENTIONS.md): fields as mu0*H in T, frequencies in GHz,
``gyromagnetic_ratio`` is gamma/2pi in GHz/T (gamma = g mu_B / hbar).

* In-plane Kittel (field in the film plane, along an in-plane uniaxial easy
  axis of anisotropy field H_k; Kittel, Phys. Rev. 73, 155 (1948)):
  f = (gamma/2pi) sqrt((H + H_k)(H + H_k + M_eff)).
* Out-of-plane Kittel (field along the film normal, H > M_eff):
  f = (gamma/2pi) (H - M_eff).
* Linewidth (HWHM) W(f) = W_0 + 2 pi f alpha / gamma = W_0 + f alpha / (gamma/2pi).

The models take the frequency as x and return the field, because at fixed
frequency it is the resonance field and width that carry the error bars.
"""

from __future__ import annotations

import numpy as np

from ..units import GAMMA_FREE_ELECTRON
from .spec import ModelSpec, Param, Reference

__all__ = [
    "resonance_field_inplane",
    "frequency_inplane",
    "resonance_field_outofplane",
    "linewidth_hwhm",
    "kittel_inplane",
    "meff_inplane",
    "gyromagnetic_ratio_inplane",
    "kittel_outofplane",
    "linewidth",
]


def frequency_inplane(h, meff, gyromagnetic_ratio=GAMMA_FREE_ELECTRON, h_k=0.0):
    """In-plane Kittel frequency in GHz.

    Parameters
    ----------
    h : array_like
        mu0*H in T (field magnitude, in plane).
    meff : float
        mu0*M_eff in T (mu0*Ms minus the perpendicular anisotropy field).
    gyromagnetic_ratio : float
        gamma/2pi in GHz/T.
    h_k : float
        In-plane uniaxial anisotropy field mu0*H_k along the field, in T.
    """
    hh = h + h_k
    return gyromagnetic_ratio * np.sqrt(hh * (hh + meff))


def _sqrt(x):
    """numpy's square root for numbers and arrays; ``x ** 0.5`` for ``uncertainties`` values
    (so that the resonance fields of a fit propagate their correlations)."""
    if isinstance(x, (int, float, np.ndarray, np.generic)):
        return np.sqrt(x)
    return x ** 0.5


def resonance_field_inplane(f, meff, gyromagnetic_ratio=GAMMA_FREE_ELECTRON, h_k=0.0):
    """In-plane resonance field mu0*H_res in T at frequency ``f`` (GHz).

    The positive root of the in-plane Kittel relation:
    H_res = -H_k - M_eff/2 + sqrt(M_eff^2/4 + (f/(gamma/2pi))^2). Takes floats, arrays and
    ``uncertainties`` values.
    """
    r = f / gyromagnetic_ratio
    return -h_k - meff / 2 + _sqrt(meff * meff / 4 + r * r)


def meff_inplane(h_res, f, gyromagnetic_ratio=GAMMA_FREE_ELECTRON):
    """mu0*M_eff in T that puts the in-plane resonance at ``h_res`` (T) for frequency ``f``
    (GHz): the in-plane Kittel relation solved for M_eff (H_k = 0),
    M_eff = (f/(gamma/2pi))^2 / H_res - H_res; the inverse of :func:`resonance_field_inplane`.
    Takes floats, arrays and ``uncertainties`` values."""
    r = f / gyromagnetic_ratio
    return r * r / h_res - h_res


def gyromagnetic_ratio_inplane(h_res, f, meff):
    """gamma/2pi in GHz/T that puts the in-plane resonance at ``h_res`` (T) for frequency ``f``
    (GHz) and mu0*M_eff ``meff`` (T): the in-plane Kittel relation solved for gamma/2pi (H_k =
    0), f / sqrt(H_res (H_res + M_eff)) (Kittel, Phys. Rev. 73, 155 (1948); the inverse of
    :func:`frequency_inplane`); NaN where H_res (H_res + M_eff) <= 0 (no gamma puts the
    resonance there). Takes floats and ``uncertainties`` values."""
    product = h_res * (h_res + meff)
    if float(getattr(product, "nominal_value", product)) <= 0:
        return float("nan")
    return f / _sqrt(product)


def resonance_field_outofplane(f, meff, gyromagnetic_ratio=GAMMA_FREE_ELECTRON):
    """Out-of-plane resonance field mu0*H_res = f/(gamma/2pi) + mu0*M_eff in T."""
    return f / gyromagnetic_ratio + meff


def linewidth_hwhm(f, alpha, linewidth_inhomogeneous, gyromagnetic_ratio=GAMMA_FREE_ELECTRON):
    """HWHM linewidth W = W_0 + f alpha/(gamma/2pi) in T, with f in GHz."""
    return linewidth_inhomogeneous + f * alpha / gyromagnetic_ratio


def _guess_inplane(f, h, **_):
    # H(H+M) = (f/gamma)^2 is linear in M: solve for M with gamma fixed.
    r2 = (np.asarray(f) / GAMMA_FREE_ELECTRON) ** 2
    h = np.asarray(h)
    good = h > 0
    meff = float(np.median((r2[good] - h[good] ** 2) / h[good])) if good.any() else 1.0
    return {"meff": meff, "gyromagnetic_ratio": GAMMA_FREE_ELECTRON}


def _guess_outofplane(f, h, **_):
    return {"meff": float(np.median(h - f / GAMMA_FREE_ELECTRON))}


def _guess_linewidth(f, w, **_):
    # a straight line through W(f); both starting values strictly inside their bounds
    # (alpha > 0, W_0 > 0): a bounded parameter started on its bound cannot move
    f, w = np.asarray(f), np.asarray(w)
    if f.size >= 2 and np.ptp(f) > 0:
        slope, icpt = np.polyfit(f, w, 1)
    else:
        slope, icpt = 0.0, float(np.mean(w))
    floor = 0.1 * float(np.min(np.abs(w))) if w.size else 0.0
    return {"alpha": float(max(slope * GAMMA_FREE_ELECTRON, 1e-4)),
            "linewidth_inhomogeneous": float(max(icpt, floor))}


_GAMMA = Param("gyromagnetic_ratio", "GHz/T", GAMMA_FREE_ELECTRON, (10.0, 45.0),
               "gamma/2pi = g mu_B / h")

kittel_inplane = ModelSpec(
    name="kittel_inplane",
    func=resonance_field_inplane,
    params=(
        Param("meff", "T", 1.0, (-5.0, 5.0), "effective magnetisation mu0*M_eff"),
        _GAMMA,
        Param("h_k", "T", 0.0, (-1.0, 1.0), "in-plane uniaxial anisotropy field", vary=False),
    ),
    x_name="frequency", x_unit="GHz", y_name="h_res", y_unit="T",
    doc=resonance_field_inplane.__doc__, guess=_guess_inplane,
    references=(Reference(
        (28.0 * np.sqrt(0.11),), (0.08,), values=dict(meff=1.0, gyromagnetic_ratio=28.0, h_k=0.02),
        source="hand: f = (gamma/2pi) sqrt((H + H_k)(H + H_k + M_eff)) = 28 sqrt(0.1 x 1.1) GHz "
               "at H + H_k = 0.1 T, M_eff = 1 T", rtol=1e-12),),
)

kittel_outofplane = ModelSpec(
    name="kittel_outofplane",
    func=resonance_field_outofplane,
    params=(Param("meff", "T", 1.0, (-5.0, 5.0), "effective magnetisation mu0*M_eff"), _GAMMA),
    x_name="frequency", x_unit="GHz", y_name="h_res", y_unit="T",
    doc=resonance_field_outofplane.__doc__, guess=_guess_outofplane,
    references=(Reference((14.0,), (1.5,), values=dict(meff=1.0, gyromagnetic_ratio=28.0),
                          source="hand: H = f/(gamma/2pi) + M_eff = 14/28 + 1 T"),),
)

linewidth = ModelSpec(
    name="linewidth",
    func=linewidth_hwhm,
    params=(
        Param("alpha", "", 0.01, (0.0, 1.0), "Gilbert damping"),
        Param("linewidth_inhomogeneous", "T", 0.0, (0.0, 1.0),
              "zero-frequency HWHM W_0 (inhomogeneous broadening, >= 0)"),
        Param("gyromagnetic_ratio", "GHz/T", GAMMA_FREE_ELECTRON, (10.0, 45.0),
              "gamma/2pi; fix it to the Kittel value", vary=False,
              ask="alpha scales with it (a film with g = 2.10 fitted at g = 2.0023 gave alpha "
                  "5 % low, 3 standard errors): hold it at the Kittel fit's value, "
                  "fixed={'gyromagnetic_ratio': ...}"),
    ),
    x_name="frequency", x_unit="GHz", y_name="width", y_unit="T",
    doc=linewidth_hwhm.__doc__, guess=_guess_linewidth,
    references=(Reference((10.0,), (0.001 + 0.1 / 28.0,),
                          values=dict(alpha=0.01, linewidth_inhomogeneous=0.001,
                                      gyromagnetic_ratio=28.0),
                          source="hand: W = W_0 + f alpha/(gamma/2pi) = 0.001 + 10 x 0.01/28 T"),),
)
