"""Vectorised T-matrix response over many parameter points (maps in eps and theta).

The same mathematics as :func:`sotfit.models.tmatrix.core.response` (seed
002_acb2a8e60c4cb8a9.txt eqs. 16-27 at leading order in n), evaluated for a whole
batch of parameter points at once: the quartic roots of every ray of every point in
one batched eigenvalue call, the Fermi-ring sums with segmented reductions, and the
4x4 vertex equations with batched solves. Used for the energy-angle maps of the CLI
and figures; checked against the single-point code in ``tests/test_tmatrix_batch.py``.
"""

from __future__ import annotations

import math

import numpy as np

from .contour import _contour_batch, band_bottom
from .green import _re_g0_batch
from .model import (HBAR2_2ME_MEV_NM2, PAULI, BandExtremumError, BelowBandError,
                    DiluteLimitError, RashbaFerromagnet, TMatrixError, conductivity_si,
                    susceptibility_si)
from .response import torque_efficiencies

__all__ = ["response_batch", "efficiency_map"]


def response_batch(eps, theta, exchange, alpha, u, radius, density, mass=0.8, cutoff=None,
                   approximation="tmatrix", n_phi=256, max_broadening_ratio=0.1, nondilute="raise"):
    """Spin susceptibility and conductivity for B parameter points at once.

    Parameters
    ----------
    eps, theta, exchange, alpha, u, radius, density, mass : array_like, broadcast to (B,)
        As :class:`~sotfit.models.tmatrix.core.RashbaFerromagnet` (eV, rad, eV, eV nm, eV,
        nm, nm^-2, m_e).
    cutoff : array_like or None
        Momentum cutoff, nm^-1 (default ``1/radius``).
    approximation : {'tmatrix', 'born'}
    n_phi : int
        Rays per point.
    max_broadening_ratio : float
        Dilute-limit threshold (see :func:`~sotfit.models.tmatrix.core.response`).
    nondilute : {'raise', 'mask'}
        What to do with points beyond the threshold (e.g. just above a band edge, where the
        new Fermi ring is smaller than the broadening): raise :class:`DiluteLimitError`, or
        return them with ``valid = False``.

    Returns
    -------
    dict
        ``K`` (B, 3, 2) in 1/(V m), ``sigma`` (B, 2, 2) in S, ``K_J`` (B, 3, 2) in 1/(A m),
        ``n_bands`` (B,), ``broadening_ratio`` (B,), ``valid`` (B,) bool.
    """
    if approximation not in ("tmatrix", "born"):
        raise TMatrixError(f"approximation must be 'tmatrix' or 'born', not {approximation!r}")
    arrs = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in
                                 (eps, theta, exchange, alpha, u, radius, density, mass)))
    eps, theta, exchange, alpha, u, radius, density, mass = (x.ravel() for x in arrs)
    bsz = eps.size
    lam = (1.0 / radius) if cutoff is None else np.broadcast_to(np.asarray(cutoff, float), (bsz,))
    if np.any(radius <= 0) or np.any(density <= 0) or np.any(mass <= 0):
        raise TMatrixError("radius, density and mass must be positive")
    c2 = HBAR2_2ME_MEV_NM2 / mass
    e = 1e3 * eps
    a = 1e3 * alpha
    d = 1e3 * exchange[:, None] * np.stack([np.sin(theta), 0 * theta, np.cos(theta)], axis=1)
    w = 1e3 * u * radius ** 2
    n = density
    if np.any(a == 0):
        raise TMatrixError("alpha = 0: without the Rashba coupling the model has no spin-orbit "
                           "torque (every K vanishes) and its Fermi rings are degenerate, which "
                           "the batch solver does not take; give alpha != 0 (--alpha), or "
                           "sotfit.models.tmatrix.response for the degenerate rings")
    lam = np.asarray(lam, float)
    pts, roots_g, coef_g = _contour_batch(e, a, c2, d, n_phi)
    _check_fermi_points(pts, eps, theta, exchange, alpha, u, radius, density, mass)
    counts = pts["counts"]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    _check_batch_cutoff(pts, starts, lam, e, a, c2, exchange)
    g0 = _batch_g0(pts, starts, e, a, c2, d, lam, roots_g, coef_g, n_phi)
    tp, tl = _batch_t_matrix(w, g0, approximation)
    gamma, nm, bub, s0 = _batch_ring_sums(pts, starts, tp, n)
    ratio = _broadening_ratio(pts, starts, gamma, n)
    if nondilute not in ("raise", "mask"):
        raise TMatrixError(f"nondilute must be 'raise' or 'mask', not {nondilute!r}")
    valid = ratio <= max_broadening_ratio
    if nondilute == "raise" and not np.all(valid):
        bad = int(np.argmax(ratio))
        raise DiluteLimitError(
            f"non-dilute parameters at point {bad} (eps = {eps[bad]:g} eV, theta = "
            f"{theta[bad]:g} rad): n*Gamma is {ratio[bad]:.2g} of alpha*p_F / the Fermi energy "
            f"(limit {max_broadening_ratio}); lower 'density' or 'u'")
    k_si, sig_si, k_j = _batch_vertex_response(tl, nm, bub, s0, n)
    band = pts["band"]
    nb = np.array([len(set(band[s:s + cnt])) for s, cnt in zip(starts, counts)])
    return {"K": k_si, "sigma": sig_si, "K_J": k_j, "n_bands": nb, "broadening_ratio": ratio,
            "valid": valid}


