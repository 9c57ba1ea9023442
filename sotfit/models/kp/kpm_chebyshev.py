"""Chebyshev recursion and kernels of the kernel polynomial method.

Jackson and Lorentz kernels, the Lorentz broadening eta (eV), the scaled Hamiltonian
H~ = (H - b)/a_s and the recursion T_{n+1} = 2 H~ T_n - T_{n-1} (Weisse et al., Rev. Mod. Phys.
78, 275 (2006)).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .kpm_lattice import LatticeSystem

__all__ = [
    "jackson_kernel", "lorentz_kernel", "lorentz_eta", "chebyshev_block", "chebyshev_loop",
]


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


def _chebyshev_iter(h_scaled, v0: np.ndarray):
    """Yield T_0(H~) v0, T_1(H~) v0, ... without end, holding two vectors (and one being made).

    The yielded arrays are never modified afterwards, so a caller may keep them.
    """
    prev = v0
    del v0                      # hold no third reference to the start vector
    yield prev
    cur = h_scaled @ prev
    yield cur
    while True:
        nxt = h_scaled @ cur
        nxt *= 2
        nxt -= prev
        prev, cur = cur, nxt
        yield cur


def chebyshev_block(h_scaled, v0: np.ndarray, n: int) -> np.ndarray:
    """T_k(H~) v0 for k < n, all columns of v0 at once (sparse @ dense block recursion).

    Returns an array (n,) + v0.shape.
    """
    out = np.empty((n,) + v0.shape, dtype=complex)
    for k, t in zip(range(n), _chebyshev_iter(h_scaled, v0)):
        out[k] = t
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


def _scaled_hamiltonian(system: LatticeSystem):
    """H~ = (H - b)/a_s as CSR, with a_s and b (eV)."""
    a_s, b = _scale(system.h)
    hs = ((system.h - b * sp.identity(system.dim, format="csr")) / a_s).tocsr()
    return hs, a_s, b
