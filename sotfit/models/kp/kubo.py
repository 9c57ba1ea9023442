"""Kubo-Bastin spin density with constant broadening eta, exactly in the band basis.

Bastin formula for the response of an observable A to a uniform field E (Crépieux & Bruno,
PRB 64, 014416 (2001), eq. (2); seed 001_b50310ada81a69f7.txt eq. (3)), per unit area:

    delta<A> = i hbar int d eps f(eps) Tr[ A dG+/d eps J delta(eps - H) - A delta(eps - H) J dG-/d eps ]

with J = j.E/|E|, j = -e v the current operator of electrons (e > 0), G+- = (eps - H +- i eta)^-1
and delta(eps - H) = (G- - G+)/(2 pi i). Integrating half of each term by parts gives the
symmetrised Fermi-surface / Fermi-sea split of Bonbien & Manchon (PRB 102, 085113 (2020)):

    surface = -pi hbar int d eps f'(eps) sum_nm Re(A_nm J_mn) delta_n(eps) delta_m(eps),
    sea     = -2 hbar int d eps f(eps) sum_nm Im(A_nm J_mn) R'_m(eps) delta_n(eps),

where delta_n is a Lorentzian of half width eta at eps_n and R_n = Re G+_n. Their sum equals
the full Bastin expression identically (the boundary terms vanish).

Limits (checked in tests/test_kp_kubo.py):

* eta -> 0, intra-band surface term: -pi A_nn J_nn delta_n^2 -> (hbar / 2 eta) A_nn J_nn
  delta(mu - eps_n), i.e. the Boltzmann result with **tau = hbar / (2 eta)**. Seed 001 (Fig. 2
  caption) writes tau = hbar/eta; that holds if its eta is the full width at half maximum of
  the spectral Lorentzian (2 eta here). See docs/kp.md.
* eta -> 0, sea term: -> -2 e sum_n f_n sum_m Im(A_nm v_mn hbar) / (eps_n - eps_m)^2, the
  intrinsic Boltzmann term (seed 001 supplement eq. (11); :func:`.boltzmann.intrinsic_kernel`).

At T = 0 every energy integral is done in closed form (rational functions of eps), so
surface + sea and the full Bastin expression are evaluated independently and agree to
rounding. Finite temperature: :func:`thermal_average` convolves T = 0 results with -f'.

Units: spin in hbar/2 (Pauli), results per unit field in 1/(V nm) (e = 1, energies in eV,
dH/dk in eV nm, k-weights in 1/nm^2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .grids import KGrid, check_cutoff, check_resolution, diagonalise

__all__ = ["KuboResult", "kubo_bastin", "lorentz_primitive", "thermal_average"]


@dataclass(frozen=True)
class KuboResult:
    """Kubo-Bastin spin density per unit field (1/(V nm)) at T = 0.

    Attributes
    ----------
    mu : ndarray (n_mu,)
        Chemical potentials (eV).
    surface, sea : ndarray (n_mu, 3)
        Fermi-surface and Fermi-sea terms (Bonbien-Manchon split).
    surface_intra : ndarray (n_mu, 3)
        Intra-band (n = m) part of the surface term.
    bastin : ndarray (n_mu, 3) or None
        Full Bastin formula evaluated directly (when requested).
    eta : float
        Broadening (eV).
    """

    mu: np.ndarray
    surface: np.ndarray
    sea: np.ndarray
    surface_intra: np.ndarray
    bastin: np.ndarray | None
    eta: float
    meta: dict = field(default_factory=dict)

    @property
    def total(self) -> np.ndarray:
        return self.surface + self.sea


def _sgn_im(z):
    return np.sign(np.imag(z))


def lorentz_primitive(p, q, mu):
    """F(p, q) = int_{-inf}^{mu} d eps / ((eps - p)^2 (eps - q)) for complex p, q off the real axis.

    Closed form by partial fractions; for |q - p| small compared with the distance of p from
    the integration path a power series in (q - p) is used instead (no cancellation). The
    branch of the logarithms follows the sign of Im p, Im q (both non-zero).
    """
    p, q, mu = np.broadcast_arrays(np.asarray(p, complex), np.asarray(q, complex),
                                   np.asarray(mu, float))
    d = q - p
    up = mu - p
    # distance from p to the half line (-inf, mu]
    dist = np.where(np.real(p) <= mu, np.abs(np.imag(p)), np.abs(up))
    use_series = np.abs(d) < 0.05 * dist
    out = np.empty(p.shape, complex)
    s = use_series
    if np.any(s):
        ds, us = d[s], up[s]
        acc = np.zeros(ds.shape, complex)
        ratio = ds / us
        term = 1.0 / us**2
        for j in range(24):
            acc -= term / (j + 2)
            term = term * ratio
        out[s] = acc
    ns = ~s
    if np.any(ns):
        pp, qq, uu, dd = p[ns], q[ns], up[ns], d[ns]
        lim = 1j * np.pi * (_sgn_im(pp) - _sgn_im(qq))
        logs = np.log(mu[ns] - qq) - np.log(uu) - lim
        out[ns] = 1.0 / (dd * uu) + logs / dd**2
    return out


def _pair_integrals(eps, eta, mu, full: bool = True):
    """Closed-form energy integrals for every band pair at T = 0.

    Returns (I_plus, I_minus, I_sea), each (..., nb, nb) indexed [n, m]:
    I_plus  = int^mu dG+_m/d eps delta_n,  I_minus = int^mu delta_m dG-_n/d eps,
    I_sea   = int^mu R'_m delta_n  (real). With ``full=False`` only I_sea is computed
    (I_plus, I_minus are None). Uses F(conj p, conj q) = conj F(p, q) for real mu, so that
    I_sea = -Im[F(a_m, conj a_n) - F(a_m, a_n)] / (2 pi) with a = eps - i eta.
    """
    a = eps - 1j * eta          # poles of G+
    ab = eps + 1j * eta         # poles of G-
    an = a[..., :, None]        # index n
    am = a[..., None, :]        # index m
    abn = ab[..., :, None]
    abm = ab[..., None, :]
    c = 1.0 / (2j * np.pi)
    F = lambda p, q: lorentz_primitive(p, q, mu)  # noqa: E731
    plus = F(am, abn) - F(am, an)
    i_sea = -np.imag(plus) / (2 * np.pi)
    if not full:
        return None, None, i_sea
    i_plus = -c * plus
    i_minus = -c * (F(abn, abm) - F(abn, am))
    return i_plus, i_minus, i_sea


def kubo_bastin(model, mu, eta: float, grid: KGrid, theta_e: float = 0.0,
                full_bastin: bool = False, check: bool = True,
                operator: str = "spin") -> KuboResult:
    """Kubo-Bastin spin density (T = 0) of ``model`` on ``grid`` for chemical potentials ``mu``.

    Parameters
    ----------
    model : KPModel
        Valleys (``model.components()``) are summed.
    mu : float or array
        Chemical potentials (eV).
    eta : float
        Constant broadening (eV), G+- = (eps - H +- i eta)^-1.
    grid : KGrid
        k-points and weights; a uniform polar grid is checked against eta
        (:func:`~sotfit.models.kp.grids.check_resolution`, factor 1) unless ``check=False``
        (adapted grids from :func:`~sotfit.models.kp.grids.fermi_adapted_grid` are fine).
    theta_e : float
        Field direction (rad from x).
    full_bastin : bool
        Also evaluate the undecomposed Bastin formula (for the identity check).
    operator : ``'spin'`` or ``'current'``
        Observable A: the spin operators (3 components) or the charge current j = -e v
        (components x, y, 0; per unit field this is the conductivity in e^2/hbar units
        times 1/(2 pi)... used for the sign check sigma_xx > 0).

    Returns
    -------
    KuboResult
    """
    mu = np.atleast_1d(np.asarray(mu, float))
    if not eta > 0:
        raise ValueError(f"broadening eta = {eta} eV must be positive")
    comps = model.components()
    if check:
        check_resolution(grid, comps, eta, "broadening eta", factor=1.0)
        check_cutoff(comps, grid.kmax, float(mu.min()), float(mu.max()), 10 * eta)
    e = np.array([np.cos(theta_e), np.sin(theta_e)])
    surf = np.zeros((mu.size, 3))
    intra = np.zeros((mu.size, 3))
    sea = np.zeros((mu.size, 3))
    bast = np.zeros((mu.size, 3)) if full_bastin else None
    for comp in comps:
        bd = diagonalise(comp, grid.kx, grid.ky, grid.w)
        d = bd.dh_along(e)                                  # e.dH in band basis (eV nm)
        if operator == "spin":
            A = bd.spin
        elif operator == "current":
            A = np.stack([-bd.dh[0], -bd.dh[1], np.zeros_like(bd.dh[0])])
        else:
            raise ValueError(f"operator must be 'spin' or 'current', got {operator!r}")
        # X_nm = A_nm J_mn with hbar J = -e.dH (e = 1)
        X = -A * np.swapaxes(d, -1, -2)[None]               # (3, N, nb, nb)
        for i, m in enumerate(mu):
            x = bd.eps - m
            dl = (eta / np.pi) / (x**2 + eta**2)            # delta_n(mu)
            dd = dl[:, :, None] * dl[:, None, :]
            s_nm = np.pi * np.real(X) * dd[None]            # -pi hbar f' -> +pi delta(eps-mu)
            surf[i] += np.einsum("k,ckij->c", bd.w, s_nm)
            intra[i] += np.einsum("k,ckii->c", bd.w, s_nm)
            i_plus, i_minus, i_sea = _pair_integrals(bd.eps, eta, m, full=full_bastin)
            sea[i] += np.einsum("k,ckij->c", bd.w, -2 * np.imag(X) * i_sea[None])
            if full_bastin:
                integ = X * (i_plus[None] - i_minus[None])
                bast[i] += np.einsum("k,ckij->c", bd.w, np.real(1j * integ))
    meta = {"method": "kubo_bastin_t0", "eta_eV": eta, "theta_e_rad": theta_e,
            "n_points": grid.size, "operator": operator}
    return KuboResult(mu=mu, surface=surf, sea=sea, surface_intra=intra, bastin=bast,
                      eta=float(eta), meta=meta)


def thermal_average(mu_grid, values, mu, kT: float):
    """Finite-temperature response from T = 0 results: int d mu' (-df/d mu')(mu' - mu) S(mu').

    Exact for every term linear in the occupation (Fermi surface and Fermi sea alike).

    Parameters
    ----------
    mu_grid : array (n,)
        Uniform chemical-potential grid (eV) of the T = 0 results; must extend at least
        20 k_B T beyond the requested ``mu``.
    values : array (n, ...)
        T = 0 results on ``mu_grid``.
    mu : float or array
        Chemical potentials (eV) wanted.
    kT : float
        k_B T (eV).
    """
    mu_grid = np.asarray(mu_grid, float)
    values = np.asarray(values, float)
    mu = np.atleast_1d(mu)
    if kT <= 0:
        raise ValueError(f"k_B T = {kT} eV must be positive")
    step = np.diff(mu_grid)
    if not np.allclose(step, step[0], rtol=1e-6):
        raise ValueError("thermal_average: mu_grid must be uniform")
    if step[0] > 0.5 * kT:
        raise ValueError(f"thermal_average: mu_grid step {step[0]:.3g} eV is coarser than k_B T/2 "
                         f"= {kT / 2:.3g} eV")
    if mu.min() - 20 * kT < mu_grid[0] or mu.max() + 20 * kT > mu_grid[-1]:
        raise ValueError("thermal_average: mu_grid must extend 20 k_B T beyond the requested mu")
    out = []
    for m0 in mu:
        x = (mu_grid - m0) / kT
        w = 0.25 / np.cosh(0.5 * x) ** 2 / kT * step[0]
        out.append(np.tensordot(w, values, axes=(0, 0)))
    return np.array(out)
