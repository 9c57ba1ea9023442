"""ST-FMR lineshapes.

The mixing voltage near resonance is a sum of a symmetric and an
antisymmetric Lorentzian (seed 003_010c0338986411e7.txt, the lineshape
V_mix = V_s L_sym + V_a L_asym below its Fig. 2; Liu et al., PRL 106, 036601
(2011), eq. 1):

    L_sym  = W^2 / ((mu0H - mu0H_res)^2 + W^2)
    L_asym = W (mu0H - mu0H_res) / ((mu0H - mu0H_res)^2 + W^2)

with W the half width at half maximum (HWHM). A linear background
``offset + slope (mu0H - mu0H_res)`` absorbs thermal and rectification drifts.
Fields in T, voltages in uV (house units).
"""

from __future__ import annotations

import numpy as np

from .spec import ModelSpec, Param

__all__ = [
    "lorentzian_sym",
    "lorentzian_asym",
    "mixing_voltage",
    "grid_guess_mixing",
    "stfmr_mixing",
]


def lorentzian_sym(h, h_res, width):
    """Symmetric Lorentzian W^2/((h-h_res)^2+W^2), peak 1 at ``h_res`` (all in T)."""
    d = h - h_res
    return width * width / (d * d + width * width)


def lorentzian_asym(h, h_res, width):
    """Antisymmetric Lorentzian W(h-h_res)/((h-h_res)^2+W^2), extrema +-1/2 at h_res +- W."""
    d = h - h_res
    return width * d / (d * d + width * width)


def mixing_voltage(h, h_res, width, vs, va, offset=0.0, slope=0.0):
    """ST-FMR mixing voltage V_s L_sym + V_a L_asym + offset + slope (h - h_res).

    Parameters
    ----------
    h : array_like
        Field magnitude mu0*|H| in T.
    h_res : float
        Resonance field mu0*H_res in T.
    width : float
        Half width at half maximum W in T.
    vs, va : float
        Symmetric and antisymmetric amplitudes in uV.
    offset : float
        Constant background in uV.
    slope : float
        Linear background in uV/T, measured from ``h_res``.

    Returns
    -------
    ndarray
        V_mix in uV. Source: seed 003_010c0338986411e7.txt (lineshape below Fig. 2).
    """
    d = h - h_res
    den = d * d + width * width
    return (vs * width * width + va * width * d) / den + offset + slope * d


def _design(h, h_res, width):
    """Columns [L_sym, L_asym, 1, h - h_res] of the linear part, shape (..., n, 4)."""
    d = h - h_res
    den = d * d + width * width
    one = np.ones(np.broadcast(d, den).shape)
    return np.stack([width * width / den * one, width * d / den * one, one, d * one], axis=-1)


def grid_guess_mixing(h, v, n_centre: int = 120, n_width: int = 24) -> dict[str, float]:
    """Robust starting values for :func:`mixing_voltage` by a variable-projection grid.

    For each candidate (h_res, W) on a grid spanning the sweep, the four linear
    amplitudes (V_s, V_a, offset, slope) are solved by least squares and the
    candidate with the smallest residual wins. This finds the resonance even on
    sloped, noisy backgrounds where peak picking fails.

    Parameters
    ----------
    h : ndarray
        Field magnitudes in T (any order).
    v : ndarray
        Voltages in uV.

    Returns
    -------
    dict
        ``h_res``, ``width``, ``vs``, ``va``, ``offset``, ``slope``.
    """
    h = np.asarray(h, float)
    v = np.asarray(v, float)
    lo, hi = float(h.min()), float(h.max())
    span = hi - lo
    step = np.median(np.abs(np.diff(np.sort(h)))) if h.size > 1 else span
    centres = np.linspace(lo, hi, n_centre)
    widths = np.geomspace(max(step, span * 1e-3), span / 2, n_width)
    hc, wc = np.meshgrid(centres, widths, indexing="ij")
    hc, wc = hc.reshape(-1, 1), wc.reshape(-1, 1)
    a = _design(h[None, :], hc, wc)  # (k, n, 4)
    ata = np.einsum("kni,knj->kij", a, a)
    atb = np.einsum("kni,n->ki", a, v)
    ata += np.eye(4) * 1e-12 * np.trace(ata, axis1=1, axis2=2)[:, None, None]
    coef = np.linalg.solve(ata, atb[..., None])[..., 0]
    resid = np.einsum("kni,ki->kn", a, coef) - v
    best = int(np.argmin(np.einsum("kn,kn->k", resid, resid)))
    vs, va, off, sl = coef[best]
    return {"h_res": float(hc[best, 0]), "width": float(wc[best, 0]), "vs": float(vs),
            "va": float(va), "offset": float(off), "slope": float(sl)}


def _guess_mixing(h, v):
    return grid_guess_mixing(h, v)


stfmr_mixing = ModelSpec(
    name="stfmr_mixing",
    func=mixing_voltage,
    params=(
        Param("h_res", "T", 0.1, (0.0, 20.0), "resonance field mu0*H_res"),
        Param("width", "T", 0.005, (1e-7, 5.0), "half width at half maximum W (HWHM)"),
        Param("vs", "uV", 1.0, doc="symmetric (damping-like) amplitude V_s"),
        Param("va", "uV", 1.0, doc="antisymmetric (field-like + Oersted) amplitude V_a"),
        Param("offset", "uV", 0.0, doc="constant background"),
        Param("slope", "uV/T", 0.0, doc="linear background, about h_res"),
    ),
    x_name="field",
    x_unit="T",
    y_name="vmix",
    y_unit="uV",
    doc=mixing_voltage.__doc__,
    guess=_guess_mixing,
    linear=("vs", "va", "offset", "slope"),
)
