"""Kernel polynomial method on periodic supercells against the k-space Kubo-Bastin result."""

import numpy as np
import pytest
import scipy.sparse as sp

from sotfit.models.kp.grids import KGrid
from sotfit.models.kp.kpm import (LatticeRashba2DEG, build_hopping_lattice, build_lattice,
                                  chebyshev_block, chebyshev_loop, jackson_kernel, kpm_dos,
                                  kpm_spin_density, lorentz_eta, lorentz_kernel, moment_matrix,
                                  plan_moments, random_phase_vectors, wilson_dirac)
from sotfit.models.kp.kubo import kubo_bastin

MODEL = LatticeRashba2DEG(a=1.0, alpha_r=0.05, j_ex=0.05, m=(0.3, 0.2, 0.9))


def test_lattice_bloch_model_matches_supercell_spectrum():
    L = 5
    system = build_lattice(MODEL, L)
    MODEL.check_hermitian()
    kx, ky, _ = MODEL.supercell_kgrid(L)
    ek = np.sort(np.linalg.eigvalsh(MODEL.hamiltonian(kx, ky)).ravel())
    np.testing.assert_allclose(np.linalg.eigvalsh(system.h.toarray()), ek, atol=1e-12)


def test_block_recursion_equals_vector_loop():
    system = build_lattice(MODEL, 4)
    h = (system.h / 0.5).tocsr()
    v = np.random.default_rng(0).normal(size=(system.dim, 3)) + 0j
    np.testing.assert_allclose(chebyshev_block(h, v, 20), chebyshev_loop(h, v, 20), atol=1e-10)


def test_jackson_dos_counts_states():
    system = build_lattice(MODEL, 6)
    e = np.linspace(-0.2, 0.5, 4001)
    dos = kpm_dos(system, e, 128, kernel="jackson", n_random=None)
    total = np.sum(dos) * (e[1] - e[0]) * system.area
    assert total == pytest.approx(system.dim, rel=2e-3)
    assert np.all(dos > -1e-3 * dos.max())          # Jackson kernel: positive


@pytest.mark.slow   # a long validation of the kernel's broadening; the moments run by default
def test_lorentz_kpm_converges_to_kspace_constant_eta():
    """Clean 6 x 6 supercell, exact trace: KPM with the Lorentz kernel (lambda/N fixed) tends
    to the band-basis Kubo-Bastin result on the supercell k-mesh at eta = a_s sinh(lambda/N)
    sin(theta) (module docstring of kpm)."""
    L = 6
    system = build_lattice(MODEL, L)
    kx, ky, w = MODEL.supercell_kgrid(L)
    grid = KGrid(kx=kx, ky=ky, w=w, dk_max=0.0, kmax=0.0, n_phi=0)
    eps = 0.04
    errs = []
    for n in (48, 96, 192):
        mom = moment_matrix(system, n, n_random=None)
        a_s, b = mom[1], mom[2]
        mus = np.array([b - 0.3 * a_s, b + 0.2 * a_s])
        r = kpm_spin_density(mom, mus, lorentz_kernel(n, eps * n))
        e = []
        for i, mu in enumerate(mus):
            eta = float(lorentz_eta((mu - b) / a_s, a_s, n, eps * n))
            k = kubo_bastin(MODEL, mu, eta, grid, check=False)
            e.append(np.linalg.norm(r.surface[i] - k.surface[0]) / np.linalg.norm(k.surface[0]))
            e.append(np.linalg.norm(r.sea[i] - k.sea[0]) / np.linalg.norm(k.sea[0]))
        errs.append(max(e))
    assert errs[0] > errs[1] > 0
    assert errs[2] < 0.03


def test_kernels():
    g = jackson_kernel(64)
    assert g[0] == pytest.approx(1.0) and np.all(np.diff(g) < 0)
    gl = lorentz_kernel(64, 4.0)
    assert gl[0] == pytest.approx(1.0) and gl[-1] > 0


