"""Base classes of the k·p models: batched Hermitian H(k), dH/dk and spin operators.

Wave vectors in 1/nm, energies in eV, dH/dk in eV nm; a model of several valleys returns its
blocks from :meth:`KPModel.components`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .operators import NonHermitianError, k_columns, m_dot, unit_vector

__all__ = [
    "KPModel", "ExchangeSplitModel", "TwoBlockModel", "linear_in_k",
]


def linear_in_k(h0, hx, hy) -> dict:
    """The coefficients (:meth:`KPModel._coefficients`) of an H linear in k.

    Parameters
    ----------
    h0, hx, hy : ndarray (nb, nb)
        H at k = 0 (eV) and its derivatives dH/dkx, dH/dky (eV nm).

    Returns
    -------
    dict
        ``{"0": h0, "x": hx, "y": hy}`` and zero second-order matrices ``"xx"``, ``"yy"``, ``"xy"``
        (eV nm^2).
    """
    zero = np.zeros_like(h0, dtype=complex)
    return {"0": h0, "x": hx, "y": hy, "xx": zero, "yy": zero, "xy": zero}


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
