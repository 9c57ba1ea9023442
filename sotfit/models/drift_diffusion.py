"""Spin transport from a thickness series: the drift-diffusion mixing-conductance model.

A charge current along x in a spin-source layer (thickness ``t``, resistivity
``rho``, spin Hall conductivity ``sigma_s``, spin diffusion length
``lambda_s``) with a free surface on one side and a ferromagnet on the other
drives a spin current towards the ferromagnet. The ferromagnet absorbs it
through the complex spin-mixing conductance ``G = Re G + i Im G`` of the
interface. The damping-like and field-like efficiencies per electric field are
(seed 003_010c0338986411e7.txt, eqs. (1)-(2))::

    xi^E_DL = (2e/hbar) sigma_s [1 - sech(t/l)]
              * (g_r (g_r + T) + g_i^2) / ((g_r + T)^2 + g_i^2)
    xi^E_FL = -(2e/hbar) sigma_s [1 - sech(t/l)]
              * g_i T / ((g_r + T)^2 + g_i^2)

with ``T = tanh(t/l)`` and ``g = g_r + i g_i = 2 lambda_s rho G``. Both are the
real part and (minus) the imaginary part of **one** complex expression, the
drift-diffusion result of Haney, Lee, Lee, Manchon and Stiles, PRB 87, 174411
(2013)::

    xi^E_DL - i xi^E_FL = (2e/hbar) sigma_s [1 - sech(t/l)] g / (g + tanh(t/l))

(multiply numerator and denominator by ``conj(g) + T``: the real part of the
numerator is ``|g|^2 + g_r T = g_r (g_r + T) + g_i^2`` and its imaginary part
``g_i T``). This module evaluates the complex form; the test-suite compares it
with eqs. (1)-(2) transcribed independently, to machine precision.

House units (docs/CONVENTIONS.md): ``t`` and ``lambda_s`` in nm, ``rho`` in
uOhm cm, ``G`` in 1e13 Ohm^-1 m^-2, ``sigma_s`` in 1e5 (hbar/2e) Ohm^-1 m^-1
(so that ``(2e/hbar) sigma_s`` is the number ``sigma_s`` in 1e5 Ohm^-1 m^-1)
and xi^E in 1e5 Ohm^-1 m^-1. Then ``g = 2 lambda_s rho G * 1e-4``
(1 nm x 1 uOhm cm x 1e13 Ohm^-1 m^-2 = 1e-9 * 1e-8 * 1e13 = 1e-4).

Limits (each tested in ``tests/test_drift_diffusion.py``):

* ``t -> 0``: ``xi^E_DL -> sigma_s t^2 / (2 lambda_s^2)`` (for ``|g| > 0``) and
  ``xi^E_FL -> -sigma_s g_i t^3 / (2 lambda_s^3 |g|^2)``: both vanish, the FL one faster;
* ``t >> lambda_s``: ``xi^E_DL - i xi^E_FL -> sigma_s g / (g + 1)``;
* ``G -> infinity`` (perfect sink): ``xi^E_DL -> sigma_s [1 - sech(t/lambda_s)]``, ``xi^E_FL -> 0``;
* ``Im G = 0``: ``xi^E_FL = 0`` and ``xi^E_DL`` equals the transparency form of
  Pai, Ou, Vilela-Leao, Ralph and Buhrman, PRB 92, 064426 (2015),
  ``xi^E_DL = sigma_s [1 - sech(t/l)] 2G / (2G + G_N tanh(t/l))`` with the
  spin conductance of the source layer ``G_N = 1/(rho lambda_s)``; for
  ``t >> lambda_s`` the interface transparency is ``T_int = 2G / (2G + G_N)``.

Spin memory loss (optional, parameter ``g_sf``, default 0): an interfacial
spin-flip conductance ``G_sf`` in parallel with the mixing conductance. The
interface then absorbs ``(G + G_sf) mu_s`` but only ``G mu_s`` reaches the
ferromagnet as torque, so ``g / (g + T)`` becomes ``g / (g + g_sf + T)`` with
``g_sf = 2 lambda_s rho G_sf``. This is the minimal drift-diffusion version of
the interfacial spin-flip picture reviewed in seed 004_7d8d4f1eff3c5d03.txt
(spin memory loss); ``G_sf = 0`` gives back eqs. (1)-(2).

The dimensionless efficiency is ``xi = xi^E rho`` (seed 003, after eq. (2)):
``xi = xi^E[1e5 Ohm^-1 m^-1] * rho[uOhm cm] * 1e-3``.

This module is pure numpy (no lmfit, pandas or matplotlib).
"""

