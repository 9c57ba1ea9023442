"""k·p Hamiltonians: batched Hermitian H(k; params, m) with velocity and spin operators.

Units (house, see ``docs/CONVENTIONS.md``): wave vectors in 1/nm, energies in eV,
``dH/dk`` (= hbar times the velocity operator) in eV nm. Spin operators are Pauli
matrices (eigenvalues +-1), so spin densities come out in units of hbar/2 per nm^2.

Every model describes one block of k-space (one valley). A model with several valleys
(the TMDC/CrI3 model) returns its blocks from :meth:`KPModel.components`; the response
functions sum over them.

Sources
-------
* 2DEG Rashba ferromagnet: seed 001_b50310ada81a69f7.txt, supplement eq. (12)
  (and main text, H = H0 - (1/2) Lambda_R phi.s - (1/2) J_ex m.s).
* Dirac model with Rashba and exchange: seed 001, main text ("Unconventional torques in
  Dirac matter"): H = hbar v k.sigma + Delta sigma_z - (lambda_R/2)(s x sigma).z
  - (J_ex/2) m.s.
* TMDC/CrI3: seed 000_8a4db6caac2af419.txt, eqs. (1)-(6).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from ...units import HBAR, E_CHARGE
from scipy import constants as _c

__all__ = [
    "PAULI", "SPIN_HALF", "SPIN_TIMES_ORBITAL", "KPModel", "ExchangeSplitModel", "TwoBlockModel",
    "Rashba2DEG", "DiracRashbaExchange", "DiracProjected", "TMDCCrI3", "MatrixModel",
    "NonHermitianError", "unit_vector", "k_columns", "m_dot", "HBAR2_OVER_ME", "HBAR_EV_PS",
    "hbar_v_from_velocity",
]

#: hbar^2 / m_e in eV nm^2.
HBAR2_OVER_ME = HBAR**2 / _c.m_e / E_CHARGE * 1e18
#: hbar in eV ps.
HBAR_EV_PS = HBAR / E_CHARGE * 1e12

S0 = np.eye(2, dtype=complex)
SX = np.array([[0, 1], [1, 0]], dtype=complex)
SY = np.array([[0, -1j], [1j, 0]], dtype=complex)
SZ = np.array([[1, 0], [0, -1]], dtype=complex)
#: Pauli matrices (sigma_0, sigma_x, sigma_y, sigma_z).
PAULI = np.stack([S0, SX, SY, SZ])
#: Spin operators (s_x, s_y, s_z) of a two-band spin-1/2 model, shape (3, 2, 2).
SPIN_HALF = PAULI[1:]
#: Spin operators s_i (x) sigma_0 of a four-band model in the basis spin (x) orbital, (3, 4, 4).
SPIN_TIMES_ORBITAL = np.stack([np.kron(PAULI[i], S0) for i in (1, 2, 3)])


class NonHermitianError(ValueError):
    """A model whose Hamiltonian (or velocity or spin operator) is not Hermitian."""


def hbar_v_from_velocity(v_m_per_s: float) -> float:
    """hbar v in eV nm for a velocity in m/s (e.g. 5.873e5 m/s -> 0.3866 eV nm)."""
    return HBAR * v_m_per_s / E_CHARGE * 1e9


def unit_vector(m) -> np.ndarray:
    """A unit 3-vector from ``m`` (3 numbers); a zero or non-finite vector is an error."""
    m = np.asarray(m, dtype=float).reshape(3)
    n = np.linalg.norm(m)
    if not np.isfinite(n) or n == 0:
        raise ValueError(f"magnetisation direction m = {m.tolist()} must be a finite, non-zero 3-vector")
    return m / n


def k_columns(kx, ky):
    """Wave vectors as float arrays with two trailing unit axes, to scale (nb, nb) matrices.

    Parameters
    ----------
    kx, ky : array_like
        Wave-vector components (1/nm), any (equal or broadcastable) shapes.

    Returns
    -------
    kx, ky : ndarray
        Shapes ``kx.shape + (1, 1)`` and ``ky.shape + (1, 1)`` (1/nm).
    """
    return np.asarray(kx, dtype=float)[..., None, None], np.asarray(ky, dtype=float)[..., None, None]


def m_dot(m, ops):
    """The projection m.s = m_x s_x + m_y s_y + m_z s_z of three operators on a direction.

    Parameters
    ----------
    m : sequence of 3 floats
        Magnetisation direction (dimensionless).
    ops : sequence of 3 matrices
        (s_x, s_y, s_z), dense or sparse, any (equal) shape.

    Returns
    -------
    The matrix m.s, of the type of ``ops``.
    """
    mx, my, mz = m
    sx, sy, sz = ops
    return mx * sx + my * sy + mz * sz


def _kron(a, b):
    return np.kron(a, b)


class KPModel:
    """Base class of a k·p model (one block of k-space).

    Subclasses (frozen dataclasses with a field ``m``) define :attr:`n_bands`, the spin
    operators (class constant ``spin_operators`` (3, nb, nb), or an own :attr:`spin`) and the
    constant matrices of an H that is at most quadratic in k: ``H(k) = H0 + kx Hx + ky Hy
    + kx^2 Hxx + ky^2 Hyy + kx ky Hxy`` (:meth:`_coefficients`). A general model overrides
    :meth:`hamiltonian` and :meth:`dh` instead (see :class:`MatrixModel`). On construction
    ``m`` is normalised and :meth:`_check_parameters` rejects values outside the model's domain.

    Attributes
    ----------
    name : str
        Short name used in messages.
    m : ndarray (3,)
        Unit magnetisation direction.
    exchange : float
        Exchange energy J (eV) used in the torque tau = (2J/hbar) m x S (seed 000 eq. (7)).
    """

    name = "kp"
    n_bands = 2
    #: Spin operators (3, nb, nb) of the model (Pauli normalisation); see :attr:`spin`.
    spin_operators = None

    # -- to be provided by subclasses -----------------------------------------------
    def _coefficients(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_parameters(self) -> None:
        """Raise ValueError for parameters outside the model's domain; default: no check."""

    # -- generic machinery ----------------------------------------------------------
    def __post_init__(self):
        object.__setattr__(self, "m", tuple(unit_vector(self.m)))
        self._check_parameters()

    @property
    def spin(self) -> np.ndarray:
        """Spin operators (s_x, s_y, s_z), shape (3, nb, nb), eigenvalues +-1 (a fresh copy)."""
        if self.spin_operators is None:  # pragma: no cover - abstract
            raise NotImplementedError
        return self.spin_operators.copy()

    def components(self) -> list["KPModel"]:
        """Independent blocks of k-space (valleys) whose responses add; default: itself."""
        return [self]

    def with_m(self, m) -> "KPModel":
        """The same model with magnetisation direction ``m`` (3-vector, normalised here)."""
        return replace(self, m=tuple(unit_vector(m)))

    def _coeffs(self):
        """The constant matrices of H, computed once per (immutable) model."""
        cache = self.__dict__.get("_coeff_cache")
        if cache is None:
            cache = self._coefficients()
            self.__dict__["_coeff_cache"] = cache
        return cache

    def hamiltonian(self, kx, ky) -> np.ndarray:
        """H(k) in eV, shape ``kx.shape + (nb, nb)``; kx, ky in 1/nm."""
        c = self._coeffs()
        kx, ky = k_columns(kx, ky)
        return (c["0"] + kx * c["x"] + ky * c["y"] + kx * kx * c["xx"] + ky * ky * c["yy"]
                + kx * ky * c["xy"])

    def dh(self, kx, ky) -> np.ndarray:
        """(dH/dkx, dH/dky) in eV nm, shape ``(2,) + kx.shape + (nb, nb)``."""
        c = self._coeffs()
        kx, ky = k_columns(kx, ky)
        one = np.ones_like(kx)
        return np.stack([one * c["x"] + 2 * kx * c["xx"] + ky * c["xy"],
                         one * c["y"] + 2 * ky * c["yy"] + kx * c["xy"]])

    def d2h(self) -> np.ndarray:
        """Second derivatives d^2H/dk_i dk_j (eV nm^2), shape (2, 2, nb, nb), k-independent."""
        c = self._coeffs()
        return np.array([[2 * c["xx"], c["xy"]], [c["xy"], 2 * c["yy"]]])

    def check_hermitian(self, kmax: float = 1.0, n: int = 7, atol: float = 1e-10) -> None:
        """Raise :class:`NonHermitianError` if H, dH/dk or the spin operators are not Hermitian.

        Checked on an ``n x n`` grid of k in [-kmax, kmax]^2 (1/nm).
        """
        ks = np.linspace(-kmax, kmax, n)
        kx, ky = np.meshgrid(ks, ks, indexing="ij")
        for label, mats in (("H(k)", self.hamiltonian(kx, ky)), ("dH/dkx", self.dh(kx, ky)[0]),
                            ("dH/dky", self.dh(kx, ky)[1]), ("spin operator", self.spin)):
            mats = np.asarray(mats)
            if mats.shape[-2:] != (self.n_bands, self.n_bands):
                raise NonHermitianError(
                    f"model {self.name!r}: {label} has shape {mats.shape}, expected (..., "
                    f"{self.n_bands}, {self.n_bands})")
            dev = np.max(np.abs(mats - np.conj(np.swapaxes(mats, -1, -2))))
            scale = max(1.0, float(np.max(np.abs(mats))))
            if not np.isfinite(dev) or dev > atol * scale:
                raise NonHermitianError(
                    f"model {self.name!r}: {label} is not Hermitian (max |A - A^dagger| = "
                    f"{dev:.3g}); check the sign of the imaginary (sigma_y) terms")

    def bands(self, kx, ky):
        """Eigenvalues (eV, ascending) and eigenvectors (columns) at the given k."""
        return np.linalg.eigh(self.hamiltonian(kx, ky))


