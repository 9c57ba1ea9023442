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
    "driven_state",
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


def _cross(a, b):
    """Row-wise cross product of (N, 3) arrays (faster than np.cross for this shape)."""
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[:, 0] = a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1]
    out[:, 1] = a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2]
    out[:, 2] = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return out


def tangent_basis(m):
    """Orthonormal tangent vectors e1, e2 (each (N, 3)) with e1 x e2 = m."""
    near_pole = np.abs(m[:, 2]) >= 0.9
    # e1 = ref x m with ref = z (or x near the poles), normalised
    e1 = np.empty_like(m)
    e1[:, 0] = np.where(near_pole, 0.0, -m[:, 1])
    e1[:, 1] = np.where(near_pole, -m[:, 2], m[:, 0])
    e1[:, 2] = np.where(near_pole, m[:, 1], 0.0)
    e1 /= np.sqrt(np.einsum("ij,ij->i", e1, e1))[:, None]
    e2 = _cross(m, e1)
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
    """Riemannian Newton on the sphere for every row of m; returns (m, converged).

    Only rows that have not converged are iterated (active set)."""
    scale = np.linalg.norm(b, axis=1) + abs(b_k) + abs(b_ip) + 1e-300
    m = m / np.linalg.norm(m, axis=1, keepdims=True)
    conv = np.zeros(len(m), bool)
    act = np.arange(len(m))
    for _ in range(max_iter + 1):
        ma, ba, sa = m[act], b[act], scale[act]
        beff = effective_field(ma, ba, b_k, b_ip, ip_axis)
        e1, e2 = tangent_basis(ma)
        g1 = -np.einsum("ij,ij->i", beff, e1)
        g2 = -np.einsum("ij,ij->i", beff, e2)
        gnorm = np.hypot(g1, g2)
        s11, s12, s22 = tangent_hessian(ma, beff, e1, e2, b_k, b_ip, ip_axis)
        det = s11 * s22 - s12 * s12
        pd = (det > 0) & (s11 > 0) & (s22 > 0)
        # a converged point may sit on a marginal (flat) minimum, e.g. a field equal to the
        # anisotropy field along a hard axis: accept a positive semi-definite Hessian there
        psd = (det >= -1e-10 * sa ** 2) & (s11 >= -1e-8 * sa) & (s22 >= -1e-8 * sa)
        done = psd & (gnorm <= tol * sa)
        conv[act[done]] = True
        keep = ~done
        if not keep.any() or _ == max_iter:
            break
        act = act[keep]
        ma, e1, e2 = ma[keep], e1[keep], e2[keep]
        g1, g2, s11, s12, s22, det, pd, gnorm, sa = (v[keep] for v in (g1, g2, s11, s12, s22, det,
                                                                      pd, gnorm, sa))
        # Newton step; where the Hessian is not positive definite, shift it (Levenberg) so the
        # step goes downhill (saddles, maxima, flat rings of minima)
        lmin = 0.5 * (s11 + s22) - np.sqrt(0.25 * (s11 - s22) ** 2 + s12 * s12)
        shift = np.where(lmin > 1e-14 * sa, 0.0, -lmin + 1e-3 * sa)
        a11, a22 = s11 + shift, s22 + shift
        dd = a11 * a22 - s12 * s12
        d1 = -(a22 * g1 - s12 * g2) / dd
        d2 = -(-s12 * g1 + a11 * g2) / dd
        step = np.hypot(d1, d2)
        shrink = np.minimum(1.0, 0.5 / np.maximum(step, 1e-300))
        d1 *= shrink
        d2 *= shrink
        # a point sitting exactly on a saddle/maximum gets a push along e1
        stuck = ~pd & (gnorm <= tol * sa)
        d1 = np.where(stuck, 0.3, d1)
        mn = ma + d1[:, None] * e1 + d2[:, None] * e2
        m[act] = mn / np.linalg.norm(mn, axis=1, keepdims=True)
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

    Notes
    -----
    Only the easy-axis parts of the anisotropy (B_K > 0, B_ip > 0) can create a second
    minimum (an easy-plane or hard-axis term is convex on the sphere's tangent directions
    it acts on); where |B| > 1.01 (max(B_K, 0) + max(B_ip, 0)) the Zeeman term dominates them
    and the energy has a single minimum (outside the Stoner-Wohlfarth astroid), so only the start
    along the field is iterated there; elsewhere all six starts are.

    Raises
    ------
    EquilibriumError
        If some point does not converge to a minimum (names how many and the first field).
    """
    b = np.atleast_2d(np.asarray(b, float))
    n = len(b)
    st = None if state is None else np.broadcast_to(np.asarray(state, float), (n,))
    m0, idx_all, multi = _starting_directions(b, b_k, b_ip, _u(ip_axis), st)
    bb = b[idx_all]
    m_all, conv_all = _newton(m0, bb, b_k, b_ip, ip_axis, tol, max_iter)
    e_flat = np.where(conv_all, energy(m_all, bb, b_k, b_ip, ip_axis), np.inf)
    m, e_best = _lowest_minimum(m_all, e_flat, idx_all, n)
    conv = np.isfinite(e_best)
    e = e_best.copy()
    is_global = conv.copy()
    if st is not None and np.any(st != 0):
        _select_branches(st, multi, n, m_all, conv_all, e_flat, e_best, m, conv, e, is_global)
    if not conv.all():
        bad = np.flatnonzero(~conv)
        raise EquilibriumError(
            f"macrospin equilibrium did not converge for {bad.size} of {n} field point(s); "
            f"first at mu0H = {b[bad[0]].tolist()} T (b_k={b_k}, b_ip={b_ip})")
    if return_info:
        return m, {"energy": e, "is_global": is_global, "converged": conv}
    return m


def _starting_directions(b, b_k, b_ip, u, st):
    """Starting directions of the Newton iteration for the fields ``b`` (N, 3) in T.

    Every point starts along its field; points inside the astroid (or with a requested branch
    ``st``) also start at +z, -z, +u, -u (u the in-plane easy axis) and along their in-plane
    field. Returns the stacked starts (M, 3), the field point of each start (M,) and the
    points with several starts.
    """
    n = len(b)
    bn = np.linalg.norm(b, axis=1, keepdims=True)
    bhat = np.where(bn > 0, b / np.where(bn > 0, bn, 1.0), _Z[None, :])
    bip = b.copy()
    bip[:, 2] = 0.0
    bipn = np.linalg.norm(bip, axis=1, keepdims=True)
    bip = np.where(bipn > 0, bip / np.where(bipn > 0, bipn, 1.0), u[None, :])
    tilt = _cross(bhat, np.array([[0.31, 0.52, 0.79]]))  # breaks exact symmetric starts
    single = bn[:, 0] > 1.01 * (max(b_k, 0.0) + max(b_ip, 0.0))
    if st is not None:
        single &= st == 0
    multi = np.flatnonzero(~single)
    starts = [bhat + 1e-3 * tilt]
    rows = [np.arange(n)]
    for v in (np.tile(_Z, (multi.size, 1)), np.tile(-_Z, (multi.size, 1)), np.tile(u, (multi.size, 1)),
              np.tile(-u, (multi.size, 1)), bip[multi]):
        starts.append(v + 1e-3 * bhat[multi])
        rows.append(multi)
    return np.concatenate(starts), np.concatenate(rows), multi


def _lowest_minimum(m_all, e_flat, idx_all, n):
    """The lowest converged minimum per point: (m (n, 3), its energy (n,) in T, inf if none)."""
    e_best = np.full(n, np.inf)
    np.minimum.at(e_best, idx_all, e_flat)
    is_best = e_flat <= e_best[idx_all]
    pick = np.full(n, -1)
    pick[idx_all[is_best][::-1]] = np.flatnonzero(is_best)[::-1]
    return m_all[np.maximum(pick, 0)], e_best


def _select_branches(st, multi, n, m_all, conv_all, e_flat, e_best, m, conv, e, is_global):
    """Replace, in place, the points with a requested branch (``st`` = +1/-1) by the minimum
    reached from m = +z / -z, and mark whether that branch is the lowest minimum found."""
    off = n
    for j, sgn in ((1, 1.0), (2, -1.0)):
        sel = np.flatnonzero(st[multi] == sgn)
        if sel.size:
            flat = off + (j - 1) * multi.size + sel
            pts = multi[sel]
            m[pts] = m_all[flat]
            conv[pts] = conv_all[flat]
            e[pts] = e_flat[flat]
            is_global[pts] = e_flat[flat] <= e_best[pts] + 1e-9 * (np.abs(e_best[pts]) + 1e-12)


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
    scale = np.linalg.norm(b, axis=1) + abs(b_k) + abs(b_ip)
    det = np.where(np.abs(det) < 1e-12 * scale ** 2, 1e-12 * scale ** 2, det)  # marginal minimum
    f1 = np.einsum("ij,ij->i", db, e1)
    f2 = np.einsum("ij,ij->i", db, e2)
    d1 = (s22 * f1 - s12 * f2) / det
    d2 = (-s12 * f1 + s11 * f2) / det
    return d1[:, None] * e1 + d2[:, None] * e2


def driven_state(m0, b, b_k, b_ip=0.0, ip_axis=0.0, b_dl=0.0, b_fl=0.0, tol=1e-13, max_iter=20):
    """Quasi-static state under the current-induced fields, solved exactly (torque balance).

    Solves m x (B_eff(m) + b_dl (m x sigma) + b_fl sigma) = 0 (sigma = y) by Newton steps in the
    tangent plane, starting from the equilibrium ``m0`` without current. The damping-like field
    is not the gradient of an energy, so this is a root of the torque, not a minimum.

    Parameters
    ----------
    m0 : ndarray, shape (N, 3)
        Equilibrium without current.
    b : ndarray, shape (N, 3)
        Applied field in T.
    b_k, b_ip, ip_axis : float
        As in :func:`equilibrium`.
    b_dl, b_fl : float
        Damping-like and field-like fields in T at the instantaneous current.

    Returns
    -------
    ndarray, shape (N, 3)
    """
    m = m0.copy()
    if b_dl != 0.0 or b_fl != 0.0:   # start from the linear response
        db = np.empty_like(m0)
        db[:, 0], db[:, 1], db[:, 2] = -b_dl * m0[:, 2], b_fl, b_dl * m0[:, 0]
        mn = m0 + linear_response(m0, b, db, b_k, b_ip, ip_axis)
        m = mn / np.linalg.norm(mn, axis=1, keepdims=True)
    scale = np.linalg.norm(b, axis=1) + abs(b_k) + abs(b_ip) + 1e-300
    for _ in range(max_iter):
        beff = effective_field(m, b, b_k, b_ip, ip_axis)
        beff[:, 0] -= b_dl * m[:, 2]          # b_dl (m x y) = b_dl (-m_z, 0, m_x)
        beff[:, 2] += b_dl * m[:, 0]
        beff[:, 1] += b_fl
        e1, e2 = tangent_basis(m)
        g1 = -np.einsum("ij,ij->i", beff, e1)
        g2 = -np.einsum("ij,ij->i", beff, e2)
        if np.all(np.hypot(g1, g2) <= tol * scale):
            break
        s11, s12, s22 = tangent_hessian(m, beff, e1, e2, b_k, b_ip, ip_axis)
        # derivative of -(b_dl (m x y)) . e_i along e_j is -b_dl e_i . (e_j x y); zero for i = j
        q = b_dl * (e1[:, 2] * e2[:, 0] - e1[:, 0] * e2[:, 2])   # b_dl e1 . (e2 x y)
        j11, j12, j21, j22 = s11, s12 - q, s12 + q, s22
        det = j11 * j22 - j12 * j21
        d1 = -(j22 * g1 - j12 * g2) / det
        d2 = -(-j21 * g1 + j11 * g2) / det
        mn = m + d1[:, None] * e1 + d2[:, None] * e2
        m = mn / np.linalg.norm(mn, axis=1, keepdims=True)
    return m