from __future__ import annotations

import numpy as np

from ..units import E_CHARGE, HBAR
from .sot import xi_from_xi_e
from .spec import ModelError, ModelSpec, Param, Reference

__all__ = [
    "G_UNIT_FACTOR",
    "reduced_conductance",
    "complex_efficiency",
    "xi_e_dl",
    "xi_e_fl",
    "xi_e_dl_transparent",
    "xi_dl",
    "xi_fl",
    "interface_transparency",
    "fermi_wavevector",
    "sharvin_conductance",
    "SPIN_SOURCE_PARAMS",
    "drift_diffusion_dl",
    "drift_diffusion_fl",
    "drift_diffusion_dl_transparent",
    "drift_diffusion_xi_dl",
    "drift_diffusion_xi_fl",
    "DRIFT_DIFFUSION_MODELS",
]

#: lambda_s [nm] * rho [uOhm cm] * G [1e13 Ohm^-1 m^-2] -> dimensionless.
G_UNIT_FACTOR = 1e-9 * 1e-8 * 1e13


def _check_thickness(t):
    t = np.asarray(t, dtype=float)
    if np.any(t < 0):
        raise ModelError(f"thickness must be >= 0 nm; got minimum {np.min(t)} nm")
    return t


def _sech_and_tanh(t, lam):
    """1 - sech(t/l) and tanh(t/l) for t >= 0 without overflow (one exp, no cosh)."""
    e1 = np.exp(-(t / lam))
    e2 = e1 * e1
    inv = 1.0 / (1.0 + e2)
    return 1.0 - 2.0 * e1 * inv, (1.0 - e2) * inv


def reduced_conductance(g_mix, spin_diffusion_length, resistivity):
    """Dimensionless g = 2 lambda_s rho G (seed 003, eqs. (1)-(2)).

    Parameters
    ----------
    g_mix : complex or float or array_like
        Spin-mixing (or spin-flip) conductance in 1e13 Ohm^-1 m^-2.
    spin_diffusion_length : float
        lambda_s in nm.
    resistivity : float
        rho of the spin-source layer in uOhm cm.

    Returns
    -------
    complex or float
        g, dimensionless.
    """
    return 2.0 * spin_diffusion_length * resistivity * G_UNIT_FACTOR * g_mix


def complex_efficiency(t, spin_hall_conductivity, spin_diffusion_length, re_g_mix, im_g_mix,
                       resistivity, g_sf=0.0):
    """xi^E_DL - i xi^E_FL as one complex number (Haney et al., PRB 87, 174411 (2013)).

    ``sigma_s [1 - sech(t/l)] g / (g + g_sf + tanh(t/l))``, which for ``g_sf = 0`` is
    seed 003_010c0338986411e7.txt eqs. (1) (real part) and (2) (minus the imaginary part).

    Parameters
    ----------
    t : array_like
        Spin-source thickness in nm (>= 0).
    spin_hall_conductivity : float
        sigma_s in 1e5 (hbar/2e) Ohm^-1 m^-1.
    spin_diffusion_length : float
        lambda_s in nm (> 0).
    re_g_mix, im_g_mix : float
        Real and imaginary parts of the spin-mixing conductance in 1e13 Ohm^-1 m^-2.
    resistivity : float
        rho of the spin source in uOhm cm.
    g_sf : float
        Interfacial spin-flip (spin memory loss) conductance in 1e13 Ohm^-1 m^-2.

    Returns
    -------
    ndarray of complex
        xi^E_DL - i xi^E_FL in 1e5 Ohm^-1 m^-1.
    """
    t = _check_thickness(t)
    lam = spin_diffusion_length
    one_minus_sech, tanh = _sech_and_tanh(t, lam)
    g = reduced_conductance(re_g_mix + 1j * im_g_mix, lam, resistivity)
    gs = reduced_conductance(g_sf, lam, resistivity)
    den = g + gs + tanh
    zero = den == 0
    if np.any(zero):  # only for t = 0 together with G = G_sf = 0: no torque
        ratio = np.where(zero, 0.0, g / np.where(zero, 1.0, den))
    else:
        ratio = g / den
    # (2e/hbar) sigma_s with sigma_s in (hbar/2e) units is the number sigma_s itself.
    return spin_hall_conductivity * one_minus_sech * ratio


