"""KPM moment matrices M_mn = Tr[A T_m(H~) D T_n(H~)] / area, serial or in parallel tasks.

Medina Duenas et al. 2023, eq. (3) and supplement; Weisse et al., Rev. Mod. Phys. 78, 275 (2006).
Tasks run through :func:`sotfit.parallel.map_tasks` with results identical to the serial run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ...parallel import map_tasks
from .kpm_vectors import DEFAULT_MAX_MEMORY, KPMPlan, _check_count, _seed_sequence, plan_moments, random_phase_vectors
from .kpm_lattice import LatticeSystem
from .kpm_chebyshev import _chebyshev_iter, _scaled_hamiltonian

__all__ = [
    "moment_matrix", "realisation_moments",
]


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
        from ...progress import Progress
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
