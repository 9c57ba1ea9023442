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
from scipy import constants as _c

from ...units import HBAR
from .core import (
    E_SIGNED, HBAR2_2ME_MEV_NM2, PAULI, DiluteLimitError, TMatrixError, torque_efficiencies,
)

__all__ = ["response_batch", "efficiency_map"]


def _roots(eps, a, c2, d, phi):
    """Roots of the ray quartics, shape (B, n_phi, 4); arguments in meV, nm (hbar = 1)."""
    dd = np.einsum("bi,bi->b", d, d)
    c = d[:, 1, None] * np.cos(phi)[None] - d[:, 0, None] * np.sin(phi)[None]   # (B, P)
    p2 = -(2 * c2 * eps + a * a) / c2 ** 2
    p1 = -2 * a[:, None] * c / c2[:, None] ** 2
    p0 = (eps * eps - dd) / c2 ** 2
    bsz, npts = c.shape
    comp = np.zeros((bsz, npts, 4, 4))
    comp[..., 0, 1] = -p2[:, None]
    comp[..., 0, 2] = -p1
    comp[..., 0, 3] = -p0[:, None]
    comp[..., 1, 0] = comp[..., 2, 1] = comp[..., 3, 2] = 1.0
    return np.linalg.eigvals(comp), c


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
    c2 = HBAR2_2ME_MEV_NM2 / mass
    e = 1e3 * eps
    a = 1e3 * alpha
    d = 1e3 * exchange[:, None] * np.stack([np.sin(theta), 0 * theta, np.cos(theta)], axis=1)
    w = 1e3 * u * radius ** 2
    n = density
    if np.any(a == 0):
        raise TMatrixError("response_batch needs alpha != 0; use response() for alpha = 0")
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    roots, cray = _roots(e, a, c2, d, phi)
    # ---- Fermi points ----
    kscale = np.sqrt(np.maximum(np.abs(e), np.linalg.norm(d, axis=1)) / c2) + np.abs(a) / c2
    real = (np.abs(roots.imag) <= 1e-7 * kscale[:, None, None]) & \
        (roots.real > 1e-12 * kscale[:, None, None])
    ib, ip, _ = np.nonzero(real)
    k = roots.real[real]
    ph = phi[ip]
    c = cray[ib, ip]
    ee, aa, cc, dd_ = e[ib], a[ib], c2[ib], d[ib]
    ddot = np.einsum("pi,pi->p", dd_, dd_)
    for _ in range(2):
        q = cc ** 2 * k ** 4 - (2 * cc * ee + aa * aa) * k ** 2 - 2 * aa * c * k + ee * ee - ddot
        dq = 4 * cc ** 2 * k ** 3 - 2 * (2 * cc * ee + aa * aa) * k - 2 * aa * c
        k = k - q / dq
    counts = np.bincount(ib, minlength=bsz)
    if np.any(counts == 0):
        bad = int(np.argmax(counts == 0))
        raise TMatrixError(f"point {bad}: fermi_energy = {eps[bad]:g} eV lies below the bottom of "
                           "the lower band: there is no Fermi surface")
    bx = -aa * k * np.sin(ph) + dd_[:, 0]
    by = aa * k * np.cos(ph) + dd_[:, 1]
    bz = dd_[:, 2]
    bn = np.sqrt(bx ** 2 + by ** 2 + bz ** 2)
    band = np.where(ee - cc * k ** 2 >= 0, 1.0, -1.0)
    spin = np.stack([np.ones_like(k), band * bx / bn, band * by / bn, band * bz / bn], axis=1)
    dedk = 2 * cc * k + band * (aa * aa * k + aa * c) / bn
    weight = (2 * np.pi / n_phi) / (2 * np.pi) ** 2 * k / np.abs(dedk)
    vel = np.stack([2 * cc * k * np.cos(ph) + aa * spin[:, 2],
                    2 * cc * k * np.sin(ph) - aa * spin[:, 1]], axis=1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])

    def seg_sum(x):
        return np.add.reduceat(x, starts, axis=0)

    # ---- g0 (eq. 16b): exact radial partial fractions, trapezoid in phi ----
    rr = roots
    dqr = 4 * c2[:, None, None] ** 2 * rr ** 3 - 2 * (2 * c2 * e + a * a)[:, None, None] * rr \
        - 2 * a[:, None, None] * cray[..., None]
    s_, co = np.sin(phi)[None, :, None], np.cos(phi)[None, :, None]
    kn = np.stack([
        -c2[:, None, None] * rr ** 3 + e[:, None, None] * rr,
        -a[:, None, None] * s_ * rr ** 2 + d[:, 0, None, None] * rr,
        a[:, None, None] * co * rr ** 2 + d[:, 1, None, None] * rr,
        d[:, 2, None, None] * rr,
    ], axis=-1)
    logs = np.log(lam[:, None, None] - rr) - np.log(-rr + 0j)
    re_g = np.real(np.sum(kn / dqr[..., None] * logs[..., None], axis=2)).mean(axis=1) / (2 * np.pi)
    im_g = -0.5 * np.pi * seg_sum(weight[:, None] * spin)
    g0 = np.einsum("ba,aij->bij", re_g + 1j * im_g, PAULI)
    # ---- T-matrix, rates, N, bubbles ----
    eye = np.eye(2, dtype=complex)
    if approximation == "tmatrix":
        tp = w[:, None, None] * np.linalg.inv(eye - w[:, None, None] * g0)
        tl = tp
    else:
        tp = w[:, None, None] * eye + w[:, None, None] ** 2 * g0
        tl = w[:, None, None] * np.broadcast_to(eye, g0.shape)
    tc = 0.5 * np.einsum("bij,aji->ba", tp, PAULI)
    gamma = -np.imag(np.einsum("pa,pa->p", spin, tc[ib]))
    if np.any(gamma <= 0):
        raise TMatrixError("non-positive scattering rate on the Fermi surface")
    wg = weight / gamma
    nm = 0.5 * np.pi * seg_sum(wg[:, None, None] * spin[:, :, None] * spin[:, None, :])
    bub = seg_sum(wg[:, None, None] * spin[:, :, None] * vel[:, None, :]) / (2 * n[:, None, None])
    s0 = seg_sum(wg[:, None, None] * vel[:, :, None] * vel[:, None, :]) / (2 * n[:, None, None])
    # dilute check
    kinetic = np.minimum.reduceat(k * np.abs(dedk), starts) / 2
    split = np.minimum.reduceat(2 * bn, starts)
    ratio = n * np.maximum.reduceat(gamma, starts) / np.minimum(split, kinetic)
    if nondilute not in ("raise", "mask"):
        raise TMatrixError(f"nondilute must be 'raise' or 'mask', not {nondilute!r}")
    valid = ratio <= max_broadening_ratio
    if nondilute == "raise" and not np.all(valid):
        bad = int(np.argmax(ratio))
        raise DiluteLimitError(
            f"non-dilute parameters at point {bad} (eps = {eps[bad]:g} eV, theta = "
            f"{theta[bad]:g} rad): n*Gamma is {ratio[bad]:.2g} of alpha*p_F / the Fermi energy "
            f"(limit {max_broadening_ratio}); lower 'density' or 'u'")
    # ---- renormalised current vertex with the charge-neutrality condition ----
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
    k_si = E_SIGNED * k_int / (1e-3 * _c.e * 1e-9)
    sig_si = E_SIGNED ** 2 / HBAR * sig_int
    k_j = k_si @ np.linalg.inv(sig_si)
    nb = np.array([len(set(band[s:s + cnt])) for s, cnt in zip(starts, counts)])
    return {"K": k_si, "sigma": sig_si, "K_J": k_j, "n_bands": nb, "broadening_ratio": ratio,
            "valid": valid}


