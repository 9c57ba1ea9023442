"""Real-space tight-binding lattices for the kernel polynomial method (KPM).

The square-lattice Rashba ferromagnet (Medina Duenas et al. 2023, supplement eq. (12)) and
general hopping models (a Wilson-regularised Dirac model among them) as L x L periodic
supercells with Anderson disorder: energies in eV, lengths in nm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .hamiltonians import HBAR2_OVER_ME, KPModel, NonHermitianError, PAULI, DiracRashbaExchange, k_columns
from .rashba_2deg import RashbaParameters

__all__ = [
    "LatticeRashba2DEG", "LatticeSystem", "build_lattice", "HoppingModel",
    "build_hopping_lattice", "wilson_dirac",
]


@dataclass(frozen=True)
class LatticeRashba2DEG(RashbaParameters):
    """Bloch Hamiltonian of the square-lattice Rashba ferromagnet (see module docstring).

    Parameters
    ----------
    a : float
        Lattice constant (nm).
    m_eff, alpha_r, j_ex, m :
        As :class:`~sotfit.models.kp.rashba_2deg.RashbaParameters` (alpha_r 0.05 eV nm by
        default).
    """

    alpha_r: float = 0.05
    a: float = 1.0
    name: str = "2deg_lattice"

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
