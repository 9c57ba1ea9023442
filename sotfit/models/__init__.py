"""Pure numpy/scipy physics models (never imports lmfit, pandas or matplotlib).

Every model is a :class:`~sotfit.models.spec.ModelSpec`; the registry
:data:`MODELS` lists them by name.
"""

from .efficiency import electric_field, field_from_xi_e, xi_e_from_field, xi_from_xi_e
from .lineshapes import mixing_voltage, stfmr_mixing
from .magnetization import kittel_inplane, kittel_outofplane, linewidth
from .spec import ModelError, ModelSpec, Param, Reference
from .drift_diffusion import DRIFT_DIFFUSION_MODELS
from .lineshapes import stfmr_derivative, stfmr_two_resonances
from .stfmr_angle import stfmr_angle_va, stfmr_angle_vs
from .stfmr_global import stfmr_global_inplane, stfmr_global_outofplane
from .harmonic_hall import HALL_MODELS, TEXTBOOK_MODELS
from .interface.specs import interface_barrier_g, interface_delta_g
from .interface.composed import interface_barrier_efficiency, interface_delta_efficiency
from .tmatrix import TMATRIX_MODELS
from .kp.specs import KP_MODELS

#: Every built-in model by name; each model family adds its own entries below.
MODELS = {m.name: m for m in (stfmr_mixing, kittel_inplane, kittel_outofplane, linewidth)}
MODELS.update({m.name: m for m in (stfmr_derivative, stfmr_two_resonances,
                                   stfmr_global_inplane, stfmr_global_outofplane,
                                   stfmr_angle_vs, stfmr_angle_va)})
MODELS.update(DRIFT_DIFFUSION_MODELS)
MODELS.update({m.name: m for m in (*HALL_MODELS.values(), *TEXTBOOK_MODELS)})
MODELS.update({m.name: m for m in (interface_barrier_g, interface_delta_g,
                                   interface_barrier_efficiency, interface_delta_efficiency)})
MODELS.update(TMATRIX_MODELS)
MODELS.update(KP_MODELS)

__all__ = [
    "MODELS", "ModelError", "ModelSpec", "Param", "Reference", "stfmr_mixing", "kittel_inplane",
    "kittel_outofplane", "linewidth", "mixing_voltage", "xi_e_from_field", "field_from_xi_e",
    "xi_from_xi_e", "electric_field",
]