def xi_e_dl(t, spin_hall_conductivity, spin_diffusion_length, re_g_mix, im_g_mix, resistivity,
            g_sf=0.0):
    """Damping-like efficiency per electric field xi^E_DL(t) (seed 003, eq. (1)).

    Parameters are those of :func:`complex_efficiency` (t in nm, sigma_s in
    1e5 (hbar/2e) Ohm^-1 m^-1, lambda_s in nm, G in 1e13 Ohm^-1 m^-2, rho in uOhm cm).

    Returns
    -------
    ndarray
        xi^E_DL in 1e5 Ohm^-1 m^-1.
    """
    return complex_efficiency(t, spin_hall_conductivity, spin_diffusion_length, re_g_mix,
                              im_g_mix, resistivity, g_sf).real


def xi_e_fl(t, spin_hall_conductivity, spin_diffusion_length, re_g_mix, im_g_mix, resistivity,
            g_sf=0.0):
    """Field-like efficiency per electric field xi^E_FL(t) (seed 003, eq. (2)).

    Same parameters as :func:`xi_e_dl`. Positive Im G gives negative xi^E_FL,
    the sign of eq. (2).

    Returns
    -------
    ndarray
        xi^E_FL in 1e5 Ohm^-1 m^-1.
    """
    return -complex_efficiency(t, spin_hall_conductivity, spin_diffusion_length, re_g_mix,
                               im_g_mix, resistivity, g_sf).imag


def interface_transparency(t, spin_diffusion_length, re_g_mix, resistivity):
    """Spin transparency 2G / (2G + G_N tanh(t/l)) with G_N = 1/(rho lambda_s) (Im G = 0).

    Pai et al., PRB 92, 064426 (2015): for ``t >> lambda_s`` this is their
    ``T_int = 2 G / (2 G + G_N)`` (G_N is their G_HM = 1/(rho lambda_s)).

    Parameters
    ----------
    t : array_like
        Thickness in nm.
    spin_diffusion_length : float
        lambda_s in nm.
    re_g_mix : float
        Real spin-mixing conductance in 1e13 Ohm^-1 m^-2.
    resistivity : float
        uOhm cm.

    Returns
    -------
    ndarray
        Dimensionless transparency in [0, 1].
    """
    t = _check_thickness(t)
    # spin conductance of the source, 1/(rho lambda), in 1e13 Ohm^-1 m^-2
    g_n = 1.0 / (resistivity * spin_diffusion_length * G_UNIT_FACTOR)
    tanh = _sech_and_tanh(t, spin_diffusion_length)[1]
    den = 2.0 * re_g_mix + g_n * tanh
    safe = np.where(den > 0, den, 1.0)
    return np.where(den > 0, 2.0 * re_g_mix / safe, 0.0)


def xi_e_dl_transparent(t, spin_hall_conductivity, spin_diffusion_length, re_g_mix, resistivity):
    """xi^E_DL with Im G = 0 in the transparency form of Pai et al., PRB 92, 064426 (2015).

    ``xi^E_DL = sigma_s [1 - sech(t/l)] T_int(t)``, see :func:`interface_transparency`;
    identical to seed 003 eq. (1) at Im G = 0 (tested).

    Returns
    -------
    ndarray
        xi^E_DL in 1e5 Ohm^-1 m^-1 (t in nm, sigma_s in 1e5 (hbar/2e) Ohm^-1 m^-1,
        lambda_s in nm, Re G in 1e13 Ohm^-1 m^-2, rho in uOhm cm).
    """
    t = _check_thickness(t)
    one_minus_sech = _sech_and_tanh(t, spin_diffusion_length)[0]
    return spin_hall_conductivity * one_minus_sech * interface_transparency(
        t, spin_diffusion_length, re_g_mix, resistivity)


def xi_dl(t, spin_hall_conductivity, spin_diffusion_length, re_g_mix, im_g_mix, resistivity,
          g_sf=0.0):
    """Dimensionless damping-like efficiency xi_DL = xi^E_DL rho (seed 003, after eq. (2)).

    Same parameters as :func:`xi_e_dl`; returns a pure number.
    """
    return xi_from_xi_e(xi_e_dl(t, spin_hall_conductivity, spin_diffusion_length, re_g_mix,
                                im_g_mix, resistivity, g_sf), resistivity)


def xi_fl(t, spin_hall_conductivity, spin_diffusion_length, re_g_mix, im_g_mix, resistivity,
          g_sf=0.0):
    """Dimensionless field-like efficiency xi_FL = xi^E_FL rho (seed 003, after eq. (2))."""
    return xi_from_xi_e(xi_e_fl(t, spin_hall_conductivity, spin_diffusion_length, re_g_mix,
                                im_g_mix, resistivity, g_sf), resistivity)


