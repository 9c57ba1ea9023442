"""Thickness series of torque efficiencies from a microscopic mixing conductance.

The complex mixing conductance of the barrier model (:mod:`.barrier_tb`,
seed 003_010c0338986411e7.txt Fig. 4) or of the delta barrier
(:mod:`.delta_barrier`, seed 004_7d8d4f1eff3c5d03.txt) is fed into the
drift-diffusion efficiency of seed 003 eqs. (1)-(2)
(:func:`sotfit.models.drift_diffusion.complex_efficiency`), so that a
thickness series is fitted for (delta t, J) or (u0, u_ex, u_R) instead of a
bare G.

The input ``torque`` selects the output: 0 for xi^E_DL, 1 for xi^E_FL (in
1e5 Ohm^-1 m^-1), so that a DL and an FL series fit jointly with
``fit_global(..., shared=[...])``.

Sign of Im G: the interface models use ``G = sum [1 - r_up r_dn^*]`` with "up"
parallel to m (docs/interface.md) and G enters eqs. (1)-(2) unchanged. The
exchange-sign symmetry ``G(-J) = G(J)^*`` (``u_ex -> -u_ex`` for the delta
barrier) flips the sign of Im G and hence of xi^E_FL, so the exchange
parameters are allowed both signs and the fit chooses.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..drift_diffusion import SPIN_SOURCE_PARAMS, complex_efficiency
from ..spec import ModelError, ModelSpec, Param, Reference
from .specs import (barrier_mixing_complex, delta_mixing_grid, interface_barrier_g,
                    interface_delta_g)

__all__ = ["efficiency_from_g", "barrier_efficiency", "delta_efficiency",
           "interface_barrier_efficiency", "interface_delta_efficiency"]


def efficiency_from_g(t, g_mix, spin_hall_conductivity, spin_diffusion_length, resistivity,
                      torque):
    """xi^E_DL (``torque = 0``) or xi^E_FL (``torque = 1``) for a complex G.

    Parameters
    ----------
    t : array_like
        Spin-source thickness (nm).
    g_mix : complex or array_like
        Mixing conductance (1e13 Ohm^-1 m^-2); may carry a parameter shape
        such as ``(nwalkers, 1)`` that broadcasts with ``t``.
    spin_hall_conductivity : float or array_like
        1e5 (hbar/2e) Ohm^-1 m^-1.
    spin_diffusion_length : float or array_like
        nm.
    resistivity : float or array_like
        uOhm cm.
    torque : {0, 1}

    Returns
    -------
    ndarray
        Efficiency per electric field in 1e5 Ohm^-1 m^-1 (seed 003 eqs. 1-2).
    """
    k = int(round(float(torque)))
    if k not in (0, 1) or abs(float(torque) - k) > 1e-12:
        raise ModelError(f"input 'torque' must be 0 (damping-like) or 1 (field-like); got {torque!r}")
    g = np.asarray(g_mix, dtype=complex)
    z = complex_efficiency(t, spin_hall_conductivity, spin_diffusion_length, g.real, g.imag,
                           resistivity)
    return z.real if k == 0 else -z.imag


def _single(name, value):
    """A parameter that the k_par rule needs as one number (it may arrive as a constant array)."""
    v = np.asarray(value, dtype=float)
    if v.size > 1 and np.ptp(v) > 0:
        return None
    return float(v.ravel()[0])


_LAST_BARRIER = (None, None)


def _barrier_g_last(J, delta_t, t0, fermi_energy, eps_m, lattice_constant, t_c_ratio):
    """:func:`.specs.barrier_mixing_complex`, reusing the previous result for the same
    arguments: a DL and an FL dataset of one interface ask for the same G one after the
    other (halves the cost of a sampler step). One entry, replaced as a whole."""
    global _LAST_BARRIER
    args = tuple(np.asarray(v, dtype=float) for v in (J, delta_t, t0, fermi_energy, eps_m,
                                                       lattice_constant, t_c_ratio))
    key = tuple((a.shape, a.tobytes()) for a in args)
    last_key, last_g = _LAST_BARRIER
    if last_key == key:
        return last_g
    g = barrier_mixing_complex(args[0], args[1], float(t0), float(fermi_energy), args[4],
                               args[5], t_c_ratio=args[6])
    _LAST_BARRIER = (key, g)
    return g


def barrier_efficiency(t, spin_hall_conductivity, spin_diffusion_length, resistivity, delta_t, J,
                       t0, fermi_energy, eps_m, lattice_constant, torque, t_c_ratio=1.0):
    """Efficiency per field for the barrier-model G (arguments as the ModelSpec table).

    Vectorised over parameter arrays (e.g. shape ``(nwalkers, 1)`` against
    ``t`` of shape ``(n,)``); ``t0`` and ``fermi_energy`` that vary between
    parameter sets are handled by a loop. ``t_c_ratio`` is the coupling
    hopping t_c in units of t0 (dimensionless, default 1: t_c = t0).
    """
    t0s, efs = _single("t0", t0), _single("fermi_energy", fermi_energy)
    if t0s is None or efs is None:
        shape = np.broadcast(*(np.asarray(v) for v in (delta_t, J, t0, fermi_energy, eps_m,
                                                       lattice_constant, t_c_ratio))).shape
        args = [np.broadcast_to(v, shape).ravel() for v in (J, delta_t, t0, fermi_energy, eps_m,
                                                            lattice_constant)]
        tcr = np.broadcast_to(t_c_ratio, shape).ravel()
        g = np.array([complex(barrier_mixing_complex(*a, t_c_ratio=c)) for *a, c in
                      zip(*args, tcr)]).reshape(shape)
    else:
        g = _barrier_g_last(J, delta_t, t0s, efs, eps_m, lattice_constant, t_c_ratio)
    return efficiency_from_g(t, g, spin_hall_conductivity, spin_diffusion_length, resistivity,
                             torque)


def delta_efficiency(t, spin_hall_conductivity, spin_diffusion_length, resistivity, u0, u_ex, u_R,
                     k_fermi, theta_m, phi_m, torque):
    """Efficiency per field for the delta-barrier G (arguments as the ModelSpec table).

    Vectorised over parameter arrays; without Rashba coupling G is the collinear closed form
    (:func:`.specs.delta_mixing_grid`), otherwise the polar integral per parameter set.
    """
    g = delta_mixing_grid(u0, u_ex, u_R, k_fermi, theta_m, phi_m)
    return efficiency_from_g(t, g, spin_hall_conductivity, spin_diffusion_length, resistivity,
                             torque)


#: Spin source of the reference values (1e5 (hbar/2e) Ohm^-1 m^-1, nm, uOhm cm).
_REF_KW = dict(spin_hall_conductivity=2.0, spin_diffusion_length=20.0, resistivity=350.0)


def _efficiency_spec(name, func, params, g_source, **extra):
    """A ModelSpec of xi^E (1e5 Ohm^-1 m^-1) against the spin-source thickness (nm), input torque.

    Parameters
    ----------
    name : str
        Model name.
    func : callable
        ``func(t, sigma_s, lambda_s, rho, *interface parameters, torque)``.
    params : tuple of Param
        The interface parameters, after the spin-source ones.
    g_source : str
        The interface model that gives G, with its source.
    **extra
        Further ModelSpec fields.

    Returns
    -------
    ModelSpec
    """
    return ModelSpec(name=name, func=func, params=SPIN_SOURCE_PARAMS + params,
                     x_name="thickness", x_unit="nm",
                     y_name="xi_e (DL for torque=0, FL for torque=1)", y_unit="1e5 Ohm^-1 m^-1",
                     doc=("Torque efficiency per electric field vs spin-source thickness, seed 003 "
                          f"eqs. (1)-(2), with G from {g_source}. Input 'torque': 0 DL, 1 FL."),
                     inputs=("torque",), **extra)


interface_barrier_efficiency = _efficiency_spec(
    name="interface_barrier_efficiency",
    func=barrier_efficiency,
    # the barrier's parameters as its G model has them, with the exchange J (G's x) second
    params=(interface_barrier_g.params[0],
            Param("J", "eV", 0.2, (-math.inf, math.inf), "exchange of the ferromagnetic monolayer"),
            *interface_barrier_g.params[1:]),
    g_source="the interface-barrier tight-binding model (seed 003 Fig. 4)",
    references=(
        Reference((10.0,), (0.0,), "limit: J = 0 gives Im G = 0 and no field-like torque (seed "
                  "003 eq. (2))", dict(_REF_KW, delta_t=0.6, J=0.0, torque=1), atol=1e-12),
        Reference((10.0,), (0.10798624104189204,), "regression value; the composition with seed "
                  "003 eqs. (1)-(2) is checked in tests/test_interface_composed.py::"
                  "test_registered_and_consistent_with_drift_diffusion",
                  dict(_REF_KW, delta_t=0.6, J=0.1, torque=1), rtol=1e-8)),
)

_DELTA = {p.name: p for p in interface_delta_g.params}

interface_delta_efficiency = _efficiency_spec(
    name="interface_delta_efficiency",
    func=delta_efficiency,
    # the delta barrier's parameters as its G model has them, with the exchange u_ex (G's x)
    # second; here Rashba is held at 0; k_F and m at the delta barrier's defaults
    # (specs.DELTA_DEFAULTS, as the G model and both commands)
    params=(_DELTA["u0"],
            Param("u_ex", "", 1.0, (-math.inf, math.inf), "exchange strength (eq. 15)"),
            replace(_DELTA["u_R"], vary=False), _DELTA["k_fermi"], _DELTA["theta_m"],
            _DELTA["phi_m"]),
    g_source=("the delta barrier with exchange and Rashba coupling (seed 004, eqs. "
              "15-17, B12, B37)"),
    references=(
        Reference((10.0,), (0.22505939980220135,), "hand: no barrier, G = Sharvin 57.0207 "
                  "(k_F = 13.6/nm) real, xi = sigma_s [1 - sech(t/l)] g/(g + tanh(t/l)) with "
                  "g = 2 lambda_s rho G 1e-4 (seed 003 eq. (1))",
                  dict(_REF_KW, u0=0.0, u_ex=0.0, k_fermi=13.6, torque=0), rtol=1e-10),
        Reference((10.0,), (0.0,), "limit: no exchange, no field-like torque",
                  dict(_REF_KW, u0=0.0, u_ex=0.0, k_fermi=13.6, torque=1), atol=1e-12)),
)
