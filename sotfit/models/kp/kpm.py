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

Memory and scale-out: :func:`moment_matrix` keeps the bras D^dag T_m s^dag r for a chunk of
moments and reruns the ket recursion T_n r for each chunk, so one task holds O(chunk x dim)
numbers per vector whatever N and R (:func:`plan_moments` picks the chunk for ``max_memory``).
Random vectors are seeded one by one (:func:`random_phase_vectors`) and blocks of them run
serially, on local processes or on a dask cluster through :func:`sotfit.parallel.map_tasks`,
with results identical to the serial run. See docs/kp.md (KPM: memory, parallel runs, speed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ...parallel import map_tasks
from .hamiltonians import (HBAR2_OVER_ME, SPIN_HALF, ExchangeSplitModel, KPModel, NonHermitianError,
                           PAULI, DiracRashbaExchange, k_columns, unit_vector)

__all__ = ["LatticeRashba2DEG", "build_lattice", "LatticeSystem", "jackson_kernel", "lorentz_kernel",
           "chebyshev_block", "chebyshev_loop", "moment_matrix", "kpm_spin_density", "kpm_dos",
           "lorentz_eta", "KPMResult", "HoppingModel", "build_hopping_lattice", "wilson_dirac",
           "random_phase_vectors", "plan_moments", "KPMPlan", "DEFAULT_MAX_MEMORY",
           "realisation_moments"]


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


DEFAULT_MAX_MEMORY = 2 * 1024**3
"""Default budget (bytes) for the arrays one KPM task holds: 2 GiB."""

_BYTES = np.dtype(complex).itemsize          # 16 bytes per complex128 number
_BLOCK_CAP = 16                              # vectors per task; larger blocks gain little


def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        raise TypeError("seed must be an int, None or a numpy SeedSequence: random vectors are "
                        "seeded one by one, from children of SeedSequence(seed)")
    return np.random.SeedSequence(seed)


def random_phase_vectors(dim: int, indices, seed=0) -> np.ndarray:
    """Random-phase vectors exp(2 pi i phi_j), phi_j uniform in [0, 1), one column per index.

    Vector r is drawn from its own stream, the r-th child of ``SeedSequence(seed)``
    (``SeedSequence(seed).spawn(R)[r]``), so it does not depend on how many vectors are drawn,
    how they are grouped into tasks, or which worker draws them.

    Parameters
    ----------
    dim : int
        Length of each vector (orbitals).
    indices : iterable of int
        Vector numbers r.
    seed : int, None or numpy.random.SeedSequence
        Root seed; ``None`` draws fresh entropy (pass the same SeedSequence to repeat).

    Returns
    -------
    numpy.ndarray
        (dim, len(indices)) complex, entries of modulus 1.
    """
    root = _seed_sequence(seed)
    indices = [int(r) for r in indices]
    out = np.empty((dim, len(indices)), complex)
    for j, r in enumerate(indices):
        child = np.random.SeedSequence(root.entropy, spawn_key=root.spawn_key + (r,),
                                       pool_size=root.pool_size)
        out[:, j] = np.exp(2j * np.pi * np.random.default_rng(child).random(dim))
    return out


def _moment_task_bytes(dim: int, n: int, chunk: int, block: int, exact: bool) -> int:
    """Bytes held by one moment task: 4 chunk + 12 vectors per vector of the block (three spin
    chunks, one ket chunk, recurrence and scratch vectors) and its moment matrices (3 N^2 per
    random vector, or 3 N^2 in all for the exact trace) plus a chunk x chunk product."""
    vectors = block * dim * (4 * chunk + 12)
    moments = (3 * n * n + chunk * chunk) * (1 if exact else block)
    return _BYTES * (vectors + moments)


def _dos_task_bytes(dim: int, n: int, chunk: int, block: int, exact: bool) -> int:
    """Bytes held by one DOS task: 6 vectors per vector of the block and N moments."""
    return _BYTES * block * dim * 6 + 8 * n * (1 if exact else block)


def _check_count(name, value, low=1):
    if isinstance(value, bool) or int(value) != value or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class KPMPlan:
    """How a KPM run is split so that one task stays within a memory budget.

    Attributes
    ----------
    dim : int
        Hilbert-space dimension (orbitals).
    n : int
        Chebyshev moments per index.
    n_vectors : int
        Random vectors, or basis vectors (= dim) for the exact trace.
    exact : bool
        Exact trace over basis vectors.
    chunk : int
        Moments per stored chunk of bra vectors.
    block : int
        Vectors per task.
    task_bytes : int
        Bytes of the arrays one task holds (the sparse operators, shared, not included).
    """

    dim: int
    n: int
    n_vectors: int
    exact: bool
    chunk: int
    block: int
    task_bytes: int

    @property
    def passes(self) -> int:
        """Ket-side recursions per vector: ceil(N / chunk)."""
        return -(-self.n // self.chunk)

    @property
    def matvecs_per_vector(self) -> int:
        """Products H~ v per vector: 3 (N - 1) for the three spin bras, passes (N - 1) for the
        ket; storing every vector would need 4 (N - 1)."""
        return (3 + self.passes) * (self.n - 1)

    @property
    def n_tasks(self) -> int:
        return -(-self.n_vectors // self.block)

    def spans(self) -> list:
        """(start, stop) of the vectors of each task, in order."""
        return [(s, min(s + self.block, self.n_vectors)) for s in range(0, self.n_vectors, self.block)]


def plan_moments(dim: int, n: int, n_vectors: int, exact: bool = False,
                 max_memory: int = DEFAULT_MAX_MEMORY, chunk: int | None = None,
                 block: int | None = None, slots: int = 1, task_bytes=_moment_task_bytes) -> KPMPlan:
    """Chunk of moments and block of vectors per task for a memory budget.

    The chunk comes first (up to N: no recomputation), then the block of vectors (up to 16,
    and, for random vectors, up to ceil(n_vectors / slots) so that every slot gets work).

    Parameters
    ----------
    dim, n, n_vectors, exact :
        As :class:`KPMPlan`.
    max_memory : int
        Budget in bytes for the arrays one task holds.
    chunk, block : int, optional
        Fixed values (checked against the budget).
    slots : int
        Tasks that can run at once (local workers); only random-vector blocks depend on it,
        and the moments of a random vector do not depend on the block it is in.
    task_bytes : callable
        Memory model ``task_bytes(dim, n, chunk, block, exact)`` in bytes.

    Raises
    ------
    ValueError
        When one chunk of one vector does not fit in ``max_memory``.
    """
    dim, n, n_vectors = (_check_count(k, v) for k, v in (("dim", dim), ("n", n),
                                                          ("n_vectors", n_vectors)))
    budget = _check_count("max_memory", max_memory)
    if chunk is None:
        chunk = n
        while chunk > 1 and task_bytes(dim, n, chunk, 1, exact) > budget:
            chunk = max(1, min(chunk - 1, chunk * budget // task_bytes(dim, n, chunk, 1, exact)))
    chunk = min(_check_count("chunk", chunk), n)
    if task_bytes(dim, n, chunk, 1, exact) > budget:
        raise ValueError(f"max_memory = {budget} bytes is too small: one task needs "
                         f"{task_bytes(dim, n, chunk, 1, exact)} bytes for a chunk of {chunk} "
                         f"moment(s) of one vector of dimension {dim} with N = {n}")
    if block is None:
        block = min(_BLOCK_CAP, n_vectors)
        if not exact:
            block = min(block, -(-n_vectors // max(1, int(slots))))
        while block > 1 and task_bytes(dim, n, chunk, block, exact) > budget:
            block -= 1
    block = min(_check_count("block", block), n_vectors)
    need = task_bytes(dim, n, chunk, block, exact)
    if need > budget:
        raise ValueError(f"block = {block} vectors need {need} bytes per task, over "
                         f"max_memory = {budget}")
    return KPMPlan(dim=dim, n=n, n_vectors=n_vectors, exact=exact, chunk=chunk, block=block,
                   task_bytes=need)


@dataclass(frozen=True)
class _KPMJob:
    """What every KPM task needs; sent once to each worker."""

    h: sp.csr_matrix                    # H~
    n: int
    chunk: int
    seed: np.random.SeedSequence | None  # None: exact trace over basis vectors
    spin: tuple = ()                    # s_c, c = x, y, z (the system's own matrices)
    d: sp.csr_matrix | None = None      # D = e.dH/dk

    def vectors(self, span) -> np.ndarray:
        start, stop = span
        dim = self.h.shape[0]
        if self.seed is None:
            v = np.zeros((dim, stop - start), complex)
            v[np.arange(start, stop), np.arange(stop - start)] = 1.0
            return v
        return random_phase_vectors(dim, range(start, stop), self.seed)


def _moment_task(job: _KPMJob, span) -> np.ndarray:
    """Moments r^dag s_c T_m D T_n r of the vectors r in ``span``, in bounded memory.

    Bras conj(D^dag T_m s_c^dag r) are kept for a chunk of m at a time; for each chunk the ket
    recursion T_n r is run again from n = 0, its vectors gathered in chunks for BLAS products.
    Returns (B, 3, N, N), one matrix per random vector, or (1, 3, N, N) summed over basis vectors.
    """
    v = job.vectors(span)
    dim, nb = v.shape
    n, chunk, ns = job.n, job.chunk, len(job.spin)
    exact = job.seed is None
    out = np.zeros((1 if exact else nb, ns, n, n), complex)
    # s^dag r = conj(s^T conj r) and conj(D^dag x) = D^T conj x: transposes are views, so the
    # operators are never copied
    bras = [_chebyshev_iter(job.h, np.conj(s.T @ np.conj(v))) for s in job.spin]
    lbuf = np.empty((ns, nb, chunk, dim), complex)
    rbuf = np.empty((nb, chunk, dim), complex)
    for m0 in range(0, n, chunk):
        mc = min(chunk, n - m0)
        for c, it in enumerate(bras):
            for k in range(mc):
                lbuf[c, :, k] = (job.d.T @ np.conj(next(it))).T
        ket = _chebyshev_iter(job.h, v)
        for n0 in range(0, n, chunk):
            nc = min(chunk, n - n0)
            for k in range(nc):
                rbuf[:, k] = next(ket).T
            for c in range(ns):
                if exact:
                    for b in range(nb):
                        out[0, c, m0:m0 + mc, n0:n0 + nc] += lbuf[c, b, :mc] @ rbuf[b, :nc].T
                else:
                    out[:, c, m0:m0 + mc, n0:n0 + nc] = np.matmul(
                        lbuf[c, :, :mc], rbuf[:, :nc].transpose(0, 2, 1))
    return out


def _progress(progress, label: str):
    """``True``: a bar on stderr when it is a terminal; a callable: itself; else none."""
    if progress is True:
        from ...cli.common import Progress
        return Progress(label)
    return progress or None


def _run_vectors(task, job: _KPMJob, plan: KPMPlan, workers, scheduler, progress, label):
    """Run ``task`` over the vector blocks of ``plan``; per-vector results stacked in order
    (random vectors) or summed in order (exact trace)."""
    parts = map_tasks(task, plan.spans(), workers=workers, scheduler=scheduler, shared=job,
                      progress=_progress(progress, label))
    return np.sum(parts, axis=0) if plan.exact else np.concatenate(parts)


def moment_matrix(system: LatticeSystem, n: int, e_dir=(1.0, 0.0), n_random: int | None = 8,
                  seed=0, *, max_memory: int = DEFAULT_MAX_MEMORY, chunk: int | None = None,
                  block: int | None = None, workers: int | None = None,
                  scheduler: str | None = None, progress=True):
    """M^c_mn = Tr[s_c T_m(H~) D T_n(H~)] / area (c = x, y, z), in bounded memory.

    Per vector r, M_mn = <b_m|k_n> with bras b_m = D^dag T_m s_c^dag r and kets k_n = T_n r.
    The bras are held for ``chunk`` moments at a time and the ket recursion is restarted for
    each chunk, so one task holds about (4 chunk + 12) x block vectors of ``dim`` complex numbers
    instead of 4 N x R; the price is ceil(N/chunk) ket recursions instead of one
    (:attr:`KPMPlan.matvecs_per_vector`). With the default budget small systems use chunk = N.

    Parameters
    ----------
    n : int
        Number of Chebyshev moments per index.
    e_dir : (float, float)
        In-plane direction of the field; D = e.dH/dk (eV nm).
    n_random : int or None
        Random-phase vectors for the stochastic trace; ``None`` for the exact trace over all
        basis vectors (only for small systems).
    seed : int, None or numpy.random.SeedSequence
        Vector r uses the r-th child of ``SeedSequence(seed)`` (:func:`random_phase_vectors`).
    max_memory : int
        Budget in bytes for the vectors and moment matrices one task holds (default 2 GiB);
        with ``workers`` local processes the total is up to ``workers`` times this. The sparse
        operators and the returned moments are not included.
    chunk, block : int, optional
        Moments per bra chunk and vectors per task; by default the largest that fit
        (:func:`plan_moments`).
    workers : int or None
        Local worker processes over blocks of vectors (None or 1: serial).
    scheduler : str or None
        Address of a dask.distributed scheduler ("tcp://host:8786"); needs ``sotfit[dask]``.
    progress : bool or callable(done, total)
        ``True``: a progress bar over the tasks when stderr is a terminal, silent otherwise.

    Returns
    -------
    (M, a_scale, b): M (R, 3, n, n) complex, one moment matrix per random vector (R = 1 for
    the exact trace), in 1/nm^2 * eV nm, already divided by R so that M.sum(0) is the
    estimate; the spread over R gives the stochastic error. a_scale, b in eV. The result does
    not depend on ``workers``, ``scheduler`` or, for random vectors, ``block``.
    """
    hs, a_s, b = _scaled_hamiltonian(system)
    d = e_dir[0] * system.dh[0] + e_dir[1] * system.dh[1]
    exact = n_random is None
    n_vec = system.dim if exact else _check_count("n_random", n_random)
    plan = plan_moments(system.dim, n, n_vec, exact=exact, max_memory=max_memory, chunk=chunk,
                        block=block, slots=n_vec if scheduler else (workers or 1))
    job = _KPMJob(h=hs, n=plan.n, chunk=plan.chunk, seed=None if exact else _seed_sequence(seed),
                  spin=tuple(system.spin), d=d.tocsr())
    M = _run_vectors(_moment_task, job, plan, workers, scheduler, progress, "KPM moments")
    return M / ((1 if exact else n_vec) * system.area), a_s, b


def _realisation_task(spec, seed):
    build, n, kwargs = spec
    return moment_matrix(build(seed), n, **kwargs)


def realisation_moments(build, seeds, n: int, *, workers: int | None = None,
                        scheduler: str | None = None, progress=True, **kwargs) -> list:
    """:func:`moment_matrix` of several disorder realisations, one task per realisation.

    Parameters
    ----------
    build : callable(seed) -> LatticeSystem
        Builds one realisation, e.g. ``functools.partial(build_lattice, model, 64, 0.1)``;
        a module-level function or a partial of one (it is pickled for other processes).
    seeds : iterable
        Disorder seeds, one realisation each.
    n : int
        Chebyshev moments.
    workers, scheduler, progress :
        As :func:`moment_matrix`, here over realisations (each runs its vectors serially).
    **kwargs :
        Passed to :func:`moment_matrix` (``e_dir``, ``n_random``, ``seed``, ``max_memory``...).

    Returns
    -------
    list of (M, a_scale, b)
        One per seed, in order; the scale a_scale, b (eV) differs between realisations, so
        evaluate :func:`kpm_spin_density` per realisation and average the results.
    """
    kwargs = dict(kwargs, progress=False)
    return map_tasks(_realisation_task, list(seeds), workers=workers, scheduler=scheduler,
                     shared=(build, n, kwargs), progress=_progress(progress, "KPM realisations"))


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


def _dos_task(job: _KPMJob, span) -> np.ndarray:
    """<r|T_k(H~)|r>, k < N, for the vectors in ``span``: (B, N), or (1, N) summed over basis
    vectors (the exact trace). Holds a few vectors, whatever N."""
    v = job.vectors(span)
    vc = v.conj()
    exact = job.seed is None
    mom = np.empty((v.shape[1], job.n))
    for k, t in zip(range(job.n), _chebyshev_iter(job.h, v)):
        mom[:, k] = np.einsum("ib,ib->b", vc, t).real
    return mom.sum(axis=0, keepdims=True) if exact else mom


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
