"""Non-perturbative (T-matrix) spin-orbit torques of the disordered 2D Rashba ferromagnet.

Source: seed 002_acb2a8e60c4cb8a9.txt (Veneri, Perkins, Ferreira), eqs. (3)-(4)
(torque efficiencies), (5)-(9) and (28) (model), (10)-(27) (T-matrix, averaged
Green's functions, generalised diffuson, Kubo-Streda response), (31)-(36) (Born
limit and weak-scattering results). The full derivation, the conventions and the
points where this implementation departs from the printed equations are in
``docs/tmatrix.md``.

Model
-----
``H_k = k^2/2m + alpha (k_x s_y - k_y s_x) + Delta_xc m.s`` (seed 002 eqs. 6-8 with
the SU(2) gauge field of eq. 7), ``m = (sin theta, 0, cos theta)`` (eq. 28), plus
dilute short-range scalar impurities ``W(r) = u R^2 delta(r)`` of areal density
``n`` (eq. 9). The single-impurity T-matrix is ``T = W (1 - W g0)^-1`` with the
momentum-integrated clean Green's function ``g0`` (eqs. 16a-b); ``Re g0`` is
logarithmically divergent and is regularised by a sharp momentum cutoff
``|k| < Lambda`` (default ``Lambda = 1/R``, the inverse range of the potential).

Dilute (leading order in n) evaluation
--------------------------------------
All response functions are evaluated to leading order in the impurity density,
``K ~ 1/n`` and ``sigma ~ 1/n`` (the order of every result of seed 002, eqs. 33-36).
At that order the products ``G+ G-`` of disorder-averaged Green's functions
(eq. 15 with ``Sigma = n T``, eq. 32) are resolved on the Fermi rings,
``G+_k A G-_k -> (pi / Gamma_k) delta(eps - E_k) P_k A P_k`` with the band-projected
broadening ``Gamma_k = -n Im tr[P_k T+]``, and every momentum integral becomes a
line integral over the (anisotropic) Fermi rings, done numerically on rays in
momentum space (no expansion in ``m_x``). The interband (coherent) parts of the
bubbles are of order ``n^0`` and are dropped consistently.

The generalised diffuson ``D = (1 - M)^-1`` (eq. 21) is singular at this order:
particle-number conservation (the Ward identity behind the optical theorem)
gives ``M`` an eigenvalue exactly 1 (the charge mode). The physical response is
obtained by fixing that zero mode by charge neutrality (no change of the
electron density under a uniform static field), see :func:`diffuson`.

Internal units: energies in meV, lengths in nm, hbar = 1 (momenta in nm^-1,
velocities ``dH/dk`` in meV nm, the impurity strength ``W = u R^2`` in meV nm^2).
Public functions take house units (eV, nm, nm^-2, rad) and return SI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import constants as _c

from ...units import E_CHARGE, HBAR

__all__ = [
    "TMatrixError", "DiluteLimitError", "BandExtremumError", "RashbaFerromagnet", "FermiContour", "TMatrixResponse",
    "PAULI", "HBAR2_2ME_MEV_NM2", "fermi_contour", "band_bottom", "clean_local_green",
    "clean_local_green_isotropic", "t_matrix", "self_energy", "averaged_green",
    "upsilon_matrix", "n_matrix", "diffuson", "response", "torque_efficiencies",
    "charge_to_spin_efficiency", "band_edges", "critical_angle", "dilute_scale", "MIN_RAYS",
]

#: Fewest rays of a Fermi-contour discretisation.
MIN_RAYS = 8

#: hbar^2 / (2 m_e) in meV nm^2 (about 38.1).
HBAR2_2ME_MEV_NM2 = _c.hbar ** 2 / (2 * _c.m_e) / (1e-3 * _c.e) / 1e-18

#: Pauli basis s_0, s_x, s_y, s_z, shape (4, 2, 2).
PAULI = np.array([
    [[1, 0], [0, 1]],
    [[0, 1], [1, 0]],
    [[0, -1j], [1j, 0]],
    [[1, 0], [0, -1]],
], dtype=complex)

#: Electron charge with its sign (seed 002 uses e < 0), C.
E_SIGNED = -E_CHARGE


class TMatrixError(ValueError):
    """Parameters outside the range where the T-matrix theory applies."""


class DiluteLimitError(TMatrixError):
    """Disorder broadening not small against the band splitting (n Gamma vs alpha p_F)."""


class BandExtremumError(DiluteLimitError):
    """Fermi level exactly at a band extremum or degeneracy (a Fermi ring of zero size).

    The distance to the extremum (or the band splitting) is zero there, so no disorder
    broadening is small against it: the limiting case of :class:`DiluteLimitError`. Maps
    over many points mask such points like the other non-dilute ones.
    """


@dataclass(frozen=True)
class RashbaFerromagnet:
    """The disordered 2D Rashba ferromagnet of seed 002 (eqs. 5-9, 28).

    Parameters
    ----------
    fermi_energy : float
        Fermi energy ``eps`` measured from the bottom of the parabolic band
        without spin splitting (the zero of ``k^2/2m``), eV.
    exchange : float
        Exchange (proximity Zeeman) energy ``Delta_xc`` >= 0, eV.
    alpha : float
        Rashba coupling ``alpha_R = hbar alpha`` (seed 002 quotes 1.7e-11 eV m =
        0.017 eV nm), eV nm.
    theta : float
        Polar angle of the magnetisation from +z, ``m = (sin theta, 0, cos theta)``
        (eq. 28), rad.
    u : float
        Impurity potential ``u`` of ``W(r) = u R^2 delta(r)``, eV (either sign).
    radius : float
        Range ``R`` of the impurity potential, nm.
    density : float
        Areal impurity density ``n``, nm^-2 (5e14 m^-2 = 5e-4 nm^-2).
    mass : float
        Effective mass ``m*/m_e`` (0.8 in seed 002).
    cutoff : float or None
        Momentum cutoff ``Lambda`` of ``Re g0`` (eq. 16b), nm^-1; ``None`` means
        ``1/R``.
    """

    fermi_energy: float
    exchange: float
    alpha: float
    theta: float
    u: float
    radius: float
    density: float
    mass: float = 0.8
    cutoff: float | None = None

    def __post_init__(self):
        for name in ("fermi_energy", "exchange", "alpha", "theta", "u", "radius", "density",
                     "mass"):
            v = getattr(self, name)
            if not np.isfinite(v):
                raise TMatrixError(f"parameter {name!r} = {v} is not finite")
        for name in ("radius", "density", "mass"):
            if getattr(self, name) <= 0:
                raise TMatrixError(f"parameter {name!r} = {getattr(self, name)} must be positive")
        if self.exchange < 0:
            raise TMatrixError(f"parameter 'exchange' = {self.exchange} eV must be >= 0 "
                               "(reverse the magnetisation with theta instead)")
        if self.cutoff is not None and not (np.isfinite(self.cutoff) and self.cutoff > 0):
            raise TMatrixError(f"parameter 'cutoff' = {self.cutoff} nm^-1 must be positive")

    # ---- internal units (meV, nm, hbar = 1) ----
    @property
    def c2(self) -> float:
        """``hbar^2 / 2m*`` in meV nm^2."""
        return HBAR2_2ME_MEV_NM2 / self.mass

    @property
    def eps(self) -> float:
        """Fermi energy in meV."""
        return 1e3 * self.fermi_energy

    @property
    def a(self) -> float:
        """Rashba ``hbar alpha`` in meV nm."""
        return 1e3 * self.alpha

    @property
    def delta_vec(self) -> np.ndarray:
        """Exchange vector ``Delta_xc m`` in meV."""
        d = 1e3 * self.exchange
        return np.array([d * math.sin(self.theta), 0.0, d * math.cos(self.theta)])

    @property
    def w(self) -> float:
        """Impurity strength ``W = u R^2`` in meV nm^2."""
        return 1e3 * self.u * self.radius ** 2

    @property
    def lam(self) -> float:
        """Momentum cutoff in nm^-1."""
        return self.cutoff if self.cutoff is not None else 1.0 / self.radius

    @property
    def m_vec(self) -> np.ndarray:
        """Unit magnetisation (eq. 28)."""
        return np.array([math.sin(self.theta), 0.0, math.cos(self.theta)])

    def hamiltonian(self, kx, ky) -> np.ndarray:
        """Clean Bloch Hamiltonian ``H_k`` (meV) at momenta ``kx, ky`` (nm^-1), shape (..., 2, 2)."""
        kx = np.asarray(kx, dtype=float)
        ky = np.asarray(ky, dtype=float)
        d = self.delta_vec
        h0 = self.c2 * (kx ** 2 + ky ** 2)
        bx = -self.a * ky + d[0]
        by = self.a * kx + d[1]
        bz = np.full_like(h0, d[2])
        coeff = np.stack([h0, bx, by, bz], axis=-1)
        return np.einsum("...a,aij->...ij", coeff.astype(complex), PAULI)

    def with_(self, **kw) -> "RashbaFerromagnet":
        """A copy with some fields changed."""
        return replace(self, **kw)


@dataclass
class FermiContour:
    """Fermi-ring points on ``n_phi`` rays, with their quadrature weights.

    Attributes (``P`` = number of points)
    ----------
    phi, k : (P,) ndarray
        Polar coordinates of the points, rad and nm^-1.
    band : (P,) ndarray of +-1
        Band index (``E = k^2/2m + band |b_k|``).
    weight : (P,) ndarray
        ``dphi / (2 pi)^2 * k / |dE/dk|`` so that ``sum weight F`` approximates
        ``sum_bands int d^2k/(2pi)^2 delta(eps - E_k) F(k)``, meV^-1 nm^-2.
    spin : (P, 4) ndarray
        ``(1, <s_x>, <s_y>, <s_z>)`` of the band state (so ``P_k = spin . s / 2``).
    velocity : (P, 2) ndarray
        Band velocity ``dE/dk`` (= ``<dH/dk>``), meV nm.
    splitting : (P,) ndarray
        Band splitting ``2 |b_k|`` at the point, meV.
    n_phi : int
        Number of rays.
    kinetic : (P,) ndarray
        ``|v|^2 / (4 hbar^2/2m)``: the distance to the band extremum for a parabolic band, meV.
    """

    phi: np.ndarray
    k: np.ndarray
    band: np.ndarray
    weight: np.ndarray
    spin: np.ndarray
    velocity: np.ndarray
    splitting: np.ndarray
    n_phi: int
    kinetic: np.ndarray | None = None

    @property
    def projectors(self) -> np.ndarray:
        """Band projectors ``P_k``, shape (P, 2, 2)."""
        return 0.5 * np.einsum("pa,aij->pij", self.spin.astype(complex), PAULI)

    @property
    def density_of_states(self) -> float:
        """Density of states per area at the Fermi level, meV^-1 nm^-2."""
        return float(self.weight.sum())


def _ray_roots(e, a, c2, d, center, phi):
    """Roots ``s`` of the Fermi-level quartic on rays ``k = K + s n(phi)``, shape (B, n_phi, 4).

    With ``e' = eps - c2 |K|^2``, ``beta = 2 c2 K.n``, ``b0 = b(K)``, ``bt = b0 . t`` (``t`` the
    unit vector perpendicular to ``n``): ``(c2 s^2 + beta s - e')^2 = alpha^2 s^2 + 2 alpha bt s
    + |b0|^2``. Returns the roots and the (B, n_phi, 5) polynomial coefficients (highest first).
    Arguments: ``e, a, c2`` (B,), ``d`` (B, 3), ``center`` (B, 2), internal units.
    """
    cs, sn = np.cos(phi)[None], np.sin(phi)[None]
    kx, ky = center[:, 0, None], center[:, 1, None]
    ep = (e - c2 * (center ** 2).sum(axis=1))[:, None]
    c2b = c2[:, None]
    ab = a[:, None]
    beta = 2 * c2b * (kx * cs + ky * sn)
    b0x = -ab * ky + d[:, 0, None]
    b0y = ab * kx + d[:, 1, None]
    b0z = d[:, 2, None]
    bt = -b0x * sn + b0y * cs
    b0sq = b0x ** 2 + b0y ** 2 + b0z ** 2
    coef = np.stack(np.broadcast_arrays(
        c2b ** 2, 2 * c2b * beta, beta ** 2 - 2 * c2b * ep - ab ** 2, -2 * (beta * ep + ab * bt),
        ep ** 2 - b0sq), axis=-1)
    mon = coef[..., 1:] / coef[..., :1]
    comp = np.zeros(mon.shape[:-1] + (4, 4))
    comp[..., 0, :] = -mon
    comp[..., 1, 0] = comp[..., 2, 1] = comp[..., 3, 2] = 1.0
    return np.linalg.eigvals(comp), coef


def _band_minimum_y(e, a, c2, d, band):
    """``k_y`` of the minimum of band ``band`` on the mirror line ``k_x = 0`` (m in the x-z plane)."""
    dx, dz = d[:, 0], d[:, 2]
    ymax = np.abs(dx) / np.maximum(np.abs(a), 1e-300) + np.sqrt(
        np.linalg.norm(d, axis=1) / c2) + np.abs(a) / c2
    y = np.linspace(-1, 1, 801)[None, :] * ymax[:, None]
    f = c2[:, None] * y ** 2 + band * np.sqrt((dx[:, None] - a[:, None] * y) ** 2 + dz[:, None] ** 2)
    i = np.argmin(f, axis=1)
    y0 = y[np.arange(y.shape[0]), i]
    h = ymax / 400
    for _ in range(40):  # golden-section-free refinement: parabola through three points
        fm, f0, fp = (c2 * yy ** 2 + band * np.sqrt((dx - a * yy) ** 2 + dz ** 2)
                      for yy in (y0 - h, y0, y0 + h))
        den = fm - 2 * f0 + fp
        step = np.where(den > 0, 0.5 * h * (fm - fp) / np.where(den > 0, den, 1.0), 0.0)
        y0 = y0 + np.clip(step, -h, h)
        h = h / 2
    return y0


def _contour_batch(e, a, c2, d, n_phi):
    """Fermi points of B models at once (internal units). See :func:`fermi_contour`.

    Every band is traced on rays from a centre inside its filled region so that no ray
    grazes a ring (a grazing ray makes ``s/|dE/ds|`` diverge and the trapezoid rule slow):
    the origin when it is filled or enclosed by the ring (every ray crosses), otherwise the
    band minimum on the mirror line ``k_x = 0``.

    Returns a dict of flat point arrays (``seg`` = model index, sorted), and the roots of
    the rays from the origin (reused for ``Re g0``).
    """
    bsz = e.size
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    zero = np.zeros((bsz, 2))
    roots0, coef0 = _ray_roots(e, a, c2, d, zero, phi)
    dnorm = np.linalg.norm(d, axis=1)
    kscale = np.sqrt(np.maximum(np.abs(e), dnorm) / c2) + np.abs(a) / c2 + 1e-300
    parts = []

    def points(roots, coef, center, keep_band):
        real = (np.abs(roots.imag) <= 1e-7 * kscale[:, None, None]) & \
            (roots.real > 1e-12 * kscale[:, None, None])
        ib, ip, _ = np.nonzero(real)
        s = roots.real[real]
        cf = coef[ib, ip]
        for _ in range(3):  # Newton polish on the real quartic
            q = (((cf[:, 0] * s + cf[:, 1]) * s + cf[:, 2]) * s + cf[:, 3]) * s + cf[:, 4]
            dq = ((4 * cf[:, 0] * s + 3 * cf[:, 1]) * s + 2 * cf[:, 2]) * s + cf[:, 3]
            s = s - np.divide(q, dq, out=np.zeros_like(q), where=dq != 0)
        ph = phi[ip]
        kx = center[ib, 0] + s * np.cos(ph)
        ky = center[ib, 1] + s * np.sin(ph)
        bx = -a[ib] * ky + d[ib, 0]
        by = a[ib] * kx + d[ib, 1]
        bz = d[ib, 2]
        bn = np.sqrt(bx ** 2 + by ** 2 + bz ** 2)
        band = np.where(e[ib] - c2[ib] * (kx ** 2 + ky ** 2) >= 0, 1.0, -1.0)
        sel = keep_band[ib, (band > 0).astype(int)] & (bn > 1e-12 * np.maximum(1.0, np.abs(e[ib])))
        return ib, ip, s, kx, ky, bx, by, bz, bn, band, sel

    # which bands are fine from the origin: filled at k = 0, or crossed on every ray
    ib, ip, s, kx, ky, bx, by, bz, bn, band, _ = points(roots0, coef0, zero, np.ones((bsz, 2), bool))
    crossed = np.zeros((bsz, 2, n_phi), bool)
    crossed[ib, (band > 0).astype(int), ip] = True
    filled0 = np.stack([-dnorm < e, dnorm < e], axis=1)  # E_-(0) = -|Delta|, E_+(0) = |Delta|
    origin_ok = filled0 | crossed.all(axis=2)
    exists = crossed.any(axis=2) | filled0
    parts.append(points(roots0, coef0, zero, origin_ok) + (zero,))
    g0_center = np.zeros((bsz, 2))
    for j, sign in ((0, -1.0), (1, 1.0)):
        need = exists[:, j] & ~origin_ok[:, j]
        if not np.any(need):
            continue
        center = np.zeros((bsz, 2))
        center[:, 1] = _band_minimum_y(e, a, c2, d, sign)
        g0_center[need] = center[need]
        keep = np.zeros((bsz, 2), bool)
        keep[:, j] = need
        rr, cf = _ray_roots(e, a, c2, d, center, phi)
        parts.append(points(rr, cf, center, keep) + (center,))
    cols = {key: [] for key in ("seg", "phi_ray", "s", "kx", "ky", "bx", "by", "bz", "bn", "band",
                                "cx", "cy")}
    for ib, ip, s, kx, ky, bx, by, bz, bn, band, sel, center in parts:
        for key, val in zip(("seg", "phi_ray", "s", "kx", "ky", "bx", "by", "bz", "bn", "band"),
                            (ib, phi[ip], s, kx, ky, bx, by, bz, bn, band)):
            cols[key].append(val[sel])
        cols["cx"].append(center[ib, 0][sel])
        cols["cy"].append(center[ib, 1][sel])
    pts = {key: np.concatenate(v) for key, v in cols.items()}
    order = np.argsort(pts["seg"], kind="stable")
    pts = {key: v[order] for key, v in pts.items()}
    ib = pts["seg"]
    band, bn = pts["band"], pts["bn"]
    spin = np.stack([np.ones_like(bn), band * pts["bx"] / bn, band * pts["by"] / bn,
                     band * pts["bz"] / bn], axis=1)
    vx = 2 * c2[ib] * pts["kx"] + a[ib] * spin[:, 2]
    vy = 2 * c2[ib] * pts["ky"] - a[ib] * spin[:, 1]
    dsde = vx * np.cos(pts["phi_ray"]) + vy * np.sin(pts["phi_ray"])  # dE/ds along the ray
    with np.errstate(divide="ignore"):
        weight = (2 * np.pi / n_phi) / (2 * np.pi) ** 2 * pts["s"] / np.abs(dsde)
    pts.update(spin=spin, velocity=np.stack([vx, vy], axis=1), weight=weight,
               kinetic=(vx ** 2 + vy ** 2) / (4 * c2[ib]), counts=np.bincount(ib, minlength=bsz),
               g0_center=g0_center)
    shifted = np.any(g0_center != 0, axis=1)
    roots_g, coef_g = roots0, coef0
    if np.any(shifted):
        rs, cs_ = _ray_roots(e[shifted], a[shifted], c2[shifted], d[shifted], g0_center[shifted], phi)
        roots_g, coef_g = roots0.copy(), coef0.copy()
        roots_g[shifted], coef_g[shifted] = rs, cs_
    return pts, roots_g, coef_g


def fermi_contour(model: RashbaFerromagnet, n_phi: int = 256) -> FermiContour:
    """Points of the Fermi rings on ``n_phi`` equally spaced rays (trapezoid rule in phi).

    On each ray ``k = K + s n(phi)`` the crossings ``E_nu(k) = eps`` are the positive real
    roots of the quartic ``(eps - k^2/2m)^2 = |b_k|^2`` (seed 002, Fig. 2 geometry); the band
    follows from the sign of ``eps - k^2/2m``. The centre ``K`` is the origin, or, for a ring
    that neither contains nor encloses the origin (the upper band just above the spin gap
    when ``m_x != 0``), the band minimum; then the integrand is smooth in ``phi`` and the
    trapezoid rule converges exponentially.

    Parameters
    ----------
    model : RashbaFerromagnet
    n_phi : int
        Number of rays per centre.

    Returns
    -------
    FermiContour

    Raises
    ------
    TMatrixError
        If the Fermi energy lies below the bottom of the lower band (no Fermi ring).
    """
    n_phi = int(n_phi)
    if n_phi < MIN_RAYS:
        raise TMatrixError(f"n_phi = {n_phi}: need at least {MIN_RAYS} rays")
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    if model.a == 0 and not np.any(model.delta_vec):
        return _degenerate_contour(model, phi)
    pts, _, _ = _contour_batch(np.array([model.eps]), np.array([model.a]), np.array([model.c2]),
                               model.delta_vec[None, :], n_phi)
    return _contour_from_points(model, pts, n_phi)


def _contour_from_points(model, pts, n_phi) -> FermiContour:
    if pts["s"].size == 0:
        e_min = band_bottom(model)
        raise TMatrixError(
            f"fermi_energy = {model.fermi_energy:g} eV lies below the bottom of the lower band "
            f"({e_min:g} eV): there is no Fermi surface")
    if not np.all(np.isfinite(pts["weight"])):
        raise BandExtremumError("Fermi level exactly at a band extremum (zero Fermi velocity); "
                           "shift fermi_energy slightly")
    kx, ky = pts["kx"], pts["ky"]
    return FermiContour(phi=np.arctan2(ky, kx), k=np.hypot(kx, ky), band=pts["band"],
                        weight=pts["weight"], spin=pts["spin"], velocity=pts["velocity"],
                        splitting=2 * pts["bn"], n_phi=n_phi, kinetic=pts["kinetic"])


def _degenerate_contour(model: RashbaFerromagnet, phi: np.ndarray) -> FermiContour:
    """alpha = Delta_xc = 0: one spin-degenerate ring; spins quantised along z."""
    if model.eps <= 0:
        raise TMatrixError(
            f"fermi_energy = {model.fermi_energy:g} eV lies below the bottom of the lower band "
            "(0 eV): there is no Fermi surface")
    n_phi = phi.size
    kf = math.sqrt(model.eps / model.c2)
    ph = np.concatenate([phi, phi])
    k = np.full(ph.size, kf)
    band = np.concatenate([np.ones(n_phi), -np.ones(n_phi)])
    weight = np.full(ph.size, (2 * np.pi / n_phi) / (2 * np.pi) ** 2 * kf / (2 * model.c2 * kf))
    spin = np.stack([np.ones_like(k), 0 * k, 0 * k, band], axis=1)
    vel = 2 * model.c2 * kf * np.stack([np.cos(ph), np.sin(ph)], axis=1)
    return FermiContour(phi=ph, k=k, band=band, weight=weight, spin=spin, velocity=vel,
                        splitting=np.zeros_like(k), n_phi=n_phi, kinetic=np.full_like(k, model.eps))


def band_bottom(model: RashbaFerromagnet) -> float:
    """Minimum of the lower band ``E_-(k) = k^2/2m - |b_k|``, eV.

    A grid search over the plane followed by a bounded refinement on the best ray.
    """
    from scipy.optimize import minimize_scalar

    d = model.delta_vec
    kmax = 2 * (abs(model.a) / model.c2 + math.sqrt(float(np.linalg.norm(d)) / model.c2) + 1e-3)

    def e_minus(k, ph):
        bx = -model.a * k * np.sin(ph) + d[0]
        by = model.a * k * np.cos(ph) + d[1]
        return model.c2 * k * k - np.sqrt(bx * bx + by * by + d[2] ** 2)

    kk, pp = np.meshgrid(np.linspace(0.0, kmax, 201), np.linspace(0, 2 * np.pi, 145)[:-1])
    e = e_minus(kk, pp)
    i = np.unravel_index(np.argmin(e), e.shape)
    ph0 = float(pp[i])
    best = float(e[i])
    dk = kmax / 200
    r = minimize_scalar(lambda k: float(e_minus(k, ph0)),
                        bounds=(max(0.0, float(kk[i]) - dk), float(kk[i]) + dk), method="bounded",
                        options={"xatol": 1e-12 * kmax})
    best = min(best, float(r.fun))
    if d[0] != 0 or d[1] != 0:  # anisotropic bands: refine the ray angle too
        from scipy.optimize import minimize

        r2 = minimize(lambda x: float(e_minus(x[0], x[1])), x0=[float(r.x), ph0],
                      method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-14})
        best = min(best, float(r2.fun))
    return 1e-3 * best


def band_edges(model: RashbaFerromagnet) -> tuple[float, float]:
    """Bottoms of the lower and upper bands, eV; between them lies the spin gap.

    The upper-band minimum of ``E_+ = k^2/2m + |b_k|`` is found on a grid and refined
    (for ``m`` along z it is ``Delta_xc``, the spin-gap edge of seed 002 Fig. 3a).
    """
    from scipy.optimize import minimize

    d = model.delta_vec
    kmax = 2 * (abs(model.a) / model.c2 + math.sqrt(float(np.linalg.norm(d)) / model.c2)
                + abs(d[0]) / max(abs(model.a), 1e-300) + 1e-3)
    kmax = min(kmax, model.lam)

    def e_plus(kx, ky):
        bx = -model.a * ky + d[0]
        by = model.a * kx + d[1]
        return model.c2 * (kx * kx + ky * ky) + np.sqrt(bx * bx + by * by + d[2] ** 2)

    g = np.linspace(-kmax, kmax, 241)
    kx, ky = np.meshgrid(g, g)
    e = e_plus(kx, ky)
    i = np.unravel_index(np.argmin(e), e.shape)
    r = minimize(lambda x: float(e_plus(x[0], x[1])), x0=[kx[i], ky[i]], method="Nelder-Mead",
                 options={"xatol": 1e-12, "fatol": 1e-14})
    return band_bottom(model), 1e-3 * min(float(e[i]), float(r.fun))


def critical_angle(model: RashbaFerromagnet) -> float:
    """Magnetisation angle ``theta_c`` (rad, in [0, pi/2]) where the Fermi level meets the upper band.

    For ``theta < theta_c`` (and ``pi - theta_c < theta <= pi``) the Fermi level lies in the
    spin gap (one Fermi ring); the gap shrinks as ``m`` tilts into the plane (seed 002,
    discussion of Fig. 4). Returns ``nan`` if the Fermi level is above the upper band at
    every angle or inside the gap at every angle.
    """
    from scipy.optimize import brentq

    def f(th):
        return band_edges(model.with_(theta=th))[1] - model.fermi_energy

    f0, f1 = f(0.0), f(0.5 * np.pi)
    if f0 <= 0 or f1 >= 0:
        return float("nan")
    return float(brentq(f, 0.0, 0.5 * np.pi, xtol=1e-10))


def dilute_scale(contour: FermiContour) -> float:
    """Energy scale that the broadening must not reach, meV.

    The smaller of the band splitting ``2|b_k|`` on the Fermi rings (``2 alpha p_F`` for pure
    Rashba: seed 002's ``n Gamma << alpha p_F``) and the kinetic scale
    ``|v|^2 / (4 hbar^2/2m)`` (the Fermi energy above the band bottom for a parabolic band,
    small near any band extremum). For spin-degenerate bands
    (``alpha = Delta_xc = 0``) only the kinetic scale applies.
    """
    kinetic = float(np.min(contour.kinetic))
    split = float(contour.splitting.min())
    return kinetic if split == 0 else min(split, kinetic)


def _check_cutoff(model: RashbaFerromagnet, contour: FermiContour, factor: float = 5.0):
    """The cutoff must lie far outside the Fermi rings and the band-structure scales."""
    lam = model.lam
    kf = float(contour.k.max())
    dnorm = float(np.linalg.norm(model.delta_vec))
    e_scale = max(abs(model.eps), dnorm, model.a ** 2 / model.c2)
    k_scale = max(kf, math.sqrt(e_scale / model.c2), abs(model.a) / model.c2)
    if lam < factor * k_scale:
        raise TMatrixError(
            f"cutoff = {lam:.4g} nm^-1 (default 1/R) is too small: the regularisation of Re g0 "
            f"(seed 002 eq. 16b) needs Lambda >> the Fermi momentum and band scales "
            f"({k_scale:.4g} nm^-1); use at least {factor * k_scale:.3g} nm^-1 (smaller R or an "
            "explicit cutoff)")


def clean_local_green(model: RashbaFerromagnet, contour: FermiContour | None = None,
                      n_phi: int = 256) -> np.ndarray:
    """Momentum-integrated clean retarded Green's function ``g0+`` (seed 002 eq. 16b).

    ``g0+ = int_{|k|<Lambda} d^2k/(2pi)^2 (eps + i0 - H_k)^-1``. On each ray the
    radial integral of the rational function ``k N(k)/Q(k)`` is done exactly by
    partial fractions over the roots of the quartic ``Q`` (principal value for
    the real roots); the angular integral by the trapezoid rule. The imaginary
    part is ``-pi sum_bands int delta(eps - E_k) P_k`` evaluated on the same
    contour as all other Fermi-surface integrals (so the optical theorem holds
    to rounding). Regularisation: only the ``s_0`` part of ``Re g0`` diverges,
    as ``-(m/pi) ln Lambda``; the sharp cutoff ``|k| < Lambda`` fixes it.

    Parameters
    ----------
    model : RashbaFerromagnet
    contour : FermiContour, optional
        Precomputed :func:`fermi_contour` (with the same ``n_phi``).
    n_phi : int
        Number of rays.

    Returns
    -------
    (2, 2) complex ndarray
        ``g0+`` in meV^-1 nm^-2 (internal units; ``g0- = (g0+)^dagger``).
    """
    if contour is not None:
        n_phi = contour.n_phi
    return _contour_and_g0(model, n_phi)[1]


def _contour_and_g0(model: RashbaFerromagnet, n_phi: int):
    """The Fermi contour and ``g0+`` from one set of ray roots (see :func:`clean_local_green`)."""
    if model.a == 0 and not np.any(model.delta_vec):
        contour = fermi_contour(model, n_phi)
        _check_cutoff(model, contour)
        g = clean_local_green_isotropic(model.eps, model.c2, model.lam)
        return contour, g * np.eye(2, dtype=complex)
    n_phi = int(n_phi)
    if n_phi < MIN_RAYS:
        raise TMatrixError(f"n_phi = {n_phi}: need at least {MIN_RAYS} rays")
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    args = (np.array([model.eps]), np.array([model.a]), np.array([model.c2]), model.delta_vec[None, :])
    pts, roots_g, coef_g = _contour_batch(*args, n_phi)
    contour = _contour_from_points(model, pts, n_phi)
    _check_cutoff(model, contour)
    re_g = _re_g0_batch(*args, np.array([model.lam]), roots_g, coef_g, pts["g0_center"], phi)[0]
    im_coeff = -np.pi * 0.5 * (contour.weight[:, None] * contour.spin).sum(axis=0)
    return contour, np.einsum("a,aij->ij", re_g + 1j * im_coeff, PAULI)


def _re_g0_batch(e, a, c2, d, lam, roots, coef, center, phi):
    """Pauli components of ``Re g0`` for B models, (B, 4), from rays ``k = K + s n(phi)``.

    ``G0 = N/Q`` with ``N = (eps - c2 k^2) s_0 + b_k . s`` and ``Q`` the Fermi-level quartic
    of :func:`_ray_roots` (coefficients ``coef``, roots ``roots``); on each ray
    ``int_0^{s_max} s N/Q ds = sum_j A_j [ln(s_max - r_j) - ln(-r_j)]`` with residues
    ``A_j = r_j N(r_j) / Q'(r_j)`` (principal value for real roots) and ``s_max`` where the
    ray leaves the cutoff disc ``|k| < Lambda``. The centre ``K`` is chosen inside every
    Fermi ring (see :func:`_contour_batch`), so no ray grazes a ring and the angular
    integrand is smooth.
    """
    r = roots
    cs, sn = np.cos(phi)[None, :, None], np.sin(phi)[None, :, None]
    ee, aa, cc = e[:, None, None], a[:, None, None], c2[:, None, None]
    kx, ky = center[:, 0, None, None], center[:, 1, None, None]
    kn_ = kx * cs + ky * sn
    ksq = kx ** 2 + ky ** 2
    s_max = -kn_ + np.sqrt(kn_ ** 2 + lam[:, None, None] ** 2 - ksq)
    b0x = -aa * ky + d[:, 0, None, None]
    b0y = aa * kx + d[:, 1, None, None]
    cf = coef[:, :, None, :]
    dq = ((4 * cf[..., 0] * r + 3 * cf[..., 1]) * r + 2 * cf[..., 2]) * r + cf[..., 3]
    kn = np.stack(np.broadcast_arrays(
        r * (ee - cc * (ksq + 2 * r * kn_ + r * r)),
        r * (b0x - aa * r * sn),
        r * (b0y + aa * r * cs),
        r * d[:, 2, None, None],
    ), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(s_max - r) - np.log(-r + 0j)
        val = np.real(np.sum(kn / dq[..., None] * logs[..., None], axis=2))  # (B, n_phi, 4)
    if not np.all(np.isfinite(val)):
        bad = int(np.argmax(~np.all(np.isfinite(val), axis=(1, 2))))
        raise BandExtremumError(
            f"fermi_energy = {1e-3 * e[bad]:g} eV lies exactly at a band extremum or degeneracy "
            "(a Fermi ring of zero size); shift fermi_energy slightly")
    return val.mean(axis=1) / (2 * np.pi)


def clean_local_green_isotropic(eps_mev: float, c2: float, lam: float) -> complex:
    """Analytic ``g0+`` per spin for ``alpha = Delta_xc = 0`` (check of the cutoff), meV^-1 nm^-2.

    ``int_0^Lambda k dk/(2 pi) / (eps + i0 - c2 k^2) = -(m/2pi) ln|(c2 Lambda^2 - eps)/eps|
    - i m/2`` (for eps > 0), with ``m = 1/(2 c2)``.
    """
    m = 1.0 / (2 * c2)
    re = -(m / (2 * np.pi)) * math.log(abs((c2 * lam ** 2 - eps_mev) / eps_mev))
    im = -m / 2 if eps_mev > 0 else 0.0
    return complex(re, im)


def t_matrix(model: RashbaFerromagnet, g0: np.ndarray, approximation: str = "tmatrix"):
    """Retarded single-impurity T-matrix ``T+ = W (1 - W g0+)^-1`` (seed 002 eq. 16a).

    Parameters
    ----------
    model : RashbaFerromagnet
    g0 : (2, 2) complex ndarray
        ``g0+`` from :func:`clean_local_green`, meV^-1 nm^-2.
    approximation : {'tmatrix', 'born'}
        ``'born'`` keeps the series to second order, ``T = W + W g0 W`` (first Born
        approximation, FBA: no skew scattering).

    Returns
    -------
    (2, 2) complex ndarray
        ``T+`` in meV nm^2 (``T- = (T+)^dagger``).
    """
    w = model.w
    eye = np.eye(2, dtype=complex)
    if approximation == "tmatrix":
        return w * np.linalg.inv(eye - w * g0)
    if approximation == "born":
        return w * eye + w * w * g0
    raise TMatrixError(f"approximation must be 'tmatrix' or 'born', not {approximation!r}")


def self_energy(model: RashbaFerromagnet, t_plus: np.ndarray) -> np.ndarray:
    """Retarded self-energy ``Sigma+ = n T+`` (seed 002 eq. 32), meV.

    Its Pauli components are ``n (g_a + i Gamma_a)``, ``a = 0..3``; for ``m`` in the
    x-z plane ``g_2 = Gamma_2 = 0`` (seed 002, after eq. 32).
    """
    return model.density * t_plus


def averaged_green(model: RashbaFerromagnet, kx, ky, sigma_plus: np.ndarray, sign: int = 1):
    """Disorder-averaged Green's function ``(eps - H_k - Sigma)^-1`` (seed 002 eq. 15), meV^-1.

    ``sign = +1`` retarded (uses ``Sigma+``), ``-1`` advanced (uses ``Sigma+^dagger``).
    Shape (..., 2, 2) for momenta ``kx, ky`` in nm^-1.
    """
    sig = sigma_plus if sign > 0 else sigma_plus.conj().T
    h = model.hamiltonian(kx, ky)
    return np.linalg.inv(model.eps * np.eye(2) - h - sig)


def pauli_components(x: np.ndarray) -> np.ndarray:
    """Coefficients ``x_a = tr(x s_a)/2`` of a 2x2 matrix (or stack) in the Pauli basis."""
    return 0.5 * np.einsum("...ij,aji->...a", x, PAULI)


def upsilon_matrix(t_plus: np.ndarray) -> np.ndarray:
    """``Upsilon_ab = tr[s_a T+ s_b T-] / 2`` (seed 002 eq. 20), real 4x4, meV^2 nm^4."""
    t_minus = t_plus.conj().T
    u = 0.5 * np.einsum("aij,jk,bkl,li->ab", PAULI, t_plus, PAULI, t_minus)
    return u.real


def broadening_rates(contour: FermiContour, t_plus: np.ndarray) -> np.ndarray:
    """``gamma_k = -Im tr[P_k T+]`` on the contour (``Gamma_k = n gamma_k``), meV nm^2."""
    tc = pauli_components(t_plus)  # T = sum_a t_a s_a ; tr[P T] = sum_a S_a t_a
    return -np.imag(contour.spin @ tc)


def n_matrix(contour: FermiContour, gamma: np.ndarray) -> np.ndarray:
    """``N_ab = (n/2) sum_p tr[s_a G+ s_b G-]`` at leading order in n (seed 002 eq. 20).

    ``= (pi/2) sum_FS S_a S_b / gamma_k`` (independent of n), meV^-2 nm^-4.
    """
    s = contour.spin
    return 0.5 * np.pi * np.einsum("p,pa,pb->ab", contour.weight / gamma, s, s)


def diffuson(m_matrix: np.ndarray, zero_mode: np.ndarray) -> np.ndarray:
    """Generalised diffuson ``D = (1 - M)^-1`` (seed 002 eq. 21) on charge-neutral vertices.

    At leading order in n, ``M`` has the eigenvalue 1 with right eigenvector
    ``r`` = Pauli components of ``Im g0`` (the spin-resolved Fermi-level density
    of states): particle-number conservation. ``1 - M`` is then singular and the
    vertex equation ``D (1 - M) = 1`` has a solution for the row ``alpha`` only
    after the density part ``(r_alpha / r_0) s_0`` is removed from ``s_alpha``;
    that part does not respond to a uniform static field (charge neutrality), so
    the physical ``K`` is unchanged. Row ``alpha`` of the returned ``D`` solves
    ``d (1 - M) = e_alpha - (r_alpha / r_0) e_0`` (minimum norm; the remaining
    freedom adds the conserved density vertex, whose current bubble vanishes).
    Row 0 (the charge vertex itself) is set to zero.

    Parameters
    ----------
    m_matrix : (4, 4) ndarray
        ``M = N Upsilon`` (eq. 19-20).
    zero_mode : (4,) ndarray
        ``r`` with ``M r = r``.

    Returns
    -------
    (4, 4) ndarray
    """
    one_m = np.eye(4) - m_matrix
    r = zero_mode / zero_mode[0]
    rhs = np.eye(4) - np.outer(r, np.eye(4)[0])
    rhs[0] = 0.0
    d, *_ = np.linalg.lstsq(one_m.T, rhs.T, rcond=1e-10)
    return d.T


@dataclass
class TMatrixResponse:
    """Everything the T-matrix calculation produces at one parameter point.

    SI results
    ----------
    K : (3, 2) ndarray
        Spin susceptibility ``K_ab`` (``S_a = K_ab E_b``, spin density counted in
        Pauli units ``<s>`` per area), 1/(V m) (seed 002 eq. 22).
    sigma : (2, 2) ndarray
        Sheet conductivity with the renormalised current vertex (eqs. 23-27), S.
    K_J : (3, 2) ndarray
        ``K sigma^-1``, 1/(A m) (eq. 2).

    Internal quantities (meV, nm, hbar = 1)
    ----------------------------------------
    g0, t_plus, sigma_plus : (2, 2) complex
        Eq. 16b, 16a, 32.
    upsilon, n_mat, m_mat, diffuson : (4, 4)
        Eqs. 19-21.
    K_spin_vertex : (3, 2)
        ``K`` from the renormalised spin vertex (eq. 22), same units as ``K``;
        equal to ``K`` (renormalised current vertex) by construction of the
        ladder, reported as a numerical check.
    contour, gamma : the Fermi rings and ``gamma_k`` (``Gamma_k = n gamma_k``).
    broadening_ratio : float
        ``max Gamma_k`` over :func:`dilute_scale` (the dilute-limit parameter).
    """

    model: RashbaFerromagnet
    approximation: str
    K: np.ndarray
    sigma: np.ndarray
    K_J: np.ndarray
    K_spin_vertex: np.ndarray
    g0: np.ndarray
    t_plus: np.ndarray
    sigma_plus: np.ndarray
    upsilon: np.ndarray
    n_mat: np.ndarray
    m_mat: np.ndarray
    diffuson: np.ndarray
    contour: FermiContour
    gamma: np.ndarray
    broadening_ratio: float
    extra: dict = field(default_factory=dict)

    @property
    def K_J_longitudinal(self) -> np.ndarray:
        """``K / sigma_xx``: K_J without the Hall conductivity, 1/(A m).

        This is the normalisation of seed 002's weak-scattering formulas (eq. 34 uses the
        scalar ``sigma_xx``) and the one that reproduces its Fig. 3a inside the spin gap;
        eq. (2) itself defines ``K_J = K sigma^-1`` with the full tensor (:attr:`K_J`).
        See ``docs/tmatrix.md``.
        """
        return self.K / self.sigma[0, 0]

    def kj(self, normalisation: str = "tensor") -> np.ndarray:
        """``K_J`` with ``normalisation`` ``'tensor'`` (eq. 2, full sigma^-1) or ``'longitudinal'``."""
        if normalisation == "tensor":
            return self.K_J
        if normalisation == "longitudinal":
            return self.K_J_longitudinal
        raise TMatrixError(f"normalisation must be 'tensor' or 'longitudinal', not {normalisation!r}")

    def theta_csc(self, velocity: float = 5e4, normalisation: str = "tensor") -> np.ndarray:
        """Charge-to-spin efficiencies ``theta_ab = -2 e v K_J,ab`` (seed 002, after eq. 27).

        Parameters
        ----------
        velocity : float
            The velocity ``v`` of the definition, m/s (seed 002 Fig. 4: 5e4 m/s).
        normalisation : {'tensor', 'longitudinal'}
            ``K_J = K sigma^-1`` (eq. 2) or ``K / sigma_xx`` (see :attr:`K_J_longitudinal`).

        Returns
        -------
        (3, 2) ndarray, dimensionless.
        """
        return charge_to_spin_efficiency(self.kj(normalisation), velocity)

    def torques(self, normalisation: str = "tensor") -> dict:
        """Torque efficiencies ``tau_1^e, tau_2^e, tau_1^o, tau_2^o`` (eq. 4 with K -> K_J), 1/(A m)."""
        return torque_efficiencies(self.kj(normalisation), self.model.theta)


def charge_to_spin_efficiency(k_j: np.ndarray, velocity: float = 5e4) -> np.ndarray:
    """``theta = -2 e v K_J`` (seed 002, after eq. 27), dimensionless; ``v`` in m/s, ``K_J`` in 1/(A m)."""
    return -2 * E_SIGNED * velocity * np.asarray(k_j)


def torque_efficiencies(k_j: np.ndarray, theta: float) -> dict:
    """Torque efficiencies from ``K_J`` (seed 002 eqs. 3-4), 1/(A m).

    Eq. (3) multiplies the current density ``J``, so eq. (4) is applied to
    ``K_J = K sigma^-1`` (this is how eq. 34 follows from eq. 33). For
    ``m = (m_x, 0, m_z)``:

    - ``tau_1^e = K_yy / m_z``
    - ``tau_2^e = (K_xx - K_yy)/(m_x^2 m_z) - K_xx/m_z - K_zx/m_x``
    - ``tau_1^o = K_xy - (m_x/m_z) K_zy``
    - ``tau_2^o = ((K_xy + K_yx)/m_x - K_zy/m_z) / m_x``

    The decomposition is exact (six numbers ``K_J`` <-> four efficiencies plus the
    two undetermined components of the effective field along ``m``). ``tau_2`` needs
    ``m_x != 0`` and every efficiency needs ``m_z != 0``; undefined entries are NaN.

    Parameters
    ----------
    k_j : (3, 2) ndarray
        ``K_J``, rows x, y, z (spin), columns x, y (current).
    theta : float
        Magnetisation polar angle, rad.

    Returns
    -------
    dict with keys ``'tau1_e', 'tau2_e', 'tau1_o', 'tau2_o'``.
    """
    k = np.asarray(k_j)
    mx, mz = math.sin(theta), math.cos(theta)
    kxx, kxy, kyx, kyy, kzx, kzy = k[0, 0], k[0, 1], k[1, 0], k[1, 1], k[2, 0], k[2, 1]
    tiny = 1e-12
    nan = float("nan")
    out = {"tau1_e": nan, "tau2_e": nan, "tau1_o": nan, "tau2_o": nan}
    if abs(mz) > tiny:
        out["tau1_e"] = kyy / mz
        out["tau1_o"] = kxy - (mx / mz) * kzy
        if abs(mx) > tiny:
            out["tau2_e"] = (kxx - kyy) / (mx * mx * mz) - kxx / mz - kzx / mx
            out["tau2_o"] = ((kxy + kyx) / mx - kzy / mz) / mx
    return out


def response(model: RashbaFerromagnet, approximation: str = "tmatrix", n_phi: int = 256,
             max_broadening_ratio: float = 0.1) -> TMatrixResponse:
    """Spin susceptibility, conductivity and K_J of the disordered Rashba ferromagnet.

    Seed 002 eqs. (13)-(27) at leading order in the impurity density (see the
    module docstring): T-matrix (16), ``Sigma = nT`` (32), ``Upsilon``, ``N``,
    ``M = N Upsilon`` (19-20), diffuson (21), ``K`` (22) and ``sigma`` (23-27).

    The current vertex is renormalised once, ``j~ = j + dj`` with
    ``dj = n sum_p T+ G+ j~ G- T-`` (the ladder attached to the vertex that sits
    between ``G+`` and ``G-``), and used for both ``K_ab = tr[s_a G+ j~_b G-]/2pi``
    and ``sigma_ab = tr[j_a G+ j~_b G-]/2pi``; its zero mode (a shift of the
    chemical potential) is fixed by charge neutrality. ``K`` from the
    renormalised spin vertex (eq. 22) is computed too and stored as
    ``K_spin_vertex``.

    Parameters
    ----------
    model : RashbaFerromagnet
    approximation : {'tmatrix', 'born'}
        Full T-matrix or first Born approximation (no skew scattering).
    n_phi : int
        Rays for the Fermi-ring integrals.
    max_broadening_ratio : float
        Largest allowed ``n Gamma / (alpha p_F)``-type ratio (see
        :class:`TMatrixResponse`); above it :class:`DiluteLimitError` is raised.

    Returns
    -------
    TMatrixResponse
    """
    contour, g0 = _contour_and_g0(model, n_phi)
    tp = t_matrix(model, g0, approximation)
    n = model.density
    if approximation == "born":
        tp_ladder = model.w * np.eye(2, dtype=complex)
    else:
        tp_ladder = tp
    gamma = broadening_rates(contour, tp)
    if np.any(gamma <= 0):
        raise TMatrixError("non-positive scattering rate on the Fermi surface "
                           "(optical theorem violated); check the parameters")
    # dilute-limit check: n Gamma small against the band splitting and the Fermi energy
    gam_max = n * float(gamma.max())
    scale = dilute_scale(contour)
    ratio = gam_max / scale
    if ratio > max_broadening_ratio:
        raise DiluteLimitError(
            f"non-dilute parameters: the disorder broadening n*Gamma = {gam_max:.3g} meV is "
            f"{ratio:.2g} of the band splitting / Fermi energy scale ({scale:.3g} meV); the "
            f"T-matrix theory of seed 002 needs n*Gamma << alpha*p_F (ratio <= "
            f"{max_broadening_ratio}); lower 'density' or 'u'")
    ups = upsilon_matrix(tp_ladder)
    nm = n_matrix(contour, gamma)
    mm = nm @ ups
    s, v, wg = contour.spin, contour.velocity, contour.weight / gamma
    bub = np.einsum("p,pa,pb->ab", wg, s, v) / (2 * n)        # (4, 2) tr[s_a G+ v_b G-]/2pi
    s0 = np.einsum("p,pa,pb->ab", wg, v, v) / (2 * n)         # (2, 2) tr[v_a G+ v_b G-]/2pi
    # renormalised current vertex: x_b (Pauli coefficients of dj_b), (1 - Ups N) x = pi n Ups B
    a_mat = np.eye(4) - ups @ nm
    xbar = np.pi * n * ups @ bub                               # (4, 2)
    cons = nm[0] / (np.pi * n)                                 # density response row
    lhs = np.vstack([a_mat, cons[None, :]])
    x = np.empty((4, 2))
    for b in range(2):
        rhs = np.concatenate([xbar[:, b], [-bub[0, b]]])
        x[:, b], *_ = np.linalg.lstsq(lhs, rhs, rcond=None)
    k_int = bub[1:] + nm[1:] @ x / (np.pi * n)                 # (3, 2) meV^-1 nm^-1
    sig_int = s0 + bub.T @ x                                   # (2, 2) dimensionless
    # spin-vertex route (eqs. 18-22)
    r = pauli_components((g0 - g0.conj().T) / 2j).real   # anti-Hermitian part: Im g0
    dmat = diffuson(mm, r)
    k_spin = (dmat @ bub)[1:]
    # SI
    k_si = E_SIGNED * k_int / (1e-3 * _c.e * 1e-9)
    k_spin_si = E_SIGNED * k_spin / (1e-3 * _c.e * 1e-9)
    sig_si = E_SIGNED ** 2 / HBAR * sig_int
    k_j = k_si @ np.linalg.inv(sig_si)
    return TMatrixResponse(
        model=model, approximation=approximation, K=k_si, sigma=sig_si, K_J=k_j,
        K_spin_vertex=k_spin_si, g0=g0, t_plus=tp, sigma_plus=self_energy(model, tp),
        upsilon=ups, n_mat=nm, m_mat=mm, diffuson=dmat, contour=contour, gamma=gamma,
        broadening_ratio=ratio,
        extra={"K_internal": k_int, "sigma_internal": sig_int, "x_vertex": x,
               "zero_mode": r, "bubble": bub},
    )
