"""ST-FMR analysis: spectra, resonance search, dispersion across frequencies, torques.

Pipeline (docs/stfmr.md):

1. every spectrum is split into field branches and fitted in |mu0H|
   (:mod:`~sotfit.analysis.stfmr.branches`, :mod:`~sotfit.analysis.stfmr.search`,
   :mod:`~sotfit.analysis.stfmr.branch_fit`, :mod:`~sotfit.analysis.stfmr.spectra`);
2. *sequential*: the branch-mean resonance fields H_res(f) are fitted with the
   Kittel relation, then the widths W(f) (:mod:`~sotfit.analysis.stfmr.dispersion`);
3. *global*: all branches of all spectra are fitted at once, sharing mu0M_eff,
   gamma/2pi, alpha and W_0 (:mod:`~sotfit.analysis.stfmr.dispersion`);
4. checks and flags (:mod:`~sotfit.analysis.stfmr.checks`), torques
   (:mod:`~sotfit.analysis.stfmr.torques`) and the summary
   (:mod:`~sotfit.analysis.stfmr.output`).

:func:`analyse_stfmr` (:mod:`~sotfit.analysis.stfmr.pipeline`) runs the frequency scan,
:func:`analyse_angle_scan` (:mod:`~sotfit.analysis.stfmr.angle`) the angle scan.
Uncertainties keep their correlations from spectrum to result
(:mod:`~sotfit.analysis.stfmr.propagation`).
"""

from __future__ import annotations

# Every name of the former module sotfit/analysis/stfmr.py stays importable from here.
from .angle import AngleAnalysis, analyse_angle_scan, fit_angle_dependence
from .checks import (
    _meff_geometry_check, compare_routes, data_checks, explain_low_frequency_failures,
    leave_out_unsaturated,
)
from .dispersion import (
    HELD_AT_FLOOR, PHYSICAL_FLOORS, bound_reached, fit_global_spectra, fit_kittel,
    fit_linewidth, global_spectrum_values, kittel_dataset, linewidth_dataset,
)
from .errors import STFMRError
from .output import (
    ANGLE_AMPLITUDES, ANGLE_TORQUE_FITS, SIGN_CONVENTION, SUMMARY_UNITS, angle_summary_dict,
    fit_stderrs, stfmr_torques, summary_dict,
)
from .pipeline import CHUNK_SPECTRA, analyse_stfmr, collect_fits, fit_chunk, fit_spectra
from ...stats import inflate_error
from .propagation import propagate_fit
from .records import STFMRAnalysis
from .spectra import SpectrumFit, compare_repeats, fit_spectrum

__all__ = [
    "propagate_fit",
    "kittel_dataset",
    "linewidth_dataset",
    "fit_kittel",
    "fit_linewidth",
    "fit_global_spectra",
    "fit_spectra",
    "collect_fits",
    "leave_out_unsaturated",
    "explain_low_frequency_failures",
    "bound_reached",
    "data_checks",
    "STFMRAnalysis",
    "analyse_stfmr",
    "stfmr_torques",
    "summary_dict",
    "AngleAnalysis",
    "fit_angle_dependence",
    "analyse_angle_scan",
    "angle_summary_dict",
]
