"""Macrospin equilibrium and its static linear response, vectorised over field points.

The unit magnetisation m of a single-domain film minimises the energy density
(divided by Ms, so that every term is a field in T, docs/CONVENTIONS.md)::

    e(m) = -B . m - (B_K / 2) m_z^2 - (B_ip / 2) (m . u)^2

with B = mu0 H the applied field, B_K = mu0 H_K,eff the effective perpendicular
anisotropy field (positive: perpendicular easy axis; negative: easy plane with
mu0 M_eff = -B_K) and B_ip an in-plane uniaxial anisotropy field along the
in-plane unit vector u = (cos phi_u, sin phi_u, 0). The effective field is
B_eff = -de/dm = B + B_K m_z z + B_ip (m . u) u and an equilibrium satisfies
m x B_eff = 0 with a positive-definite Hessian in the tangent plane.

The solver is a Riemannian Newton iteration on the unit sphere (no pole
singularity), run for all points and several starting directions at once;
the lowest-energy local minimum is returned, which is the global minimum
whenever one of the starts lies in its basin (the starts are the field
direction, +-z, +-u and the in-plane projection of the field, which bracket
every minimum of this energy). A branch can be followed instead (``state``),
as needed for field sweeps below the switching field of a perpendicular film.

The static linear response to a small extra field dB (the current-induced
fields of the harmonic Hall method) is dm = sum_ij e_i (S^-1)_ij (dB . e_j),
with e_1, e_2 a tangent basis and S the tangent-plane Hessian
S_ij = (B_eff . m) delta_ij - B_K (e_i . z)(e_j . z) - B_ip (e_i . u)(e_j . u).
This is the quasi-static (low-frequency) limit of the Landau-Lifshitz-Gilbert
equation, the regime of lock-in harmonic Hall measurements at Hz-kHz.

Sources: Stoner-Wohlfarth energy of a uniaxial macrospin; Hayashi et al.,
Phys. Rev. B 89, 144425 (2014), eqs. (2)-(5) (small-angle limit);
Avci et al., Phys. Rev. B 90, 224427 (2014), eq. (3) (in-plane limit).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "field_vector",
    "energy",
    "effective_field",
    "tangent_basis",
    "tangent_hessian",
    "equilibrium",
    "linear_response",
    "EquilibriumError",
]

_Z = np.array([0.0, 0.0, 1.0])


class EquilibriumError(RuntimeError):
    """The Newton iteration did not converge for some field points."""


def field_vector(magnitude, theta_deg, phi_deg):
    """Cartesian field vectors from magnitude (T) and polar/azimuthal angles (deg).

    Parameters
    ----------
    magnitude : array_like
        mu0*H in T (may be negative: the field then points along -direction).
    theta_deg, phi_deg : array_like
        Polar angle from +z and azimuth from +x (the current), in degrees.

    Returns
    -------
    ndarray, shape (N, 3)
        mu0*H vectors in T.
    """
    b, t, p = np.broadcast_arrays(np.asarray(magnitude, float), np.radians(theta_deg),
                                  np.radians(phi_deg))
    st = np.sin(t)
    return np.stack([b * st * np.cos(p), b * st * np.sin(p), b * np.cos(t)], axis=-1).reshape(-1, 3)


def _u(ip_axis_deg):
    a = np.radians(ip_axis_deg)
    return np.array([np.cos(a), np.sin(a), 0.0])


def energy(m, b, b_k, b_ip=0.0, ip_axis=0.0):
    """Energy density over Ms, in T: -B.m - B_K m_z^2/2 - B_ip (m.u)^2/2.

    Parameters
    ----------
    m, b : ndarray, shape (N, 3)
        Unit magnetisation and applied field mu0*H (T).
    b_k : float
        Effective perpendicular anisotropy field mu0*H_K,eff in T (negative for easy plane).
    b_ip : float
        In-plane uniaxial anisotropy field in T.
    ip_axis : float
        Azimuth of the in-plane easy axis in degrees.
    """
    mu = m @ _u(ip_axis)
    return -np.einsum("ij,ij->i", m, b) - 0.5 * b_k * m[:, 2] ** 2 - 0.5 * b_ip * mu ** 2


def effective_field(m, b, b_k, b_ip=0.0, ip_axis=0.0):
    """B_eff = B + B_K m_z z + B_ip (m.u) u in T, shape (N, 3)."""
    u = _u(ip_axis)
    beff = b + (b_k * m[:, 2])[:, None] * _Z[None, :]
    if b_ip != 0.0:
        beff = beff + (b_ip * (m @ u))[:, None] * u[None, :]
    return beff


def tangent_basis(m):
    """Orthonormal tangent vectors e1, e2 (each (N, 3)) with e1 x e2 = m."""
    ref = np.where(np.abs(m[:, 2:3]) < 0.9, _Z[None, :], np.array([[1.0, 0.0, 0.0]]))
    e1 = np.cross(ref, m)
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    e2 = np.cross(m, e1)
    return e1, e2


def tangent_hessian(m, beff, e1, e2, b_k, b_ip=0.0, ip_axis=0.0):
    """Tangent-plane Hessian S (N, 2, 2) of the energy at m, in T."""
    u = _u(ip_axis)
    par = np.einsum("ij,ij->i", beff, m)
    z1, z2 = e1[:, 2], e2[:, 2]
    s11 = par - b_k * z1 * z1
    s22 = par - b_k * z2 * z2
    s12 = -b_k * z1 * z2
    if b_ip != 0.0:
        u1, u2 = e1 @ u, e2 @ u
        s11 = s11 - b_ip * u1 * u1
        s22 = s22 - b_ip * u2 * u2
        s12 = s12 - b_ip * u1 * u2
    return s11, s12, s22


def _newton(m, b, b_k, b_ip, ip_axis, tol, max_iter):
    """Riemannian Newton on the sphere for every row of m; returns (m, converged)."""
    scale = np.linalg.norm(b, axis=1) + abs(b_k) + abs(b_ip) + 1e-300
    m = m / np.linalg.norm(m, axis=1, keepdims=True)
    conv = np.zeros(len(m), bool)
    for _ in range(max_iter):
        beff = effective_field(m, b, b_k, b_ip, ip_axis)
        e1, e2 = tangent_basis(m)
        g1 = -np.einsum("ij,ij->i", beff, e1)
        g2 = -np.einsum("ij,ij->i", beff, e2)
        gnorm = np.hypot(g1, g2)
        s11, s12, s22 = tangent_hessian(m, beff, e1, e2, b_k, b_ip, ip_axis)
        det = s11 * s22 - s12 * s12
        pd = (det > 1e-14 * scale ** 2) & (s11 > 0) & (s22 > 0)
        conv = pd & (gnorm <= tol * scale)
        if conv.all():
            break
        safe = np.where(pd, det, 1.0)
        d1 = np.where(pd, -(s22 * g1 - s12 * g2) / safe, -g1 / scale)
        d2 = np.where(pd, -(-s12 * g1 + s11 * g2) / safe, -g2 / scale)
        step = np.hypot(d1, d2)
        shrink = np.minimum(1.0, 0.5 / np.maximum(step, 1e-300))
        d1 *= shrink
        d2 *= shrink
        # a point sitting exactly on a saddle/maximum gets a push along e1
        stuck = ~pd & (gnorm <= tol * scale)
        d1 = np.where(stuck, 0.3, d1)
        m = m + d1[:, None] * e1 + d2[:, None] * e2
        m /= np.linalg.norm(m, axis=1, keepdims=True)
    return m, conv


def equilibrium(b, b_k, b_ip=0.0, ip_axis=0.0, state=None, tol=1e-12, max_iter=60,
                return_info=False):
    """Equilibrium magnetisation for many applied fields at once.

    Parameters
    ----------
    b : array_like, shape (N, 3)
        Applied fields mu0*H in T.
    b_k : float
        Effective perpendicular anisotropy field mu0*H_K,eff in T (> 0 perpendicular easy
        axis, < 0 easy plane with mu0*M_eff = -b_k).
    b_ip : float
        In-plane uniaxial anisotropy field in T (easy axis along ``ip_axis``).
    ip_axis : float
        Azimuth of the in-plane easy axis in degrees (from +x).
    state : None, float or array_like
        ``None`` or 0: the global minimum over the starting directions. ``+1``/``-1``
        (per point or for all): the local minimum reached from m = +z / -z, i.e. the
        branch with that perpendicular state (field sweeps below the switching field).
    tol : float
        Convergence threshold on the tangent torque |m x B_eff| relative to the field scale.
    max_iter : int
        Newton iterations.
    return_info : bool
        Also return a dict with ``energy`` (T), ``is_global`` (bool per point: the
        branch found is the lowest minimum found from all starts) and ``converged``.

    Returns
    -------
    m : ndarray, shape (N, 3)
        Unit magnetisation.
    info : dict, optional

    Raises
    ------
    EquilibriumError
        If some point does not converge to a minimum (names how many and the first field).
    """
    b = np.atleast_2d(np.asarray(b, float))
    n = len(b)
    u = _u(ip_axis)
    bn = np.linalg.norm(b, axis=1, keepdims=True)
    bhat = np.where(bn > 0, b / np.where(bn > 0, bn, 1.0), _Z[None, :])
    bip = b.copy()
    bip[:, 2] = 0.0
    bipn = np.linalg.norm(bip, axis=1, keepdims=True)
    bip = np.where(bipn > 0, bip / np.where(bipn > 0, bipn, 1.0), u[None, :])
    tilt = np.cross(bhat, np.array([0.31, 0.52, 0.79]))  # breaks exact symmetric starts
    starts = [bhat + 1e-3 * tilt, np.tile(_Z, (n, 1)) + 1e-3 * bhat, np.tile(-_Z, (n, 1)) + 1e-3 * bhat,
              np.tile(u, (n, 1)) + 1e-3 * bhat, np.tile(-u, (n, 1)) + 1e-3 * bhat, bip + 1e-3 * _Z]
    k = len(starts)
    m0 = np.concatenate(starts)
    bb = np.tile(b, (k, 1))
    m_all, conv_all = _newton(m0, bb, b_k, b_ip, ip_axis, tol, max_iter)
    e_all = energy(m_all, bb, b_k, b_ip, ip_axis).reshape(k, n)
    conv_all = conv_all.reshape(k, n)
    m_all = m_all.reshape(k, n, 3)
    e_masked = np.where(conv_all, e_all, np.inf)
    best = np.argmin(e_masked, axis=0)
    idx = np.arange(n)
    e_best = e_masked[best, idx]
    if state is None or np.all(np.asarray(state) == 0):
        m = m_all[best, idx]
        conv = np.isfinite(e_best)
        e = e_best
        is_global = conv.copy()
    else:
        st = np.broadcast_to(np.asarray(state, float), (n,))
        m_b = np.where((st > 0)[:, None], m_all[1], m_all[2])
        c_b = np.where(st > 0, conv_all[1], conv_all[2])
        e_b = np.where(st > 0, e_all[1], e_all[2])
        glob = st == 0
        m = np.where(glob[:, None], m_all[best, idx], m_b)
        conv = np.where(glob, np.isfinite(e_best), c_b)
        e = np.where(glob, e_best, e_b)
        is_global = e <= e_best + 1e-9 * (np.abs(e_best) + 1e-12)
    if not conv.all():
        bad = np.flatnonzero(~conv)
        raise EquilibriumError(
            f"macrospin equilibrium did not converge for {bad.size} of {n} field point(s); "
            f"first at mu0H = {b[bad[0]].tolist()} T (b_k={b_k}, b_ip={b_ip})")
    if return_info:
        return m, {"energy": e, "is_global": is_global, "converged": conv}
    return m


def linear_response(m, b, db, b_k, b_ip=0.0, ip_axis=0.0):
    """Static change of m produced by a small extra field, to first order.

    Parameters
    ----------
    m : ndarray, shape (N, 3)
        Equilibrium magnetisation (from :func:`equilibrium`).
    b : ndarray, shape (N, 3)
        Applied field in T.
    db : ndarray, shape (N, 3)
        Small extra field in T (e.g. the current-induced fields at the peak current).
    b_k, b_ip, ip_axis : float
        As in :func:`equilibrium`.

    Returns
    -------
    ndarray, shape (N, 3)
        dm (dimensionless, perpendicular to m): sum_ij e_i (S^-1)_ij (db . e_j).
    """
    beff = effective_field(m, b, b_k, b_ip, ip_axis)
    e1, e2 = tangent_basis(m)
    s11, s12, s22 = tangent_hessian(m, beff, e1, e2, b_k, b_ip, ip_axis)
    det = s11 * s22 - s12 * s12
    f1 = np.einsum("ij,ij->i", db, e1)
    f2 = np.einsum("ij,ij->i", db, e2)
    d1 = (s22 * f1 - s12 * f2) / det
    d2 = (-s12 * f1 + s11 * f2) / det
    return d1[:, None] * e1 + d2[:, None] * e2
