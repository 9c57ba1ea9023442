"""Mechanisms of a thickness fit: the spin-mixing conductance G from an interface model.

A thickness series constrains the complex spin-mixing conductance G of each interface
through the drift-diffusion efficiencies of seed 003_010c0338986411e7.txt, eqs. (1)-(2)
(:func:`sotfit.models.drift_diffusion.complex_efficiency`). A *mechanism* says where G comes
from:

* ``drift-diffusion``: G itself is fitted (``re_g_mix``, ``im_g_mix``);
* ``interface-barrier``: G of the tight-binding interface barrier of seed 003 Fig. 4
  (:mod:`sotfit.models.interface.barrier_tb`), per interface ``delta_t`` and ``exchange`` J
  (eV); options the Fermi energy, the hoppings t0 and t_c, the monolayer on-site energy and
  the lattice constant, by default the Fig. 4 setting (E = -4 t0, t0 = 1 eV, t_c = t0,
  eps_m = 0, a = 0.3 nm);
* ``interface-delta``: G of the delta barrier with exchange and Rashba coupling of seed
  004_7d8d4f1eff3c5d03.txt (:mod:`sotfit.models.interface.delta_barrier`), per interface
  ``u0``, ``u_ex`` and ``u_R`` (dimensionless; ``u_R`` fixed at 0 unless freed); options
  the Fermi wave number and the magnetisation direction.

The microscopic models are the ModelSpecs of :mod:`sotfit.models.interface.composed`; this
module adds what a fit of them needs: the map from parameters to G, the physical ranges,
G derived from a fit or a posterior with its correlations, and the *profile* of the
chi-square over the plane of the two microscopic parameters of one interface, which shows
whether the data separate them (one closed region), only constrain a combination (a ridge
that runs into the edge of the allowed range) or allow several optima.

Profile (:func:`profile_plane`): at every point of a grid over the two parameters, G of the
interface is fixed and the chi-square is minimised over the spin-source parameters:
sigma_s analytically (it enters linearly) and lambda_s on a logarithmic grid refined by a
parabola in ln lambda_s. The other interfaces, the calibration factors and g_sf are held at
the fitted values, so the profile is exact in sigma_s and lambda_s and conditional in the
rest. Regions: Delta chi^2 < 2.30 (68.3 %) and < 6.18 (95.4 %), the levels of two
parameters jointly.

The package: :mod:`.mechanisms` (the mechanisms, their options and ranges),
:mod:`.derived` (G of a fit or a posterior), :mod:`.profile` (the profile plane and starts
from its minima) and :mod:`.identifiability` (the verdict of a plane).
"""

from __future__ import annotations

from .derived import derived_g_lsq, derived_g_posterior, g_from_samples, interface_g
from .identifiability import VALLEY_FACTOR, identifiability
from .mechanisms import (DELTA_CHI2_68, DELTA_CHI2_95, DELTA_RANGE, G_UNIT, MECHANISMS,
                         Mechanism, get_mechanism)
from .profile import ProfilePlane, profile_chi2, profile_plane, start_candidates

__all__ = ["Mechanism", "MECHANISMS", "get_mechanism", "DELTA_CHI2_68", "DELTA_CHI2_95",
           "ProfilePlane", "profile_plane", "identifiability", "interface_g",
           "derived_g_lsq", "derived_g_posterior", "g_from_samples", "start_candidates",
           "profile_chi2", "G_UNIT", "DELTA_RANGE", "VALLEY_FACTOR"]
