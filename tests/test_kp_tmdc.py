"""TMDC/CrI3 model with seed 000 Table I: symmetries, lambda_R = 0, magnitudes, tables."""

import numpy as np
import pytest

from sotfit.models.kp.boltzmann import band_hessian_along, fermi, spin_density_grid
from sotfit.models.kp.grids import diagonalise, polar_grid
from sotfit.models.kp.hamiltonians import HBAR_EV_PS
from sotfit.models.kp.tables import (ParameterTable, TableRangeError, read_table, table1,
                                     tmdc_from_table1)
from sotfit.models.kp.torque import torque

KT, TAU, E_FIELD = 0.0257, 3.0, 0.2e-3          # eV, ps, V/nm (seed 000 Sec. III)
TILT = (np.sin(0.7), 0.0, np.cos(0.7))
MUS = np.array([-1.0, 0.8, 0.9, 1.0])


def run(tmdc, m, lambda_r=1e-3, mus=MUS, **kw):
    model = tmdc_from_table1(tmdc, 0, lambda_r=lambda_r, m=m)
    return model, spin_density_grid(model, mus, TAU, KT, theta_e=np.pi / 4, kmax=4.0, n_phi=16, **kw)


def test_table1_loaded_with_units():
    rows = table1()
    assert len(rows) == 4
    w0 = [r for r in rows if r["tmdc"] == "WSe2" and r["twist"] == 0][0]
    assert w0["delta"] == pytest.approx(1.403) and w0["b_v"] == pytest.approx(-0.918e-3)
    assert w0["hbar_v"] == pytest.approx(0.38656, rel=1e-4)
    with pytest.raises(TableRangeError, match="no entry"):
        tmdc_from_table1("WSe2", 15)


@pytest.mark.parametrize("tmdc", ["WSe2", "MoSe2"])
def test_magnetisation_reversal_parities(tmdc):
    """S^oc even (field-like torque), S^in odd (damping-like) under m -> -m (seed 000 Sec. III).

    Seed 000 states S^oc_z is odd; here every S^oc component is even, as time reversal
    (H(k, m) -> H(-k, -m)) requires of a term proportional to tau. See docs/kp.md.
    """
    _, a = run(tmdc, TILT)
    _, b = run(tmdc, tuple(-np.array(TILT)))
    scale = np.abs(a.surface).max()
    np.testing.assert_allclose(a.surface, b.surface, atol=1e-9 * scale)
    np.testing.assert_allclose(a.sea, -b.sea, atol=1e-9 * np.abs(a.sea).max())


@pytest.mark.parametrize("tmdc", ["WSe2", "MoSe2"])
def test_out_of_plane_m_symmetries_and_equal_torque_components(tmdc):
    """theta_m = 0: S^in_z = 0 (seed 000 after eq. 22), S^oc_z = 0 (rotation symmetry),
    tau_x = tau_y at theta_E = pi/4 (seed 000 Fig. 2c caption)."""
    model, r = run(tmdc, (0, 0, 1))
    sc = np.abs(r.surface).max()
    assert np.abs(r.sea[:, 2]).max() < 1e-9 * np.abs(r.sea).max()
    assert np.abs(r.surface[:, 2]).max() < 1e-9 * sc
    t = torque(model.exchange_for(r.mu), np.tile(model.m, (r.mu.size, 1)), r.surface)
    np.testing.assert_allclose(t[:, 0], t[:, 1], rtol=1e-6, atol=1e-12 * np.abs(t).max())


@pytest.mark.parametrize("tmdc", ["WSe2", "MoSe2"])
def test_no_linear_response_without_rashba(tmdc):
    """lambda_R = 0: S^oc(1) = S^in = 0 (sigma_z H(k) sigma_z = H(-k)); S^oc(2) survives."""
    _, r = run(tmdc, TILT, lambda_r=0.0, second_order=True)
    _, ref = run(tmdc, TILT)
    assert np.abs(r.surface).max() < 1e-10 * np.abs(ref.surface).max()
    assert np.abs(r.sea).max() < 1e-10 * np.abs(ref.sea).max()
    assert np.abs(r.second).max() * E_FIELD > 1e-3 * np.abs(ref.surface).max()


def test_second_order_by_hessian_equals_shifted_fermi_sea():
    """S^oc(2) from eq. (12) (band Hessian + f0'') equals (tau/hbar)^2 d^2/dq^2 of
    sum s_n f0(eps_n(k + q e)), an independent finite-difference route."""
    model = tmdc_from_table1("WSe2", 0, lambda_r=1e-3, m=TILT).components()[0]
    g = polar_grid(2.5, 60, 12)
    e = np.array([np.cos(np.pi / 4), np.sin(np.pi / 4)])
    mu, kT = 0.85, 0.03
    bd = diagonalise(model, g.kx, g.ky, g.w)
    sn = np.real(np.diagonal(bd.spin, axis1=-2, axis2=-1))

    def F(q):
        eps = np.linalg.eigvalsh(model.hamiltonian(g.kx + q * e[0], g.ky + q * e[1]))
        return np.einsum("k,ckn,kn->c", g.w, sn, fermi(eps - mu, kT))

    h = 2e-3
    fd = (F(h) - 2 * F(0) + F(-h)) / h**2
    from sotfit.models.kp.boltzmann import fermi_d1, fermi_d2
    hess = band_hessian_along(model, bd, e)
    slope = np.real(np.diagonal(bd.dh_along(e), axis1=-2, axis2=-1))
    direct = np.einsum("k,ckn,kn->c", g.w, sn, hess * fermi_d1(bd.eps - mu, kT)
                       + slope**2 * fermi_d2(bd.eps - mu, kT))
    np.testing.assert_allclose(direct, fd, rtol=1e-4, atol=1e-6 * np.abs(fd).max())


