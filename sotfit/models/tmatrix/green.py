"""Clean local Green's function, single-impurity T-matrix and self-energy.

Veneri, Perkins and Ferreira, eqs. (15), (16a)-(16b) and (32); ``Re g0`` is regularised by a
sharp momentum cutoff ``|k| < Lambda``. Internal units: meV, nm, hbar = 1.
"""

from __future__ import annotations

import math

import numpy as np

from .model import BandExtremumError, MIN_RAYS, PAULI, RashbaFerromagnet, TMatrixError
from .contour import FermiContour, _contour_batch, _contour_from_points, fermi_contour

__all__ = [
    "clean_local_green", "clean_local_green_isotropic", "t_matrix", "self_energy",
    "averaged_green",
]


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
