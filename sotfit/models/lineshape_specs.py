"""The ST-FMR lineshape ModelSpecs: single resonance, field derivative, two resonances.

Parameters in T (h_res, width) and uV (amplitudes, background); guesses from the grid search.
"""

from __future__ import annotations

import numpy as np

from .spec import ModelSpec, Param, Reference
from .lineshape_bases import DERIVATIVE_BASIS, MIXING_BASIS, TWO_RESONANCES_BASIS
from .lineshape_search import derivative_design, grid_guess_mixing
from .lineshape_functions import mixing_voltage, mixing_voltage_derivative, mixing_voltage_two

__all__ = [
    "stfmr_mixing", "stfmr_derivative", "stfmr_two_resonances",
]


def _guess_mixing(h, v):
    return grid_guess_mixing(h, v)


def _line_params(suffix: str = "", label: str = "", h_res: float = 0.1, amp: float = 1.0,
                 amp_doc: str = "") -> tuple[Param, ...]:
    """Parameter table of one resonance: h_res, width (HWHM), vs, va (with a name suffix)."""
    lead = f"{label} " if label else ""
    return (
        Param(f"h_res{suffix}", "T", h_res, (0.0, 20.0), f"{lead}resonance field mu0*H_res"),
        Param(f"width{suffix}", "T", 0.005, (1e-7, 5.0), f"{lead}half width at half maximum W (HWHM)"),
        Param(f"vs{suffix}", "uV", amp, doc=f"{lead}symmetric amplitude V_s{amp_doc}"),
        Param(f"va{suffix}", "uV", amp, doc=f"{lead}antisymmetric amplitude V_a{amp_doc}"),
    )


#: The linear background shared by the ST-FMR lineshapes.
_BACKGROUND = (
    Param("offset", "uV", 0.0, doc="constant background"),
    Param("slope", "uV/T", 0.0, doc="linear background, about h_res"),
)


stfmr_mixing = ModelSpec(
    name="stfmr_mixing",
    func=mixing_voltage,
    params=(
        Param("h_res", "T", 0.1, (0.0, 20.0), "resonance field mu0*H_res"),
        Param("width", "T", 0.005, (1e-7, 5.0), "half width at half maximum W (HWHM)"),
        Param("vs", "uV", 1.0, doc="symmetric (damping-like) amplitude V_s"),
        Param("va", "uV", 1.0, doc="antisymmetric (field-like + Oersted) amplitude V_a"),
        *_BACKGROUND,
    ),
    x_name="field",
    x_unit="T",
    y_name="vmix",
    y_unit="uV",
    doc=mixing_voltage.__doc__,
    guess=_guess_mixing,
    linear=("vs", "va", "offset", "slope"),
    x_domain=(0.0, np.inf),
    lineshape=MIXING_BASIS,
    references=(Reference(
        (0.1, 0.105), (2.5, 3.02), values=dict(h_res=0.1, width=0.005, vs=2.0, va=3.0,
                                                 offset=0.5, slope=4.0),
        source="hand: L_sym = 1, L_asym = 0 at H = H_res (V_s + offset); L_sym = L_asym = 1/2 at "
               "H = H_res + W (V_s/2 + V_a/2 + offset + slope W)"),),
)


def _guess_derivative(h, v):
    return grid_guess_mixing(h, v, design=derivative_design)


stfmr_derivative = ModelSpec(
    name="stfmr_derivative",
    func=mixing_voltage_derivative,
    params=(*_line_params(amp_doc=" of the underlying Lorentzian"), *_BACKGROUND),
    x_name="field", x_unit="T", y_name="vmix_derivative", y_unit="uV",
    doc=mixing_voltage_derivative.__doc__,
    guess=_guess_derivative,
    linear=("vs", "va", "offset", "slope"),
    x_domain=(0.0, np.inf),
    lineshape=DERIVATIVE_BASIS,
    references=(Reference(
        (0.1, 0.105), (3.5, -0.48), values=dict(h_res=0.1, width=0.005, vs=2.0, va=3.0,
                                                  offset=0.5, slope=4.0),
        source="hand: W dL_sym/dH = -2 W^3 d/D^2 and W dL_asym/dH = W^2 (W^2 - d^2)/D^2 "
               "(D = d^2 + W^2) are 0 and 1 at d = 0 (V_a + offset), -1/2 and 0 at d = W "
               "(-V_s/2 + offset + slope W)"),),
)


def _guess_two(h, v):
    first = grid_guess_mixing(h, v)
    rest = v - mixing_voltage(h, first["h_res"], first["width"], first["vs"], first["va"],
                              first["offset"], first["slope"])
    second = grid_guess_mixing(h, rest)
    return {**first, "h_res2": second["h_res"], "width2": second["width"],
            "vs2": second["vs"], "va2": second["va"]}


stfmr_two_resonances = ModelSpec(
    name="stfmr_two_resonances",
    func=mixing_voltage_two,
    params=(
        *_line_params(label="first"),
        *_line_params("2", label="second", h_res=0.2, amp=0.5),
        *_BACKGROUND,
    ),
    x_name="field", x_unit="T", y_name="vmix", y_unit="uV",
    doc=mixing_voltage_two.__doc__,
    guess=_guess_two,
    linear=("vs", "va", "vs2", "va2", "offset", "slope"),
    x_domain=(0.0, np.inf),
    lineshape=TWO_RESONANCES_BASIS,
    references=(Reference(
        (0.1,), (2.5 - 3.5 / 101,), values=dict(h_res=0.1, width=0.005, vs=2.0, va=3.0,
                                                 h_res2=0.2, width2=0.01, vs2=1.5, va2=0.5,
                                                 offset=0.5),
        source="hand: at the first resonance V_s + offset plus the second line at d = -10 W2, "
               "where L_sym = 1/101 and L_asym = -10/101"),),
)