class ExchangeSplitModel(KPModel):
    """Base of the models whose magnetisation enters H as -(J_ex / 2) m.s (seed 001).

    Subclasses have a field ``j_ex``, the exchange splitting J_ex (eV).
    """

    @property
    def exchange(self) -> float:
        """J of tau = (2J/hbar) m x S, i.e. the coefficient of m.s in H: here -J_ex/2 (eV)."""
        return -self.j_ex / 2

    def exchange_term(self) -> np.ndarray:
        """The exchange part -(J_ex / 2) m.s of H (eV), shape (nb, nb), k-independent."""
        return self.exchange * m_dot(self.m, self.spin)


class TwoBlockModel(KPModel):
    """Base of a model of two blocks of k-space told apart by an index field (+1 or -1).

    The index 0 stands for both blocks: :meth:`components` then returns the +1 and the -1
    block, and H is evaluated block by block only.
    """

    #: Name of the dataclass field that holds the block index.
    block_field = "block"
    #: What the indices +1 and -1 stand for (in messages).
    block_values = "+1, -1"
    #: What one block is called (in messages).
    block_noun = "block"

    def _check_parameters(self) -> None:
        index = getattr(self, self.block_field)
        if index not in (-1, 0, 1):
            raise ValueError(f"{self.name}: {self.block_field} = {index} must be "
                             f"{self.block_values} or 0 (both)")

    def components(self):
        if getattr(self, self.block_field) == 0:
            return [replace(self, **{self.block_field: 1}), replace(self, **{self.block_field: -1})]
        return [self]

    def _block_index(self) -> int:
        """The block index, +1 or -1; an error for a model that stands for both blocks."""
        index = getattr(self, self.block_field)
        if index == 0:
            raise ValueError(f"{self.name}: evaluate one {self.block_noun} at a time "
                             "(use .components())")
        return index