def _check_fermi_points(pts, eps, theta, exchange, alpha, u, radius, density, mass) -> None:
    """Refuse a batch with a point below the lower band bottom (no Fermi surface) or exactly
    at a band extremum (zero Fermi velocity: infinite quadrature weight)."""
    counts = pts["counts"]
    if np.any(counts == 0):
        bad = int(np.argmax(counts == 0))
        bottom = band_bottom(RashbaFerromagnet(
            fermi_energy=float(eps[bad]), exchange=float(exchange[bad]), alpha=float(alpha[bad]),
            theta=float(theta[bad]), u=float(u[bad]), radius=float(radius[bad]),
            density=float(density[bad]), mass=float(mass[bad])))
        if eps[bad] >= bottom - 1e-12 * max(1e-3, abs(bottom)):
            # at the bottom, a ring of zero size: 'fermi_energy = -0.005 eV lies below the
            # bottom of the lower band (-0.005 eV ...)' said of -5 meV with --exchange 5meV
            raise BandExtremumError(
                f"point {bad}: fermi_energy = {1e3 * eps[bad]:.6g} meV lies at the bottom of the "
                f"lower band ({1e3 * bottom:.6g} meV at theta = {math.degrees(theta[bad]):.4g} "
                "deg): a Fermi ring of zero size; shift the Fermi energy slightly")
        raise BelowBandError(f"point {bad}: fermi_energy = {eps[bad]:g} eV lies below the bottom of "
                             f"the lower band ({bottom:.4g} eV at theta = {theta[bad]:.4g} rad): "
                             "there is no Fermi surface")
    weight, ib = pts["weight"], pts["seg"]
    if not np.all(np.isfinite(weight)):
        bad = int(ib[np.argmax(~np.isfinite(weight))])
        raise BandExtremumError(
            f"point {bad}: Fermi level (eps = {eps[bad]:g} eV, theta = {theta[bad]:g} rad) exactly "
            "at a band extremum (zero Fermi velocity); shift fermi_energy slightly")


def _check_batch_cutoff(pts, starts, lam, e, a, c2, exchange) -> None:
    """The cutoff ``lam`` (nm^-1) must lie far outside the Fermi rings and band scales (the
    criterion of :func:`~sotfit.models.tmatrix.green._check_cutoff`, per point)."""
    kmax = np.maximum.reduceat(np.hypot(pts["kx"], pts["ky"]), starts)
    e_scale = np.maximum.reduce([np.abs(e), 1e3 * np.abs(exchange), a * a / c2])
    k_scale = np.maximum.reduce([kmax, np.sqrt(e_scale / c2), np.abs(a) / c2])
    if np.any(lam < 5 * k_scale):
        bad = int(np.argmax(lam < 5 * k_scale))
        raise TMatrixError(
            f"point {bad}: cutoff = {lam[bad]:.4g} nm^-1 (default 1/R) is too small: the "
            f"regularisation of Re g0 (seed 002 eq. 16b) needs Lambda >> the Fermi momentum and "
            f"band scales ({k_scale[bad]:.4g} nm^-1); use at least {5 * k_scale[bad]:.3g} nm^-1: "
            f"the cutoff is 1/R, so an impurity range R below {1 / (5 * k_scale[bad]):.3g} nm "
            "(--radius), with u raised as 1/R^2 to keep the impurity strength W = u R^2 (--u)")