def test_wse2_magnitudes_and_mu_dependence():
    """Seed 000 Sec. III, WSe2 untwisted, lambda_R = 1 meV, theta_m = 0, theta_E = pi/4:
    tau^oc of order 1e-4..1e-3 meV/nm^2, tau^in orders of magnitude smaller, and much
    smaller for p- than for n-doping; S^oc(2)/S^oc(1) small (seed: ~1e-4; here 1e-6..1e-2)."""
    model, r = run("WSe2", (0, 0, 1), mus=np.array([-1.0, -0.8, 0.8, 0.9, 1.0]), second_order=True)
    J = model.exchange_for(r.mu)
    ms = np.tile(model.m, (r.mu.size, 1))
    t_oc = np.abs(torque(J, ms, r.surface * E_FIELD))[:, 0] * 1e3     # meV/nm^2
    t_in = np.abs(torque(J, ms, r.sea * E_FIELD))[:, 0] * 1e3
    assert np.all((t_oc > 1e-4) & (t_oc < 1e-2))
    assert np.all(t_oc / t_in > 1e3)
    assert t_in[2:].min() > 5 * t_in[:2].max()          # n-doped intrinsic torque larger
    ratio = np.abs(r.second).max(axis=1) * E_FIELD / np.abs(r.surface).max(axis=1)
    assert np.all((ratio > 1e-6) & (ratio < 1e-2))


def test_mose2_damping_like_comparable_and_sign_change():
    """Seed 000: in n-doped MoSe2 tau^in is ~3 orders larger than in WSe2 and the ratio
    tau_FL/tau_DL is ~10; tau^oc_x changes sign with mu in the n-doped range."""
    mus = np.array([0.8, 0.9])
    mo, rm = run("MoSe2", (0, 0, 1), mus=mus)
    w, rw = run("WSe2", (0, 0, 1), mus=mus)
    tm = torque(mo.exchange_for(mus), np.tile(mo.m, (2, 1)), rm.surface)[:, 0]
    im = torque(mo.exchange_for(mus), np.tile(mo.m, (2, 1)), rm.sea)[:, 0]
    iw = torque(w.exchange_for(mus), np.tile(w.m, (2, 1)), rw.sea)[:, 0]
    assert np.all(np.abs(im) > 300 * np.abs(iw))
    assert np.all((np.abs(tm / im) > 3) & (np.abs(tm / im) < 100))
    assert np.sign(tm[0]) != np.sign(tm[1])


def test_bicubic_table_interpolation_and_range(tmp_path):
    """A user table on a 7 x 5 (twist, gate) grid: bicubic interpolation reproduces a
    cubic-in-both-axes parameter exactly; points outside the range are refused."""
    tw = np.linspace(0, 30, 7)
    gt = np.linspace(-2, 2, 5)
    f = lambda t, g: -1.5 + 0.01 * t - 2e-4 * t**2 + 1e-6 * t**3 + 0.3 * g - 0.02 * g**3  # noqa: E731
    lines = ["tmdc,twist (deg),gate (V/nm),delta (eV),v_F (1e5 m/s),lambda_c (meV),"
             "lambda_v (meV),B_c (meV),B_v (meV)"]
    for t in tw:
        for g in gt:
            lines.append(f"WSe2,{t},{g},1.403,5.873,13.81,240.99,{f(t, g)},{-0.9 + 0.1 * t}")
    p = tmp_path / "table.csv"
    p.write_text("\n".join(lines) + "\n")
    table = ParameterTable.from_csv(p, "WSe2")
    vals = table(10.16, 0.7)
    assert vals["b_c"] == pytest.approx(f(10.16, 0.7) * 1e-3, rel=1e-10)
    assert vals["b_v"] == pytest.approx((-0.9 + 1.016) * 1e-3, rel=1e-10)
    with pytest.raises(TableRangeError, match="twist = 31.0 deg is outside"):
        table(31.0, 0.0)
    with pytest.raises(TableRangeError, match="gate = -2.5 V/nm is outside"):
        table(5.0, -2.5)
    assert table.model(10.16, 0.7).b_c == pytest.approx(vals["b_c"])
    bad = tmp_path / "bad.csv"
    bad.write_text("tmdc,twist (deg),delta (eV)\nWSe2,0,1.4\n")
    with pytest.raises(ValueError, match="missing column"):
        read_table(bad)
