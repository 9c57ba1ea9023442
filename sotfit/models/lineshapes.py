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

from .lineshape_functions import (  # noqa: F401
    lorentzian_sym, lorentzian_asym, mixing_voltage, mixing_voltage_derivative,
    mixing_voltage_two,
)
from .lineshape_search import (  # noqa: F401
    mixing_design, grid_candidates, grid_search, grid_guess_mixing, derivative_design,
)
from .lineshape_specs import (  # noqa: F401
    _guess_mixing, _line_params, _BACKGROUND, stfmr_mixing, _guess_derivative, stfmr_derivative,
    _guess_two, stfmr_two_resonances,
)
from .lineshape_bases import (  # noqa: F401
    LinearBasis, _parts, _mixing_columns, _lorentz_derivs, _mixing_derivatives,
    _derivative_columns, _derivative_derivatives, _two_columns, _two_derivatives, LINEAR_BASES,
    linear_basis,
)

__all__ = [
    "lorentzian_sym",
    "lorentzian_asym",
    "mixing_voltage",
    "grid_guess_mixing",
    "stfmr_mixing",
    "mixing_voltage_derivative",
    "stfmr_derivative",
    "mixing_voltage_two",
    "stfmr_two_resonances",
    "LinearBasis",
    "LINEAR_BASES",
    "linear_basis",
]
