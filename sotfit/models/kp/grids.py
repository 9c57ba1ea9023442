"""k-space grids that resolve Fermi contours, and band data on them.

Two kinds of integration are used by the response functions:

* :class:`KGrid` -- a fixed polar grid (uniform in the azimuth, composite Gauss-Legendre
  in |k|) with weights ``w = k dk dphi / (2 pi)^2`` (1/nm^2). It serves a whole sweep of
  chemical potentials at once (finite temperature Boltzmann, Kubo-Bastin with broadening
  eta). :func:`check_resolution` refuses a grid whose radial spacing is too coarse for the
  energy scale it must resolve (k_B T or eta).
* :func:`ray_partition` -- for one chemical potential at T = 0: along each ray the Fermi
  wave vectors of every band are found by bisection, so that Fermi-contour integrals are
  exact sums over roots and Fermi-sea integrals are Gauss-Legendre sums over intervals in
  which every occupation is constant.

Units: k in 1/nm, energies in eV, dH/dk in eV nm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["KGrid", "BandData", "polar_grid", "diagonalise", "check_resolution",
           "GridError", "GridWarning", "ray_partition", "RayPartition", "max_band_slope",
           "fermi_adapted_grid", "check_cutoff"]


class GridError(ValueError):
    """A k-grid too coarse (or too small) for the requested broadening or temperature."""


class GridWarning(UserWarning):
    """A k-space integral whose convergence check did not pass its tolerance."""


@dataclass(frozen=True)
class KGrid:
    """Flattened k points with integration weights.

    Attributes
    ----------
    kx, ky : ndarray (N,)
        Wave vectors in 1/nm.
    w : ndarray (N,)
        Weights (1/nm^2) such that sum(w g) = int d^2k/(2pi)^2 g.
    dk_max : float
        Largest radial node spacing (1/nm), used by :func:`check_resolution`.
    kmax : float
        Radius of the grid (1/nm).
    n_phi : int
        Number of azimuths.
    """

    kx: np.ndarray
    ky: np.ndarray
    w: np.ndarray
    dk_max: float
    kmax: float
    n_phi: int

    @property
    def size(self) -> int:
        return self.kx.size


def _gauss_panels(edges, order):
    """Composite Gauss-Legendre nodes and weights on consecutive intervals ``edges``."""
    x, wx = np.polynomial.legendre.leggauss(order)
    edges = np.asarray(edges, float)
    a, b = edges[:-1, None], edges[1:, None]
    nodes = (0.5 * (b - a) * x + 0.5 * (b + a)).ravel()
    weights = (0.5 * (b - a) * wx).ravel()
    return nodes, weights


#: Most k points of one polar grid: the Hamiltonian's eigenvectors and velocities on it take
#: about 200 bytes a point for each of a few arrays, so this is a few GB. A temperature of
#: 0.01 meV asked 22 million points and ended in a MemoryError traceback.
MAX_GRID_POINTS = 8_000_000


#: What the radial panels of a fine polar grid resolve, and how to need fewer of them.
_THERMAL_PANELS = ("the radial panels resolve k_B T, so raise the temperature, lower the number "
                   "of azimuths (--n-phi) or the cutoff, or compute at T = 0 (the Fermi-contour "
                   "method, --temperature 0eV)")
BROADENING_PANELS = ("the radial panels resolve the Kubo broadening eta, so raise it (--eta), "
                     "lower the number of azimuths (--n-phi) or the cutoff, or use the Boltzmann "
                     "method (--method boltzmann)")


def polar_grid(kmax: float, n_k: int, n_phi: int, order: int = 4, kmin: float = 0.0,
               phi0: float | None = None, resolves: str = _THERMAL_PANELS) -> KGrid:
    """A polar grid: ``n_phi`` azimuths and ``n_k`` radial Gauss-Legendre panels.

    Parameters
    ----------
    kmax : float
        Outer radius (1/nm); must exceed every Fermi wave vector of interest.
    n_k : int
        Number of radial panels of equal width, each with ``order`` Gauss-Legendre nodes.
    n_phi : int
        Number of azimuths (uniform; the trapezoid rule is spectrally accurate for the
        periodic azimuthal integrands).
    order : int
        Gauss-Legendre order per panel.
    kmin : float
        Inner radius (1/nm), normally 0.
    phi0 : float, optional
        Offset of the first azimuth (rad); default half a step, which avoids rays along
        the symmetry axes.
    resolves : str
        What the radial panels resolve and how to need fewer, for the error of a grid beyond
        :data:`MAX_GRID_POINTS` (k_B T by default; :data:`BROADENING_PANELS` for the Kubo
        broadening).
    """
    if not (kmax > kmin >= 0):
        raise GridError(f"polar grid: need 0 <= kmin < kmax, got kmin={kmin}, kmax={kmax} 1/nm")
    if n_k < 1 or n_phi < 3:
        raise GridError(f"polar grid: need n_k >= 1 and n_phi >= 3, got n_k={n_k}, n_phi={n_phi}")
    points = n_k * order * n_phi
    if points > MAX_GRID_POINTS:
        raise GridError(f"polar grid of {points:.3g} k points ({n_k} radial panels x {order} x "
                        f"{n_phi} azimuths) is beyond {MAX_GRID_POINTS:.0e} (a few GB of memory): "
                        f"{resolves}")
    k, wk = _gauss_panels(np.linspace(kmin, kmax, n_k + 1), order)
    dphi = 2 * np.pi / n_phi
    phi = (0.5 * dphi if phi0 is None else phi0) + dphi * np.arange(n_phi)
    K, P = np.meshgrid(k, phi, indexing="ij")
    W = (wk * k)[:, None] * dphi / (2 * np.pi) ** 2 * np.ones_like(P)
    spacing = np.diff(np.concatenate([[kmin], k, [kmax]]))
    return KGrid(kx=(K * np.cos(P)).ravel(), ky=(K * np.sin(P)).ravel(), w=W.ravel(),
                 dk_max=float(spacing.max()), kmax=float(kmax), n_phi=int(n_phi))


@dataclass(frozen=True)
class BandData:
    """Eigen-decomposition of a model on a set of k points.

    Attributes
    ----------
    eps : ndarray (N, nb)
        Band energies (eV), ascending.
    spin : ndarray (3, N, nb, nb)
        Spin operators in the band basis, <n|s_i|m>.
    dh : ndarray (2, N, nb, nb)
        dH/dk_i in the band basis (eV nm).
    w : ndarray (N,)
        Integration weights (1/nm^2).
    """

    eps: np.ndarray
    spin: np.ndarray
    dh: np.ndarray
    w: np.ndarray
    vecs: np.ndarray

    def dh_along(self, e_dir) -> np.ndarray:
        """(e . dH/dk) in the band basis for an in-plane direction ``e_dir`` (eV nm)."""
        e = np.asarray(e_dir, float)
        return e[0] * self.dh[0] + e[1] * self.dh[1]


def diagonalise(model, kx, ky, w=None) -> BandData:
    """Batched diagonalisation of ``model`` at (kx, ky) with operators in the band basis.

    One call to :func:`numpy.linalg.eigh` on the stacked matrices (no Python loop over k).
    """
    kx = np.asarray(kx, float).ravel()
    ky = np.asarray(ky, float).ravel()
    eps, vecs = np.linalg.eigh(model.hamiltonian(kx, ky))
    vh = np.conj(np.swapaxes(vecs, -1, -2))
    spin = np.asarray(model.spin)
    spin_b = vh[None] @ spin[:, None] @ vecs[None]
    dh = model.dh(kx, ky)
    dh_b = vh[None] @ dh @ vecs[None]
    return BandData(eps=eps, spin=spin_b, dh=dh_b,
                    w=np.ones_like(kx) if w is None else np.asarray(w, float), vecs=vecs)


def max_band_slope(model, kmax: float, n_phi: int = 16, n_k: int = 64) -> float:
    """Largest |d eps_n / dk| (eV nm) of any band within radius ``kmax``."""
    g = polar_grid(kmax, n_k, n_phi, order=2)
    bd = diagonalise(model, g.kx, g.ky)
    slopes = [np.abs(np.real(np.diagonal(bd.dh[i], axis1=-2, axis2=-1))) for i in (0, 1)]
    return float(np.max(np.hypot(*slopes)))


def check_resolution(grid: KGrid, models, scale: float, what: str, factor: float = 1.0) -> None:
    """Raise :class:`GridError` if the radial spacing cannot resolve energy scale ``scale``.

    The condition is ``dk_max * max|d eps/dk| <= factor * scale``: a Fermi-Dirac derivative
    of width k_B T, or a Lorentzian of half width eta, must span at least about one radial
    node spacing, otherwise the k-sum aliases it.

    Parameters
    ----------
    grid : KGrid
    models : list of KPModel
        Blocks whose band slopes set the requirement.
    scale : float
        k_B T or eta in eV.
    what : str
        Name used in the message (``'temperature k_B T'``, ``'broadening eta'``).
    """
    if not scale > 0:
        raise GridError(f"{what} = {scale} eV must be positive for a finite k-grid; "
                        "use the T = 0 contour integrals instead")
    slope = max(max_band_slope(m, grid.kmax) for m in models)
    need = factor * scale / slope
    if grid.dk_max > need:
        n_needed = int(np.ceil(grid.kmax / need))
        raise GridError(
            f"k-grid too coarse for {what} = {scale * 1e3:.4g} meV: radial spacing "
            f"{grid.dk_max:.3g} 1/nm times the largest band slope {slope:.3g} eV nm is "
            f"{grid.dk_max * slope * 1e3:.3g} meV > {factor * scale * 1e3:.3g} meV; use at "
            f"least n_k = {n_needed} panels up to kmax = {grid.kmax:g} 1/nm (or a larger {what})")


@dataclass(frozen=True)
class RayPartition:
    """Fermi wave vectors along rays (T = 0 integration).

    Attributes
    ----------
    phi : ndarray (n_phi,)
        Azimuths (rad), uniform.
    roots : list of list of (k, band)
        For each azimuth, the Fermi wave vectors (1/nm) and the band they belong to.
    kmax : float
        Outer radius (1/nm).
    """

    phi: np.ndarray
    roots: list
    kmax: float

    @property
    def dphi(self) -> float:
        return 2 * np.pi / self.phi.size


def _ray_eigs(model, k, phi):
    return np.linalg.eigvalsh(model.hamiltonian(k * np.cos(phi), k * np.sin(phi)))


def ray_partition(model, mu: float, n_phi: int, kmax: float, n_sample: int = 400,
                  n_bisect: int = 60) -> RayPartition:
    """Fermi wave vectors of every band along ``n_phi`` rays, by sampling and bisection.

    Each band energy eps_n(k, phi) (bands sorted by energy, hence continuous in k) is
    sampled at ``n_sample`` radii in [0, kmax]; every sign change of eps_n - mu is refined
    by ``n_bisect`` bisection steps (all brackets at once). A Fermi contour that closes and
    reopens between two samples is missed, so ``n_sample`` must resolve the band structure.
    """
    dphi = 2 * np.pi / n_phi
    phi = 0.5 * dphi + dphi * np.arange(n_phi)
    ks = np.linspace(0.0, kmax, n_sample)
    K, P = np.meshgrid(ks, phi, indexing="ij")
    e = _ray_eigs(model, K, P) - mu            # (n_sample, n_phi, nb)
    # every Fermi contour must lie inside kmax: occupations beyond kmax must not change
    far = _ray_eigs(model, np.array([[1.5 * kmax], [3.0 * kmax]]) * np.ones((1, n_phi)),
                    np.ones((2, 1)) * phi) - mu
    if np.any((far < 0) != (e[-1] < 0)[None]):
        raise GridError(f"ray partition: a band crosses mu = {mu:g} eV beyond kmax = {kmax:g} 1/nm; "
                        "increase kmax")
    s = np.sign(e)
    i, j, n = np.nonzero(s[:-1] * s[1:] < 0)
    lo, hi = ks[i].copy(), ks[i + 1].copy()
    sign_lo = s[i, j, n]
    phij = phi[j]
    for _ in range(n_bisect):
        mid = 0.5 * (lo + hi)
        ev = np.linalg.eigvalsh(model.hamiltonian(mid * np.cos(phij), mid * np.sin(phij)))
        val = np.take_along_axis(ev, n[:, None], axis=1)[:, 0] - mu
        same = np.sign(val) == sign_lo
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    kr = 0.5 * (lo + hi)
    roots = [[] for _ in range(n_phi)]
    for kk, jj, nn in zip(kr, j, n):
        roots[jj].append((float(kk), int(nn)))
    return RayPartition(phi=phi, roots=roots, kmax=float(kmax))


def fermi_adapted_grid(model, mus, width: float, n_phi: int, kmax: float, order: int = 6,
                       n_coarse: int = 24, n_sample: int = 400) -> KGrid:
    """Polar grid whose radial panels crowd around the Fermi wave vectors of ``mus``.

    Along every ray, panel edges are placed at each Fermi wave vector k_F and at
    k_F +- (w/2) 2^j (j = 0..9), with w = width / |d eps/dk| the width in k of a feature of
    energy width ``width`` (eta or k_B T), plus ``n_coarse`` uniform edges on [0, kmax].
    With ``order`` Gauss-Legendre nodes per panel this integrates Lorentzians of half width
    eta (and Fermi-function derivatives) centred on the Fermi contours to high accuracy.

    Parameters
    ----------
    model : KPModel (one block)
    mus : float or array
        Chemical potentials (eV) whose contours are resolved.
    width : float
        Energy width to resolve (eV).
    """
    mus = np.atleast_1d(mus)
    dphi = 2 * np.pi / n_phi
    phi = 0.5 * dphi + dphi * np.arange(n_phi)
    edges_per_ray = [list(np.linspace(0.0, kmax, n_coarse + 1)) for _ in range(n_phi)]
    steps = 0.5 * 2.0 ** np.arange(10)
    for mu in mus:
        part = ray_partition(model, float(mu), n_phi, kmax, n_sample=n_sample)
        for j, roots in enumerate(part.roots):
            if not roots:
                continue
            kr = np.array([r[0] for r in roots])
            ph = phi[j]
            d = model.dh(kr * np.cos(ph), kr * np.sin(ph))
            vals, vecs = np.linalg.eigh(model.hamiltonian(kr * np.cos(ph), kr * np.sin(ph)))
            band = np.array([r[1] for r in roots])
            radial = np.cos(ph) * d[0] + np.sin(ph) * d[1]
            v = np.einsum("ri,rij,rj->r", np.conj(vecs[np.arange(kr.size), :, band]), radial,
                          vecs[np.arange(kr.size), :, band]).real
            wk = width / np.maximum(np.abs(v), 1e-12)
            for k0, w0 in zip(kr, wk):
                edges_per_ray[j].extend([k0])
                edges_per_ray[j].extend(list(k0 + w0 * steps))
                edges_per_ray[j].extend(list(k0 - w0 * steps))
    kx, ky, w = [], [], []
    for j in range(n_phi):
        e = np.unique(np.clip(np.asarray(edges_per_ray[j]), 0.0, kmax))
        nodes, wts = _gauss_panels(e, order)
        kx.append(nodes * np.cos(phi[j]))
        ky.append(nodes * np.sin(phi[j]))
        w.append(wts * nodes * dphi / (2 * np.pi) ** 2)
    kx, ky, w = np.concatenate(kx), np.concatenate(ky), np.concatenate(w)
    return KGrid(kx=kx, ky=ky, w=w, dk_max=float(kmax / n_coarse), kmax=float(kmax),
                 n_phi=int(n_phi))


def check_cutoff(models, kmax: float, mu_lo: float, mu_hi: float, pad: float) -> None:
    """Raise :class:`GridError` if a Fermi contour of any mu in [mu_lo, mu_hi] lies beyond kmax.

    Along 8 rays, every band must stay outside [mu_lo - pad, mu_hi + pad] (eV) for
    k in [kmax, 3 kmax]: bands bounded below must lie above the window, bands unbounded below
    (valence bands of Dirac-like models, for which kmax is the Fermi-sea cut-off) below it.
    """
    lo, hi = mu_lo - pad, mu_hi + pad
    ks = kmax * np.linspace(1.0, 3.0, 9)
    ang = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    K, A = np.meshgrid(ks, ang, indexing="ij")
    for m in models:
        e = np.linalg.eigvalsh(m.hamiltonian(K * np.cos(A), K * np.sin(A)))
        inside = (e > lo) & (e < hi)
        # a band still below the window at kmax and rising (bounded below), or still above it
        # and falling (unbounded below), crosses it beyond 3 kmax: its contour is cut off too
        # (kmax = 0.01 1/nm gave S^oc = 0 for a Rashba gas, no word)
        rising = e[-1] > e[0]
        beyond = (rising & (e[0] <= lo)) | (~rising & (e[0] >= hi))
        if inside.any() or beyond.any():
            i = np.argwhere(inside)[0] if inside.any() else np.array([0, *np.argwhere(beyond)[0]])
            up = bool(rising[tuple(i[1:])])
            where = ("inside the chemical-potential window" if inside.any() else
                     f"{'below' if up else 'above'} the chemical-potential window and "
                     f"{'rising' if up else 'falling'} with |k|, so that it crosses the window "
                     "farther out,")
            raise GridError(
                f"kmax = {kmax:g} 1/nm is too small: band {i[2]} of {m.name!r} has energy "
                f"{e[tuple(i)]:.4g} eV at |k| = {ks[i[0]]:.3g} 1/nm, {where} [{lo:.4g}, "
                f"{hi:.4g}] eV (Fermi contours, with thermal or eta tails, must lie inside kmax)")
