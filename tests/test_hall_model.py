"""Macrospin equilibrium and harmonic Hall forward model: analytic limits and symmetries."""

import numpy as np
import pytest
from scipy.optimize import minimize

from sotfit.models.harmonic_hall import hall_harmonics, scan_fields
from sotfit.models.macrospin import energy, equilibrium, linear_response


def test_equilibrium_is_the_global_minimum_of_a_brute_force_search():
    rng = np.random.default_rng(1)
    b = rng.normal(size=(15, 3)) * 0.3
    m, info = equilibrium(b, 0.5, 0.05, 30.0, return_info=True)
    assert np.allclose(np.linalg.norm(m, axis=1), 1)

    def e(a, bv):
        mm = np.array([[np.sin(a[0]) * np.cos(a[1]), np.sin(a[0]) * np.sin(a[1]), np.cos(a[0])]])
        return energy(mm, bv[None], 0.5, 0.05, 30.0)[0]

    for i in range(len(b)):
        best = min((minimize(e, [t, p], args=(b[i],), method="Nelder-Mead",
                             options=dict(xatol=1e-10, fatol=1e-14))
                    for t in np.linspace(0.3, 2.8, 3) for p in np.linspace(0, 4.2, 3)),
                   key=lambda r: r.fun)
        assert info["energy"][i] <= best.fun + 1e-9


def test_stoner_wohlfarth_hard_axis_analytic():
    # PMA film, in-plane field below H_K: m_x = H/H_K exactly
    b = np.column_stack([np.linspace(-0.4, 0.4, 9), np.zeros(9), np.zeros(9)])
    m = equilibrium(b, 0.5, state=1)
    assert np.allclose(m[:, 0], b[:, 0] / 0.5, atol=1e-12)
    assert np.all(m[:, 2] > 0)
    m = equilibrium(b, 0.5, state=-1)
    assert np.all(m[:, 2] < 0)


def test_linear_response_matches_finite_difference_of_equilibrium():
    rng = np.random.default_rng(2)
    b = rng.normal(size=(20, 3)) * 0.4
    db = rng.normal(size=(20, 3)) * 1e-6
    m0 = equilibrium(b, 0.3, 0.02, 10.0)
    m1 = equilibrium(b + db, 0.3, 0.02, 10.0)
    dm = linear_response(m0, b, db, 0.3, 0.02, 10.0)
    assert np.allclose(dm, m1 - m0, atol=1e-10)


def test_avci_in_plane_limit_is_exact():
    """Easy-plane film, field in plane: Avci et al. PRB 90, 224427 (2014) eq. (3)."""
    phi = np.linspace(0, 360, 73)
    b_ext, meff, r_ahe, r_phe, hdl, hfl, rane = 0.05, 1.0, 1.0, 0.2, 2e-4, 1e-4, 3e-5
    r1, r2 = hall_harmonics(scan_fields(phi, "phi", field=b_ext), r_ahe, r_phe, -meff, hdl, hfl, rane,
                            exact=False)
    p = np.radians(phi)
    expect = (r_ahe * hdl / (2 * (b_ext + meff)) - rane) * np.cos(p) \
        + r_phe * hfl / b_ext * (2 * np.cos(p) ** 3 - np.cos(p))
    assert np.allclose(r2, expect, atol=1e-15)
    assert np.allclose(r1, r_phe * np.sin(2 * p), atol=1e-14)


def test_hayashi_small_angle_limit():
    """PMA film, small in-plane fields: b = dR2/dH / d2R1/dH2 = (1/2)(dB_x - 2 s xi dB_y)."""
    bk, r_ahe, r_phe, hdl, hfl = 0.8, 1.0, 0.3, 3e-4, -2e-4
    xi = r_phe / r_ahe
    h = np.linspace(-0.005, 0.005, 41)  # small-angle limit: corrections ~ (H/H_K)^2
    for s in (1, -1):
        for phi_h, along in ((0.0, "x"), (90.0, "y")):
            b = scan_fields(h, "field", theta_h=90.0, phi_h=phi_h)
            r1, r2 = hall_harmonics(b, r_ahe, r_phe, bk, hdl, hfl, state=np.full(h.size, s))
            c2 = np.polyfit(h, r1, 2)[0]
            c1 = np.polyfit(h, r2, 1)[0]
            ratio = c1 / (2 * c2)
            dbx, dby = -s * hdl, hfl  # dB = hdl (m x y) + hfl y with m = s z
            expect = 0.5 * (dbx - 2 * s * xi * dby) if along == "x" else 0.5 * (dby - 2 * s * xi * dbx)
            assert ratio == pytest.approx(expect, rel=1e-3)


