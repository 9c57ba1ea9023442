"""Boltzmann spin density of k·p models against the analytic results of seed 001."""

import numpy as np
import pytest

from sotfit.models.kp.boltzmann import intrinsic_kernel, spin_density_grid, spin_density_t0
from sotfit.models.kp.grids import GridError, diagonalise
from sotfit.models.kp.hamiltonians import HBAR2_OVER_ME, HBAR_EV_PS, Rashba2DEG

TAU = 0.5  # ps


def exchange_dominated_2deg():
    er = Rashba2DEG(m_eff=1.0, alpha_r=0.01, j_ex=0.0).energy_scale
    return Rashba2DEG(m_eff=1.0, alpha_r=0.01, j_ex=40 * er)


def seed001_eq13_14(model, eps, tau):
    """Seed 001 supplement eqs. (13), (14a), (14b), hbar restored, summed over bands.

    Returned as printed (seed 001 sign convention) per unit field, 1/(V nm).
    """
    M = model.m_eff / HBAR2_OVER_ME
    a, J = model.alpha_r, model.j_ex
    fl = dl = 0.0
    for mu in (1, -1):
        k2 = 2 * M * eps + M**2 * a**2 / 2 + mu * M * np.sqrt(J**2 + 2 * M * a**2 * eps + M**2 * a**4 / 4)
        if k2 <= 0:
            continue
        B = np.sqrt(J**2 + a**2 * k2)
        fl += mu * (tau / HBAR_EV_PS) * a * k2 / (4 * np.pi * B)
        dl += mu / (2 * np.pi * a) * (1 - J / B)
    return fl, dl


@pytest.mark.parametrize("frac", [-0.45, -0.2, 0.0, 0.25, 0.49, 0.51, 0.8, 1.5, 3.0])
def test_2deg_exchange_dominated_matches_seed001_eq14(frac):
    """m = z: S = chi_FL z x E + chi_DL E exactly (isotropic bands), E along x."""
    model = exchange_dominated_2deg()
    eps = frac * model.j_ex
    r = spin_density_t0(model, eps, TAU, n_phi=32, kmax=3.0)
    fl, dl = seed001_eq13_14(model, eps, TAU)
    # physical sign (electron charge -e, hbar dk/dt = -eE): chi_FL = -eq.(14a), chi_DL = +eq.(14b)
    assert r.surface[0, 1] == pytest.approx(-fl, rel=1e-2)
    assert r.sea[0, 0] == pytest.approx(dl, rel=1e-2)
    # and in fact to quadrature accuracy
    assert r.surface[0, 1] == pytest.approx(-fl, rel=1e-8)
    assert r.sea[0, 0] == pytest.approx(dl, rel=1e-8)
    # no other components at m = z
    assert abs(r.surface[0, 0]) + abs(r.surface[0, 2]) < 1e-10 * abs(fl)
    assert abs(r.sea[0, 1]) + abs(r.sea[0, 2]) < 1e-10 * abs(dl)


def test_2deg_ratio_gives_relaxation_time():
    """chi_DL = hbar chi_FL / (tau J_ex) in the exchange-dominated limit (seed 001 after eq. (7)).

    The magnitudes obey it; the sign is opposite with one consistent charge sign (docs/kp.md).
    """
    model = exchange_dominated_2deg()
    for frac in (-0.3, 0.0, 0.3):  # single-band window, lambda_R k << J_ex
        r = spin_density_t0(model, frac * model.j_ex, TAU, n_phi=32, kmax=3.0)
        chi_fl, chi_dl = r.surface[0, 1], r.sea[0, 0]
        ratio = chi_dl * TAU * model.j_ex / (HBAR_EV_PS * chi_fl)
        assert ratio == pytest.approx(-1.0, rel=2e-2), ratio