def fermi_wavevector(carrier_density):
    """k_F = (3 pi^2 n)^(1/3) of a spin-degenerate isotropic 3D Fermi sphere (seed 003).

    Parameters
    ----------
    carrier_density : float or array_like
        Total carrier density n (both spins) in cm^-3.

    Returns
    -------
    float or ndarray
        k_F in nm^-1.
    """
    n = np.asarray(carrier_density, dtype=float) * 1e6  # m^-3
    if np.any(n <= 0):
        raise ModelError("carrier density must be > 0 cm^-3")
    return np.cbrt(3.0 * np.pi**2 * n) * 1e-9


def sharvin_conductance(carrier_density, spins=2):
    """Sharvin conductance per area of a 3D free-electron metal.

    Each spin channel contributes ``(e^2/h) k_F^2 / (4 pi)`` (the number of
    transverse modes per area times the conductance quantum e^2/h). With
    ``spins=2`` (both spin channels, the default) this is exactly the formula of
    seed 003_010c0338986411e7.txt (discussion of Re G), ``G_Sh = (1/hbar)(e k_F/2 pi)^2``,
    since ``2 (e^2/h) k_F^2/(4 pi) = e^2 k_F^2 / (4 pi^2 hbar)``. ``spins=1`` gives the
    per-spin value, the bound on Re G for mixing conductances defined with e^2/h.

    Note: for n = 0.1-1.2 x 10^21 cm^-3 this formula gives 1.27-6.66 x 10^13
    Ohm^-1 m^-2, while seed 003 quotes 3-17 x 10^13 Ohm^-1 m^-2, about 2.5 times more;
    see docs/thickness.md.

    Parameters
    ----------
    carrier_density : float or array_like
        Total carrier density n in cm^-3 (k_F from :func:`fermi_wavevector`).
    spins : {1, 2}
        Number of spin channels counted.

    Returns
    -------
    float or ndarray
        G_Sh in 1e13 Ohm^-1 m^-2.
    """
    return sharvin_conductance_kf(fermi_wavevector(carrier_density), spins)


def sharvin_conductance_kf(k_fermi, spins=2):
    """Sharvin conductance per area from the Fermi wave number: ``spins (e^2/h) k_F^2 / (4 pi)``.

    Parameters
    ----------
    k_fermi : float or array_like
        Fermi wave number in 1/nm.
    spins : {1, 2}
        Number of spin channels counted (see :func:`sharvin_conductance`).

    Returns
    -------
    float or ndarray
        G_Sh in 1e13 Ohm^-1 m^-2.
    """
    if spins not in (1, 2):
        raise ModelError(f"spins must be 1 or 2, got {spins!r}")
    kf = np.asarray(k_fermi, dtype=float) * 1e9  # m^-1
    h = 2.0 * np.pi * HBAR
    return spins * E_CHARGE**2 / h * kf**2 / (4.0 * np.pi) / 1e13


# --------------------------------------------------------------------------- ModelSpecs

_SIGMA = Param("spin_hall_conductivity", "1e5 (hbar/2e) Ohm^-1 m^-1", 3.0, (-1e4, 1e4),
               "spin Hall conductivity sigma_s of the spin source")
_LAMBDA = Param("spin_diffusion_length", "nm", 10.0, (1e-3, 1e4),
                "spin diffusion length lambda_s of the spin source")
_RE_G = Param("re_g_mix", "1e13 Ohm^-1 m^-2", 1.0, (0.0, 1e4),
              "real part of the interface spin-mixing conductance")
_IM_G = Param("im_g_mix", "1e13 Ohm^-1 m^-2", 0.1, (-1e4, 1e4),
              "imaginary part of the interface spin-mixing conductance")
_RHO = Param("resistivity", "uOhm cm", 100.0, (1e-6, 1e8),
             "resistivity rho of the spin source (known from transport; fixed by default)",
             vary=False)
_G_SF = Param("g_sf", "1e13 Ohm^-1 m^-2", 0.0, (0.0, 1e4),
              "interfacial spin-flip conductance (spin memory loss); 0 = none", vary=False)

_REF = ("seed 003_010c0338986411e7.txt eqs. (1)-(2); Haney et al., PRB 87, 174411 (2013); "
        "spin memory loss as an interfacial spin-flip conductance g_sf (default 0, fixed)")

