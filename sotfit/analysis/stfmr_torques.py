"""ST-FMR torques from the lineshape amplitudes: the code lives in
:mod:`sotfit.analysis.stfmr.torques`; this module keeps the names importable from here.
"""

from __future__ import annotations

from .stfmr.torques import (
    SAMPLE_UNITS, SINGULAR_CORRELATION, TORQUE_UNITS, Sample, angular_torques, current_fraction,
    efficiency, electric_field_nm, lineshape_prefactors, oersted_field, oersted_field_y,
    oersted_sign, peak_from_rms, spectrum_torques, torque_fields, weighted_mean, xi_fmr,
    xi_fmr_from_dl_fl,
)

__all__ = [
    "SAMPLE_UNITS", "SINGULAR_CORRELATION", "TORQUE_UNITS", "Sample", "angular_torques",
    "current_fraction", "efficiency", "electric_field_nm", "lineshape_prefactors",
    "oersted_field", "oersted_field_y", "oersted_sign", "peak_from_rms", "spectrum_torques",
    "torque_fields", "weighted_mean", "xi_fmr", "xi_fmr_from_dl_fl",
]