def _batch_g0(pts, starts, e, a, c2, d, lam, roots_g, coef_g, n_phi):
    """``g0+`` of every point (eq. 16b), (B, 2, 2) meV^-1 nm^-2: exact radial partial
    fractions for ``Re g0``, the Fermi-ring sum for ``Im g0``, trapezoid in phi."""
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    re_g = _re_g0_batch(e, a, c2, d, lam, roots_g, coef_g, pts["g0_center"], phi)
    im_g = -0.5 * np.pi * np.add.reduceat(pts["weight"][:, None] * pts["spin"], starts, axis=0)
    return np.einsum("ba,aij->bij", re_g + 1j * im_g, PAULI)


def _batch_t_matrix(w, g0, approximation):
    """``T+`` (eq. 16a) and the T-matrix of the ladder, both (B, 2, 2) meV nm^2; in the first
    Born approximation ``T+ = W + W g0 W`` and the ladder uses ``W``."""
    eye = np.eye(2, dtype=complex)
    if approximation == "tmatrix":
        tp = w[:, None, None] * np.linalg.inv(eye - w[:, None, None] * g0)
        return tp, tp
    tp = w[:, None, None] * eye + w[:, None, None] ** 2 * g0
    return tp, w[:, None, None] * np.broadcast_to(eye, g0.shape)


def _batch_ring_sums(pts, starts, tp, n):
    """Rates ``gamma_k`` (P,) meV nm^2, ``N`` (B, 4, 4) and the spin-velocity and
    velocity-velocity bubbles (B, 4, 2), (B, 2, 2) as Fermi-ring sums (eq. 20)."""
    weight, spin, vel, ib = pts["weight"], pts["spin"], pts["velocity"], pts["seg"]

    def seg_sum(x):
        return np.add.reduceat(x, starts, axis=0)

    tc = 0.5 * np.einsum("bij,aji->ba", tp, PAULI)
    gamma = -np.imag(np.einsum("pa,pa->p", spin, tc[ib]))
    if np.any(gamma <= 0):
        raise TMatrixError("non-positive scattering rate on the Fermi surface")
    wg = weight / gamma
    nm = 0.5 * np.pi * seg_sum(wg[:, None, None] * spin[:, :, None] * spin[:, None, :])
    bub = seg_sum(wg[:, None, None] * spin[:, :, None] * vel[:, None, :]) / (2 * n[:, None, None])
    s0 = seg_sum(wg[:, None, None] * vel[:, :, None] * vel[:, None, :]) / (2 * n[:, None, None])
    return gamma, nm, bub, s0


def _broadening_ratio(pts, starts, gamma, n):
    """``n Gamma`` over the smaller of the band splitting and the kinetic scale, per point."""
    kinetic = np.minimum.reduceat(pts["kinetic"], starts)
    split = np.minimum.reduceat(2 * pts["bn"], starts)
    return n * np.maximum.reduceat(gamma, starts) / np.minimum(split, kinetic)