def test_intrinsic_kernel_equals_seed001_eq5():
    """Band-basis delta s_n equals seed 001 eq. (5): -mu e/B^3 B x (E.d_k)B (hbar restored)."""
    model = Rashba2DEG(m_eff=0.7, alpha_r=0.03, j_ex=0.02, m=(0.3, -0.5, 0.8))
    rng = np.random.default_rng(1)
    kx, ky = rng.normal(size=(2, 20))
    bd = diagonalise(model, kx, ky)
    ds = intrinsic_kernel(bd, (1.0, 0.0))          # (3, N, 2)
    m = np.asarray(model.m)
    B = np.stack([-model.alpha_r * ky, model.alpha_r * kx, 0 * kx]).T + model.j_ex * m  # B_k
    dB = np.array([0.0, model.alpha_r, 0.0])        # d B / d kx
    nb = np.linalg.norm(B, axis=1)
    for band, mu in ((0, +1), (1, -1)):             # band 0 is the majority (mu = +) band
        expect = -mu / nb[:, None] ** 3 * np.cross(B, dB)
        np.testing.assert_allclose(ds[:, :, band].T, expect, rtol=1e-10, atol=1e-12)


def test_finite_temperature_grid_approaches_t0():
    model = exchange_dominated_2deg()
    eps = 0.2 * model.j_ex
    t0 = spin_density_t0(model, eps, TAU, n_phi=32, kmax=3.0)
    kT = 2e-4
    r = spin_density_grid(model, [eps], TAU, kT, kmax=1.5, n_phi=16)
    # thermal smearing of a smooth function: corrections O((kT/J)^2)
    assert r.surface[0, 1] == pytest.approx(t0.surface[0, 1], rel=2e-3)
    assert r.sea[0, 0] == pytest.approx(t0.sea[0, 0], rel=2e-3)


def test_grid_too_coarse_for_temperature_is_refused():
    model = exchange_dominated_2deg()
    with pytest.raises(GridError, match="too coarse for temperature"):
        spin_density_grid(model, [0.0], TAU, 1e-4, kmax=1.5, n_k=10, n_phi=16)
    with pytest.raises(GridError, match="k_B T > 0"):
        spin_density_grid(model, [0.0], TAU, 0.0, kmax=1.5)


def test_convergence_check_warns_on_unconverged_grid():
    """The grid-halving check passes for smooth bands (WSe2, p-doped) and warns on a grid
    with too few azimuths for a tilted magnetisation (MoSe2, n-doped, whose S^in has sharp
    features at the avoided crossing of the spin-split conduction bands)."""
    from sotfit.models.kp.grids import GridWarning
    from sotfit.models.kp.tables import tmdc_from_table1

    m = (0.6, 0.0, 0.8)
    wse2 = tmdc_from_table1("WSe2", 0, lambda_r=1e-3, m=m)
    good = spin_density_grid(wse2, [-1.0], 3.0, 0.0257, theta_e=0.7, kmax=4.0, n_phi=32,
                             convergence_tol=1e-2)
    assert max(good.meta["convergence"].values()) < 1e-2
    mose2 = tmdc_from_table1("MoSe2", 0, lambda_r=1e-3, m=m)
    with pytest.warns(GridWarning, match="not converged"):
        spin_density_grid(mose2, [0.85], 3.0, 0.0257, theta_e=0.7, kmax=4.0, n_phi=4,
                          convergence_tol=1e-2)


def test_grid_radius_cutting_a_fermi_contour_is_refused():
    model = exchange_dominated_2deg()
    with pytest.raises(GridError, match="kmax = 1 1/nm is too small"):
        spin_density_grid(model, [0.05], TAU, 2e-3, kmax=1.0, n_phi=8)