@pytest.mark.slow
def test_disorder_reduces_fl_more_than_dl():
    """Seed 001 Fig. 3 (qualitatively): Anderson disorder W ~ t lowers the chi_FL and chi_DL
    peaks, chi_DL (Fermi sea) less than chi_FL. 10 x 10 supercell, exact trace, eta = 15 meV."""
    m = LatticeRashba2DEG(a=1.0, alpha_r=0.05, j_ex=0.05, m=(0, 0, 1))
    n, eta = 128, 0.015
    mus = np.linspace(-0.02, 0.08, 11)
    peaks = {}
    for W, configs in ((0.0, 1), (2 * m.t, 2)):
        s = []
        for cfg in range(configs):
            mom = moment_matrix(build_lattice(m, 10, disorder=W, seed=cfg), n, n_random=None)
            r = kpm_spin_density(mom, mus, lorentz_kernel(n, n * np.arcsinh(eta / mom[1])))
            s.append(np.stack([r.surface[:, 1], r.sea[:, 0]], axis=1))
        peaks[W] = np.abs(np.mean(s, axis=0)).max(axis=0)
    fl_ratio, dl_ratio = peaks[2 * m.t] / peaks[0.0]
    assert fl_ratio < 0.9 and dl_ratio < 0.95
    assert dl_ratio > fl_ratio


def test_wilson_dirac_lattice_model():
    """Lattice Dirac model: continuum limit = DiracRashbaExchange, supercell = Bloch bands,
    bad hopping lists refused, KPM converges to k-space constant-eta Kubo-Bastin."""
    from sotfit.models.kp.hamiltonians import DiracRashbaExchange, NonHermitianError
    from sotfit.models.kp.kpm import HoppingModel, build_hopping_lattice, wilson_dirac

    m = (0.3, 0.2, 0.9)
    w = wilson_dirac(m=m)
    w.check_hermitian(kmax=0.3)
    d = DiracRashbaExchange(hbar_v=0.6582, delta=0.005, lambda_r=0.01, j_ex=0.04, m=m)
    k = np.array([0.001, 0.002])
    # Wilson mass (hbar v/a)(2 - cos - cos) ~ hbar v a k^2 / 2: the bound on the difference
    np.testing.assert_allclose(np.linalg.eigvalsh(w.hamiltonian(k, 0 * k)),
                               np.linalg.eigvalsh(d.hamiltonian(k, 0 * k)),
                               atol=0.6582 * w.a * k.max() ** 2)
    L = 4
    system = build_hopping_lattice(w, L)
    kx, ky, wt = w.supercell_kgrid(L)
    np.testing.assert_allclose(np.linalg.eigvalsh(system.h.toarray()),
                               np.sort(np.linalg.eigvalsh(w.hamiltonian(kx, ky)).ravel()), atol=1e-12)
    with pytest.raises(NonHermitianError, match="Hermitian partner"):
        HoppingModel(hoppings=((1, 0, np.eye(2)),), spin_ops=np.zeros((3, 2, 2)))
    grid = KGrid(kx=kx, ky=ky, w=wt, dk_max=0.0, kmax=0.0, n_phi=0)
    eps, errs = 0.07, []
    for n in (64, 128):
        mom = moment_matrix(system, n, n_random=None)
        a_s, b = mom[1], mom[2]
        mu = b + 0.05
        r = kpm_spin_density(mom, [mu], lorentz_kernel(n, eps * n))
        ref = kubo_bastin(w, mu, float(lorentz_eta((mu - b) / a_s, a_s, n, eps * n)), grid, check=False)
        errs.append(np.linalg.norm(r.total[0] - ref.total[0]) / np.linalg.norm(ref.total[0]))
    assert errs[1] < errs[0] and errs[1] < 0.05


# ---------------------------------------------------------------- bounded-memory moments


def _dense_moments(system, n, vectors, e_dir, a_s, b):
    """Plain dense reference: r^dag s_c T_m(H~) D T_n(H~) r for every column r of ``vectors``."""
    hs = (system.h.toarray() - b * np.eye(system.dim)) / a_s
    d = e_dir[0] * system.dh[0].toarray() + e_dir[1] * system.dh[1].toarray()
    t = [np.eye(system.dim), hs]
    for _ in range(2, n):
        t.append(2 * hs @ t[-1] - t[-2])
    t = np.array(t[:n])
    out = np.empty((vectors.shape[1], 3, n, n), complex)
    for c, s in enumerate(system.spin):
        for r in range(vectors.shape[1]):
            v = vectors[:, r]
            bra = t @ (s.toarray().conj().T @ v)                  # T_m s^dag r
            ket = (d @ (t @ v).T).T                               # D T_n r
            out[r, c] = bra.conj() @ ket.T
    return out