@dataclass(frozen=True)
class Rashba2DEG(ExchangeSplitModel):
    """2DEG Rashba ferromagnet (seed 001, supplement eq. (12), hbar restored).

    H = hbar^2 k^2 / (2 m_eff m_e) - (alpha_R / 2) (z x k).s - (J_ex / 2) m.s

    so that the Rashba field is Lambda_R,k = alpha_R k (seed 001's lambda_R k with hbar = 1)
    and the exchange splitting is J_ex.

    Parameters
    ----------
    m_eff : float
        Effective mass in units of the electron mass.
    alpha_r : float
        Rashba constant alpha_R in eV nm.
    j_ex : float
        Exchange splitting J_ex in eV.
    m : 3-tuple
        Magnetisation direction (normalised by :meth:`with_m`).
    """

    m_eff: float = 1.0
    alpha_r: float = 0.01
    j_ex: float = 0.05
    m: tuple = (0.0, 0.0, 1.0)
    name: str = "2deg"
    n_bands: int = 2
    spin_operators = SPIN_HALF

    def _check_parameters(self) -> None:
        if not self.m_eff > 0:
            raise ValueError(f"2deg: m_eff = {self.m_eff} must be positive")

    @property
    def energy_scale(self) -> float:
        """m_eff alpha_R^2 / hbar^2 in eV (seed 001's m_eff lambda_R^2)."""
        return self.m_eff * self.alpha_r**2 / HBAR2_OVER_ME

    def _coefficients(self):
        kin = HBAR2_OVER_ME / (2 * self.m_eff)
        a = self.alpha_r / 2
        zero = np.zeros((2, 2), complex)
        # (z x k).s = kx s_y - ky s_x
        return {"0": self.exchange_term(),
                "x": -a * SY, "y": a * SX, "xx": kin * S0, "yy": kin * S0, "xy": zero}


