"""Kernel polynomial method (KPM) for the Kubo-Bastin spin density of real-space tight-binding
models with Anderson disorder (seed 001_b50310ada81a69f7.txt, eq. (3) and supplement;
Weisse et al., Rev. Mod. Phys. 78, 275 (2006)).

The model: the 2DEG Rashba ferromagnet (seed 001 supplement eq. (12)) on a square lattice of
spacing ``a`` with periodic boundaries (an L x L supercell), basis site (x) spin,

    H(k) = t (4 - 2 cos kx a - 2 cos ky a) - (alpha_R / 2a)(sin kx a s_y - sin ky a s_x)
           - (J_ex/2) m.s,   t = hbar^2 / (2 m_eff a^2),

which tends to the continuum model for k a << 1, plus on-site disorder uniform in [-W/2, W/2]
(Anderson). :class:`LatticeRashba2DEG` is the same model as a k·p model (Bloch Hamiltonian),
so the clean supercell can be compared with the exact band-basis Kubo-Bastin result on the
supercell's k-mesh.

Chebyshev expansion: H~ = (H - b)/a_s maps the spectrum into (-1, 1). With the moment matrix

    M_mn = Tr[A T_m(H~) D T_n(H~)] / area,   D = e.dH/dk (real space: i [H, e.r]),

the Fermi-surface term (T = 0) of :mod:`.kubo` becomes
S_surf = -pi sum_mn a_m(mu) a_n(mu) M_mn with the kernel-smoothed delta function
a_n(eps) = g_n (2 - delta_n0) T_n(x) / (pi a_s sin theta), x = cos theta = (eps - b)/a_s, and the
Fermi-sea term S_sea = 2 int^mu d eps Im sum_mn a_n(eps) r_m(eps) M_mn with r_m the expansion
of d/d eps Re G (from G+(x) = -i sum (2 - delta_n0) e^{-i n theta} T_n / sin theta).

Kernels: Jackson (resolution ~ pi/N, Gaussian-like) and Lorentz g_n = sinh(lambda(1 - n/N))/
sinh(lambda). For N -> infinity at fixed lambda/N = epsilon the Lorentz kernel turns the series
into the resolvent at z = cos(theta - i epsilon): a Lorentzian of half width
eta(x) = a_s sinh(epsilon) sin(theta) (seed 001 quotes eta "at the band centre", x = 0). The
trace is stochastic (random-phase vectors) or exact (all basis vectors) for small systems.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .hamiltonians import (HBAR2_OVER_ME, SPIN_HALF, ExchangeSplitModel, KPModel, NonHermitianError,
                           PAULI, DiracRashbaExchange, k_columns, unit_vector)

__all__ = ["LatticeRashba2DEG", "build_lattice", "LatticeSystem", "jackson_kernel", "lorentz_kernel",
           "chebyshev_block", "chebyshev_loop", "moment_matrix", "kpm_spin_density", "kpm_dos",
           "lorentz_eta", "KPMResult", "HoppingModel", "build_hopping_lattice", "wilson_dirac"]


@dataclass(frozen=True)
class LatticeRashba2DEG(ExchangeSplitModel):
    """Bloch Hamiltonian of the square-lattice Rashba ferromagnet (see module docstring).

    Parameters
    ----------
    a : float
        Lattice constant (nm).
    m_eff, alpha_r, j_ex, m :
        As :class:`~sotfit.models.kp.hamiltonians.Rashba2DEG`.
    """

    a: float = 1.0
    m_eff: float = 1.0
    alpha_r: float = 0.05
    j_ex: float = 0.05
    m: tuple = (0.0, 0.0, 1.0)
    name: str = "2deg_lattice"
    n_bands: int = 2
    spin_operators = SPIN_HALF

    @property
    def t(self) -> float:
        """Hopping hbar^2/(2 m_eff a^2) in eV."""
        return HBAR2_OVER_ME / (2 * self.m_eff * self.a**2)

    def hamiltonian(self, kx, ky):
        kx, ky = k_columns(kx, ky)
        a, t, c = self.a, self.t, self.alpha_r / (2 * self.a)
        return (t * (4 - 2 * np.cos(kx * a) - 2 * np.cos(ky * a)) * PAULI[0]
                - c * (np.sin(kx * a) * PAULI[2] - np.sin(ky * a) * PAULI[1])
                + self.exchange_term())

    def dh(self, kx, ky):
        kx, ky = k_columns(kx, ky)
        a, t, c = self.a, self.t, self.alpha_r / (2 * self.a)
        return np.stack([2 * t * a * np.sin(kx * a) * PAULI[0] - c * a * np.cos(kx * a) * PAULI[2],
                         2 * t * a * np.sin(ky * a) * PAULI[0] + c * a * np.cos(ky * a) * PAULI[1]])

    def d2h(self):
        raise ValueError("lattice model: second-order response not implemented")

    def supercell_kgrid(self, n: int):
        """k-mesh (1/nm) and weights (1/nm^2) of an n x n periodic supercell."""
        k = 2 * np.pi * np.arange(n) / (n * self.a)
        kx, ky = np.meshgrid(k, k, indexing="ij")
        w = np.full(kx.size, 1.0 / (n * self.a) ** 2)
        return kx.ravel(), ky.ravel(), w


@dataclass(frozen=True)
class LatticeSystem:
    """Sparse real-space operators of an L x L periodic supercell (basis site (x) spin)."""

    h: sp.csr_matrix
    dh: tuple                     # (dH/dkx, dH/dky) equivalents: i [H, x], i [H, y] (eV nm)
    spin: tuple                   # (s_x, s_y, s_z) sparse
    area: float                   # nm^2
    dim: int


def build_lattice(model: LatticeRashba2DEG, size: int, disorder: float = 0.0, seed=None) -> LatticeSystem:
    """Real-space Hamiltonian of ``model`` on a ``size`` x ``size`` periodic supercell.

    Parameters
    ----------
    disorder : float
        Anderson disorder strength W (eV): on-site energies uniform in [-W/2, W/2].
    seed : int or numpy Generator
        Disorder configuration.
    """
    L = int(size)
    if L < 3:
        raise ValueError(f"supercell size {L} must be >= 3")
    n = L * L
    idx = np.arange(n).reshape(L, L)
    tx = sp.csr_matrix((np.ones(n), (idx.ravel(), np.roll(idx, -1, axis=0).ravel())), shape=(n, n))
    ty = sp.csr_matrix((np.ones(n), (idx.ravel(), np.roll(idx, -1, axis=1).ravel())), shape=(n, n))
    a, t, c = model.a, model.t, model.alpha_r / (2 * model.a)
    s0, sx, sy, sz = (sp.csr_matrix(p) for p in PAULI)
    I = sp.identity(n, format="csr")
    # each term: (site operator T, its k-derivative factor) with e^{ik.a} <-> T
    h = (4 * t * sp.kron(I, s0) - t * sp.kron(tx + tx.T + ty + ty.T, s0)
         - c * sp.kron((tx - tx.T) / 2j, sy) + c * sp.kron((ty - ty.T) / 2j, sx)
         + sp.kron(I, model.exchange_term()))
    dhx = (-t * sp.kron(1j * a * (tx - tx.T), s0) - c * sp.kron(a * (tx + tx.T) / 2, sy))
    dhy = (-t * sp.kron(1j * a * (ty - ty.T), s0) + c * sp.kron(a * (ty + ty.T) / 2, sx))
    if disorder:
        rng = np.random.default_rng(seed)
        eps = rng.uniform(-disorder / 2, disorder / 2, size=n)
        h = h + sp.kron(sp.diags(eps), s0)
    spin = tuple(sp.kron(I, s).tocsr() for s in (sx, sy, sz))
    return LatticeSystem(h=h.tocsr(), dh=(dhx.tocsr(), dhy.tocsr()), spin=spin,
                         area=float(n * a * a), dim=2 * n)


def jackson_kernel(n: int) -> np.ndarray:
    """Jackson kernel g_n, n = 0..N-1 (Weisse et al. RMP 78, 275, eq. (71))."""
    N = n
    k = np.arange(N)
    q = np.pi / (N + 1)
    return ((N - k + 1) * np.cos(q * k) + np.sin(q * k) / np.tan(q)) / (N + 1)


def lorentz_kernel(n: int, lam: float) -> np.ndarray:
    """Lorentz kernel g_n = sinh(lambda (1 - n/N)) / sinh(lambda) (Weisse et al. eq. (80))."""
    k = np.arange(n)
    return np.sinh(lam * (1 - k / n)) / np.sinh(lam)


def lorentz_eta(x, a_scale: float, n: int, lam: float):
    """Effective half width (eV) of the Lorentz-kernel delta function at scaled energy x."""
    return a_scale * np.sinh(lam / n) * np.sqrt(1 - np.asarray(x) ** 2)


def chebyshev_block(h_scaled, v0: np.ndarray, n: int) -> np.ndarray:
    """T_k(H~) v0 for k < n, all columns of v0 at once (sparse @ dense block recursion).

    Returns an array (n,) + v0.shape.
    """
    out = np.empty((n,) + v0.shape, dtype=complex)
    out[0] = v0
    if n > 1:
        out[1] = h_scaled @ v0
    for k in range(2, n):
        out[k] = 2 * (h_scaled @ out[k - 1]) - out[k - 2]
    return out


def chebyshev_loop(h_scaled, v0: np.ndarray, n: int) -> np.ndarray:
    """Baseline: the same recursion one vector at a time with scipy.sparse matvecs."""
    cols = []
    for j in range(v0.shape[1]):
        v = v0[:, j]
        seq = [v, h_scaled @ v]
        for k in range(2, n):
            seq.append(2 * (h_scaled @ seq[-1]) - seq[-2])
        cols.append(np.array(seq[:n]))
    return np.stack(cols, axis=-1)


def _scale(h):
    """Bounds from Gershgorin discs with a 2 % margin: H~ = (H - b)/a_s."""
    h = h.tocsr()
    diag = h.diagonal().real
    rad = np.asarray(abs(h).sum(axis=1)).ravel() - np.abs(diag)
    lo, hi = float(np.min(diag - rad)), float(np.max(diag + rad))
    b = 0.5 * (hi + lo)
    a_s = 0.5 * (hi - lo) / 0.98
    return a_s, b


def moment_matrix(system: LatticeSystem, n: int, e_dir=(1.0, 0.0), n_random: int | None = 8,
                  seed=0):
    """M^c_mn = Tr[s_c T_m(H~) D T_n(H~)] / area (c = x, y, z).

    Parameters
    ----------
    n : int
        Number of Chebyshev moments per index.
    n_random : int or None
        Random-phase vectors for the stochastic trace; ``None`` for the exact trace over all
        basis vectors (only for small systems).

    Returns
    -------
    (M, a_scale, b): M (R, 3, n, n) complex, one moment matrix per random vector (R = 1 for
    the exact trace), in 1/nm^2 * eV nm, already divided by R so that M.sum(0) is the
    estimate; the spread over R gives the stochastic error. a_scale, b in eV.
    """
    a_s, b = _scale(system.h)
    hs = ((system.h - b * sp.identity(system.dim, format="csr")) / a_s).tocsr()
    d = e_dir[0] * system.dh[0] + e_dir[1] * system.dh[1]
    if n_random is None:
        vecs = np.eye(system.dim, dtype=complex)
        groups = [np.arange(system.dim)]
    else:
        rng = np.random.default_rng(seed)
        vecs = np.exp(2j * np.pi * rng.random((system.dim, n_random)))
        groups = [np.array([r]) for r in range(n_random)]
    right = chebyshev_block(hs, vecs, n)                       # T_n r
    right = np.stack([d @ right[k] for k in range(n)])         # D T_n r
    M = np.zeros((len(groups), 3, n, n), complex)
    for c, s in enumerate(system.spin):
        left = chebyshev_block(hs, s.conj().T @ vecs, n)       # T_m s^dag r
        for gi, cols in enumerate(groups):
            lm = left[:, :, cols].reshape(n, -1)
            rm = right[:, :, cols].reshape(n, -1)
            M[gi, c] = lm.conj() @ rm.T                        # BLAS: sum over sites (and r)
    return M / (len(groups) * system.area), a_s, b


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
            n_random: int | None = 8, seed=0):
    """Density of states per area (1/(eV nm^2)) by KPM (Weisse et al. eqs. (59), (71))."""
    a_s, b = _scale(system.h)
    hs = ((system.h - b * sp.identity(system.dim, format="csr")) / a_s).tocsr()
    if n_random is None:
        vecs = np.eye(system.dim, dtype=complex)
        norm = 1.0
    else:
        rng = np.random.default_rng(seed)
        vecs = np.exp(2j * np.pi * rng.random((system.dim, n_random)))
        norm = 1.0 / n_random
    t = chebyshev_block(hs, vecs, n)
    mom = np.real(np.einsum("ir,kir->k", vecs.conj(), t)) * norm
    g = jackson_kernel(n) if kernel == "jackson" else lorentz_kernel(n, lam)
    x = (np.asarray(energies, float) - b) / a_s
    inside = np.abs(x) < 1
    xi = np.where(inside, x, 0.0)
    k = np.arange(n)
    two = np.where(k == 0, 1.0, 2.0)
    series = np.cos(np.outer(np.arccos(xi), k)) @ (g * two * mom)
    return np.where(inside, series / (np.pi * np.sqrt(1 - xi**2) * a_s), 0.0) / system.area


@dataclass(frozen=True, eq=False)
class HoppingModel(KPModel):
    """A tight-binding model on a square Bravais lattice given by its hoppings.

    H(k) = sum_j exp(i k.d_j) M_j, with d_j = (nx_j, ny_j) a the hopping vector (nm) and M_j an
    (nb, nb) matrix; the list must contain the Hermitian partner (-d_j, M_j^dagger) of every
    entry (checked). :func:`build_hopping_lattice` gives the same model on a periodic
    supercell, dH/dk = sum_j i d_j exp(i k.d_j) M_j being i [H, r] there.

    Parameters
    ----------
    hoppings : tuple of (int, int, array)
        (nx, ny, M).
    a : float
        Lattice constant (nm).
    spin_ops : array (3, nb, nb)
    exchange : float
        J of the torque (eV).
    """

    hoppings: tuple = ()
    a: float = 1.0
    spin_ops: np.ndarray = None
    exchange: float = 0.0
    m: tuple = (0.0, 0.0, 1.0)
    name: str = "hopping"

    def __post_init__(self):
        hop = tuple((int(nx), int(ny), np.asarray(M, complex)) for nx, ny, M in self.hoppings)
        object.__setattr__(self, "hoppings", hop)
        for nx, ny, M in hop:
            partner = [P for qx, qy, P in hop if (qx, qy) == (-nx, -ny)]
            if not partner or not np.allclose(sum(partner), sum(P for qx, qy, P in hop
                                                                 if (qx, qy) == (nx, ny)).conj().T):
                raise NonHermitianError(f"model {self.name!r}: hopping ({nx}, {ny}) has no Hermitian "
                                        f"partner ({-nx}, {-ny}) with the conjugate-transposed matrix")

    @property
    def n_bands(self):
        return self.hoppings[0][2].shape[0]

    @property
    def spin(self):
        return np.asarray(self.spin_ops, complex)

    def hamiltonian(self, kx, ky):
        kx, ky = k_columns(kx, ky)
        return sum(np.exp(1j * self.a * (nx * kx + ny * ky)) * M for nx, ny, M in self.hoppings)

    def dh(self, kx, ky):
        kx, ky = k_columns(kx, ky)
        terms = [(nx, ny, np.exp(1j * self.a * (nx * kx + ny * ky)) * M) for nx, ny, M in self.hoppings]
        return np.stack([sum(1j * self.a * nx * t for nx, ny, t in terms),
                         sum(1j * self.a * ny * t for nx, ny, t in terms)])

    def d2h(self):
        raise ValueError(f"model {self.name!r}: second-order response not implemented")

    def supercell_kgrid(self, n: int):
        """k-mesh (1/nm) and weights (1/nm^2) of an n x n periodic supercell."""
        return LatticeRashba2DEG.supercell_kgrid(self, n)


def build_hopping_lattice(model: HoppingModel, size: int, disorder: float = 0.0,
                          seed=None) -> LatticeSystem:
    """Real-space operators of a :class:`HoppingModel` on a ``size`` x ``size`` periodic supercell,
    with Anderson disorder of strength W = ``disorder`` (eV) on every orbital of a site."""
    L = int(size)
    n = L * L
    nb = model.n_bands
    idx = np.arange(n).reshape(L, L)
    rows = idx.ravel()
    h = sp.csr_matrix((n * nb, n * nb), dtype=complex)
    dhx = h.copy()
    dhy = h.copy()
    for nx, ny, M in model.hoppings:
        # H = sum_j T_j (x) M_j with T_j[i, i + d_j] = 1 (the e^{i k.d} <-> T convention)
        cols = np.roll(np.roll(idx, -nx, axis=0), -ny, axis=1).ravel()
        T = sp.csr_matrix((np.ones(n), (rows, cols)), shape=(n, n))
        term = sp.kron(T, sp.csr_matrix(M))
        h = h + term
        dhx = dhx + 1j * model.a * nx * term
        dhy = dhy + 1j * model.a * ny * term
    if disorder:
        rng = np.random.default_rng(seed)
        eps = rng.uniform(-disorder / 2, disorder / 2, size=n)
        h = h + sp.kron(sp.diags(eps), sp.identity(nb))
    I = sp.identity(n, format="csr")
    spin = tuple(sp.kron(I, sp.csr_matrix(s)).tocsr() for s in model.spin)
    return LatticeSystem(h=h.tocsr(), dh=(dhx.tocsr(), dhy.tocsr()), spin=spin,
                         area=float(n * model.a**2), dim=n * nb)


def wilson_dirac(hbar_v: float = 0.6582, delta: float = 0.005, lambda_r: float = 0.010,
                 j_ex: float = 0.040, a: float = 5.0, m=(0.0, 0.0, 1.0)) -> HoppingModel:
    """The Dirac model of seed 001 on a square lattice with a Wilson mass (no fermion doubling).

    H(k) = (hbar v/a)(sin kx a sigma_x + sin ky a sigma_y)
           + [Delta + (hbar v/a)(2 - cos kx a - cos ky a)] sigma_z
           - (lambda_R/2)(s x sigma).z - (J_ex/2) m.s,     basis s (x) sigma,

    equal to :class:`~sotfit.models.kp.hamiltonians.DiracRashbaExchange` for k a << 1; the
    doublers at k a ~ pi get masses ~ 2 hbar v/a. A large ``a`` (nm) keeps the spectrum narrow,
    so that small supercells hold enough states within eta of the Dirac point.
    """
    s = PAULI
    kron = np.kron
    t = hbar_v / a
    # on-site block: the continuum model at k = 0 with the Wilson mass 2 hbar v / a added to Delta
    wilson_mass = DiracRashbaExchange(hbar_v=hbar_v, delta=delta + 2 * t, lambda_r=lambda_r,
                                      j_ex=j_ex, m=m)
    onsite = wilson_mass.hamiltonian(0.0, 0.0)
    # sin(k a) = (e^{ika} - e^{-ika})/2i, cos(k a) = (e^{ika} + e^{-ika})/2
    hx = t * (kron(s[0], s[1]) / 2j - kron(s[0], s[3]) / 2)
    hy = t * (kron(s[0], s[2]) / 2j - kron(s[0], s[3]) / 2)
    hop = ((0, 0, onsite), (1, 0, hx), (-1, 0, hx.conj().T), (0, 1, hy), (0, -1, hy.conj().T))
    return HoppingModel(hoppings=hop, a=a, spin_ops=wilson_mass.spin, exchange=wilson_mass.exchange,
                        m=wilson_mass.m, name="wilson_dirac")