SMALL_SYSTEMS = {
    "rashba_3x3_disordered": (lambda: build_lattice(MODEL, 3, disorder=0.05, seed=3), (0.6, 0.8), 13),
    "wilson_dirac_3x3": (lambda: build_hopping_lattice(wilson_dirac(m=(0.3, 0.2, 0.9)), 3,
                                                       disorder=0.02, seed=1), (1.0, 0.0), 11),
}


@pytest.mark.parametrize("name", sorted(SMALL_SYSTEMS))
@pytest.mark.parametrize("chunk", [1, 4, None])
def test_bounded_moments_equal_dense_reference(name, chunk):
    """Exact and stochastic traces, any chunk of moments (1: a ket recursion per moment; 4: not
    a divisor of N; None: N) and block of vectors, equal a dense loop to 1e-12 relative."""
    build, e_dir, n = SMALL_SYSTEMS[name]
    system = build()
    M, a_s, b = moment_matrix(system, n, e_dir=e_dir, n_random=None, chunk=chunk, block=5)
    ref = _dense_moments(system, n, np.eye(system.dim), e_dir, a_s, b).sum(0) / system.area
    assert M.shape == (1, 3, n, n)
    np.testing.assert_allclose(M[0], ref, rtol=0, atol=1e-12 * np.abs(ref).max())
    R = 3
    Mr, _, _ = moment_matrix(system, n, e_dir=e_dir, n_random=R, seed=7, chunk=chunk, block=2)
    vecs = random_phase_vectors(system.dim, range(R), seed=7)
    ref_r = _dense_moments(system, n, vecs, e_dir, a_s, b) / (R * system.area)
    assert Mr.shape == (R, 3, n, n)
    np.testing.assert_allclose(Mr, ref_r, rtol=0, atol=1e-12 * np.abs(ref_r).max())


def test_random_vectors_seeded_per_vector():
    """Vector r depends on (seed, r) only: not on R, on the grouping into tasks or on workers."""
    v5 = random_phase_vectors(40, range(5), seed=11)
    np.testing.assert_array_equal(random_phase_vectors(40, [3, 1], seed=11), v5[:, [3, 1]])
    np.testing.assert_allclose(np.abs(v5), 1.0, rtol=0, atol=1e-15)
    assert not np.allclose(v5, random_phase_vectors(40, range(5), seed=12))
    root = np.random.SeedSequence(11)
    np.testing.assert_array_equal(random_phase_vectors(40, range(5), seed=root), v5)
    with pytest.raises(TypeError, match="SeedSequence"):
        random_phase_vectors(40, range(2), seed=np.random.default_rng(0))
    system = build_lattice(MODEL, 4, disorder=0.05, seed=2)
    runs = [moment_matrix(system, 9, n_random=R, seed=5, block=blk, chunk=ch)[0] * R
            for R, blk, ch in ((5, 1, 3), (5, 5, 3), (5, 2, 3), (3, 3, 3))]
    for other in runs[1:3]:
        np.testing.assert_array_equal(other, runs[0])          # bit for bit, any block
    # the first 3 of 5 vectors (up to the division by R and the multiplication back)
    np.testing.assert_allclose(runs[3], runs[0][:3], rtol=0, atol=1e-14 * np.abs(runs[0]).max())


def test_moment_memory_is_bounded_by_max_memory():
    """Peak of the arrays allocated during moment_matrix (tracemalloc): within max_memory plus
    the operators and the returned moments, far below the N x dim x R vectors once stored."""
    import tracemalloc

    system = build_lattice(MODEL, 30, disorder=0.05, seed=4)            # dim 1800
    n, R, budget = 128, 2, 2_000_000
    plan = plan_moments(system.dim, n, R, max_memory=budget)
    assert plan.chunk < n and plan.passes > 1 and plan.task_bytes <= budget
    operators = sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
                    for m in (system.h, *system.dh, *system.spin))
    output = R * 3 * n * n * 16
    tracemalloc.start()
    try:
        M = moment_matrix(system, n, n_random=R, max_memory=budget, progress=False)[0]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert M.shape == (R, 3, n, n)
    assert peak < budget + 2 * operators + 3 * output
    stored = 4 * n * system.dim * R * 16                                 # the old scheme
    assert peak < stored / 3


