"""Harmonic Hall analysis: four methods and the conversion to torque efficiencies.

(a) :func:`avci`      in-plane field rotation (Avci et al., PRB 90, 224427 (2014));
(b) :func:`hayashi`   field sweeps of a perpendicular film with the planar-Hall correction
                      (Hayashi et al., PRB 89, 144425 (2014));
(c) :func:`angular`   out-of-plane rotation (seed 003_010c0338986411e7.txt, main text, Fig. 5);
(d) :func:`macrospin` global fit of all scans with the macrospin model of
                      :mod:`sotfit.models.harmonic_hall` (least squares, optionally emcee).

All signs follow docs/CONVENTIONS.md and docs/hall.md: current along +x, sigma = +y,
damping-like field mu0_h_dl (m x sigma), field-like (+ Oersted) mu0_h_fl along sigma, both at
the peak current; R_xy = R_AHE m_z + R_PHE sin^2(theta) sin(2phi); R_2w = (1/2) dR_xy
- r_ane m_x - r_one B_x. Every method returns a :class:`HallResult` whose ``quantities`` carry
standard uncertainties and whose ``excluded`` list names each field left out and why.

Modules
-------
result            :class:`HallResult`, :data:`UNITS`, :class:`HallAnalysisError`
sample            :class:`Sample`, :func:`oersted_field`, :func:`efficiencies`
common, gates     functions shared by the methods; the sanity gates (flags)
leastsq           exact linear solutions and polishing of the fits
avci, hayashi     methods (a) and (b)
angular           method (c) (angular_first: its first harmonic)
macrospin         method (d) (macrospin_start, macrospin_gates, names: its start values, gates,
                  parameter names; mcmc: :func:`sample_macrospin`)
pipeline          :func:`pma_methods` and :func:`run_method` (one method by name; a given
                  sample quantity the method measures set beside it, :func:`compare_given`)
output            the tables and the posterior summary written by ``sotfit hall``
"""

from __future__ import annotations

from .angular import _slope_law, angular
from .angular_first import _angular_first_harmonic, _angular_scan, _pole_difference
from .avci import _phi0_branch, avci
from .common import (_check_scans, _field_notes, _no_signal, _nominal, _require_first_harmonic, _u, _ub,
                     _wmean)
from .gates import (REDCHI_FALSE_ALARM, ZERO_SIGMAS, _TORQUES, _at_bounds, _flag, _flag_disagreement,
                    _flag_redchi, _undetermined, _zero_gate)
from .hayashi import _curvature_terms, _hayashi_gates, _sweep_derivatives, hayashi
from .leastsq import POLISH_STEPS, POLISH_TOL, _fit_quiet, _linear_solution, _polish
from .macrospin import TIME_LIMIT, _Counted, _evaluation_time, _macrospin_datasets, macrospin
from .macrospin_gates import R1W_MISFIT, R2W_MISFIT, R_AHE_FACTOR, _macrospin_gates
from .macrospin_start import _film_type, _hk_from_levels, _start_values, _state_levels, _theta_levels
from .mcmc import _Finite, sample_macrospin
from .names import _RESULT_NAMES, _SHARED, MACROSPIN_PARAMETERS
from .output import conventions, parameter_rows, posterior_summary, read_as, scan_table
from .pipeline import (GIVEN_FACTOR, GIVEN_SIGMAS, compare_given, pma_methods, run_method,
                       sample_posterior)
from .result import _DERIVED, UNITS, HallAnalysisError, HallResult
from .sample import Sample, efficiencies, oersted_field

__all__ = ["HallResult", "HallAnalysisError", "MACROSPIN_PARAMETERS", "Sample", "avci", "hayashi",
           "angular", "macrospin", "pma_methods",
           "sample_macrospin", "run_method", "sample_posterior", "compare_given",
           "parameter_rows", "posterior_summary", "conventions", "read_as", "scan_table",
           "efficiencies", "oersted_field"]