def test_out_of_plane_rotation_slope_near_the_pole():
    """xz rotation of a PMA film: dR2/dsin(theta_M) -> [(1/2)R_AHE H_DL + R_PHE H_FL]/(H + H_K) - r_ane."""
    bk, b_ext, r_ahe, r_phe, hdl, hfl, rane = 0.6, 1.5, 1.0, 0.2, 4e-4, 3e-4, 2e-5
    th = np.linspace(-3, 3, 13)
    b = scan_fields(th, "theta", field=b_ext, phi_h=0.0)
    r1, r2, parts = hall_harmonics(b, r_ahe, r_phe, bk, hdl, hfl, rane, parts=True)
    sm = parts["m"][:, 0]
    slope = np.polyfit(sm, r2, 1)[0]
    expect = (0.5 * r_ahe * hdl + r_phe * hfl) / (b_ext + bk) - rane
    assert slope == pytest.approx(expect, rel=1e-3)


def test_symmetries_of_the_in_plane_second_harmonic():
    """Field in the plane of an easy-plane film: R_2w(phi + 180) = -R_2w(phi) and
    R_2w(-phi) = R_2w(phi) (every term of Avci's eq. (3) is odd in cos(phi))."""
    phi = np.linspace(0, 350, 36)
    args = (1.0, 0.2, -0.8, 1e-4, 2e-4, 3e-5)
    _, r2 = hall_harmonics(scan_fields(phi, "phi", field=0.02), *args)
    _, r2p = hall_harmonics(scan_fields(phi + 180, "phi", field=0.02), *args)
    _, r2m = hall_harmonics(scan_fields(-phi, "phi", field=0.02), *args)
    assert np.allclose(r2, -r2p, atol=1e-16)
    assert np.allclose(r2, r2m, atol=1e-16)


def test_branch_following_reports_metastable_states():
    """Perpendicular film, field +0.2 H_K along +z: the m_z = -1 branch exists but is not the
    global minimum (Stoner-Wohlfarth); above H_K it disappears and m switches to +z."""
    b = np.array([[0.0, 0.0, 0.1], [0.0, 0.0, 0.7]])
    m, info = equilibrium(b, 0.5, state=-1, return_info=True)
    assert m[0, 2] == pytest.approx(-1.0) and not info["is_global"][0]
    assert m[1, 2] == pytest.approx(1.0) and info["is_global"][1]   # beyond H_K: only m_z = +1
    m, info = equilibrium(b, 0.5, return_info=True)
    assert np.all(m[:, 2] > 0.999) and info["is_global"].all()


def test_avci_lag_is_the_largest_angle_between_m_and_the_field():
    """The lag that method (a) reads from the 4phi part of R_1w is the largest in-plane angle
    between m and the field: exact macrospin equilibrium of an easy-plane film with an in-plane
    uniaxial anisotropy H_ip, first order H_ip/(2H), small noise."""
    from sotfit.analysis.hall import avci
    from sotfit.data import Dataset
    from sotfit.io.hall import HallScan

    phi = np.arange(0.0, 360.0, 2.0)
    rng = np.random.default_rng(3)
    b_ip, axis = 2e-3, 20.0
    scans, exact = [], {}
    for field in (0.05, 0.1, 0.2):
        b = scan_fields(phi, "phi", field=field)
        r1, r2 = hall_harmonics(b, 0.8, 0.15, -0.8, 4e-4, 2e-4, mu0_h_ip=b_ip, ip_axis=axis)
        m = equilibrium(b, -0.8, b_ip, axis)
        d = np.angle(np.exp(1j * (np.arctan2(m[:, 1], m[:, 0]) - np.radians(phi))))
        exact[field] = np.max(np.abs(d))
        assert exact[field] == pytest.approx(b_ip / (2 * field), rel=0.05)
        meta = dict(source=f"phi {field} T", scan="phi", field=field, theta_h=90.0)
        scans.append(HallScan(Dataset(phi, r1 + rng.normal(0, 1e-6, phi.size), meta=meta),
                              Dataset(phi, r2 + rng.normal(0, 1e-7, phi.size), meta=meta), "phi", meta))
    res = avci(scans, mu0_hk=-0.8, r_ahe=0.8, max_lag=np.inf)
    for row in res.table:
        assert abs(row["lag"] - exact[row["field"]]) <= max(2 * row["lag_stderr"], 0.02 * exact[row["field"]])