def test_plan_moments():
    p = plan_moments(72, 192, 72, exact=True)                             # default budget
    assert (p.chunk, p.passes, p.block) == (192, 1, 16)
    assert p.matvecs_per_vector == 4 * 191
    assert p.spans()[-1] == (64, 72) and p.n_tasks == 5
    small = plan_moments(10_000, 256, 8, max_memory=16 * 10_000 * 100)
    assert small.chunk < 256 and small.task_bytes <= 16 * 10_000 * 100 and small.block == 1
    assert plan_moments(1000, 64, 8, slots=4).block == 2                  # every slot busy
    assert plan_moments(1000, 64, 8, exact=True, slots=4).block == 8      # exact: not by slots
    with pytest.raises(ValueError, match="too small"):
        plan_moments(10**6, 64, 1, max_memory=10**6)
    with pytest.raises(ValueError, match="over max_memory"):
        plan_moments(10**5, 64, 8, max_memory=10**8, chunk=4, block=8)
    # the 10^7-orbital example of docs/kp.md: 1024 moments in a 12 GiB budget
    big = plan_moments(10**7, 1024, 16, max_memory=12 * 2**30)
    assert big.chunk == 17 and big.passes == 61 and big.block == 1
    assert big.task_bytes <= 12 * 2**30


def test_parallel_moments_identical_to_serial():
    system = build_lattice(MODEL, 5, disorder=0.1, seed=9)
    serial = moment_matrix(system, 16, n_random=4, seed=3, chunk=5)
    par = moment_matrix(system, 16, n_random=4, seed=3, chunk=5, workers=2)
    np.testing.assert_array_equal(par[0], serial[0])
    assert par[1:] == serial[1:]
    ex = moment_matrix(system, 10, n_random=None, chunk=4, block=8)
    np.testing.assert_array_equal(moment_matrix(system, 10, n_random=None, chunk=4, block=8,
                                                workers=2)[0], ex[0])
    e = np.linspace(-0.1, 0.4, 50)
    np.testing.assert_array_equal(kpm_dos(system, e, 32, n_random=3, workers=2),
                                  kpm_dos(system, e, 32, n_random=3))


def test_dask_cluster_moments_identical_to_serial():
    distributed = pytest.importorskip("distributed")
    system = build_lattice(MODEL, 4, disorder=0.1, seed=9)
    serial = moment_matrix(system, 12, n_random=3, seed=1, chunk=5)[0]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        par = moment_matrix(system, 12, n_random=3, seed=1, chunk=5,
                            scheduler=cluster.scheduler_address)[0]
    np.testing.assert_array_equal(par, serial)


def test_kpm_progress(capsys):
    system = build_lattice(MODEL, 4)
    seen = []
    moment_matrix(system, 8, n_random=3, block=1, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    moment_matrix(system, 8, n_random=3, block=1)          # stderr is not a terminal here
    assert capsys.readouterr().err == ""


def test_stochastic_dos_equals_dense_reference():
    system = build_lattice(MODEL, 4, disorder=0.05, seed=2)
    n, R = 24, 3
    vecs = random_phase_vectors(system.dim, range(R), seed=4)
    _, a_s, b = moment_matrix(system, 2, n_random=1)
    e = b + a_s * np.linspace(-0.95, 0.95, 41)
    hs = (system.h.toarray() - b * np.eye(system.dim)) / a_s
    t = [vecs, hs @ vecs]
    for _ in range(2, n):
        t.append(2 * hs @ t[-1] - t[-2])
    mom = np.real(np.einsum("ir,kir->k", vecs.conj(), np.array(t))) / R
    g, k = jackson_kernel(n), np.arange(n)
    x = (e - b) / a_s
    ref = (np.cos(np.outer(np.arccos(x), k)) @ (g * np.where(k == 0, 1, 2) * mom)
           / (np.pi * np.sqrt(1 - x**2) * a_s * system.area))
    got = kpm_dos(system, e, n, n_random=R, seed=4, max_memory=10**6)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12 * np.abs(ref).max())


def test_disorder_realisations_over_workers():
    from functools import partial

    from sotfit.models.kp.kpm import realisation_moments

    build = partial(build_lattice, MODEL, 4, 0.1)
    serial = realisation_moments(build, [0, 1, 2], 10, n_random=2, seed=3)
    par = realisation_moments(build, [0, 1, 2], 10, n_random=2, seed=3, workers=2)
    for cfg, (s, p) in enumerate(zip(serial, par)):
        np.testing.assert_array_equal(p[0], s[0])
        assert p[1:] == s[1:]
        direct = moment_matrix(build_lattice(MODEL, 4, 0.1, cfg), 10, n_random=2, seed=3)
        np.testing.assert_array_equal(s[0], direct[0])
    assert not np.allclose(serial[0][0], serial[1][0])        # different disorder