def _batch_vertex_response(tl, nm, bub, s0, n):
    """``K`` (1/(V m)), ``sigma`` (S) and ``K_J`` (1/(A m)) from the renormalised current
    vertex with the charge-neutrality condition (eqs. 19-27), per point."""
    ups = 0.5 * np.einsum("aij,bjk,ckl,bli->bac", PAULI, tl, PAULI, np.conj(np.swapaxes(tl, 1, 2)))
    ups = ups.real
    amat = np.eye(4) - ups @ nm
    xbar = np.pi * n[:, None, None] * ups @ bub
    cons = nm[:, 0, :] / (np.pi * n[:, None])
    lhs = np.concatenate([amat, cons[:, None, :]], axis=1)                     # (B, 5, 4)
    rhs = np.concatenate([xbar, -bub[:, 0:1, :]], axis=1)                      # (B, 5, 2)
    # least squares through the (well conditioned, 4x4) normal equations
    lt = np.swapaxes(lhs, 1, 2)
    x = np.linalg.solve(lt @ lhs, lt @ rhs)                                    # (B, 4, 2)
    k_int = bub[:, 1:, :] + nm[:, 1:, :] @ x / (np.pi * n[:, None, None])
    sig_int = s0 + np.swapaxes(bub, 1, 2) @ x
    k_si = susceptibility_si(k_int)
    sig_si = conductivity_si(sig_int)
    return k_si, sig_si, k_si @ np.linalg.inv(sig_si)


def _chunk(*args, **kw):
    """:func:`response_batch` on one chunk; with ``nondilute='mask'`` a point whose Fermi level
    sits exactly at a band extremum (:class:`BandExtremumError`, the limit of a non-dilute
    point) or below the lower band (:class:`BelowBandError`: no Fermi surface; a sweep of
    energies across the band bottom was refused whole) is masked like the non-dilute points
    instead of failing the whole chunk (``n_bands = 0`` there)."""
    try:
        return response_batch(*args, **kw)
    except (BandExtremumError, BelowBandError):
        if kw.get("nondilute") != "mask":
            raise
    eps = np.atleast_1d(args[0])
    arrs = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in args))
    out = {"K": np.full((eps.size, 3, 2), np.nan), "sigma": np.full((eps.size, 2, 2), np.nan),
           "K_J": np.full((eps.size, 3, 2), np.nan), "n_bands": np.zeros(eps.size, int),
           "broadening_ratio": np.full(eps.size, np.inf), "valid": np.zeros(eps.size, bool)}
    for i in range(eps.size):
        try:
            r = response_batch(*(a[i] for a in arrs), **kw)
        except (BandExtremumError, BelowBandError):
            continue
        for key in out:
            out[key][i] = r[key][0]
    return out


def _chunk_task(kw, args):
    """One batch of :func:`efficiency_map` (a task of :func:`sotfit.parallel.map_tasks`)."""
    return _chunk(*args, **kw)


