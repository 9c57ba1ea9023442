"""Kernel polynomial method on periodic supercells against the k-space Kubo-Bastin result."""

import numpy as np
import pytest
import scipy.sparse as sp

from sotfit.models.kp.grids import KGrid
from sotfit.models.kp.kpm import (LatticeRashba2DEG, build_lattice, chebyshev_block, chebyshev_loop,
                                  jackson_kernel, kpm_dos, kpm_spin_density, lorentz_eta,
                                  lorentz_kernel, moment_matrix)
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
