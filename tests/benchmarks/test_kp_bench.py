"""Speed of the k·p engine, each against a baseline in the same run (ratios printed and recorded).

Run with ``python -m pytest -m benchmark --benchmark-enable tests/benchmarks/test_kp_bench.py -s``.
No timing is asserted; the physics (identical results) is.
"""

import time

import numpy as np
import pytest

from sotfit.models.kp.boltzmann import spin_density_grid
from sotfit.models.kp.grids import diagonalise, polar_grid
from sotfit.models.kp.kpm import LatticeRashba2DEG, build_lattice, chebyshev_block, chebyshev_loop
from sotfit.models.kp.tables import tmdc_from_table1

pytestmark = pytest.mark.benchmark


def _timed(f, *a, **k):
    t = time.perf_counter()
    out = f(*a, **k)
    return out, time.perf_counter() - t


def test_bench_tmdc_200_point_mu_sweep(record_property):
    """S^oc + S^in of WSe2/CrI3 (Table I, kT = 25.7 meV, tau = 3 ps) at 200 chemical potentials:
    one diagonalisation shared by the sweep vs re-diagonalising for every mu."""
    model = tmdc_from_table1("WSe2", 0, lambda_r=1e-3)
    mus = np.linspace(-1.5, 1.5, 200)
    kw = dict(tau=3.0, temperature=0.0257, theta_e=np.pi / 4, kmax=5.0, n_phi=16)
    fast, t_fast = _timed(spin_density_grid, model, mus, **kw)
    slow_rows, t_slow = [], 0.0
    for mu in mus:
        r, dt = _timed(spin_density_grid, model, [mu], **kw)
        slow_rows.append(r.total[0])
        t_slow += dt
    np.testing.assert_allclose(fast.total, np.array(slow_rows), rtol=1e-10, atol=1e-14)
    # converged grid: doubling the radial resolution and the azimuths changes little
    fine = spin_density_grid(model, mus[::20], **dict(kw, n_phi=32),
                             n_k=2 * int(np.ceil(5.0 * 0.3866 / (0.5 * 0.0257))))
    dev = np.abs(fine.surface - fast.surface[::20]).max() / np.abs(fast.surface).max()
    print(f"\nTMDC 200-mu sweep: shared grid {t_fast:.2f} s, per-mu {t_slow:.2f} s, "
          f"speed-up {t_slow / t_fast:.1f}x; grid refinement changes S^oc by {dev:.1e} (relative)")
    record_property("sweep_speedup", t_slow / t_fast)
    assert dev < 1e-2


def test_bench_batched_diagonalisation_vs_loop(record_property):
    model = tmdc_from_table1("WSe2", 0, lambda_r=1e-3).components()[0]
    g = polar_grid(4.0, 500, 16)
    bd, t_batch = _timed(diagonalise, model, g.kx, g.ky)

    def loop():
        evs = []
        for kx, ky in zip(g.kx, g.ky):
            evs.append(np.linalg.eigh(model.hamiltonian(kx, ky))[0])
        return np.array(evs)

    evs, t_loop = _timed(loop)
    np.testing.assert_allclose(bd.eps, evs, atol=1e-12)
    print(f"\n{g.size} k-points, 4x4: batched eigh + operators {t_batch:.3f} s, per-k loop "
          f"(eigenvalues only) {t_loop:.3f} s, speed-up {t_loop / t_batch:.1f}x")
    record_property("diag_speedup", t_loop / t_batch)


def test_bench_chebyshev_moments_per_second(record_property):
    m = LatticeRashba2DEG(a=1.0, alpha_r=0.05, j_ex=0.05)
    system = build_lattice(m, 64, disorder=0.05, seed=1)
    h = (system.h / 0.4).tocsr()
    v = np.exp(2j * np.pi * np.random.default_rng(0).random((system.dim, 16)))
    n = 256
    a, t_block = _timed(chebyshev_block, h, v, n)
    b, t_loop = _timed(chebyshev_loop, h, v, n)
    np.testing.assert_allclose(a, b, atol=1e-8)
    rate_block = n * v.shape[1] / t_block
    rate_loop = n * v.shape[1] / t_loop
    print(f"\nChebyshev vectors T_n|r>, dim {system.dim}: block {rate_block:.3g}/s, "
          f"plain scipy.sparse loop {rate_loop:.3g}/s, ratio {rate_block / rate_loop:.1f}x")
    record_property("chebyshev_ratio", rate_block / rate_loop)
