"""Interface-barrier tight-binding model of the spin-mixing conductance.

The model of seed 003_010c0338986411e7.txt, Fig. 4a and its text ("we model
the electron hopping through this interfacial potential barrier by a
spin-independent hopping amplitude delta t and a spin-dependent hopping
amplitude J"), made precise as follows (lattice units, energies in eV):

* a simple cubic lattice with lattice constant ``a``; layers are labelled by
  the integer ``n`` along the interface normal x;
* the spin source (the semimetal) fills ``n <= 0``: on-site energy 0 and
  hopping ``-t0`` on every bond;
* one ferromagnetic monolayer at ``n = 1``: on-site energy ``eps_m - s J``
  (``s = +1`` for spin parallel to m, ``s = -1`` antiparallel), in-plane
  hopping ``-t_m``, hopping ``-t_c`` to layer ``n = 0`` (default ``t_c = t0``);
* vacuum for ``n >= 2``.

The seed's spin-independent hopping change is ``delta_t = t0 - t_m``.

The transverse momentum ``k_par = (k_y, k_z)`` is conserved. For each
``k_par`` the spin source is a semi-infinite chain with on-site energy
``eps_par = -2 t0 (cos k_y a + cos k_z a)`` and hopping ``-t0``; a state at
energy ``E`` propagates when ``|E - eps_par| < 2 t0`` with
``E - eps_par = -2 t0 cos(k_x a)``, ``0 < k_x a < pi`` (velocity
``v = 2 t0 a sin(k_x a) / hbar > 0`` towards the ferromagnet).

Reflection amplitude (Fisher-Lee relation with the analytic surface Green's
function of the semi-infinite chain):

* surface Green's function of the chain without its last site:
  ``g = -exp(i k_x a) / t0``, lead self-energy ``Sigma_L = t0^2 g``;
* self-energy of the monolayer (spin s): ``Sigma_s = t_c^2 / (E - eps_1s)``
  with ``eps_1s = eps_m - s J - 2 t_m (cos k_y a + cos k_z a)``;
* ``G_00 = 1 / (E - eps_par - Sigma_L - Sigma_s) = -1 / (t0 exp(-i k_x a) + Sigma_s)``;
* ``r_s = -1 + i hbar v G_00 / a = -1 + 2 i t0 sin(k_x a) G_00``
  ``= -(Sigma_s + t0 e^{i k_x a}) / (Sigma_s + t0 e^{-i k_x a})``.

Because nothing is transmitted (vacuum beyond the monolayer) ``|r_s| = 1``.
The code uses the form multiplied through by ``E - eps_1s`` so that the
monolayer resonance ``E = eps_1s`` is not a division by zero.

Mixing conductance (Brataas, Nazarov and Bauer; seed 003, Supplementary
Note 9 as quoted in the text):

    G_mix / A = (e^2/h) (1/A) sum_{k_par open} [1 - r_up r_dn^*]

and the per-spin Sharvin conductance ``G_Sh / A = (e^2/h) N_open / A``. Per
unit-cell area ``a^2`` the sum is the Brillouin-zone average of the summand
(closed channels contribute zero), so the dimensionless results
``g_mix = G_mix a^2 / (e^2/h)`` and ``g_sh`` are independent of ``a``; in SI
``G/A = g (e^2/h) / a^2``.

Sign convention of Im G (see docs/interface.md): ``G = sum [1 - r_up r_dn^*]``
with "up" the spin parallel to m (on-site ``eps_m - J``). With this choice the
spin current absorbed by the ferromagnet from a transverse spin accumulation
``mu_s`` (perpendicular to m) is proportional to
``Re G mu_s + Im G (mu_s x m)``.

Integration over ``k_par``: every quantity depends on ``k_par`` only through
``cpar = cos k_y a + cos k_z a``, so the Brillouin-zone average is reduced
exactly to a one-dimensional integral over ``cpar`` with the square-lattice
density :func:`square_lattice_dos`. The open interval is split at ``cpar = 0``
(van Hove point) and at the monolayer resonances, and each piece is done with
a tanh-sinh rule, which converges exponentially despite the square-root
channel openings and the logarithmic density. The result is compared with a
rule of twice the node density (``converged`` and ``error_estimate`` in the
result). Checks: a dense wave-function-matching solve and Kwant's scattering
matrix of the same lattice per k_par, a product Gauss-Legendre rule over
``(k_y, k_z)`` (tests/test_interface_barrier.py, tests/test_interface_kwant.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import constants as _c
from scipy import special as _special

__all__ = [
    "BarrierInputError",
    "ConvergenceError",
    "TBResult",
    "E2_OVER_H",
    "propagating_kx",
    "reflection_amplitudes",
    "mixing_integrand",
    "cpar_rule",
    "reflection_from_cpar",
    "square_lattice_dos",
    "mixing_conductance_tb",
    "per_area_si",
    "to_house_mixing",
]

#: Conductance quantum per spin e^2/h in S.
E2_OVER_H = _c.e ** 2 / _c.h

_MIN_ORDER = 9


class BarrierInputError(ValueError):
    """Parameters of the interface-barrier model that make no physical sense."""


class ConvergenceError(RuntimeError):
    """A k_par integration whose error estimate exceeds the requested tolerance."""


def _values_text(values) -> str:
    """One value as it is, or the offending values of an array (its smallest, for a grid)."""
    a = np.asarray(values, dtype=float)
    if a.ndim == 0 or a.size and np.all(a == a.flat[0]):     # one value, given or broadcast
        return f"{float(a.flat[0]):g}"
    return f"{float(np.nanmin(a)):g} (the smallest of {a.size} grid values)"


def _check_params(fermi_energy, t0, t_m, t_c):
    t0a = np.asarray(t0, dtype=float)
    if np.any(~np.isfinite(t0a)) or np.any(t0a <= 0):
        raise BarrierInputError(
            f"t0 (hopping of the spin source, eV) must be positive; got {_values_text(t0)}")
    t_m_a = np.asarray(t_m, dtype=float)
    if np.any(t_m_a < 0):
        most = float(np.max(t0a - t_m_a[t_m_a < 0])) if t0a.ndim == 0 else None
        raise BarrierInputError(
            f"t_m (in-plane hopping of the ferromagnetic monolayer, eV) must be >= 0, "
            f"i.e. delta_t = t0 - t_m <= t0; got t_m = {_values_text(t_m)}"
            + (f" (delta_t up to {most:g} eV with t0 = {float(t0a):g} eV)"
               if most is not None else ""))
    if np.any(np.asarray(t_c, dtype=float) < 0):
        raise BarrierInputError(
            f"t_c (hopping between spin source and monolayer, eV) must be >= 0 "
            f"(only t_c^2 enters); got {_values_text(t_c)}")
    ef = np.asarray(fermi_energy, dtype=float)
    if np.any(np.abs(ef) >= 6 * t0a):
        raise BarrierInputError(
            f"Fermi energy {fermi_energy} eV is outside the band of the spin source "
            f"(-6 t0, 6 t0) = ({-6 * np.max(t0a)}, {6 * np.max(t0a)}) eV: no propagating channel")


def propagating_kx(ky, kz, fermi_energy, t0):
    """Normal wave number ``k_x a`` of the incident wave and the open-channel mask.

    Parameters
    ----------
    ky, kz : array_like
        Transverse momenta times a (rad), broadcastable.
    fermi_energy : float or array_like
        Energy E in eV (band of the spin source: -6 t0 < E < 6 t0).
    t0 : float or array_like
        Hopping of the spin source in eV (> 0).

    Returns
    -------
    kx : ndarray
        ``arccos(-(E - eps_par) / (2 t0))`` in (0, pi) for open channels
        (clipped, meaningless elsewhere).
    is_open : ndarray of bool
        True where ``|E - eps_par| < 2 t0``.
    """
    return _kx_from_cpar(np.cos(ky) + np.cos(kz), fermi_energy, t0)


def _kx_from_cpar(cpar, fermi_energy, t0):
    c = -(fermi_energy + 2.0 * t0 * cpar) / (2.0 * t0)
    is_open = np.abs(c) < 1.0
    return np.arccos(np.clip(c, -1.0, 1.0)), is_open


def reflection_from_cpar(cpar, fermi_energy, t0, t_m, J, eps_m=0.0, t_c=None):
    """Reflection amplitudes as functions of ``cpar = cos k_y a + cos k_z a``.

    Every quantity of the model depends on the transverse momentum only
    through ``cpar``. Arguments as :func:`reflection_amplitudes` (energies in
    eV) with ``cpar`` (dimensionless, in [-2, 2]) instead of ``ky, kz``.

    Returns
    -------
    r_up, r_dn : ndarray of complex
        Reflection amplitudes (-1 on closed channels).
    is_open : ndarray of bool
    """
    if t_c is None:
        t_c = t0
    _check_params(fermi_energy, t0, t_m, t_c)
    kx, is_open = _kx_from_cpar(cpar, fermi_energy, t0)
    em = np.exp(-1j * kx)
    sk = np.sin(kx)
    tc2 = np.asarray(t_c, dtype=float) ** 2
    out = []
    for s in (+1.0, -1.0):
        # detuning of the monolayer level from E for spin s
        det = fermi_energy - (eps_m - s * J - 2.0 * t_m * cpar)
        # G_00 * det = -det / (t0 e^{-ik} det + t_c^2);  r = -1 + 2 i t0 sin k G_00
        with np.errstate(divide="ignore", invalid="ignore"):  # closed channels only
            r = -1.0 - 2j * t0 * sk * det / (t0 * em * det + tc2)
        out.append(np.where(is_open, r, -1.0 + 0j))
    return out[0], out[1], is_open


def reflection_amplitudes(ky, kz, fermi_energy, t0, t_m, J, eps_m=0.0, t_c=None):
    """Spin-resolved reflection amplitudes r_up, r_dn of the barrier model.

    Parameters
    ----------
    ky, kz : array_like
        Transverse momenta times the lattice constant (rad); broadcast with
        the energy parameters, so maps over parameters are vectorised too.
    fermi_energy : float or array_like
        Energy E of the incident electron in eV, measured from the band centre
        of the spin source.
    t0 : float or array_like
        Hopping of the spin source (eV, > 0).
    t_m : float or array_like
        In-plane hopping of the monolayer (eV, >= 0); ``delta_t = t0 - t_m``.
    J : float or array_like
        Exchange splitting of the monolayer on-site energy (eV); spin up
        (parallel to m) sits at ``eps_m - J``.
    eps_m : float or array_like
        Spin-independent on-site energy of the monolayer (eV).
    t_c : float or array_like, optional
        Hopping between the monolayer and the spin source (eV, >= 0);
        default ``t0``.

    Returns
    -------
    r_up, r_dn : ndarray of complex
        Reflection amplitudes (phase referred to layer n = 0); set to -1
        (no contribution) for closed channels.
    is_open : ndarray of bool
        Open-channel mask.

    Notes
    -----
    Fisher-Lee relation with the analytic surface Green's function of the
    semi-infinite chain (module docstring); seed 003_010c0338986411e7.txt,
    Fig. 4a and its model text.
    """
    return reflection_from_cpar(np.cos(ky) + np.cos(kz), fermi_energy, t0, t_m, J, eps_m, t_c)


def mixing_integrand(ky, kz, fermi_energy, t0, t_m, J, eps_m=0.0, t_c=None):
    """Per-channel summand ``1 - r_up r_dn^*`` and the open mask (zero when closed)."""
    r_up, r_dn, is_open = reflection_amplitudes(ky, kz, fermi_energy, t0, t_m, J, eps_m, t_c)
    f = np.where(is_open, 1.0 - r_up * np.conj(r_dn), 0.0)
    return f, is_open


def square_lattice_dos(cpar):
    """Density of ``cpar = cos k_y + cos k_z`` over the 2D Brillouin zone.

    ``rho(c) = K(m = 1 - c^2/4) / pi^2`` on ``|c| < 2`` (complete elliptic
    integral of the first kind; normalised to 1), zero outside; logarithmic
    van Hove singularity at ``c = 0``.
    """
    c = np.asarray(cpar, dtype=float)
    inside = np.abs(c) < 2.0
    p = np.where(inside, 0.25 * c * c, 0.5)
    return np.where(inside, _special.ellipkm1(p) / math.pi ** 2, 0.0)


def _tanh_sinh(order):
    """Tanh-sinh nodes on [0, 1] as (x, 1 - x, w) with ``order`` points."""
    tmax = 3.2
    t = np.linspace(-tmax, tmax, order)
    h = t[1] - t[0]
    u = 0.5 * math.pi * np.sinh(t)
    x = 1.0 / (1.0 + np.exp(-2.0 * u))
    xm = 1.0 / (1.0 + np.exp(2.0 * u))
    w = h * 0.5 * math.pi * np.cosh(t) / (2.0 * np.cosh(u) ** 2)
    return x, xm, w


def cpar_rule(fermi_energy, t0, order=65, breakpoints=()):
    """Nodes and weights for Brillouin-zone averages of open channels.

    The open channels are ``|E/(2 t0) + cpar| < 1``; the interval is split at
    ``cpar = 0`` (van Hove singularity of the density) and at the given
    ``breakpoints`` (monolayer resonances), and each piece is integrated with
    a tanh-sinh rule, which converges exponentially despite the square-root
    channel openings and the logarithmic density.

    Parameters
    ----------
    fermi_energy : float
        E in eV.
    t0 : float
        Hopping of the spin source in eV.
    order : int
        Nodes per piece (odd, >= 9).
    breakpoints : array_like, shape (npar, nb) or (nb,)
        Further breakpoints in ``cpar`` (one row per parameter set).

    Returns
    -------
    c : ndarray, shape (npar, npieces * order)
        Nodes in ``cpar``.
    w : ndarray, same shape
        Weights including the density, so that ``sum(w f(c))`` is the
        Brillouin-zone average of ``f`` restricted to open channels.
    """
    order = int(order)
    if order < _MIN_ORDER:
        raise BarrierInputError(
            f"k_par quadrature order {order} is too coarse; use order >= {_MIN_ORDER} "
            "(65 or more for 1e-6 accuracy)")
    _check_params(fermi_energy, t0, 0.0, 0.0)
    e = fermi_energy / (2.0 * t0)
    lo, hi = max(-e - 1.0, -2.0), min(-e + 1.0, 2.0)
    bp = np.atleast_2d(np.asarray(breakpoints, dtype=float))
    if bp.size == 0:
        bp = np.zeros((1, 0))
    bp = np.where(np.isfinite(bp), bp, lo)
    edges = np.concatenate([np.full((bp.shape[0], 1), lo), np.clip(bp, lo, hi),
                            np.full((bp.shape[0], 1), np.clip(0.0, lo, hi)),
                            np.full((bp.shape[0], 1), hi)], axis=1)
    edges.sort(axis=1)
    x, xm, w = _tanh_sinh(order)
    a = edges[:, :-1, None]
    b = edges[:, 1:, None]
    span = b - a
    # nodes measured from the nearer end for accuracy next to the breakpoints
    c = np.where(x < 0.5, a + span * x, b - span * xm)
    with np.errstate(invalid="ignore"):
        wt = np.where(span > 0, span * w * square_lattice_dos(c), 0.0)
    npar = edges.shape[0]
    return c.reshape(npar, -1), wt.reshape(npar, -1)


@dataclass(frozen=True)
class TBResult:
    """Mixing and Sharvin conductances of the barrier model per unit-cell area.

    Attributes
    ----------
    g_mix : complex or ndarray
        ``G_mix a^2 / (e^2/h)`` (dimensionless; conductance per unit-cell area
        in units of e^2/h).
    g_sharvin : float or ndarray
        Per-spin Sharvin conductance per unit-cell area in e^2/h (open
        channels per unit cell).
    error_estimate : float
        Largest |difference| of g_mix between the rule of order n and 2n.
    converged : bool
        Whether ``error_estimate <= tol``.
    order : int
        Quadrature order used (the finer of the two rules).
    """

    g_mix: complex | np.ndarray
    g_sharvin: float | np.ndarray
    error_estimate: float
    converged: bool
    order: int

    @property
    def ratio_im_re(self):
        """Im G / Re G."""
        return np.imag(self.g_mix) / np.real(self.g_mix)


def _resonances(fermi_energy, t0, t_m, J, eps_m, t_c):
    """cpar of the monolayer resonances (bare level and peak of |r'|), shape (..., 4)."""
    tm = np.asarray(t_m, dtype=float)
    g = np.asarray(t_c, dtype=float) ** 2 / t0
    e = fermi_energy / (2.0 * t0)
    out = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for s in (+1.0, -1.0):
            out.append((eps_m - s * J - fermi_energy) / (2.0 * tm))
            out.append((g * e - fermi_energy + eps_m - s * J) / (2.0 * tm - g))
    return np.stack(np.broadcast_arrays(*out), axis=-1)


def _average(fermi_energy, t0, t_m, J, eps_m, t_c, order):
    t_c = t0 if t_c is None else t_c
    pshape = np.broadcast(np.asarray(t_m), np.asarray(J), np.asarray(eps_m),
                          np.asarray(t_c)).shape
    tm = np.broadcast_to(t_m, pshape).reshape(-1, 1).astype(float)
    jj = np.broadcast_to(J, pshape).reshape(-1, 1).astype(float)
    em = np.broadcast_to(eps_m, pshape).reshape(-1, 1).astype(float)
    tc = np.broadcast_to(t_c, pshape).reshape(-1, 1).astype(float)
    _check_params(fermi_energy, t0, tm, tc)
    bps = _resonances(fermi_energy, t0, tm[:, 0], jj[:, 0], em[:, 0], tc[:, 0])
    c, w = cpar_rule(fermi_energy, t0, order, bps.reshape(-1, 4))
    r_up, r_dn, is_open = reflection_from_cpar(c, fermi_energy, t0, tm, jj, em, tc)
    f = np.where(is_open, 1.0 - r_up * np.conj(r_dn), 0.0)
    g = np.sum(f * w, axis=1)
    # every row integrates the same open region: the Sharvin value is common
    gsh = float(np.sum(w[0]))
    return g.reshape(pshape), gsh


def mixing_conductance_tb(fermi_energy, t0, t_m, J, eps_m=0.0, t_c=None, order=65,
                          tol=1e-6, check=True, strict=False):
    """Mixing conductance per unit-cell area of the barrier model (e^2/h units).

    Parameters
    ----------
    fermi_energy : float
        Fermi energy E in eV (from the band centre of the spin source).
    t0 : float
        Hopping of the spin source in eV (> 0).
    t_m : float or array_like
        In-plane hopping of the monolayer in eV (``delta_t = t0 - t_m``).
    J : float or array_like
        Exchange energy of the monolayer in eV (broadcast with ``t_m``).
    eps_m : float or array_like
        Spin-independent on-site energy of the monolayer in eV.
    t_c : float or array_like, optional
        Hopping between monolayer and spin source in eV; default ``t0``.
    order : int
        Tanh-sinh nodes per piece of the ``cpar`` integral (>= 9). With
        ``check`` the integral is also done with twice the node density
        (``2 order - 1``) and that finer value is returned.
    tol : float
        Tolerance on the absolute difference between the two rules (in
        e^2/h per unit cell).
    check : bool
        Do the convergence check (costs the second rule).
    strict : bool
        Raise :class:`ConvergenceError` when the check fails (otherwise the
        result carries ``converged=False``).

    Returns
    -------
    TBResult
        ``g_mix`` (complex, e^2/h per a^2), ``g_sharvin`` (per spin), the
        error estimate and the convergence flag.

    Notes
    -----
    The Brillouin-zone average is reduced exactly to a one-dimensional
    integral over ``cpar = cos k_y a + cos k_z a`` with the square-lattice
    density :func:`square_lattice_dos`, because the summand depends on
    ``k_par`` only through ``cpar``.
    """
    order = int(order)
    if not check:
        g, gsh = _average(fermi_energy, t0, t_m, J, eps_m, t_c, order)
        return TBResult(g if np.ndim(g) else complex(g), gsh, float("nan"), False, order)
    g1, _ = _average(fermi_energy, t0, t_m, J, eps_m, t_c, order)
    g2, gsh = _average(fermi_energy, t0, t_m, J, eps_m, t_c, 2 * order - 1)
    err = float(np.max(np.abs(g2 - g1)))
    ok = bool(err <= tol)
    if strict and not ok:
        raise ConvergenceError(
            f"k_par integration not converged: |g(order={2 * order - 1}) - g(order={order})| = "
            f"{err:.3g} e^2/h per unit cell > tol = {tol:.3g}; increase 'order'")
    return TBResult(g2 if np.ndim(g2) else complex(g2), gsh, err, ok, 2 * order - 1)


def per_area_si(g, lattice_constant_nm):
    """Convert a conductance per unit-cell area (e^2/h) into Ohm^-1 m^-2.

    Parameters
    ----------
    g : float, complex or ndarray
        Conductance per unit-cell area in units of e^2/h.
    lattice_constant_nm : float
        Lattice constant a in nm (> 0).

    Returns
    -------
    Same type as ``g``: ``g (e^2/h) / a^2`` in Ohm^-1 m^-2.
    """
    if not np.all(np.asarray(lattice_constant_nm, dtype=float) > 0):
        raise BarrierInputError(f"lattice constant must be positive (nm); got {lattice_constant_nm}")
    a = lattice_constant_nm * 1e-9
    return g * E2_OVER_H / a ** 2


def to_house_mixing(g, lattice_constant_nm):
    """Conductance per unit-cell area (e^2/h) into the house unit 1e13 Ohm^-1 m^-2."""
    return per_area_si(g, lattice_constant_nm) / 1e13