@dataclass(frozen=True)
class DiracParameters(ExchangeSplitModel):
    """Parameters of seed 001's Dirac model, shared by its exact and projected forms.

    Parameters
    ----------
    hbar_v : float
        hbar v in eV nm (v = 1e6 m/s gives 0.658 eV nm).
    delta : float
        Mass Delta in eV.
    lambda_r : float
        Rashba coupling lambda_R in eV.
    j_ex : float
        Exchange splitting J_ex in eV.
    """

    hbar_v: float = 0.6582
    delta: float = 0.008
    lambda_r: float = 0.008
    j_ex: float = 0.060


@dataclass(frozen=True)
class DiracRashbaExchange(DiracParameters):
    """Dirac model with Rashba coupling and exchange (seed 001, main text).

    H = hbar v (kx sigma_x + ky sigma_y) + Delta sigma_z - (lambda_R / 2)(s x sigma).z
    - (J_ex / 2) m.s, with s the spin and sigma the pseudospin; basis s (x) sigma.

    Parameters
    ----------
    hbar_v, delta, lambda_r, j_ex : float
        As :class:`DiracParameters` (eV nm, eV, eV, eV).
    m : 3-tuple
        Magnetisation direction (normalised on construction).
    """

    m: tuple = (0.0, 0.0, 1.0)
    name: str = "dirac"
    n_bands: int = 4
    spin_operators = SPIN_TIMES_ORBITAL

    def _coefficients(self):
        zero = np.zeros((4, 4), complex)
        h0 = (self.delta * _kron(S0, SZ)
              - (self.lambda_r / 2) * (_kron(SX, SY) - _kron(SY, SX))
              + self.exchange_term())
        return {"0": h0, "x": self.hbar_v * _kron(S0, SX), "y": self.hbar_v * _kron(S0, SY),
                "xx": zero, "yy": zero, "xy": zero}