def efficiency_map(energies, thetas, exchange, alpha, u, radius, density, mass=0.8,
                   approximation="tmatrix", normalisation="tensor", n_phi=256, chunk=500,
                   progress=None, max_broadening_ratio=0.1, nondilute="mask"):
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
    chunk : int
        Points evaluated per batch (memory ~ chunk * n_phi * 0.3 kB).
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
    """
    energies = np.asarray(energies, float)
    thetas = np.asarray(thetas, float)
    ee, tt = np.meshgrid(energies, thetas, indexing="ij")
    flat_e, flat_t = ee.ravel(), tt.ravel()
    total = flat_e.size
    out = {"K": np.empty((total, 3, 2)), "sigma": np.empty((total, 2, 2)),
           "K_J": np.empty((total, 3, 2)), "n_bands": np.empty(total, int),
           "valid": np.empty(total, bool), "broadening_ratio": np.empty(total)}
    for s in range(0, total, chunk):
        sl = slice(s, min(total, s + chunk))
        r = response_batch(flat_e[sl], flat_t[sl], exchange, alpha, u, radius, density, mass,
                           approximation=approximation, n_phi=n_phi,
                           max_broadening_ratio=max_broadening_ratio, nondilute=nondilute)
        for key in out:
            out[key][sl] = r[key]
        if progress:
            progress(sl.stop, total)
    if normalisation == "tensor":
        kj = out["K_J"]
    elif normalisation == "longitudinal":
        kj = out["K"] / out["sigma"][:, 0:1, 0:1]
    else:
        raise TMatrixError(f"normalisation must be 'tensor' or 'longitudinal', not {normalisation!r}")
    taus = {key: np.empty(total) for key in ("tau1_e", "tau2_e", "tau1_o", "tau2_o")}
    kj = np.where(out["valid"][:, None, None], kj, np.nan)
    for i in range(total):
        t = torque_efficiencies(kj[i], flat_t[i])
        for key in taus:
            taus[key][i] = t[key]
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
