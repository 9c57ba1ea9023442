"""Pure numpy/scipy physics models (never imports lmfit, pandas or matplotlib).

Every model is a :class:`~sotfit.models.spec.ModelSpec`; the registry
:data:`MODELS` lists them by name.
"""

from .efficiency import electric_field, field_from_xi_e, xi_e_from_field, xi_from_xi_e
from .lineshapes import mixing_voltage, stfmr_mixing
from .magnetization import kittel_inplane, kittel_outofplane, linewidth
from .spec import ModelError, ModelSpec, Param
from .kp.specs import KP_MODELS

#: Every built-in model by name (extended by the model families as they are added).
MODELS = {m.name: m for m in (stfmr_mixing, kittel_inplane, kittel_outofplane, linewidth)}
MODELS.update(KP_MODELS)

__all__ = [
    "MODELS", "ModelError", "ModelSpec", "Param", "stfmr_mixing", "kittel_inplane",
    "kittel_outofplane", "linewidth", "mixing_voltage", "xi_e_from_field", "field_from_xi_e",
    "xi_from_xi_e", "electric_field",
]
