"""Throughput and memory of the bounded-memory KPM moment matrix, against a plain baseline.

Run with ``OPENBLAS_NUM_THREADS=1 python -m pytest -m benchmark --benchmark-enable
tests/benchmarks/test_kpm_bench.py -s`` (one BLAS thread: on shared cores threaded small products
stall).
No timing is asserted; the physics (identical moments) and the memory scaling (tracemalloc) are.

* moments per second: :func:`~sotfit.models.kp.kpm.moment_matrix` (chunk = N, chunk = N/8
  with 8 ket passes, and two local processes) against a plain scipy.sparse loop that stores
  every Chebyshev vector of one random vector and takes one ``np.vdot`` per moment;
* peak memory (tracemalloc) against dim at a fixed chunk: O(dim (4 chunk + 12)), against the
  4 N dim x 16 bytes of storing every vector;
* the two kernels alone: Chebyshev steps per second and zgemm GFLOP/s of the moment products.
"""

import os
import time
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

from sotfit.models.kp.kpm import (LatticeRashba2DEG, build_lattice, moment_matrix, plan_moments,
                                  random_phase_vectors)

pytestmark = pytest.mark.benchmark

MODEL = LatticeRashba2DEG(a=1.0, alpha_r=0.05, j_ex=0.05, m=(0.3, 0.2, 0.9))


def _plain_loop(system, n, n_random, seed):
    """Baseline: one vector at a time, scipy.sparse matvecs, every vector stored, one vdot per
    moment (the scheme moment_matrix replaced), same scaling and vectors."""
    _, a_s, b = moment_matrix(system, 2, n_random=1, progress=False)
    hs = ((system.h - b * sp.identity(system.dim)) / a_s).tocsr()
    d = system.dh[0]
    M = np.zeros((n_random, 3, n, n), complex)
    for r in range(n_random):
        v = random_phase_vectors(system.dim, [r], seed)[:, 0]

        def cheb(v0):
            seq = [v0, hs @ v0]
            for _ in range(2, n):
                seq.append(2 * (hs @ seq[-1]) - seq[-2])
            return seq[:n]

        kets = [d @ t for t in cheb(v)]
        for c, s in enumerate(system.spin):
            bras = cheb(s.conj().T @ v)
            for m in range(n):
                for k in range(n):
                    M[r, c, m, k] = np.vdot(bras[m], kets[k])
    return M / (n_random * system.area)


def _timed(f, *a, **k):
    t = time.perf_counter()
    out = f(*a, **k)
    return out, time.perf_counter() - t


def test_bench_kpm_moments_per_second(record_property):
    system = build_lattice(MODEL, 64, disorder=0.05, seed=1)          # dim 8192
    n, R = 128, 4
    ref, t_loop = _timed(_plain_loop, system, n, R, 0)
    runs = {"bounded, chunk = N": dict(),
            "bounded, chunk = N/8": dict(chunk=n // 8),
            "bounded, chunk = N, 2 processes": dict(workers=2)}
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"\nKPM moment matrix, dim {system.dim}, N = {n}, R = {R} random vectors, "
          f"OPENBLAS_NUM_THREADS={threads}; rate = 3 N^2 R moments / wall time")
    print(f"  {'plain scipy.sparse loop':34s} {t_loop:7.2f} s  {3 * n * n * R / t_loop:9.3g} /s  1.0x")
    for label, kw in runs.items():
        (M, _, _), t = _timed(moment_matrix, system, n, n_random=R, seed=0, progress=False, **kw)
        np.testing.assert_allclose(M, ref, rtol=0, atol=1e-12 * np.abs(ref).max())
        print(f"  {label:34s} {t:7.2f} s  {3 * n * n * R / t:9.3g} /s  {t_loop / t:.1f}x")
        record_property(label, t_loop / t)


def test_bench_kpm_peak_memory_against_dim(record_property):
    n, R, chunk = 256, 2, 16
    rows = []
    for L in (16, 32, 64, 96):
        system = build_lattice(MODEL, L, disorder=0.05, seed=1)
        plan = plan_moments(system.dim, n, R, chunk=chunk, block=1)
        tracemalloc.start()
        try:
            moment_matrix(system, n, n_random=R, chunk=chunk, block=1, progress=False)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        output = R * 3 * n * n * 16
        stored = 4 * n * system.dim * R * 16
        rows.append((system.dim, peak, peak - output, plan.task_bytes, stored))
    print(f"\nPeak memory (tracemalloc) of moment_matrix, N = {n}, R = {R}, chunk = {chunk}, block 1")
    print(f"  {'dim':>7s} {'peak MB':>9s} {'peak - moments':>15s} {'per orbital':>12s} "
          f"{'task model MB':>14s} {'store-all MB':>13s}")
    for dim, peak, net, model, stored in rows:
        print(f"  {dim:7d} {peak / 1e6:9.2f} {net / 1e6:15.2f} {net / dim:10.0f} B {model / 1e6:14.2f} "
              f"{stored / 1e6:13.1f}")
    per_orbital = [net / dim for dim, _, net, _, _ in rows]
    record_property("bytes_per_orbital", per_orbital)
    # O(dim): the bytes per orbital settle (operators + (4 chunk + 12) vectors), far below 4 N R
    assert per_orbital[-1] < 1.5 * per_orbital[-2]
    assert rows[-1][1] < rows[-1][4] / 5


def test_bench_kpm_where_the_time_goes(record_property):
    """The two kernels of the bounded scheme, timed alone on one vector: the sparse Chebyshev
    step (memory-bound: bytes of H~ and vectors moved per second) and the dense moment products
    (3 N^2 dim complex multiply-adds, BLAS zgemm)."""
    from sotfit.models.kp.kpm import _chebyshev_iter, _scaled_hamiltonian

    system = build_lattice(MODEL, 128, disorder=0.05, seed=1)         # dim 32768
    n = 256
    hs, _, _ = _scaled_hamiltonian(system)
    v = random_phase_vectors(system.dim, [0], 0)
    it = _chebyshev_iter(hs, v)
    t0 = time.perf_counter()
    kets = np.empty((n, system.dim), complex)
    for k in range(n):
        kets[k] = next(it)[:, 0]
    t_mv = time.perf_counter() - t0
    bytes_per_step = (hs.data.nbytes + hs.indices.nbytes + hs.indptr.nbytes) + 4 * system.dim * 16
    t0 = time.perf_counter()
    for _ in range(3):
        kets.conj() @ kets.T
    t_mm = time.perf_counter() - t0
    flops = 3 * 8 * n * n * system.dim
    print(f"\ndim {system.dim}, N = {n}: Chebyshev steps {n / t_mv:.3g}/s "
          f"({bytes_per_step * n / t_mv / 1e9:.2f} GB/s of H~ and vectors, "
          f"{10 * system.dim * n / t_mv / 1e6:.0f} M nonzeros/s); moment products "
          f"{flops / t_mm / 1e9:.1f} GFLOP/s ({3 * n * n / t_mm:.3g} moments/s); "
          f"per vector: steps {t_mv * 4:.2f} s at chunk = N, products {t_mm:.2f} s")
    record_property("zgemm_gflops", flops / t_mm / 1e9)
