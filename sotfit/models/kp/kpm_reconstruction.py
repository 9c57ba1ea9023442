"""Spin density and density of states reconstructed from KPM moments.

Kubo-Bastin spin density per unit field, 1/(V nm), at T = 0 (Fermi-surface and Fermi-sea terms)
and the density of states per area, 1/(eV nm^2) (Weisse et al. eqs. (59), (71)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .kpm_vectors import DEFAULT_MAX_MEMORY, _check_count, _dos_task_bytes, _seed_sequence, plan_moments
from .kpm_lattice import LatticeSystem
from .kpm_moments import _KPMJob, _dos_task, _run_vectors
from .kpm_chebyshev import _scaled_hamiltonian, jackson_kernel, lorentz_kernel

__all__ = [
    "KPMResult", "kpm_spin_density", "kpm_dos",
]


@dataclass(frozen=True)
class KPMResult:
    """KPM spin density per unit field (1/(V nm)) at T = 0."""

    mu: np.ndarray
    surface: np.ndarray
    sea: np.ndarray
    surface_err: np.ndarray
    a_scale: float
    b: float
    meta: dict = field(default_factory=dict)

    @property
    def total(self):
        return self.surface + self.sea


def kpm_spin_density(moments, mu, kernel: np.ndarray, n_theta: int | None = None) -> KPMResult:
    """Fermi-surface and Fermi-sea spin density from a moment matrix and a kernel.

    Parameters
    ----------
    moments : tuple
        Output of :func:`moment_matrix`.
    mu : array
        Chemical potentials (eV), inside the spectrum.
    kernel : array (N,)
        Kernel coefficients g_n (Jackson or Lorentz).
    n_theta : int
        Quadrature points in theta for the Fermi-sea energy integral (default 8 N).
    """
    Mr, a_s, b = moments
    R = Mr.shape[0]
    M = Mr.sum(axis=0)
    n = M.shape[-1]
    g = np.asarray(kernel)[:n]
    mu = np.atleast_1d(np.asarray(mu, float))
    k = np.arange(n)
    two = np.where(k == 0, 1.0, 2.0)

    def delta_coef(theta):
        return (g * two)[None] * np.cos(np.outer(theta, k)) / (np.pi * a_s * np.sin(theta))[:, None]

    xs = (mu - b) / a_s
    if np.any(np.abs(xs) >= 0.99):
        raise ValueError("kpm_spin_density: mu outside the scaled spectrum")
    th = np.arccos(xs)
    am = delta_coef(th)                                                  # (n_mu, N)
    per = -np.pi * R * np.real(np.einsum("um,rcmn,un->ruc", am, Mr, am))   # per random vector
    surf = per.mean(axis=0)
    surf_err = per.std(axis=0) / np.sqrt(R) if R > 1 else np.zeros_like(surf)
    # Fermi sea: theta from pi (band bottom, x = -1) up to theta_mu, midpoint rule in theta
    n_theta = n_theta or 8 * n
    tg = np.pi - (np.arange(n_theta) + 0.5) * (np.pi / n_theta)          # decreasing theta
    keep = np.cos(tg) < 0.99
    tg = tg[keep]
    s, c = np.sin(tg), np.cos(tg)
    an = delta_coef(tg)                                                  # delta(eps - H)
    # d/d eps Re G: r_m = (2 - d_m0) g_m (m cos m th sin th - sin m th cos th) / (a_s^2 sin^3 th)
    rm = ((g * two)[None] * (k[None] * np.cos(np.outer(tg, k)) * s[:, None]
                             - np.sin(np.outer(tg, k)) * c[:, None]) / (a_s**2 * s[:, None] ** 3))
    integrand = 2 * np.imag(np.stack([np.sum((rm @ M[c]) * an, axis=1) for c in range(3)],
                                     axis=1))                            # per unit energy
    deps = a_s * s * (np.pi / n_theta)                                   # d eps = a_s sin th d th
    cum = np.cumsum(integrand * deps[:, None], axis=0)
    eps_grid = b + a_s * c
    sea = np.array([cum[np.searchsorted(eps_grid, m_, side="right") - 1] if m_ >= eps_grid[0]
                    else np.zeros(3) for m_ in mu])
    return KPMResult(mu=mu, surface=surf, sea=sea, surface_err=surf_err, a_scale=a_s, b=b,
                     meta={"n_moments": n})


def kpm_dos(system: LatticeSystem, energies, n: int, kernel: str = "jackson", lam: float = 4.0,
            n_random: int | None = 8, seed=0, *, max_memory: int = DEFAULT_MAX_MEMORY,
            workers: int | None = None, scheduler: str | None = None, progress=True):
    """Density of states per area (1/(eV nm^2)) by KPM (Weisse et al. eqs. (59), (71)).

    Parameters
    ----------
    energies : array
        Energies (eV); zero outside the scaled spectrum.
    n : int
        Chebyshev moments.
    kernel : {"jackson", "lorentz"}
    lam : float
        Lorentz-kernel lambda.
    n_random, seed, max_memory, workers, scheduler, progress :
        As :func:`moment_matrix`; a task holds about 6 vectors per vector of its block.
    """
    hs, a_s, b = _scaled_hamiltonian(system)
    exact = n_random is None
    n_vec = system.dim if exact else _check_count("n_random", n_random)
    plan = plan_moments(system.dim, n, n_vec, exact=exact, max_memory=max_memory, chunk=n,
                        slots=n_vec if scheduler else (workers or 1), task_bytes=_dos_task_bytes)
    job = _KPMJob(h=hs, n=plan.n, chunk=plan.n, seed=None if exact else _seed_sequence(seed))
    mom = _run_vectors(_dos_task, job, plan, workers, scheduler, progress, "KPM DOS").sum(axis=0)
    mom /= 1 if exact else n_vec
    g = jackson_kernel(n) if kernel == "jackson" else lorentz_kernel(n, lam)
    x = (np.asarray(energies, float) - b) / a_s
    inside = np.abs(x) < 1
    xi = np.where(inside, x, 0.0)
    k = np.arange(n)
    two = np.where(k == 0, 1.0, 2.0)
    series = np.cos(np.outer(np.arccos(xi), k)) @ (g * two * mom)
    return np.where(inside, series / (np.pi * np.sqrt(1 - xi**2) * a_s), 0.0) / system.area