@dataclass(frozen=True)
class TMDCCrI3(TwoBlockModel):
    """TMDC/CrI3 four-band model of one valley (seed 000, eqs. (1)-(6)).

    H = hbar v_F s0 (x) (chi kx sigma_x + ky sigma_y) + (Delta/2) s0 (x) sigma_z
        + chi s_z (x) (lambda_c sigma_+ + lambda_v sigma_-) + (s.m) (x) (B_c sigma_+ + B_v sigma_-)
        + lambda_R (chi s_y (x) sigma_x - s_x (x) sigma_y),

    sigma_+- = (sigma_0 +- sigma_z)/2, basis s (x) sigma (spin outer, conduction/valence inner).
    With ``valley=0`` the model stands for both valleys: :meth:`components` returns the
    K (chi = +1) and K' (chi = -1) blocks.

    Parameters
    ----------
    delta : float
        Orbital gap Delta in eV (Table I).
    hbar_v : float
        hbar v_F in eV nm (Table I gives v_F; use :func:`hbar_v_from_velocity`).
    lambda_c, lambda_v : float
        Intrinsic spin-orbit couplings in eV (Table I gives meV).
    b_c, b_v : float
        Proximity exchange of the conduction and valence bands in eV.
    lambda_r : float
        Rashba coupling in eV.
    valley : int
        +1 (K), -1 (K') or 0 (both).
    """

    delta: float = 1.403
    hbar_v: float = 0.38656
    lambda_c: float = 0.01381
    lambda_v: float = 0.24099
    b_c: float = -0.001460
    b_v: float = -0.000918
    lambda_r: float = 0.001
    valley: int = 0
    m: tuple = (0.0, 0.0, 1.0)
    name: str = "tmdc"
    n_bands: int = 4
    spin_operators = SPIN_TIMES_ORBITAL
    block_field = "valley"
    block_values = "+1 (K), -1 (K')"
    block_noun = "valley"

    @property
    def exchange(self) -> float:
        """Seed 000 replaces J by B_c (conduction) or B_v (valence); see :meth:`exchange_for`."""
        return self.b_c

    def exchange_for(self, mu):
        """J of seed 000 (text below Fig. 2): B_c for mu in the conduction band half, else B_v."""
        return np.where(np.asarray(mu) >= 0.0, self.b_c, self.b_v)

    def _coefficients(self):
        chi = float(self._block_index())
        sp = (S0 + SZ) / 2
        sm = (S0 - SZ) / 2
        zero = np.zeros((4, 4), complex)
        h0 = ((self.delta / 2) * _kron(S0, SZ)
              + chi * _kron(SZ, self.lambda_c * sp + self.lambda_v * sm)
              + _kron(m_dot(self.m, SPIN_HALF), self.b_c * sp + self.b_v * sm)
              + self.lambda_r * (chi * _kron(SY, SX) - _kron(SX, SY)))
        return {"0": h0, "x": self.hbar_v * chi * _kron(S0, SX), "y": self.hbar_v * _kron(S0, SY),
                "xx": zero, "yy": zero, "xy": zero}


