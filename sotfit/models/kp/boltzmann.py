"""Semiclassical (Boltzmann) current-induced spin density of a k·p model.

S = S^oc + S^in (seed 000_8a4db6caac2af419.txt, eqs. (8)-(9); seed 001_b50310ada81a69f7.txt,
eq. (4)):

* **Fermi surface, intra-band** S^oc: occupation change in the relaxation-time
  approximation, to first and second order in E (seed 000 eqs. (10)-(12)),

      f1 = (e tau / hbar) (E.d_k eps) f0'(eps),
      f2 = (e tau / hbar)^2 [ (E.d_k)^2 eps f0' + (E.d_k eps)^2 f0'' ],

  with e > 0 and electrons of charge -e (hbar dk/dt = -eE). The second-order term follows
  from the recursion eq. (11); seed 000 eq. (20) prints a prefactor (beta gamma e |E|)^2 that
  is dimensionally inconsistent with eq. (12) and is not used.
* **Fermi sea, inter-band (intrinsic)** S^in: the adiabatic correction of the Bloch states,

      S^in = -2 e sum_k sum_{n != m} f0(eps_n) Im[<n|s|m><m|E.dH/dk|n>] / (eps_n - eps_m)^2,

  which is the eta -> 0 limit of the Kubo-Bastin Fermi-sea term (seed 001 supplement
  eq. (11) with j = -e v) and equals seed 001 eq. (5) summed over the Fermi sea. Seed 000
  eq. (22) has the opposite overall sign for the same quantity (see docs/kp.md).

Results are returned per unit field: S/|E| in (hbar/2) nm^-2 per (V/nm) = 1/(V nm), and
S^oc(2)/|E|^2 in 1/V^2 (spin in units of hbar/2, Pauli spin operators).

Two integration routes: :func:`spin_density_t0` (T = 0, Fermi contours found exactly along
rays) and :func:`spin_density_grid` (finite temperature, one fixed polar grid for a whole
sweep of chemical potentials, with a resolution check).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from .grids import (BandData, GridError, GridWarning, KGrid, check_cutoff, check_resolution,
                    diagonalise,
                    polar_grid, max_band_slope)
from ...checks import check_number
from .contour_centres import star_shaped_partition
from .hamiltonians import HBAR_EV_PS

__all__ = ["SpinDensity", "spin_density_t0", "spin_density_grid", "intrinsic_kernel",
           "spin_gradient_kernel",
           "fermi", "fermi_d1", "fermi_d2", "band_hessian_along", "K_B_EV"]

#: Boltzmann constant in eV/K.
K_B_EV = 8.617333262e-5


@dataclass(frozen=True)
class SpinDensity:
    """Current-induced spin density per unit field, split by mechanism.

    Attributes
    ----------
    mu : ndarray (n_mu,)
        Chemical potentials (eV).
    surface : ndarray (n_mu, 3)
        Fermi-surface (intra-band, first order) part S^oc(1)/|E|, 1/(V nm).
    sea : ndarray (n_mu, 3)
        Fermi-sea (inter-band, intrinsic) part S^in/|E|, 1/(V nm).
    second : ndarray (n_mu, 3) or None
        Second-order intra-band part S^oc(2)/|E|^2, 1/V^2.
    meta : dict
        How it was computed (tau, T, grid sizes, convergence estimates).
    """

    mu: np.ndarray
    surface: np.ndarray
    sea: np.ndarray
    second: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    @property
    def total(self) -> np.ndarray:
        """Linear-response total S/|E| = surface + sea (1/(V nm))."""
        return self.surface + self.sea


def fermi(x, kT):
    """Fermi function of x = eps - mu (eV) at k_B T (eV); a step for kT = 0."""
    if kT == 0:
        return (np.asarray(x) < 0).astype(float)
    return expit(-np.asarray(x) / kT)


def fermi_d1(x, kT):
    """d f0 / d eps (1/eV) at k_B T > 0."""
    f = expit(-np.asarray(x) / kT)
    return -f * (1 - f) / kT


def fermi_d2(x, kT):
    """d^2 f0 / d eps^2 (1/eV^2) at k_B T > 0."""
    f = expit(-np.asarray(x) / kT)
    return f * (1 - f) * (1 - 2 * f) / kT**2


def _diag(a):
    return np.real(np.diagonal(a, axis1=-2, axis2=-1))


def intrinsic_kernel(bd: BandData, e_dir) -> np.ndarray:
    """Per-k, per-band current-induced spin texture delta s_n / |E| (1/(V) * nm), shape (3, N, nb).

    delta s_n = -2 sum_{m != n} Im[<n|s|m><m|e.dH|n>] / (eps_n - eps_m)^2 (units with e = 1:
    eV nm / eV^2 = nm/eV, i.e. per V/nm of field). Degenerate pairs (|eps_n - eps_m| below
    1e-12 eV) are skipped: their contribution cancels in the sum over the pair.
    """
    d = bd.dh_along(e_dir)                                        # (N, nb, nb)
    x = np.imag(bd.spin * np.swapaxes(d, -1, -2)[None])           # Im s_nm d_mn
    de = bd.eps[:, :, None] - bd.eps[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(np.abs(de) > 1e-12, 1.0 / de**2, 0.0)
    return -2.0 * np.sum(x * inv[None], axis=-1)


def spin_gradient_kernel(bd: BandData, e_dir) -> np.ndarray:
    """(e.d_k) <n|s|n> per k and band (nm), shape (3, N, nb), by first-order perturbation theory.

    (e.d_k) s_n = 2 sum_{m != n} Re[<n|s|m><m|e.dH|n>] / (eps_n - eps_m) for k-independent
    spin operators. Degenerate pairs (|eps_n - eps_m| below 1e-12 eV) are skipped: their terms
    are equal and opposite, so they cancel wherever both bands are equally occupied.
    """
    d = bd.dh_along(e_dir)
    x = np.real(bd.spin * np.swapaxes(d, -1, -2)[None])           # Re s_nm d_mn
    de = bd.eps[:, :, None] - bd.eps[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(np.abs(de) > 1e-12, 1.0 / de, 0.0)
    return 2.0 * np.sum(x * inv[None], axis=-1)


def band_hessian_along(model, bd: BandData, e_dir) -> np.ndarray:
    """(e.d_k)^2 eps_n (eV nm^2), shape (N, nb), by second-order perturbation theory.

    (e.d)^2 eps_n = <n|(e.d)^2 H|n> + 2 sum_{m != n} |<n|e.dH|m>|^2 / (eps_n - eps_m).
    """
    e = np.asarray(e_dir, float)
    d2 = model.d2h()
    h2 = sum(e[i] * e[j] * d2[i, j] for i in range(2) for j in range(2))
    h2b = np.conj(np.swapaxes(bd.vecs, -1, -2)) @ h2 @ bd.vecs
    d = bd.dh_along(e)
    de = bd.eps[:, :, None] - bd.eps[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(np.abs(de) > 1e-12, 1.0 / de, 0.0)
    return _diag(h2b) + 2 * np.sum(np.abs(d) ** 2 * inv, axis=-1)


def _e_dir(theta_e):
    return np.array([np.cos(theta_e), np.sin(theta_e)])


def spin_density_grid(model, mu, tau: float, temperature: float, theta_e: float = 0.0,
                      kmax: float | None = None, n_k: int | None = None, n_phi: int = 32,
                      second_order: bool = False, grid: KGrid | None = None,
                      check: bool = True, convergence_tol: float | None = None) -> SpinDensity:
    """Boltzmann spin density at finite temperature on one polar grid for all ``mu``.

    Parameters
    ----------
    model : KPModel
        The model (its valleys, from ``model.components()``, are summed).
    mu : float or array
        Chemical potentials (eV).
    tau : float
        Relaxation time (ps); seed 000 calls it gamma.
    temperature : float
        k_B T in eV (seed 000 uses 25.7 meV). Must be > 0 here; see :func:`spin_density_t0`.
    theta_e : float
        Direction of the in-plane field from x (rad).
    kmax : float
        Radius of the k-grid (1/nm). Required unless ``grid`` is given; for bands unbounded
        below (Dirac, TMDC valence band) it is also the cut-off of the Fermi-sea integral.
    n_k : int, optional
        Radial panels; by default just enough to resolve k_B T (see
        :func:`~sotfit.models.kp.grids.check_resolution`).
    n_phi : int
        Azimuths.
    second_order : bool
        Also compute S^oc(2) (needs ``model.d2h()``).
    grid : KGrid, optional
        A ready grid (then kmax/n_k/n_phi are ignored).
    check : bool
        Refuse grids that cannot resolve k_B T or whose radius cuts a Fermi contour (within
        12 k_B T) (:class:`GridError`).
    convergence_tol : float, optional
        If given, repeat the calculation on a grid with half the radial panels and half the
        azimuths (and on one with kmax reduced by 20 %, for the Fermi-sea cut-off) and warn
        (:class:`~sotfit.models.kp.grids.GridWarning`) when the largest relative change of
        S^oc or S^in exceeds it; the changes are stored in ``meta['convergence']``.

    Returns
    -------
    SpinDensity
    """
    mu = np.atleast_1d(np.asarray(mu, float))
    if not np.all(np.isfinite(mu)):
        raise ValueError(f"spin_density_grid: mu must be finite (eV), got {mu[~np.isfinite(mu)][:3]}")
    check_number("spin_density_grid: tau", tau, positive=True, unit="ps")
    if not temperature > 0:
        raise GridError(f"temperature k_B T = {temperature} eV: a fixed k-grid needs k_B T > 0; "
                        "use spin_density_t0 for T = 0")
    if not tau > 0:
        raise ValueError(f"relaxation time tau = {tau} ps must be positive")
    comps = model.components()
    if grid is None:
        grid = _thermal_grid(comps, temperature, kmax, n_k, n_phi)
    if check:
        check_resolution(grid, comps, temperature, "temperature k_B T", factor=1.0)
        check_cutoff(comps, grid.kmax, float(mu.min()), float(mu.max()), 12 * temperature)
    s1, sea, s2 = _grid_spin_densities(comps, grid, mu, tau, temperature, theta_e, second_order)
    meta = {"method": "boltzmann_grid", "tau_ps": tau, "kT_eV": temperature,
            "theta_e_rad": theta_e, "kmax_per_nm": grid.kmax, "n_points": grid.size,
            "n_phi": grid.n_phi}
    if convergence_tol is not None:
        meta["convergence"] = _grid_convergence(model, mu, tau, temperature, theta_e, grid, n_k,
                                                s1, sea, convergence_tol)
    return SpinDensity(mu=mu, surface=s1, sea=sea, second=s2, meta=meta)


def _thermal_grid(comps, temperature: float, kmax: float | None, n_k: int | None,
                  n_phi: int) -> KGrid:
    """Polar grid of radius ``kmax`` (1/nm) whose radial panels resolve k_B T (eV) by default."""
    if kmax is None:
        raise ValueError("spin_density_grid: give kmax (1/nm) or a grid")
    if n_k is None:
        slope = max(max_band_slope(c, kmax) for c in comps)
        n_k = int(np.ceil(kmax * slope / (0.5 * temperature)))
    return polar_grid(kmax, n_k, n_phi)


def _grid_spin_densities(comps, grid: KGrid, mu, tau: float, temperature: float, theta_e: float,
                         second_order: bool):
    """S^oc, S^in and S^oc(2) (or None) summed over the valleys ``comps``, each (n_mu, 3).

    Units as :class:`SpinDensity`: 1/(V nm) per unit field for the first order, 1/V^2 for the
    second; ``tau`` in ps, ``temperature`` (k_B T) in eV, ``theta_e`` in rad.
    """
    e = _e_dir(theta_e)
    t_h = tau / HBAR_EV_PS                                     # tau/hbar in 1/eV
    s1 = np.zeros((mu.size, 3))
    s2 = np.zeros((mu.size, 3)) if second_order else None
    sea = np.zeros((mu.size, 3))
    for comp in comps:
        bd = diagonalise(comp, grid.kx, grid.ky, grid.w)
        sn = _diag(bd.spin)                                    # (3, N, nb)
        slope_e = _diag(bd.dh_along(e))                        # e.d eps (eV nm)
        ds = intrinsic_kernel(bd, e)                           # (3, N, nb)
        hess = band_hessian_along(comp, bd, e) if second_order else None
        for i, m in enumerate(mu):
            x = bd.eps - m
            f1 = t_h * slope_e * fermi_d1(x, temperature)
            s1[i] += np.einsum("k,ckn,kn->c", bd.w, sn, f1)
            sea[i] += np.einsum("k,ckn,kn->c", bd.w, ds, fermi(x, temperature))
            if second_order:
                f2 = t_h**2 * (hess * fermi_d1(x, temperature)
                               + slope_e**2 * fermi_d2(x, temperature))
                s2[i] += np.einsum("k,ckn,kn->c", bd.w, sn, f2)
    return s1, sea, s2


def _relative_change(a, b) -> float:
    """Largest |a - b| relative to the largest |b| (dimensionless)."""
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def _grid_convergence(model, mu, tau: float, temperature: float, theta_e: float, grid: KGrid,
                      n_k: int | None, s1, sea, tol: float) -> dict:
    """Relative changes of S^oc and S^in on a coarser grid and a 20 % smaller kmax.

    Warns (:class:`GridWarning`) when the largest exceeds ``tol``; returns the four changes.
    """
    n_k_now = int(round(grid.kmax / grid.dk_max)) if n_k is None else n_k
    kw = dict(theta_e=theta_e, check=False)
    coarse = spin_density_grid(model, mu, tau, temperature, kmax=grid.kmax,
                               n_k=max(1, n_k_now // 2), n_phi=max(3, grid.n_phi // 2), **kw)
    short = spin_density_grid(model, mu, tau, temperature, kmax=0.8 * grid.kmax,
                              n_k=max(1, int(0.8 * n_k_now)), n_phi=grid.n_phi, **kw)
    rel = _relative_change
    conv = {"grid_surface": rel(coarse.surface, s1), "grid_sea": rel(coarse.sea, sea),
            "cutoff_sea": rel(short.sea, sea), "cutoff_surface": rel(short.surface, s1)}
    worst = max(conv, key=conv.get)
    if conv[worst] > tol:
        warnings.warn(f"Boltzmann k-grid not converged: {worst} changes by {conv[worst]:.2g} "
                      f"(> {tol:g}) on a coarser grid or smaller kmax "
                      f"(kmax = {grid.kmax:g} 1/nm, {grid.size} points); refine n_k, n_phi "
                      "or kmax", GridWarning, stacklevel=3)
    return conv


def _interval_nodes(edges, order):
    x, wx = np.polynomial.legendre.leggauss(order)
    a, b = edges[:-1, None], edges[1:, None]
    return (0.5 * (b - a) * x + 0.5 * (b + a)), (0.5 * (b - a) * wx)


def spin_density_t0(model, mu: float, tau: float, theta_e: float = 0.0, n_phi: int = 64,
                    kmax: float | None = None, order: int = 24, n_sub: int = 4,
                    n_sample: int = 400) -> SpinDensity:
    """Boltzmann spin density at T = 0 from exact Fermi contours (one chemical potential).

    The Fermi-surface part is the contour integral
    S^oc/|E| = -(tau/hbar) sum_n oint dl/(2pi)^2 s_n (e.d eps_n)/|d eps_n| evaluated at the
    Fermi wave vectors of each ray (:func:`~sotfit.models.kp.grids.ray_partition`); the
    Fermi-sea part integrates the intrinsic kernel over the intervals between Fermi wave
    vectors, where all occupations are constant, with ``n_sub`` Gauss-Legendre panels of
    ``order`` nodes each.

    The contour sum weighs each crossing by k/|d eps/dk|, which diverges where a ray grazes a
    contour: a contour that does not enclose k = 0 (a pocket or a band-touching point away
    from the origin, e.g. a Rashba ferromagnet magnetised in plane) would be summed with an
    error that falls only as the square root of the ray spacing. Where the number of Fermi
    wave vectors of a band differs between rays, the Fermi-surface part of that block is
    therefore taken from the identity (integration by parts over the disc |k| < kmax,
    f_n = theta(mu - eps_n))

        sum_n int s_n (e.d eps_n) delta(eps_n - mu) = sum_n [oint_kmax f_n s_n (e.k/|k|) dl
                                                         - int f_n (e.d) s_n d^2k],

    with (e.d) s_n from :func:`spin_gradient_kernel`, integrated on the Fermi-sea nodes: the
    integrand is bounded along every ray and vanishes where all bands are equally occupied.
    ``meta['fermi_surface']`` names the route taken for each block.

    Parameters
    ----------
    model : KPModel
    mu : float
        Chemical potential (eV).
    tau : float
        Relaxation time (ps).
    theta_e : float
        Field direction (rad from x).
    n_phi : int
        Azimuths.
    kmax : float
        Outer radius (1/nm): beyond it every band must lie above mu, except bands unbounded
        below, for which kmax is the Fermi-sea cut-off.
    order, n_sub : int
        Radial quadrature per interval.
    """
    mu = check_number("spin_density_t0: mu", mu, unit="eV")
    tau = check_number("spin_density_t0: tau", tau, positive=True, unit="ps")
    theta_e = check_number("spin_density_t0: theta_e", theta_e, unit="rad")
    e = _e_dir(theta_e)
    t_h = tau / HBAR_EV_PS
    s1 = np.zeros(3)
    sea = np.zeros(3)
    if kmax is None:
        raise ValueError("spin_density_t0: give kmax (1/nm)")
    # a Fermi contour beyond kmax is cut off: S came out zero (--kmax 0.01), no word
    check_cutoff(list(model.components()), kmax, mu, mu, 0.0)
    routes = []
    for comp in model.components():
        comp, part, star_shaped = star_shaped_partition(comp, mu, n_phi, kmax, n_sample)
        dphi = part.dphi
        # Fermi-surface contour sum
        ks, phis, bands = [], [], []
        for j, roots in enumerate(part.roots):
            for k, n in roots:
                ks.append(k)
                phis.append(part.phi[j])
                bands.append(n)
        by_parts = not star_shaped
        centre = getattr(comp, "center", (0.0, 0.0))
        routes.append("sea identity" if by_parts else
                      "contours about k = (%.6g, %.6g) 1/nm" % centre)
        if by_parts:
            # occupied bands at kmax: the boundary term of the identity
            phi = part.phi
            ev, vecs = np.linalg.eigh(comp.hamiltonian(part.kmax * np.cos(phi),
                                                       part.kmax * np.sin(phi)))
            occ_edge = (ev < mu).astype(float)                              # (n_phi, nb)
            sn = np.real(np.einsum("rin,cij,rjn->crn", np.conj(vecs), np.asarray(comp.spin),
                                   vecs))
            radial_e = e[0] * np.cos(phi) + e[1] * np.sin(phi)
            s1 += t_h * part.kmax * dphi / (2 * np.pi) ** 2 * np.einsum(
                "crn,rn,r->c", sn, occ_edge, radial_e)
        elif ks:
            ks, phis, bands = np.array(ks), np.array(phis), np.array(bands)
            bd = diagonalise(comp, ks * np.cos(phis), ks * np.sin(phis))
            idx = np.arange(ks.size)
            sn = _diag(bd.spin)[:, idx, bands]                  # (3, R)
            gx = _diag(bd.dh[0])[idx, bands]
            gy = _diag(bd.dh[1])[idx, bands]
            radial = np.abs(gx * np.cos(phis) + gy * np.sin(phis))
            along = gx * e[0] + gy * e[1]
            wgt = dphi / (2 * np.pi) ** 2 * ks / radial
            s1 += -t_h * np.sum(sn * along * wgt, axis=1)
        # Fermi-sea intervals
        kk, ww, occ_rows = [], [], []
        for j, roots in enumerate(part.roots):
            edges = np.unique(np.concatenate([[0.0], [r[0] for r in roots], [part.kmax]]))
            mids = 0.5 * (edges[:-1] + edges[1:])
            ev = np.linalg.eigvalsh(comp.hamiltonian(mids * np.cos(part.phi[j]),
                                                     mids * np.sin(part.phi[j])))
            occ = ev < mu
            for a, b, o in zip(edges[:-1], edges[1:], occ):
                if not o.any():
                    continue
                sub = np.linspace(a, b, n_sub + 1)
                nodes, wts = _interval_nodes(sub, order)
                kk.append(np.stack([nodes.ravel(), np.full(nodes.size, part.phi[j])]))
                ww.append((wts * nodes).ravel() * dphi / (2 * np.pi) ** 2)
                occ_rows.append(np.repeat(o[None], nodes.size, axis=0))
        if kk:
            kp = np.concatenate(kk, axis=1)
            w = np.concatenate(ww)
            occ = np.concatenate(occ_rows)
            bd = diagonalise(comp, kp[0] * np.cos(kp[1]), kp[0] * np.sin(kp[1]), w)
            ds = intrinsic_kernel(bd, e)
            sea += np.einsum("k,ckn,kn->c", w, ds, occ.astype(float))
            if by_parts:
                s1 -= t_h * np.einsum("k,ckn,kn->c", w, spin_gradient_kernel(bd, e),
                                      occ.astype(float))
    meta = {"method": "boltzmann_t0", "tau_ps": tau, "kT_eV": 0.0, "theta_e_rad": theta_e,
            "n_phi": n_phi, "kmax_per_nm": kmax, "order": order, "n_sub": n_sub,
            "fermi_surface": routes}
    return SpinDensity(mu=np.array([mu]), surface=s1[None], sea=sea[None], meta=meta)