def efficiency_map(energies, thetas, exchange, alpha, u, radius, density, mass=0.8,
                   approximation="tmatrix", normalisation="tensor", n_phi=128, chunk=500,
                   progress=None, max_broadening_ratio=0.1, nondilute="mask", executor=None,
                   workers=None, scheduler=None):
    """Torque efficiencies on a grid of Fermi energies x magnetisation angles.

    Parameters
    ----------
    energies : array_like
        Fermi energies, eV (NE values).
    thetas : array_like
        Magnetisation angles from +z, rad (NT values).
    exchange, alpha, u, radius, density, mass
        Scalars as in :class:`~sotfit.models.tmatrix.core.RashbaFerromagnet`.
    approximation : {'tmatrix', 'born'}
    normalisation : {'tensor', 'longitudinal'}
        ``K_J = K sigma^-1`` (eq. 2) or ``K / sigma_xx``.
    n_phi : int
        Rays per ring (128 by default: the ring integrals converge exponentially and 96 rays
        already agree with 384 to 1e-10, see docs/tmatrix.md).
    chunk : int
        Points evaluated per batch (memory ~ chunk * n_phi * 0.3 kB). A batch is made of whole
        rows of the map (one Fermi energy, every angle; at least one row), so the batches do
        not depend on ``workers`` or ``scheduler`` and neither do the results.
    executor : concurrent.futures.Executor, optional
        Runs the chunks (e.g. an mpi4py executor); default: :func:`sotfit.parallel.map_tasks`
        with ``workers`` and ``scheduler``.
    workers : int or None
        Local worker processes for the batches (None or 1: this process).
    scheduler : str or None
        Address of a running dask.distributed scheduler (``pip install sotfit[dask]``).
    progress : callable, optional
        ``progress(done, total)``.
    max_broadening_ratio, nondilute
        As :func:`response_batch`; by default points beyond the dilute limit are masked
        (NaN efficiencies, ``valid = False``).

    Returns
    -------
    dict of arrays of shape (NE, NT)
        ``tau1_e, tau2_e, tau1_o, tau2_o`` (1/(A m)), ``K_J`` (NE, NT, 3, 2) (1/(A m)),
        ``K`` (1/(V m)), ``sigma`` (S), ``n_bands``, ``valid``, ``broadening_ratio``.
        With ``nondilute='mask'`` a point whose Fermi level sits exactly at a band extremum
        (e.g. eps = Delta_xc at theta = 0) is masked too (NaN, ``n_bands = 0``).
    """
    energies = np.asarray(energies, float)
    thetas = np.asarray(thetas, float)
    ee, tt = np.meshgrid(energies, thetas, indexing="ij")
    flat_e, flat_t = ee.ravel(), tt.ravel()
    kw = dict(approximation=approximation, n_phi=n_phi,
              max_broadening_ratio=max_broadening_ratio, nondilute=nondilute)
    out = _map_batches(flat_e, flat_t, (exchange, alpha, u, radius, density, mass), kw,
                       max(thetas.size, 1), chunk, progress, executor, workers, scheduler)
    if normalisation == "tensor":
        kj = out["K_J"]
    elif normalisation == "longitudinal":
        kj = out["K"] / out["sigma"][:, 0:1, 0:1]
    else:
        raise TMatrixError(f"normalisation must be 'tensor' or 'longitudinal', not {normalisation!r}")
    kj = np.where(out["valid"][:, None, None], kj, np.nan)
    taus = _torque_arrays(kj, flat_t)
    shape = ee.shape
    res = {key: v.reshape(shape) for key, v in taus.items()}
    res["K_J"] = kj.reshape(shape + (3, 2))
    res["K"] = out["K"].reshape(shape + (3, 2))
    res["sigma"] = out["sigma"].reshape(shape + (2, 2))
    res["n_bands"] = out["n_bands"].reshape(shape)
    res["valid"] = out["valid"].reshape(shape)
    res["broadening_ratio"] = out["broadening_ratio"].reshape(shape)
    res["energies"], res["thetas"] = energies, thetas
    return res


def _map_batches(flat_e, flat_t, scalars, kw, n_row, chunk, progress, executor, workers,
                 scheduler) -> dict:
    """:func:`response_batch` on the flattened map in batches of whole rows (``n_row``
    points each), serially, on workers or on ``executor``; the results in map order."""
    total = flat_e.size
    out = {"K": np.empty((total, 3, 2)), "sigma": np.empty((total, 2, 2)),
           "K_J": np.empty((total, 3, 2)), "n_bands": np.empty(total, int),
           "valid": np.empty(total, bool), "broadening_ratio": np.empty(total)}
    step = n_row * max(1, int(chunk) // n_row)              # whole rows of the map per batch
    slices = [slice(s, min(total, s + step)) for s in range(0, total, step)]
    args = [(flat_e[sl], flat_t[sl], *scalars) for sl in slices]
    if executor is None:
        from ...parallel import map_tasks

        tick = None
        if progress:
            def tick(done, n):
                progress(total if done == n else done * step, total)
        results = map_tasks(_chunk_task, args, workers=workers, scheduler=scheduler, shared=kw,
                            progress=tick)
    else:
        futures = [executor.submit(_chunk, *a, **kw) for a in args]
        results = (f.result() for f in futures)
    for sl, r in zip(slices, results):
        for key in out:
            out[key][sl] = r[key]
        if progress and executor is not None:
            progress(sl.stop, total)
    return out


def _torque_arrays(kj, thetas) -> dict:
    """:func:`torque_efficiencies` of every point: K_J (P, 3, 2) in 1/(A m), angles (P,) in rad."""
    taus = {key: np.empty(thetas.size) for key in ("tau1_e", "tau2_e", "tau1_o", "tau2_o")}
    for i in range(thetas.size):
        t = torque_efficiencies(kj[i], thetas[i])
        for key in taus:
            taus[key][i] = t[key]
    return taus