@pytest.mark.parametrize("kmax", [0.01, 0.1])
def test_a_grid_radius_inside_every_contour_is_refused_at_zero_temperature(kmax):
    """At T = 0 a kmax inside the Fermi contours (0.01 1/nm for the Rashba gas) gave S^oc = 0
    and tau^oc = 0 with exit 0; a band still below the window at kmax and rising, which crosses
    it beyond 3 kmax, was not seen by the cut-off check at any temperature."""
    from sotfit.models.kp.sweep import sweep_mu

    model = Rashba2DEG(m_eff=1.0, alpha_r=0.03, j_ex=0.02)
    with pytest.raises(GridError, match=f"kmax = {kmax:g} 1/nm is too small"):
        spin_density_t0(model, 0.1, TAU, kmax=kmax)
    with pytest.raises(GridError, match=f"kmax = {kmax:g} 1/nm is too small"):
        sweep_mu(model, np.linspace(0.01, 0.3, 5), tau=TAU, kmax=kmax)
    with pytest.raises(GridError, match="too small"):
        spin_density_grid(model, [0.1], TAU, 2e-3, kmax=kmax, n_phi=8)


def _translated_model(k0, c=0.04, v=0.1, delta=0.01):
    """H(k) = c |k - k0|^2 + v((kx - k0x) sigma_y - (ky - k0y) sigma_x) + delta sigma_z: a
    gapped Rashba cone translated to k0 (1/nm), bounded below."""
    from sotfit.models.kp.matrix_model import MatrixModel

    s0 = np.eye(2, dtype=complex)
    sx = np.array([[0, 1], [1, 0]], complex)
    sy = np.array([[0, -1j], [1j, 0]])
    sz = np.diag([1.0, -1.0]).astype(complex)

    def h(kx, ky, m):
        qx = np.asarray(kx, float)[..., None, None] - k0[0]
        qy = np.asarray(ky, float)[..., None, None] - k0[1]
        return c * (qx * qx + qy * qy) * s0 + v * (qx * sy - qy * sx) + delta * sz

    def dh(kx, ky, m):
        qx = np.asarray(kx, float)[..., None, None] - k0[0]
        qy = np.asarray(ky, float)[..., None, None] - k0[1]
        one = np.ones_like(qx)
        return np.stack([2 * c * qx * s0 + v * one * sy, 2 * c * qy * s0 - v * one * sx])

    return MatrixModel(h=h, dh_func=dh, spin_ops=np.array([sx, sy, sz]), exchange=0.01)


