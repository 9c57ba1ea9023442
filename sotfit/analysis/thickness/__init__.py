"""Spin transport from thickness series: one global problem for one or several interfaces.

Every :class:`~sotfit.io.thickness.ThicknessSeries` is one ferromagnet on the same spin
source. The global problem shares the spin-source parameters (``spin_hall_conductivity``,
``spin_diffusion_length``, ``resistivity``, ``g_sf``) across all series and gives every
interface its own ``re_g_mix`` and ``im_g_mix``; the DL and FL data of one interface are
tied to the same G by expressions. This is the seed 003 NiFe/BiSb + CoTb/BiSb analysis
(003_010c0338986411e7.txt, eqs. (1)-(2)) as one fit instead of two steps.

Choices (documented in docs/thickness.md):

* ``joint=True`` fits DL and FL together; ``joint=False`` uses the DL data only.
* An interface with DL data only (or ``joint=False``) has Im G fixed at 0 (the transparency
  form of Pai et al., PRB 92, 064426 (2015)), as seed 003 assumes for CoTb/BiSb: from DL
  data alone Re G and Im G are not separable.
* ``resistivity`` is fixed (rho and G enter only as the product rho G).

Mechanisms (``model=``, :mod:`sotfit.analysis.microscopic`): ``drift-diffusion`` fits G
itself; ``interface-barrier`` and ``interface-delta`` fit the parameters of a microscopic
interface model per interface (seed 003 Fig. 4; seed 004 eqs. 15-17), G being derived.
Series of one interface measured by two methods (``meta["method"]``, e.g. ST-FMR and
harmonic Hall) share that interface's parameters, and each method's efficiencies carry a
calibration factor (docs/thickness.md, "One posterior per stack").

The package: :mod:`.problem` (:class:`ThicknessProblem`, a :class:`sotfit.fitting.Problem`,
and :func:`build_problem`), :mod:`.parameters` (parameter states and name checks),
:mod:`.calibration` (calibration factors of methods fitted together), :mod:`.least_squares`
(:func:`fit_thickness` through :func:`sotfit.fitting.fit_global`), :mod:`.posterior`
(:func:`sample_thickness` through :func:`sotfit.bayes.sample`) and :mod:`.summary`
(:func:`summary_dict`).
"""

from __future__ import annotations

from ...stats import birge_ratio
from .calibration import CALIBRATION_BOUNDS, calibrated, calibration_pseudo_data, describe_prior
from .least_squares import (data_chisqr, drift_diffusion_problem, fit_thickness,
                            interface_profiles, least_squares_problem)
from .parameters import (check_parameter_names, house_unit, house_value, model_param,
                         parameter_states)
from .posterior import posterior_problem, sample_thickness, thickness_priors
from .problem import (BOUND_RTOL, NONNEGATIVE, SHARED, STABLE_UNITS, ThicknessProblem,
                      build_problem, resolve_names)
from .summary import summary_dict

__all__ = ["ThicknessProblem", "build_problem", "fit_thickness", "sample_thickness",
           "summary_dict", "birge_ratio", "parameter_states", "check_parameter_names", "SHARED",
           "STABLE_UNITS", "NONNEGATIVE", "BOUND_RTOL", "calibrated", "CALIBRATION_BOUNDS",
           "resolve_names", "interface_profiles", "drift_diffusion_problem", "describe_prior",
           "least_squares_problem", "posterior_problem", "thickness_priors", "model_param",
           "calibration_pseudo_data", "data_chisqr", "house_unit", "house_value"]