#: Seed 003 eqs. (1)-(2) evaluated by hand at t = 5 nm, lambda_s = 10 nm, rho = 100 uOhm cm,
#: sigma_s = 3, G = 1 + 0.5i (g = 2 lambda_s rho G 1e-4 = 0.2 + 0.1i, T = tanh(0.5)).
_HAND = dict(spin_hall_conductivity=3.0, spin_diffusion_length=10.0, re_g_mix=1.0, im_g_mix=0.5,
             resistivity=100.0)
_HAND_SRC = "hand: seed 003 eqs. (1)-(2) transcribed, g = 0.2 + 0.1i, t/lambda_s = 0.5"
_NO_IM_SRC = "limit: Im G = 0 gives no field-like torque (seed 003 eq. (2))"

_PARAMS = (_SIGMA, _LAMBDA, _RE_G, _IM_G, _RHO, _G_SF)
#: The spin-source parameters sigma_s, lambda_s and rho, shared by every thickness model.
SPIN_SOURCE_PARAMS = (_SIGMA, _LAMBDA, _RHO)


def _thickness_spec(name, func, y_name, y_unit, doc, params=_PARAMS, **extra):
    """A ModelSpec of an efficiency against the spin-source thickness in nm, linear in sigma_s.

    Parameters
    ----------
    name : str
        Model name.
    func : callable
        The model function ``func(t, ...)`` (t in nm).
    y_name, y_unit : str
        The efficiency computed and its unit (1e5 Ohm^-1 m^-1, or "" for xi).
    doc : str
        One-line description with its source.
    params : tuple of Param
        The parameters, in the order of ``func``'s arguments.
    **extra
        Further ModelSpec fields.

    Returns
    -------
    ModelSpec
    """
    return ModelSpec(name=name, func=func, params=params, x_name="thickness", x_unit="nm",
                     y_name=y_name, y_unit=y_unit, doc=doc,
                     linear=("spin_hall_conductivity",), **extra)


drift_diffusion_dl = _thickness_spec(
    "drift_diffusion_dl", xi_e_dl, "xi_e_dl", "1e5 Ohm^-1 m^-1",
    "Damping-like efficiency per electric field vs spin-source thickness: " + _REF,
    references=(Reference((5.0,), (0.10784795405005815,), _HAND_SRC, _HAND),))

drift_diffusion_fl = _thickness_spec(
    "drift_diffusion_fl", xi_e_fl, "xi_e_fl", "1e5 Ohm^-1 m^-1",
    "Field-like efficiency per electric field vs spin-source thickness: " + _REF,
    references=(Reference((5.0,), (-0.03499311133977069,), _HAND_SRC, _HAND),
                Reference((5.0, 40.0), (0.0, 0.0), _NO_IM_SRC, dict(_HAND, im_g_mix=0.0),
                          atol=1e-15)))

drift_diffusion_dl_transparent = _thickness_spec(
    "drift_diffusion_dl_transparent", xi_e_dl_transparent, "xi_e_dl", "1e5 Ohm^-1 m^-1",
    "Damping-like efficiency per electric field with Im G = 0, transparency form of "
    "Pai et al., PRB 92, 064426 (2015); equals seed 003 eq. (1) at Im G = 0",
    params=(_SIGMA, _LAMBDA, _RE_G, _RHO),
    references=(Reference((5.0,), (0.10256292088695752,),
                          "hand: Pai et al. sigma_s [1 - sech(t/l)] 2G/(2G + G_N tanh(t/l)), "
                          "G_N = 1/(rho lambda_s), at 2G/G_N = 0.2, t/lambda_s = 0.5",
                          {k: v for k, v in _HAND.items() if k != "im_g_mix"}),))

drift_diffusion_xi_dl = _thickness_spec(
    "drift_diffusion_xi_dl", xi_dl, "xi_dl", "",
    "Dimensionless damping-like efficiency xi_DL = xi^E_DL rho: " + _REF,
    references=(Reference((5.0,), (0.010784795405005815,), _HAND_SRC + ", xi = xi^E rho 1e-3",
                          _HAND),))

drift_diffusion_xi_fl = _thickness_spec(
    "drift_diffusion_xi_fl", xi_fl, "xi_fl", "",
    "Dimensionless field-like efficiency xi_FL = xi^E_FL rho: " + _REF,
    references=(Reference((5.0,), (-0.003499311133977069,), _HAND_SRC + ", xi = xi^E rho 1e-3",
                          _HAND),))

#: The drift-diffusion ModelSpecs by name.
DRIFT_DIFFUSION_MODELS = {m.name: m for m in (
    drift_diffusion_dl, drift_diffusion_fl, drift_diffusion_dl_transparent,
    drift_diffusion_xi_dl, drift_diffusion_xi_fl)}
