"""Fermi rings of the Rashba ferromagnet on rays in momentum space, band bottoms and edges.

Veneri, Perkins and Ferreira, eqs. (6)-(8) and (28): the points, quadrature weights, spins and
velocities of every Fermi-surface integral of the T-matrix theory (meV, nm, hbar = 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .model import BandExtremumError, MIN_RAYS, PAULI, RashbaFerromagnet, TMatrixError

__all__ = [
    "FermiContour", "fermi_contour", "band_bottom", "band_edges", "critical_angle",
    "dilute_scale",
]


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