@pytest.mark.parametrize("k0", [(0.0, 2.5), (1.5, 2.0)])
@pytest.mark.parametrize("n_phi", [32, 128])
def test_translated_band_structure_gives_the_same_spin_density(k0, n_phi):
    """Integrals over the whole plane do not see a translation of the bands in k: contours
    about k0 that rays from k = 0 graze (both bands occupied, mu = 50 meV) must give the
    density of the centred model (summed about k = 0 the contour sum moved by up to 12 %)."""
    centred = spin_density_t0(_translated_model((0.0, 0.0)), 0.05, 1.0, theta_e=0.3,
                              n_phi=n_phi, kmax=8.0)
    moved = spin_density_t0(_translated_model(k0), 0.05, 1.0, theta_e=0.3, n_phi=n_phi,
                            kmax=8.0)
    scale = np.abs(centred.surface).max()
    np.testing.assert_allclose(moved.surface, centred.surface, rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(moved.sea, centred.sea, rtol=0, atol=1e-9 * scale)
    assert not moved.meta["fermi_surface"][0].startswith("contours about k = (0, 0)")


@pytest.mark.parametrize("mu", [0.0096, 0.012, 0.03])
@pytest.mark.parametrize("n_phi", [16, 32])
def test_inplane_rashba_ferromagnet_keeps_the_edelstein_density(mu, n_phi):
    """2DEG magnetised along x: the exchange moves the band-touching point to
    k0 = (J/alpha_R) m x z = (0, 0.5) 1/nm (touching energy 9.5 meV). Wherever both bands are
    occupied, the Fermi-surface density equals that of J = 0 and S^in = 0: about k0,
    s_+- = +-s(q) and the two contours' radial distance differs from alpha_R/a by an odd
    function of the direction. Just above the touching energy the upper band's contour is a
    circle of radius (mu - 9.5 meV)/alpha_R about k0, which rays from k = 0 graze or miss
    (S_y -156.3 to -161.3 and S^in_z up to -0.7 before)."""
    inplane = Rashba2DEG(m_eff=1.0, alpha_r=0.1, j_ex=0.05, m=(1.0, 0.0, 0.0))
    free = Rashba2DEG(m_eff=1.0, alpha_r=0.1, j_ex=0.0, m=(1.0, 0.0, 0.0))
    r = spin_density_t0(inplane, mu, 1.0, n_phi=n_phi, kmax=4.7)
    ref = spin_density_t0(free, 0.3, 1.0, n_phi=64, kmax=8.0)
    assert ref.surface[0, 1] < 0
    np.testing.assert_allclose(r.surface[0], ref.surface[0], rtol=0,
                               atol=1e-9 * abs(ref.surface[0, 1]))
    np.testing.assert_allclose(r.sea[0], 0.0, atol=1e-12 * abs(ref.surface[0, 1]))


def test_fermi_sea_identity_equals_the_contour_sum(monkeypatch):
    """The route taken where no centre makes the contours star-shaped: the Fermi-surface term
    from oint_kmax f s (E.k/|k|) dl - int f (E.d) s d^2k must equal the exact contour sum of a
    model whose contours enclose k = 0 (both bands occupied, and only the lower one)."""
    import sotfit.models.kp.boltzmann as boltzmann

    model = _translated_model((0.0, 0.0))
    for mu in (0.005, 0.05):
        exact = spin_density_t0(model, mu, 1.0, theta_e=0.3, n_phi=64, kmax=8.0)
        found = boltzmann.star_shaped_partition
        with monkeypatch.context() as m:
            m.setattr(boltzmann, "star_shaped_partition",
                      lambda block, *a: found(block, *a)[:2] + (False,))
            identity = spin_density_t0(model, mu, 1.0, theta_e=0.3, n_phi=64, kmax=8.0)
        assert identity.meta["fermi_surface"] == ["sea identity"]
        scale = np.abs(exact.surface).max()
        np.testing.assert_allclose(identity.surface, exact.surface, rtol=0, atol=1e-6 * scale)
        np.testing.assert_allclose(identity.sea, exact.sea, rtol=0, atol=1e-12 * scale)


@pytest.mark.parametrize("kw, name", [({"mu": float("nan")}, "mu"), ({"tau": -0.5}, "tau"),
                                      ({"tau": 0.0}, "tau")])
def test_t0_refuses_a_nan_chemical_potential_or_a_relaxation_time_not_positive(kw, name):
    """mu = NaN gave S = 0 and tau = -0.5 ps the Edelstein density with its sign flipped."""
    args = {"mu": 0.2, "tau": 0.5, **kw}
    with pytest.raises(ValueError, match=name):
        spin_density_t0(Rashba2DEG(m_eff=0.5, alpha_r=0.02, j_ex=0.0), args["mu"], args["tau"],
                        kmax=6.0)
    with pytest.raises(ValueError, match=name):
        spin_density_grid(Rashba2DEG(m_eff=0.5, alpha_r=0.02, j_ex=0.0), [args["mu"]],
                          args["tau"], 0.01, kmax=6.0)


def test_the_default_grid_radius_lies_beyond_contours_high_in_the_band():
    """Without --kmax a sweep at mu = 0.35-0.5 eV was refused as 'kmax = 0.5 1/nm is too small'
    (the default radius stopped where the band was still below the window and rising): the
    default now lies beyond the contours, and gives the densities of a radius set by hand."""
    from sotfit.models.kp.sweep import default_kmax, sweep_mu

    model = Rashba2DEG(m_eff=1.0, alpha_r=0.03, j_ex=0.02)
    mus = np.linspace(0.35, 0.5, 3)
    k = default_kmax(model, mus)
    e = np.linalg.eigvalsh(model.hamiltonian(np.array([k]), np.array([0.0])))
    assert e.min() > mus.max()
    auto = sweep_mu(model, mus, tau=TAU)
    wide = sweep_mu(model, mus, tau=TAU, kmax=2 * k)
    np.testing.assert_allclose(auto["surface"], wide["surface"], rtol=1e-6, atol=1e-12)