@dataclass(frozen=True, eq=False)
class MatrixModel(KPModel):
    """A user-supplied model: callables for H(kx, ky) and dH/dk, and spin matrices.

    Parameters
    ----------
    h : callable
        ``h(kx, ky, m) -> (..., nb, nb)`` complex, eV; kx, ky in 1/nm (arrays).
    dh_func : callable
        ``dh_func(kx, ky, m) -> (2, ..., nb, nb)``, eV nm.
    spin_ops : array (3, nb, nb)
        Spin operators (Pauli normalisation).
    exchange : float
        J in eV for the torque.
    d2h_const : array (2, 2, nb, nb), optional
        Constant second derivatives (eV nm^2); needed only for second-order Boltzmann.

    The Hamiltonian is checked for Hermiticity on construction.
    """

    h: Callable = None
    dh_func: Callable = None
    spin_ops: np.ndarray = None
    exchange: float = 0.0
    d2h_const: np.ndarray = None
    m: tuple = (0.0, 0.0, 1.0)
    name: str = "matrix"

    def _check_parameters(self) -> None:
        if self.h is None or self.dh_func is None or self.spin_ops is None:
            raise ValueError(f"model {self.name!r}: h, dh_func and spin_ops are all required")
        spin = np.asarray(self.spin_ops, dtype=complex)
        if spin.ndim != 3 or spin.shape[0] != 3 or spin.shape[1] != spin.shape[2]:
            raise ValueError(f"model {self.name!r}: spin_ops must have shape (3, nb, nb), got {spin.shape}")
        object.__setattr__(self, "spin_ops", spin)
        self.check_hermitian()

    @property
    def n_bands(self):
        return self.spin_ops.shape[-1]

    @property
    def spin(self):
        return self.spin_ops

    def hamiltonian(self, kx, ky):
        return np.asarray(self.h(np.asarray(kx, float), np.asarray(ky, float), np.asarray(self.m)),
                          dtype=complex)

    def dh(self, kx, ky):
        return np.asarray(self.dh_func(np.asarray(kx, float), np.asarray(ky, float),
                                       np.asarray(self.m)), dtype=complex)

    def d2h(self):
        if self.d2h_const is None:
            raise ValueError(f"model {self.name!r}: second-order response needs d2h_const")
        return np.asarray(self.d2h_const, dtype=complex)


@dataclass(frozen=True)
class DiracProjected(TwoBlockModel, DiracParameters):
    """Seed 001's semiclassical mapping of the Dirac model onto two 2DEG-like blocks.

    Supplement ("Spin dynamics and semi-classical SOT in Dirac system"): for each pseudospin
    polarisation nu = +-1, H_nu = H0_nu - (1/2) Lambda_nu phi.s - (J_ex/2) m.s with
    H0_nu = nu sqrt((hbar v k)^2 + Delta^2) and Lambda_nu = -nu hbar v k lambda_R /
    sqrt((hbar v k)^2 + Delta^2). Valid to first order in lambda_R away from band crossings.
    ``nu = 0`` stands for both blocks (:meth:`components`).

    Parameters
    ----------
    hbar_v, delta, lambda_r, j_ex : float
        As :class:`DiracParameters` (eV nm, eV, eV, eV).
    nu : int
        Pseudospin polarisation +1, -1, or 0 (both).
    m : 3-tuple
        Magnetisation direction (normalised on construction).
    """

    nu: int = 0
    m: tuple = (0.0, 0.0, 1.0)
    name: str = "dirac_projected"
    n_bands: int = 2
    spin_operators = SPIN_HALF
    block_field = "nu"

    def _parts(self, kx, ky):
        self._block_index()
        kx, ky = k_columns(kx, ky)
        e = np.sqrt(self.hbar_v**2 * (kx**2 + ky**2) + self.delta**2)
        return kx, ky, e

    def hamiltonian(self, kx, ky):
        kx, ky, e = self._parts(kx, ky)
        g = -self.nu * self.hbar_v * self.lambda_r / e          # Lambda_nu / k
        return (self.nu * e * PAULI[0] - 0.5 * g * (kx * PAULI[2] - ky * PAULI[1])
                + self.exchange_term())

    def dh(self, kx, ky):
        kx, ky, e = self._parts(kx, ky)
        v2 = self.hbar_v**2
        g = -self.nu * self.hbar_v * self.lambda_r / e
        dg = self.nu * self.hbar_v * self.lambda_r * v2 / e**3    # d g / d k_i = dg * k_i
        rot = kx * PAULI[2] - ky * PAULI[1]
        return np.stack([self.nu * v2 * kx / e * PAULI[0] - 0.5 * (dg * kx * rot + g * PAULI[2]),
                         self.nu * v2 * ky / e * PAULI[0] - 0.5 * (dg * ky * rot - g * PAULI[1])])

    def d2h(self):
        raise ValueError("dirac_projected: second-order response not implemented")
