"""Random-phase vectors and the memory plan of KPM traces.

Each random vector is seeded on its own (a child of one SeedSequence), so results do not depend
on how vectors are grouped into tasks; :func:`plan_moments` picks the chunk of moments and the
block of vectors one task holds within a memory budget (bytes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DEFAULT_MAX_MEMORY", "random_phase_vectors", "KPMPlan", "plan_moments",
]


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
