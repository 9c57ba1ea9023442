"""Global ST-FMR lineshape: every spectrum's resonance field and width from shared physics.

For a spectrum at microwave frequency f (GHz, a per-dataset input), the
resonance field follows the Kittel relation and the HWHM the Gilbert law
(docs/CONVENTIONS.md; Kittel, Phys. Rev. 73, 155 (1948)):

    in plane:      mu0H_res(f) = -H_k - M_eff/2 + sqrt(M_eff^2/4 + (f/(gamma/2pi))^2)
    out of plane:  mu0H_res(f) = f/(gamma/2pi) + M_eff
    W(f) = W_0 + f alpha / (gamma/2pi)

and the spectrum is the mixing lineshape of seed 003_010c0338986411e7.txt
(below Fig. 2), ``V_s L_sym + V_a L_asym + offset + slope (mu0H - mu0H_res)``,
evaluated at ``mu0H_res(f) + field_offset``. Fitting every spectrum (and both
field branches, in |mu0H|) with ``sotfit.fit_global(..., shared=[meff,
gyromagnetic_ratio, alpha, linewidth_inhomogeneous, h_k])`` determines the
shared parameters from all the data at once, while amplitudes and backgrounds
stay per spectrum.

``field_offset`` is an apparent shift of |mu0H_res| (a remanent field of the
magnet shifts the + branch by -b and the - branch by +b); it is held fixed at
0 unless the caller frees and ties it (see ``sotfit.analysis.stfmr``).
"""

from __future__ import annotations

import numpy as np

from .lineshapes import mixing_voltage
from .magnetization import linewidth_hwhm, resonance_field_inplane, resonance_field_outofplane
from .spec import ModelSpec, Param, Reference
from ..units import GAMMA_FREE_ELECTRON

__all__ = [
    "global_mixing_inplane",
    "global_mixing_outofplane",
    "stfmr_global_inplane",
    "stfmr_global_outofplane",
]


def global_mixing_inplane(h, meff, gyromagnetic_ratio, alpha, linewidth_inhomogeneous,
                          vs, va, offset=0.0, slope=0.0, h_k=0.0, field_offset=0.0,
                          frequency=10.0):
    """Mixing voltage of an in-plane spectrum with Kittel resonance and Gilbert width.

    Parameters
    ----------
    h : array_like
        Field magnitude mu0*|H| in T.
    meff : float
        mu0*M_eff in T.
    gyromagnetic_ratio : float
        gamma/2pi in GHz/T.
    alpha : float
        Gilbert damping (dimensionless).
    linewidth_inhomogeneous : float
        Zero-frequency HWHM W_0 in T.
    vs, va : float
        Symmetric and antisymmetric amplitudes in uV.
    offset : float
        Constant background in uV.
    slope : float
        Linear background in uV/T about the resonance.
    h_k : float
        In-plane uniaxial anisotropy field along the applied field, T.
    field_offset : float
        Apparent shift of the resonance field, T.
    frequency : float
        Microwave frequency in GHz (taken from the dataset metadata).

    Returns
    -------
    ndarray
        V_mix in uV.
    """
    h_res = resonance_field_inplane(frequency, meff, gyromagnetic_ratio, h_k) + field_offset
    w = np.abs(linewidth_hwhm(frequency, alpha, linewidth_inhomogeneous, gyromagnetic_ratio))
    return mixing_voltage(h, h_res, w, vs, va, offset, slope)


def global_mixing_outofplane(h, meff, gyromagnetic_ratio, alpha, linewidth_inhomogeneous,
                             vs, va, offset=0.0, slope=0.0, field_offset=0.0, frequency=10.0):
    """As :func:`global_mixing_inplane` for the field along the film normal (H_res = f/gamma' + M_eff)."""
    h_res = resonance_field_outofplane(frequency, meff, gyromagnetic_ratio) + field_offset
    w = np.abs(linewidth_hwhm(frequency, alpha, linewidth_inhomogeneous, gyromagnetic_ratio))
    return mixing_voltage(h, h_res, w, vs, va, offset, slope)


def _common_params():
    return (
        Param("meff", "T", 1.0, (-5.0, 5.0), "effective magnetisation mu0*M_eff (shared)"),
        Param("gyromagnetic_ratio", "GHz/T", GAMMA_FREE_ELECTRON, (10.0, 45.0),
              "gamma/2pi = g mu_B / h (shared)"),
        Param("alpha", "", 0.01, (0.0, 1.0), "Gilbert damping (shared)"),
        Param("linewidth_inhomogeneous", "T", 0.001, (0.0, 1.0),
              "zero-frequency HWHM W_0 (shared, >= 0)"),
        Param("vs", "uV", 1.0, doc="symmetric amplitude V_s (per spectrum)"),
        Param("va", "uV", 1.0, doc="antisymmetric amplitude V_a (per spectrum)"),
        Param("offset", "uV", 0.0, doc="constant background (per spectrum)"),
        Param("slope", "uV/T", 0.0, doc="linear background about H_res (per spectrum)"),
    )


#: Amplitudes and backgrounds of the reference spectra (uV, uV/T).
_REF_LINE = dict(vs=2.0, va=3.0, offset=0.5, slope=4.0, alpha=0.01, linewidth_inhomogeneous=0.001,
                 meff=1.0, gyromagnetic_ratio=28.0)
_W_IN = 0.001 + 0.01 * np.sqrt(0.11)   # W_0 + f alpha/(gamma/2pi) at f = 28 sqrt(0.11) GHz

_OFFSET = Param("field_offset", "T", 0.0, (-0.5, 0.5),
                "apparent shift of |mu0H_res| of this branch (fixed unless tied by the caller)",
                vary=False)

stfmr_global_inplane = ModelSpec(
    name="stfmr_global_inplane",
    func=global_mixing_inplane,
    params=_common_params() + (
        Param("h_k", "T", 0.0, (-1.0, 1.0), "in-plane uniaxial anisotropy field (shared)",
              vary=False),
        _OFFSET,
    ),
    x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
    doc=global_mixing_inplane.__doc__,
    inputs=("frequency",),
    linear=("vs", "va", "offset", "slope"),
    references=(Reference(
        (0.1, 0.1 + _W_IN), (2.5, 3.0 + 4.0 * _W_IN),
        values=dict(_REF_LINE, frequency=28.0 * np.sqrt(0.11)),
        source="hand: Kittel H_res = 0.1 T at f = 28 sqrt(0.1 x 1.1) GHz, W = W_0 + f alpha/28; "
               "V_s + offset at H_res, V_s/2 + V_a/2 + offset + slope W at H_res + W",
        rtol=1e-12),),
)

stfmr_global_outofplane = ModelSpec(
    name="stfmr_global_outofplane",
    func=global_mixing_outofplane,
    params=_common_params() + (_OFFSET,),
    x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
    doc=global_mixing_outofplane.__doc__,
    inputs=("frequency",),
    linear=("vs", "va", "offset", "slope"),
    references=(Reference(
        (1.5, 1.506), (2.5, 3.024), values=dict(_REF_LINE, frequency=14.0),
        source="hand: H_res = 14/28 + 1 = 1.5 T, W = 0.001 + 14 x 0.01/28 = 0.006 T; V_s + offset "
               "at H_res, V_s/2 + V_a/2 + offset + slope W at H_res + W"),),
)
